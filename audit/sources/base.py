"""The pieces every source shares: the event, the scope, the history helpers, the base classes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blocs.models import BlocYear, Membership, User
from scoring.models import Entry


class EventKind(models.TextChoices):
    SCORE = "diem", gettext_lazy("Chấm điểm")
    SIGNATURE = "giao-uoc", gettext_lazy("Ký giao ước")
    BALLOT = "bo-phieu", gettext_lazy("Bỏ phiếu")
    DOCUMENT = "van-ban", gettext_lazy("Văn bản")
    CAMPAIGN = "phong-trao", gettext_lazy("Phong trào thi đua")
    ROLE = "phan-quyen", gettext_lazy("Phân quyền")
    LOGIN = "dang-nhap", gettext_lazy("Đăng nhập")


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Event:
    when: dt.datetime
    who: str
    kind: str
    text: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""
    url: str = ""
    place: str = ""  # "KTĐA 2022", or the unit of the person who signed in

    @property
    def kind_label(self) -> str:
        return str(EventKind(self.kind).label)


# --- helpers ---------------------------------------------------------------------------------

# Reasons the services give every time: repeating them after the description says nothing.
ROUTINE_REASONS = {"Tự chấm điểm", "Thẩm định điểm", "Đơn vị giải trình"}


def who(user) -> str:
    return (user.get_full_name() or user.username) if user else _("Hệ thống")


def points(value: Decimal | None) -> str:
    """8.50 → "8,5"; 9.00 → "9" (Vietnamese decimal comma, no trailing zeros)."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def shown(model, name: str, value) -> str:
    """A field's value as the portal prints it."""
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Decimal):
        return points(value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "d/m/Y")
    text = str(value)
    return text if len(text) <= 160 else text[:159] + "…"


def label(model, name: str) -> str:
    verbose = str(model._meta.get_field(name).verbose_name)
    return verbose[:1].upper() + verbose[1:]


def with_previous(rows: QuerySet, names) -> QuerySet:
    """Annotate ``prev_<name>``: the value in the same object's previous history row (history
    ids only grow within a table)."""
    history = rows.model
    return rows.annotate(
        **{
            f"prev_{name}": Subquery(
                history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
                .order_by("-history_id")
                .values(name)[:1]
            )
            for name in names
        }
    )


def differs(history, name: str) -> Q:
    """The row's *name* differs from the previous row's (``prev_<name>`` annotated), a missing
    previous row counting as empty. NULL-safe, which plain ``!=`` in SQL is not."""
    prev = f"prev_{name}"
    filled = Q(**{f"{name}__isnull": False})
    if isinstance(history._meta.get_field(name), models.CharField | models.TextField):
        filled &= ~Q(**{name: ""})
    return (
        (Q(**{f"{prev}__isnull": True}) & filled)
        | (Q(**{f"{prev}__isnull": False}) & Q(**{f"{name}__isnull": True}))
        | (
            Q(**{f"{prev}__isnull": False})
            & Q(**{f"{name}__isnull": False})
            & ~Q(**{name: F(prev)})
        )
    )


@dataclass(frozen=True)
class Scope:
    """Which events a query may return: those of *bloc_ids* (None: every bloc, and what belongs
    to no bloc) in *year* (None: every year). The year of an event tied to a bloc year is that
    year; of any other event (a login, an account change) the calendar year it happened in."""

    bloc_ids: tuple[int, ...] | None = None
    year: int | None = None

    @property
    def unrestricted(self) -> bool:
        return self.bloc_ids is None and self.year is None

    def bloc_years(self) -> QuerySet:
        years = BlocYear.objects.order_by()
        if self.bloc_ids is not None:
            years = years.filter(bloc_id__in=self.bloc_ids)
        if self.year is not None:
            years = years.filter(year=self.year)
        return years.values("pk")


def in_bloc_at_the_time(rows: QuerySet, scope: Scope, date_field: str, unit: Q) -> QuerySet:
    """Rows of an event not tied to a bloc year (a login, an account change): in the scope's
    year, and, when the scope names blocs, by a person whose unit was a member of one of them
    in the year of the event. *unit* relates a Membership to the row by OuterRef."""
    rows = rows.annotate(event_year=ExtractYear(date_field))
    if scope.year is not None:
        rows = rows.filter(event_year=scope.year)
    if scope.bloc_ids is None:
        return rows
    memberships = Membership.objects.filter(
        Q(bloc_id__in=scope.bloc_ids, from_year__lte=OuterRef("event_year"))
        & (Q(until_year__isnull=True) | Q(until_year__gte=OuterRef("event_year")))
        & unit
    )
    return rows.filter(Exists(memberships))


def bloc_place(bloc_year) -> str:
    return f"{bloc_year.bloc.symbol} {bloc_year.year}" if bloc_year else ""


# --- sources ---------------------------------------------------------------------------------


class Source:
    """A table of events. Subclasses say which rows are events and how to describe them."""

    key: str
    kind: str
    id_field = "history_id"
    date_field = "history_date"

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def in_scope(self, rows: QuerySet, scope: Scope) -> QuerySet:
        raise NotImplementedError

    def by_user(self, rows: QuerySet, user: User) -> QuerySet:
        return rows.filter(history_user_id=user.pk)

    def load(self, ids: list[int]) -> dict[int, Event]:
        raise NotImplementedError


class HistorySource(Source):
    model: type[models.Model]
    watched: tuple[str, ...] = ()  # a row is an event when one of these changed; () = every row
    shown: tuple[str, ...] = ()  # fields printed old → new
    related: tuple[str, ...] = ()

    @property
    def history(self):
        return self.model.history.model

    def rows(self) -> QuerySet:
        rows = self.history.objects.order_by()
        if self.watched:
            rows = with_previous(rows, self.watched)
            changed = Q(history_type="-")
            for name in self.watched:
                changed |= differs(self.history, name)
            rows = rows.filter(changed)
        return self.events(rows)

    def events(self, rows: QuerySet) -> QuerySet:
        return rows

    def load(self, ids: list[int]) -> dict[int, Event]:
        names = tuple(dict.fromkeys(self.watched + self.shown))
        records = list(
            with_previous(
                self.history.objects.filter(history_id__in=ids).select_related(
                    "history_user", *self.related
                ),
                names,
            ).annotate(alive=Exists(self.model.objects.filter(pk=OuterRef("id"))))
        )
        context = self.prepare(records)
        return {r.history_id: self.event(r, context) for r in records}

    def prepare(self, records: list) -> dict:
        """Whatever the page's rows need beyond their own joins (one query at most)."""
        return {}

    def changes(self, record) -> list[Change]:
        result = []
        for name in self.shown:
            old, new = getattr(record, f"prev_{name}"), getattr(record, name)
            if record.history_type == "-":
                old, new = new, None
            elif record.history_type == "+":
                old = None
            if old != new and not (old in (None, "") and new in (None, "")):
                result.append(
                    Change(
                        label(self.history, name),
                        shown(self.history, name, old),
                        shown(self.history, name, new),
                    )
                )
        return result

    def base_event(self, record, text: str, *, url: str = "", place: str = "") -> Event:
        return Event(
            when=record.history_date,
            who=who(record.history_user),
            kind=self.kind,
            text=text,
            changes=self.changes(record),
            reason=record.history_change_reason or "",
            url=url if record.alive or self.model is Entry else "",
            place=place,
        )

    def event(self, record, context: dict) -> Event:
        raise NotImplementedError
