"""Who may see and do what in the blocs app: every check in one place (django-rules).

Views ask ``user.has_perm("blocs.<perm>", obj)``. Outsiders get a 404 (they must not learn
that a bloc's internals exist), insiders without the right a 403.
"""

from __future__ import annotations

import contextvars

import rules
from django.core.signals import request_finished, request_started
from django.db.models import Q
from django.db.models.signals import post_save

from blocs.models import Bloc, BlocYear, Membership, MemberUnit, User

# is_bloc_member's answers while one request is served, by (bloc id, unit id): a page asks
# the same question for several permissions (view the round, vote in it, ...). None outside a
# request (tasks, commands, tests calling has_perm), where every question goes to the database;
# every request starts with an empty memo, so a membership changed since is always seen.
_membership_memo: contextvars.ContextVar[dict[tuple[int, int], bool] | None] = (
    contextvars.ContextVar("bloc_membership_memo", default=None)
)


def _memo_begin(**kwargs) -> None:
    _membership_memo.set({})


def _memo_end(**kwargs) -> None:
    _membership_memo.set(None)


def _memo_forget(**kwargs) -> None:
    # A membership saved during the request (membership_add) is seen by the checks after it.
    memo = _membership_memo.get()
    if memo:
        memo.clear()


request_started.connect(_memo_begin, dispatch_uid="blocs.permissions.memo_begin")
request_finished.connect(_memo_end, dispatch_uid="blocs.permissions.memo_end")
post_save.connect(_memo_forget, sender=Membership, dispatch_uid="blocs.permissions.memo_forget")


@rules.predicate
def is_ministry_office(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_ministry_office)


@rules.predicate
def is_unit_person(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.unit_id)


@rules.predicate
def is_bloc_member(user: User, bloc: Bloc) -> bool:
    """The person's unit belongs, or once belonged, to *bloc*."""
    if not (user.is_authenticated and user.is_active and user.unit_id) or bloc is None:
        return False
    memo, key = _membership_memo.get(), (bloc.pk, user.unit_id)
    if memo is not None and key in memo:
        return memo[key]
    member = Membership.objects.filter(bloc=bloc, unit_id=user.unit_id).exists()
    if memo is not None:
        memo[key] = member
    return member


def _is_secretariat_of(user: User, bloc_year: BlocYear) -> bool:
    if not (user.is_authenticated and user.is_active) or bloc_year is None:
        return False
    if user.is_officer and bloc_year.chair_id == user.unit_id:
        return True
    return bloc_year.appointments.filter(user=user).exists()


@rules.predicate
def is_secretariat(user: User, bloc_year: BlocYear) -> bool:
    return _is_secretariat_of(user, bloc_year)


@rules.predicate
def is_bloc_secretariat(user: User, bloc: Bloc) -> bool:
    """Secretariat of any year of *bloc* (used for pages that span the bloc's years)."""
    if not (user.is_authenticated and user.is_active) or bloc is None:
        return False
    condition = Q(appointments__user=user)
    if user.is_officer:
        condition |= Q(chair_id=user.unit_id)
    return BlocYear.objects.filter(condition, bloc=bloc).exists()


@rules.predicate
def shares_bloc_with_unit(user: User, unit: MemberUnit) -> bool:
    if not (user.is_authenticated and user.is_active and user.unit_id) or unit is None:
        return False
    if user.unit_id == unit.pk:
        return True
    my_blocs = Membership.objects.filter(unit_id=user.unit_id).values("bloc_id")
    return Membership.objects.filter(unit=unit, bloc_id__in=my_blocs).exists()


@rules.predicate
def is_own_unit(user: User, unit: MemberUnit) -> bool:
    return bool(user.is_authenticated and unit is not None and user.unit_id == unit.pk)


rules.add_perm("blocs.view_bloc", is_ministry_office | is_bloc_member)
rules.add_perm("blocs.view_bloc_year", is_ministry_office | is_secretariat)
rules.add_perm("blocs.view_unit", is_ministry_office | shares_bloc_with_unit)
rules.add_perm("blocs.view_unit_people", is_ministry_office | is_own_unit)
# The secretariat of a year manages its members' accounts; the ministry office manages all.
rules.add_perm("blocs.manage_people", is_ministry_office | is_secretariat)
rules.add_perm("blocs.manage_blocs", is_ministry_office)
# Everyone's sign-in state: reset a lost authenticator, unlock a lockout (blocs.two_factor_views).
rules.add_perm("blocs.manage_sign_in", is_ministry_office)
