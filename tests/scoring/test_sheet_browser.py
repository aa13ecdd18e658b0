"""The score sheet's "Lưu nháp" in a real browser: the page's script posts only the fields
changed since the page was shown, and the server keeps the others as saved (issue #8).
Chromium is the system's (/usr/bin/chromium); without it the test is skipped, or fails in CI
(CI or KHOI_REQUIRE_SERVICES set).
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs

import pytest

from scoring import services
from tests.browser_support import sign_in, tab
from tests.scoring.test_sheet_save_perf import _entries, _sheet_of, _typed, _url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWN_PASSWORD = "Cham-Diem@Nhap-2022"


@pytest.fixture
def page(monkeypatch):
    with tab(monkeypatch, viewport={"width": 1024, "height": 900}) as page:
        yield page


def test_lưu_nháp_posts_only_the_changed_fields(world, live_server, page):
    from playwright.sync_api import expect

    world.officer.set_password(OWN_PASSWORD)
    world.officer.save()
    sheet = _sheet_of(world, 2022, 4)
    entries = _entries(sheet)
    services.sheet_save(
        sheet=sheet, version=sheet.version, values=_typed(entries, offset=1), by=world.officer
    )
    before = {e.pk: (e.self_score, e.explanation) for e in _entries(sheet)}
    posts: list[str] = []
    page.on(
        "request",
        lambda r: (
            posts.append(r.post_data or "") if r.method == "POST" and "/phieu/" in r.url else None
        ),
    )

    sign_in(page, live_server.url, world.officer.username, OWN_PASSWORD)
    page.goto(live_server.url + _url(sheet))
    first, second = entries[0], entries[1]
    page.locator(f'input[name="score_{first.pk}"]').fill("0.5")
    page.locator(f'textarea[name="text_{second.pk}"]').fill("Đã bổ sung minh chứng")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text("Đã lưu nháp phiếu chấm điểm.")).to_be_visible()

    sent = parse_qs(posts[0], keep_blank_values=True)
    assert {k for k in sent if k.startswith(("score_", "text_"))} == {
        f"score_{first.pk}",
        f"text_{second.pk}",
    }
    assert sent["changed_only"] == ["1"]
    after = {e.pk: (e.self_score, e.explanation) for e in _entries(sheet)}
    assert after[first.pk] == (Decimal("0.5"), before[first.pk][1])
    assert after[second.pk] == (before[second.pk][0], "Đã bổ sung minh chứng")
    assert {k: v for k, v in after.items() if k not in (first.pk, second.pk)} == {
        k: v for k, v in before.items() if k not in (first.pk, second.pk)
    }
