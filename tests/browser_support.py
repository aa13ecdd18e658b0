"""What the browser tests share: signing in through the login form, both steps.

The second step is passed the way a person does: the code their authenticator shows now,
computed here from the device's key (tests.two_factor_support.totp_code).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.urls import reverse

from blocs import two_factor
from blocs.models import User
from tests.conftest import services_required
from tests.two_factor_support import confirmed_device, totp_code

# Debian's Chromium (npx playwright install cannot download browsers here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium(monkeypatch) -> Iterator:
    """A Playwright Chromium browser: the test skips without it, and fails in CI."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay
    # synchronous and safe (the live server answers from its own thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            # ORM calls made while Playwright runs hold their own connection (its greenlet has
            # its own context): close them, or PostgreSQL cannot drop the test database.
            connections.close_all()
            browser.close()


@contextmanager
def tab(monkeypatch, *, viewport: dict) -> Iterator:
    """One page of a fresh context in Chromium, Vietnamese locale, 10 s timeouts."""
    with chromium(monkeypatch) as browser:
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            context.close()


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
