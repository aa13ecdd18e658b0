"""Results of a closed round, the minutes and the submission, the dossier, the ministry's table."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards import documents as award_documents
from awards import selectors
from awards.forms import AwardDocumentIssueForm
from awards.models import BallotRound, PaperTally, Proposal
from awards.views.common import get_bloc_year, get_round
from blocs.models import BlocYear

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _overview(bloc_year: BlocYear) -> HttpResponse:
    return redirect("awards_overview", bloc_pk=bloc_year.bloc_id, year=bloc_year.year)


def _errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


def results_rows(ballot_round: BallotRound) -> list[dict]:
    """The candidates as round_close decided them, with their share of the base as a percentage."""
    return [
        c | {"percent": award_documents.percent(c["share"])}
        for c in (ballot_round.results or {}).get("candidates", [])
    ]


def results_chart(ballot_round: BallotRound, rows: list[dict]) -> dict:
    """Data for the bar chart (json_script): votes as a share of the base, the pass line."""
    return {
        "labels": [r["label"] for r in rows],
        "votes": [r["votes"] for r in rows],
        "percents": [float(r["share"]) * 100 for r in rows],
        "elected": [bool(r["elected"]) for r in rows],
        "threshold": float(ballot_round.pass_share) * 100,
        "label": _("Tỷ lệ phiếu (%)"),
        "threshold_label": _("Ngưỡng phải vượt"),
    }


@login_required
@require_GET
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The results once the round is closed; before that a 403 page saying they are not public,
    so a live count can never sway the voters still to vote."""
    ballot_round = get_round(request.user, pk)
    bloc_year = ballot_round.bloc_year
    if ballot_round.status != BallotRound.Status.CLOSED:
        return render(
            request,
            "awards/results_hidden.html",
            {"ballot_round": ballot_round, "bloc_year": bloc_year},
            status=403,
        )
    rows = results_rows(ballot_round)
    can_manage = request.user.has_perm("awards.manage_round", ballot_round)
    minutes = award_documents.minutes_of(ballot_round)
    runoff_pk = ballot_round.results.get("runoff_round")
    context = {
        "ballot_round": ballot_round,
        "bloc_year": bloc_year,
        "results": ballot_round.results,
        "rows": rows,
        "chart": results_chart(ballot_round, rows),
        "pass_percent": award_documents.vn_number(ballot_round.pass_share * 100, trim=True),
        "quorum_percent": award_documents.percent(ballot_round.quorum),
        "receipts": selectors.published_receipts(ballot_round=ballot_round),
        "tally": PaperTally.objects.filter(round=ballot_round)
        .select_related("entered_by", "confirmed_by")
        .first(),
        "runoff": BallotRound.objects.filter(pk=runoff_pk).first() if runoff_pk else None,
        "proposals": Proposal.objects.filter(round=ballot_round).order_by("-votes", "label"),
        "minutes": minutes,
        "can_manage": can_manage,
        "minutes_form": AwardDocumentIssueForm(
            initial=award_documents.issue_defaults(
                bloc_year=bloc_year,
                kind=award_documents.MINUTES_KIND,
                on=ballot_round.held_on or timezone.localdate(),
            ),
            prefix_id="bien-ban",
        )
        if can_manage and minutes is None
        else None,
    }
    return render(request, "awards/results.html", context)


@login_required
@require_POST
def minutes_issue(request: HttpRequest, pk: int) -> HttpResponse:
    ballot_round = get_round(request.user, pk, perm="awards.manage_round")
    back = (
        redirect("ballot_round_results", pk=ballot_round.pk)
        if ballot_round.status == BallotRound.Status.CLOSED
        else _overview(ballot_round.bloc_year)
    )
    existing = award_documents.minutes_of(ballot_round)
    if existing is not None:
        messages.info(
            request,
            _("Vòng bỏ phiếu đã có biên bản kiểm phiếu số %(n)s.") % {"n": existing.number_text},
        )
        return redirect("document_detail", pk=existing.pk)
    form = AwardDocumentIssueForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return back
    try:
        document = award_documents.minutes_issue(
            ballot_round=ballot_round, by=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    messages.success(
        request, _("Đã lập biên bản kiểm phiếu, số %(n)s.") % {"n": document.number_text}
    )
    return redirect("document_detail", pk=document.pk)


@login_required
@require_POST
def submission_issue(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.manage_awards")
    existing = award_documents.submission_of(bloc_year)
    if existing is not None:
        messages.info(
            request,
            _("Năm %(y)s đã có tờ trình số %(n)s.") % {"y": year, "n": existing.number_text},
        )
        return redirect("document_detail", pk=existing.pk)
    form = AwardDocumentIssueForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return _overview(bloc_year)
    try:
        document = award_documents.submission_issue(
            bloc_year=bloc_year, by=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _overview(bloc_year)
    messages.success(
        request,
        _("Đã phát hành tờ trình đề nghị khen thưởng, số %(n)s.") % {"n": document.number_text},
    )
    return redirect("document_detail", pk=document.pk)


@login_required
@require_GET
def dossier_zip(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    """The dossier for the ministry: the secretariat's and the ministry office's."""
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.view_awards")
    if not (
        request.user.has_perm("awards.manage_awards", bloc_year) or request.user.is_ministry_office
    ):
        raise PermissionDenied
    return HttpResponse(
        award_documents.dossier_zip(bloc_year),
        content_type="application/zip",
        headers={
            "Content-Disposition": content_disposition_header(
                True, award_documents.dossier_name(bloc_year)
            )
        },
    )


PROPOSAL_COLUMNS = (
    "Khối thi đua",
    "Hình thức khen thưởng",
    "Tập thể, cá nhân",
    "Điểm thi đua",
    "Hạng",
    "Số phiếu",
    "Tỷ lệ phiếu (%)",
    "Biên bản kiểm phiếu",
    "Tờ trình",
)


def proposals_xlsx(proposals: list[Proposal], *, year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Đề nghị {year}"
    sheet.cell(
        row=1, column=1, value=f"ĐỀ NGHỊ KHEN THƯỞNG CỦA CÁC KHỐI, CỤM THI ĐUA NĂM {year}"
    ).font = Font(name="Times New Roman", bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PROPOSAL_COLUMNS))
    for column, label in enumerate(PROPOSAL_COLUMNS, start=1):
        cell = sheet.cell(row=3, column=column, value=label)
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, p in enumerate(proposals, start=4):
        values = [
            p.bloc_year.bloc.name,
            p.award_type.name,
            p.label,
            p.score,
            p.rank,
            p.votes,
            round(p.vote_share * 100, 2),
            p.minutes.number_text if p.minutes else "",
            p.submission.number_text if p.submission else "",
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=offset, column=column, value=value)
            if column in (4, 7):
                cell.number_format = "0.00"
    for column, width in enumerate((40, 32, 48, 12, 8, 10, 12, 22, 22), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def ministry_overview(request: HttpRequest, year: int) -> HttpResponse:
    """Every bloc's proposals of an emulation year in one table (?xlsx=1: as a workbook)."""
    if not request.user.has_perm("awards.ministry_overview"):
        raise PermissionDenied
    proposals = list(selectors.proposals_of_year(year=year))
    if request.GET.get("xlsx"):
        name = f"de-nghi-khen-thuong-{year}-{timezone.localdate():%Y%m%d}.xlsx"
        return HttpResponse(
            proposals_xlsx(proposals, year=year),
            content_type=XLSX_CONTENT_TYPE,
            headers={"Content-Disposition": content_disposition_header(True, name)},
        )
    rows = proposals
    for p in rows:
        p.percent = award_documents.percent(p.vote_share)
    context = {
        "year": year,
        "proposals": rows,
        "blocs": len({p.bloc_year.bloc_id for p in rows}),
        "years": [year - 1, year + 1],
    }
    return render(request, "awards/ministry_overview.html", context)
