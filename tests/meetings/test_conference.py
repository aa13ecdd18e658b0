"""The conference pages (meetings/views/conference.py): the year's meetings, a meeting and its
agenda, the invitation and its sending progress, the minutes, the year's report, the hall's board
and the public announcements page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from awards import services as awards
from covenants.models import Covenant
from documents.models import Delivery, Document, DocumentType
from documents.services import document_create_draft, document_freeze_pdf, document_issue
from meetings import documents as meeting_documents
from meetings import services
from meetings.models import AgendaItem, Meeting
from tests.covenants.conftest import make_covenant
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def _draft(world, subject="Dự thảo báo cáo tổng kết năm 2022", body="Nội dung mật của dự thảo."):
    return document_create_draft(
        bloc=world.bloc,
        doc_type=DocumentType.objects.get(code="BC"),
        subject=subject,
        place="Đắk Lắk",
        created_by=world.secretariat,
        body=body,
        signer_name="Phạm Văn Tịch",
    )


def _item(meeting, action) -> AgendaItem:
    return meeting.agenda.get(action=action)


def _attach(world, meeting, action, **fields) -> AgendaItem:
    item = _item(meeting, action)
    values = {"action": item.action, "title": item.title} | fields
    return services.agenda_item_save(meeting=meeting, by=world.secretariat, item=item, **values)


def _present(world, meeting, unit, name):
    services.registration_save(
        meeting=meeting, unit=unit, by=world.secretariat, delegates=[{"full_name": name}]
    )
    delegate = meeting.registrations.get(unit=unit).delegates.get()
    services.check_in(meeting=meeting, token=delegate.qr_token, by=world.secretariat)


# --- the list, creating and editing ----------------------------------------------------------


def test_the_list_shows_the_years_meetings_and_the_create_button_to_the_secretariat(
    world, meeting, login
):
    url = reverse("meeting_list", args=[world.bloc.pk, 2022])
    page = login(world.secretariat).get(url)
    assert meeting.title in page.text
    assert reverse("meeting_create", args=[world.bloc.pk, 2022]) in page.text
    page = login(world.officer).get(url)
    assert meeting.title in page.text
    assert reverse("meeting_create", args=[world.bloc.pk, 2022]) not in page.text


def test_the_secretariat_creates_a_meeting_with_the_default_agenda(world, login):
    client = login(world.secretariat)
    url = reverse("meeting_create", args=[world.bloc.pk, 2022])
    assert "Hội nghị tổng kết công tác thi đua năm 2022" in client.get(url).text
    response = client.post(
        url,
        {
            "kind": "year_end",
            "title": "Hội nghị tổng kết năm 2022",
            "starts_at": "2030-01-15T09:00",
            "host_unit": world.chair.pk,
            "address": "Hội trường Đắk Lắk",
            "participants": "Lãnh đạo các Ban",
            "registration_deadline": "2030-01-12T17:00",
            "contact": "",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert meeting.agenda.count() == 6
    assert meeting.created_by == world.secretariat
    assert meeting.starts_at.hour == 2  # 09:00 in Hà Nội time is 02:00 UTC


def test_a_deadline_after_the_meeting_is_refused(world, login):
    response = login(world.secretariat).post(
        reverse("meeting_create", args=[world.bloc.pk, 2022]),
        {
            "kind": "year_end",
            "title": "Hội nghị",
            "starts_at": "2030-01-15T09:00",
            "host_unit": world.chair.pk,
            "address": "Đắk Lắk",
            "registration_deadline": "2030-01-16T09:00",
        },
    )
    assert response.status_code == 200
    assert "Hạn đăng ký phải trước thời gian hội nghị." in response.text
    assert not Meeting.objects.exists()


def test_editing_a_meeting(world, meeting, login):
    response = login(world.secretariat).post(
        reverse("meeting_edit", args=[meeting.pk]),
        {
            "kind": "year_end",
            "title": "Hội nghị tổng kết năm 2022 (đổi giờ)",
            "starts_at": "2030-01-15T14:00",
            "host_unit": world.vice.pk,
            "address": "Lâm Đồng",
        },
    )
    meeting.refresh_from_db()
    assert response.status_code == 302
    assert (meeting.title, meeting.host_unit, meeting.registration_deadline) == (
        "Hội nghị tổng kết năm 2022 (đổi giờ)",
        world.vice,
        None,
    )


def test_members_may_not_create_or_edit(world, meeting, login):
    client = login(world.officer)
    assert client.get(reverse("meeting_create", args=[world.bloc.pk, 2022])).status_code == 403
    assert client.post(reverse("meeting_edit", args=[meeting.pk]), {}).status_code == 403
    assert (
        login(world.outsider).get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404
    )


# --- the agenda -------------------------------------------------------------------------------


def test_the_agenda_links_a_ballot_round_the_covenant_and_a_draft(world, meeting, login):
    ballot_round = awards.round_create(
        bloc_year=world.bloc_year,
        title="Bình xét Cờ thi đua năm 2022",
        by=world.secretariat,
        unit_candidates=[world.chair, world.member],
    )
    covenant = make_covenant(world)
    draft = _draft(world)
    item = _item(meeting, AgendaItem.Action.AWARD_VOTE)
    response = login(world.secretariat).post(
        reverse("agenda_edit", args=[meeting.pk, item.pk]),
        {
            "action": "award_vote",
            "title": item.title,
            "ballot_round": ballot_round.pk,
            "covenant": covenant.pk,
            "document": draft.pk,
            "published": "on",
            "outcome": "Đã bỏ phiếu.",
        },
    )
    item.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#muc-{item.pk}")
    assert (item.ballot_round, item.covenant, item.document, item.published, item.outcome) == (
        ballot_round,
        covenant,
        draft,
        True,
        "Đã bỏ phiếu.",
    )
    page = login(world.secretariat).get(reverse("meeting_detail", args=[meeting.pk])).text
    assert "Bình xét Cờ thi đua năm 2022" in page
    assert "Giao ước thi đua năm 2022" in page


def test_an_item_is_added_and_another_blocs_round_is_not_offered(world, meeting, login):
    other = awards.round_create(
        bloc_year=world.other_year,
        title="Vòng của khối B",
        by=world.outsider,
        unit_candidates=[world.outsider_unit],
    )
    client = login(world.secretariat)
    url = reverse("agenda_add", args=[meeting.pk])
    assert "Vòng của khối B" not in client.get(url).text
    response = client.post(
        url, {"action": "other", "title": "Giao lưu văn nghệ", "ballot_round": other.pk}
    )
    assert response.status_code == 200
    assert not meeting.agenda.filter(title="Giao lưu văn nghệ").exists()
    response = client.post(url, {"action": "other", "title": "Giao lưu văn nghệ"})
    assert response.status_code == 302
    assert meeting.agenda.order_by("-position").first().title == "Giao lưu văn nghệ"


def test_members_see_an_attached_draft_only_once_published(world, meeting, login):
    _attach(
        world,
        meeting,
        AgendaItem.Action.ADOPT_REPORT,
        document=_draft(world, subject="Báo cáo mật"),
    )
    url = reverse("meeting_detail", args=[meeting.pk])
    assert "Báo cáo mật" not in login(world.officer).get(url).text
    assert "Báo cáo mật" in login(world.secretariat).get(url).text
    _attach(
        world,
        meeting,
        AgendaItem.Action.ADOPT_REPORT,
        document=Document.objects.get(subject="Báo cáo mật"),
        published=True,
    )
    assert "Báo cáo mật" in login(world.officer).get(url).text


def test_the_detail_summarises_registrations(world, meeting, login):
    _present(world, meeting, world.chair, "Phạm Văn Tịch")
    services.registration_save(
        meeting=meeting, unit=world.vice, by=world.secretariat, delegates=[], declined=True
    )
    page = login(world.officer).get(reverse("meeting_detail", args=[meeting.pk])).text
    assert "1/3 đơn vị đã đăng ký" in page
    assert "1 đơn vị báo không tham dự" in page
    assert "1 đại biểu có mặt (1 đơn vị)" in page
    assert (
        reverse("meeting_register", args=[meeting.pk]) in page
    )  # the member registers its own unit
    assert reverse("meeting_invitation", args=[meeting.pk]) not in page  # the secretariat's


# --- the invitation ---------------------------------------------------------------------------


def test_the_invitation_page_drafts_then_sends_and_polls_the_progress(
    world, meeting, login, django_capture_on_commit_callbacks
):
    client = login(world.secretariat)
    url = reverse("meeting_invitation", args=[meeting.pk])
    assert "Lập dự thảo giấy mời" in client.get(url).text

    response = client.post(url, {"action": "create"})
    meeting.refresh_from_db()
    assert response["Location"] == reverse("document_detail", args=[meeting.invitation_id])
    assert meeting.invitation.is_draft
    assert meeting.invitation.signer_name == ""

    page = client.get(url).text
    assert "Cấp số, phát hành và gửi" in page
    assert "Chưa gửi thư nào." in page
    detail = client.get(reverse("meeting_detail", args=[meeting.pk])).text
    assert "Giấy mời và tiến độ gửi" in detail

    # No signer yet: the issue is refused with the documents app's message, nothing is sent.
    client.post(url, {"action": "send", "issued_on": "2030-01-05"})
    meeting.refresh_from_db()
    assert meeting.invitation.is_draft
    assert not Delivery.objects.exists()
    Document.objects.filter(pk=meeting.invitation_id).update(signer_name="Phạm Văn Tịch")

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"action": "send", "issued_on": "2030-01-05"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.invitation.number_text == "01/GM-KTĐA"
    assert meeting.status == Meeting.Status.INVITED
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert "Đã gửi 0/3 thư." in partial.text
    assert "every 2s" in partial.text

    from documents.tasks import send_delivery

    for delivery in Delivery.objects.all():
        send_delivery(delivery.pk)
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "Đã gửi 3/3 thư." in partial.text
    assert "hx-trigger" not in partial.text
    page = client.get(url).text
    assert "Gửi (bổ sung nơi nhận chưa gửi)" in page
    assert "01/GM-KTĐA" in page
    assert "01/GM-KTĐA" in client.get(reverse("meeting_list", args=[world.bloc.pk, 2022])).text


def test_an_unknown_invitation_action_is_refused(world, meeting, login):
    response = login(world.secretariat).post(
        reverse("meeting_invitation", args=[meeting.pk]), {"action": "xoa"}
    )
    assert response.status_code == 302
    assert not Document.objects.exists()


# --- minutes and the year's report ------------------------------------------------------------


def test_the_minutes_form_issues_the_minutes_once(world, meeting, login):
    _present(world, meeting, world.chair, "Phạm Văn Tịch")
    world.chair.head_name = "Phạm Văn Tịch"
    world.chair.save()
    client = login(world.secretariat)
    url = reverse("meeting_minutes", args=[meeting.pk])
    page = client.get(url).text
    assert "Có mặt 1/3 đơn vị thành viên." in page
    assert 'value="Phạm Văn Tịch"' in page
    response = client.post(
        url,
        {
            "issued_on": "2030-01-15",
            "place": "Đắk Lắk",
            "signature_heading": "CHỦ TỌA",
            "signer_name": "Phạm Văn Tịch",
            "secretary_name": "Đỗ Thanh Thư",
        },
    )
    meeting.refresh_from_db()
    assert response["Location"] == reverse("document_detail", args=[meeting.minutes_id])
    assert meeting.minutes.number_text == "01/BB-KTĐA"
    assert meeting.status == Meeting.Status.HELD
    assert meeting.minutes.extra["secretary"] == "Đỗ Thanh Thư"
    assert client.get(url)["Location"] == reverse("document_detail", args=[meeting.minutes_id])
    assert "01/BB-KTĐA" in client.get(reverse("meeting_detail", args=[meeting.pk])).text


def test_the_year_report_button_drafts_it_and_attaches_it(world, meeting, login):
    client = login(world.secretariat)
    response = client.post(reverse("meeting_year_report", args=[meeting.pk]))
    report = Document.objects.get(kind="year_report")
    assert response["Location"] == reverse("document_detail", args=[report.pk])
    assert _item(meeting, AgendaItem.Action.ADOPT_REPORT).document == report
    client.post(reverse("meeting_year_report", args=[meeting.pk]))
    assert Document.objects.filter(kind="year_report").count() == 1
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).text
    assert reverse("document_detail", args=[report.pk]) in page
    assert "Lập dự thảo báo cáo" not in page
    assert client.get(reverse("meeting_year_report", args=[meeting.pk])).status_code == 405


# --- the hall's board -------------------------------------------------------------------------


def test_the_board_shows_present_signed_and_voted_and_polls_its_counts(world, meeting, login):
    _present(world, meeting, world.chair, "Phạm Văn Tịch")
    _present(world, meeting, world.member, "Phạm Văn Lãnh")
    client = login(world.officer)
    page = client.get(reverse("meeting_board", args=[meeting.pk])).text
    counts_url = reverse("meeting_board_counts", args=[meeting.pk])
    assert f'hx-get="{counts_url}"' in page
    assert 'hx-trigger="every 3s"' in page
    assert 'data-testid="present">2/3<' in page
    assert 'data-testid="signed">–<' in page

    covenant = make_covenant(world)
    assert covenant.status == Covenant.Status.SIGNING
    _attach(world, meeting, AgendaItem.Action.SIGN_COVENANT, covenant=covenant)
    ballot_round = awards.round_open(
        ballot_round=awards.round_create(
            bloc_year=world.bloc_year,
            title="Bình xét năm 2022",
            by=world.secretariat,
            unit_candidates=[world.chair, world.member],
        ),
        by=world.secretariat,
    )
    _attach(world, meeting, AgendaItem.Action.AWARD_VOTE, ballot_round=ballot_round)
    secret = awards.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
    awards.ballot_cast(
        ballot_round=ballot_round,
        unit=world.member,
        user=world.leader,
        secret=secret,
        choice_ids=[ballot_round.candidates.first().pk],
    )
    partial = client.get(counts_url).text
    assert "<html" not in partial
    assert 'data-testid="signed">0/3<' in partial
    assert 'data-testid="voted">1/3<' in partial
    assert "Bình xét năm 2022" in partial


# --- the public announcements -----------------------------------------------------------------


def test_announcements_list_published_titles_never_draft_content(world, meeting, client):
    secret = _draft(
        world, subject="Dự thảo báo cáo tổng kết năm 2022", body="Nội dung mật của dự thảo."
    )
    _attach(world, meeting, AgendaItem.Action.ADOPT_REPORT, document=secret, published=True)
    issued = document_issue(
        document=_draft(world, subject="Biểu tổng hợp năm 2022"),
        issued_on=dt.date(2030, 1, 10),
        issued_by=world.secretariat,
    )
    issued = document_freeze_pdf(document_id=issued.pk)
    _attach(world, meeting, AgendaItem.Action.ADOPT_SUMMARY, document=issued, published=True)
    _attach(
        world,
        meeting,
        AgendaItem.Action.AWARD_VOTE,
        document=_draft(world, subject="Danh sách đề cử kín"),
    )

    page = client.get(reverse("announcements", args=[world.bloc.pk])).text

    assert meeting.title in page
    assert "Vào lúc 9 giờ 00 phút, ngày 15/01/2030 (thứ Ba)" in page
    assert "Dự thảo báo cáo tổng kết năm 2022" in page
    assert "Nội dung mật" not in page
    assert "Danh sách đề cử kín" not in page
    assert reverse("document_pdf", args=[secret.pk]) not in page
    assert reverse("document_detail", args=[secret.pk]) not in page
    assert reverse("verify", args=[issued.verification_code]) in page
    assert reverse("document_pdf", args=[issued.pk]) not in page


def test_announcements_leave_out_unannounced_meetings_and_other_blocs(world, meeting, client):
    make_meeting(world)  # a second draft meeting with nothing published
    page = client.get(reverse("announcements", args=[world.bloc.pk])).text
    assert "Chưa có thông báo nào." in page
    other = services.meeting_create(
        bloc_year=world.other_year,
        title="Hội nghị của khối B",
        starts_at=meeting.starts_at,
        host_unit=world.outsider_unit,
        address="Cà Mau",
        by=world.outsider,
    )
    meeting_documents.invitation_attach(
        meeting=other,
        by=world.outsider,
        document=document_issue(
            document=document_create_draft(
                bloc=world.other_bloc,
                doc_type=DocumentType.objects.get(code="GM"),
                subject="V/v dự hội nghị",
                place="Cà Mau",
                created_by=world.outsider,
                signer_name="Trần Ngoại",
            ),
            issued_on=dt.date(2030, 1, 2),
            issued_by=world.outsider,
            render=False,
        ),
    )
    assert (
        "Hội nghị của khối B" not in client.get(reverse("announcements", args=[world.bloc.pk])).text
    )
    assert (
        "Hội nghị của khối B"
        in client.get(reverse("announcements", args=[world.other_bloc.pk])).text
    )
    assert client.get(reverse("announcements", args=[99999])).status_code == 404
