"""The check-in desk: a scanned (or typed) token marks the delegate present; a second scan is
harmless; a substituted delegate's old code is refused and the new one works; presence is
counted by unit, which is what ballots' quorum and ceremony signing use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Delegate
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def _delegates(world, meeting, unit, *names):
    registration = services.registration_save(
        meeting=meeting,
        unit=unit,
        by=world.secretariat,
        delegates=[{"full_name": n} for n in names],
    )
    return list(registration.delegates.order_by("pk"))


def _scan(client, meeting, token: str, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("meeting_check_in", kwargs={"pk": meeting.pk}), {"token": token}, headers=headers
    )


def test_the_page_is_ready_for_a_scanner(world, meeting, login):
    page = (
        login(world.secretariat)
        .get(reverse("meeting_check_in", kwargs={"pk": meeting.pk}))
        .content.decode()
    )
    assert 'name="token"' in page
    assert "autofocus" in page
    assert 'autocapitalize="none"' in page
    assert "js/check-in.js" in page
    assert "<script>" not in page
    assert "0/3 đơn vị có mặt" in page


def test_a_scanned_token_checks_the_delegate_in(world, meeting, login):
    (delegate,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    page = _scan(login(world.secretariat), meeting, f"  {delegate.qr_token}\n").content.decode()
    assert "✓ Phạm Văn Lãnh – Ban Quản lý Khu kinh tế tỉnh Bình Định" in page
    assert "1/3 đơn vị có mặt" in page
    assert "1/1 đại biểu đã điểm danh" in page
    delegate.refresh_from_db()
    assert delegate.checked_in_at is not None
    assert delegate.checked_in_by == world.secretariat


def test_htmx_gets_only_the_result_panel(world, meeting, login):
    (delegate,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    page = _scan(login(world.secretariat), meeting, delegate.qr_token, htmx=True).content.decode()
    assert page.lstrip().startswith('<div id="diem-danh-ket-qua"')
    assert "✓ Phạm Văn Lãnh" in page
    assert "<html" not in page


def test_checking_in_twice_is_harmless(world, meeting, login):
    (delegate,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    client = login(world.secretariat)
    _scan(client, meeting, delegate.qr_token)
    delegate.refresh_from_db()
    first = delegate.checked_in_at
    page = _scan(client, meeting, delegate.qr_token).content.decode()
    assert "✓ Phạm Văn Lãnh" in page
    assert "Đã điểm danh lúc" in page
    delegate.refresh_from_db()
    assert delegate.checked_in_at == first
    assert "1/1 đại biểu đã điểm danh" in page


def test_an_unknown_token_is_refused(world, meeting, login):
    page = _scan(login(world.secretariat), meeting, "khong-co-ma-nay").content.decode()
    assert "Mã QR không đúng hoặc không thuộc hội nghị này." in page
    assert "0/3 đơn vị có mặt" in page


def test_a_token_of_another_meeting_is_refused(world, meeting, login):
    other = make_meeting(world)
    (delegate,) = _delegates(world, other, world.member, "Phạm Văn Lãnh")
    assert (
        "Mã QR không đúng"
        in _scan(login(world.secretariat), meeting, delegate.qr_token).content.decode()
    )
    delegate.refresh_from_db()
    assert delegate.checked_in_at is None


def test_after_a_substitution_the_old_code_is_refused_and_the_new_one_works(world, meeting, login):
    (old,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    new = services.delegate_substitute(delegate=old, by=world.officer, full_name="Trần Văn Thay")
    client = login(world.secretariat)
    page = _scan(client, meeting, old.qr_token).content.decode()
    assert "Đại biểu Phạm Văn Lãnh đã được thay bằng người khác." in page
    assert "0/3 đơn vị có mặt" in page
    page = _scan(client, meeting, new.qr_token).content.decode()
    assert "✓ Trần Văn Thay – Ban Quản lý Khu kinh tế tỉnh Bình Định" in page
    assert "1/3 đơn vị có mặt" in page


def test_a_present_delegate_cannot_be_substituted(world, meeting):
    from django.core.exceptions import ValidationError

    (delegate,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    services.check_in(meeting=meeting, token=delegate.qr_token, by=world.secretariat)
    with pytest.raises(ValidationError, match="Đại biểu đã có mặt"):
        services.delegate_substitute(delegate=delegate, by=world.officer, full_name="Trần Văn Thay")


def test_presence_is_counted_by_unit(world, meeting, login):
    chair_people = _delegates(world, meeting, world.chair, "Y Giang Niê", "Đỗ Thanh Thư")
    (vice_person,) = _delegates(world, meeting, world.vice, "Võ Văn Phụng")
    _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    client = login(world.secretariat)
    for person in (*chair_people, vice_person):
        _scan(client, meeting, person.qr_token)
    assert services.present_unit_ids(meeting) == {world.chair.pk, world.vice.pk}
    page = client.get(reverse("meeting_check_in", kwargs={"pk": meeting.pk})).content.decode()
    assert "2/3 đơn vị có mặt" in page
    assert "3/4 đại biểu đã điểm danh" in page
    listing = client.get(reverse("meeting_delegates", kwargs={"pk": meeting.pk})).content.decode()
    assert "2/3 đơn vị" in listing


def test_an_empty_scan_asks_for_the_code(world, meeting, login):
    page = _scan(login(world.secretariat), meeting, "").content.decode()
    assert "Hãy quét hoặc nhập mã QR." in page
    assert not Delegate.objects.filter(checked_in_at__isnull=False).exists()


def test_only_the_secretariat_checks_people_in(world, meeting, login):
    (delegate,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    assert _scan(login(world.officer), meeting, delegate.qr_token).status_code == 403
    assert _scan(login(world.outsider), meeting, delegate.qr_token).status_code == 404
    delegate.refresh_from_db()
    assert delegate.checked_in_at is None
