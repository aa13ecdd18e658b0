"""Role-matrix rows of the account-security pages (blocs/two_factor_views.py).

Everyone signed in has their own two-factor pages. The matrix signs in with sessions that passed
the second step (tests/conftest.py), so the code page sends them on (302) and the enrolment page
says the account is already enrolled. The sign-in overview, the reset of a lost authenticator and
the unlock are the ministry office's alone (403 for everyone else).
"""

from __future__ import annotations

from tests.conftest import World
from tests.matrix_support import MINISTRY, SIGNED_IN, Entry


def _person(w: World) -> dict:
    return {"user_pk": w.officer.pk}


ENTRIES: dict[str, Entry] = {
    "two_factor": Entry(SIGNED_IN),
    "two_factor_verify": Entry(SIGNED_IN, ok_statuses={302}),
    "two_factor_enrol": Entry(SIGNED_IN),
    "two_factor_recovery": Entry(SIGNED_IN),
    "two_factor_remove": Entry(SIGNED_IN),
    "security_accounts": Entry(MINISTRY),
    "security_account": Entry(MINISTRY, kwargs=_person),
    "security_reset": Entry(
        MINISTRY,
        kwargs=_person,
        method="post",
        data=lambda w: {"reason": "Mất điện thoại"},
        ok_statuses={302},
    ),
    "security_unlock": Entry(MINISTRY, kwargs=_person, method="post", ok_statuses={302}),
}
