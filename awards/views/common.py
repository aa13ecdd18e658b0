"""Object loading for award views: 404 for outsiders, 403 for insiders without the right."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from awards.models import BallotRound
from scoring.views.common import get_bloc_year  # noqa: F401  (the same bloc-year loader)


def get_round(user, pk: int, *, perm: str | None = None) -> BallotRound:
    ballot_round = get_object_or_404(
        BallotRound.objects.select_related("bloc_year__bloc", "award_type"), pk=pk
    )
    if not user.has_perm("awards.view_round", ballot_round):
        raise Http404
    if perm and not user.has_perm(perm, ballot_round):
        raise PermissionDenied
    return ballot_round
