"""Shared pieces of the role matrix: each app's entries live in tests/<app>/matrix*.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import ROLES, World

EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anon"}
MINISTRY = {"ministry"}
SECRETARIAT = {"ministry", "secretariat"}
BLOC_A = {"ministry", "secretariat", "officer", "leader"}


@dataclass
class Entry:
    allowed: set[str]
    kwargs: Callable[[World], dict] = lambda w: {}
    method: str = "get"
    data: Callable[[World], dict] = lambda w: {}
    # Some pages answer the allowed roles with a redirect (a POST action, a language switch).
    ok_statuses: set[int] = field(default_factory=lambda: {200})


