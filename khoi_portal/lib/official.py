"""Official documents are Vietnamese, whatever language the person reading the portal chose.

Decree 30 documents (invitations, minutes, submissions, the summary table, the covenant) are
legal texts: the interface may be in English, but a document rendered, or a snapshot frozen
into one, while a request is in English must still say "Đã ký", not "Signed". Every renderer
and every builder of frozen document data runs inside :func:`in_official_language`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from django.utils import dateformat, timezone, translation

from khoi_portal.lib.vietnamese import date_long, two_digits

OFFICIAL_LANGUAGE = "vi"


def in_official_language[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run *func* with Vietnamese active (a fresh ``translation.override`` per call: one
    shared instance, as ``@translation.override("vi")`` makes, keeps the previous language on
    itself and is not safe across threads)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(OFFICIAL_LANGUAGE):
            return func(*args, **kwargs)

    return wrapper


# --- dates on the interface (not in documents) -----------------------------------------------
# Documents write "ngày 15 tháng 01 năm 2021" whatever the reader's language (Decree 30); the
# interface writes dates in the reader's language: the Vietnamese form, or "15 January 2021".


def interface_date_long(day: dt.date) -> str:
    if translation.get_language() == OFFICIAL_LANGUAGE:
        return date_long(day)
    return dateformat.format(day, "j F Y")


def interface_moment(moment: dt.datetime) -> str:
    """ "17 giờ 00, ngày 15 tháng 12 năm 2021", or "17:00, 15 December 2021" (local time)."""
    local = timezone.localtime(moment)
    if translation.get_language() == OFFICIAL_LANGUAGE:
        return f"{two_digits(local.hour)} giờ {two_digits(local.minute)}, {date_long(local.date())}"
    return dateformat.format(local, "H:i, j F Y")
