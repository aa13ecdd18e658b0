"""Who may see and run conferences, register delegates and check people in."""

from __future__ import annotations

import rules

from blocs.permissions import _is_secretariat_of, is_bloc_member


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def can_view_meeting(user, meeting) -> bool:
    return (
        meeting is not None
        and _active(user)
        and (user.is_ministry_office or is_bloc_member(user, meeting.bloc_year.bloc))
    )


@rules.predicate
def can_manage_meeting(user, meeting) -> bool:
    return meeting is not None and _active(user) and _is_secretariat_of(user, meeting.bloc_year)


@rules.predicate
def can_manage_meetings_of(user, bloc_year) -> bool:
    return bloc_year is not None and _active(user) and _is_secretariat_of(user, bloc_year)


@rules.predicate
def can_register(user, meeting) -> bool:
    """A member unit's people register their own unit's delegates."""
    return (
        meeting is not None
        and _active(user)
        and user.unit_id is not None
        and is_bloc_member(user, meeting.bloc_year.bloc)
    )


rules.add_perm("meetings.view_meeting", can_view_meeting)
rules.add_perm("meetings.manage_meeting", can_manage_meeting)
rules.add_perm("meetings.manage_meetings_of", can_manage_meetings_of)
rules.add_perm("meetings.register", can_register)
