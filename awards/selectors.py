"""Reads of the awards app."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from awards.models import (
    AwardType,
    Ballot,
    BallotRound,
    Candidate,
    Nomination,
    Proposal,
    VoterToken,
)
from blocs.models import BlocYear


def award_types() -> QuerySet[AwardType]:
    return AwardType.objects.order_by("position", "name")


def nominations_of(*, bloc_year: BlocYear) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(bloc_year=bloc_year, withdrawn=False)
        .select_related("award_type", "unit")
        .order_by("award_type__position", "rank", "pk")
    )


def rounds_of(*, bloc_year: BlocYear) -> QuerySet[BallotRound]:
    return (
        BallotRound.objects.filter(bloc_year=bloc_year)
        .select_related("award_type", "runoff_of")
        .annotate(voted=Count("tokens", filter=Q(tokens__used=True), distinct=True))
        .order_by("pk")
    )


def candidates_of(*, ballot_round: BallotRound) -> QuerySet[Candidate]:
    return (
        Candidate.objects.filter(round=ballot_round)
        .select_related("unit", "nomination")
        .order_by("position")
    )


def has_voted(*, ballot_round: BallotRound, unit_id: int | None) -> bool:
    return (
        unit_id is not None
        and VoterToken.objects.filter(round=ballot_round, unit_id=unit_id, used=True).exists()
    )


def votes_cast(*, ballot_round: BallotRound) -> int:
    """How many units have voted (shown live); never which ballot is whose."""
    return VoterToken.objects.filter(round=ballot_round, used=True).count()


def published_receipts(*, ballot_round: BallotRound) -> list[str]:
    """The list of ballot receipts, published once the round is closed (else empty)."""
    if ballot_round.status != BallotRound.Status.CLOSED:
        return []
    return list(ballot_round.results.get("receipts", []))


def proposals_of_year(*, year: int) -> QuerySet[Proposal]:
    """Every bloc's proposals for an emulation year: the ministry office's one table."""
    return (
        Proposal.objects.filter(bloc_year__year=year)
        .select_related("bloc_year__bloc", "award_type", "unit", "minutes", "submission")
        .order_by("bloc_year__bloc__name", "award_type__position", "-votes")
    )


def proposals_of(*, bloc_year: BlocYear) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(bloc_year=bloc_year)
        .select_related("award_type", "unit", "minutes", "submission")
        .order_by("award_type__position", "-votes")
    )


def ballots_count(*, ballot_round: BallotRound) -> int:
    return Ballot.objects.filter(round=ballot_round).count()
