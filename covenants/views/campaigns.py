"""Campaigns (phong trào thi đua) with their phases and reviews; the bloc's standing documents.

Campaigns load through views/common.get_campaign (404 for outsiders, 403 for those who see
but may not manage); bloc documents through get_bloc_for_user and the covenants rules.
Every write is one service call; templates get booleans.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs.models import Bloc, MemberUnit
from blocs.selectors import secretariat_years
from blocs.views import get_bloc_for_user
from covenants import selectors, services
from covenants.campaign_documents import campaign_launch_draft, regulation_rules
from covenants.forms_campaigns import (
    BlocDocumentForm,
    CampaignForm,
    LaunchForm,
    PhaseEditForm,
    PhaseFormSet,
    PhaseReviewForm,
)
from covenants.models import BlocDocument, Campaign, CampaignPhase
from covenants.views.common import get_campaign
from khoi_portal.lib.vietnamese import date_short, sorted_vi

# --- where a campaign stands today ------------------------------------------------------------


@dataclass
class Period:
    """A campaign's or phase's period seen from *today*: state and elapsed days."""

    starts_on: dt.date
    ends_on: dt.date
    today: dt.date

    @property
    def total_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def elapsed_days(self) -> int:
        return min(max((self.today - self.starts_on).days + 1, 0), self.total_days)

    @property
    def state(self) -> str:
        if self.today < self.starts_on:
            return "upcoming"
        return "ended" if self.today > self.ends_on else "running"

    @property
    def state_label(self) -> str:
        return {
            "upcoming": _("Sắp diễn ra"),
            "running": _("Đang diễn ra"),
            "ended": _("Đã kết thúc"),
        }[self.state]

    @property
    def text(self) -> str:
        return f"{date_short(self.starts_on)} – {date_short(self.ends_on)}"


@dataclass
class PhaseRow:
    phase: CampaignPhase
    period: Period


@dataclass
class CampaignRow:
    campaign: Campaign
    period: Period
    current: CampaignPhase | None  # the phase under way, else the next one


def _campaign_row(campaign: Campaign, today: dt.date) -> CampaignRow:
    phases = sorted(campaign.phases.all(), key=lambda p: p.number)  # prefetched by the selector
    current = next((p for p in phases if p.starts_on <= today <= p.ends_on), None) or next(
        (p for p in phases if p.starts_on > today), None
    )
    return CampaignRow(campaign, Period(campaign.starts_on, campaign.ends_on, today), current)


def _owner_choices(user) -> list[tuple[str, str]]:
    """Who *user* may launch a campaign for: the blocs whose secretariat they are, their unit."""
    blocs = {by.bloc_id: by.bloc for by in secretariat_years(user)}
    choices = [
        (f"khoi-{bloc.pk}", f"{bloc.name} ({bloc.symbol})")
        for bloc in sorted_vi(blocs.values(), key=lambda b: b.name)
    ]
    if user.unit_id:
        choices.append((f"don-vi-{user.unit_id}", f"{user.unit.full_name} ({_('nội bộ đơn vị')})"))
    return choices


def _owner(value: str) -> dict:
    kind, _sep, pk = value.rpartition("-")
    if kind == "khoi":
        return {"bloc": get_object_or_404(Bloc, pk=int(pk))}
    return {"unit": get_object_or_404(MemberUnit, pk=int(pk))}


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- campaigns --------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaigns_visible_to(request.user)
    years = sorted(set(campaigns.values_list("year", flat=True)), reverse=True)
    raw = request.GET.get("nam", "")
    year = int(raw) if raw.isdigit() else None
    if year is not None:
        campaigns = campaigns.filter(year=year)
    today = timezone.localdate()
    rows = [_campaign_row(c, today) for c in campaigns.order_by("-year", "-starts_on", "title")]
    context = {
        "bloc_rows": [r for r in rows if r.campaign.bloc_id],
        "unit_rows": [r for r in rows if r.campaign.unit_id],
        "years": years,
        "year": year,
        "can_create": bool(_owner_choices(request.user)),
    }
    return render(request, "covenants/campaigns/list.html", context)


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    owners = _owner_choices(request.user)
    if not owners:
        raise PermissionDenied
    form = CampaignForm(request.POST or None, owners=owners)
    phases = PhaseFormSet(request.POST or None, prefix="dot")
    if request.method == "POST" and form.is_valid() and phases.is_valid():
        data = form.cleaned_data
        if phases.check_within(data["starts_on"], data["ends_on"]):
            try:
                campaign = services.campaign_create(
                    **_owner(data["owner"]),
                    by=request.user,
                    phases=phases.phases(),
                    **{k: v for k, v in data.items() if k != "owner"},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Đã phát động phong trào “%(t)s”.") % {"t": campaign.title}
                )
                return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "covenants/campaigns/form.html", {"form": form, "phases": phases})


def _detail_context(user, campaign: Campaign) -> dict:
    today = timezone.localdate()
    can_manage = user.has_perm("covenants.manage_campaign", campaign)
    launch = campaign.launch_document
    return {
        "campaign": campaign,
        "period": Period(campaign.starts_on, campaign.ends_on, today),
        "phases": [
            PhaseRow(p, Period(p.starts_on, p.ends_on, today))
            for p in campaign.phases.order_by("number")
        ],
        "can_manage": can_manage,
        "launch": launch if launch and user.has_perm("documents.view_document", launch) else None,
        "launch_form": LaunchForm(campaign=campaign) if can_manage and launch is None else None,
    }


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign(request.user, pk)
    return render(
        request, "covenants/campaigns/detail.html", _detail_context(request.user, campaign)
    )


@login_required
def phase_edit(request: HttpRequest, pk: int, phase_pk: int | None = None) -> HttpResponse:
    campaign = get_campaign(request.user, pk, manage=True)
    phase = get_object_or_404(CampaignPhase, pk=phase_pk, campaign=campaign) if phase_pk else None
    if phase is not None:
        initial = PhaseEditForm.initial_from(phase)
    else:
        numbers = list(campaign.phases.values_list("number", flat=True))
        initial = {"number": max(numbers, default=0) + 1}
    form = PhaseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_save(
                campaign=campaign, by=request.user, phase=phase, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu đợt thi đua."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(
        request,
        "covenants/campaigns/phase_form.html",
        {"campaign": campaign, "phase": phase, "form": form},
    )


@login_required
def phase_review(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    """The sơ kết of a phase. From the campaign's page it opens in place (HTMX) and answers
    with the updated phase card; without JavaScript it is a page of its own."""
    campaign = get_campaign(request.user, pk, manage=True)
    phase = get_object_or_404(CampaignPhase, pk=phase_pk, campaign=campaign)
    initial = {"review": phase.review, "reviewed_on": phase.reviewed_on or timezone.localdate()}
    form = PhaseReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            phase = services.phase_review(phase=phase, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.htmx:
                context = {
                    "row": PhaseRow(
                        phase, Period(phase.starts_on, phase.ends_on, timezone.localdate())
                    ),
                    "campaign": campaign,
                    "can_manage": True,
                }
                return render(request, "covenants/campaigns/detail.html#phase", context)
            messages.success(request, _("Đã ghi kết quả sơ kết đợt %(n)s.") % {"n": phase.number})
            return redirect("campaign_detail", pk=campaign.pk)
    template = "covenants/campaigns/phase_review.html"
    return render(
        request,
        f"{template}#review" if request.htmx else template,
        {"campaign": campaign, "phase": phase, "form": form},
    )


@login_required
@require_POST
def campaign_launch_document(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the launch letter in the issuer's register, then hand over to the documents pages
    where the secretariat edits, issues and sends it."""
    campaign = get_campaign(request.user, pk, manage=True)
    form = LaunchForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("campaign_detail", pk=campaign.pk)
    try:
        document = campaign_launch_draft(campaign=campaign, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("campaign_detail", pk=campaign.pk)
    if document.is_draft:
        messages.success(
            request, _("Đã soạn dự thảo văn bản phát động; kiểm tra, sửa rồi phát hành.")
        )
    return redirect("document_detail", pk=document.pk)


# --- the bloc's standing documents ------------------------------------------------------------


def _get_documents_bloc(user, pk: int, *, manage: bool = False) -> Bloc:
    bloc = get_bloc_for_user(user, pk)
    if not user.has_perm("covenants.view_bloc_documents", bloc):
        raise Http404
    if manage and not user.has_perm("covenants.manage_bloc_documents", bloc):
        raise PermissionDenied
    return bloc


@dataclass
class KindGroup:
    kind: str
    label: str
    versions: list[BlocDocument]


@login_required
@require_GET
def bloc_documents(request: HttpRequest, bloc_pk: int) -> HttpResponse:
    bloc = _get_documents_bloc(request.user, bloc_pk)
    documents = list(selectors.bloc_documents(bloc=bloc).select_related("document__doc_type"))
    groups = [
        KindGroup(kind, label, [d for d in documents if d.kind == kind])
        for kind, label in BlocDocument.Kind.choices
    ]
    context = {
        "bloc": bloc,
        "groups": groups,
        "regulation": selectors.regulation_for(bloc=bloc, year=timezone.localdate().year),
        "can_manage": request.user.has_perm("covenants.manage_bloc_documents", bloc),
    }
    return render(request, "covenants/bloc_documents/list.html", context)


@login_required
def bloc_document_create(request: HttpRequest, bloc_pk: int) -> HttpResponse:
    bloc = _get_documents_bloc(request.user, bloc_pk, manage=True)
    kind = request.GET.get("loai", "")
    latest = selectors.bloc_documents(bloc=bloc).filter(kind=kind).first() if kind else None
    year = timezone.localdate().year
    initial = (
        BlocDocumentForm.initial_from(latest, year=year)
        if latest
        else {"kind": kind, "valid_from_year": year}
    )
    form = BlocDocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {
            k: form.cleaned_data[k]
            for k in ("kind", "title", "decision", "adopted_on", "valid_from_year", "text")
        }
        try:
            document = services.bloc_document_publish(
                bloc=bloc, by=request.user, parameters=form.parameters(), **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ban hành %(d)s.") % {"d": document})
            return redirect("bloc_document_detail", pk=document.pk)
    return render(
        request,
        "covenants/bloc_documents/form.html",
        {"bloc": bloc, "form": form, "latest": latest},
    )


@login_required
@require_GET
def bloc_document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(
        BlocDocument.objects.select_related("bloc", "document__doc_type"), pk=pk
    )
    bloc = _get_documents_bloc(request.user, document.bloc_id)
    context = {
        "bloc": bloc,
        "document": document,
        "rules": regulation_rules(document.parameters),
        "versions": selectors.bloc_documents(bloc=bloc).filter(kind=document.kind),
        "can_manage": request.user.has_perm("covenants.manage_bloc_documents", bloc),
        "linked": document.document
        if document.document and request.user.has_perm("documents.view_document", document.document)
        else None,
    }
    return render(request, "covenants/bloc_documents/detail.html", context)
