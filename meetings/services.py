"""Every write of the meetings app: conferences, registrations, check-in, rotation, election,
the rotating flag."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from awards import services as awards_services
from awards.models import BallotRound
from blocs.models import BlocYear, MemberUnit, User
from blocs.selectors import bloc_members
from khoi_portal.lib.vietnamese import nfc
from meetings import selectors
from meetings.models import (
    AgendaItem,
    Delegate,
    Handover,
    Meeting,
    Registration,
    RegistrationReminder,
    RotationEntry,
)


def _stamp(obj, *, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


# Seed 000's agenda of a year-end conference.
YEAR_END_AGENDA = [
    (
        AgendaItem.Action.ADOPT_REPORT,
        "Thông qua dự thảo Báo cáo tổng kết công tác thi đua năm {year} của Khối",
    ),
    (
        AgendaItem.Action.ADOPT_SUMMARY,
        "Thông qua Biểu tổng hợp tự chấm điểm của các thành viên Khối",
    ),
    (AgendaItem.Action.AWARD_VOTE, "Bình xét thi đua, khen thưởng các thành viên Khối năm {year}"),
    (AgendaItem.Action.ELECT, "Bầu Trưởng khối, Phó Trưởng khối thi đua năm {next}"),
    (AgendaItem.Action.HANDOVER, "Trao cờ luân lưu cho Khối trưởng năm {next}"),
    (AgendaItem.Action.SIGN_COVENANT, "Ký kết giao ước thi đua năm {next}"),
]


@transaction.atomic
def meeting_create(
    *,
    bloc_year: BlocYear,
    title: str,
    starts_at: dt.datetime,
    host_unit: MemberUnit,
    address: str,
    by: User,
    kind: str = Meeting.Kind.YEAR_END,
    participants: str = "",
    registration_deadline: dt.datetime | None = None,
    contact: str = "",
    default_agenda: bool = True,
) -> Meeting:
    if not bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).filter(pk=host_unit.pk).exists():
        raise ValidationError(_("Đơn vị đăng cai phải là thành viên của khối."))
    if registration_deadline and registration_deadline > starts_at:
        raise ValidationError(_("Hạn đăng ký phải trước thời gian hội nghị."))
    meeting = Meeting(
        bloc_year=bloc_year,
        kind=kind,
        title=nfc(title),
        starts_at=starts_at,
        host_unit=host_unit,
        address=nfc(address),
        participants=nfc(participants),
        registration_deadline=registration_deadline,
        contact=nfc(contact),
        created_by=by,
    )
    _stamp(meeting, by=by, reason="Tạo hội nghị")
    meeting.save()
    if default_agenda and kind == Meeting.Kind.YEAR_END:
        for position, (action, title_template) in enumerate(YEAR_END_AGENDA, start=1):
            AgendaItem.objects.create(
                meeting=meeting,
                position=position * 10,
                action=action,
                title=title_template.format(year=bloc_year.year, next=bloc_year.year + 1),
            )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by: User,
    title: str,
    starts_at: dt.datetime,
    host_unit: MemberUnit,
    address: str,
    kind: str,
    participants: str = "",
    registration_deadline: dt.datetime | None = None,
    contact: str = "",
) -> Meeting:
    """Change a conference's details with the checks of ``meeting_create``. The invitation, once
    made, keeps the text it was drafted with (it is a document: edit the draft, or supersede)."""
    current = (
        Meeting.objects.select_for_update().select_related("bloc_year__bloc").get(pk=meeting.pk)
    )
    bloc_year = current.bloc_year
    if not bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).filter(pk=host_unit.pk).exists():
        raise ValidationError(_("Đơn vị đăng cai phải là thành viên của khối."))
    if registration_deadline and registration_deadline > starts_at:
        raise ValidationError(_("Hạn đăng ký phải trước thời gian hội nghị."))
    current.title, current.kind = nfc(title), kind
    current.starts_at, current.registration_deadline = starts_at, registration_deadline
    current.host_unit, current.address = host_unit, nfc(address)
    current.participants, current.contact = nfc(participants), nfc(contact)
    _stamp(current, by=by, reason="Sửa thông tin hội nghị")
    current.save()
    return current


@transaction.atomic
def agenda_item_save(
    *,
    meeting: Meeting,
    by: User,
    action: str,
    title: str,
    item: AgendaItem | None = None,
    ballot_round=None,
    covenant=None,
    document=None,
    published: bool = False,
    outcome: str = "",
) -> AgendaItem:
    if item is None:
        position = (
            AgendaItem.objects.filter(meeting=meeting).aggregate(p=Max("position"))["p"] or 0
        ) + 10
        item = AgendaItem(meeting=meeting, position=position)
    for related, name in ((ballot_round, "vòng bỏ phiếu"), (covenant, "giao ước")):
        if related is not None and related.bloc_year.bloc_id != meeting.bloc_year.bloc_id:
            raise ValidationError(_("%(what)s không thuộc khối này.") % {"what": name})
    item.action, item.title, item.ballot_round, item.covenant = (
        action,
        nfc(title),
        ballot_round,
        covenant,
    )
    item.document, item.published, item.outcome = document, published, nfc(outcome)
    item.save()
    _stamp(meeting, by=by, reason=f"Cập nhật chương trình: {item.title}")
    meeting.save()
    return item


# --- registration and check-in ---------------------------------------------------------------


@transaction.atomic
def registration_save(
    *,
    meeting: Meeting,
    unit: MemberUnit,
    by: User,
    delegates: list[dict],
    declined: bool = False,
    note: str = "",
) -> Registration:
    """A unit's delegates (name, title, phone, e-mail, arrival, met the day before). Before the
    deadline only; the secretariat may still correct it afterwards."""
    from meetings.permissions import can_manage_meeting

    if (
        not bloc_members(bloc=meeting.bloc_year.bloc, year=meeting.bloc_year.year)
        .filter(pk=unit.pk)
        .exists()
    ):
        raise ValidationError(_("Đơn vị không phải thành viên của khối."))
    late = meeting.registration_deadline and timezone.now() > meeting.registration_deadline
    if late and not can_manage_meeting(by, meeting):
        raise ValidationError(_("Đã hết hạn đăng ký đại biểu; hãy liên hệ thường trực khối."))
    if not declined and not delegates:
        raise ValidationError(_("Hãy ghi ít nhất một đại biểu, hoặc chọn không tham dự."))
    registration, _created = Registration.objects.select_for_update().get_or_create(
        meeting=meeting, unit=unit
    )
    registration.declined, registration.note, registration.updated_by = declined, nfc(note), by
    _stamp(registration, by=by, reason="Đăng ký đại biểu" if not declined else "Báo không tham dự")
    registration.save()
    for data in delegates:
        if not data.get("full_name", "").strip():
            raise ValidationError(_("Họ tên đại biểu không được để trống."))
        delegate = Delegate(
            registration=registration,
            full_name=nfc(data["full_name"].strip()),
            title=nfc(data.get("title", "")),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            arrival_date=data.get("arrival_date"),
            arrives_day_before=bool(data.get("arrives_day_before")),
            needs_pickup=bool(data.get("needs_pickup")),
        )
        _stamp(delegate, by=by, reason="Đăng ký đại biểu")
        delegate.save()
    return registration


@transaction.atomic
def delegate_substitute(
    *,
    delegate: Delegate,
    by: User,
    full_name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
) -> Delegate:
    """Replace a registered delegate by another person; the QR code of the first stops working."""
    current = Delegate.objects.select_for_update().get(pk=delegate.pk)
    if current.substituted_by_id is not None:
        raise ValidationError(_("Đại biểu này đã được thay."))
    if current.checked_in_at is not None:
        raise ValidationError(_("Đại biểu đã có mặt, không thay được."))
    new = Delegate(
        registration=current.registration,
        full_name=nfc(full_name.strip()),
        title=nfc(title),
        phone=phone,
        email=email,
        arrival_date=current.arrival_date,
        arrives_day_before=current.arrives_day_before,
        needs_pickup=current.needs_pickup,
    )
    _stamp(new, by=by, reason=f"Thay cho {current.full_name}")
    new.save()
    current.substituted_by = new
    _stamp(current, by=by, reason=f"Được thay bằng {new.full_name}")
    current.save()
    return new


@transaction.atomic
def check_in(*, meeting: Meeting, token: str, by: User, at: dt.datetime | None = None) -> Delegate:
    """Mark a delegate present from the QR code; a second scan changes nothing. *at* records an
    arrival already past (the demo's conferences); the desk leaves it to the clock."""
    # qr_token is unique: no ORDER BY (the model's ordering would sort by the registration's).
    found = list(
        Delegate.objects.select_for_update()
        .select_related("registration__unit")
        .filter(registration__meeting=meeting, qr_token=token.strip())
        .order_by()[:1]
    )
    delegate = found[0] if found else None
    if delegate is None:
        raise ValidationError(_("Mã QR không đúng hoặc không thuộc hội nghị này."))
    if delegate.substituted_by_id is not None:
        raise ValidationError(
            _("Đại biểu %(name)s đã được thay bằng người khác.") % {"name": delegate.full_name}
        )
    if delegate.checked_in_at is None:
        delegate.checked_in_at, delegate.checked_in_by = at or timezone.now(), by
        _stamp(delegate, by=by, reason="Điểm danh có mặt")
        # The history row still snapshots every field (django-simple-history reads the instance).
        delegate.save(update_fields=["checked_in_at", "checked_in_by"])
    return delegate


def present_unit_ids(meeting: Meeting) -> set[int]:
    """Units with at least one delegate checked in (``selectors.present_unit_ids``)."""
    return selectors.present_unit_ids(meeting=meeting)


# --- ballot rounds held at the conference ------------------------------------------------------
#
# A round held at a conference takes its presence from check-in, counted when the vote opens and
# frozen on the round (``BallotRound.present_units``) until it closes. That is what the
# vote-count minutes record ("số đơn vị có mặt khi bỏ phiếu") and what the chair announces when
# opening the vote: the quorum is verified once, at opening, and the figure never moves under
# the committee's feet while ballots come in. A unit checked in later is on the check-in list
# with its time but does not change a round already open. A round without a conference (paper
# ballots sent in, a remote vote) keeps the number the secretariat types.


def _conference_item(*, ballot_round: BallotRound, meeting: Meeting, by: User) -> AgendaItem:
    """The agenda item carrying *ballot_round*: the one it is already on, else the first free
    item of its kind, else a new item. A round is on one conference's agenda only."""
    item = AgendaItem.objects.filter(ballot_round=ballot_round).select_related("meeting").first()
    if item is not None:
        if item.meeting_id != meeting.pk:
            raise ValidationError(
                _("Vòng bỏ phiếu này thuộc chương trình hội nghị “%(title)s”.")
                % {"title": item.meeting.title}
            )
        return item
    action = (
        AgendaItem.Action.ELECT
        if ballot_round.purpose == "election"
        else AgendaItem.Action.AWARD_VOTE
    )
    free = (
        AgendaItem.objects.filter(meeting=meeting, action=action, ballot_round__isnull=True)
        .order_by("position", "pk")
        .first()
    )
    if free is None:
        return agenda_item_save(
            meeting=meeting,
            by=by,
            action=action,
            title=ballot_round.title,
            ballot_round=ballot_round,
        )
    return agenda_item_save(
        meeting=meeting,
        by=by,
        item=free,
        action=free.action,
        title=free.title,
        ballot_round=ballot_round,
        covenant=free.covenant,
        document=free.document,
        published=free.published,
        outcome=free.outcome,
    )


@transaction.atomic
def round_open_at_conference(
    *, ballot_round: BallotRound, meeting: Meeting, by: User
) -> BallotRound:
    """Open *ballot_round* as held at *meeting*: put it on the conference's agenda (the hall's
    screen follows it) and freeze the units checked in now as its presence."""
    current = BallotRound.objects.select_for_update().get(pk=ballot_round.pk)
    if current.bloc_year_id != meeting.bloc_year_id:
        raise ValidationError(_("Hội nghị và vòng bỏ phiếu không cùng năm thi đua của khối."))
    if current.status != BallotRound.Status.DRAFT:
        raise ValidationError(_("Vòng bỏ phiếu đã mở hoặc đã kết thúc."))
    _conference_item(ballot_round=current, meeting=meeting, by=by)
    bloc_year = current.bloc_year
    present = (
        bloc_members(bloc=bloc_year.bloc, year=bloc_year.year)
        .filter(pk__in=selectors.present_unit_ids(meeting=meeting))
        .count()
    )
    return awards_services.round_open(ballot_round=current, by=by, present_units=present)


@transaction.atomic
def round_open_with_presence(
    *,
    ballot_round: BallotRound,
    by: User,
    meeting: Meeting | None = None,
    present_units: int | None = None,
) -> BallotRound:
    """Open a round from its page: at *meeting* (presence from check-in, frozen) or, without a
    conference, with the number the secretariat typed. A round on a conference's agenda, or
    opened on the day of one of the bloc year's conferences, is held there: no typed number."""
    conference = selectors.round_conference(ballot_round=ballot_round)
    required = conference.required
    if meeting is None and required is not None:
        raise ValidationError(
            _(
                "Vòng bỏ phiếu tại hội nghị “%(title)s”: số đơn vị có mặt lấy theo điểm danh, "
                "không nhập tay."
            )
            % {"title": required.title}
        )
    if meeting is not None and conference.linked and conference.linked.pk != meeting.pk:
        raise ValidationError(
            _("Vòng bỏ phiếu này thuộc chương trình hội nghị “%(title)s”.")
            % {"title": conference.linked.title}
        )
    if meeting is not None:
        if present_units is not None:
            raise ValidationError(
                _("Vòng gắn với hội nghị lấy số đơn vị có mặt theo điểm danh; để trống ô số.")
            )
        return round_open_at_conference(ballot_round=ballot_round, meeting=meeting, by=by)
    return awards_services.round_open(ballot_round=ballot_round, by=by, present_units=present_units)


@transaction.atomic
def election_rounds_open(
    *, meeting: Meeting, chair: MemberUnit, vice: MemberUnit, by: User
) -> list[BallotRound]:
    """One open round per seat that needs one (next year's chair, vice), each on its "elect"
    agenda item, with the conference's check-in as presence (``round_open_at_conference``)."""
    # One election at a time per conference: the meeting row is the lock, so a double-clicked
    # button cannot open two rounds for the same seat.
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if Handover.objects.filter(bloc=locked.bloc_year.bloc, year=locked.bloc_year.year + 1).exists():
        raise ValidationError(
            _("Cờ luân lưu năm %(y)s đã được trao.") % {"y": locked.bloc_year.year + 1}
        )
    if chair.pk == vice.pk:
        raise ValidationError(
            _("%(kind)s trưởng và %(kind)s phó phải là hai đơn vị khác nhau.")
            % {"kind": locked.bloc_year.bloc.kind_name}
        )
    seats = [seat for seat in selectors.seats_of(locked) if seat.needs_round]
    if not seats:
        raise ValidationError(_("Không còn vị trí nào cần bầu."))
    units = {"chair": chair, "vice": vice}
    opened = []
    for seat in seats:
        created = awards_services.round_create(
            bloc_year=locked.bloc_year,
            title=seat.title,
            by=by,
            purpose="election",
            unit_candidates=[units[seat.role]],
            award_type=None,
            seats=1,
            max_choices=1,
            held_on=timezone.localtime(locked.starts_at).date(),
        )
        item = seat.item
        if item is None:
            agenda_item_save(
                meeting=locked,
                by=by,
                action=AgendaItem.Action.ELECT,
                title=seat.title,
                ballot_round=created,
            )
        else:
            agenda_item_save(
                meeting=locked,
                by=by,
                item=item,
                action=item.action,
                title=item.title,
                ballot_round=created,
                covenant=item.covenant,
                document=item.document,
                published=item.published,
                outcome=item.outcome,
            )
        opened.append(round_open_at_conference(ballot_round=created, meeting=locked, by=by))
    return opened


# --- registration reminders --------------------------------------------------------------------


def reminder_claim(
    *, meeting: Meeting, unit: MemberUnit, day: dt.date
) -> RegistrationReminder | None:
    """Claim today's reminder to *unit*; None when another run already has. The unique
    (meeting, unit, day) decides between concurrent runs, so a retried task never sends twice."""
    try:
        with transaction.atomic():
            return RegistrationReminder.objects.create(meeting=meeting, unit=unit, day=day)
    except IntegrityError:
        return None


def reminder_record(
    *, reminder: RegistrationReminder, recipients: int, error: str = ""
) -> RegistrationReminder:
    """Record how the claimed reminder went. A failed send keeps its claim: the reminder is at
    most once a day, and tomorrow's run tries again."""
    reminder.recipients = recipients
    reminder.error = nfc(error)[:300]
    reminder.sent_at = None if error else timezone.now()
    reminder.save(update_fields=["recipients", "error", "sent_at"])
    return reminder


# --- rotation, election, the rotating flag ---------------------------------------------------


@transaction.atomic
def rotation_set(*, bloc, units: list[MemberUnit], by: User) -> list[RotationEntry]:
    RotationEntry.objects.filter(bloc=bloc).delete()
    return [
        RotationEntry.objects.create(bloc=bloc, unit=unit, position=position)
        for position, unit in enumerate(units, start=1)
    ]


def election_proposal(*, bloc_year: BlocYear) -> tuple[MemberUnit | None, MemberUnit | None]:
    """The default proposal (seed 002): this year's vice chairs next year, and the unit after it
    in the rotation order becomes vice (skipping this year's chair)."""
    chair = bloc_year.vice
    order = [
        entry.unit
        for entry in RotationEntry.objects.filter(bloc=bloc_year.bloc).select_related("unit")
    ]
    members = set(
        bloc_members(bloc=bloc_year.bloc, year=bloc_year.year + 1).values_list("pk", flat=True)
    ) or set(bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).values_list("pk", flat=True))
    order = [u for u in order if u.pk in members]
    if chair is None or not order:
        return chair, None
    start = next((i for i, u in enumerate(order) if u.pk == chair.pk), -1)
    for step in range(1, len(order) + 1):
        candidate = order[(start + step) % len(order)]
        if candidate.pk not in (chair.pk, bloc_year.chair_id):
            return chair, candidate
    return chair, None


@transaction.atomic
def election_apply(
    *,
    bloc_year: BlocYear,
    chair: MemberUnit,
    vice: MemberUnit,
    by: User,
    handed_on: dt.date,
    meeting: Meeting | None = None,
) -> BlocYear:
    """Create (or set) next year's bloc year with the elected chair and vice, and record the
    handover of the rotating flag from this year's chair."""
    from blocs.services import bloc_year_set_leadership

    next_year, _created = BlocYear.objects.get_or_create(
        bloc=bloc_year.bloc, year=bloc_year.year + 1
    )
    next_year = bloc_year_set_leadership(bloc_year=next_year, chair=chair, vice=vice, changed_by=by)
    try:
        with transaction.atomic():
            handover = Handover(
                bloc=bloc_year.bloc,
                year=next_year.year,
                from_unit=bloc_year.chair,
                to_unit=chair,
                handed_on=handed_on,
                meeting=meeting,
            )
            _stamp(handover, by=by, reason="Trao cờ luân lưu")
            handover.save()
    except IntegrityError:
        raise ValidationError(
            _("Cờ luân lưu năm %(y)s đã được trao.") % {"y": next_year.year}
        ) from None
    return next_year


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, by: User) -> Meeting:
    meeting.status = Meeting.Status.HELD
    _stamp(meeting, by=by, reason="Hội nghị đã tổ chức")
    meeting.save()
    return meeting
