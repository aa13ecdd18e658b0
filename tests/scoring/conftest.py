"""A scoring round for bloc A of the cast: two groups, five items, three sheets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from scoring import services
from scoring.models import Criterion, Round, Scale, Sheet


@dataclass
class Scored:
    scale: Scale
    round: Round
    groups: list[Criterion]
    items: dict[str, Criterion]  # by code
    sheets: dict[str, Sheet]  # "chair", "vice", "member"


def build_scale(world, *, by=None) -> tuple[Scale, list[Criterion], dict[str, Criterion]]:
    by = by or world.secretariat
    scale = services.scale_create(
        bloc_year=world.bloc_year, title="Thang điểm thi đua năm 2022", by=by
    )
    g1 = services.criterion_save(
        scale=scale,
        by=by,
        code="I",
        title="Thực hiện nhiệm vụ chính trị",
        kind="group",
        max_points=Decimal("60"),
    )
    g2 = services.criterion_save(
        scale=scale,
        by=by,
        code="II",
        title="Công tác thi đua, khen thưởng",
        kind="group",
        max_points=Decimal("40"),
    )
    items = {}
    for code, parent, kind, points, evidence in [
        ("1", g1, "normal", "35", False),
        ("2", g1, "normal", "25", True),
        ("3", g2, "normal", "40", False),
        ("4", g2, "bonus", "10", False),
        ("5", g2, "deduction", "5", False),
    ]:
        items[code] = services.criterion_save(
            scale=scale,
            by=by,
            code=code,
            title=f"Tiêu chí {code} – Đắk Lắk",
            kind=kind,
            max_points=Decimal(points),
            parent=parent,
            evidence_required=evidence,
        )
    return scale, [g1, g2], items


@pytest.fixture
def scored(world) -> Scored:
    scale, groups, items = build_scale(world)
    scoring_round = services.round_open(
        bloc_year=world.bloc_year,
        scale=scale,
        by=world.secretariat,
        deadline=timezone.now() + dt.timedelta(days=10),
    )
    sheets = {
        name: Sheet.objects.get(round=scoring_round, unit=getattr(world, name))
        for name in ("chair", "vice", "member")
    }
    scale.refresh_from_db()
    return Scored(scale=scale, round=scoring_round, groups=groups, items=items, sheets=sheets)
