"""What the browser tests share: signing in through the login form, both steps.

The second step is passed the way a person does: the code their authenticator shows now,
computed here from the device's key (tests.two_factor_support.totp_code).
"""

from __future__ import annotations

from django.urls import reverse

from blocs import two_factor
from blocs.models import User
from tests.two_factor_support import confirmed_device, totp_code


def sign_in(page, base: str, username: str, password: str) -> None:
    """Sign in through the login page; when the account uses a second factor (a role that
    requires it gets an authenticator, as if enrolled), enter the current code too."""
    user = User.objects.get(username=username)
    needs_code = two_factor.is_required(user) or two_factor.has_device(user)
    device = confirmed_device(user) if needs_code else None
    page.goto(base + reverse("login"))
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    if device is not None:
        step = page.locator("form:has(input[name=otp_token])")
        step.locator("input[name=otp_token]").fill(totp_code(device))
        step.locator("button[type=submit]").click()
        verify_path = reverse("two_factor_verify")
        page.wait_for_url(lambda url: verify_path not in url)
    page.locator(".navbar-text").wait_for(state="attached")  # collapsed on a phone
