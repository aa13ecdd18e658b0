"""Role-matrix rows of the scale pages (scoring/views/scale.py).

Reading the scale is for everyone in bloc A (and the ministry); changing it is the year's
secretariat's alone: the ministry oversees but gets a 403 on a bloc's scale.
"""

from __future__ import annotations

import datetime as dt

from tests.matrix_support import BLOC_A, Entry

SECRETARIAT_ONLY = {"secretariat"}


def _year(w) -> dict:
    return {"bloc_pk": w.bloc.pk, "year": w.bloc_year.year}


def _draft(w) -> dict:
    from tests.scoring.conftest import build_scale

    scale, _groups, _items = build_scale(w)
    return {**_year(w), "scale_pk": scale.pk}


def _item(w) -> dict:
    from tests.scoring.conftest import build_scale

    scale, _groups, items = build_scale(w)
    return {**_year(w), "scale_pk": scale.pk, "criterion_pk": items["3"].pk}


def _opened(w):
    from django.utils import timezone

    from scoring import services
    from tests.scoring.conftest import build_scale

    scale, _groups, _items = build_scale(w)
    services.round_open(
        bloc_year=w.bloc_year,
        scale=scale,
        by=w.secretariat,
        deadline=timezone.now() + dt.timedelta(days=10),
    )
    scale.refresh_from_db()
    return scale


def _locked(w) -> dict:
    return {**_year(w), "scale_pk": _opened(w).pk}


def _new_version(w) -> dict:
    from scoring import services

    scale = services.scale_copy(
        source=_opened(w), bloc_year=w.bloc_year, by=w.secretariat, note="Sửa tiêu chí 3"
    )
    return {**_year(w), "scale_pk": scale.pk}


def _with_scale(w) -> dict:
    _draft(w)
    return _year(w)


ENTRIES: dict[str, Entry] = {
    "scale_detail": Entry(BLOC_A, kwargs=_with_scale),
    "scale_create": Entry(SECRETARIAT_ONLY, kwargs=_year),
    "criterion_add": Entry(SECRETARIAT_ONLY, kwargs=_draft),
    "criterion_edit": Entry(SECRETARIAT_ONLY, kwargs=_item),
    "criterion_delete": Entry(SECRETARIAT_ONLY, kwargs=_item, method="post", ok_statuses={302}),
    "scale_import": Entry(SECRETARIAT_ONLY, kwargs=_draft),
    "scale_export": Entry(BLOC_A, kwargs=_draft),
    "scale_new_version": Entry(
        SECRETARIAT_ONLY,
        kwargs=_locked,
        method="post",
        data=lambda w: {"reason": "Điều chỉnh tiêu chí 3 theo ý kiến của Bộ"},
        ok_statuses={302},
    ),
    "scale_apply": Entry(SECRETARIAT_ONLY, kwargs=_new_version, method="post", ok_statuses={302}),
    "round_open": Entry(SECRETARIAT_ONLY, kwargs=_with_scale),
}
