"""The awards overview of a bloc year, eligibility, exclusions and nominations."""

from __future__ import annotations

import math
from fractions import Fraction

import filetype
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards import documents as award_documents
from awards import selectors, services
from awards.forms import (
    AwardDocumentIssueForm,
    DefaultNominationsForm,
    ExclusionForm,
    NominationForm,
)
from awards.models import AwardType, BallotRound, Nomination
from awards.views.common import get_bloc_year
from blocs.models import BlocYear
from blocs.selectors import bloc_members


def _back(bloc_year: BlocYear) -> HttpResponse:
    return redirect("awards_overview", bloc_pk=bloc_year.bloc_id, year=bloc_year.year)


def _errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


# Which regulation parameter sets the default number of nominees of an award type (codes of
# awards/migrations/0002). The Government flag is left out on purpose: its 20 % is of the units
# the bloc voted leaders, not of the members, so the secretariat types the number.
COUNT_RULES = {"co-thi-dua-bo": "flag_nominees", "bang-khen-tap-the": "merit_max_share"}


def default_nominee_count(*, bloc_year: BlocYear, award_type: AwardType) -> int | None:
    """How many default candidates the regulation calls for: ``flag_nominees`` for the ministry's
    flag, ⌈``merit_max_share`` × members⌉ for the minister's certificate; None when it says
    nothing. Shares may be written as fractions ("3/10"), kept exact until the ceiling."""
    rules = services.rules_for(bloc_year)
    rule = COUNT_RULES.get(award_type.code)
    if rule is None or rules.get(rule) in (None, ""):
        return None
    if rule == "flag_nominees":
        return int(rules[rule])
    members = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).count()
    return max(1, math.ceil(_share(rules[rule]) * members))


def _share(value) -> Fraction:
    """ "3/10", "0,3", "30%" → an exact fraction."""
    text = str(value).strip().replace(" ", "").replace(",", ".")
    if text.endswith("%"):
        return Fraction(text[:-1]) / 100
    return Fraction(text)


@login_required
@require_GET
def awards_overview(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.view_awards")
    user = request.user
    can_manage = user.has_perm("awards.manage_awards", bloc_year)
    award_types = list(selectors.award_types())
    nominations = list(selectors.nominations_of(bloc_year=bloc_year))
    rounds = list(selectors.rounds_of(bloc_year=bloc_year))
    proposals = list(selectors.proposals_of(bloc_year=bloc_year))
    submission = award_documents.submission_of(bloc_year)
    per_award = [
        {
            "award": award,
            "nominations": [n for n in nominations if n.award_type_id == award.pk],
            "rounds": [r for r in rounds if r.award_type_id == award.pk],
            "proposals": [p for p in proposals if p.award_type_id == award.pk],
            "default_count": default_nominee_count(bloc_year=bloc_year, award_type=award)
            if can_manage
            else None,
        }
        for award in award_types
    ]
    context = {
        "bloc_year": bloc_year,
        "per_award": per_award,
        "other_rounds": [r for r in rounds if r.award_type_id is None],
        "proposals": proposals,
        "submission": submission,
        "can_manage": can_manage,
        "can_nominate": can_manage or user.has_perm("awards.nominate", bloc_year),
        "can_see_scores": user.has_perm("scoring.view_summary", bloc_year),
        "can_download_dossier": can_manage or user.is_ministry_office,
        "can_name_delegate": user.has_perm("awards.name_delegate", bloc_year),
        "can_view_voters": user.has_perm("awards.view_voters", bloc_year),
        "closed": BallotRound.Status.CLOSED,
        "default_form": DefaultNominationsForm(
            award_types=AwardType.objects.filter(recipient=AwardType.Recipient.COLLECTIVE)
        )
        if can_manage
        else None,
        "submission_form": AwardDocumentIssueForm(
            initial=award_documents.issue_defaults(
                bloc_year=bloc_year, kind=award_documents.SUBMISSION_KIND
            ),
            prefix_id="to-trinh",
        )
        if can_manage and submission is None and proposals
        else None,
    }
    return render(request, "awards/overview.html", context)


@login_required
@require_GET
def eligibility_view(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    """Every member's eligibility for one award with its written reason. It shows ranks and
    scores, so it follows the summary table's visibility (scoring.view_summary)."""
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.view_awards")
    if not request.user.has_perm("scoring.view_summary", bloc_year):
        raise PermissionDenied
    award_types = selectors.award_types()
    code = request.GET.get("loai") or ""
    award_type = award_types.filter(code=code).first() if code else award_types.first()
    if award_type is None:
        raise Http404
    can_manage = request.user.has_perm("awards.manage_awards", bloc_year)
    rows = services.eligibility(bloc_year=bloc_year, award_type=award_type)
    context = {
        "bloc_year": bloc_year,
        "award_type": award_type,
        "award_types": award_types,
        "rows": rows,
        "can_manage": can_manage,
        "exclusion_form": ExclusionForm(
            units=bloc_members(bloc=bloc_year.bloc, year=bloc_year.year),
            award_types=award_types,
            initial={"award_type": award_type},
        )
        if can_manage
        else None,
    }
    return render(request, "awards/eligibility.html", context)


@login_required
@require_POST
def exclusion_add(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.manage_awards")
    award_types = selectors.award_types()
    form = ExclusionForm(
        request.POST,
        units=bloc_members(bloc=bloc_year.bloc, year=bloc_year.year),
        award_types=award_types,
    )
    if not form.is_valid():
        _errors(request, form)
        return _back(bloc_year)
    try:
        exclusion = services.exclusion_add(
            bloc_year=bloc_year, by=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(bloc_year)
    messages.success(
        request,
        _("Đã ghi %(unit)s không đủ điều kiện: %(why)s.")
        % {"unit": exclusion.unit.short_name, "why": exclusion.reason},
    )
    url = reverse(
        "award_eligibility", kwargs={"bloc_pk": bloc_year.bloc_id, "year": bloc_year.year}
    )
    code = exclusion.award_type.code if exclusion.award_type else request.POST.get("loai", "")
    return redirect(f"{url}?loai={code}" if code else url)


@login_required
def nomination_create(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    """The secretariat proposes any member unit; a member unit's people nominate individuals or
    collectives of their own unit, with the achievement report."""
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.view_awards")
    user = request.user
    as_secretariat = user.has_perm("awards.manage_awards", bloc_year)
    if not as_secretariat and not user.has_perm("awards.nominate", bloc_year):
        raise PermissionDenied
    members = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year)
    units = members if as_secretariat else members.filter(pk=user.unit_id)
    if not units.exists():  # a person of a former member: nothing of theirs to nominate this year
        raise PermissionDenied
    form = NominationForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        award_types=selectors.award_types(),
        report_required=not as_secretariat,
    )
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nomination_create(
                bloc_year=bloc_year,
                by=user,
                report=form.cleaned_data["report"],
                source=Nomination.Source.SECRETARIAT if as_secretariat else Nomination.Source.UNIT,
                **{
                    k: form.cleaned_data[k]
                    for k in ("award_type", "unit", "person_name", "person_title", "note")
                },
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # the report's type (checked by content), eligibility, …
        else:
            messages.success(
                request,
                _("Đã ghi đề cử %(label)s – %(award)s.")
                % {"label": nomination.label, "award": nomination.award_type.name},
            )
            return _back(bloc_year)
    context = {"bloc_year": bloc_year, "form": form, "as_secretariat": as_secretariat}
    return render(request, "awards/nomination_form.html", context)


@login_required
@require_POST
def nominations_default(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.manage_awards")
    form = DefaultNominationsForm(
        request.POST, award_types=AwardType.objects.filter(recipient=AwardType.Recipient.COLLECTIVE)
    )
    if not form.is_valid():
        _errors(request, form)
        return _back(bloc_year)
    award_type = form.cleaned_data["award_type"]
    count = form.cleaned_data["count"] or default_nominee_count(
        bloc_year=bloc_year, award_type=award_type
    )
    if not count:
        messages.error(
            request,
            _("Quy chế không quy định số đề cử cho %(award)s: hãy nhập số đơn vị.")
            % {"award": award_type.name},
        )
        return _back(bloc_year)
    created = services.nominations_propose_default(
        bloc_year=bloc_year, award_type=award_type, count=count, by=request.user
    )
    if created:
        messages.success(
            request,
            _("Đã đề cử %(n)s đơn vị cho %(award)s theo thứ hạng: %(names)s.")
            % {
                "n": len(created),
                "award": award_type.name,
                "names": "; ".join(n.unit.short_name for n in created),
            },
        )
    else:
        messages.info(
            request, _("Không có đề cử mới: các đơn vị đủ điều kiện đứng đầu đã được đề cử.")
        )
    return _back(bloc_year)


@login_required
@require_GET
def nomination_report(request: HttpRequest, pk: int) -> FileResponse:
    """The achievement report, always as an attachment with the type found in its content: for the
    secretariat, the ministry and the nominated unit; a 404 for everyone else."""
    nomination = get_object_or_404(
        Nomination.objects.select_related("bloc_year__bloc", "unit"), pk=pk
    )
    user = request.user
    allowed = (
        (user.is_ministry_office and user.is_active)
        or user.has_perm("awards.manage_awards", nomination.bloc_year)
        or (
            user.unit_id == nomination.unit_id
            and user.has_perm("awards.view_awards", nomination.bloc_year)
        )
    )
    if not allowed or not nomination.report:
        raise Http404
    try:
        handle = nomination.report.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    head = handle.read(8192)
    handle.seek(0)
    kind = filetype.guess(head)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=nomination.report_name or f"bao-cao-{pk}",
        content_type=kind.mime if kind else "application/octet-stream",
    )
