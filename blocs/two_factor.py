"""Two-factor authentication (django-otp): who must use it, enrolment, the second sign-in step,
recovery codes, removal and the ministry office's reset.

A person has at most one authenticator (a confirmed ``TOTPDevice``) and one set of recovery codes
(a ``StaticDevice`` holding ``RECOVERY_CODE_COUNT`` single-use ``StaticToken``). The secretariat,
leaders and the ministry office must use it (``is_required``); officers may opt in, and once they
have enrolled they are asked for a code like everyone else. Every change to someone's second
factor is recorded in their history (django-simple-history) with who made it and why.

A recovery code is stored only as its scrypt digest (``recovery_digest``): someone who reads the
database does not get codes that pass the second step, as django-otp's plain codes would be.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from base64 import b32encode
from binascii import unhexlify

import django_otp
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from blocs.models import BlocYear, SecretariatAppointment, User

RECOVERY_CODE_COUNT = 10
# Where the secret of an enrolment in progress waits for its first code (the server-side
# session): nothing is written to the database before the person proves the app has it.
PENDING_KEY_SESSION = "two_factor_pending_key"
# Fresh recovery codes wait here for the one page that shows them, then are gone.
NEW_CODES_SESSION = "two_factor_new_codes"
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_DEVICE_NAME = "Mã dự phòng"


# --- who ------------------------------------------------------------------------------------


def is_secretariat_now(user: User) -> bool:
    """Secretariat of a bloc year still open: an officer of its chair unit or appointed to it."""
    if not (user.is_authenticated and user.is_active):
        return False
    open_years = BlocYear.objects.exclude(status=BlocYear.Status.CLOSED)
    if user.is_officer and open_years.filter(chair_id=user.unit_id).exists():
        return True
    return SecretariatAppointment.objects.filter(Q(bloc_year__in=open_years), user=user).exists()


def is_required(user: User) -> bool:
    """Whether *user* must sign in with a second factor (settings.OTP_REQUIRED)."""
    if not settings.OTP_REQUIRED or not (user.is_authenticated and user.is_active):
        return False
    if user.is_ministry_office or user.is_staff or user.is_superuser or user.is_leader:
        return True
    return is_secretariat_now(user)


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user: User) -> bool:
    """Whether *user* has enrolled: then every sign-in asks for a code."""
    return user.is_authenticated and django_otp.user_has_device(user, confirmed=True)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_verified(request: HttpRequest) -> bool:
    """Whether this session passed the second step (django_otp.middleware.OTPMiddleware)."""
    user = request.user
    # Right after the password step request.user is a fresh object OTPMiddleware never saw:
    # not verified, which is what a new sign-in is.
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())


def status(user: User) -> dict:
    """What the account pages show about someone's second factor."""
    totp = totp_device(user)
    return {
        "required": is_required(user),
        "enrolled": totp is not None,
        "enrolled_at": totp.created_at if totp else None,
        "last_used_at": totp.last_used_at if totp else None,
        "codes_left": recovery_codes_left(user),
    }


# --- enrolment ------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh TOTP secret (20 random bytes, hex), as TOTPDevice stores it."""
    return random_hex(20)


def otpauth_uri(*, user: User, key: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (issuer: Khối Portal)."""
    return TOTPDevice(user=user, key=key).config_url


def secret_text(key: str) -> str:
    """The secret in base32, grouped by four, for typing into an app instead of scanning."""
    text = b32encode(unhexlify(key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(uri: str) -> str:
    """The QR code of *uri* as inline SVG markup (no inline style: CSP allows it)."""
    import segno  # on first use: the web workers stay small (issue #8)

    return segno.make(uri, error="m").svg_inline(
        scale=5, border=2, svgclass="two-factor-qr", title=_("Mã QR để quét bằng ứng dụng")
    )


def _clean_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").lower()


def _totp_matches(key: str, code: str) -> bool:
    if not re.fullmatch(r"\d{6}", code):
        return False
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    return totp.verify(int(code), tolerance=1)


def record_account_event(*, person: User, by: User | None, reason: str) -> None:
    """One line in *person*'s history (the audit trail) without changing the account itself."""
    fresh = User.objects.get(pk=person.pk)  # the stored values, no stale _change_reason
    User.history.bulk_history_create(
        [fresh], update=True, default_user=by, default_change_reason=reason
    )


# scrypt's "interactive" cost (16 MiB, some 40 ms): a leaked digest of a 40-bit code takes
# lifetimes to reverse, a sign-in or a new set of ten codes hardly notices it.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 12}
RECOVERY_CODE_MAX = 64  # what is hashed of a typed code, at most: a longer one is wrong anyway


def recovery_digest(user: User, code: str) -> str:
    """What is stored of recovery *code* (cleaned as typed: no spaces or hyphens, lower case):
    its scrypt digest salted with the person's id, 16 characters (base64url), as many as
    django-otp's token column holds. The same code of another person has another digest.
    blocs/migrations/0002_recovery_codes_hashed.py computes it too, for the codes stored before."""
    salt = f"khoi-portal:recovery-code:{user.pk}".encode()
    digest = hashlib.scrypt(code[:RECOVERY_CODE_MAX].encode(), salt=salt, **_SCRYPT)
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _new_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_digest(user, code)) for code in codes
    )
    return codes


@transaction.atomic
def totp_enrol(*, user: User, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator app holding *key* with its current *code*; returns the device
    and a new set of recovery codes (the only time they are shown in full)."""
    User.objects.select_for_update().get(pk=user.pk)  # one enrolment at a time per person
    if totp_device(user) is not None:
        raise ValidationError(_("Tài khoản đã có ứng dụng xác thực. Hãy gỡ bỏ trước khi thay."))
    if not _totp_matches(key, _clean_code(code)):
        raise ValidationError(
            _("Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trên ứng dụng (mã đổi sau 30 giây).")
        )
    TOTPDevice.objects.filter(user=user).delete()  # an unconfirmed leftover, if any
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
    codes = _new_codes(user)
    record_account_event(person=user, by=user, reason="Bật xác thực hai bước")
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace *user*'s recovery codes with ``RECOVERY_CODE_COUNT`` new ones (the old ones stop
    working at once)."""
    if totp_device(user) is None:
        raise ValidationError(_("Hãy bật xác thực hai bước trước khi tạo mã dự phòng."))
    codes = _new_codes(user)
    record_account_event(person=user, by=user, reason="Tạo lại mã dự phòng")
    return codes


def _devices(user: User):
    return list(django_otp.devices_for_user(user, confirmed=None))


def devices_remove(*, user: User, code: str, request: HttpRequest | None = None) -> None:
    """The person turns their second factor off, proving it with a current code (or a
    recovery code). Required roles are asked to enrol again at their next page."""
    # Checked outside the transaction: a wrong code must stay counted (throttle, axes).
    if verify_code(user=user, code=code, request=request) is None:
        raise ValidationError(_("Mã không đúng."))
    with transaction.atomic():
        for device in _devices(user):
            device.delete()
        record_account_event(person=user, by=user, reason="Gỡ bỏ xác thực hai bước")


@transaction.atomic
def devices_reset(*, person: User, by: User, reason: str = "") -> int:
    """The ministry office removes someone's authenticator and recovery codes (a lost phone):
    they enrol again at their next sign-in. Returns the number of devices removed."""
    devices = _devices(person)
    for device in devices:
        device.delete()
    note = reason.strip()
    record_account_event(
        person=person,
        by=by,
        reason="Đặt lại xác thực hai bước" + (f": {note}" if note else ""),
    )
    return len(devices)


# --- the second sign-in step ----------------------------------------------------------------


def verify_code(*, user: User, code: str, request: HttpRequest | None = None) -> Device | None:
    """The device that accepts *code*: six digits go to the authenticator, anything else to the
    recovery codes (a recovery code is used up). A wrong code counts as a failed sign-in for
    django-axes (per user name and address) besides each device's own throttling."""
    code = _clean_code(code)
    if re.fullmatch(r"\d{6}", code):
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
        # Compared by digest only: what is typed is never looked up as it is, so a digest read
        # from the database is no code.
        code = recovery_digest(user, code)
    for device in devices:
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    if request is not None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
    return None


def throttled(user: User) -> bool:
    """Whether the authenticator is in its back-off after repeated wrong codes (the delay
    doubles from one second with each failure: worth telling from the second one on)."""
    device = totp_device(user)
    return bool(
        device and device.throttling_failure_count >= 2 and not device.verify_is_allowed()[0]
    )


def second_step_pass(*, request: HttpRequest, device: Device) -> None:
    """Mark the session as verified by *device* and end the sign-in: the failed attempts of this
    user name and address are forgotten only now, after both steps. The audit log's entry of
    the password step learns how the second one was passed (audit.models.SecondStep)."""
    from axes.helpers import get_client_session_hash

    from blocs.lockout import sign_in_completed

    password_step = get_client_session_hash(request)
    django_otp.login(request, device)
    request.session.cycle_key()
    sign_in_completed(request, user=request.user)
    _note_second_step(request, device, password_step=password_step)


def _note_second_step(request: HttpRequest, device: Device, *, password_step: str) -> None:
    """The access-log entry django-axes wrote at the password step (found by the hash of the
    session key it had then): it follows the session's new key, so that signing out still
    stamps the entry's logout time, and gets its SecondStep row."""
    from axes.helpers import get_client_session_hash
    from axes.models import AccessLog
    from django.utils import timezone

    from audit.models import SecondStep

    entries = AccessLog.objects.filter(
        username=request.user.get_username(), session_hash=password_step, logout_time__isnull=True
    )
    entry = entries.order_by("-attempt_time").first()
    if entry is None:  # no access log (turned off), or a session from before it was written
        return
    AccessLog.objects.filter(pk=entry.pk).update(session_hash=get_client_session_hash(request))
    method = (
        SecondStep.Method.RECOVERY if isinstance(device, StaticDevice) else SecondStep.Method.APP
    )
    SecondStep.objects.update_or_create(
        log=entry, defaults={"passed_at": timezone.now(), "method": method}
    )


# --- the ministry office's overview ---------------------------------------------------------


def accounts_overview(*, query: str = ""):
    """Every account with its second-factor and lockout state, for the ministry office."""
    from django.db.models import Exists, OuterRef

    from blocs.lockout import locked_usernames
    from khoi_portal.lib.vietnamese import nfc

    people = User.objects.select_related("unit").annotate(
        has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        locked=Exists(locked_usernames().filter(username=OuterRef("username"))),
    )
    query = nfc(query.strip())
    if query:
        people = people.filter(
            Q(username__icontains=query)
            | Q(full_name__icontains=query)
            | Q(email__icontains=query)
            | Q(unit__short_name__icontains=query)
        )
    return people.order_by("-locked", "full_name", "username")
