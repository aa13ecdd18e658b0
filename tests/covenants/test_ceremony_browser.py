"""Ceremony mode in a real browser: the secretariat's tablet in the conference hall.

The secretariat signs in, opens the ceremony page (tally 0/3), and two leaders in turn pick
their unit and type their own credentials; the tally moves to 1/3 then 2/3 without a reload
(the HTMX answer to the form, and the tally's 2-second polling; without JavaScript the
form posts and the page reloads, and the same checks hold), the form clears each time,
and the tablet stays signed in as the secretariat. Chromium is the system's (/usr/bin/chromium);
without it the test is skipped, or fails in CI (CI or KHOI_REQUIRE_SERVICES set).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from covenants.models import Signature
from tests.browser_support import sign_in, tab
from tests.covenants.conftest import make_covenant
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 375, "height": 740}
OWN_PASSWORD = "Le-ky@Hoi-nghi-2022"


@pytest.fixture
def page(monkeypatch):
    with tab(monkeypatch, viewport=TABLET) as page:
        yield page


def _sign_in(page, base: str, username: str, password: str) -> None:
    sign_in(page, base, username, password)  # both steps (tests/browser_support.py)


def _leader_signs(page, unit, username: str, password: str) -> None:
    signing = page.locator("#ky-tai-hoi-nghi")
    signing.locator("select[name=unit]").select_option(str(unit.pk))
    signing.locator("input[name=username]").fill(username)
    signing.locator("input[name=password]").fill(password)
    signing.get_by_role("button", name="Ký giao ước").click()


def test_two_leaders_sign_in_turn_on_the_secretariats_tablet(world, live_server, page):
    from playwright.sync_api import expect

    # Outside DEBUG the demo password opens nothing (login page, ceremony): own passwords.
    world.secretariat.set_password(OWN_PASSWORD)
    world.secretariat.save()
    chair_leader = UserFactory(
        username="lanhdao.daklak",
        full_name="Y Giang Niê",
        unit=world.chair,
        unit_role="leader",
        password=OWN_PASSWORD,
    )
    vice_leader = UserFactory(
        username="lanhdao.lamdong",
        full_name="Trần Văn Lâm",
        unit=world.vice,
        unit_role="leader",
        password=OWN_PASSWORD,
    )
    covenant = make_covenant(world)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )

    _sign_in(page, live_server.url, "secretariat", OWN_PASSWORD)
    page.goto(live_server.url + reverse("covenant_ceremony", kwargs={"pk": covenant.pk}))
    tally = page.locator("[data-testid=tally]")
    expect(tally).to_have_text("0/3 đơn vị đã ký")
    htmx_loaded = page.evaluate("typeof window.htmx") == "object"

    if htmx_loaded:
        # The tally polls its partial on its own, every two seconds.
        tally_url = reverse("covenant_ceremony_tally", kwargs={"pk": covenant.pk})
        with page.expect_request(lambda request: request.url.endswith(tally_url), timeout=5_000):
            pass

    _leader_signs(page, world.chair, "lanhdao.daklak", OWN_PASSWORD)
    expect(tally).to_have_text("1/3 đơn vị đã ký")
    # In the HTMX answer, or (without JavaScript) in the page's message after the redirect.
    expect(page.get_by_text("Đắk Lắk đã ký: Y Giang Niê.")).to_be_visible()
    expect(page.locator("#ky-tai-hoi-nghi input[name=password]")).to_have_value("")
    expect(page.locator("#ky-tai-hoi-nghi input[name=username]")).to_have_value("")
    expect(page.locator(f"#ky-tai-hoi-nghi option[value='{world.chair.pk}']")).to_have_count(0)

    # A wrong password: refused on the tablet, nothing recorded, the tally stays.
    _leader_signs(page, world.vice, "lanhdao.lamdong", "sai-mat-khau")
    expect(page.locator("#ky-tai-hoi-nghi")).to_contain_text(
        "Tên đăng nhập hoặc mật khẩu không đúng."
    )
    expect(tally).to_have_text("1/3 đơn vị đã ký")

    _leader_signs(page, world.vice, "lanhdao.lamdong", OWN_PASSWORD)
    expect(tally).to_have_text("2/3 đơn vị đã ký")
    expect(page.locator("#kiem-dem li", has_text="✓ đã ký")).to_have_count(2)

    # The tablet is still the secretariat's; the leaders never got a session.
    expect(page.locator(".navbar-text")).to_contain_text("Đỗ Thanh Thư")
    signers = {s.unit_id: s.signer_id for s in Signature.objects.filter(covenant=covenant)}
    assert signers == {world.chair.pk: chair_leader.pk, world.vice.pk: vice_leader.pk}
    assert set(Signature.objects.values_list("recorded_by", flat=True)) == {world.secretariat.pk}

    # The same page on a phone: nothing wider than the screen, the button reachable.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(tally).to_have_text("2/3 đơn vị đã ký")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.get_by_role("button", name="Ký giao ước")).to_be_visible()
    assert not csp_errors, csp_errors
