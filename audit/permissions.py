"""Who may read the audit log: the ministry office (every bloc) and the secretariat (the bloc
years it is the secretariat of). Everyone else gets a 403."""

from __future__ import annotations

import rules

from blocs.models import User
from blocs.permissions import is_ministry_office
from blocs.selectors import secretariat_years


@rules.predicate
def is_any_secretariat(user: User) -> bool:
    return secretariat_years(user).exists()


rules.add_perm("audit.view_log", is_ministry_office | is_any_secretariat)
