"""Object loading for every scoring view: 404 for outsiders, 403 for insiders without the right."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from blocs.models import BlocYear
from scoring.models import Entry, Evidence, Sheet


def get_bloc_year(user, bloc_pk: int, year: int, *, perm: str | None = None) -> BlocYear:
    """The bloc year if the user may see the bloc (else 404); *perm* on it or 403.

    One query for the bloc and its year: a bloc that does not exist, one the user may not see
    and a year the bloc does not have are the same 404."""
    try:
        bloc_year = BlocYear.objects.select_related("bloc", "chair", "vice").get(
            bloc_id=bloc_pk, year=year
        )
    except BlocYear.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("blocs.view_bloc", bloc_year.bloc):
        raise Http404
    if perm and not user.has_perm(perm, bloc_year):
        raise PermissionDenied
    return bloc_year


PAGE_RELATED = ("unit", "round__bloc_year__bloc", "round__scale", "peer_assignment")


def get_sheet(
    user, pk: int, *, perm: str | None = None, related: tuple[str, ...] = PAGE_RELATED
) -> Sheet:
    """The sheet, 404 for outsiders, 403 without *perm*; *related*: what the view shows (a
    save reads only the round; a check the sheet's own unit does not pass loads the rest)."""
    sheet = get_object_or_404(Sheet.objects.select_related(*related), pk=pk)
    check_sheet(user, sheet, perm=perm)
    return sheet


def check_sheet(user, sheet: Sheet, *, perm: str | None = None) -> None:
    """get_sheet's check of a sheet already loaded: Http404 for outsiders, PermissionDenied
    for insiders without *perm* (a save runs it on the sheet its write has locked)."""
    if not user.has_perm("scoring.view_sheet", sheet):
        raise Http404
    if perm and not user.has_perm(perm, sheet):
        raise PermissionDenied


def get_entry(user, pk: int, *, perm: str | None = None) -> Entry:
    entry = get_object_or_404(Entry.objects.select_related("criterion", "sheet"), pk=pk)
    get_sheet(user, entry.sheet_id, perm=perm)
    return entry


def get_evidence(user, pk: int, *, perm: str | None = None) -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("entry__sheet"), pk=pk)
    get_sheet(user, evidence.entry.sheet_id, perm=perm)
    return evidence
