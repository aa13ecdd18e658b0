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


def drain(response) -> bytes:
    """Read a test-client response to its end. A streamed file is then closed by the test
    client's own wrapper, which keeps Django's close_old_connections out of it; calling
    ``response.close()`` ourselves would send request_finished and, on PostgreSQL, close the
    test's connection in the middle of its transaction."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
