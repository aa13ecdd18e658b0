"""Who may see and change documents: every check of the documents app, in one place."""

from __future__ import annotations

import rules

from blocs.permissions import is_bloc_member, is_bloc_secretariat, is_ministry_office


@rules.predicate
def can_view_document(user, document) -> bool:
    if document is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_ministry_office:
        return True
    if document.bloc_id is not None:
        if is_bloc_secretariat(user, document.bloc):
            return True
        return not document.is_draft and is_bloc_member(user, document.bloc)
    return user.unit_id == document.unit_id


@rules.predicate
def can_manage_document(user, document) -> bool:
    if document is None or not user.is_authenticated or not user.is_active:
        return False
    if document.bloc_id is not None:
        return is_bloc_secretariat(user, document.bloc)
    return user.unit_id == document.unit_id


rules.add_perm("documents.view_document", can_view_document)
rules.add_perm("documents.manage_document", can_manage_document)
rules.add_perm("documents.view_register", is_ministry_office | is_bloc_member)
rules.add_perm("documents.manage_register", is_bloc_secretariat)
