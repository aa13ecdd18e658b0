"""Who may see and do what in awards: every check of the app in one place."""

from __future__ import annotations

import rules

from blocs.permissions import _is_secretariat_of, is_bloc_member


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def can_view_awards(user, bloc_year) -> bool:
    return (
        _active(user)
        and bloc_year is not None
        and (user.is_ministry_office or is_bloc_member(user, bloc_year.bloc))
    )


@rules.predicate
def can_manage_awards(user, bloc_year) -> bool:
    return _active(user) and bloc_year is not None and _is_secretariat_of(user, bloc_year)


@rules.predicate
def can_nominate(user, bloc_year) -> bool:
    """A member unit's people nominate exemplary individuals and collectives of their unit."""
    return (
        _active(user)
        and bloc_year is not None
        and user.unit_id is not None
        and is_bloc_member(user, bloc_year.bloc)
    )


@rules.predicate
def can_view_round(user, ballot_round) -> bool:
    return ballot_round is not None and can_view_awards(user, ballot_round.bloc_year)


@rules.predicate
def can_manage_round(user, ballot_round) -> bool:
    return ballot_round is not None and can_manage_awards(user, ballot_round.bloc_year)


@rules.predicate
def can_vote(user, ballot_round) -> bool:
    """A member unit's leader, or the delegate a leader named for the round or its year."""
    from awards.selectors import is_delegate

    return (
        ballot_round is not None
        and _active(user)
        and is_bloc_member(user, ballot_round.bloc_year.bloc)
        and (user.is_leader or is_delegate(user=user, ballot_round=ballot_round))
    )


@rules.predicate
def can_name_delegate(user, bloc_year) -> bool:
    """A leader of a unit that is a member of the bloc in that year names the unit's delegate."""
    from blocs.selectors import bloc_members

    return (
        _active(user)
        and bloc_year is not None
        and user.is_leader
        and bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).filter(pk=user.unit_id).exists()
    )


@rules.predicate
def can_revoke_delegate(user, delegation) -> bool:
    return (
        _active(user)
        and delegation is not None
        and user.is_leader
        and user.unit_id == delegation.unit_id
    )


@rules.predicate
def can_view_delegation(user, delegation) -> bool:
    return delegation is not None and can_view_awards(user, delegation.bloc_year)


@rules.predicate
def is_ministry(user) -> bool:
    return _active(user) and user.is_ministry_office


rules.add_perm("awards.view_awards", can_view_awards)
rules.add_perm("awards.manage_awards", can_manage_awards)
rules.add_perm("awards.nominate", can_nominate)
rules.add_perm("awards.view_round", can_view_round)
rules.add_perm("awards.manage_round", can_manage_round)
rules.add_perm("awards.vote", can_vote)
rules.add_perm("awards.name_delegate", can_name_delegate)
rules.add_perm("awards.view_delegation", can_view_delegation)
rules.add_perm("awards.revoke_delegate", can_revoke_delegate)
# Who votes for each unit: the secretariat that runs the rounds, and the ministry office.
rules.add_perm("awards.view_voters", can_manage_awards | is_ministry)
rules.add_perm("awards.ministry_overview", is_ministry)
