"""Role-matrix rows for voting delegates (awards/views/delegates.py), and the builder they use.

A member unit's leader names and revokes the unit's delegate; the secretariat and the ministry
see who votes for each unit. The officer of the leader's own unit, the secretariat and the
ministry are refused the leader's pages; the outsider sees nothing.
"""

from __future__ import annotations

from awards import services
from awards.models import VotingDelegate
from tests.conftest import World
from tests.matrix_support import SECRETARIAT, Entry


def named(w: World, *, ballot_round=None) -> VotingDelegate:
    """The member unit's leader names its officer delegate (for the year, or one round)."""
    return services.delegate_name(
        bloc_year=w.bloc_year,
        unit=w.member,
        delegate=w.officer,
        by=w.leader,
        ballot_round=ballot_round,
        note="Cán bộ thi đua dự hội nghị và bỏ phiếu thay.",
    )


def _year(w: World) -> dict:
    return {"bloc_pk": w.bloc.pk, "year": w.bloc_year.year}


ENTRIES: dict[str, Entry] = {
    "award_delegates": Entry({"leader"}, kwargs=_year),
    "award_delegate_revoke": Entry({"leader"}, kwargs=lambda w: {"pk": named(w).pk}),
    "award_voters": Entry(SECRETARIAT, kwargs=_year),
}
