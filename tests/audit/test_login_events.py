"""Sign-ins reach the audit log end to end: real POSTs to the login page (and the second step)
go through django-axes into its access logs, and the log shows them to the secretariat of the
signer's bloc only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit import selectors
from audit.selectors import Filters
from tests.two_factor_support import confirmed_device, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-rieng-2022!"
ADDRESS = "203.0.113.5"


def _own_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def _post_login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def _log(client: Client, **params) -> str:
    response = client.get(reverse("audit_log"), {"loai": "dang-nhap", **params})
    assert response.status_code == 200
    return response.content.decode()


FAILED = f"Đăng nhập không thành công với tên đăng nhập «officer» từ địa chỉ IP {ADDRESS}"
SIGNED_IN = f"Đăng nhập từ địa chỉ IP {ADDRESS}"


@pytest.fixture
def wrong_then_right(world):
    """The officer of bloc A's member mistypes the password once, then signs in and out."""
    person = Client(REMOTE_ADDR=ADDRESS)
    _own_password(world.officer)
    response = _post_login(person, "officer", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    response = _post_login(person, "officer", PASSWORD)
    assert response["Location"] == reverse("dashboard")
    assert person.get(reverse("dashboard")).status_code == 200
    person.post(reverse("logout"))
    return person


def test_a_failed_then_successful_sign_in_shows_to_the_blocs_secretariat(
    world, wrong_then_right, login
):
    page = _log(login(world.secretariat))
    assert FAILED in page
    assert SIGNED_IN + "; chỉ qua bước mật khẩu; đăng xuất lúc" in page  # no authenticator
    assert page.index(SIGNED_IN) < page.index(FAILED)  # newest first
    assert "Lê Văn Cán" in page
    assert "Bình Định" in page  # the signer's unit


def test_the_sign_ins_stay_in_the_signers_bloc(world, wrong_then_right, login):
    page = _log(login(world.outsider))  # bloc B's secretariat
    assert ADDRESS not in page
    ministry = login(world.ministry)
    assert ADDRESS not in _log(ministry, khoi=world.other_bloc.pk)
    page = _log(ministry, khoi=world.bloc.pk)
    assert FAILED in page
    assert SIGNED_IN in page


def test_the_filter_by_person_finds_both(world, wrong_then_right, login):
    page = _log(login(world.secretariat), nguoi=world.officer.pk)
    assert FAILED in page
    assert SIGNED_IN in page
    filters = Filters(kind="dang-nhap", user=world.officer)
    rows = selectors.events(selectors.event_keys(viewer=world.secretariat, filters=filters))
    assert [row.who for row in rows] == ["Lê Văn Cán", "Lê Văn Cán"]


def test_an_unknown_user_name_shows_to_the_ministry_only(world, login):
    _post_login(Client(REMOTE_ADDR=ADDRESS), "khong.co.ai", "doan-mo")
    text = "Đăng nhập không thành công với tên đăng nhập «khong.co.ai»"
    assert text not in _log(login(world.secretariat))
    assert text in _log(login(world.ministry))


def test_a_wrong_second_step_code_is_told_apart(world, login):
    """The leader passes the password, mistypes the authenticator code, then enters it."""
    leader = _own_password(world.leader)
    device = confirmed_device(leader)
    person = Client(REMOTE_ADDR=ADDRESS)
    verify = reverse("two_factor_verify")
    assert _post_login(person, "leader", PASSWORD)["Location"].startswith(verify)
    assert person.post(verify, {"otp_token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # the authenticator's own back-off after a wrong code: not tested here
    assert person.post(verify, {"otp_token": totp_code(device)})["Location"] == reverse("dashboard")
    page = _log(login(world.secretariat), nguoi=leader.pk)
    assert f"Nhập sai mã xác thực hai bước, tên đăng nhập «leader» từ địa chỉ IP {ADDRESS}" in page
    assert SIGNED_IN in page
    assert "Đăng nhập không thành công" not in page


@pytest.mark.parametrize("method", ["app", "recovery"])
def test_the_second_step_is_noted_on_the_sign_in_and_signing_out_still_stamps_it(
    world, login, method
):
    """django-axes writes the sign-in at the password step; the second step renews the session
    key. The entry says how the second step was passed, and the sign-out's time still reaches
    it (it is found by the session key's hash)."""
    from blocs import two_factor

    leader = _own_password(world.leader)
    device = confirmed_device(leader)
    codes = two_factor.recovery_codes_regenerate(user=leader)
    person = Client(REMOTE_ADDR=ADDRESS)
    verify = reverse("two_factor_verify")
    assert _post_login(person, "leader", PASSWORD)["Location"].startswith(verify)
    code = totp_code(device) if method == "app" else codes[0]
    assert person.post(verify, {"otp_token": code})["Location"] == reverse("dashboard")
    person.post(reverse("logout"))
    page = _log(login(world.secretariat), nguoi=leader.pk)
    how = "mã từ ứng dụng xác thực" if method == "app" else "mã dự phòng"
    assert SIGNED_IN + f"; qua bước hai bằng {how} lúc " in page
    assert "; đăng xuất lúc " in page
    assert "chỉ qua bước mật khẩu" not in page


def test_a_sign_in_that_stops_at_the_password_says_so(world, login):
    leader = _own_password(world.leader)
    confirmed_device(leader)
    person = Client(REMOTE_ADDR=ADDRESS)
    assert _post_login(person, "leader", PASSWORD)["Location"].startswith(
        reverse("two_factor_verify")
    )
    page = _log(login(world.secretariat), nguoi=leader.pk)
    assert SIGNED_IN + "; chỉ qua bước mật khẩu" in page
    assert "qua bước hai bằng" not in page
