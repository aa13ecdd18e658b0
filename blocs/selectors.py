"""Reads for the blocs domain. Every "members of bloc B in year Y" goes through bloc_members."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from blocs.models import (
    Authority,
    Bloc,
    BlocSupervision,
    BlocYear,
    Membership,
    MemberUnit,
    Province,
    User,
)
from khoi_portal.db import column


def today() -> dt.date:
    return timezone.localdate()


def current_year() -> int:
    return today().year


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def memberships_in(year: int) -> Q:
    return Q(from_year__lte=year) & (Q(until_year__isnull=True) | Q(until_year__gte=year))


def memberships_in_sql(year: int) -> tuple[str, list[int]]:
    """``memberships_in(year)`` as a condition on the membership table's columns, and its
    parameters: for the hand-written statements of the busiest requests (issue #8).
    tests/blocs/test_memberships_sql.py holds the two equal."""
    since, until = column(Membership, "from_year"), column(Membership, "until_year")
    return f"{since} <= %s AND ({until} IS NULL OR {until} >= %s)", [year, year]


def bloc_members(*, bloc: Bloc, year: int) -> QuerySet[MemberUnit]:
    """The units that belonged to *bloc* in emulation *year*, in Vietnamese order."""
    unit_ids = Membership.objects.filter(memberships_in(year), bloc=bloc).values("unit_id")
    return (
        MemberUnit.objects.filter(pk__in=unit_ids).select_related("province").order_by("full_name")
    )


def unit_blocs(*, unit: MemberUnit, year: int | None = None) -> QuerySet[Bloc]:
    """The blocs *unit* belongs to in *year*, or has ever belonged to when *year* is None."""
    memberships = Membership.objects.filter(unit=unit)
    if year is not None:
        memberships = memberships.filter(memberships_in(year))
    return Bloc.objects.filter(pk__in=memberships.values("bloc_id")).order_by("name")


def blocs_visible_to(user: User) -> QuerySet[Bloc]:
    """The ministry office sees every bloc; anyone else the blocs their unit has belonged to."""
    if not user.is_authenticated or not user.is_active:
        return Bloc.objects.none()
    if user.is_ministry_office:
        return Bloc.objects.order_by("name")
    if user.unit_id is None:
        return Bloc.objects.none()
    return unit_blocs(unit=user.unit)


def bloc_years(*, bloc: Bloc) -> QuerySet[BlocYear]:
    return BlocYear.objects.filter(bloc=bloc).select_related("chair", "vice").order_by("-year")


def latest_bloc_year(*, bloc: Bloc, up_to: int | None = None) -> BlocYear | None:
    """The bloc's emulation year for *up_to* (default: this year), or the latest before it."""
    up_to = current_year() if up_to is None else up_to
    return bloc_years(bloc=bloc).filter(year__lte=up_to).first() or bloc_years(bloc=bloc).last()


def bloc_supervisor(*, bloc: Bloc, on: dt.date) -> Authority | None:
    """The authority that supervised *bloc* on *on* (the ministry changes with NQ 176/2025)."""
    supervision = (
        BlocSupervision.objects.filter(bloc=bloc)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("authority")
        .order_by("-valid_from")
        .first()
    )
    return supervision.authority if supervision else None


def province_on(*, province: Province, on: dt.date) -> Province:
    """The province a place belonged to on *on*, following mergers (63 → 34 provinces in 2025)."""
    seen = set()
    while (
        province.valid_until is not None and on > province.valid_until and province.merged_into_id
    ):
        if province.pk in seen:  # a cycle in the data must not hang a page
            break
        seen.add(province.pk)
        province = province.merged_into
    return province


def secretariat_years(user: User) -> QuerySet[BlocYear]:
    """The bloc years whose secretariat *user* belongs to: the chair unit's officers and appointees."""
    if not user.is_authenticated or not user.is_active:
        return BlocYear.objects.none()
    condition = Q(appointments__user=user)
    if user.is_officer:
        condition |= Q(chair_id=user.unit_id)
    return BlocYear.objects.filter(condition).select_related("bloc", "chair", "vice").distinct()


def unit_people(*, units) -> QuerySet[User]:
    return (
        User.objects.filter(unit__in=units)
        .select_related("unit")
        .order_by("unit__full_name", "unit_role", "full_name")
    )


def units_missing_accounts(*, bloc_year: BlocYear) -> list[dict]:
    """Member units of a year that still lack an active officer or leader account."""
    from django.db.models import Count

    units = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).annotate(
        officers=Count("people", filter=Q(people__unit_role="officer", people__is_active=True)),
        leaders=Count("people", filter=Q(people__unit_role="leader", people__is_active=True)),
    )
    return [
        {"unit": unit, "needs_officer": unit.officers == 0, "needs_leader": unit.leaders == 0}
        for unit in units
        if unit.officers == 0 or unit.leaders == 0
    ]


def pending_invitations(*, bloc_year: BlocYear) -> QuerySet[User]:
    """People invited for this year's members who have not yet set their password."""
    units = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year)
    return (
        User.objects.filter(unit__in=units, is_active=True, password__startswith="!")
        .select_related("unit")
        .order_by("full_name")
    )


def blocs_with_latest_year(blocs: QuerySet[Bloc]) -> list[Bloc]:
    """Each bloc with ``latest_year`` (its year for today, or its last one) in two queries."""
    blocs = list(blocs)
    up_to = current_year()
    years = (
        BlocYear.objects.filter(bloc__in=blocs, year__lte=up_to)
        .select_related("chair", "vice")
        .order_by("bloc_id", "-year")
    )
    latest: dict[int, BlocYear] = {}
    for bloc_year in years:
        latest.setdefault(bloc_year.bloc_id, bloc_year)
    for bloc in blocs:
        bloc.latest_year = latest.get(bloc.pk)
    return blocs


def merged_from(*, bloc: Bloc) -> QuerySet[Bloc]:
    return Bloc.objects.filter(merged_into=bloc).order_by("name")


def unit_memberships(*, unit: MemberUnit) -> QuerySet[Membership]:
    return Membership.objects.filter(unit=unit).select_related("bloc").order_by("-from_year")


def unit_leadership_years(*, unit: MemberUnit) -> QuerySet[BlocYear]:
    return (
        BlocYear.objects.filter(Q(chair=unit) | Q(vice=unit))
        .select_related("bloc", "chair", "vice")
        .order_by("-year")
    )


def people_by_unit(*, units: QuerySet[MemberUnit]) -> list[tuple[MemberUnit, list[User]]]:
    """[(unit, [people…])] in Vietnamese order of units, in two queries."""
    units = list(units)
    grouped: dict[int, list[User]] = {unit.pk: [] for unit in units}
    for person in User.objects.filter(unit__in=units).order_by("unit_role", "full_name"):
        grouped[person.unit_id].append(person)
    return [(unit, grouped[unit.pk]) for unit in units]


def person_history(*, person: User, limit: int = 20):
    return person.history.select_related("history_user").order_by("-history_date")[:limit]
