"""Leaders for every member of bloc A, and a ballot round on the ministry flag."""

from __future__ import annotations

import pytest

from awards import services
from awards.models import AwardType, BallotRound
from tests.factories import UserFactory


@pytest.fixture
def leaders(world) -> dict[str, object]:
    """The leader of each member unit of bloc A: chair, vice and member (world.leader)."""
    return {
        "chair": UserFactory(
            username="lanhdao.chu", full_name="Phạm Văn Tịch", unit=world.chair, unit_role="leader"
        ),
        "vice": UserFactory(
            username="lanhdao.pho", full_name="Võ Văn Phụng", unit=world.vice, unit_role="leader"
        ),
        "member": world.leader,
    }


def flag_round(
    world, *, seats: int = 1, max_choices: int = 1, mode: str = "electronic"
) -> BallotRound:
    award = AwardType.objects.get(code="co-thi-dua-bo")
    return services.round_create(
        bloc_year=world.bloc_year,
        title="Bình xét Cờ thi đua của Bộ năm 2022",
        by=world.secretariat,
        unit_candidates=[world.chair, world.vice, world.member],
        award_type=award,
        seats=seats,
        max_choices=max_choices,
        mode=mode,
    )


@pytest.fixture
def open_round(world, leaders) -> BallotRound:
    return services.round_open(ballot_round=flag_round(world), by=world.secretariat)
