"""Reads for the audit log, already scoped to the viewer (query design: audit/sources/__init__.py).

``event_keys`` is one UNION ALL query of ``(id, time, source)`` over every source, filtered,
ordered newest first and sliced by the paginator in the database; ``events`` turns a page of
keys into described events with one query per source present on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import CharField, F, QuerySet, Value
from django.utils import timezone

from audit.sources import Event, Scope, Source, all_sources
from blocs.models import Bloc, BlocYear, User
from blocs.selectors import secretariat_years

PAGE_SIZE = 50
EXPORT_LIMIT = 20000
EXPORT_CHUNK = 500


@dataclass(frozen=True)
class Filters:
    bloc: Bloc | None = None  # the ministry only: the secretariat's scope is its own bloc years
    year: int | None = None
    kind: str = ""
    user: User | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def viewer_bloc_ids(viewer: User) -> tuple[int, ...] | None:
    """The blocs whose events *viewer* sees: None (every bloc) for the ministry office; for
    the secretariat, the blocs of the years it is (or was) the secretariat of."""
    if viewer.is_ministry_office:
        return None
    # Asked by the scope and both filter lists of one request: read once per user object.
    if not hasattr(viewer, "_audit_bloc_ids"):
        bloc_ids = secretariat_years(viewer).values_list("bloc_id", flat=True)
        viewer._audit_bloc_ids = tuple(sorted(set(bloc_ids)))
    return viewer._audit_bloc_ids


def scope_for(viewer: User, filters: Filters) -> Scope:
    bloc_ids = viewer_bloc_ids(viewer)
    if filters.bloc is not None and (bloc_ids is None or filters.bloc.pk in bloc_ids):
        bloc_ids = (filters.bloc.pk,)
    return Scope(bloc_ids=bloc_ids, year=filters.year)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _source_keys(source: Source, filters: Filters, scope: Scope) -> QuerySet:
    rows = source.rows()
    if not scope.unrestricted:
        rows = source.in_scope(rows, scope)
    if filters.user is not None:
        rows = source.by_user(rows, filters.user)
    if filters.since is not None:
        rows = rows.filter(**{f"{source.date_field}__gte": _start_of(filters.since)})
    if filters.until is not None:
        next_day = _start_of(filters.until + dt.timedelta(days=1))
        rows = rows.filter(**{f"{source.date_field}__lt": next_day})
    return rows.annotate(
        event_id=F(source.id_field),
        event_at=F(source.date_field),
        event_source=Value(source.key, output_field=CharField()),
    ).values_list("event_id", "event_at", "event_source")


def event_keys(*, viewer: User, filters: Filters):
    """``(id, time, source)`` of every event *viewer* may see that matches *filters*, newest
    first: a lazy UNION ALL query (an empty list when no source matches the kind)."""
    scope = scope_for(viewer, filters)
    if scope.bloc_ids == ():
        return []
    parts = [
        _source_keys(source, filters, scope)
        for source in all_sources()
        if not filters.kind or source.kind == filters.kind
    ]
    if not parts:
        return []
    keys = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return keys.order_by("-event_at", "-event_id", "event_source")


def events(keys) -> list[Event]:
    """The events of a page of keys, in the keys' order: one query per source on the page."""
    keys = list(keys)
    by_source: dict[str, list[int]] = {}
    for event_id, _when, source in keys:
        by_source.setdefault(source, []).append(event_id)
    loaded = {}
    for source in all_sources():
        if source.key in by_source:
            for event_id, event in source.load(by_source[source.key]).items():
                loaded[(source.key, event_id)] = event
    # A row deleted since the keys were read is simply left out.
    return [loaded[(s, i)] for i, _when, s in keys if (s, i) in loaded]


def events_for_export(keys) -> Iterator[Event]:
    """Every event of *keys* (at most EXPORT_LIMIT), read in chunks so memory stays flat."""
    for start in range(0, EXPORT_LIMIT, EXPORT_CHUNK):
        chunk = list(keys[start : min(start + EXPORT_CHUNK, EXPORT_LIMIT)])
        yield from events(chunk)
        if len(chunk) < EXPORT_CHUNK:
            return


def filter_years(viewer: User) -> list[int]:
    years = BlocYear.objects.order_by()
    bloc_ids = viewer_bloc_ids(viewer)
    if bloc_ids is not None:
        years = years.filter(bloc_id__in=bloc_ids)
    return sorted(set(years.values_list("year", flat=True)), reverse=True)


def filter_people(viewer: User) -> QuerySet[User]:
    """The people the user filter offers: everyone for the ministry; for the secretariat the
    people of the units of its blocs."""
    people = User.objects.select_related("unit").order_by("full_name", "username")
    if viewer.is_ministry_office:
        return people
    return people.filter(unit__memberships__bloc_id__in=viewer_bloc_ids(viewer)).distinct()
