"""The small markup of document bodies, shared by the PDF (HTML) and DOCX renderers.

Every non-empty line is a paragraph; a line starting with "- " is a dash item; **bold** and
*italic* are the only inline styles. Everything else is text, escaped: a body can never
inject HTML (and so never a URL) into a PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*)")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    dash: bool = False


def parse(text: str) -> list[Paragraph]:
    paragraphs = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        runs = []
        for part in _INLINE.split(line):
            if not part:
                continue
            if part.startswith("**") and part.endswith("**") and len(part) > 4:
                runs.append(Run(part[2:-2], bold=True))
            elif part.startswith("*") and part.endswith("*") and len(part) > 2:
                runs.append(Run(part[1:-1], italic=True))
            else:
                runs.append(Run(part))
        paragraphs.append(Paragraph(tuple(runs), dash=line.startswith("- ")))
    return paragraphs


def to_html(text: str) -> SafeString:
    out = []
    for paragraph in parse(text):
        inner = "".join(
            f"<strong>{escape(r.text)}</strong>"
            if r.bold
            else f"<em>{escape(r.text)}</em>"
            if r.italic
            else escape(r.text)
            for r in paragraph.runs
        )
        css = ' class="dash"' if paragraph.dash else ""
        out.append(f"<p{css}>{inner}</p>")
    return mark_safe("\n".join(out))
