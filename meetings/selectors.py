"""Reads of the meetings app."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from blocs.models import BlocYear, MemberUnit
from blocs.selectors import bloc_members
from meetings.models import Delegate, Handover, Meeting, Registration


def meetings_of(*, bloc_year: BlocYear) -> QuerySet[Meeting]:
    return Meeting.objects.filter(bloc_year=bloc_year).select_related(
        "host_unit", "invitation", "minutes"
    )


def registrations_of(
    *, meeting: Meeting
) -> list[tuple[MemberUnit, Registration | None, list[Delegate]]]:
    """Every member unit with its registration and active delegates, in Vietnamese order (3 queries)."""
    units = list(bloc_members(bloc=meeting.bloc_year.bloc, year=meeting.bloc_year.year))
    registrations = {r.unit_id: r for r in Registration.objects.filter(meeting=meeting)}
    delegates: dict[int, list[Delegate]] = {}
    for delegate in (
        Delegate.objects.filter(registration__meeting=meeting, substituted_by__isnull=True)
        .select_related("registration")
        .order_by("pk")
    ):
        delegates.setdefault(delegate.registration.unit_id, []).append(delegate)
    return [(unit, registrations.get(unit.pk), delegates.get(unit.pk, [])) for unit in units]


def units_not_answered(*, meeting: Meeting) -> QuerySet[MemberUnit]:
    answered = Registration.objects.filter(meeting=meeting).values("unit_id")
    return bloc_members(bloc=meeting.bloc_year.bloc, year=meeting.bloc_year.year).exclude(
        pk__in=answered
    )


@dataclass
class Board:
    members: int
    present: int
    signed: int | None
    voted: int | None
    round_title: str = ""


def live_board(*, meeting: Meeting) -> Board:
    """Present, signed and voted counts for the hall's screen, in a handful of queries."""
    from awards.models import BallotRound, VoterToken
    from covenants.models import Signature
    from meetings.models import AgendaItem
    from meetings.services import present_unit_ids

    members = bloc_members(bloc=meeting.bloc_year.bloc, year=meeting.bloc_year.year).count()
    items = AgendaItem.objects.filter(meeting=meeting).select_related("ballot_round", "covenant")
    covenant = next((i.covenant for i in items if i.covenant_id), None)
    rounds = [i.ballot_round for i in items if i.ballot_round_id]
    current = next(
        (r for r in rounds if r.status == BallotRound.Status.OPEN), rounds[-1] if rounds else None
    )
    return Board(
        members=members,
        present=len(present_unit_ids(meeting)),
        signed=Signature.objects.filter(covenant=covenant).count() if covenant else None,
        voted=VoterToken.objects.filter(round=current, used=True).count() if current else None,
        round_title=current.title if current else "",
    )


def handovers_of(*, bloc) -> QuerySet[Handover]:
    return (
        Handover.objects.filter(bloc=bloc).select_related("from_unit", "to_unit").order_by("-year")
    )


def checked_in_counts(*, meeting: Meeting) -> dict[str, int]:
    row = Delegate.objects.filter(
        registration__meeting=meeting, substituted_by__isnull=True
    ).aggregate(total=Count("pk"), present=Count("pk", filter=Q(checked_in_at__isnull=False)))
    return row
