"""Role-matrix rows for the ballot rounds (awards/views/ballots.py), and the builders they use.

The secretariat (the chair's officer) creates, opens, tallies and closes rounds; every bloc
member and the ministry see a round and its live count; only a unit's leader votes. The
outsider sees nothing.
"""

from __future__ import annotations

from awards import services
from awards.models import BallotRound
from blocs.services import secretariat_set
from tests.awards.conftest import flag_round
from tests.conftest import World
from tests.factories import UserFactory
from tests.matrix_support import BLOC_A, Entry

SECRETARIAT_ONLY = {"secretariat"}
POSTED = {302}


def opened(w: World, *, mode: str = "electronic", **kwargs) -> BallotRound:
    return services.round_open(ballot_round=flag_round(w, mode=mode, **kwargs), by=w.secretariat)


def second_secretary(w: World):
    """A second member of the secretariat (the vice unit's officer), appointed by the chair."""
    person = UserFactory(
        username="thuky.pho", full_name="Nguyễn Thị Phó", unit=w.vice, unit_role="officer"
    )
    secretariat_set(bloc_year=w.bloc_year, person=person, member=True, changed_by=w.secretariat)
    return person


def tally_entered(w: World, *, by=None) -> BallotRound:
    """An open paper round whose tally someone other than the world's secretariat entered."""
    ballot_round = opened(w, mode="paper")
    votes = {
        c.pk: n
        for c, n in zip(ballot_round.candidates.order_by("position"), (2, 1, 0), strict=True)
    }
    services.paper_tally_enter(
        ballot_round=ballot_round,
        by=by or second_secretary(w),
        issued=3,
        returned=3,
        valid=3,
        votes=votes,
    )
    return ballot_round


def _round(build):
    return lambda w: {"pk": build(w).pk}


ENTRIES: dict[str, Entry] = {
    "ballot_round_create": Entry(
        SECRETARIAT_ONLY, kwargs=lambda w: {"bloc_pk": w.bloc.pk, "year": w.bloc_year.year}
    ),
    "ballot_round_detail": Entry(BLOC_A, kwargs=_round(opened)),
    "ballot_round_progress": Entry(BLOC_A, kwargs=_round(opened)),
    "ballot_round_open": Entry(
        SECRETARIAT_ONLY,
        kwargs=_round(flag_round),
        method="post",
        data=lambda w: {"present_units": "3"},
        ok_statuses=POSTED,
    ),
    "ballot_cast": Entry({"leader"}, kwargs=_round(opened)),
    "ballot_paper_tally": Entry(SECRETARIAT_ONLY, kwargs=_round(lambda w: opened(w, mode="paper"))),
    "ballot_paper_confirm": Entry(
        SECRETARIAT_ONLY, kwargs=_round(tally_entered), method="post", ok_statuses=POSTED
    ),
    "ballot_round_close": Entry(
        SECRETARIAT_ONLY, kwargs=_round(opened), method="post", ok_statuses=POSTED
    ),
}
