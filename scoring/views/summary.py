"""The summary table (biểu tổng hợp): the page with its charts, the XLSX export, issuing it as a
report, publishing it to the members, one unit's charts, and the audit trail of the year."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from blocs.models import BlocYear
from khoi_portal import pagecache
from khoi_portal.forms import PortalForm
from scoring import selectors, services
from scoring import summary as summaries
from scoring.models import Round
from scoring.views.common import get_bloc_year

AUDIT_PAGE_SIZE = 50


class SummaryIssueForm(PortalForm):
    """What the secretariat fills in to issue the summary: defaults from the chair unit."""

    issued_on = forms.DateField(
        label=gettext_lazy("Ngày ban hành"), widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=gettext_lazy("Địa danh"), max_length=100)
    signature_heading = forms.CharField(
        label=gettext_lazy("Dòng thẩm quyền"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Ví dụ: TM. KHỐI THI ĐUA …, mỗi dòng một dòng."),
    )
    signer_title = forms.CharField(
        label=gettext_lazy("Chức vụ người ký"), max_length=255, required=False
    )
    signer_name = forms.CharField(label=gettext_lazy("Họ tên người ký"), max_length=120)


def _round_of(bloc_year: BlocYear) -> Round:
    """The year's round (404 before scoring opens), with its bloc year already loaded."""
    scoring_round = selectors.round_of(bloc_year=bloc_year)
    if scoring_round is None:
        raise Http404
    scoring_round.bloc_year = bloc_year
    return scoring_round


def _unit_chart_link(bloc_year: BlocYear):
    return lambda unit_id: reverse(
        "unit_chart",
        kwargs={"bloc_pk": bloc_year.bloc_id, "year": bloc_year.year, "unit_pk": unit_id},
    )


def _table_rows(snapshot: dict, bloc_year: BlocYear) -> SafeString:
    """The <tr> of every unit, built here rather than in the template: 60 units × 16 cells
    through the template engine (variables, floatformat, the sort attributes) were most of the
    page's CPU time, and format_html per cell still half of it (issue #8). The markup is what
    the template wrote; every value is escaped; numbers read as floatformat:2 writes them."""
    link = _unit_chart_link(bloc_year)
    number = _number_formatter()
    rows = []
    for row in snapshot["rows"]:
        rank, short = escape(str(row["rank"])), escape(row["short_name"])
        cells = [
            f'<tr><td class="text-center" data-sort-key="rank" data-sort-value="{rank}">'
            f"{rank}</td>",
            f'<th scope="row" class="text-start fw-normal" data-sort-key="unit" '
            f'data-sort-value="{short}"><a href="{escape(link(row["unit_id"]))}" '
            f'title="{escape(row["unit"])}">{short}</a></th>',
        ]
        numbers = [
            (f"g{n}{side}", points)
            for n, pair in enumerate(row["groups"], start=1)
            for side, points in zip("sv", pair, strict=True)
        ]
        numbers += [(key, row[key]) for key in ("self_total", "verified_total", "bonus")]
        numbers.append(("deduction", row["deduction"]))
        for key, points in numbers:
            value = escape(points)
            cells.append(
                f'<td data-sort-key="{key}" data-sort-value="{value}">{number(value)}</td>'
            )
        final = escape(row["final"])
        cells.append(
            f'<td class="fw-bold" data-sort-key="final" data-sort-value="{final}">'
            f"{number(final)}</td>"
        )
        flagged = escape(str(row["flagged"]))
        badge = f'<span class="badge text-bg-warning">{flagged}</span>' if row["flagged"] else "0"
        cells.append(
            f'<td class="text-center" data-sort-key="flagged" data-sort-value="{flagged}">'
            f"{badge}</td></tr>"
        )
        rows.append("".join(cells))
    return mark_safe("\n".join(rows))


def _number_formatter():
    """ "35.00" → what floatformat:2 shows in the active language ("35,00" in Vietnamese)."""
    if settings.USE_THOUSAND_SEPARATOR:  # grouping: the full routine
        return lambda points: number_format(Decimal(points), 2)
    separator = get_format("DECIMAL_SEPARATOR")
    return lambda points: points.replace(".", separator)


def _back(bloc_year: BlocYear) -> HttpResponse:
    return redirect("summary", bloc_pk=bloc_year.bloc_id, year=bloc_year.year)


@login_required
@require_GET
def summary(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    def load() -> tuple[BlocYear, Round]:
        bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="scoring.view_summary")
        return bloc_year, _round_of(bloc_year)

    # The year, its round and the check that this user may see the table, until they change.
    bloc_year, scoring_round = pagecache.lookup(
        request, "summary", load=load, depends_on={"scoring", "blocs"}, vary=(bloc_pk, year)
    )

    def page_context() -> dict:
        table = summaries.table_snapshot(selectors.summary_table(scoring_round=scoring_round))
        can_manage = request.user.has_perm("scoring.manage_round", bloc_year)
        return {
            "bloc_year": bloc_year,
            "scoring_round": scoring_round,
            "table": table,
            "table_rows": _table_rows(table, bloc_year),
            "chart": summaries.ranking_chart(table, link=_unit_chart_link(bloc_year)),
            "can_manage": can_manage,
            "can_audit": request.user.has_perm("scoring.view_audit", bloc_year),
            "is_published": scoring_round.status == Round.Status.PUBLISHED,
            "issue_form": _issue_form(bloc_year) if can_manage else None,
            "issued": summaries.issued_summaries(scoring_round=scoring_round) if can_manage else [],
        }

    context = {
        "bloc_year": bloc_year,
        # Table, chart and the secretariat's forms: read from the cache until the scores, the
        # bloc or its documents change (the issue form's defaults and the issued reports).
        "body": pagecache.fragment(
            request,
            "summary",
            template="scoring/summary/_summary_page.html",
            context=page_context,
            depends_on={"scoring", "blocs", "documents"},
            vary=(bloc_year.pk,),
        ),
    }
    return render(request, "scoring/summary/summary.html", context)


def _issue_form(bloc_year: BlocYear) -> SummaryIssueForm:
    form = SummaryIssueForm(initial=summaries.issue_defaults(bloc_year=bloc_year))
    form.helper.disable_csrf = True  # the page's <form> has the field; the page is cached
    return form


@login_required
@require_GET
def summary_xlsx(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="scoring.view_summary")
    table = selectors.summary_table(scoring_round=_round_of(bloc_year))
    name = f"bieu-tong-hop-{bloc_year.bloc.symbol}-{year}-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(
        summaries.summary_to_xlsx(table),
        content_type=summaries.XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )


@login_required
@require_POST
def summary_issue(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="scoring.manage_round")
    scoring_round = _round_of(bloc_year)
    form = SummaryIssueForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return _back(bloc_year)
    try:
        document = summaries.summary_issue(
            scoring_round=scoring_round, by=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(bloc_year)
    messages.success(
        request, _("Đã phát hành biểu tổng hợp, số %(n)s.") % {"n": document.number_text}
    )
    return redirect("document_detail", pk=document.pk)


@login_required
@require_POST
def round_publish(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="scoring.manage_round")
    scoring_round = _round_of(bloc_year)
    if scoring_round.status == Round.Status.PUBLISHED:
        messages.info(request, _("Kết quả đã được công bố trước đó."))
        return _back(bloc_year)
    services.round_publish(scoring_round=scoring_round, by=request.user)
    messages.success(
        request, _("Đã công bố biểu tổng hợp; các đơn vị thành viên đã xem được kết quả.")
    )
    return _back(bloc_year)


@login_required
@require_GET
def unit_chart(request: HttpRequest, bloc_pk: int, year: int, unit_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="scoring.view_summary")
    table = selectors.summary_table(scoring_round=_round_of(bloc_year))
    row = next((r for r in table.rows if r.unit.pk == unit_pk), None)
    if row is None:  # not a member this year (or no sheet): nothing to chart
        raise Http404
    # Other years only once published (this year the viewer may already see).
    trend = selectors.unit_trend(
        unit=row.unit, bloc_id=bloc_year.bloc_id, include_year=bloc_year.year
    )
    context = {
        "bloc_year": bloc_year,
        "unit": row.unit,
        "row": row,
        "trend": trend,
        "chart": summaries.unit_chart(table, row=row, trend=trend),
    }
    return render(request, "scoring/summary/unit_chart.html", context)


@login_required
@require_GET
def audit_log(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="scoring.view_audit")
    keys = summaries.audit_keys(
        bloc_year=bloc_year, scoring_round=selectors.round_of(bloc_year=bloc_year)
    )
    page = Paginator(keys, AUDIT_PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {"bloc_year": bloc_year, "page": page, "rows": summaries.audit_rows(page.object_list)}
    return render(request, "scoring/summary/audit.html", context)
