"""Two-factor authentication: who must pass the second step, enrolment, the code at sign-in,
recovery codes, removal and the ministry office's reset of a lost authenticator."""

from __future__ import annotations

import re
import uuid
from binascii import unhexlify

import pytest
from axes.models import AccessAttempt
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from blocs import two_factor
from blocs.middleware import EXEMPT_URL_NAMES
from blocs.models import BlocYear, SecretariatAppointment
from tests.factories import BlocYearFactory, UserFactory
from tests.two_factor_support import confirmed_device, mark_unverified, totp_code

PASSWORD = "Mat-khau-rieng-2022!"
VERIFY = reverse("two_factor_verify")
ENROL = reverse("two_factor_enrol")


def _own_password(user):
    # Outside DEBUG the demo password opens nothing: people sign in with their own.
    user.set_password(PASSWORD)
    user.save()
    return user


def _password_only(login, user, *, device: bool = True):
    """A client whose session passed the password step only (as right after the login page)."""
    client = login(user)
    if not device:
        TOTPDevice.objects.filter(user=user).delete()
    mark_unverified(client)
    return client


def _sign_in_password(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def _history_reasons(user) -> list[str]:
    return list(
        user.history.order_by("-history_date").values_list("history_change_reason", flat=True)
    )


# --- every URL, with placeholder arguments: the middleware answers before any view runs -------


def _placeholder(converter) -> object:
    name = type(converter).__name__
    return {"IntConverter": 1, "UUIDConverter": uuid.uuid4()}.get(name, "x")


def _every_url(patterns=None, namespace: str = "", prefix_kwargs=None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _every_url(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            converters = pattern.pattern.converters
            yield f"{namespace}{pattern.name}", {k: _placeholder(c) for k, c in converters.items()}


def _guarded_urls() -> list[str]:
    urls = []
    for name, kwargs in _every_url():
        if name in EXEMPT_URL_NAMES:
            continue
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except Exception:  # an admin URL with a regex argument: a string fits it
            continue
    return sorted(set(urls))


@pytest.mark.parametrize("role", ["ministry", "secretariat", "leader"])
def test_an_unverified_required_role_is_sent_to_the_code_page_from_every_page(world, login, role):
    client = _password_only(login, world.user(role))
    urls = _guarded_urls()
    assert len(urls) > 80
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY + "?next="), url
    # POST-only actions too (no next: a POST cannot be replayed).
    response = client.post(reverse("person_resend", args=[world.bloc.pk, 2022, world.officer.pk]))
    assert response["Location"] == VERIFY


@pytest.mark.parametrize("role", ["ministry", "secretariat", "leader"])
def test_a_required_role_without_an_authenticator_is_sent_to_enrolment(world, login, role):
    client = _password_only(login, world.user(role), device=False)
    response = client.get(reverse("bloc_list"))
    assert response["Location"] == ENROL + "?next=%2Fkhoi%2F"


def test_htmx_requests_are_redirected_by_htmx(world, login):
    client = _password_only(login, world.secretariat)
    response = client.get(reverse("dashboard"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(VERIFY)


def test_an_officer_without_an_authenticator_is_not_asked(world, login):
    client = _password_only(login, world.officer, device=False)
    for url in (
        reverse("dashboard"),
        reverse("bloc_list"),
        reverse("bloc_detail", args=[world.bloc.pk]),
        reverse("two_factor"),
    ):
        assert client.get(url).status_code == 200, url


def test_an_officer_who_enrolled_is_asked_like_everyone(world, login):
    client = _password_only(login, world.officer)
    assert client.get(reverse("dashboard"))["Location"].startswith(VERIFY)


def test_exempt_pages_stay_open_before_the_second_step(world, login):
    client = _password_only(login, world.secretariat)
    assert client.get(VERIFY).status_code == 200
    assert client.get(ENROL).status_code == 200  # "already enrolled"
    assert client.get(reverse("verify_lookup")).status_code == 200
    assert client.get(reverse("health")).status_code == 200
    # The login page sends a half-signed-in person on to the second step.
    assert client.get(reverse("login"))["Location"].startswith(VERIFY)
    static = client.get("/static/css/portal.css")
    assert not static.get("Location", "").startswith("/tai-khoan/")
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_who_must_use_a_second_factor(world, settings):
    assert two_factor.is_required(world.ministry)
    assert two_factor.is_required(world.leader)
    assert two_factor.is_required(world.secretariat)  # officer of the chair unit
    assert not two_factor.is_required(world.officer)
    # An appointment to an open year's secretariat; a closed year's no longer counts.
    SecretariatAppointment.objects.create(bloc_year=world.bloc_year, user=world.officer)
    assert two_factor.is_required(world.officer)
    BlocYear.objects.filter(pk=world.bloc_year.pk).update(status=BlocYear.Status.CLOSED)
    assert not two_factor.is_required(world.officer)
    assert not two_factor.is_required(world.secretariat)
    BlocYearFactory(bloc=world.bloc, year=2023, chair=world.chair)
    assert two_factor.is_required(world.secretariat)
    settings.OTP_REQUIRED = False
    assert not two_factor.is_required(world.ministry)


def test_with_otp_not_required_only_enrolled_accounts_are_asked(world, login, settings):
    settings.OTP_REQUIRED = False
    assert login(world.leader).get(reverse("dashboard")).status_code == 200
    assert (
        _password_only(login, world.leader, device=False).get(reverse("dashboard")).status_code
        == 200
    )
    client = _password_only(login, world.secretariat)
    assert client.get(reverse("dashboard"))["Location"].startswith(VERIFY)


# --- signing in: password, then code --------------------------------------------------------


def test_sign_in_with_password_then_code(world, client):
    user = _own_password(world.secretariat)
    device = confirmed_device(user)
    AccessAttempt.objects.all().delete()
    response = _sign_in_password(client, user)
    assert response["Location"] == VERIFY + "?next=%2Fbang-dieu-khien%2F"
    assert client.get(reverse("dashboard"))["Location"].startswith(VERIFY)
    page = client.get(response["Location"]).content.decode()
    assert "Xác thực hai bước" in page
    assert 'name="otp_token"' in page

    wrong = client.post(VERIFY, {"otp_token": "000000", "next": "/bang-dieu-khien/"})
    assert wrong.status_code == 200
    assert "Mã không đúng hoặc đã được dùng." in wrong.content.decode()
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start == 1  # counted by django-axes
    assert client.get(reverse("dashboard")).status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0  # skip the device's one-second back-off
    device.save()
    right = client.post(VERIFY, {"otp_token": totp_code(device), "next": "/bang-dieu-khien/"})
    assert right["Location"] == "/bang-dieu-khien/"
    assert client.get(reverse("dashboard")).status_code == 200
    # Both steps passed: the failures of this name and address are forgotten.
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_the_same_code_is_not_accepted_twice(world, client):
    user = _own_password(world.leader)
    device = confirmed_device(user)
    _sign_in_password(client, user)
    code = totp_code(device)
    assert client.post(VERIFY, {"otp_token": code}).status_code == 302
    client.post(reverse("logout"))
    _sign_in_password(client, user)
    assert client.post(VERIFY, {"otp_token": code}).status_code == 200


def test_an_unsafe_next_is_ignored(world, client):
    user = _own_password(world.leader)
    device = confirmed_device(user)
    _sign_in_password(client, user)
    response = client.post(
        VERIFY, {"otp_token": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("dashboard")


def test_a_recovery_code_works_once(world, client):
    user = _own_password(world.ministry)
    confirmed_device(user)
    codes = two_factor.recovery_codes_regenerate(user=user)
    assert len(codes) == len(set(codes)) == 10
    _sign_in_password(client, user)
    response = client.post(VERIFY, {"otp_token": codes[0].upper(), "next": "/khoi/"}, follow=True)
    assert response.redirect_chain[0][0] == "/khoi/"
    assert "còn lại 9 mã" in response.content.decode()
    assert two_factor.recovery_codes_left(user) == 9
    client.post(reverse("logout"))
    _sign_in_password(client, user)
    again = client.post(VERIFY, {"otp_token": codes[0]})
    assert again.status_code == 200
    assert client.get(reverse("dashboard")).status_code == 302
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)
    assert client.post(VERIFY, {"otp_token": codes[1]}).status_code == 302


def test_a_recovery_code_is_stored_as_a_digest_that_is_no_code_itself(world, client):
    """Someone who reads the database gets digests: typed at the second step, a digest is
    refused (it is hashed like anything typed), and counts as a wrong code."""
    user = _own_password(world.ministry)
    confirmed_device(user)
    codes = two_factor.recovery_codes_regenerate(user=user)
    stored = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    assert all(len(token) == 16 for token in stored)
    assert not set(stored) & set(codes)
    _sign_in_password(client, user)
    refused = client.post(VERIFY, {"otp_token": stored[0]})
    assert refused.status_code == 200
    assert "Mã không đúng" in refused.content.decode()
    assert two_factor.recovery_codes_left(user) == 10
    assert StaticDevice.objects.get(user=user).throttling_failure_count == 1


def test_the_same_recovery_code_has_another_digest_for_another_person(world):
    code = "abcd2345"
    mine = two_factor.recovery_digest(world.ministry, code)
    assert mine == two_factor.recovery_digest(world.ministry, code)
    assert mine != two_factor.recovery_digest(world.leader, code)
    assert two_factor.recovery_digest(world.ministry, "x" * 10_000) == two_factor.recovery_digest(
        world.ministry, "x" * two_factor.RECOVERY_CODE_MAX
    )


def test_codes_stored_in_plain_text_before_keep_working_once_migrated(world):
    """blocs/migrations/0002 turns the plain codes django-otp stored into digests."""
    import importlib

    from django.apps import apps

    user = world.ministry
    confirmed_device(user)
    device = StaticDevice.objects.create(user=user, name="Mã dự phòng", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")
    StaticToken.objects.create(device=device, token="wxyz6723")
    migration = importlib.import_module("blocs.migrations.0002_recovery_codes_hashed")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # a second run changes nothing
    stored = set(device.token_set.values_list("token", flat=True))
    assert stored == {two_factor.recovery_digest(user, c) for c in ("abcd2345", "wxyz6723")}
    assert two_factor.verify_code(user=user, code="ABCD-2345") is not None
    assert two_factor.recovery_codes_left(user) == 1


# --- enrolment ------------------------------------------------------------------------------


def _code_for(secret_key: str) -> str:
    totp = TOTP(unhexlify(secret_key))
    return f"{totp.token():06d}"


def test_a_leader_enrols_at_first_sign_in_and_sees_ten_recovery_codes_once(world, client):
    user = _own_password(world.leader)
    TOTPDevice.objects.filter(user=user).delete()
    response = _sign_in_password(client, user)
    assert response["Location"] == ENROL + "?next=%2Fbang-dieu-khien%2F"
    assert client.get(reverse("bloc_list"))["Location"].startswith(ENROL)

    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page
    assert 'class="two-factor-qr"' in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # CSP: no inline style
    key = client.session[two_factor.PENDING_KEY_SESSION]
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") == two_factor.secret_text(key).replace(" ", "")
    uri = two_factor.otpauth_uri(user=user, key=key)
    assert uri.startswith("otpauth://totp/Kh%E1%BB%91i%20Portal%3Aleader?secret=")
    # The same secret until it is confirmed (a reload does not change the QR code).
    client.get(ENROL)
    assert client.session[two_factor.PENDING_KEY_SESSION] == key

    wrong = client.post(ENROL, {"otp_token": "123456", "next": "/bang-dieu-khien/"})
    assert "Mã không đúng" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()

    response = client.post(ENROL, {"otp_token": _code_for(key), "next": "/bang-dieu-khien/"})
    assert response["Location"] == reverse("two_factor_recovery") + "?next=%2Fbang-dieu-khien%2F"
    assert TOTPDevice.objects.get(user=user).confirmed
    page = client.get(response["Location"]).content.decode()
    shown = re.findall(r"<li>([a-z2-7]{8})</li>", page)
    assert len(shown) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {two_factor.recovery_digest(user, code) for code in shown}
    assert not stored & set(shown)  # the codes themselves are nowhere in the database
    assert 'href="/bang-dieu-khien/"' in page
    assert not re.findall(
        r"<li>([a-z2-7]{8})</li>", client.get(reverse("two_factor_recovery")).content.decode()
    )
    assert client.get(reverse("dashboard")).status_code == 200  # the session is verified
    assert "Bật xác thực hai bước" in _history_reasons(user)


def test_an_officer_may_opt_in(world, login):
    client = _password_only(login, world.officer, device=False)
    assert "Không bắt buộc" in client.get(reverse("two_factor")).content.decode()
    client.get(ENROL)
    key = client.session[two_factor.PENDING_KEY_SESSION]
    assert client.post(ENROL, {"otp_token": _code_for(key)}).status_code == 302
    assert two_factor.has_device(world.officer)


def test_regenerating_recovery_codes_replaces_the_old_ones(world, login):
    client = login(world.secretariat)
    old = two_factor.recovery_codes_regenerate(user=world.secretariat)
    response = client.post(reverse("two_factor_recovery"), follow=True)
    new = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    assert two_factor.verify_code(user=world.secretariat, code=old[0]) is None


# --- removal and the ministry office's reset ------------------------------------------------


def test_removing_the_authenticator_needs_a_code(world, login):
    client = login(world.leader)
    device = confirmed_device(world.leader)
    two_factor.recovery_codes_regenerate(user=world.leader)
    wrong = client.post(reverse("two_factor_remove"), {"otp_token": "000000"})
    assert "Mã không đúng" in wrong.content.decode()
    assert two_factor.has_device(world.leader)
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    response = client.post(reverse("two_factor_remove"), {"otp_token": totp_code(device)})
    assert response["Location"] == reverse("two_factor")
    assert not two_factor.has_device(world.leader)
    assert two_factor.recovery_codes_left(world.leader) == 0
    assert "Gỡ bỏ xác thực hai bước" in _history_reasons(world.leader)
    # A leader must use it: every page now leads to enrolment again.
    assert client.get(reverse("dashboard"))["Location"].startswith(ENROL)


def test_the_ministry_office_resets_a_lost_authenticator(world, login):
    from django.test import Client

    person = Client()
    person.force_login(world.leader)
    assert person.get(reverse("dashboard")).status_code == 200
    two_factor.recovery_codes_regenerate(user=world.leader)

    ministry = login(world.ministry)
    page = ministry.get(reverse("security_account", args=[world.leader.pk])).content.decode()
    assert "Đã bật từ ngày" in page
    response = ministry.post(
        reverse("security_reset", args=[world.leader.pk]), {"reason": "Mất điện thoại"}
    )
    assert response["Location"] == reverse("security_account", args=[world.leader.pk])
    assert not two_factor.has_device(world.leader)
    entry = world.leader.history.order_by("-history_date").first()
    assert entry.history_change_reason == "Đặt lại xác thực hai bước: Mất điện thoại"
    assert entry.history_user == world.ministry
    # The leader's session loses its verification: enrol again before anything else.
    assert person.get(reverse("dashboard"))["Location"].startswith(ENROL)


def test_the_ministry_office_finds_accounts_by_name(world, login):
    client = login(world.ministry)
    page = client.get(reverse("security_accounts"), {"q": "lãnh"}).content.decode()
    assert "Phạm Văn Lãnh" in page
    assert "Lê Văn Cán" not in page


def test_a_stranger_cannot_reset_someone_elses_authenticator(world, login):
    confirmed_device(world.leader)
    response = login(world.secretariat).post(reverse("security_reset", args=[world.leader.pk]))
    assert response.status_code == 403
    assert two_factor.has_device(world.leader)


def test_the_admin_hides_authenticator_secrets(settings):
    assert settings.OTP_ADMIN_HIDE_SENSITIVE_DATA is True


def test_a_new_user_account_gets_no_device_by_itself(world):
    person = UserFactory(unit=world.member, unit_role="officer")
    assert not two_factor.has_device(person)
    assert two_factor.status(person) == {
        "required": False,
        "enrolled": False,
        "enrolled_at": None,
        "last_used_at": None,
        "codes_left": 0,
    }
