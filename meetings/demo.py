"""Demo conferences from the seeds. Idempotent: every step looks for what it would make and
makes it only if missing, so a second run writes nothing. Loaded last, after the covenants and
awards demos (``manage.py load_demo``).

- **KTĐMTNB, year-end conference of 2020** (seed 000): 9:00 on Friday 15/01/2021 at the Sóc
  Trăng board (Km2126+500, Quốc lộ 1A, đường N2, KCN An Nghiệp). Its invitation is the one the
  documents demo issued, 01/TM-KTĐMTNB of 11/01/2021. The seed does not say who came: here 11 of
  the 13 members registered (Cà Mau sent apologies, Trà Vinh did not answer), each unit's
  delegates are its demo people (fictional names, except the seed's Nguyễn Văn Kiệt and Đỗ Thanh
  Chiến of the host), Long An's leader arrives on 14/01/2021 and is met by the office chief as the
  seed offers, and every registered delegate checked in between 8:30 and 8:55.
- **KTĐTN, year-end conference of 2021** (seed 002): 10/11/2021, all 11 members present, the
  2022 covenant signed online (covenants demo), the 2021 flag round (awards demo), Lâm Đồng
  elected chair and Vân Phong – Khánh Hòa vice for 2022, the flag handed over by Đà Nẵng. The
  garbled seed's place "… Nông" is read as Đà Nẵng, the 2021 chair, as the covenants demo reads
  it; the hour (9:00) and the check-in times are the demo's. The minutes are issued on
  10/11/2021 in the KTĐTN register, so ``export_documents --bloc KTĐTN --year 2021`` has them;
  the year's report is left as a published draft on the agenda.
- **KTĐTN rotation order**: only Đắk Lắk (2019 chair) → Đà Nẵng (2021) → Lâm Đồng (2022) →
  Vân Phong (2022 vice) follows the seeds; the rest of the order is the demo's.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from blocs.demo import TAY_NAM_BO, TAY_NGUYEN
from blocs.models import Bloc, BlocYear, MemberUnit, User
from documents.demo import INVITATION_SUBJECT
from documents.models import Document
from documents.services import document_freeze_pdf
from meetings import services
from meetings.documents import invitation_attach, minutes_issue, year_report_draft
from meetings.models import AgendaItem, Delegate, Handover, Meeting, Registration, RotationEntry

# --- KTĐMTNB, seed 000 --------------------------------------------------------------------------

TNB_DAY = dt.date(2021, 1, 15)
TNB_TITLE = "Hội nghị tổng kết công tác thi đua năm 2020"
TNB_ADDRESS = "Km2126+500, Quốc lộ 1A, đường N2, KCN An Nghiệp, tỉnh Sóc Trăng"
TNB_PARTICIPANTS = (
    "Lãnh đạo Ban và công chức phụ trách công tác thi đua, khen thưởng của các đơn vị thuộc "
    "Khối thi đua các Ban Quản lý KCN, KCX, KKT Miền Tây Nam Bộ."
)
TNB_CONTACT = (
    "Đơn vị đến tỉnh Sóc Trăng vào ngày 14/01/2021 liên hệ đ/c Đỗ Thanh Chiến, Chánh Văn phòng Ban "
    "Quản lý các khu công nghiệp tỉnh Sóc Trăng, điện thoại 0907 192132 hoặc 02993 500 896"
)
TNB_DECLINED = {"camau": "Bận công tác đột xuất, xin vắng mặt (dữ liệu mẫu)."}
TNB_SILENT = {"travinh"}
TNB_DAY_BEFORE = "longan"  # its leader arrives on 14/01/2021 and is met (seed 000's offer)
TNB_KEYS = [
    "soctrang",
    "angiang",
    "baclieu",
    "bentre",
    "camau",
    "cantho",
    "dongthap",
    "haugiang",
    "kiengiang",
    "longan",
    "tiengiang",
    "travinh",
    "vinhlong",
]

# --- KTĐTN, seed 002 ----------------------------------------------------------------------------

TN_DAY = dt.date(2021, 11, 10)
TN_TITLE = "Hội nghị tổng kết công tác thi đua năm 2021 và ký kết giao ước thi đua năm 2022"
TN_ADDRESS = (
    "Ban Quản lý Khu công nghệ cao và các khu công nghiệp Đà Nẵng (điểm cầu chính; các đơn vị "
    "tham dự và ký giao ước trực tuyến)"
)
TN_PARTICIPANTS = (
    "Lãnh đạo 11 Ban Quản lý thành viên Khối thi đua; đại diện Văn phòng Thi đua, khen thưởng và "
    "Truyền thông, Bộ Kế hoạch và Đầu tư."
)
TN_KEYS = [
    "binhdinh",
    "danang",
    "daklak",
    "daknong",
    "gialai",
    "vanphong",
    "kontum",
    "lamdong",
    "phuyen",
    "chulai",
    "dungquat",
]
# Đắk Lắk 2019 → Đà Nẵng 2021 → Lâm Đồng 2022 → Vân Phong (2022 vice): seeds; the rest: demo.
TN_ROTATION = [
    "daklak",
    "danang",
    "lamdong",
    "vanphong",
    "phuyen",
    "binhdinh",
    "dungquat",
    "chulai",
    "kontum",
    "gialai",
    "daknong",
]
TN_FLAG_ROUND = "Bình xét, suy tôn tập thể đề nghị tặng Cờ thi đua của Bộ năm 2021"
TN_OUTCOMES = {
    AgendaItem.Action.ADOPT_REPORT: (
        "Hội nghị thống nhất thông qua dự thảo Báo cáo tổng kết công tác thi đua năm 2021 và "
        "phương hướng, nhiệm vụ năm 2022 của Khối."
    ),
    AgendaItem.Action.ADOPT_SUMMARY: (
        "Hội nghị thống nhất thông qua Biểu tổng hợp kết quả chấm điểm thi đua năm 2021."
    ),
    AgendaItem.Action.ELECT: (
        "Theo quy chế hoạt động của Khối, luân phiên Khối trưởng, Khối phó, Hội nghị thống nhất "
        "bầu Ban Quản lý các KCN tỉnh Lâm Đồng làm Khối trưởng và Ban Quản lý KKT Vân Phong tỉnh "
        "Khánh Hòa làm Khối phó Khối thi đua năm 2022."
    ),
    AgendaItem.Action.SIGN_COVENANT: (
        "11/11 đơn vị thành viên ký kết giao ước thi đua năm 2022 trực tuyến."
    ),
}


UNIT_NAMES = {seed.key: seed.full_name for seed in TAY_NAM_BO + TAY_NGUYEN}


def _user(username: str) -> User:
    return User.objects.select_related("unit").get(username=username)


def _unit(key: str) -> MemberUnit:
    """A demo unit by its key in blocs/demo.py."""
    return MemberUnit.objects.get(full_name=UNIT_NAMES[key])


def _person(key: str, role: str) -> User:
    """The unit's first demo leader or officer (Sóc Trăng's officer: the seed's Đỗ Thanh Chiến)."""
    return User.objects.filter(unit=_unit(key), unit_role=role).order_by("pk").first()


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _meeting(
    bloc_year: BlocYear,
    *,
    title: str,
    starts_at: dt.datetime,
    host: MemberUnit,
    address: str,
    by: User,
    participants: str,
    contact: str = "",
) -> Meeting:
    found = Meeting.objects.filter(bloc_year=bloc_year, starts_at=starts_at).first()
    return found or services.meeting_create(
        bloc_year=bloc_year,
        title=title,
        starts_at=starts_at,
        host_unit=host,
        address=address,
        by=by,
        participants=participants,
        contact=contact,
    )


def _delegates(key: str, *, day_before: bool = False, day: dt.date) -> list[dict]:
    """The unit's demo leader and officer as its delegates (fictional names but for the seeds')."""
    leader, officer = _person(key, User.UnitRole.LEADER), _person(key, User.UnitRole.OFFICER)
    arrival = (
        {
            "arrival_date": day - dt.timedelta(days=1),
            "arrives_day_before": True,
            "needs_pickup": True,
        }
        if day_before
        else {"arrival_date": day}
    )
    return [
        {
            "full_name": leader.full_name,
            "title": leader.job_title or "Lãnh đạo Ban",
            "email": leader.email,
            **arrival,
        },
        {
            "full_name": officer.full_name,
            "title": officer.job_title or "Chuyên viên",
            "email": officer.email,
            "arrival_date": day,
        },
    ]


def _register(
    meeting: Meeting,
    key: str,
    *,
    by: User,
    delegates: list[dict],
    declined: bool = False,
    note: str = "",
) -> None:
    unit = _unit(key)
    if not Registration.objects.filter(meeting=meeting, unit=unit).exists():
        services.registration_save(
            meeting=meeting, unit=unit, by=by, delegates=delegates, declined=declined, note=note
        )


def _check_in_all(meeting: Meeting, *, by: User, day: dt.date) -> None:
    """Check every registered delegate in, arriving 8:30–8:55 of the (past) conference day."""
    waiting = list(
        Delegate.objects.filter(
            registration__meeting=meeting, registration__declined=False, substituted_by__isnull=True
        ).order_by("pk")
    )
    last = max(len(waiting) - 1, 1)
    for index, delegate in enumerate(waiting):
        if delegate.checked_in_at is not None:
            continue
        services.check_in(
            meeting=meeting, token=delegate.qr_token, by=by, at=_at(day, 8, 30 + 25 * index // last)
        )


def _load_tay_nam_bo() -> Meeting:
    bloc = Bloc.objects.get(symbol="KTĐMTNB")
    bloc_year = BlocYear.objects.select_related("bloc").get(bloc=bloc, year=2020)
    secretary = _user("thuky.ktdmtnb")
    meeting = _meeting(
        bloc_year,
        title=TNB_TITLE,
        starts_at=_at(TNB_DAY, 9, 0),
        host=_unit("soctrang"),
        address=TNB_ADDRESS,
        by=secretary,
        participants=TNB_PARTICIPANTS,
        contact=TNB_CONTACT,
    )
    if meeting.invitation_id is None:
        invitation = Document.objects.get(bloc=bloc, subject=INVITATION_SUBJECT)
        meeting = invitation_attach(meeting=meeting, document=invitation, by=secretary)
    for key in TNB_KEYS:
        if key in TNB_SILENT:
            continue
        by = _person(key, User.UnitRole.OFFICER)
        if key in TNB_DECLINED:
            _register(meeting, key, by=by, delegates=[], declined=True, note=TNB_DECLINED[key])
        else:
            _register(
                meeting,
                key,
                by=by,
                delegates=_delegates(key, day_before=key == TNB_DAY_BEFORE, day=TNB_DAY),
            )
    _check_in_all(meeting, by=secretary, day=TNB_DAY)
    if meeting.status != Meeting.Status.HELD:
        meeting = services.meeting_mark_held(meeting=meeting, by=secretary)
    return meeting


def _rotation(bloc: Bloc, by: User) -> None:
    order = [_unit(key) for key in TN_ROTATION]
    current = list(
        RotationEntry.objects.filter(bloc=bloc)
        .order_by("position")
        .values_list("unit_id", flat=True)
    )
    if current != [unit.pk for unit in order]:
        services.rotation_set(bloc=bloc, units=order, by=by)


def _set_item(meeting: Meeting, item: AgendaItem, *, by: User, **changes) -> None:
    """Save an agenda item only when something differs (a re-run writes nothing)."""
    if all(getattr(item, name) == value for name, value in changes.items()):
        return
    values = {
        name: getattr(item, name)
        for name in (
            "action",
            "title",
            "ballot_round",
            "covenant",
            "document",
            "published",
            "outcome",
        )
    } | changes
    services.agenda_item_save(meeting=meeting, by=by, item=item, **values)


def _agenda(meeting: Meeting, bloc_year: BlocYear, by: User) -> None:
    from awards.models import BallotRound
    from covenants.selectors import current_covenant

    items = {item.action: item for item in meeting.agenda.order_by("position")}
    year_report_draft(
        bloc_year=bloc_year, by=by, meeting=meeting
    )  # attaches itself to ADOPT_REPORT
    items[AgendaItem.Action.ADOPT_REPORT].refresh_from_db()
    summary = (
        Document.objects.filter(
            bloc_id=bloc_year.bloc_id, kind="summary_table", extra__year=bloc_year.year
        )
        .exclude(status=Document.Status.DRAFT)
        .order_by("number")
        .first()
    )
    following = BlocYear.objects.get(bloc_id=bloc_year.bloc_id, year=bloc_year.year + 1)
    links = {
        AgendaItem.Action.ADOPT_REPORT: {"published": True},
        AgendaItem.Action.ADOPT_SUMMARY: {"document": summary, "published": summary is not None},
        AgendaItem.Action.AWARD_VOTE: {
            "ballot_round": BallotRound.objects.filter(
                bloc_year=bloc_year, title=TN_FLAG_ROUND
            ).first()
        },
        AgendaItem.Action.SIGN_COVENANT: {"covenant": current_covenant(bloc_year=following)},
    }
    for action, item in items.items():
        changes = links.get(action, {}) | (
            {"outcome": TN_OUTCOMES[action]} if action in TN_OUTCOMES else {}
        )
        _set_item(meeting, item, by=by, **changes)


def _load_tay_nguyen() -> Meeting:
    bloc = Bloc.objects.get(symbol="KTĐTN")
    bloc_year = BlocYear.objects.select_related("bloc", "chair").get(bloc=bloc, year=2021)
    secretariat = _user("danang.canbo")  # the 2021 chair's officer
    meeting = _meeting(
        bloc_year,
        title=TN_TITLE,
        starts_at=_at(TN_DAY, 9, 0),
        host=_unit("danang"),
        address=TN_ADDRESS,
        by=secretariat,
        participants=TN_PARTICIPANTS,
    )
    for key in TN_KEYS:
        _register(
            meeting,
            key,
            by=_person(key, User.UnitRole.OFFICER),
            delegates=_delegates(key, day=TN_DAY),
        )
    _check_in_all(meeting, by=secretariat, day=TN_DAY)
    _rotation(bloc, secretariat)
    if not Handover.objects.filter(bloc=bloc, year=bloc_year.year + 1).exists():
        services.election_apply(
            bloc_year=bloc_year,
            chair=_unit("lamdong"),
            vice=_unit("vanphong"),
            by=secretariat,
            handed_on=TN_DAY,
            meeting=meeting,
        )
    _agenda(meeting, bloc_year, secretariat)
    if meeting.minutes_id is None:
        chair = bloc_year.chair
        minutes_issue(
            meeting=meeting,
            by=secretariat,
            issued_on=TN_DAY,
            place="Đà Nẵng",
            signer_name=chair.head_name,
            render=False,
        )
        meeting.refresh_from_db()
    if not meeting.minutes.is_pdf_ready:
        document_freeze_pdf(document_id=meeting.minutes_id)
    return meeting


@transaction.atomic
def load() -> None:
    """Load (or re-check) the meetings demo."""
    _load_tay_nam_bo()
    _load_tay_nguyen()
