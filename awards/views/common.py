"""Object loading for award views: 404 for outsiders, 403 for insiders without the right."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from awards.models import BallotRound
from scoring.views.common import get_bloc_year  # noqa: F401  (the same bloc-year loader)

PAGE_RELATED = ("bloc_year__bloc", "award_type")
# What the secret ballot and its receipt show and check: the round's own state, its year and
# bloc (the breadcrumb, the membership checks). Every ballot is one GET and one POST of it.
BALLOT_FIELDS = (
    "title",
    "status",
    "mode",
    "max_choices",
    "bloc_year__year",
    "bloc_year__chair",
    "bloc_year__bloc__symbol",
)


def get_round(user, pk: int, *, perm: str | None = None) -> BallotRound:
    """The round, 404 for outsiders, 403 without *perm*."""
    ballot_round = get_object_or_404(BallotRound.objects.select_related(*PAGE_RELATED), pk=pk)
    check_round(user, ballot_round, perm=perm)
    return ballot_round


def check_round(user, ballot_round: BallotRound, *, perm: str | None = None) -> bool:
    """404 unless *user* may see the round, 403 without *perm* on it; True otherwise."""
    if not user.has_perm("awards.view_round", ballot_round):
        raise Http404
    if perm and not user.has_perm(perm, ballot_round):
        raise PermissionDenied
    return True


def round_for_ballot(pk: int) -> BallotRound:
    """The round as the secret ballot and its receipt show and check it (``BALLOT_FIELDS``), for
    anyone: the caller checks the user's right with ``check_round``."""
    rounds = BallotRound.objects.select_related("bloc_year__bloc").only(*BALLOT_FIELDS)
    return get_object_or_404(rounds, pk=pk)
