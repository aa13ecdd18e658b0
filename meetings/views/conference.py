"""The conference: the year's meetings, a meeting and its agenda, the invitation and its sending,
the minutes and the year's report, the hall's live board, and the public announcements page.

Every write goes through one service (meetings.services, meetings.documents); objects load
through views/common.py (404 for outsiders, 403 for insiders without the right) and templates
get booleans. The announcements page is public: it lists titles, never a draft's content.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.models import BallotRound
from blocs.models import Bloc
from blocs.selectors import bloc_members
from covenants.models import Covenant
from documents.models import Document
from meetings import documents as meeting_documents
from meetings import selectors, services
from meetings.forms import AgendaItemForm, MeetingForm, MinutesForm, SendForm
from meetings.models import AgendaItem, Meeting
from meetings.views.common import get_bloc_year, get_meeting

MANAGE = "meetings.manage_meeting"
DEFAULT_PARTICIPANTS = (
    "Lãnh đạo Ban và công chức phụ trách công tác thi đua, khen thưởng của các đơn vị thuộc {bloc}."
)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _to_detail(meeting: Meeting, anchor: str = "") -> HttpResponse:
    url = reverse("meeting_detail", kwargs={"pk": meeting.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _units(bloc_year):
    return bloc_members(bloc=bloc_year.bloc, year=bloc_year.year)


# --- the year's meetings, one meeting -----------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year)
    context = {
        "bloc_year": bloc_year,
        "meetings": selectors.meetings_of(bloc_year=bloc_year),
        "can_create": request.user.has_perm("meetings.manage_meetings_of", bloc_year),
    }
    return render(request, "meetings/list.html", context)


@login_required
def meeting_create(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="meetings.manage_meetings_of")
    chair = bloc_year.chair
    initial = {
        "kind": Meeting.Kind.YEAR_END,
        "title": f"Hội nghị tổng kết công tác thi đua năm {year}",
        "host_unit": chair,
        "address": chair.address if chair else "",
        "participants": DEFAULT_PARTICIPANTS.format(bloc=bloc_year.bloc.name),
    }
    form = MeetingForm(request.POST or None, initial=initial, units=_units(bloc_year))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                bloc_year=bloc_year, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã tạo hội nghị với chương trình mặc định; hãy sửa cho phù hợp.")
            )
            return _to_detail(meeting)
    return render(
        request, "meetings/form.html", {"bloc_year": bloc_year, "form": form, "meeting": None}
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    form = MeetingForm(
        request.POST or None,
        initial=MeetingForm.initial_from(meeting),
        units=_units(meeting.bloc_year),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu thông tin hội nghị."))
            return _to_detail(meeting)
    return render(
        request,
        "meetings/form.html",
        {"bloc_year": meeting.bloc_year, "form": form, "meeting": meeting},
    )


def _registration_summary(meeting: Meeting) -> dict:
    rows = selectors.registrations_of(meeting=meeting)
    delegates = selectors.presence_counts(meeting=meeting)
    return {
        "members": len(rows),
        "registered": sum(1 for _u, r, _d in rows if r is not None and not r.declined),
        "declined": sum(1 for _u, r, _d in rows if r is not None and r.declined),
        "waiting": sum(1 for _u, r, _d in rows if r is None),
        "delegates": delegates["total"],
        "present_delegates": delegates["present"],
        "present_units": delegates["present_units"],
    }


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk)
    can_manage = request.user.has_perm(MANAGE, meeting)
    agenda = list(
        meeting.agenda.select_related("ballot_round", "covenant", "document__doc_type").order_by(
            "position", "pk"
        )
    )
    for item in agenda:
        # Members see an attached draft's title only when it is published; the secretariat always.
        item.show_document = item.document_id is not None and (
            can_manage or item.published or not item.document.is_draft
        )
    context = {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "agenda": agenda,
        "summary": _registration_summary(meeting),
        "can_manage": can_manage,
        "can_register": request.user.has_perm("meetings.register", meeting),
        "invitation": meeting.invitation,
        "minutes": meeting.minutes,
        "year_report": meeting_documents.year_report_of(meeting.bloc_year) if can_manage else None,
        "time_text": meeting_documents.time_text(meeting.starts_at),
        "place_text": meeting_documents.place_text(meeting),
    }
    return render(request, "meetings/detail.html", context)


@login_required
def agenda_edit(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    item = (
        get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting) if item_pk is not None else None
    )
    bloc_year = meeting.bloc_year
    years = [
        bloc_year.year,
        bloc_year.year + 1,
    ]  # the year-end conference signs next year's covenant
    offered = Q(number_year__in=years) | Q(status=Document.Status.DRAFT)
    if item is not None and item.document_id:
        offered |= Q(pk=item.document_id)
    documents = (
        Document.objects.filter(offered, bloc_id=bloc_year.bloc_id)
        .select_related("doc_type")
        .order_by("-created_at")
    )
    form = AgendaItemForm(
        request.POST or None,
        initial=AgendaItemForm.initial_from(item) if item else {"published": False},
        ballot_rounds=BallotRound.objects.filter(bloc_year=bloc_year).order_by("pk"),
        covenants=Covenant.objects.filter(
            bloc_year__bloc_id=bloc_year.bloc_id, bloc_year__year__in=years
        )
        .exclude(status=Covenant.Status.SUPERSEDED)
        .order_by("bloc_year__year", "version"),
        documents=documents,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agenda_item_save(
                meeting=meeting, by=request.user, item=item, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu nội dung chương trình."))
            return _to_detail(meeting, f"muc-{saved.pk}")
    context = {"meeting": meeting, "bloc_year": bloc_year, "form": form, "item": item}
    return render(request, "meetings/agenda_form.html", context)


# --- the invitation -----------------------------------------------------------------------------


def _invitation_context(meeting: Meeting) -> dict:
    document = meeting.invitation
    return {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "document": document,
        "progress": meeting_documents.invitation_progress(meeting),
        "send_form": SendForm() if document is not None else None,
    }


@login_required
def invitation_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the invitation and the progress of its e-mails (the partial, polled while some are
    waiting); POST action=create drafts it from the meeting, action=send issues and sends it."""
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    if request.method != "POST":
        template = (
            "meetings/invitation.html#progress" if request.htmx else "meetings/invitation.html"
        )
        return render(request, template, _invitation_context(meeting))
    action = request.POST.get("action")
    try:
        if action == "create":
            document = meeting_documents.invitation_create(meeting=meeting, by=request.user)
            messages.success(request, _("Đã lập dự thảo giấy mời; hãy xem lại trước khi gửi."))
            return redirect("document_detail", pk=document.pk)
        if action == "send":
            form = SendForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Hãy nhập ngày ban hành giấy mời."))
                return redirect("meeting_invitation", pk=meeting.pk)
            queued = meeting_documents.invitation_send(
                meeting=meeting, by=request.user, **form.cleaned_data
            )
            messages.success(request, _("Đã xếp %(n)s thư vào hàng gửi.") % {"n": queued})
        else:
            messages.error(request, _("Thao tác không hợp lệ."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("meeting_invitation", pk=meeting.pk)


# --- the minutes and the year's report -----------------------------------------------------------


@login_required
def minutes_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes' issue form (defaults from the meeting); POST issues them in the register."""
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    if meeting.minutes_id is not None:
        return redirect("document_detail", pk=meeting.minutes_id)
    form = MinutesForm(
        request.POST or None, initial=meeting_documents.minutes_defaults(meeting=meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = meeting_documents.minutes_issue(
                meeting=meeting, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã phát hành biên bản hội nghị số %(n)s.") % {"n": document.number_text}
            )
            return redirect("document_detail", pk=document.pk)
    snapshot = meeting_documents.minutes_snapshot(
        meeting, place="", held_on=meeting_documents.local_start(meeting).date()
    )
    context = {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "form": form,
        "preview": snapshot,
    }
    return render(request, "meetings/minutes_form.html", context)


@login_required
@require_POST
def year_report(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    try:
        document = meeting_documents.year_report_draft(
            bloc_year=meeting.bloc_year, by=request.user, meeting=meeting
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _to_detail(meeting)
    messages.success(request, _("Dự thảo báo cáo tổng kết đã sẵn sàng để sửa và phát hành."))
    return redirect("document_detail", pk=document.pk)


# --- the hall's screen --------------------------------------------------------------------------


def _board_context(meeting: Meeting) -> dict:
    return {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "board": selectors.live_board(meeting=meeting),
    }


@login_required
@require_GET
def live_board(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk)
    return render(request, "meetings/board.html", _board_context(meeting))


@login_required
@require_GET
def live_board_counts(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk)
    return render(request, "meetings/board.html#counts", _board_context(meeting))


# --- public -------------------------------------------------------------------------------------


@require_GET
def announcements(request: HttpRequest, bloc_pk: int) -> HttpResponse:
    """Public: the bloc's conferences and the drafts they publish, as seed 000's chair posted
    them on its website. A draft is listed by its title only; an issued document links to its
    public verification page."""
    bloc = get_object_or_404(Bloc, pk=bloc_pk)
    published = Prefetch(
        "agenda",
        queryset=AgendaItem.objects.filter(published=True)
        .select_related("document__doc_type")
        .order_by("position", "pk"),
        to_attr="published_items",
    )
    meetings = (
        Meeting.objects.filter(bloc_year__bloc=bloc)
        .annotate(published_count=Count("agenda", filter=Q(agenda__published=True)))
        .filter(Q(published_count__gt=0) | ~Q(status=Meeting.Status.DRAFT))
        .select_related("host_unit", "bloc_year")
        .prefetch_related(published)
        .order_by("-starts_at")
    )
    rows = [
        (
            meeting,
            meeting_documents.time_text(meeting.starts_at),
            meeting_documents.place_text(meeting),
        )
        for meeting in meetings
    ]
    return render(request, "meetings/announcements.html", {"bloc": bloc, "rows": rows})
