"""Who may see and do what in scoring: every check of the app in one place."""

from __future__ import annotations

import rules

from blocs.permissions import _is_secretariat_of, is_bloc_member, is_ministry_office


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def can_view_round(user, bloc_year) -> bool:
    return (
        _active(user)
        and bloc_year is not None
        and (user.is_ministry_office or is_bloc_member(user, bloc_year.bloc))
    )


@rules.predicate
def is_round_secretariat(user, bloc_year) -> bool:
    return _active(user) and _is_secretariat_of(user, bloc_year)


@rules.predicate
def can_view_sheet(user, sheet) -> bool:
    if not _active(user) or sheet is None:
        return False
    if user.is_ministry_office or user.unit_id == sheet.unit_id:
        return True
    if _is_secretariat_of(user, sheet.round.bloc_year):
        return True
    assignment = getattr(sheet, "peer_assignment", None)
    return assignment is not None and user.unit_id == assignment.reviewer_id


@rules.predicate
def can_edit_sheet(user, sheet) -> bool:
    return _active(user) and sheet is not None and user.is_officer and user.unit_id == sheet.unit_id


@rules.predicate
def can_confirm_sheet(user, sheet) -> bool:
    return _active(user) and sheet is not None and user.is_leader and user.unit_id == sheet.unit_id


@rules.predicate
def can_verify_sheet(user, sheet) -> bool:
    """The secretariat or the assigned peer unit, and never for one's own unit's sheet."""
    if not _active(user) or sheet is None or user.unit_id == sheet.unit_id:
        return False
    if _is_secretariat_of(user, sheet.round.bloc_year):
        return True
    assignment = getattr(sheet, "peer_assignment", None)
    return (
        assignment is not None
        and user.unit_id == assignment.reviewer_id
        and user.unit_id is not None
    )


@rules.predicate
def can_reply_sheet(user, sheet) -> bool:
    return _active(user) and sheet is not None and user.unit_id == sheet.unit_id


@rules.predicate
def can_view_summary(user, bloc_year) -> bool:
    """The secretariat and the ministry always; members once the results are published."""
    if not _active(user) or bloc_year is None:
        return False
    if user.is_ministry_office or _is_secretariat_of(user, bloc_year):
        return True
    scoring_round = getattr(bloc_year, "scoring_round", None)
    published = scoring_round is not None and scoring_round.status == "published"
    return published and is_bloc_member(user, bloc_year.bloc)


rules.add_perm("scoring.view_round", can_view_round)
rules.add_perm("scoring.manage_round", is_round_secretariat)
rules.add_perm("scoring.view_sheet", can_view_sheet)
rules.add_perm("scoring.edit_sheet", can_edit_sheet)
rules.add_perm("scoring.confirm_sheet", can_confirm_sheet)
rules.add_perm("scoring.verify_sheet", can_verify_sheet)
rules.add_perm("scoring.reply_sheet", can_reply_sheet)
rules.add_perm("scoring.view_summary", can_view_summary)
rules.add_perm("scoring.view_audit", is_ministry_office | is_round_secretariat)
