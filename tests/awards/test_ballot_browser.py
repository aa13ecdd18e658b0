"""The secret ballot in a real browser: a leader opens the round, watches the live count move
without a reload (HTMX polling), ticks a candidate ("chọn tối đa 1": the other boxes lock),
confirms, sends, and reads the receipt; once the secretariat closes the round, the receipt is
in the published list. Chromium is the system's (/usr/bin/chromium); without it the test is
skipped, or fails in CI (CI or KHOI_REQUIRE_SERVICES set).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from awards import services
from awards.models import Ballot, BallotRound
from tests.awards.matrix_ballots import opened
from tests.browser_support import sign_in, tab
from tests.factories import UserFactory

# Award types are migration data that a transactional test's flush removes: tests/conftest.py
# (_reference_data) puts them back.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

OWN_PASSWORD = "Bo-phieu@Kin-2022"


@pytest.fixture
def page(monkeypatch):
    with tab(monkeypatch, viewport={"width": 1024, "height": 900}) as page:
        yield page


def _sign_in(page, base: str, username: str, password: str) -> None:
    sign_in(page, base, username, password)  # both steps (tests/browser_support.py)


def test_a_leader_votes_and_finds_the_receipt_in_the_published_list(world, live_server, page):
    from playwright.sync_api import expect

    # Outside DEBUG the demo password opens nothing: the leader signs in with their own.
    world.leader.set_password(OWN_PASSWORD)
    world.leader.save()
    chair_leader = UserFactory(username="lanhdao.chu", unit=world.chair, unit_role="leader")
    ballot_round = opened(world)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )

    _sign_in(page, live_server.url, "leader", OWN_PASSWORD)
    page.goto(live_server.url + reverse("ballot_round_detail", kwargs={"pk": ballot_round.pk}))
    progress = page.get_by_test_id("progress")
    expect(progress).to_have_text("0/3 đơn vị đã bỏ phiếu")
    # Another unit votes meanwhile: the count moves without a reload.
    secret = services.token_issue(ballot_round=ballot_round, unit=world.chair, user=chair_leader)
    services.ballot_cast(
        ballot_round=ballot_round,
        unit=world.chair,
        user=chair_leader,
        secret=secret,
        choice_ids=[ballot_round.candidates.get(unit=world.vice).pk],
    )
    expect(progress).to_have_text("1/3 đơn vị đã bỏ phiếu", timeout=10_000)

    page.get_by_role("link", name="Bỏ phiếu", exact=True).click()
    expect(page.get_by_text("Chọn tối đa 1 ứng viên")).to_be_visible()
    page.get_by_label(world.chair.full_name).check()
    expect(page.get_by_text("Đã chọn 1/1")).to_be_visible()
    expect(page.get_by_label(world.vice.full_name)).to_be_disabled()  # "chọn tối đa 1"
    asked: list[str] = []
    page.on("dialog", lambda dialog: asked.append(dialog.message) or dialog.accept())
    ballot_url = page.url
    page.get_by_role("button", name="Gửi phiếu bầu").click()

    # Sent through HTMX: the receipt replaces the ballot in the page, after one question.
    expect(page.get_by_role("heading", name="Đã ghi nhận phiếu bầu")).to_be_visible()
    expect(page.locator("[data-receipt-heading]")).to_be_focused()
    assert asked == ["Gửi phiếu bầu? Sau khi gửi không thể sửa."]
    assert page.url == ballot_url
    receipt = page.get_by_test_id("receipt").inner_text().strip()
    assert len(receipt) == 64
    expect(page.get_by_text("Hãy lưu mã này; sau khi kết thúc bỏ phiếu")).to_be_visible()
    assert Ballot.objects.filter(round=ballot_round).count() == 2

    services.round_close(ballot_round=ballot_round, by=world.secretariat)
    page.goto(live_server.url + reverse("ballot_round_detail", kwargs={"pk": ballot_round.pk}))
    page.get_by_role("link", name="Kết quả và danh sách mã biên nhận").click()
    assert page.url.endswith(reverse("ballot_round_results", kwargs={"pk": ballot_round.pk}))
    published = page.locator("#danh-sach-bien-nhan li")
    expect(published).to_have_count(2)
    expect(published.filter(has_text=receipt)).to_have_count(1)
    ballot_round = BallotRound.objects.get(pk=ballot_round.pk)
    assert receipt in ballot_round.results["receipts"]
    assert refused == []


def test_a_cast_refused_with_an_error_page_is_answered_above_the_form(world, live_server, page):
    """The unit leaves the bloc while its leader has the ballot open: the cast's answer is a 404,
    which HTMX does not swap in. The page says so above the form (portal.js) instead of leaving
    the click unanswered, and nothing is cast."""
    from playwright.sync_api import expect

    from blocs.models import Membership

    world.leader.set_password(OWN_PASSWORD)
    world.leader.save()
    ballot_round = opened(world)
    _sign_in(page, live_server.url, "leader", OWN_PASSWORD)
    page.goto(live_server.url + reverse("ballot_cast", kwargs={"pk": ballot_round.pk}))
    page.get_by_label(world.chair.full_name).check()
    Membership.objects.filter(bloc=world.bloc, unit=world.member).delete()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Gửi phiếu bầu").click()

    alert = page.locator("[data-htmx-failed]")
    expect(alert).to_have_text("Không thực hiện được yêu cầu. Hãy tải lại trang rồi thử lại. (404)")
    expect(alert).to_have_attribute("role", "alert")
    expect(page.get_by_role("button", name="Gửi phiếu bầu")).to_be_visible()
    assert not Ballot.objects.exists()
