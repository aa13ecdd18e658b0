"""Second-factor helpers for tests: a confirmed authenticator for a user, its current code, and
a test-client session that has passed (or not) the second step."""

from __future__ import annotations

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice:
    """The user's authenticator, created (as if enrolled) when they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Điện thoại thử", confirmed=True)
    return device


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next step's when the current one
    was already used (TOTP refuses a code twice; the device's tolerance accepts the next)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def mark_verified(client, user) -> None:
    """Make the client's signed-in session one that passed the second step."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
    session.save()


def mark_unverified(client) -> None:
    """Make the client's signed-in session one that has passed the password step only."""
    session = client.session
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session.save()
