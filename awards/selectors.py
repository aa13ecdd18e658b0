"""Reads of the awards app."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from awards.models import (
    AwardType,
    Ballot,
    BallotRound,
    Candidate,
    Nomination,
    Proposal,
    VoterToken,
    VotingDelegate,
)
from blocs.models import BlocYear, MemberUnit, User
from blocs.selectors import bloc_members


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


def ballot_candidates(*, ballot_round: BallotRound) -> list[Candidate]:
    """The round's candidates as the ballot needs them (id and label, in the ballot's order):
    no joins, loaded for the page and again for the cast."""
    return list(
        Candidate.objects.filter(round=ballot_round).only("round_id", "label").order_by("position")
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


# --- voting delegates -------------------------------------------------------------------------


def _active_delegations() -> QuerySet[VotingDelegate]:
    return VotingDelegate.objects.filter(revoked_at__isnull=True).select_related(
        "delegate", "named_by", "round"
    )


def active_delegate(*, ballot_round: BallotRound, unit_id: int | None) -> VotingDelegate | None:
    """Who votes for the unit in the round besides its leaders: the round's own delegate, else
    the delegate of the year."""
    if unit_id is None:
        return None
    # One query for both: at most one active delegation per unit and scope (the model's
    # constraints), the round's own first.
    return (
        _active_delegations()
        .filter(
            Q(round=ballot_round) | Q(bloc_year_id=ballot_round.bloc_year_id, round__isnull=True),
            unit_id=unit_id,
        )
        .order_by(F("round_id").asc(nulls_last=True))
        .first()
    )


def is_delegate(*, user: User, ballot_round: BallotRound) -> bool:
    delegation = active_delegate(ballot_round=ballot_round, unit_id=user.unit_id)
    return delegation is not None and delegation.delegate_id == user.pk


def delegations_of(*, bloc_year: BlocYear, unit: MemberUnit) -> QuerySet[VotingDelegate]:
    """Every delegation of the unit in the year, revoked ones included (newest first)."""
    return (
        VotingDelegate.objects.filter(bloc_year=bloc_year, unit=unit)
        .select_related("delegate", "named_by", "revoked_by", "round")
        .order_by("-named_at", "-pk")
    )


def delegate_choices(*, unit: MemberUnit, leader: User) -> QuerySet[User]:
    """The people a leader may name: the unit's other active users (officers, deputy leaders)."""
    return (
        User.objects.filter(unit=unit, is_active=True)
        .exclude(pk=leader.pk)
        .order_by("full_name", "username")
    )


def delegation_rounds(*, bloc_year: BlocYear) -> QuerySet[BallotRound]:
    """The rounds a delegate may still be named for: not closed."""
    return (
        BallotRound.objects.filter(bloc_year=bloc_year)
        .exclude(status=BallotRound.Status.CLOSED)
        .order_by("pk")
    )


def rounds_awaiting_vote(*, user: User) -> QuerySet[BallotRound]:
    """Open electronic rounds in which *user* may cast their unit's vote and the unit has not
    voted yet: every such round for a leader, the rounds they are the delegate in otherwise."""
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return BallotRound.objects.none()
    voted = VoterToken.objects.filter(unit_id=user.unit_id, used=True).values("round_id")
    rounds = (
        BallotRound.objects.filter(
            status=BallotRound.Status.OPEN,
            mode=BallotRound.Mode.ELECTRONIC,
            bloc_year__bloc__memberships__unit_id=user.unit_id,
        )
        .exclude(pk__in=voted)
        .distinct()
        .order_by("pk")
    )
    if user.is_leader:
        return rounds
    active = VotingDelegate.objects.filter(revoked_at__isnull=True, unit_id=user.unit_id)
    of_round = active.filter(round=OuterRef("pk"))
    of_year = active.filter(round__isnull=True, bloc_year=OuterRef("bloc_year"), delegate=user)
    return rounds.filter(
        Exists(of_round.filter(delegate=user)) | (Exists(of_year) & ~Exists(of_round))
    )


@dataclass
class UnitVoters:
    """Who may cast a unit's vote: its leaders, and the delegate of the year or of a round."""

    unit: MemberUnit
    leaders: list[User] = field(default_factory=list)
    delegate: VotingDelegate | None = None  # of the year, or of the round when one is asked
    round_delegates: list[VotingDelegate] = field(default_factory=list)


def voters_of(*, bloc_year: BlocYear, ballot_round: BallotRound | None = None) -> list[UnitVoters]:
    """For the secretariat: each member unit's leaders and delegate; for one round, the delegate
    who votes in it, otherwise the year's delegate and any round's own."""
    units = list(bloc_members(bloc=bloc_year.bloc, year=bloc_year.year))
    rows = {unit.pk: UnitVoters(unit) for unit in units}
    for leader in User.objects.filter(
        unit_id__in=rows, unit_role=User.UnitRole.LEADER, is_active=True
    ).order_by("full_name", "username"):
        rows[leader.unit_id].leaders.append(leader)
    active = list(_active_delegations().filter(bloc_year=bloc_year, unit_id__in=rows))
    for delegation in active:
        if delegation.round_id is None:
            rows[delegation.unit_id].delegate = delegation
        elif ballot_round is None:
            rows[delegation.unit_id].round_delegates.append(delegation)
    if ballot_round is not None:  # the round's own delegate takes the place of the year's
        for delegation in active:
            if delegation.round_id == ballot_round.pk:
                rows[delegation.unit_id].delegate = delegation
    return [rows[unit.pk] for unit in units]
