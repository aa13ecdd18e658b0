"""Delegates of a conference: each unit registers its own (or answers "không tham dự"), the
secretariat's list with its exports, substitutions, reminders, QR codes and the check-in desk.

Every write goes through meetings.services; objects load through views/common.py (404 for
outsiders, 403 for insiders without the right). Delegate pages are the unit's and the
secretariat's: a QR code is a pass into the hall, so nobody else sees it (404).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from blocs.models import MemberUnit
from blocs.selectors import bloc_members
from khoi_portal import pagecache
from khoi_portal.lib.official import interface_moment
from khoi_portal.lib.vietnamese import date_long, date_short, two_digits
from khoi_portal.outbox.services import enqueue
from meetings import selectors, services, tasks
from meetings.forms_registration import (
    DELEGATE_ROWS,
    MAX_DELEGATE_ROWS,
    CheckInForm,
    RegistrationForm,
    SubstituteForm,
    delegate_formset,
)
from meetings.models import Delegate, Meeting, Registration
from meetings.views.common import PAGE_RELATED, SCAN_FIELDS, get_meeting

MANAGE = "meetings.manage_meeting"
UNIT_PARAM = "don-vi"


# --- helpers ----------------------------------------------------------------------------------


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def moment_text(moment: dt.datetime) -> str:
    """ "17 giờ 00, ngày 12 tháng 01 năm 2030" (local time), for the printed delegate list, which
    is Vietnamese throughout; pages write moments in the reader's language (interface_moment)."""
    local = timezone.localtime(moment)
    return f"{two_digits(local.hour)} giờ {two_digits(local.minute)}, {date_long(local.date())}"


def meeting_day(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.starts_at).date()


def registration_closed(meeting: Meeting) -> bool:
    return bool(meeting.registration_deadline and timezone.now() > meeting.registration_deadline)


def _members(meeting: Meeting):
    return bloc_members(bloc=meeting.bloc_year.bloc, year=meeting.bloc_year.year)


def _unit_to_register(request: HttpRequest, meeting: Meeting, manager: bool) -> MemberUnit:
    """A unit's people register their own unit; the secretariat may pick any member unit."""
    chosen = request.GET.get(UNIT_PARAM, "")
    if manager and chosen.isdigit():
        return get_object_or_404(_members(meeting), pk=int(chosen))
    unit = request.user.unit
    if unit is not None and _members(meeting).filter(pk=unit.pk).exists():
        return unit
    if manager:  # an appointee from outside this year's members starts at the first unit
        return get_object_or_404(_members(meeting)[:1])
    raise PermissionDenied


def _register_url(meeting: Meeting, unit: MemberUnit, manager: bool) -> str:
    url = reverse("meeting_register", kwargs={"pk": meeting.pk})
    return f"{url}?{UNIT_PARAM}={unit.pk}" if manager else url


def _active_delegates(registration: Registration | None) -> list[Delegate]:
    if registration is None:
        return []
    return list(registration.delegates.filter(substituted_by__isnull=True).order_by("pk"))


# --- registering a unit's delegates -----------------------------------------------------------


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk)
    manager = request.user.has_perm(MANAGE, meeting)
    if not (manager or request.user.has_perm("meetings.register", meeting)):
        raise PermissionDenied
    unit = _unit_to_register(request, meeting, manager)
    here = _register_url(meeting, unit, manager)
    closed = registration_closed(meeting) and not manager
    if closed and request.method == "POST":
        messages.error(request, _("Đã hết hạn đăng ký đại biểu; hãy liên hệ thường trực khối."))
        return redirect(here)
    registration = Registration.objects.filter(meeting=meeting, unit=unit).first()
    current = _active_delegates(registration)
    rows = request.GET.get("dong", "")
    extra = min(int(rows), MAX_DELEGATE_ROWS) if rows.isdigit() and int(rows) > 0 else DELEGATE_ROWS
    data = request.POST if request.method == "POST" else None
    formset = delegate_formset(extra=extra)(
        data, prefix="dai-bieu", meeting_day=meeting_day(meeting)
    )
    form = RegistrationForm(
        data,
        has_delegates=bool(current),
        initial={
            "declined": registration.declined if registration else False,
            "note": registration.note if registration else "",
        },
    )
    if (
        data is not None
        and form.is_valid()
        and formset.is_valid()
        and form.check_with(formset.delegates())
    ):
        try:
            services.registration_save(
                meeting=meeting,
                unit=unit,
                by=request.user,
                delegates=formset.delegates(),
                declined=form.cleaned_data["declined"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Đã báo không tham dự.")
                if form.cleaned_data["declined"]
                else _("Đã ghi danh sách đại biểu của %(unit)s.") % {"unit": unit.short_name},
            )
            return redirect(here)
    context = {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "unit": unit,
        "registration": registration,
        "delegates": current,
        "form": form,
        "formset": formset,
        "closed": closed,
        "can_manage": manager,
        "units": list(_members(meeting)) if manager else [],
        "unit_param": UNIT_PARAM,
        "deadline": interface_moment(meeting.registration_deadline)
        if meeting.registration_deadline
        else "",
        "late": registration_closed(meeting),
        "more_rows": extra + DELEGATE_ROWS,
    }
    return render(request, "meetings/registration/register.html", context)


# --- the secretariat's list -------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: MemberUnit
    registration: Registration | None
    delegates: list[Delegate]

    @property
    def status(self) -> str:
        if self.registration is None:
            return "none"
        return "declined" if self.registration.declined else "attending"


@dataclass
class Totals:
    members: int = 0
    attending: int = 0
    declined: int = 0
    unanswered: int = 0
    delegates: int = 0
    day_before: int = 0
    pickup: int = 0
    present: int = 0
    qr_sent: int = 0
    with_email: int = 0
    present_units: int = 0
    welcome: list[tuple[MemberUnit, Delegate]] = field(default_factory=list)


def delegate_rows(meeting: Meeting) -> tuple[list[UnitRow], Totals]:
    rows = [
        UnitRow(unit, registration, delegates)
        for unit, registration, delegates in selectors.registrations_of(meeting=meeting)
    ]
    totals = Totals(members=len(rows))
    for row in rows:
        totals.attending += row.status == "attending"
        totals.declined += row.status == "declined"
        totals.unanswered += row.status == "none"
        totals.present_units += any(d.checked_in_at for d in row.delegates)
        for delegate in row.delegates:
            totals.delegates += 1
            totals.day_before += delegate.arrives_day_before
            totals.pickup += delegate.needs_pickup
            totals.present += delegate.checked_in_at is not None
            totals.with_email += bool(delegate.email)
            totals.qr_sent += delegate.qr_sent_at is not None
            if delegate.needs_pickup or delegate.arrives_day_before:
                totals.welcome.append((row.unit, delegate))
    return rows, totals


def _list_context(meeting: Meeting) -> dict:
    rows, totals = delegate_rows(meeting)
    return {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "rows": rows,
        "totals": totals,
        "unanswered": [row.unit for row in rows if row.status == "none"],
        "day": date_short(meeting_day(meeting)),
        "deadline": interface_moment(meeting.registration_deadline)
        if meeting.registration_deadline
        else "",
        "late": registration_closed(meeting),
        "unit_param": UNIT_PARAM,
    }


@login_required
@require_GET
def delegates(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    return render(request, "meetings/registration/delegates.html", _list_context(meeting))


# Columns of the exports: (header, width in characters).
EXPORT_COLUMNS = [
    ("STT", 5),
    ("Họ và tên", 24),
    ("Chức vụ", 24),
    ("Điện thoại", 14),
    ("Thư điện tử", 26),
    ("Ngày đến", 11),
    ("Đến trước", 9),
    ("Cần đón", 8),
    ("Có mặt", 8),
]


def _export_cells(number: int, delegate: Delegate) -> list:
    return [
        number,
        delegate.full_name,
        delegate.title,
        delegate.phone,
        delegate.email,
        date_short(delegate.arrival_date) if delegate.arrival_date else "",
        "x" if delegate.arrives_day_before else "",
        "x" if delegate.needs_pickup else "",
        timezone.localtime(delegate.checked_in_at).strftime("%H:%M")
        if delegate.checked_in_at
        else "",
    ]


def delegates_to_xlsx(meeting: Meeting, rows: list[UnitRow], totals: Totals) -> bytes:
    """The list laid out for printing: A4 landscape, one page wide, a title, a header row repeated
    on each page, one band per unit, totals at the bottom."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font, bold = (
        Font(name="Times New Roman", size=12),
        Font(name="Times New Roman", size=12, bold=True),
    )
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = len(EXPORT_COLUMNS)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đại biểu"
    titles = [
        (meeting.bloc_year.bloc.name.upper(), 13),
        ("DANH SÁCH ĐẠI BIỂU", 14),
        (meeting.title, 13),
        (f"{meeting.address}, {date_short(meeting_day(meeting))}", 12),
    ]
    for row, (text, size) in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font, cell.alignment = Font(name="Times New Roman", size=size, bold=row <= 2), centre
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    header = len(titles) + 2
    for column, (label, width) in enumerate(EXPORT_COLUMNS, start=1):
        cell = sheet.cell(row=header, column=column, value=label)
        cell.font, cell.alignment, cell.border = bold, centre, border
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        sheet.column_dimensions[get_column_letter(column)].width = width
    line, number = header + 1, 0
    for unit_row in rows:
        status = {"none": "chưa đăng ký", "declined": "không tham dự"}.get(unit_row.status)
        label = f"{unit_row.unit.full_name}" + (
            f" ({status})" if status else f" ({len(unit_row.delegates)})"
        )
        cell = sheet.cell(row=line, column=1, value=label)
        cell.font, cell.alignment = bold, Alignment(vertical="center", wrap_text=True)
        for column in range(1, last + 1):
            sheet.cell(row=line, column=column).border = border
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=last)
        line += 1
        for delegate in unit_row.delegates:
            number += 1
            for column, value in enumerate(_export_cells(number, delegate), start=1):
                cell = sheet.cell(row=line, column=column, value=value)
                cell.font, cell.border = font, border
                cell.alignment = (
                    centre
                    if column in (1, 6, 7, 8, 9)
                    else Alignment(vertical="center", wrap_text=True)
                )
            line += 1
    summary = (
        f"Tổng cộng: {totals.delegates} đại biểu của {totals.attending}/{totals.members} đơn vị; "
        f"{totals.day_before} đến trước một ngày; {totals.pickup} cần đón tiếp; "
        f"{totals.declined} đơn vị không tham dự; {totals.unanswered} đơn vị chưa đăng ký."
    )
    sheet.cell(row=line + 1, column=1, value=summary).font = Font(
        name="Times New Roman", size=12, italic=True
    )
    sheet.merge_cells(start_row=line + 1, start_column=1, end_row=line + 1, end_column=last)
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "Trang &P/&N"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _attachment(
    content: bytes, content_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


@login_required
@require_GET
def delegates_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    rows, totals = delegate_rows(meeting)
    return _attachment(
        delegates_to_xlsx(meeting, rows, totals),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"dai-bieu-hoi-nghi-{meeting.pk}.xlsx",
    )


def delegates_to_pdf(meeting: Meeting) -> bytes:
    from documents.rendering import html_to_pdf

    context = _list_context(meeting) | {
        "columns": [label for label, _width in EXPORT_COLUMNS],
        "printed": moment_text(timezone.now()),
    }
    numbers = iter(range(1, context["totals"].delegates + 1))
    context["lines"] = [
        (row, [_export_cells(next(numbers), d) for d in row.delegates]) for row in context["rows"]
    ]
    return html_to_pdf(render_to_string("meetings/registration/pdf/delegates.html", context))


@login_required
@require_GET
def delegates_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    return _attachment(
        delegates_to_pdf(meeting),
        "application/pdf",
        f"dai-bieu-hoi-nghi-{meeting.pk}.pdf",
        inline=True,
    )


# --- substitution -----------------------------------------------------------------------------


def _get_delegate(user, pk: int | None = None, *, uid=None) -> tuple[Delegate, Meeting, bool]:
    """The delegate, its meeting, and whether *user* is the secretariat; 404 unless the user may
    see the meeting and is the secretariat or a person of the delegate's unit."""
    lookup = {"pk": pk} if uid is None else {"uid": uid}
    delegate = get_object_or_404(Delegate.objects.select_related("registration__unit"), **lookup)
    meeting = get_meeting(user, delegate.registration.meeting_id)
    manager = user.has_perm(MANAGE, meeting)
    if not (manager or (user.unit_id and user.unit_id == delegate.registration.unit_id)):
        raise Http404
    return delegate, meeting, manager


def _queue_qr_if_mailed_before(meeting: Meeting) -> None:
    """A substitute gets their code when the others already got theirs."""
    if Delegate.objects.filter(registration__meeting=meeting, qr_sent_at__isnull=False).exists():
        enqueue(tasks.send_delegate_qr, meeting.pk)


@login_required
def substitute(request: HttpRequest, delegate_pk: int) -> HttpResponse:
    delegate, meeting, manager = _get_delegate(request.user, delegate_pk)
    back = (
        reverse("meeting_delegates", kwargs={"pk": meeting.pk})
        if manager
        else _register_url(meeting, delegate.registration.unit, manager)
    )
    if not delegate.is_active:
        messages.info(request, _("Đại biểu %(name)s đã được thay.") % {"name": delegate.full_name})
        return redirect(back)
    form = SubstituteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            new = services.delegate_substitute(
                delegate=delegate,
                by=request.user,
                full_name=data["full_name"],
                title=data["title"],
                phone=data["phone"],
                email=data["email"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _queue_qr_if_mailed_before(meeting)
            messages.success(
                request,
                _("%(new)s thay cho %(old)s; mã QR cũ không còn dùng được.")
                % {"new": new.full_name, "old": delegate.full_name},
            )
            return redirect(back)
    context = {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "delegate": delegate,
        "form": form,
        "back": back,
    }
    return render(request, "meetings/registration/substitute.html", context)


# --- reminders and QR codes -------------------------------------------------------------------


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    if registration_closed(meeting):
        messages.error(request, _("Đã hết hạn đăng ký; không gửi nhắc."))
    else:
        enqueue(tasks.remind_unanswered, meeting.pk)
        messages.success(
            request,
            _(
                "Đang gửi thư nhắc tới các đơn vị chưa đăng ký (mỗi đơn vị nhận tối đa "
                "một thư nhắc mỗi ngày)."
            ),
        )
    return redirect("meeting_delegates", pk=meeting.pk)


@login_required
@require_POST
def send_qr(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    enqueue(tasks.send_delegate_qr, meeting.pk)
    messages.success(
        request,
        _("Đang gửi mã QR tới các đại biểu có thư điện tử; người đã nhận sẽ không nhận lại."),
    )
    return redirect("meeting_delegates", pk=meeting.pk)


@login_required
@require_GET
@never_cache
def delegate_qr(request: HttpRequest, uid) -> HttpResponse:
    delegate, _meeting, _manager = _get_delegate(request.user, uid=uid)
    if not delegate.is_active:
        raise Http404
    response = HttpResponse(tasks.qr_svg(delegate.qr_token), content_type="image/svg+xml")
    response["Content-Disposition"] = content_disposition_header(False, f"ma-qr-{delegate.uid}.svg")
    return response


# --- the check-in desk ------------------------------------------------------------------------


@dataclass
class CheckInResult:
    delegate: Delegate | None = None
    again: bool = False
    error: str = ""

    @property
    def since(self) -> str:
        return (
            timezone.localtime(self.delegate.checked_in_at).strftime("%H:%M")
            if self.delegate
            else ""
        )


def _presence(meeting: Meeting) -> dict:
    counts = selectors.desk_counts(meeting=meeting)  # one query for the four numbers
    return {
        "present_units": counts["present_units"],
        "members": counts["members"],
        "present": counts["present"],
        "total": counts["total"],
    }


@login_required
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk at the door (a phone or a laptop with a scanner): each scan is one POST."""
    if request.htmx:
        # A scan: the panel only, which shows no field of the meeting; the checks need its year.
        # Scans write delegates only, so the meeting and the right to it come from the cache
        # until the meeting itself or a membership changes (issue #8).
        meeting = pagecache.lookup(
            request,
            "check-in",
            load=lambda: get_meeting(
                request.user, pk, perm=MANAGE, related=("bloc_year__bloc",), fields=SCAN_FIELDS
            ),
            depends_on={"meetings.settled", "blocs"},
            vary=(pk,),
        )
    else:
        meeting = get_meeting(request.user, pk, perm=MANAGE, related=PAGE_RELATED)
    result = None
    form = CheckInForm(request.POST if request.method == "POST" else None, auto_id="diem-danh-%s")
    if form.is_bound:
        result = CheckInResult()
        if form.is_valid():
            started = timezone.now()
            try:
                result.delegate = services.check_in(
                    meeting=meeting, token=form.cleaned_data["token"], by=request.user
                )
            except ValidationError as exc:
                result.error = _errors(exc)
            else:
                result.again = result.delegate.checked_in_at < started
        else:
            result.error = " ".join(form.errors.get("token", []))
        form = CheckInForm(auto_id="diem-danh-%s")  # the field is empty for the next scan
    context = {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "form": form,
        "result": result,
        **_presence(meeting),
    }
    if request.htmx:
        return render(request, "meetings/registration/check_in.html#panel", context)
    return render(request, "meetings/registration/check_in.html", context)
