"""Login throttling (django-axes): lockout per user name and address after the configured number
of failures, the Vietnamese lockout page, the cool-off, the unlock, the access logs, and the
client address behind the TLS proxy (with HSTS there)."""

from __future__ import annotations

import datetime as dt
import io
import secrets
import subprocess
import sys

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from blocs import lockout
from tests.test_infrastructure import ROOT, clean_env
from tests.two_factor_support import confirmed_device, totp_code

PASSWORD = "Mat-khau-rieng-2022!"
LOCKED = "Tạm khóa đăng nhập"


@pytest.fixture(autouse=True)
def _limit_three(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _own_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def _post_login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_three_wrong_passwords_lock_the_account_with_a_vietnamese_page(world, client):
    user = _own_password(world.officer)
    for _ in range(2):
        response = _post_login(client, user.username, "sai-mat-khau")
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    response = _post_login(client, user.username, "sai-mat-khau")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "sau 3 lần nhập sai" in page
    assert "Vui lòng thử lại sau 30 phút." in page
    assert "Văn phòng thi đua của Bộ" in page
    # Even the right password is refused now, and nothing signs in.
    response = _post_login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.ip_address == "127.0.0.1"
    assert AccessFailureLog.objects.filter(username=user.username).count() == 4
    assert AccessFailureLog.objects.filter(username=user.username, locked_out=True).exists()


def test_the_lockout_is_per_user_name_and_address(world):
    user = _own_password(world.officer)
    other = _own_password(world.outsider)
    here, elsewhere = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        _post_login(here, user.username, "sai")
    assert _post_login(here, user.username, PASSWORD).status_code == 429
    # The same person from another address, another person from the same address: not locked.
    assert _post_login(elsewhere, user.username, PASSWORD)["Location"] == reverse("dashboard")
    assert _post_login(Client(REMOTE_ADDR="10.0.0.1"), other.username, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(world, client):
    user = _own_password(world.officer)
    for _ in range(3):
        _post_login(client, user.username, "sai")
    assert _post_login(client, user.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
    assert _post_login(client, user.username, PASSWORD)["Location"] == reverse("dashboard")


def test_a_successful_sign_in_forgets_earlier_failures_and_is_logged(world, client):
    user = _own_password(world.officer)
    _post_login(client, user.username, "sai", HTTP_USER_AGENT="Trình duyệt thử")
    assert AccessAttempt.objects.filter(username=user.username).exists()
    _post_login(client, user.username, PASSWORD, HTTP_USER_AGENT="Trình duyệt thử")
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    entry = AccessLog.objects.filter(username=user.username).latest("attempt_time")
    assert entry.ip_address == "127.0.0.1"
    assert entry.user_agent == "Trình duyệt thử"


def test_wrong_codes_at_the_second_step_lock_out_too(world, client):
    user = _own_password(world.leader)
    device = confirmed_device(user)
    assert _post_login(client, user.username, PASSWORD)["Location"].startswith(
        reverse("two_factor_verify")
    )
    verify = reverse("two_factor_verify")
    assert client.post(verify, {"otp_token": "000000"}).status_code == 200
    assert client.post(verify, {"otp_token": "abcdefgh"}).status_code == 200  # a recovery code
    response = client.post(verify, {"otp_token": "000001"})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # The half-signed-in session is over; the password alone no longer opens anything.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert _post_login(client, user.username, PASSWORD).status_code == 429
    # A correct code cannot help either: the lockout comes first.
    AccessAttempt.objects.update(failures_since_start=2)
    _post_login(client, user.username, PASSWORD)
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    assert client.post(verify, {"otp_token": totp_code(device)})["Location"] == reverse("dashboard")


def test_the_password_step_alone_does_not_reset_the_count(world, client):
    """Or a guesser who knows the password could sign in again between code guesses."""
    user = _own_password(world.leader)
    confirmed_device(user)
    _post_login(client, user.username, PASSWORD)
    client.post(reverse("two_factor_verify"), {"otp_token": "000000"})
    client.post(reverse("logout"))
    response = _post_login(client, user.username, PASSWORD)
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1


def test_the_ministry_office_sees_and_ends_a_lockout(world, login):
    user = _own_password(world.officer)
    stranger = Client(REMOTE_ADDR="192.0.2.7")
    for _ in range(3):
        _post_login(stranger, user.username, "sai")
    ministry = login(world.ministry)
    listing = ministry.get(reverse("security_accounts")).content.decode()
    assert "Đang bị khóa" in listing
    page = ministry.get(reverse("security_account", args=[user.pk])).content.decode()
    assert "Từ địa chỉ 192.0.2.7: 3 lần sai" in page
    response = ministry.post(reverse("security_unlock", args=[user.pk]))
    assert response["Location"] == reverse("security_account", args=[user.pk])
    assert not lockout.locked_attempts(user=user).exists()
    entry = user.history.order_by("-history_date").first()
    assert entry.history_change_reason == "Mở khóa đăng nhập (quá số lần sai)"
    assert entry.history_user == world.ministry
    assert _post_login(stranger, user.username, PASSWORD)["Location"] == reverse("dashboard")


def test_axes_reset_username_unlocks_from_the_command_line(world, client):
    user = _own_password(world.officer)
    for _ in range(3):
        _post_login(client, user.username, "sai")
    call_command("axes_reset_username", user.username, stdout=io.StringIO())
    assert _post_login(client, user.username, PASSWORD).status_code == 302


def test_the_tablet_signature_counts_failures_too(world, rf):
    """Leaders type their password on the secretariat's tablet (covenants): same counter."""
    from django.contrib.auth import authenticate

    user = _own_password(world.leader)
    request = rf.post("/", REMOTE_ADDR="10.1.1.1")
    assert authenticate(request, username=user.username, password="sai") is None
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1


# --- the client address and HSTS behind the TLS proxy ---------------------------------------


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "203.0.113.5", "10.0.0.9"),  # without the proxy the header is anybody's
        (True, "203.0.113.5", "203.0.113.5"),
        (True, "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the proxy appends the last
        (True, "not-an-address", "10.0.0.9"),
        (True, "", "10.0.0.9"),
    ],
)
def test_the_client_address_comes_from_the_proxy_only_behind_it(
    settings, behind_proxy, forwarded, expected
):
    settings.BEHIND_TLS_PROXY = behind_proxy
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert lockout.client_ip(request) == expected


def test_behind_the_proxy_two_clients_are_told_apart(world, settings):
    settings.BEHIND_TLS_PROXY = True
    user = _own_password(world.officer)
    proxy = {"REMOTE_ADDR": "172.18.0.2"}
    guesser = Client(HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    for _ in range(3):
        _post_login(guesser, user.username, "sai")
    assert _post_login(guesser, user.username, PASSWORD).status_code == 429
    owner = Client(HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert _post_login(owner, user.username, PASSWORD).status_code == 302


PROXY_CHECK = """
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
factory = RequestFactory()
proxied = middleware(factory.get("/", HTTP_X_FORWARDED_PROTO="https"))
direct = middleware(factory.get("/"))
print(proxied.status_code, proxied.headers.get("Strict-Transport-Security", "-"))
print(direct.status_code, direct.headers.get("Location", "-"))
"""


@pytest.mark.parametrize("behind_proxy", ["1", "0"])
def test_production_sends_hsts_behind_the_tls_proxy(behind_proxy):
    """Production settings as a deployment gets them (a subprocess with its own environment)."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + PROXY_CHECK],
        cwd=ROOT,
        env=clean_env(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(60),
            ALLOWED_HOSTS="testserver",
            BEHIND_TLS_PROXY=behind_proxy,
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    proxied, direct = result.stdout.strip().splitlines()[-2:]
    if behind_proxy == "1":
        assert proxied == "200 max-age=31536000; includeSubDomains; preload"
    else:  # the forwarded header is not trusted: still plain HTTP, sent to HTTPS
        assert proxied == "301 -"
    assert direct == "301 https://testserver/"


def test_production_refuses_to_turn_two_factor_off():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean_env(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), OTP_REQUIRED="0"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "OTP_REQUIRED can be turned off only while DEBUG is on" in result.stderr
