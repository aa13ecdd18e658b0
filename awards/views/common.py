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


def get_round(
    user,
    pk: int,
    *,
    perm: str | None = None,
    related: tuple[str, ...] = PAGE_RELATED,
    fields: tuple[str, ...] = (),
) -> BallotRound:
    """The round, 404 for outsiders, 403 without *perm*; *related* and *fields*: what the view
    shows (the ballot, loaded twice per vote, only what it uses: ``BALLOT_FIELDS``)."""
    rounds = BallotRound.objects.select_related(*related)
    if fields:
        rounds = rounds.only(*fields)
    ballot_round = get_object_or_404(rounds, pk=pk)
    if not user.has_perm("awards.view_round", ballot_round):
        raise Http404
    if perm and not user.has_perm(perm, ballot_round):
        raise PermissionDenied
    return ballot_round
