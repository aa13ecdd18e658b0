"""Renderers: a document → PDF bytes (WeasyPrint) or DOCX bytes (python-docx)."""

from __future__ import annotations

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from documents import registry
from documents.models import Document
from khoi_portal.lib.official import in_official_language
from khoi_portal.lib.vietnamese import date_long


def place_date_line(document: Document) -> str:
    """ "Sóc Trăng, ngày 11 tháng 01 năm 2021"; a draft leaves the day and month blank to fill in."""
    if document.issued_on is None:
        gap = "\u00a0" * 6  # blank spaces survive HTML whitespace collapsing
        return f"{document.place}, ngày{gap}tháng{gap}năm{gap}"
    return f"{document.place}, {date_long(document.issued_on)}"


def verification_url(document: Document) -> str:
    return settings.SITE_URL + reverse("verify", kwargs={"code": document.verification_code})


def qr_data_uri(text: str) -> str:
    import segno  # on first use: the web workers stay small (issue #8)

    svg = segno.make(text, error="m").svg_inline(scale=4, border=1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def document_context(document: Document, *, draft: bool) -> dict:
    kind = registry.get(document.kind)
    context = {"document": document, "draft": draft, "place_date": place_date_line(document)}
    if not draft and document.verification_code:
        url = verification_url(document)
        context |= {"verification_url": url, "qr_data_uri": qr_data_uri(url)}
    context |= kind.context(document)
    return context


@in_official_language
def render_document_html(document: Document, *, draft: bool) -> str:
    kind = registry.get(document.kind)
    return render_to_string(kind.template, document_context(document, draft=draft))


def render_document_pdf(document: Document, *, draft: bool | None = None) -> bytes:
    """The document as PDF bytes; drafts carry the "DỰ THẢO" watermark."""
    from documents.rendering import html_to_pdf  # WeasyPrint on first use (issue #8)

    draft = document.is_draft if draft is None else draft
    return html_to_pdf(render_document_html(document, draft=draft))
