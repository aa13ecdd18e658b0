"""Registering delegates: each unit its own, before the deadline (the secretariat also after);
"không tham dự"; the secretariat's list and its exports; substitutions; reminders to units that
have not answered (once a day); each delegate's QR code by e-mail (once, even on a retry)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings import services, tasks
from meetings.models import Delegate, Meeting, Registration
from tests.factories import UserFactory
from tests.meetings.matrix_registration import member_delegate

pytestmark = pytest.mark.django_db

PREFIX = "dai-bieu"


def _url(name: str, meeting: Meeting, **query) -> str:
    url = reverse(name, kwargs={"pk": meeting.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _formset(*rows: dict, **fields) -> dict:
    """The POST of the registration page: the management form, *rows* of delegates, the rest."""
    data = {
        f"{PREFIX}-TOTAL_FORMS": str(max(3, len(rows))),
        f"{PREFIX}-INITIAL_FORMS": "0",
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{PREFIX}-{index}-{key}"] = value
    return data | fields


def _past_deadline(meeting: Meeting) -> Meeting:
    meeting.registration_deadline = timezone.now() - dt.timedelta(hours=1)
    meeting.save()
    return meeting


def _attending(world, meeting, unit, *names, by=None, **extra):
    return services.registration_save(
        meeting=meeting,
        unit=unit,
        by=by or world.secretariat,
        delegates=[
            {"full_name": name, "email": f"{i}.{unit.pk}@khoiportal.test", **extra}
            for i, name in enumerate(names)
        ],
    )


# --- registering --------------------------------------------------------------------------


def test_a_units_officer_registers_its_delegates_before_the_deadline(world, meeting, login):
    client = login(world.officer)
    response = client.post(
        _url("meeting_register", meeting),
        _formset(
            {
                "full_name": "Phạm Văn Lãnh",
                "title": "Trưởng ban",
                "phone": "0907 192132",
                "email": "lanh@khoiportal.test",
                "arrives_day_before": "on",
                "needs_pickup": "on",
            },
            {"full_name": "Lê Văn Cán", "title": "Chuyên viên"},
        ),
    )
    assert response.status_code == 302
    registration = Registration.objects.get(meeting=meeting, unit=world.member)
    first, second = registration.delegates.order_by("pk")
    assert (first.full_name, first.needs_pickup, first.arrives_day_before) == (
        "Phạm Văn Lãnh",
        True,
        True,
    )
    # "Đến trước một ngày" without a date: the day before the meeting (15/01 → 14/01).
    assert first.arrival_date == dt.date(2030, 1, 14)
    assert (second.full_name, second.needs_pickup) == ("Lê Văn Cán", False)
    page = client.get(response["Location"]).content.decode()
    assert "Đã ghi danh sách đại biểu của Bình Định." in page
    assert "Phạm Văn Lãnh" in page
    assert "cần đón tiếp" in page


def test_a_unit_may_answer_that_it_will_not_attend(world, meeting, login):
    response = login(world.leader).post(
        _url("meeting_register", meeting), _formset(declined="on", note="Trùng lịch công tác")
    )
    assert response.status_code == 302
    registration = Registration.objects.get(meeting=meeting, unit=world.member)
    assert registration.declined
    assert registration.note == "Trùng lịch công tác"
    assert not registration.delegates.exists()


def test_neither_delegates_nor_declining_is_refused(world, meeting, login):
    response = login(world.officer).post(_url("meeting_register", meeting), _formset())
    assert response.status_code == 200
    assert "Hãy ghi ít nhất một đại biểu, hoặc chọn không tham dự." in response.content.decode()
    assert not Registration.objects.exists()


def test_declining_with_delegates_is_refused(world, meeting, login):
    response = login(world.officer).post(
        _url("meeting_register", meeting), _formset({"full_name": "Lê Văn Cán"}, declined="on")
    )
    assert "Đã chọn không tham dự thì không ghi đại biểu." in response.content.decode()
    assert not Registration.objects.exists()


def test_a_delegate_arriving_after_the_meeting_is_refused(world, meeting, login):
    response = login(world.officer).post(
        _url("meeting_register", meeting),
        _formset({"full_name": "Lê Văn Cán", "arrival_date": "2030-01-16"}),
    )
    assert "Ngày đến không được sau ngày hội nghị." in response.content.decode()


def test_text_is_stored_in_nfc(world, meeting, login):
    decomposed = "Nguye\u0302\u0303n Va\u0306n Ca\u0301n"
    login(world.officer).post(
        _url("meeting_register", meeting), _formset({"full_name": decomposed})
    )
    assert Delegate.objects.get().full_name == "Nguyễn Văn Cán"


def test_a_units_people_register_only_their_own_unit(world, meeting, login):
    """The unit parameter is the secretariat's: anyone else registers their own unit."""
    client = login(world.officer)
    client.post(
        _url("meeting_register", meeting, **{"don-vi": world.vice.pk}),
        _formset({"full_name": "Lê Văn Cán"}),
    )
    assert Registration.objects.get().unit == world.member


def test_after_the_deadline_a_unit_is_told_to_ask_the_secretariat(world, meeting, login):
    _past_deadline(meeting)
    client = login(world.officer)
    page = client.get(_url("meeting_register", meeting)).content.decode()
    assert "Đã hết hạn đăng ký đại biểu" in page
    assert f'name="{PREFIX}-0-full_name"' not in page
    response = client.post(
        _url("meeting_register", meeting), _formset({"full_name": "Lê Văn Cán"}), follow=True
    )
    assert "Đã hết hạn đăng ký đại biểu; hãy liên hệ thường trực khối." in response.content.decode()
    assert not Registration.objects.exists()


def test_after_the_deadline_the_secretariat_still_registers_a_unit(world, meeting, login):
    _past_deadline(meeting)
    client = login(world.secretariat)
    url = _url("meeting_register", meeting, **{"don-vi": world.member.pk})
    assert "Đã quá hạn đăng ký" in client.get(url).content.decode()
    response = client.post(url, _formset({"full_name": "Lê Văn Cán"}))
    assert response.status_code == 302
    assert Registration.objects.get().unit == world.member


def test_the_service_refuses_a_late_unit_too(world, meeting):
    from django.core.exceptions import ValidationError

    _past_deadline(meeting)
    with pytest.raises(ValidationError, match="Đã hết hạn đăng ký"):
        _attending(world, meeting, world.member, "Lê Văn Cán", by=world.officer)


# --- the secretariat's list and exports ------------------------------------------------------


def _registered(world, meeting):
    _attending(world, meeting, world.chair, "Y Giang Niê", "Đỗ Thanh Thư", needs_pickup=True)
    services.registration_save(
        meeting=meeting, unit=world.vice, by=world.secretariat, delegates=[], declined=True
    )


def test_the_list_shows_units_pickups_and_who_has_not_answered(world, meeting, login):
    _registered(world, meeting)
    page = login(world.secretariat).get(_url("meeting_delegates", meeting)).content.decode()
    assert "Y Giang Niê" in page
    assert "Đỗ Thanh Thư" in page
    assert "1/3" in page  # units attending
    assert "1 không tham dự" in page
    assert "1 chưa trả lời" in page
    assert "2 cần đón" in page
    unanswered = page.split('data-testid="unanswered"')[1].split("</ul>")[0]
    assert "Bình Định" in unanswered
    assert "Lâm Đồng" not in unanswered
    assert f'action="{_url("meeting_remind", meeting)}"' in page


def test_the_xlsx_is_print_ready_and_lists_everyone(world, meeting, login):
    from openpyxl import load_workbook

    _registered(world, meeting)
    response = login(world.secretariat).get(_url("meeting_delegates_xlsx", meeting))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "DANH SÁCH ĐẠI BIỂU" in values
    assert "Y Giang Niê" in values
    assert any("không tham dự" in str(v) for v in values)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows


def test_the_pdf_is_an_a4_table(world, meeting, login):
    from pypdf import PdfReader

    _registered(world, meeting)
    response = login(world.secretariat).get(_url("meeting_delegates_pdf", meeting))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "DANH SÁCH ĐẠI BIỂU" in text
    assert "Y Giang Niê" in text
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842
    assert round(float(box.height)) == 595


# --- substitution -------------------------------------------------------------------------------


def test_the_units_officer_substitutes_a_delegate(world, meeting, login):
    delegate = member_delegate(world, meeting)
    response = login(world.officer).post(
        reverse("delegate_substitute", kwargs={"delegate_pk": delegate.pk}),
        {"full_name": "Trần Văn Thay", "email": "thay@khoiportal.test"},
    )
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert delegate.substituted_by.full_name == "Trần Văn Thay"
    assert delegate.substituted_by.qr_token != delegate.qr_token


def test_another_members_people_cannot_substitute(world, meeting, login):
    delegate = _attending(world, meeting, world.vice, "Võ Văn Phụng").delegates.get()
    response = login(world.officer).post(
        reverse("delegate_substitute", kwargs={"delegate_pk": delegate.pk}),
        {"full_name": "Trần Văn Thay"},
    )
    assert response.status_code == 404
    assert Delegate.objects.count() == 1


def test_a_substitute_gets_a_qr_when_the_others_already_did(
    world, meeting, login, django_capture_on_commit_callbacks
):
    delegate = member_delegate(world, meeting)
    tasks.send_delegate_qr(meeting.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        login(world.officer).post(
            reverse("delegate_substitute", kwargs={"delegate_pk": delegate.pk}),
            {"full_name": "Trần Văn Thay", "email": "thay@khoiportal.test"},
        )
    assert [m.to for m in mail.outbox] == [["thay@khoiportal.test"]]


# --- the QR code --------------------------------------------------------------------------------


def test_the_qr_code_is_an_svg_of_the_token_for_the_unit(world, meeting, login):
    delegate = member_delegate(world, meeting)
    response = login(world.leader).get(reverse("delegate_qr", kwargs={"uid": delegate.uid}))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg")
    assert "no-store" in response["Cache-Control"]


def test_the_qr_code_of_another_unit_is_not_found(world, meeting, login):
    delegate = _attending(world, meeting, world.vice, "Võ Văn Phụng").delegates.get()
    assert (
        login(world.officer).get(reverse("delegate_qr", kwargs={"uid": delegate.uid})).status_code
        == 404
    )


def test_the_qr_code_of_a_substituted_delegate_is_gone(world, meeting, login):
    delegate = member_delegate(world, meeting)
    services.delegate_substitute(delegate=delegate, by=world.officer, full_name="Trần Văn Thay")
    assert (
        login(world.officer).get(reverse("delegate_qr", kwargs={"uid": delegate.uid})).status_code
        == 404
    )


# --- reminders ----------------------------------------------------------------------------------


@pytest.fixture
def member_people(world):
    """An e-mail address for every member unit's people (the chair's officer has one already)."""
    return UserFactory(username="lanhdao.pho", unit=world.vice, unit_role="leader")


def test_remind_reaches_only_units_that_have_not_answered(world, meeting, member_people):
    _attending(world, meeting, world.chair, "Y Giang Niê")
    assert tasks.remind_unanswered(meeting.pk, today="2030-01-10") == 2
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world.officer.email, world.leader.email, member_people.email])
    assert "Nhắc đăng ký đại biểu" in mail.outbox[0].subject
    assert _url("meeting_register", meeting) in mail.outbox[0].body


def test_remind_twice_the_same_day_sends_nothing_more(world, meeting, member_people):
    _attending(world, meeting, world.chair, "Y Giang Niê")
    assert tasks.remind_unanswered(meeting.pk, today="2030-01-10") == 2
    assert tasks.remind_unanswered(meeting.pk, today="2030-01-10") == 0
    assert len(mail.outbox) == 2
    # The next day the units that still have not answered are reminded again.
    _attending(world, meeting, world.member, "Lê Văn Cán")
    assert tasks.remind_unanswered(meeting.pk, today="2030-01-11") == 1
    assert mail.outbox[-1].to == [member_people.email]


def test_no_reminder_after_the_deadline(world, meeting, member_people):
    _past_deadline(meeting)
    assert tasks.remind_unanswered(meeting.pk) == 0
    assert not mail.outbox


def test_the_remind_button_queues_the_task(
    world, meeting, member_people, login, django_capture_on_commit_callbacks
):
    _attending(world, meeting, world.chair, "Y Giang Niê")
    client = login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("meeting_remind", meeting), follow=True)
    assert "Đang gửi thư nhắc" in response.content.decode()
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("meeting_remind", meeting))
    assert len(mail.outbox) == 2  # the same day: nothing new


# --- QR e-mails ---------------------------------------------------------------------------------


def test_each_delegate_with_an_email_gets_their_qr_once(world, meeting):
    _attending(world, meeting, world.chair, "Y Giang Niê", "Đỗ Thanh Thư")
    services.registration_save(
        meeting=meeting,
        unit=world.member,
        by=world.officer,
        delegates=[{"full_name": "Lê Văn Cán"}],
    )  # no e-mail: nobody to send to
    assert tasks.send_delegate_qr(meeting.pk) == 2
    message = mail.outbox[0]
    delegate = Delegate.objects.get(email=message.to[0])
    assert delegate.qr_token in message.body
    ((_name, content, mimetype),) = message.attachments
    assert mimetype == "image/png"
    assert content.startswith(b"\x89PNG")
    # A second run (or a retry after a crash) sends nothing: every delegate is claimed.
    assert tasks.send_delegate_qr(meeting.pk) == 0
    assert len(mail.outbox) == 2
    assert not Delegate.objects.filter(email__gt="", qr_sent_at__isnull=True).exists()


def test_a_failed_qr_email_is_given_back_for_the_retry(world, meeting, monkeypatch):
    _attending(world, meeting, world.chair, "Y Giang Niê")

    def refuse(self, *args, **kwargs):
        raise OSError("SMTP server unreachable")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        assert tasks.send_delegate_qr(meeting.pk) == 0
    assert Delegate.objects.get().qr_sent_at is None
    assert tasks.send_delegate_qr(meeting.pk) == 1
    assert len(mail.outbox) == 1


def test_the_send_qr_button_queues_the_task(
    world, meeting, login, django_capture_on_commit_callbacks
):
    _attending(world, meeting, world.chair, "Y Giang Niê")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.secretariat).post(_url("meeting_send_qr", meeting))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
