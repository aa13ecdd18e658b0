"""sheet_sql.save_posted writes what sheet_save's own path writes (issue #8).

On PostgreSQL a save posted from the sheet's page is one statement that does not read the
entries first. Two sheets of one round start alike; the same arbitrary post goes to one
through sheet_save's own path (save_posted switched off) and to the other as the portal
sends it. Both must end alike: the same refusal or none, the same scores and explanations,
the same history rows; and the one statement must have done the write whenever the post was
valid, and written nothing when it was not.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scoring import services, sheet_sql
from scoring.models import Sheet
from scoring.sheet_sql import UNCHANGED
from tests.scoring.test_sheet_save_perf import (
    _comparable,
    _entries,
    _history,
    _post,
    _sheet_of,
    _url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

N_ITEMS = 5  # maxima 2, 3, 1, 2, 3 points; the last item is a bonus; step 0.25

SCORES = st.sampled_from(
    [
        UNCHANGED,
        "",
        "0",
        "-0",
        "1",
        "1,5",
        " 2.25 ",
        "3",
        "3.00",
        "3.25",  # above every maximum
        "0.1",  # off the step
        "0.125",  # off the step, and more places than the column has
        "1e-30",
        "0.25000000000000000000000000001",  # on the step to 28 digits, above it exactly
        "2.0000000000000000000000000001",
        "-1",
        "abc",
        "NaN",
        "Infinity",
        "1E+1",
        "99999.99",
        "100000",
        "1" * 40,
    ]
)
TEXTS = st.sampled_from(
    [UNCHANGED, "", "  ", "Theo báo cáo", "  Theo báo cáo  ", "Theo ba\u0301o ca\u0301o", "Đạt"]
)
# Which of the sheet's items a post names (by position), and ids no item of the sheet has.
POSTS = st.dictionaries(st.integers(0, N_ITEMS - 1), st.tuples(SCORES, TEXTS), max_size=N_ITEMS)
STRAYS = st.lists(st.sampled_from(["other", "zero", "huge"]), max_size=2, unique=True)


@pytest.fixture
def pair(world):
    """Two draft sheets of one round (the member's and the vice chair's), and a third sheet's
    entry id to post as a stray."""
    mine = _sheet_of(world, 2022, N_ITEMS)
    theirs = Sheet.objects.get(round=mine.round, unit=world.vice)
    stray = Sheet.objects.filter(round=mine.round).exclude(pk__in=[mine.pk, theirs.pk]).first()
    return mine, theirs, _entries(stray)[0].pk


def _save(sheet: Sheet, post: dict, strays: list, stray_id: int, by, *, changed_only: bool):
    """sheet_save as the view calls it; the refusal's messages, or None."""
    ids = [e.pk for e in _entries(sheet)]
    values = {ids[position]: value for position, value in post.items()}
    for stray in strays:
        values[{"other": stray_id, "zero": 0, "huge": 10**30}[stray]] = ("1", "Lạc")
    sheet.refresh_from_db()
    try:
        services.sheet_save(
            sheet=sheet,
            version=sheet.version,
            values=values,
            by=by,
            posted=True,
            changed_only=changed_only,
        )
    except ValidationError as exc:
        return exc.messages
    return None


def _exact(score) -> bool:
    """Whether *score* is blank, unchanged, or a number with at most two decimal places."""
    if score is UNCHANGED or not score.strip():
        return True
    try:
        exponent = Decimal(score.replace(",", ".").strip()).as_tuple().exponent
    except InvalidOperation:
        return True  # refused by both
    return not isinstance(exponent, int) or exponent >= -2


def _state(sheet: Sheet) -> list[tuple]:
    return [(e.criterion.code, e.self_score, e.explanation) for e in _entries(sheet)]


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(post=POSTS, strays=STRAYS, changed_only=st.booleans())
@example(post={0: ("2", "Đạt"), 2: ("", "")}, strays=["huge"], changed_only=True)
@example(post={1: ("3.25", "Quá điểm chuẩn")}, strays=[], changed_only=True)
@example(post={2: ("1e-30", UNCHANGED)}, strays=[], changed_only=False)
@example(post={4: ("0.25000000000000000000000000001", "")}, strays=[], changed_only=True)
def test_the_one_statement_writes_what_the_reference_path_writes(
    world, pair, post, strays, changed_only
):
    mine, theirs, stray_id = pair
    before = len(_history(mine)), len(_history(theirs))
    assert _state(mine) == _state(theirs)

    with mock.patch.object(sheet_sql, "save_posted", return_value=False):
        refused = _save(mine, post, strays, stray_id, world.officer, changed_only=changed_only)

    answers = []
    real = sheet_sql.save_posted

    def spy(*args, **kwargs):
        answers.append(real(*args, **kwargs))
        return answers[-1]

    with mock.patch.object(sheet_sql, "save_posted", spy):
        refused_too = _save(
            theirs, post, strays, stray_id, world.officer, changed_only=changed_only
        )

    assert refused_too == refused
    # The statement wrote whenever the post was valid: it leaves to the other path only
    # scores with more places than the column keeps (which that path rounds).
    exact = all(_exact(score) for score, _text in post.values())
    assert answers == [refused is None] or (refused is None and not exact and answers == [False])
    assert _state(theirs) == _state(mine)
    rows, rows_too = _history(mine)[before[0] :], _history(theirs)[before[1] :]
    assert _comparable(rows_too) == _comparable(rows)
    assert len({row["history_date"] for row in rows_too}) <= 1


def test_a_score_above_its_maximum_makes_the_statement_write_nothing(pair, world):
    mine, _theirs, _stray = pair
    entries = _entries(mine)
    values = {entries[0].pk: ("2", "Đạt"), entries[2].pk: ("1.25", "Quá")}  # the maximum is 1
    mine.refresh_from_db()
    assert not sheet_sql.save_posted(
        mine, values, step=Decimal("0.25"), by=world.officer, reason="x", changed_only=True
    )
    assert _state(mine)[0][1:] == (None, "")
    assert len(_history(mine)) == 0


def test_a_valid_save_does_not_read_the_entries(world, login):
    sheet = _sheet_of(world, 2022, N_ITEMS)
    client = login(world.officer)
    client.get(_url(sheet))
    data = _post(sheet, {e.pk: ("1", "Theo báo cáo") for e in _entries(sheet)})
    data["changed_only"] = "1"
    with CaptureQueriesContext(connection) as context:
        assert client.post(_url(sheet), data).status_code == 302
    assert not [
        q for q in context.captured_queries if q["sql"].startswith('SELECT "scoring_entry"')
    ]
    assert [e.self_score for e in _entries(sheet)] == [Decimal("1")] * N_ITEMS
