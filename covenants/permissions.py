"""Who may see, edit, comment on and sign covenants; who runs campaigns. One place."""

from __future__ import annotations

import rules

from blocs.permissions import (
    _is_secretariat_of,
    is_bloc_member,
    is_bloc_secretariat,
    is_ministry_office,
)


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def can_view_covenant(user, covenant) -> bool:
    if not _active(user) or covenant is None:
        return False
    if user.is_ministry_office or _is_secretariat_of(user, covenant.bloc_year):
        return True
    return covenant.status != "draft" and is_bloc_member(user, covenant.bloc_year.bloc)


@rules.predicate
def can_manage_covenant(user, covenant) -> bool:
    return _active(user) and covenant is not None and _is_secretariat_of(user, covenant.bloc_year)


@rules.predicate
def can_manage_covenants_of(user, bloc_year) -> bool:
    return _active(user) and bloc_year is not None and _is_secretariat_of(user, bloc_year)


@rules.predicate
def can_sign_covenant(user, covenant) -> bool:
    """A leader of a member unit of the covenant's year (membership checked by the service)."""
    return (
        _active(user)
        and covenant is not None
        and user.is_leader
        and is_bloc_member(user, covenant.bloc_year.bloc)
    )


@rules.predicate
def can_comment_covenant(user, covenant) -> bool:
    return (
        _active(user)
        and covenant is not None
        and user.unit_id is not None
        and covenant.status == "consulting"
        and is_bloc_member(user, covenant.bloc_year.bloc)
    )


@rules.predicate
def can_upload_covenant_signature(user, covenant) -> bool:
    """An officer or leader of a unit that is a member in the covenant's year."""
    from blocs.selectors import bloc_members

    return (
        _active(user)
        and covenant is not None
        and bool(user.unit_role)
        and user.unit_id is not None
        and bloc_members(bloc=covenant.bloc_year.bloc, year=covenant.bloc_year.year)
        .filter(pk=user.unit_id)
        .exists()
    )


@rules.predicate
def can_view_campaign(user, campaign) -> bool:
    if not _active(user) or campaign is None:
        return False
    if user.is_ministry_office:
        return True
    if campaign.bloc_id is not None:
        return is_bloc_member(user, campaign.bloc) or is_bloc_secretariat(user, campaign.bloc)
    return user.unit_id == campaign.unit_id


@rules.predicate
def can_manage_campaign(user, campaign) -> bool:
    if not _active(user) or campaign is None:
        return False
    if campaign.bloc_id is not None:
        return is_bloc_secretariat(user, campaign.bloc)
    return user.unit_id == campaign.unit_id and user.unit_id is not None


rules.add_perm("covenants.view_covenant", can_view_covenant)
rules.add_perm("covenants.manage_covenant", can_manage_covenant)
rules.add_perm("covenants.manage_covenants_of", can_manage_covenants_of)
rules.add_perm("covenants.sign_covenant", can_sign_covenant)
rules.add_perm("covenants.comment_covenant", can_comment_covenant)
rules.add_perm("covenants.upload_signature", can_upload_covenant_signature)
rules.add_perm("covenants.view_campaign", can_view_campaign)
rules.add_perm("covenants.manage_campaign", can_manage_campaign)
rules.add_perm("covenants.manage_bloc_documents", is_bloc_secretariat)
rules.add_perm(
    "covenants.view_bloc_documents", is_ministry_office | is_bloc_member | is_bloc_secretariat
)
