"""Score sheets: the round overview, self-scoring, sending and confirming, evidence, verification.

Every write goes through one service; the views load through views/common.py (404 for
outsiders, 403 for insiders without the right) and give the templates booleans.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms import BoundField
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from khoi_portal import pagecache
from khoi_portal.lib.official import interface_moment
from scoring import selectors, services
from scoring.forms_sheets import (
    EvidenceForm,
    ReopenForm,
    ReplyForm,
    SheetForm,
    VerificationForm,
    VersionForm,
)
from scoring.models import Criterion, Entry, Round, Sheet
from scoring.views.common import (
    check_sheet,
    get_bloc_year,
    get_entry,
    get_evidence,
    get_sheet,
)

ZERO = Decimal("0")
EDIT = "scoring.edit_sheet"


# --- helpers ----------------------------------------------------------------------------------


def deadline_text(moment) -> str:
    """The deadline as people write it: "17 giờ 00, ngày 15 tháng 12 năm 2021" (local time), or
    "17:00, 15 December 2021" in English."""
    return interface_moment(moment)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _to_sheet(sheet_id: int, entry_id: int | None = None) -> HttpResponse:
    url = reverse("sheet_detail", kwargs={"pk": sheet_id})
    return redirect(f"{url}#muc-{entry_id}" if entry_id else url)


def _get_sheet_for_secretariat(user, pk: int) -> Sheet:
    """Reopening is the secretariat's: seen by others (403), hidden from outsiders (404)."""
    sheet = get_sheet(user, pk)
    if not user.has_perm("scoring.manage_round", sheet.round.bloc_year):
        raise PermissionDenied
    return sheet


def _is_flagged(entry: Entry, threshold: Decimal) -> bool:
    if entry.self_score is None or entry.verified_score is None:
        return False
    return abs(entry.self_score - entry.verified_score) >= threshold


@dataclass
class ItemRow:
    entry: Entry
    score: BoundField | None
    text: BoundField | None
    flagged: bool
    conflict: bool = False


@dataclass
class Totals:
    normal: Decimal = ZERO
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.normal + self.bonus - self.deduction


def _totals(entries: list[Entry], attr: str) -> Totals:
    """Σ normal items + bonus − deductions, from scores already loaded (no query)."""
    totals = Totals()
    for entry in entries:
        value = getattr(entry, attr)
        if value is not None and entry.criterion.kind != Criterion.Kind.GROUP:
            setattr(totals, entry.criterion.kind, getattr(totals, entry.criterion.kind) + value)
    return totals


def _groups(
    sheet: Sheet, entries: list[Entry], form, conflicts: set[int]
) -> list[tuple[Criterion, list[ItemRow]]]:
    """[(group, [rows])] in scale order: one query for the tree, entries already loaded."""
    by_criterion = {e.criterion_id: e for e in entries}
    threshold = sheet.round.difference_flag
    groups = []
    for group, items in selectors.criteria_tree(scale=sheet.round.scale):
        rows = []
        for criterion in items:
            entry = by_criterion.get(criterion.pk)
            if entry is not None:
                score, text = form.fields_of(entry) if form is not None else (None, None)
                flagged = _is_flagged(entry, threshold)
                rows.append(ItemRow(entry, score, text, flagged, entry.pk in conflicts))
        groups.append((group, rows))
    return groups


def _sheet_context(user, sheet: Sheet, entries: list[Entry], form, conflicts: set[int]) -> dict:
    can_edit = user.has_perm("scoring.edit_sheet", sheet) and sheet.is_editable
    bloc_year = sheet.round.bloc_year
    return {
        "sheet": sheet,
        "round": sheet.round,
        "bloc_year": bloc_year,
        "form": form if can_edit else None,
        "save_errors": form.non_field_errors() if form.is_bound else [],
        "groups": _groups(sheet, entries, form if can_edit else None, conflicts),
        "self_totals": _totals(entries, "self_score"),
        "final_totals": _totals(entries, "final_score"),
        "deadline": deadline_text(sheet.round.deadline),
        "conflicts": bool(conflicts),
        "can_edit": can_edit,
        # The script posts only the fields that changed since the page was shown; a page shown
        # again after a refused save posts them all (what it shows is not what is saved).
        "changed_only": can_edit and not form.is_bound,
        "can_confirm": user.has_perm("scoring.confirm_sheet", sheet)
        and sheet.status == Sheet.Status.SUBMITTED,
        "can_reopen": sheet.status != Sheet.Status.DRAFT
        and user.has_perm("scoring.manage_round", bloc_year),
        "can_verify": sheet.status != Sheet.Status.DRAFT
        and user.has_perm("scoring.verify_sheet", sheet),
        "can_reply": user.has_perm("scoring.reply_sheet", sheet),
        "submit_form": VersionForm(initial={"version": sheet.version}, auto_id=False)
        if can_edit
        else None,
        "reopen_form": _without_csrf(ReopenForm()),
    }


def _without_csrf(form):
    form.helper.disable_csrf = True  # the page's <form> has the field; the sheet is cached
    return form


# --- the round ----------------------------------------------------------------------------------


@dataclass
class OverviewRow:
    sheet: Sheet
    own: bool
    can_verify: bool


def _overview_rows(user, scoring_round: Round, *, can_manage: bool) -> list[OverviewRow]:
    """The sheets *user* may open: all for the secretariat and the ministry, else the unit's own
    and the one its unit verifies (chấm chéo)."""
    sheets = selectors.sheets_of(scoring_round=scoring_round).select_related(
        "peer_assignment", "round__bloc_year"
    )
    if not can_manage and user.unit_id:
        sheets = sheets.filter(
            Q(unit_id=user.unit_id) | Q(peer_assignment__reviewer_id=user.unit_id)
        )
    return [
        OverviewRow(
            sheet=s,
            own=s.unit_id == user.unit_id,
            can_verify=s.status != Sheet.Status.DRAFT and user.has_perm("scoring.verify_sheet", s),
        )
        for s in sheets
        if user.has_perm("scoring.view_sheet", s)
    ]


@login_required
@require_GET
def round_overview(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = pagecache.lookup(  # the year and the check that this user may see it
        request,
        "round_overview",
        load=lambda: get_bloc_year(request.user, bloc_pk, year, perm="scoring.view_round"),
        depends_on={"scoring", "blocs"},
        vary=(bloc_pk, year),
    )

    def body_context() -> dict:
        # A deadline passing shows within PAGE_CACHE_SECONDS (khoi_portal.pagecache).
        scoring_round = selectors.round_of(bloc_year=bloc_year)
        overdue = bool(scoring_round and scoring_round.deadline <= timezone.now())
        can_manage = request.user.has_perm("scoring.manage_round", bloc_year)
        rows = (
            _overview_rows(request.user, scoring_round, can_manage=can_manage)
            if scoring_round
            else []
        )
        # A unit's people see their own sheet, and the one their unit verifies (chấm chéo).
        peer_view = not can_manage and bool(request.user.unit_id)
        return {
            "bloc_year": bloc_year,
            "round": scoring_round,
            "can_manage": can_manage,
            "peer_view": peer_view,
            "rows": [r for r in rows if not r.own] if peer_view else rows,
            "own": next((r for r in rows if r.own), None),
            "deadline": deadline_text(scoring_round.deadline) if scoring_round else "",
            "overdue": overdue,
        }

    body = pagecache.fragment(
        request,
        "round_overview",
        template="scoring/sheets/_round_overview_body.html",
        context=body_context,
        depends_on={"scoring", "blocs"},
        vary=(bloc_year.pk,),
    )
    context = {"bloc_year": bloc_year, "body": body}
    return render(request, "scoring/sheets/round_overview.html", context)


# --- one sheet --------------------------------------------------------------------------------


@login_required
def sheet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the sheet; the unit's officer saves every item at once (Lưu nháp)."""
    if request.method == "POST":
        if request.POST:
            return _sheet_save(request, pk)
        sheet = get_sheet(request.user, pk, perm=EDIT)
    else:  # the sheet and the check that this user may see it, until scores or roles change
        sheet = pagecache.lookup(
            request,
            "sheet",
            load=lambda: get_sheet(request.user, pk),
            depends_on={"scoring", "blocs"},
            vary=(pk,),
        )

    def body_context() -> dict:
        entries = list(selectors.sheet_entries(sheet=sheet))
        form = SheetForm(
            None, entries=entries, step=sheet.round.step, initial={"version": sheet.version}
        )
        return _sheet_context(request.user, sheet, entries, form, set())

    body = pagecache.fragment(
        request,
        "sheet",
        template=SHEET_BODY,
        context=body_context,
        depends_on={"scoring", "blocs"},
        vary=(sheet.pk,),
    )
    return _sheet_page(request, sheet, body)


SHEET_BODY = "scoring/sheets/_sheet_body.html"


def _sheet_page(request: HttpRequest, sheet: Sheet, body) -> HttpResponse:
    context = {"sheet": sheet, "bloc_year": sheet.round.bloc_year, "body": body}
    return render(request, "scoring/sheets/sheet_detail.html", context)


def _sheet_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The POST of sheet_detail: save every item, or show the sheet again with the errors.

    A post of plain values goes straight to the service (SheetForm.posted), which checks the
    user's right on the sheet as its write locks it: the sheet is not loaded before (a query
    and a tenth of a save, issue #8). The form, and the sheet, are loaded only when there is
    something to show: the form's own errors, or the service's."""
    # The page's script sends only the fields that changed since it was shown (changed_only):
    # the others keep their saved values. The form, when built, has them filled in.
    changed_only = request.POST.get("changed_only") == "1"
    form = sheet = None
    missing = services.UNCHANGED if changed_only else ""
    posted = SheetForm.posted(request.POST, missing=missing)
    if posted is None:
        sheet = get_sheet(request.user, pk, perm=EDIT, related=("round",))
        form = _save_form(request, sheet, changed_only=changed_only)
        if not form.is_valid():
            return _refused_save(request, sheet, form, set())
        posted, changed_only = (form.cleaned_data["version"], form.values()), False
    version, values = posted
    try:
        services.sheet_save(
            sheet=sheet or Sheet(pk=pk),
            version=version or 0,
            values=values,
            by=request.user,
            posted=True,
            changed_only=changed_only,
            check=lambda locked: check_sheet(request.user, locked, perm=EDIT),
        )
    except Sheet.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        if form is None:
            sheet = get_sheet(request.user, pk, perm=EDIT, related=("round",))
            form = _save_form(request, sheet, changed_only=changed_only)
            form.is_valid()  # what posted() read: valid, its cleaned values for the page
        form.add_error(None, exc)
        conflicts: set[int] = set()
        if getattr(exc, "code", None) == "stale":
            conflicts = form.differing()
            form.rebase(sheet.version)
        return _refused_save(request, sheet, form, conflicts)
    messages.success(request, _("Đã lưu nháp phiếu chấm điểm."))
    return redirect("sheet_detail", pk=pk)


def _save_form(request: HttpRequest, sheet: Sheet, *, changed_only: bool) -> SheetForm:
    """The bound form of a save; for a post of the changed fields only, the others filled in
    with their saved values, so that the form (and the page shown again) holds every item."""
    # The form reads each entry's criterion and nothing else the page shows (evidence, the
    # groups, the verifier): those are loaded only when the page comes back (issue #8).
    entries = list(
        selectors.sheet_entries(sheet=sheet)
        .select_related(None)
        .prefetch_related(None)
        .select_related("criterion")
        .only("max_points", "self_score", "explanation", "criterion__code", "criterion__kind")
    )
    data = request.POST
    if changed_only:
        data = data.copy()
        for entry in entries:
            score = "" if entry.self_score is None else format(entry.self_score, "f")
            for name, saved in (
                (f"{SheetForm.score_prefix}_{entry.pk}", score),
                (f"{SheetForm.text_prefix}_{entry.pk}", entry.explanation),
            ):
                if name not in data:
                    data[name] = saved
    return SheetForm(
        data, entries=entries, step=sheet.round.step, initial={"version": sheet.version}
    )


def _refused_save(request: HttpRequest, sheet: Sheet, form: SheetForm, conflicts: set[int]):
    sheet = get_sheet(request.user, sheet.pk)  # all that the page shows
    entries = list(selectors.sheet_entries(sheet=sheet))
    context = _sheet_context(request.user, sheet, entries, form, conflicts)
    return _sheet_page(request, sheet, pagecache.render(request, SHEET_BODY, context))


@login_required
@require_POST
def sheet_submit(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = get_sheet(request.user, pk, perm="scoring.edit_sheet")
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thiếu phiên bản của phiếu; hãy tải lại trang."))
        return _to_sheet(pk)
    try:
        sheet = services.sheet_submit(
            sheet=sheet, version=form.cleaned_data["version"], by=request.user
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("Đã gửi phiếu chấm điểm; chờ lãnh đạo đơn vị xác nhận.")
            + (" " + _("Phiếu được ghi nhận là nộp muộn.") if sheet.is_late else ""),
        )
    return _to_sheet(pk)


@login_required
@require_POST
def sheet_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = get_sheet(request.user, pk, perm="scoring.confirm_sheet")
    try:
        services.sheet_confirm(sheet=sheet, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Đã xác nhận phiếu chấm điểm của đơn vị."))
    return _to_sheet(pk)


@login_required
@require_POST
def sheet_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _get_sheet_for_secretariat(request.user, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_sheet(pk)
    try:
        services.sheet_reopen(sheet=sheet, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Đã mở lại phiếu; đơn vị có thể sửa và gửi lại."))
    return _to_sheet(pk)


@login_required
def sheet_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat or the assigned peer unit scores each item beside the self score."""
    sheet = get_sheet(request.user, pk, perm="scoring.verify_sheet")
    entries = list(selectors.sheet_entries(sheet=sheet))
    form = VerificationForm(request.POST or None, entries=entries, step=sheet.round.step)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_save(sheet=sheet, values=form.values(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu kết quả thẩm định."))
            return redirect("sheet_verify", pk=pk)
    context = {
        "sheet": sheet,
        "round": sheet.round,
        "bloc_year": sheet.round.bloc_year,
        "form": form,
        "groups": _groups(sheet, entries, form, set()),
        "can_save": sheet.status != Sheet.Status.DRAFT,
        "self_totals": _totals(entries, "self_score"),
        "final_totals": _totals(entries, "final_score"),
    }
    return render(request, "scoring/sheets/sheet_verify.html", context)


# --- evidence and replies ---------------------------------------------------------------------


@login_required
@require_POST
def evidence_upload(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = get_entry(request.user, entry_pk, perm="scoring.edit_sheet")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_sheet(entry.sheet_id, entry.pk)
    try:
        evidence = services.evidence_add(
            entry=entry, upload=form.cleaned_data["file"], by=request.user
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("Không nhận tệp cho tiêu chí %(code)s: %(why)s")
            % {"code": entry.criterion.code, "why": _errors(exc)},
        )
    else:
        messages.success(
            request, _("Đã thêm minh chứng “%(name)s”.") % {"name": evidence.original_name}
        )
    return _to_sheet(entry.sheet_id, entry.pk)


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Always an attachment with the stored, content-detected type: never rendered inline."""
    evidence = get_evidence(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence(request.user, pk, perm="scoring.edit_sheet")
    try:
        services.evidence_delete(evidence=evidence, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request, _("Đã xóa minh chứng “%(name)s”.") % {"name": evidence.original_name}
        )
    return _to_sheet(evidence.entry.sheet_id, evidence.entry_id)


@login_required
@require_POST
def entry_reply(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = get_entry(request.user, entry_pk, perm="scoring.reply_sheet")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_sheet(entry.sheet_id, entry.pk)
    services.entry_reply(entry=entry, reply=form.cleaned_data["reply"], by=request.user)
    messages.success(
        request,
        _("Đã ghi ý kiến giải trình cho tiêu chí %(code)s.") % {"code": entry.criterion.code},
    )
    return _to_sheet(entry.sheet_id, entry.pk)
