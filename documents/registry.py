"""Document kinds: each names its PDF template and, if it needs one, a context builder.

Adding a kind (an invitation, a summary table, minutes) touches its own app and one
``register`` call here. The generic kind prints the stored fields as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    template: str = "documents/pdf/generic.html"
    # extra template context from the document (e.g. the summary table's rows)
    context: Callable[[object], dict] = field(default=lambda document: {})
    # extra DOCX content after the body: (docx.Document, document) -> None
    docx_body: Callable[[object, object], None] | None = None
    # applied to the rendered PDF of an issued document before it is frozen (e.g. a PAdES seal)
    postprocess: Callable[[bytes, object], bytes] | None = None


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _kinds[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    return _kinds.get(key) or _kinds["generic"]


def choices() -> list[tuple[str, str]]:
    return [(kind.key, kind.label) for kind in _kinds.values()]


register(Kind("generic", "Văn bản thông thường"))
