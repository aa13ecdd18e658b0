"""A conference day in a real browser, from the door to the hall's screen.

The secretariat checks the three units' delegates in by typing their tokens at the check-in
desk (what a USB or phone scanner does), opens the election page and creates the two rounds
from the default proposal; the leaders vote on their own ballot pages; the secretariat closes
both rounds and applies the result (next year's chair on the bloc page); two leaders sign the
covenant on the secretariat's tablet (ceremony mode); the hall's live board shows the units
present, the units that signed and the units that voted.

Chromium is the system's (/usr/bin/chromium); without it the test is skipped, or fails in CI
(CI or KHOI_REQUIRE_SERVICES set).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from blocs.models import BlocYear
from meetings import services
from meetings.models import AgendaItem, Handover
from tests.browser_support import chromium, sign_in
from tests.covenants.conftest import make_covenant
from tests.factories import UserFactory
from tests.meetings.conftest import make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
# Outside DEBUG the demo password opens nothing: everyone gets their own.
OWN_PASSWORD = "Hoi-nghi@Tong-ket-2022"


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


class Person:
    """One person's own browser context (their session), with CSP errors collected."""

    def __init__(self, browser, base: str, username: str, viewport: dict):
        self.base = base
        self.context = browser.new_context(viewport=viewport, locale="vi-VN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on("dialog", lambda dialog: dialog.accept())  # data-confirm prompts
        self.csp_errors: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.csp_errors.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        sign_in(self.page, base, username, OWN_PASSWORD)  # both steps (tests/browser_support.py)

    def go(self, name: str, **kwargs):
        self.page.goto(self.base + reverse(name, kwargs=kwargs))
        return self.page


def _leader(username: str, full_name: str, unit):
    return UserFactory(
        username=username, full_name=full_name, unit=unit, unit_role="leader", password=OWN_PASSWORD
    )


def _conference(world):
    """The meeting, its rotation, one delegate per unit, the covenant on the agenda."""
    meeting = make_meeting(world)
    services.rotation_set(
        bloc=world.bloc, units=[world.chair, world.vice, world.member], by=world.secretariat
    )
    delegates = {}
    for unit, name in (
        (world.chair, "Y Giang Niê"),
        (world.vice, "Võ Văn Phụng"),
        (world.member, "Phạm Văn Lãnh"),
    ):
        registration = services.registration_save(
            meeting=meeting,
            unit=unit,
            by=world.secretariat,
            delegates=[{"full_name": name, "title": "Trưởng ban"}],
        )
        delegates[unit.pk] = registration.delegates.get()
    covenant = make_covenant(world)
    item = AgendaItem.objects.get(meeting=meeting, action=AgendaItem.Action.SIGN_COVENANT)
    services.agenda_item_save(
        meeting=meeting,
        by=world.secretariat,
        item=item,
        action=item.action,
        title=item.title,
        covenant=covenant,
    )
    return meeting, delegates, covenant


def _check_in(page, delegate, unit) -> None:
    field = page.locator("input[name=token]")
    field.fill(delegate.qr_token)
    field.press("Enter")
    from playwright.sync_api import expect

    expect(page.get_by_test_id("check-in-result")).to_contain_text(
        f"✓ {delegate.full_name} – {unit.full_name}"
    )


def _vote(leader: Person, ballot_url: str, candidate_name: str) -> None:
    from playwright.sync_api import expect

    page = leader.page
    page.goto(leader.base + ballot_url)
    page.get_by_label(candidate_name).check()
    page.get_by_role("button", name="Gửi phiếu bầu").click()
    expect(page.get_by_test_id("receipt")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))


def test_a_conference_day(world, live_server, browser):
    from playwright.sync_api import expect

    world.secretariat.set_password(OWN_PASSWORD)
    world.secretariat.save()
    world.leader.set_password(OWN_PASSWORD)
    world.leader.save()
    _leader("lanhdao.daklak", "Y Giang Niê", world.chair)
    _leader("lanhdao.lamdong", "Võ Văn Phụng", world.vice)
    meeting, delegates, covenant = _conference(world)
    base = live_server.url

    # --- the door: the secretariat's phone at the check-in desk ---------------------------------
    desk = Person(browser, base, "secretariat", PHONE)
    page = desk.go("meeting_check_in", pk=meeting.pk)
    expect(page.get_by_test_id("present-units")).to_have_text("0/3 đơn vị có mặt")
    for unit in (world.chair, world.vice, world.member):
        _check_in(page, delegates[unit.pk], unit)
    expect(page.get_by_test_id("present-units")).to_have_text("3/3 đơn vị có mặt")
    _check_in(page, delegates[world.vice.pk], world.vice)  # scanned twice: harmless
    expect(page.get_by_test_id("check-in-result")).to_contain_text("Đã điểm danh lúc")
    expect(page.get_by_test_id("present-delegates")).to_have_text("3/3 đại biểu đã điểm danh")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # --- the election: the default proposal, two rounds opened ----------------------------------
    page.set_viewport_size(TABLET)
    page = desk.go("meeting_election", pk=meeting.pk)
    expect(page.get_by_test_id("proposal")).to_contain_text(world.vice.full_name)
    expect(page.get_by_test_id("proposal")).to_contain_text(world.member.full_name)
    page.get_by_role("button", name="Tạo và mở bỏ phiếu").click()
    expect(page.locator("[data-seat=chair]")).to_contain_text("Đang bỏ phiếu")
    expect(page.locator("[data-seat=vice]")).to_contain_text("Đang bỏ phiếu")
    ballots = {
        role: page.locator(f"[data-seat={role}] a", has_text="Phiếu bầu").get_attribute("href")
        for role in ("chair", "vice")
    }
    rounds = {
        role: page.locator(f"[data-seat={role}] a", has_text="Trang vòng bỏ phiếu").get_attribute(
            "href"
        )
        for role in ("chair", "vice")
    }

    # --- the leaders vote on their own ballot pages ---------------------------------------------
    voters = {
        name: Person(browser, base, name, PHONE)
        for name in ("lanhdao.daklak", "lanhdao.lamdong", world.leader.username)
    }
    for voter in voters.values():
        _vote(voter, ballots["chair"], world.vice.full_name)
    for name in (
        "lanhdao.daklak",
        "lanhdao.lamdong",
    ):  # Bình Định's leader does not vote for the vice
        _vote(voters[name], ballots["vice"], world.member.full_name)

    # --- the secretariat closes both rounds and applies the result ------------------------------
    for role in ("chair", "vice"):
        page.goto(base + rounds[role])
        page.get_by_role("button", name="Kết thúc bỏ phiếu").click()
        page.wait_for_url(re.compile(r"/ket-qua/$"))
    page = desk.go("meeting_election", pk=meeting.pk)
    expect(page.locator("[data-seat=chair]")).to_contain_text("trúng cử")
    expect(page.locator("[data-seat=vice]")).to_contain_text("trúng cử")
    page.get_by_role("button", name="Áp dụng kết quả bầu").click()
    page.wait_for_url(re.compile(r"/khoi/\d+/\?nam=2023$"))
    expect(page.get_by_test_id("chair")).to_contain_text(world.vice.full_name)
    expect(page.get_by_test_id("vice")).to_contain_text(world.member.full_name)
    next_year = BlocYear.objects.get(bloc=world.bloc, year=2023)
    assert (next_year.chair_id, next_year.vice_id) == (world.vice.pk, world.member.pk)
    assert Handover.objects.get(bloc=world.bloc, year=2023).to_unit_id == world.vice.pk

    # --- two leaders sign the covenant on the secretariat's tablet ------------------------------
    page = desk.go("covenant_ceremony", pk=covenant.pk)
    for unit, username in ((world.chair, "lanhdao.daklak"), (world.vice, "lanhdao.lamdong")):
        signing = page.locator("#ky-tai-hoi-nghi")
        signing.locator("select[name=unit]").select_option(str(unit.pk))
        signing.locator("input[name=username]").fill(username)
        signing.locator("input[name=password]").fill(OWN_PASSWORD)
        signing.get_by_role("button", name="Ký giao ước").click()
        expect(page.locator("#ky-tai-hoi-nghi")).to_contain_text(f"{unit.full_name} đã ký")
    expect(page.get_by_test_id("tally")).to_have_text("2/3 đơn vị đã ký")

    # --- the hall's screen -----------------------------------------------------------------------
    page = desk.go("meeting_board", pk=meeting.pk)
    expect(page.get_by_test_id("present")).to_contain_text("3/3")
    expect(page.get_by_test_id("signed")).to_contain_text("2/3")
    expect(page.get_by_test_id("voted")).to_contain_text("2/3")  # the last round: the vice's
    errors = desk.csp_errors + [e for voter in voters.values() for e in voter.csp_errors]
    assert not errors, errors
    # The words the board is to show beside its numbers (any case).
    text = page.locator("main").inner_text().lower()
    missing = [words for words in ("có mặt", "đơn vị đã ký", "đã bỏ phiếu") if words not in text]
    assert not missing, f"the live board does not show {missing}; it reads: {text!r}"
