"""The bloc's rotation order and history, the election of next year's chair and vice at the
conference, and the handover of the rotating flag.

Seed 002: "the vice of year N became chair of N+1", the next unit in the rotation becomes vice.
The conference votes each seat in its own secret ballot round (awards.services, purpose
"election", one candidate each); the rounds hang on the meeting's "Bầu Khối trưởng, Khối phó"
agenda items, so the hall's live board follows them. Applying a result that both rounds
elected creates next year's bloc year and records the handover.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awards import services as awards_services
from awards.views.ballots import rule_rows
from blocs.models import BlocYear
from blocs.selectors import bloc_members, bloc_years
from blocs.views import get_bloc_for_user
from meetings import selectors, services
from meetings.forms_registration import ElectionApplyForm, ElectionForm, RotationForm
from meetings.models import Handover, Meeting, RotationEntry
from meetings.selectors import Seat, seats_of
from meetings.views.common import get_meeting

MANAGE = "meetings.manage_meeting"


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- the rotation order and the bloc's history ------------------------------------------------


@login_required
def rotation(request: HttpRequest, bloc_pk: int) -> HttpResponse:
    """Everyone of the bloc (and the ministry) reads it; the secretariat of the bloc's latest year
    sets the order."""
    bloc = get_bloc_for_user(request.user, bloc_pk)
    years = list(bloc_years(bloc=bloc))
    latest = years[0] if years else None
    can_edit = bool(latest and request.user.has_perm("meetings.manage_meetings_of", latest))
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    entries = list(RotationEntry.objects.filter(bloc=bloc).select_related("unit"))
    form = None
    if can_edit:
        units = list(bloc_members(bloc=bloc, year=latest.year))
        positions = {e.unit_id: e.position for e in entries} or {
            u.pk: i for i, u in enumerate(units, start=1)
        }
        # Positions renumbered 1…n over the current members (a former member's place is dropped).
        ranked = sorted((p, pk) for pk, p in positions.items() if pk in {u.pk for u in units})
        positions = {pk: i for i, (_p, pk) in enumerate(ranked, start=1)}
        form = RotationForm(
            request.POST if request.method == "POST" else None, units=units, positions=positions
        )
        if form.is_valid():
            services.rotation_set(bloc=bloc, units=form.ordered_units(), by=request.user)
            messages.success(request, _("Đã lưu thứ tự luân phiên."))
            return redirect("bloc_rotation", bloc_pk=bloc.pk)
    members = (
        set(bloc_members(bloc=bloc, year=latest.year).values_list("pk", flat=True))
        if latest
        else set()
    )
    chair, vice = services.election_proposal(bloc_year=latest) if latest else (None, None)
    context = {
        "bloc": bloc,
        "latest": latest,
        "years": years,
        "entries": entries,
        "members": members,
        "handovers": selectors.handovers_of(bloc=bloc),
        "form": form,
        "can_edit": can_edit,
        "proposal_chair": chair,
        "proposal_vice": vice,
        "next_year": latest.year + 1 if latest else None,
    }
    return render(request, "meetings/election/rotation.html", context)


# --- the election at the conference -----------------------------------------------------------


def _electable(bloc_year: BlocYear):
    """Next year's members when memberships for it exist, else this year's."""
    following = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year + 1)
    return (
        following if following.exists() else bloc_members(bloc=bloc_year.bloc, year=bloc_year.year)
    )


def _election_context(meeting: Meeting, seats: list[Seat], form, apply_form) -> dict:
    bloc_year = meeting.bloc_year
    proposal = services.election_proposal(bloc_year=bloc_year)
    handover = (
        Handover.objects.filter(bloc=bloc_year.bloc, year=bloc_year.year + 1)
        .select_related("from_unit", "to_unit")
        .first()
    )
    members = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).count()
    rules = awards_services.rules_for(bloc_year)
    quorum = rule_rows(
        quorum=rules["quorum"],
        base=rules["base"],
        pass_share=rules["pass_share"],
        tie_break=rules["tie_break"],
    )[0][1]
    return {
        "meeting": meeting,
        "bloc_year": bloc_year,
        "next_year": bloc_year.year + 1,
        "seats": seats,
        "proposal_chair": proposal[0],
        "proposal_vice": proposal[1],
        "form": form,
        "apply_form": apply_form,
        "handover": handover,
        "present_units": len(services.present_unit_ids(meeting)),
        "members": members,
        "quorum": quorum,
        "problems": [p for p in (s.problem() for s in seats) if p],
        "can_create": handover is None and any(s.needs_round for s in seats),
        "can_apply": handover is None and all(s.elected for s in seats),
    }


@login_required
def election(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    seats = seats_of(meeting)
    chair, vice = services.election_proposal(bloc_year=meeting.bloc_year)
    initial = {"chair": chair, "vice": vice}
    for seat in seats:
        if seat.candidate and not seat.needs_round:
            initial[seat.role] = seat.candidate
    data = request.POST if request.method == "POST" else None
    form = ElectionForm(
        data,
        units=_electable(meeting.bloc_year),
        kind_word=meeting.bloc_year.bloc.kind_name,
        initial=initial,
    )
    for seat in seats:
        form.fields[
            seat.role
        ].disabled = not seat.needs_round  # an open or won seat keeps its candidate
    handed = Handover.objects.filter(
        bloc=meeting.bloc_year.bloc, year=meeting.bloc_year.year + 1
    ).exists()
    if data is not None and not handed and any(s.needs_round for s in seats) and form.is_valid():
        try:
            opened = services.election_rounds_open(
                meeting=meeting,
                chair=form.cleaned_data["chair"],
                vice=form.cleaned_data["vice"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã mở bỏ phiếu: %(titles)s (%(n)s/%(total)s đơn vị có mặt theo điểm danh, "
                    "số liệu giữ nguyên đến khi kết thúc bỏ phiếu)."
                )
                % {
                    "titles": "; ".join(r.title for r in opened),
                    "n": opened[0].present_units,
                    "total": opened[0].member_units,
                },
            )
            return redirect("meeting_election", pk=meeting.pk)
    elif data is not None and form.is_valid():
        messages.error(request, _("Không còn vị trí nào cần bầu."))
        return redirect("meeting_election", pk=meeting.pk)
    apply_form = ElectionApplyForm(
        initial={"handed_on": timezone.localtime(meeting.starts_at).date()}
    )
    return render(
        request,
        "meetings/election/election.html",
        _election_context(meeting, seats, form, apply_form),
    )


@login_required
@require_POST
def election_apply(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting(request.user, pk, perm=MANAGE)
    seats = seats_of(meeting)
    problems = [p for p in (s.problem() for s in seats) if p]
    form = ElectionApplyForm(request.POST)
    if problems or not form.is_valid():
        messages.error(
            request,
            _("Chưa áp dụng được kết quả bầu: %(why)s")
            % {"why": " ".join(problems) or _form_errors(form)},
        )
        return redirect("meeting_election", pk=meeting.pk)
    chair, vice = (seat.candidate for seat in seats)
    try:
        next_year = services.election_apply(
            bloc_year=meeting.bloc_year,
            chair=chair,
            vice=vice,
            by=request.user,
            handed_on=form.cleaned_data["handed_on"],
            meeting=meeting,
        )
    except ValidationError as exc:
        messages.error(request, _("Chưa áp dụng được kết quả bầu: %(why)s") % {"why": _errors(exc)})
        return redirect("meeting_election", pk=meeting.pk)
    kind = meeting.bloc_year.bloc.kind_name
    messages.success(
        request,
        _(
            "%(kind)s trưởng năm %(year)s: %(chair)s; %(kind)s phó: %(vice)s. Đã ghi nhận "
            "trao cờ luân lưu."
        )
        % {"kind": kind, "year": next_year.year, "chair": chair.full_name, "vice": vice.full_name},
    )
    return redirect(
        reverse("bloc_detail", kwargs={"pk": meeting.bloc_year.bloc_id}) + f"?nam={next_year.year}"
    )
