"""Object loading for meeting views: 404 for outsiders, 403 for insiders without the right."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from meetings.models import Meeting
from scoring.views.common import get_bloc_year  # noqa: F401  (the same bloc-year loader)

PAGE_RELATED = ("bloc_year__bloc", "bloc_year__chair", "bloc_year__vice", "host_unit")
# What the permission checks and the desk's counts read of a meeting: its year (the chair, the
# year itself) and the bloc.
SCAN_FIELDS = ("bloc_year__year", "bloc_year__chair", "bloc_year__bloc__id")


def get_meeting(
    user,
    pk: int,
    *,
    perm: str | None = None,
    related: tuple[str, ...] = PAGE_RELATED,
    fields: tuple[str, ...] = (),
) -> Meeting:
    """The meeting, 404 for outsiders, 403 without *perm*; *related* and *fields*: what the
    view shows (the check-in desk, answering a scan many times a second, needs only the bloc
    and ``SCAN_FIELDS``)."""
    meetings = Meeting.objects.select_related(*related)
    if fields:
        meetings = meetings.only(*fields)
    meeting = get_object_or_404(meetings, pk=pk)
    if not user.has_perm("meetings.view_meeting", meeting):
        raise Http404
    if perm and not user.has_perm(perm, meeting):
        raise PermissionDenied
    return meeting
