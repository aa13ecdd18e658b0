"""Reads of the covenants app."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from blocs.models import Bloc, BlocYear, MemberUnit, User
from blocs.selectors import bloc_members
from covenants.models import BlocDocument, Campaign, Covenant, Signature


def covenants_of(*, bloc_year: BlocYear) -> QuerySet[Covenant]:
    return (
        Covenant.objects.filter(bloc_year=bloc_year).select_related("document").order_by("-version")
    )


def current_covenant(*, bloc_year: BlocYear) -> Covenant | None:
    return covenants_of(bloc_year=bloc_year).exclude(status=Covenant.Status.SUPERSEDED).first()


@dataclass
class Tally:
    signed: int
    total: int
    rows: list[tuple[MemberUnit, Signature | None]]

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.total) if self.total else 0


def signature_tally(*, covenant: Covenant) -> Tally:
    """Every member unit of the year with its signature (or None), in Vietnamese order: 2 queries."""
    units = list(bloc_members(bloc=covenant.bloc_year.bloc, year=covenant.bloc_year.year))
    signatures = {
        s.unit_id: s for s in Signature.objects.filter(covenant=covenant).select_related("signer")
    }
    rows = [(unit, signatures.get(unit.pk)) for unit in units]
    return Tally(signed=sum(1 for _, s in rows if s), total=len(rows), rows=rows)


def unit_signature(*, covenant: Covenant, unit_id: int | None) -> Signature | None:
    if unit_id is None:
        return None
    return Signature.objects.filter(covenant=covenant, unit_id=unit_id).first()


def campaigns_visible_to(user: User, *, bloc: Bloc | None = None) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("bloc", "unit").prefetch_related("phases")
    if bloc is not None:
        return campaigns.filter(bloc=bloc)
    if user.is_ministry_office:
        return campaigns
    from blocs.selectors import blocs_visible_to

    own = campaigns.filter(unit_id=user.unit_id) if user.unit_id else campaigns.none()
    return (campaigns.filter(bloc__in=blocs_visible_to(user)) | own).distinct()


def bloc_documents(*, bloc: Bloc) -> QuerySet[BlocDocument]:
    return BlocDocument.objects.filter(bloc=bloc).order_by("kind", "-version")


def regulation_for(*, bloc: Bloc, year: int) -> BlocDocument | None:
    """The bloc's regulation version in force for emulation *year* (its rule parameters)."""
    return (
        BlocDocument.objects.filter(
            bloc=bloc, kind=BlocDocument.Kind.REGULATION, valid_from_year__lte=year
        )
        .order_by("-valid_from_year", "-version")
        .first()
    )
