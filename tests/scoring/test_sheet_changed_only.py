"""The sheet's "Lưu nháp" sends only the fields changed since the page was shown (issue #8).

The page's script (static/js/scoring-sheet.js) drops the unchanged scores and explanations
from the post and adds ``changed_only=1``; the server keeps what was not sent as saved. A page
shown again after a refused save sends everything (no ``data-changed-only``), since what it
shows is then not what is saved.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import QueryDict

from scoring import services
from scoring.forms_sheets import SheetForm
from tests.scoring.test_sheet_save_perf import _entries, _history, _post, _sheet_of, _typed, _url

pytestmark = pytest.mark.django_db


def _saved(sheet):
    return {e.pk: (e.self_score, e.explanation) for e in _entries(sheet)}


def _filled(world, login, n_items=6):
    sheet = _sheet_of(world, 2022, n_items)
    client = login(world.officer)
    assert (
        client.post(_url(sheet), _post(sheet, _typed(_entries(sheet), offset=1))).status_code == 302
    )
    return sheet, client


def test_the_page_asks_its_script_to_send_only_what_changed(world, login):
    sheet, client = _filled(world, login)
    page = client.get(_url(sheet)).content.decode()
    assert '<form id="phieu" method="post" novalidate data-changed-only>' in page


def test_what_was_not_sent_stays_as_saved(world, login):
    sheet, client = _filled(world, login)
    entries = _entries(sheet)
    before = _saved(sheet)
    history = len(_history(sheet))
    sheet.refresh_from_db()
    first, second = entries[0], entries[1]
    data = {
        "version": sheet.version,
        "changed_only": "1",
        f"score_{first.pk}": "0.5",  # the score alone: its explanation stays
        f"text_{second.pk}": "Đã bổ sung minh chứng",  # the explanation alone: its score stays
    }
    assert client.post(_url(sheet), data).status_code == 302
    after = _saved(sheet)
    assert after[first.pk] == (Decimal("0.5"), before[first.pk][1])
    assert after[second.pk] == (before[second.pk][0], "Đã bổ sung minh chứng")
    assert {pk: v for pk, v in after.items() if pk not in (first.pk, second.pk)} == {
        pk: v for pk, v in before.items() if pk not in (first.pk, second.pk)
    }
    assert len(_history(sheet)) == history + 2


def test_without_the_flag_a_field_left_out_is_blank_as_before(world, login):
    sheet, client = _filled(world, login)
    first = _entries(sheet)[0]
    sheet.refresh_from_db()
    data = {"version": sheet.version, f"score_{first.pk}": "0.5"}
    assert client.post(_url(sheet), data).status_code == 302
    saved = _saved(sheet)
    assert saved[first.pk] == (Decimal("0.5"), "")
    assert all(v == (None, "") for pk, v in saved.items() if pk != first.pk)


def test_a_refused_partial_save_shows_every_item_as_saved_and_posts_all_next_time(world, login):
    sheet, client = _filled(world, login)
    entries = _entries(sheet)
    before = _saved(sheet)
    sheet.refresh_from_db()
    first = entries[0]
    data = {"version": sheet.version, "changed_only": "1", f"score_{first.pk}": "99"}
    response = client.post(_url(sheet), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-changed-only" not in page
    assert 'value="99"' in page
    for entry in entries[1:]:  # the items not sent: their saved values, not blanks
        assert f'value="{format(before[entry.pk][0], "f")}"' in page
        assert before[entry.pk][1] in page
    assert _saved(sheet) == before


def test_a_partial_post_with_a_form_error_keeps_the_rest(world, login):
    sheet, client = _filled(world, login)
    before = _saved(sheet)
    first = _entries(sheet)[0]
    sheet.refresh_from_db()
    data = {"version": sheet.version, "changed_only": "1", f"text_{first.pk}": "a\x00b"}
    response = client.post(_url(sheet), data)
    assert response.status_code == 200
    assert _saved(sheet) == before


def test_posted_leaves_the_other_field_to_the_caller():
    data = QueryDict(mutable=True)
    data.update({"version": "2", "score_5": "1", "text_6": "Đạt"})
    unchanged = services.UNCHANGED
    assert SheetForm.posted(data, missing=unchanged) == (
        2,
        {5: ("1", unchanged), 6: (unchanged, "Đạt")},
    )
    assert SheetForm.posted(data) == (2, {5: ("1", ""), 6: ("", "Đạt")})
    assert repr(unchanged) == "UNCHANGED"
