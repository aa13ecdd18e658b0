"""Role-matrix rows of the summary table, its charts, exports, issue, publish and audit trail.

The round is open and not yet published: the members of bloc A see the bloc but not the
summary (403); after publishing they may (tests/scoring/test_summary.py checks that).
"""

from __future__ import annotations

from tests.conftest import World
from tests.matrix_support import SECRETARIAT, Entry

SECRETARIAT_ONLY = {"secretariat"}


def _open_round(w: World):
    import datetime as dt

    from django.utils import timezone

    from scoring import services
    from tests.scoring.conftest import build_scale

    scale, _groups, _items = build_scale(w)
    return services.round_open(
        bloc_year=w.bloc_year,
        scale=scale,
        by=w.secretariat,
        deadline=timezone.now() + dt.timedelta(days=10),
    )


def _year(w: World) -> dict:
    _open_round(w)
    return {"bloc_pk": w.bloc.pk, "year": w.bloc_year.year}


def _unit(w: World) -> dict:
    return _year(w) | {"unit_pk": w.member.pk}


def _issue_data(w: World) -> dict:
    return {
        "issued_on": "2022-12-20",
        "place": "Đắk Lắk",
        "signer_name": "Phạm Văn Tịch",
        "signer_title": "Trưởng ban",
        "signature_heading": "TM. KHỐI THI ĐUA A",
    }


ENTRIES: dict[str, Entry] = {
    "summary": Entry(SECRETARIAT, kwargs=_year),
    "summary_xlsx": Entry(SECRETARIAT, kwargs=_year),
    "summary_issue": Entry(
        SECRETARIAT_ONLY, kwargs=_year, method="post", data=_issue_data, ok_statuses={302}
    ),
    "round_publish": Entry(SECRETARIAT_ONLY, kwargs=_year, method="post", ok_statuses={302}),
    "unit_chart": Entry(SECRETARIAT, kwargs=_unit),
    "scoring_audit": Entry(SECRETARIAT, kwargs=_year),
}
