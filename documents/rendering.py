"""HTML → PDF through WeasyPrint, with a URL fetcher that can read nothing it should not.

WeasyPrint's default fetcher follows file:// and http(s):// URLs, so a template (or text a
user typed into one) could embed /etc/passwd or reach an internal address. Ours allows
``data:`` URLs and regular files under the static and media roots, nothing else.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import ssl
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)


class BlockedURL(ValueError):
    """A resource the document may not load (WeasyPrint logs it and leaves it out)."""


def allowed_roots() -> list[Path]:
    roots = [*settings.STATICFILES_DIRS, settings.STATIC_ROOT, settings.MEDIA_ROOT]
    return [Path(os.path.realpath(root)) for root in roots if root]


# WeasyPrint's fetcher builds a default TLS context (loading every CA certificate) on each
# construction: a quarter of a one-page render (bench/RESULTS.md). https is refused here anyway.
_UNUSED_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class RestrictedURLFetcher(URLFetcher):
    """Only ``data:`` URLs and files under the static and media roots."""

    def __init__(self, roots: list[Path] | None = None, **kwargs):
        kwargs.setdefault("ssl_context", _UNUSED_TLS)
        super().__init__(
            allowed_protocols={"data", "file"}, allow_redirects=False, timeout=5, **kwargs
        )
        self.roots = roots if roots is not None else allowed_roots()

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise BlockedURL(f"blocked URL scheme: {url[:80]}")
        path = Path(os.path.realpath(unquote(urlsplit(url).path)))
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise BlockedURL(f"blocked file outside the static and media roots: {path}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def fonts_css() -> str:
    """@font-face rules for the bundled Tinos (Times New Roman metrics, OFL)."""
    fonts = Path(settings.BASE_DIR) / "static" / "fonts"
    faces = [
        ("Regular", "normal", "normal"),
        ("Bold", "bold", "normal"),
        ("Italic", "normal", "italic"),
        ("BoldItalic", "bold", "italic"),
    ]
    return "\n".join(
        f"@font-face {{ font-family: 'Tinos'; src: url('{(fonts / f'Tinos-{name}.ttf').as_uri()}'); "
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in faces
    )


def html_to_pdf(html: str) -> bytes:
    """Render *html* to PDF bytes with the restricted fetcher and the bundled fonts."""
    fetcher = RestrictedURLFetcher()
    static_base = (Path(settings.BASE_DIR) / "static").as_uri() + "/"
    document = HTML(string=html, base_url=static_base, url_fetcher=fetcher)
    fonts = CSS(string=fonts_css(), font_config=font_config(), url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[fonts], font_config=font_config(), uncompressed_pdf=False
    )
