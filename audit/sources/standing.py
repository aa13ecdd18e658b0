"""Campaigns launched (phát động phong trào), their phases reviewed (sơ kết), and the bloc's standing documents published (its
regulation, scoring rules, fund regulation, yearly plans: one history row per version).

A unit's own campaign (seed 001) belongs to no bloc, like a unit's own documents: only the
ministry office, unfiltered, sees it.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from audit.sources.base import EventKind, HistorySource
from covenants.models import BlocDocument, Campaign, CampaignPhase


def campaign_place(campaign) -> str:
    """Where a campaign (or its history row) belongs: the bloc and year, or the unit."""
    if campaign.bloc:
        return f"{campaign.bloc.symbol} {campaign.year}"
    return campaign.unit.short_name if campaign.unit else ""


class CampaignSource(HistorySource):
    """A campaign launched by a bloc or a unit (its creation), or deleted."""

    key, kind, model = "campaign", EventKind.CAMPAIGN, Campaign
    related = ("bloc", "unit")

    def events(self, rows):
        return rows.filter(history_type__in=["+", "-"])

    def in_scope(self, rows, scope):
        if scope.bloc_ids is not None:
            rows = rows.filter(bloc_id__in=scope.bloc_ids)
        if scope.year is not None:
            rows = rows.filter(year=scope.year)
        return rows

    def event(self, record, context):
        unit = record.unit.full_name if record.unit else "?"
        owner = record.bloc.name if record.bloc else unit
        values = {
            "title": record.title,
            "owner": owner,
            "start": record.starts_on.strftime("%d/%m/%Y"),
            "end": record.ends_on.strftime("%d/%m/%Y"),
        }
        if record.history_type == "-":
            text = _("Xóa phong trào thi đua «%(title)s» của %(owner)s")
        else:
            text = _("%(owner)s phát động phong trào thi đua «%(title)s» (%(start)s – %(end)s)")
        event = self.base_event(
            record,
            text % values,
            url=reverse("campaign_detail", kwargs={"pk": record.id}),
            place=campaign_place(record),
        )
        if event.reason == "Phát động phong trào":
            event.reason = ""  # the text says it already
        return event


class CampaignPhaseSource(HistorySource):
    """A campaign phase's mid-term review (sơ kết) recorded or changed."""

    key, kind, model = "campaign_phase", EventKind.CAMPAIGN, CampaignPhase
    watched = ("reviewed_on", "review")
    related = ("campaign__bloc", "campaign__unit")

    def events(self, rows):
        return rows.filter(reviewed_on__isnull=False)

    def in_scope(self, rows, scope):
        if scope.bloc_ids is not None:
            rows = rows.filter(campaign__bloc_id__in=scope.bloc_ids)
        if scope.year is not None:
            rows = rows.filter(campaign__year=scope.year)
        return rows

    def event(self, record, context):
        campaign = record.campaign
        text = _("Sơ kết đợt %(n)s của phong trào thi đua «%(title)s» (ngày %(d)s)") % {
            "n": record.number,
            "title": campaign.title,
            "d": record.reviewed_on.strftime("%d/%m/%Y"),
        }
        return self.base_event(
            record,
            text,
            url=reverse("campaign_detail", kwargs={"pk": campaign.pk}),
            place=campaign_place(campaign),
        )


class BlocDocumentSource(HistorySource):
    """A version of a standing document published (each version is a new row, never edited).

    Its year, for the year filter and the place, is the year it applies from."""

    key, kind, model = "bloc_document", EventKind.DOCUMENT, BlocDocument
    shown = ("decision", "valid_from_year")
    related = ("bloc",)

    def events(self, rows):
        return rows.filter(history_type__in=["+", "-"])

    def in_scope(self, rows, scope):
        if scope.bloc_ids is not None:
            rows = rows.filter(bloc_id__in=scope.bloc_ids)
        if scope.year is not None:
            rows = rows.filter(valid_from_year=scope.year)
        return rows

    def changes(self, record):
        return super().changes(record) if record.history_type == "+" else []

    def event(self, record, context):
        values = {
            "kind": record.get_kind_display(),
            "version": record.version,
            "title": record.title,
            "bloc": record.bloc.symbol if record.bloc else "?",
        }
        if record.history_type == "-":
            text = _("Xóa %(kind)s phiên bản %(version)s của %(bloc)s: %(title)s")
        else:
            text = _("Công bố %(kind)s phiên bản %(version)s của %(bloc)s: %(title)s")
        event = self.base_event(
            record,
            text % values,
            url=reverse("bloc_document_detail", kwargs={"pk": record.id}),
            place=f"{record.bloc.symbol} {record.valid_from_year}" if record.bloc else "",
        )
        if event.reason.startswith("Ban hành phiên bản"):
            event.reason = ""  # the text says it already
        return event
