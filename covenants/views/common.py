"""Object loading for covenant and campaign views: 404 for outsiders, 403 for insiders without the right."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from covenants.models import Campaign, Covenant


def get_covenant(user, pk: int, *, perm: str | None = None) -> Covenant:
    covenant = get_object_or_404(
        Covenant.objects.select_related("bloc_year__bloc", "bloc_year__chair", "document"), pk=pk
    )
    if not user.has_perm("covenants.view_covenant", covenant):
        raise Http404
    if perm and not user.has_perm(perm, covenant):
        raise PermissionDenied
    return covenant


def get_campaign(user, pk: int, *, manage: bool = False) -> Campaign:
    campaign = get_object_or_404(
        Campaign.objects.select_related("bloc", "unit", "launch_document"), pk=pk
    )
    if not user.has_perm("covenants.view_campaign", campaign):
        raise Http404
    if manage and not user.has_perm("covenants.manage_campaign", campaign):
        raise PermissionDenied
    return campaign
