"""Login throttling (django-axes): the client address it counts, the state the ministry office
sees, and the unlock it performs.

Failures are counted per user name *and* address (settings.AXES_LOCKOUT_PARAMETERS): wrong
passwords on the login page, on the covenant-signing tablet, and wrong second-step codes
(blocs.two_factor records those as failed logins too).
"""

from __future__ import annotations

import ipaddress

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from blocs.models import User


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address failures are counted for (settings.AXES_CLIENT_IP_CALLABLE).

    Behind the TLS proxy (BEHIND_TLS_PROXY) every connection comes from the proxy, which appends
    the address it saw to X-Forwarded-For: the right-most entry is the one a client cannot
    forge. Without the proxy the header is ignored, since anyone could send it.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            found = _valid_ip(forwarded.split(",")[-1])
            if found:
                return found
    return _valid_ip(request.META.get("REMOTE_ADDR", "") or "")


def locked_attempts(*, user: User):
    """The user's attempt records (one per address) that are locking them out now."""
    return _open_locks().filter(username=user.get_username()).order_by("-attempt_time")


def failure_count(*, user: User) -> int:
    """Failed attempts still on record for the user, over every address."""
    total = AccessAttempt.objects.filter(username=user.get_username()).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


def is_locked_out(request: HttpRequest, *, username: str) -> bool:
    """Whether *username* may not sign in from this request's address right now."""
    return AxesProxyHandler.is_locked(request, {"username": username})


@transaction.atomic
def account_unlock(*, person: User, by: User) -> int:
    """Forget the failed sign-ins of *person* from every address, ending a lockout before its
    cool-off; recorded in the person's history. Returns the number of records removed."""
    from blocs.two_factor import record_account_event

    count, _ = AccessAttempt.objects.filter(username=person.get_username()).delete()
    record_account_event(person=person, by=by, reason="Mở khóa đăng nhập (quá số lần sai)")
    return count


def sign_in_completed(request: HttpRequest, *, user: User) -> None:
    """Both steps passed (or the only one, for an account without a second factor): forget the
    failures of this user name from this address. Not on the password alone, or a guesser who
    knows the password could reset the count between guesses of the code."""
    AxesProxyHandler.reset_attempts(ip_address=client_ip(request), username=user.get_username())


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (settings.AXES_LOCKOUT_CALLABLE): 429 Too Many
    Requests, in Vietnamese, with when to try again and who can unlock earlier."""
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "registration/lockout.html", context, status=429)


def _open_locks():
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def locked_usernames():
    """User names locked out right now from at least one address (a subquery)."""
    return _open_locks().values("username")


def recent_sign_ins(*, user: User, limit: int = 10):
    """The user's latest successful sign-ins (django-axes' access log)."""
    return AccessLog.objects.filter(username=user.get_username()).order_by("-attempt_time")[:limit]
