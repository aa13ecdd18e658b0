"""The conference's documents (meetings/documents.py): the invitation drafted in seed 000's layout
and sent, the minutes with attendance, ballot results and the election, the year's report drafted
from the year's data; their PDFs and DOCX read back."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import docx
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from awards import services as awards
from awards.models import AwardType, Proposal
from covenants import services as covenants
from covenants.models import BlocDocument, Signature
from documents.documents import render_document_pdf
from documents.docx import render_document_docx
from documents.models import Delivery, Document, DocumentType
from documents.services import document_create_draft, document_issue
from meetings import documents as meeting_documents
from meetings import services
from meetings.models import AgendaItem, Meeting
from tests.covenants.conftest import make_covenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return unicodedata.normalize("NFC", "\n".join(parts))


@pytest.fixture
def deputy_chair(world):
    """The chair unit's head is a deputy, as in seed 000 (its head signs KT.)."""
    world.chair.head_name, world.chair.head_title = "Nguyễn Văn Kiệt", "Phó Trưởng ban"
    world.chair.save()
    return world.chair


def _register_and_check_in(world, meeting, unit, names, *, check_in=True):
    services.registration_save(
        meeting=meeting,
        unit=unit,
        by=world.secretariat,
        delegates=[{"full_name": n, "title": "Lãnh đạo Ban"} for n in names],
    )
    if check_in:
        for delegate in meeting.registrations.get(unit=unit).delegates.all():
            services.check_in(meeting=meeting, token=delegate.qr_token, by=world.secretariat)


def _closed_round(world, meeting: Meeting):
    """The flag round of bloc A, every unit's leader voting (2 for the chair, 1 for the member)."""
    leaders = {
        world.chair: UserFactory(username="lanhdao.chu", unit=world.chair, unit_role="leader"),
        world.vice: UserFactory(username="lanhdao.pho", unit=world.vice, unit_role="leader"),
        world.member: world.leader,
    }
    ballot_round = awards.round_create(
        bloc_year=world.bloc_year,
        title="Bình xét Cờ thi đua của Bộ năm 2022",
        by=world.secretariat,
        unit_candidates=[world.chair, world.vice, world.member],
        award_type=AwardType.objects.get(code="co-thi-dua-bo"),
    )
    ballot_round = awards.round_open(ballot_round=ballot_round, by=world.secretariat)
    candidates = {c.unit_id: c for c in ballot_round.candidates.all()}
    for unit, choice in (
        (world.chair, world.chair),
        (world.vice, world.chair),
        (world.member, world.member),
    ):
        secret = awards.token_issue(ballot_round=ballot_round, unit=unit, user=leaders[unit])
        awards.ballot_cast(
            ballot_round=ballot_round,
            unit=unit,
            user=leaders[unit],
            secret=secret,
            choice_ids=[candidates[choice.pk].pk],
        )
    return awards.round_close(ballot_round=ballot_round, by=world.secretariat)


# --- the invitation ---------------------------------------------------------------------------


def test_the_invitation_is_drafted_in_seed_000s_layout(world, meeting, deputy_chair):
    covenants.bloc_document_publish(
        bloc=world.bloc,
        kind=BlocDocument.Kind.REGULATION,
        valid_from_year=2020,
        by=world.secretariat,
        title="Quy chế hoạt động của Khối thi đua A",
        decision="Quyết định số 01/QĐ-KTĐA ngày 21/4/2020",
    )

    document = meeting_documents.invitation_create(meeting=meeting, by=world.secretariat)

    assert document.is_draft
    assert document.doc_type.code == "GM"
    assert document.bloc == world.bloc
    assert document.subject == "V/v dự Hội nghị tổng kết công tác thi đua năm 2022"
    assert document.recipients == "Thành viên Khối thi đua A"
    assert document.basis == (
        "Căn cứ Quyết định số 01/QĐ-KTĐA ngày 21/4/2020 của Khối thi đua A về việc ban "
        "hành Quy chế hoạt động của Khối thi đua A,"
    )
    lines = document.body.splitlines()
    assert lines[0].startswith(
        "Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk (Trưởng Khối) trân trọng kính mời "
        "các đơn vị thành viên Khối thi đua A đến dự Hội nghị tổng kết"
    )
    assert "*1. Thành phần tham dự:*" in lines
    assert "*2. Nội dung:*" in lines
    dashes = [line for line in lines if line.startswith("- ")]
    assert dashes[0] == "- Thông qua dự thảo Báo cáo tổng kết công tác thi đua năm 2022 của Khối;"
    assert dashes[-1] == "- Ký kết giao ước thi đua năm 2023."
    assert len(dashes) == meeting.agenda.count()
    # 15/01/2030 was a Tuesday; the deadline is three days before, at the same hour.
    assert "*3. Thời gian:* Vào lúc 9 giờ 00 phút, ngày 15/01/2030 (thứ Ba)." in lines
    assert "*4. Địa điểm:* Hội trường Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk." in lines
    assert any("trước 9 giờ 00 phút, ngày 12/01/2030" in line for line in lines)
    assert lines[-1].endswith("tham dự đầy đủ để hội nghị thành công tốt đẹp./.")
    # A deputy signs for the chair (KT.), the signer from the chair unit's head.
    assert document.authority == Document.Authority.KT
    assert document.signature_heading == "TM. KHỐI THI ĐUA A\nKT. TRƯỞNG KHỐI"
    assert document.signer_title == "PHÓ TRƯỞNG BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP TỈNH ĐẮK LẮK"
    assert document.signer_name == "Nguyễn Văn Kiệt"
    meeting.refresh_from_db()
    assert meeting.invitation == document


def test_the_head_signs_on_behalf_of_the_bloc_without_kt(world, meeting):
    world.chair.head_name, world.chair.head_title = "Phạm Văn Tịch", "Trưởng ban"
    world.chair.save()
    document = meeting_documents.invitation_create(meeting=meeting, by=world.secretariat)
    assert document.authority == Document.Authority.TM
    assert document.signature_heading == "TM. KHỐI THI ĐUA A\nTRƯỞNG KHỐI"
    assert document.signer_name == "Phạm Văn Tịch"


def test_the_invitation_is_drafted_once(world, meeting):
    first = meeting_documents.invitation_create(meeting=meeting, by=world.secretariat)
    assert meeting_documents.invitation_create(meeting=meeting, by=world.secretariat) == first
    assert Document.objects.filter(bloc=world.bloc).count() == 1


def test_a_bloc_that_writes_thu_moi_keeps_its_code(world, meeting):
    old = document_create_draft(
        bloc=world.bloc,
        doc_type=DocumentType.objects.get(code="TM"),
        subject="V/v dự Hội nghị năm trước",
        place="Đắk Lắk",
        created_by=world.secretariat,
    )
    document_issue(
        document=old,
        issued_on=dt.date(2021, 1, 11),
        issued_by=world.secretariat,
        signer_name="Nguyễn Văn Kiệt",
        render=False,
    )
    document = meeting_documents.invitation_create(meeting=meeting, by=world.secretariat)
    assert document.doc_type.code == "TM"


def test_published_drafts_are_announced_in_the_invitation(world, meeting):
    draft = document_create_draft(
        bloc=world.bloc,
        doc_type=DocumentType.objects.get(code="BC"),
        subject="Báo cáo tổng kết năm 2022",
        place="Đắk Lắk",
        created_by=world.secretariat,
    )
    item = meeting.agenda.get(action=AgendaItem.Action.ADOPT_REPORT)
    services.agenda_item_save(
        meeting=meeting,
        by=world.secretariat,
        item=item,
        action=item.action,
        title=item.title,
        document=draft,
        published=True,
    )
    document = meeting_documents.invitation_create(meeting=meeting, by=world.secretariat)
    assert f"/thong-bao/{world.bloc.pk}/" in document.body


def test_sending_issues_the_draft_and_emails_every_member(world, meeting, deputy_chair):
    with pytest.raises(ValidationError, match="Chưa có giấy mời"):
        meeting_documents.invitation_send(meeting=meeting, by=world.secretariat)
    meeting_documents.invitation_create(meeting=meeting, by=world.secretariat)

    queued = meeting_documents.invitation_send(
        meeting=meeting, by=world.secretariat, issued_on=dt.date(2030, 1, 5)
    )

    meeting.refresh_from_db()
    invitation = meeting.invitation
    assert queued == 3  # the people of the three members (no unit has its own address)
    assert invitation.status == Document.Status.DISTRIBUTED
    assert invitation.number_text == "01/GM-KTĐA"
    assert invitation.issued_on == dt.date(2030, 1, 5)
    assert meeting.status == Meeting.Status.INVITED
    progress = meeting_documents.invitation_progress(meeting)
    assert (progress.total, progress.waiting, progress.sent, progress.polling) == (3, 3, 0, True)
    # Sending again queues nobody twice.
    assert meeting_documents.invitation_send(meeting=meeting, by=world.secretariat) == 3
    assert Delivery.objects.filter(document=invitation).count() == 3


def test_progress_counts_the_deliveries_statuses(world, meeting):
    assert meeting_documents.invitation_progress(meeting).total == 0
    document = meeting_documents.invitation_create(meeting=meeting, by=world.secretariat)
    document_issue(
        document=document,
        issued_on=dt.date(2030, 1, 5),
        issued_by=world.secretariat,
        signer_name="Phạm Văn Tịch",
        render=False,
    )
    for email, status in (
        ("a@x.vn", "sent"),
        ("b@x.vn", "sent"),
        ("c@x.vn", "failed"),
        ("d@x.vn", "sending"),
    ):
        Delivery.objects.create(document=document, name=email, email=email, status=status)
    meeting.refresh_from_db()
    progress = meeting_documents.invitation_progress(meeting)
    assert (progress.total, progress.sent, progress.failed, progress.waiting, progress.percent) == (
        4,
        2,
        1,
        1,
        50,
    )


def test_the_invitation_pdf_reads_like_the_seed(world, meeting, deputy_chair):
    document = meeting_documents.invitation_create(meeting=meeting, by=world.secretariat)
    text = _text(render_document_pdf(document))
    for expected in (
        "GIẤY MỜI",
        "Kính gửi: Thành viên Khối thi đua A",
        "1. Thành phần tham dự:",
        "Vào lúc 9 giờ 00 phút, ngày 15/01/2030 (thứ Ba)",
        "TM. KHỐI THI ĐUA A",
        "KT. TRƯỞNG KHỐI",
        "Nguyễn Văn Kiệt",
    ):
        assert expected in text, expected


# --- the minutes ------------------------------------------------------------------------------


@pytest.fixture
def held(world, meeting):
    """Chair and member present, the vice declined; an election, a closed round, a covenant."""
    _register_and_check_in(world, meeting, world.chair, ["Phạm Văn Tịch", "Đỗ Thanh Thư"])
    _register_and_check_in(world, meeting, world.member, ["Phạm Văn Lãnh"])
    services.registration_save(
        meeting=meeting,
        unit=world.vice,
        by=world.secretariat,
        delegates=[],
        declined=True,
        note="Bận công tác",
    )
    services.election_apply(
        bloc_year=world.bloc_year,
        chair=world.vice,
        vice=world.member,
        by=world.secretariat,
        handed_on=dt.date(2030, 1, 15),
        meeting=meeting,
    )
    items = {item.action: item for item in meeting.agenda.all()}
    vote = items[AgendaItem.Action.AWARD_VOTE]
    services.agenda_item_save(
        meeting=meeting,
        by=world.secretariat,
        item=vote,
        action=vote.action,
        title=vote.title,
        ballot_round=_closed_round(world, meeting),
        outcome="Hội nghị bỏ phiếu kín bằng phần mềm.",
    )
    covenant = make_covenant(world)
    covenants.covenant_sign(
        covenant=covenant,
        unit=world.member,
        method=Signature.Method.PAPER,
        recorded_by=world.secretariat,
        signer_name="Phạm Văn Lãnh",
    )
    sign = items[AgendaItem.Action.SIGN_COVENANT]
    services.agenda_item_save(
        meeting=meeting,
        by=world.secretariat,
        item=sign,
        action=sign.action,
        title=sign.title,
        covenant=covenant,
    )
    return meeting


def test_minutes_record_attendance_outcomes_ballot_and_election(world, held):
    document = meeting_documents.minutes_issue(
        meeting=held,
        by=world.secretariat,
        issued_on=dt.date(2030, 1, 15),
        place="Đắk Lắk",
        signer_name="Phạm Văn Tịch",
        render=False,
    )

    held.refresh_from_db()
    assert held.minutes == document
    assert held.status == Meeting.Status.HELD
    assert document.kind == "meeting_minutes"
    assert document.doc_type.code == "BB"
    assert document.number_text == "01/BB-KTĐA"
    assert document.signature_heading == "CHỦ TỌA"
    data = document.extra
    assert (data["members"], data["present"], data["delegates_present"]) == (3, 2, 3)
    statuses = {row["short_name"]: row["status"] for row in data["attendance"]}
    assert statuses == {"Đắk Lắk": "present", "Lâm Đồng": "declined", "Bình Định": "present"}
    items = {item["action"]: item for item in data["items"]}
    elect = items["elect"]["facts"]
    assert (
        "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng được bầu làm Trưởng Khối năm 2023." in elect
    )
    assert "Ban Quản lý Khu kinh tế tỉnh Bình Định được bầu làm Phó Trưởng Khối năm 2023." in elect
    assert items["handover"]["facts"] == [
        "Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk trao cờ luân lưu cho Ban Quản lý các khu "
        "công nghiệp tỉnh "
        "Lâm Đồng, Trưởng Khối năm 2023, ngày 15/01/2030."
    ]
    ballot = items["award_vote"]["ballot"]
    assert ballot["closed"]
    assert ballot["elected"] == ["Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk"]
    assert [c["votes"] for c in ballot["candidates"]][:2] == [2, 1]
    assert items["award_vote"]["outcome"] == "Hội nghị bỏ phiếu kín bằng phần mềm."
    assert items["sign_covenant"]["facts"][0].startswith(
        "1/3 đơn vị thành viên đã ký Giao ước thi đua năm 2022"
    )


def test_minutes_are_issued_once(world, held):
    first = meeting_documents.minutes_issue(
        meeting=held,
        by=world.secretariat,
        issued_on=dt.date(2030, 1, 15),
        place="Đắk Lắk",
        signer_name="Phạm Văn Tịch",
        render=False,
    )
    again = meeting_documents.minutes_issue(
        meeting=held,
        by=world.secretariat,
        issued_on=dt.date(2030, 1, 16),
        place="Đắk Lắk",
        signer_name="Phạm Văn Tịch",
        render=False,
    )
    assert again == first
    assert Document.objects.filter(kind="meeting_minutes").count() == 1


def test_minutes_need_a_signer(world, meeting):
    with pytest.raises(ValidationError, match="người ký"):
        meeting_documents.minutes_issue(
            meeting=meeting,
            by=world.secretariat,
            issued_on=dt.date(2030, 1, 15),
            place="Đắk Lắk",
            render=False,
        )
    meeting.refresh_from_db()
    assert meeting.minutes is None
    assert meeting.status == Meeting.Status.DRAFT


def test_the_minutes_pdf_and_docx_print_the_snapshot(world, held):
    document = meeting_documents.minutes_issue(
        meeting=held,
        by=world.secretariat,
        issued_on=dt.date(2030, 1, 15),
        place="Đắk Lắk",
        signer_name="Phạm Văn Tịch",
        secretary_name="Đỗ Thanh Thư",
        render=False,
    )
    # Changed after issue: the issued minutes do not follow.
    world.vice.full_name = "Ban Quản lý đã đổi tên"
    world.vice.save()
    pdf = _text(render_document_pdf(document))
    for expected in (
        "BIÊN BẢN",
        "Số: 01/BB-KTĐA",
        "I. Thành phần tham dự",
        "Có mặt 2/3 đơn vị thành viên",
        "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng được bầu làm Trưởng Khối năm 2023",
        "Bình xét Cờ thi đua của Bộ năm 2022",
        "THƯ KÝ",
        "Đỗ Thanh Thư",
        "CHỦ TỌA",
        "Phạm Văn Tịch",
    ):
        assert expected in pdf, expected
    assert "đã đổi tên" not in pdf
    text = _docx_text(render_document_docx(document))
    assert "I. THÀNH PHẦN THAM DỰ" in text
    assert "Lâm Đồng được bầu làm Trưởng Khối năm 2023" in text
    assert "Trúng" in text


# --- the year's report ------------------------------------------------------------------------


def test_the_year_report_is_drafted_from_the_years_data(world, held):
    from scoring import services as scoring
    from tests.scoring.conftest import build_scale

    scale, _groups, _items = build_scale(world)
    scoring.round_open(
        bloc_year=world.bloc_year,
        scale=scale,
        by=world.secretariat,
        deadline=timezone.now() + dt.timedelta(days=10),
    )

    document = meeting_documents.year_report_draft(
        bloc_year=world.bloc_year, by=world.secretariat, meeting=held
    )

    assert document.is_draft
    assert document.kind == "year_report"
    assert document.doc_type.code == "BC"
    assert (
        document.subject == "Tổng kết công tác thi đua năm 2022 và phương hướng, nhiệm vụ năm 2023"
    )
    data = document.extra
    assert data["members"] == 3
    assert data["covenant"]["signed"] == 1
    assert data["scoring"]["units"] == 3
    assert [a["label"] for a in data["awards"]] == ["Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk"]
    assert Proposal.objects.filter(bloc_year=world.bloc_year).count() == 1
    lead = data["leadership"]
    assert lead["next_chair"] == "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng"
    assert lead["next_vice"] == "Ban Quản lý Khu kinh tế tỉnh Bình Định"
    body = document.body
    assert "**I. KẾT QUẢ CÔNG TÁC THI ĐUA NĂM 2022**" in body
    assert "- 1/3 đơn vị thành viên đã ký Giao ước thi đua năm 2022" in body
    assert (
        "Đề nghị tặng Cờ thi đua của Bộ: Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk (2/3 phiếu)."
        in body
    )
    assert (
        "- Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng làm Trưởng Khối, Ban Quản lý Khu kinh tế "
        "tỉnh Bình "
        "Định làm Phó Trưởng Khối năm 2023."
    ) in body
    # Attached to the agenda's "adopt the report" item, and drafted once.
    assert held.agenda.get(action=AgendaItem.Action.ADOPT_REPORT).document == document
    assert (
        meeting_documents.year_report_draft(bloc_year=world.bloc_year, by=world.secretariat)
        == document
    )


def test_the_year_report_is_editable_and_renders(world):
    document = meeting_documents.year_report_draft(bloc_year=world.bloc_year, by=world.secretariat)
    assert "(Chưa có kết quả chấm điểm năm 2022.)" in document.body
    pdf = _text(render_document_pdf(document))
    assert "BÁO CÁO" in pdf
    assert "KẾT QUẢ CÔNG TÁC THI ĐUA NĂM 2022" in pdf
    assert "PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2023" in _docx_text(render_document_docx(document))


def test_the_year_report_tables_come_from_the_snapshot(world, held):
    document = meeting_documents.year_report_draft(bloc_year=world.bloc_year, by=world.secretariat)
    pdf = _text(render_document_pdf(document))
    assert "Phụ lục 2. Đề nghị khen thưởng" in pdf
    assert "Cờ thi đua của Bộ" in pdf
    assert "Phụ lục 2. Đề nghị khen thưởng" in _docx_text(render_document_docx(document))


# --- the meeting's details --------------------------------------------------------------------


def test_editing_keeps_the_meetings_rules(world, meeting):
    starts = timezone.make_aware(dt.datetime(2030, 2, 1, 8, 0))
    with pytest.raises(ValidationError, match="Hạn đăng ký"):
        services.meeting_update(
            meeting=meeting,
            by=world.secretariat,
            title=meeting.title,
            starts_at=starts,
            host_unit=world.vice,
            address="Lâm Đồng",
            kind=meeting.kind,
            registration_deadline=starts + dt.timedelta(hours=1),
        )
    with pytest.raises(ValidationError, match="thành viên"):
        services.meeting_update(
            meeting=meeting,
            by=world.secretariat,
            title=meeting.title,
            starts_at=starts,
            host_unit=world.outsider_unit,
            address="Cà Mau",
            kind=meeting.kind,
        )
    updated = services.meeting_update(
        meeting=meeting,
        by=world.secretariat,
        title="Hội nghị sơ kết",
        starts_at=starts,
        host_unit=world.vice,
        address="Lâm Đồng",
        kind=Meeting.Kind.MID_YEAR,
    )
    assert (updated.title, updated.host_unit, updated.kind) == (
        "Hội nghị sơ kết",
        world.vice,
        "mid_year",
    )
    assert updated.history.first().history_change_reason == "Sửa thông tin hội nghị"


def test_minutes_say_elected_only_for_an_election_held_at_the_meeting(world, meeting):
    from tests.factories import BlocYearFactory

    BlocYearFactory(bloc=world.bloc, year=2023, chair=world.vice, vice=world.member)
    world.chair.head_name = "Phạm Văn Tịch"
    world.chair.save()
    document = meeting_documents.minutes_issue(
        meeting=meeting, by=world.secretariat, issued_on=dt.date(2030, 1, 15), render=False
    )
    elect = next(i for i in document.extra["items"] if i["action"] == "elect")
    assert elect["facts"] == [
        "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng là Trưởng Khối năm 2023.",
        "Ban Quản lý Khu kinh tế tỉnh Bình Định là Phó Trưởng Khối năm 2023.",
    ]
    assert document.place == world.chair.province.name  # the host's province by default
