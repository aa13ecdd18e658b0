"""Role-matrix rows for the score sheets (scoring/views/sheets.py), and the builders they use.

Every object is made through the services, on the plain member's sheet: its officer edits it,
its leader confirms it, the secretariat (the chair's officer) verifies and reopens it, the
ministry only looks, the outsider sees nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from scoring import services
from scoring.models import Evidence, Round, Sheet
from tests.conftest import World
from tests.matrix_support import BLOC_A, Entry

# The smallest file filetype recognises as a PDF.
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    b"\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
SCORES = {"1": "30", "2": "20.5", "3": "35", "4": "10", "5": "0"}


def pdf_upload(name: str = "Báo cáo tổng kết.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def open_round(w: World) -> Round:
    from tests.scoring.conftest import build_scale

    scale, _, _ = build_scale(w)
    return services.round_open(
        bloc_year=w.bloc_year,
        scale=scale,
        by=w.secretariat,
        deadline=timezone.now() + dt.timedelta(days=10),
    )


def member_sheet(w: World) -> Sheet:
    """The plain member's sheet, opening the round first if there is none."""
    if not Round.objects.filter(bloc_year=w.bloc_year).exists():
        open_round(w)
    return Sheet.objects.select_related("round").get(round__bloc_year=w.bloc_year, unit=w.member)


def fill_sheet(sheet: Sheet, by, scores: dict[str, str] = SCORES) -> Sheet:
    """Score every item (by STT) and give item 2, which requires it, a PDF as evidence."""
    entries = {e.criterion.code: e for e in sheet.entries.select_related("criterion")}
    sheet.refresh_from_db()
    services.sheet_save(
        sheet=sheet,
        version=sheet.version,
        by=by,
        values={entries[code].pk: (value, f"Diễn giải {code}") for code, value in scores.items()},
    )
    services.evidence_add(entry=entries["2"], upload=pdf_upload(), by=by)
    sheet.refresh_from_db()
    return sheet


def submitted_sheet(w: World) -> Sheet:
    sheet = fill_sheet(member_sheet(w), w.officer)
    return services.sheet_submit(sheet=sheet, version=sheet.version, by=w.officer)


def _evidence(w: World) -> Evidence:
    sheet = member_sheet(w)
    entry = sheet.entries.get(criterion__code="1")
    return services.evidence_add(entry=entry, upload=pdf_upload(), by=w.officer)


def _entry_pk(w: World, code: str = "1") -> int:
    return submitted_sheet(w).entries.get(criterion__code=code).pk


def _sheet_version(w: World) -> dict:
    return {"version": Sheet.objects.get(round__bloc_year=w.bloc_year, unit=w.member).version}


UNIT = {"officer", "leader"}
VIEWERS = {"ministry", "secretariat", "officer", "leader"}
POSTED = {302}

ENTRIES: dict[str, Entry] = {
    "round_overview": Entry(
        BLOC_A,
        kwargs=lambda w: (member_sheet(w), {"bloc_pk": w.bloc.pk, "year": w.bloc_year.year})[1],
    ),
    "sheet_detail": Entry(VIEWERS, kwargs=lambda w: {"pk": submitted_sheet(w).pk}),
    "sheet_submit": Entry(
        {"officer"},
        kwargs=lambda w: {"pk": fill_sheet(member_sheet(w), w.officer).pk},
        method="post",
        data=_sheet_version,
        ok_statuses=POSTED,
    ),
    "sheet_confirm": Entry(
        {"leader"},
        kwargs=lambda w: {"pk": submitted_sheet(w).pk},
        method="post",
        ok_statuses=POSTED,
    ),
    "sheet_reopen": Entry(
        {"secretariat"},
        kwargs=lambda w: {"pk": submitted_sheet(w).pk},
        method="post",
        data=lambda w: {"reason": "Đơn vị xin bổ sung minh chứng"},
        ok_statuses=POSTED,
    ),
    "sheet_verify": Entry({"secretariat"}, kwargs=lambda w: {"pk": submitted_sheet(w).pk}),
    "evidence_upload": Entry(
        {"officer"},
        kwargs=lambda w: {"entry_pk": member_sheet(w).entries.first().pk},
        method="post",
        data=lambda w: {"file": pdf_upload()},
        ok_statuses=POSTED,
    ),
    "evidence_download": Entry(VIEWERS, kwargs=lambda w: {"pk": _evidence(w).pk}),
    "evidence_delete": Entry(
        {"officer"}, kwargs=lambda w: {"pk": _evidence(w).pk}, method="post", ok_statuses=POSTED
    ),
    "entry_reply": Entry(
        UNIT,
        kwargs=lambda w: {"entry_pk": _entry_pk(w)},
        method="post",
        data=lambda w: {"reply": "Đơn vị đã bổ sung minh chứng."},
        ok_statuses=POSTED,
    ),
}
