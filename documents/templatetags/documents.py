from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from documents.markup import to_html

register = template.Library()


@register.filter
def doc_markup(text: str) -> SafeString:
    """Body text → paragraphs: one paragraph a line, "- " lines as dashes, *italic*, **bold**."""
    return to_html(text or "")


@register.filter
def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
