"""Reads of the meetings app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.models import BallotRound, Candidate, VoterToken
from blocs.models import BlocYear, Membership, MemberUnit
from blocs.selectors import bloc_members, memberships_in_sql
from covenants.selectors import signature_tally
from khoi_portal.db import column, table
from meetings.models import AgendaItem, Delegate, Handover, Meeting, Registration


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
    # The covenant's own members (next year's, for a covenant signed at this year's conference).
    signed_total: int = 0
    # The presence frozen on the current round when it was opened (what its minutes record).
    round_present: int | None = None


def live_board(*, meeting: Meeting) -> Board:
    """Present, signed and voted counts for the hall's screen, in a handful of queries. The
    presence is the same check-in count that ceremony-mode signing and the rounds opened at the
    conference use, and the signed count is the ceremony page's tally."""
    members = bloc_members(bloc=meeting.bloc_year.bloc, year=meeting.bloc_year.year).count()
    items = AgendaItem.objects.filter(meeting=meeting).select_related(
        "ballot_round", "covenant__bloc_year__bloc"
    )
    covenant = next((i.covenant for i in items if i.covenant_id), None)
    rounds = [i.ballot_round for i in items if i.ballot_round_id]
    current = next(
        (r for r in rounds if r.status == BallotRound.Status.OPEN), rounds[-1] if rounds else None
    )
    tally = signature_tally(covenant=covenant) if covenant else None
    return Board(
        members=members,
        present=len(present_unit_ids(meeting=meeting)),
        signed=tally.signed if tally else None,
        signed_total=tally.total if tally else 0,
        voted=VoterToken.objects.filter(round=current, used=True).count() if current else None,
        round_title=current.title if current else "",
        round_present=current.present_units if current else None,
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


def presence_counts(*, meeting: Meeting) -> dict[str, int]:
    """``checked_in_counts`` and the number of units present (``present_units``, what
    ``len(present_unit_ids(...))`` gives) in one query, for pages that show all three."""
    checked_in = Q(checked_in_at__isnull=False)
    return Delegate.objects.filter(
        registration__meeting=meeting, substituted_by__isnull=True
    ).aggregate(
        total=Count("pk"),
        present=Count("pk", filter=checked_in),
        present_units=Count("registration__unit", filter=checked_in, distinct=True),
    )


def desk_counts(*, meeting: Meeting) -> dict[str, int]:
    """``presence_counts`` and ``members`` (``bloc_members(...).count()`` for the meeting's
    year) in one statement, for the check-in desk's panel, rendered again after every scan.

    Plain SQL on purpose (issue #8): the ORM took longer to build the two aggregates than the
    database took to answer them. The year's memberships: ``blocs.selectors.memberships_in_sql``;
    tests/meetings/test_checkin_queries.py holds the figures equal to the ORM's."""
    checked_in = f"{column(Delegate, 'checked_in_at')} IS NOT NULL"
    bloc_year = meeting.bloc_year
    in_year, in_year_params = memberships_in_sql(bloc_year.year)
    sql = (
        f"SELECT COUNT({column(Delegate, 'id')}), "
        f"COUNT(CASE WHEN {checked_in} THEN {column(Delegate, 'id')} END), "
        f"COUNT(DISTINCT CASE WHEN {checked_in} THEN {column(Registration, 'unit')} END), "
        f"(SELECT COUNT(DISTINCT {column(Membership, 'unit')}) FROM {table(Membership)} "
        f"WHERE {column(Membership, 'bloc')} = %s AND {in_year}) "
        f"FROM {table(Delegate)} INNER JOIN {table(Registration)} "
        f"ON {column(Delegate, 'registration')} = {column(Registration, 'id')} "
        f"WHERE {column(Registration, 'meeting')} = %s "
        f"AND {column(Delegate, 'substituted_by')} IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [bloc_year.bloc_id, *in_year_params, meeting.pk])
        total, present, present_units, members = cursor.fetchone()
    return {"total": total, "present": present, "present_units": present_units, "members": members}


# --- presence ----------------------------------------------------------------------------------


def present_unit_ids(*, meeting: Meeting) -> set[int]:
    """Units with at least one active delegate checked in: the presence that ballots' quorum,
    ceremony-mode signing and the hall's screen use."""
    return set(
        Delegate.objects.filter(
            registration__meeting=meeting, checked_in_at__isnull=False, substituted_by__isnull=True
        )
        .order_by()  # a set: the model's ordering would only make the database sort
        .values_list("registration__unit_id", flat=True)
    )


def conferences_on(*, bloc_year: BlocYear, day: dt.date) -> QuerySet[Meeting]:
    """The bloc year's conferences held on *day* (local time)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return Meeting.objects.filter(
        bloc_year=bloc_year, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
    ).order_by("starts_at", "pk")


@dataclass
class RoundConference:
    """Where a ballot round's presence comes from: the conference it is on the agenda of
    (``linked``), else the bloc year's conference of the day (``today``); ``choices`` are the
    bloc year's conferences the secretariat may pick."""

    choices: QuerySet[Meeting]
    linked: Meeting | None
    today: Meeting | None

    @property
    def default(self) -> Meeting | None:
        return self.linked or self.today

    @property
    def required(self) -> Meeting | None:
        """A round on a conference's agenda, or opened on a conference day, is held at it: its
        presence comes from check-in, never from a typed number."""
        return self.default


def round_conference(*, ballot_round: BallotRound, day: dt.date | None = None) -> RoundConference:
    item = (
        AgendaItem.objects.filter(ballot_round=ballot_round)
        .select_related("meeting__bloc_year__bloc")
        .first()
    )
    day = day or timezone.localdate()
    todays = list(conferences_on(bloc_year=ballot_round.bloc_year, day=day)[:2])
    return RoundConference(
        choices=Meeting.objects.filter(bloc_year_id=ballot_round.bloc_year_id).order_by(
            "-starts_at"
        ),
        linked=item.meeting if item else None,
        # Two conferences the same day: the secretariat picks, nothing is assumed.
        today=todays[0] if len(todays) == 1 else None,
    )


def ceremony_meeting(*, covenant) -> Meeting | None:
    """The conference whose agenda carries *covenant* (its signing ceremony): the one held
    today if several do, else the latest."""
    meetings = list(
        Meeting.objects.filter(agenda__covenant=covenant)
        .select_related("bloc_year__bloc")
        .distinct()
        .order_by("-starts_at")
    )
    today = timezone.localdate()
    return next(
        (m for m in meetings if timezone.localtime(m.starts_at).date() == today),
        meetings[0] if meetings else None,
    )


# --- the election seats ------------------------------------------------------------------------


@dataclass
class Seat:
    """Next year's chair or vice: its agenda item, its current ballot round and candidate."""

    role: str
    title: str
    item: AgendaItem | None
    round: BallotRound | None
    candidate: MemberUnit | None

    @property
    def row(self) -> dict:
        rows = self.round.results.get("candidates", []) if self.round else []
        return rows[0] if rows else {}

    @property
    def closed(self) -> bool:
        return bool(self.round and self.round.status == BallotRound.Status.CLOSED)

    @property
    def elected(self) -> bool:
        return self.closed and bool(self.row.get("elected"))

    @property
    def failed(self) -> bool:
        return self.closed and not self.elected

    @property
    def needs_round(self) -> bool:
        return self.round is None or self.failed

    def problem(self) -> str:
        if self.round is None:
            return _("Chưa tạo vòng “%(title)s”.") % {"title": self.title}
        if not self.closed:
            return _("Vòng “%(title)s” chưa kết thúc bỏ phiếu.") % {"title": self.round.title}
        if not self.elected:
            return _("Vòng “%(title)s” không bầu được %(unit)s (%(why)s).") % {
                "title": self.round.title,
                "unit": self.candidate.short_name if self.candidate else "–",
                "why": self.row.get("rule") or _("không có kết quả"),
            }
        return ""


def round_titles(bloc_year: BlocYear) -> tuple[str, str]:
    """ "Bầu Khối trưởng năm 2023", "Bầu Khối phó năm 2023" ("Cụm" for a cluster)."""
    kind, year = bloc_year.bloc.kind_word, bloc_year.year + 1
    return f"Bầu {kind} trưởng năm {year}", f"Bầu {kind} phó năm {year}"


def seats_of(meeting: Meeting) -> list[Seat]:
    """The first two "elect" agenda items carry the chair's and the vice's rounds, in that order."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting, action=AgendaItem.Action.ELECT)
        .select_related("ballot_round")
        .order_by("position", "pk")[:2]
    )

    def election_round(item):
        if item and item.ballot_round_id and item.ballot_round.purpose == "election":
            return item.ballot_round
        return None

    rounds = [r for r in map(election_round, items) if r is not None]
    candidates: dict[int, MemberUnit] = {}
    for candidate in (
        Candidate.objects.filter(round__in=rounds).select_related("unit").order_by("position")
    ):
        candidates.setdefault(candidate.round_id, candidate.unit)
    seats = []
    for index, (role, title) in enumerate(
        zip(("chair", "vice"), round_titles(meeting.bloc_year), strict=True)
    ):
        item = items[index] if index < len(items) else None
        ballot_round = election_round(item)
        seats.append(
            Seat(
                role,
                title,
                item,
                ballot_round,
                candidates.get(ballot_round.pk) if ballot_round else None,
            )
        )
    return seats


# --- registration reminders --------------------------------------------------------------------


def meetings_to_remind(*, now: dt.datetime, days: int) -> QuerySet[Meeting]:
    """Conferences whose invitation is out and whose registration deadline is still ahead but
    within *days* days: the ones the daily reminder run looks at."""
    if days <= 0:
        return Meeting.objects.none()
    return Meeting.objects.filter(
        status=Meeting.Status.INVITED,
        registration_deadline__gt=now,
        registration_deadline__lte=now + dt.timedelta(days=days),
    ).order_by("registration_deadline", "pk")
