"""The score sheet's save kept cheap (issue #8): one UPDATE and one history INSERT whatever the
number of items, the history rows simple-history would write, fields copied from a pattern
equal to fields built one by one, and the same refusals as before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from scoring import services, sheet_sql
from scoring.forms_sheets import ScoreField, SheetForm, VerificationForm, _text_field
from scoring.models import Entry, Sheet
from tests.factories import BlocYearFactory

pytestmark = pytest.mark.django_db

HISTORY_FIELDS = [
    "id",
    "sheet_id",
    "criterion_id",
    "max_points",
    "self_score",
    "explanation",
    "verified_score",
    "verifier_comment",
    "verified_by_id",
    "verified_at",
    "unit_reply",
    "history_type",
    "history_user_id",
    "history_change_reason",
]


def _url(sheet: Sheet) -> str:
    return reverse("sheet_detail", kwargs={"pk": sheet.pk})


def _entries(sheet: Sheet) -> list[Entry]:
    return list(sheet.entries.select_related("criterion").order_by("criterion__position"))


def _sheet_of(world, year: int, n_items: int) -> Sheet:
    """The member's sheet in a round of *n_items* items of 1 to 3 points (step 0.25)."""
    bloc_year = (
        world.bloc_year
        if year == world.bloc_year.year
        else BlocYearFactory(bloc=world.bloc, year=year, chair=world.chair, vice=world.vice)
    )
    scale = services.scale_create(bloc_year=bloc_year, title="Thang điểm", by=world.secretariat)
    group = services.criterion_save(
        scale=scale,
        by=world.secretariat,
        code="I",
        title="Nhóm I",
        kind="group",
        max_points=Decimal(3 * n_items),
    )
    for n in range(1, n_items + 1):
        services.criterion_save(
            scale=scale,
            by=world.secretariat,
            code=str(n),
            title=f"Tiêu chí {n}",
            kind="bonus" if n == n_items else "normal",
            max_points=Decimal(1 + n % 3),
            parent=group,
        )
    services.round_open(
        bloc_year=bloc_year,
        scale=scale,
        by=world.secretariat,
        deadline=timezone.now() + dt.timedelta(days=5),
    )
    return Sheet.objects.get(round__bloc_year=bloc_year, unit=world.member)


def _post(sheet: Sheet, values: dict[int, tuple[str, str]]) -> dict:
    sheet.refresh_from_db()
    data = {"version": sheet.version}
    for entry_id, (score, text) in values.items():
        data[f"score_{entry_id}"] = score
        data[f"text_{entry_id}"] = text
    return data


def _typed(entries: list[Entry], offset: int = 0) -> dict[int, tuple[str, str]]:
    return {
        e.pk: (str(min(e.max_points, Decimal(n % 4 + offset) / 4)), f"Theo báo cáo mục {n}")
        for n, e in enumerate(entries)
    }


def _writes(queries, table: str) -> list[str]:
    """The statements that write to *table*, data-modifying WITH statements among them (on
    PostgreSQL one statement updates the entries and writes their history)."""
    heads = (f'UPDATE "{table}" ', f'INSERT INTO "{table}" ', f'DELETE FROM "{table}" ')
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(heads)
        or (q["sql"].startswith("WITH ") and any(head in q["sql"] for head in heads))
    ]


# --- queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_items", [5, 40])
def test_a_save_is_one_update_and_one_history_insert_whatever_the_items(world, login, n_items):
    sheet = _sheet_of(world, 2022, n_items)
    client = login(world.officer)
    client.get(_url(sheet))  # the session and the content types
    with CaptureQueriesContext(connection) as context:
        response = client.post(_url(sheet), _post(sheet, _typed(_entries(sheet))))
    assert response.status_code == 302
    queries = context.captured_queries
    assert len(_writes(queries, "scoring_entry")) == 1
    assert len(_writes(queries, "scoring_historicalentry")) == 1
    # the evidence shown on the page is not read to save it
    assert not [q for q in queries if '"scoring_evidence"' in q["sql"]]


def test_a_save_runs_the_same_few_queries_for_5_and_for_40_items(
    world, login, django_assert_max_num_queries
):
    small, large = _sheet_of(world, 2022, 5), _sheet_of(world, 2023, 40)
    client = login(world.officer)
    client.get(_url(small))
    counts = []
    for sheet in (small, large):
        data = _post(sheet, _typed(_entries(sheet)))
        with CaptureQueriesContext(connection) as context:
            assert client.post(_url(sheet), data).status_code == 302
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    data = _post(large, _typed(_entries(large), offset=1))
    # session, user, device; sheet, entries; in the transaction (two statements in a test):
    # lock, version, entries again, UPDATE, history. Before issue #8: 13, with the evidence.
    with django_assert_max_num_queries(12):
        assert client.post(_url(large), data).status_code == 302


# --- what is written ----------------------------------------------------------------------------


def _history(sheet: Sheet) -> list[dict]:
    return list(
        Entry.history.filter(sheet_id=sheet.pk)
        .order_by("history_id")
        .values(*HISTORY_FIELDS, "history_date", "criterion__position")
    )


def test_only_changed_items_get_a_history_row_with_who_why_and_their_order(world, login):
    sheet = _sheet_of(world, 2022, 6)
    entries = _entries(sheet)
    client = login(world.officer)
    first = _typed(entries)
    assert client.post(_url(sheet), _post(sheet, first)).status_code == 302
    before = len(_history(sheet))
    second = dict(first)
    second[entries[1].pk] = ("", first[entries[1].pk][1])  # score cleared
    second[entries[4].pk] = (first[entries[4].pk][0], "  Đã sửa diễn giải  ")  # text changed
    assert client.post(_url(sheet), _post(sheet, second)).status_code == 302
    rows = _history(sheet)[before:]
    assert [r["id"] for r in rows] == [entries[1].pk, entries[4].pk]  # in the sheet's order
    assert {(r["history_type"], r["history_user_id"]) for r in rows} == {("~", world.officer.pk)}
    assert {r["history_change_reason"] for r in rows} == {"Tự chấm điểm"}
    assert len({r["history_date"] for r in rows}) == 1
    assert rows[0]["self_score"] is None
    assert rows[1]["explanation"] == "Đã sửa diễn giải"
    saved = {e.pk: e for e in _entries(sheet)}
    assert saved[entries[1].pk].self_score is None
    assert saved[entries[4].pk].explanation == "Đã sửa diễn giải"
    for row in rows:  # each history row is the entry as saved
        entry = saved[row["id"]]
        for name in HISTORY_FIELDS[:11]:
            assert row[name] == getattr(entry, name), name


def test_clearing_every_score_and_text_saves_empty_values(world, login):
    """A VALUES column of NULLs only has no type of its own: the cast gives it the column's."""
    sheet = _sheet_of(world, 2022, 3)
    entries = _entries(sheet)
    client = login(world.officer)
    assert client.post(_url(sheet), _post(sheet, _typed(entries, offset=1))).status_code == 302
    cleared = {e.pk: ("", "") for e in entries}
    assert client.post(_url(sheet), _post(sheet, cleared)).status_code == 302
    assert [(e.self_score, e.explanation) for e in _entries(sheet)] == [(None, "")] * 3
    rows = _history(sheet)[-3:]
    assert [(r["id"], r["self_score"], r["explanation"]) for r in rows] == [
        (e.pk, None, "") for e in entries
    ]


def _stamped(sheet: Sheet, values: dict[str, tuple[Decimal | None, str]], by) -> list[Entry]:
    entries = []
    for entry in _entries(sheet):
        if entry.criterion.code in values:
            entry.self_score, entry.explanation = values[entry.criterion.code]
            services._stamp(entry, by=by, reason="Tự chấm điểm")
            entries.append(entry)
    return entries


def _comparable(rows: list[dict]) -> list[tuple]:
    keep = [f for f in HISTORY_FIELDS if f not in ("id", "sheet_id", "criterion_id")]
    return [(*(r[f] for f in keep), r["criterion__position"]) for r in rows]


def test_the_history_is_what_bulk_update_with_history_writes(world):
    """The same change to two sheets of one scale: one through the service's statements, the
    other through simple-history's bulk_update_with_history; the history rows are the same."""
    sheet = _sheet_of(world, 2022, 8)
    other = Sheet.objects.get(round=sheet.round, unit=world.vice)
    values = {
        "1": (Decimal("0.25"), "Theo báo cáo"),
        "3": (None, ""),
        "4": (Decimal("2"), "Đạt 100% chỉ tiêu"),
        "8": (Decimal("1.5"), "Khen thưởng đột xuất"),
    }
    mine = _stamped(sheet, values, world.officer)
    theirs = _stamped(other, values, world.officer)
    sheet_sql.save_entries(mine, fields=["self_score", "explanation"])
    bulk_update_with_history(
        theirs, Entry, ["self_score", "explanation"], default_date=timezone.now()
    )
    assert _comparable(_history(sheet)[-4:]) == _comparable(_history(other)[-4:])
    assert _scores(sheet) == _scores(other)


def _scores(sheet: Sheet) -> list[tuple]:
    return [(e.criterion.code, e.self_score, e.explanation) for e in _entries(sheet)]


def test_a_verification_history_keeps_the_verifier_and_the_moment(world, scored, login):
    from tests.scoring.matrix_sheets import fill_sheet

    sheet = scored.sheets["member"]
    fill_sheet(sheet, world.officer)
    sheet.refresh_from_db()
    services.sheet_submit(sheet=sheet, version=sheet.version, by=world.officer)
    entry = _entries(sheet)[1]
    services.verification_save(
        sheet=sheet, values={entry.pk: ("1", "Thiếu minh chứng")}, by=world.secretariat
    )
    row = Entry.history.filter(id=entry.pk).order_by("-history_id").first()
    entry.refresh_from_db()
    assert (row.history_user, row.history_change_reason) == (world.secretariat, "Thẩm định điểm")
    assert row.verified_by_id == world.secretariat.pk
    assert row.verified_at == entry.verified_at is not None
    assert (row.verified_score, row.verifier_comment) == (Decimal("1"), "Thiếu minh chứng")


def test_sqlite_before_3_33_has_no_update_from(monkeypatch):
    class Old:
        vendor = "sqlite"

        class Database:
            sqlite_version_info = (3, 31, 1)

    assert not sheet_sql.has_update_from(Old)
    Old.Database.sqlite_version_info = (3, 33, 0)
    assert sheet_sql.has_update_from(Old)


def test_without_update_from_the_save_goes_through_bulk_update(world, login, monkeypatch):
    monkeypatch.setattr(sheet_sql, "has_update_from", lambda connection: False)
    monkeypatch.setattr(sheet_sql, "save_posted", lambda *args, **kwargs: False)
    sheet = _sheet_of(world, 2022, 4)
    entries = _entries(sheet)
    typed = _typed(entries, offset=1)
    response = login(world.officer).post(_url(sheet), _post(sheet, typed))
    assert response.status_code == 302
    rows = _history(sheet)[-4:]
    assert [r["id"] for r in rows] == [e.pk for e in entries]
    assert {r["history_change_reason"] for r in rows} == {"Tự chấm điểm"}
    assert [str(e.self_score.normalize()) for e in _entries(sheet)] == [
        str(Decimal(typed[e.pk][0]).normalize()) for e in entries
    ]


# --- refusals stay the same ---------------------------------------------------------------------


def test_a_refused_save_shows_the_whole_sheet_again(world, scored, login):
    from tests.scoring.matrix_sheets import pdf_upload

    sheet = scored.sheets["member"]
    entries = {e.criterion.code: e for e in _entries(sheet)}
    services.evidence_add(entry=entries["2"], upload=pdf_upload(), by=world.officer)
    data = _post(sheet, {entries["1"].pk: ("36", ""), entries["3"].pk: ("35", "Đạt")})
    response = login(world.officer).post(_url(sheet), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "1: điểm phải từ 0 đến 35" in page
    assert "Báo cáo tổng kết.pdf" in page  # the evidence, loaded for the page only
    assert Entry.history.filter(sheet_id=sheet.pk, history_type="~").count() == 0


def test_an_explanation_typed_in_tcvn3_is_refused(world, scored, login):
    sheet = scored.sheets["member"]
    entry = _entries(sheet)[2]
    data = _post(sheet, {entry.pk: ("10", "Ban hµnh kÕ ho¹ch thi ®ua n¨m")})
    response = login(world.officer).post(_url(sheet), data)
    assert response.status_code == 200
    assert "Công cụ chuyển mã" in response.content.decode()
    entry.refresh_from_db()
    assert entry.self_score is None


# --- the right to save, checked on the sheet as its write locks it -----------------------------


def _saved(sheet: Sheet) -> tuple:
    sheet.refresh_from_db()
    scores = [(e.self_score, e.explanation) for e in _entries(sheet)]
    return sheet.version, scores, Entry.history.filter(sheet_id=sheet.pk).count()


@pytest.mark.parametrize(
    ("role", "status"),
    [("outsider", 404), ("secretariat", 403), ("leader", 403), ("ministry", 403)],
)
@pytest.mark.parametrize("stale", [False, True])
def test_a_save_by_someone_who_may_not_edit_the_sheet_is_refused_and_changes_nothing(
    world, login, role, status, stale
):
    """The view does not load the sheet before a plain post: the service's check on the
    locked row answers as get_sheet would (404 for outsiders, 403 for the others), before
    the version is compared, and the bump of the version is undone."""
    sheet = _sheet_of(world, 2022, 4)
    data = _post(sheet, _typed(_entries(sheet)))
    data["version"] += stale
    data["changed_only"] = "1"
    before = _saved(sheet)
    response = login(getattr(world, role)).post(_url(sheet), data)
    assert response.status_code == status
    assert _saved(sheet) == before


def test_a_save_of_a_sheet_that_does_not_exist_is_404(world, login):
    response = login(world.officer).post(
        reverse("sheet_detail", kwargs={"pk": 999_999}), {"version": "1", "score_1": "1"}
    )
    assert response.status_code == 404


def test_a_valid_save_reads_no_sheet_before_its_write(world, login):
    sheet = _sheet_of(world, 2022, 4)
    client = login(world.officer)
    client.get(_url(sheet))
    data = _post(sheet, _typed(_entries(sheet)))
    with CaptureQueriesContext(connection) as context:
        assert client.post(_url(sheet), data).status_code == 302
    reads = [q["sql"] for q in context.captured_queries if q["sql"].startswith("SELECT")]
    # PostgreSQL: the claim is an UPDATE … RETURNING; SQLite: its SELECT is the only read.
    expected = 0 if connection.vendor == "postgresql" else 1
    assert len([sql for sql in reads if 'FROM "scoring_sheet"' in sql]) == expected
    assert _saved(sheet)[0] == data["version"] + 1


def test_the_claimed_sheet_is_the_sheet_as_stored(world):
    """On PostgreSQL the claim builds the sheet and its round from the UPDATE's RETURNING:
    every field as a query would load it."""
    sheet = _sheet_of(world, 2022, 2)
    seen = []
    with transaction.atomic():
        current, status, step = services._claim_for_save(
            Sheet(pk=sheet.pk), sheet.version, check=seen.append
        )
    stored = Sheet.objects.select_related("round").get(pk=sheet.pk)
    assert seen == [current]
    for model_field in Sheet._meta.concrete_fields:
        name = model_field.attname
        assert getattr(current, name) == getattr(stored, name), name
    for model_field in type(stored.round)._meta.concrete_fields:
        name = model_field.attname
        assert getattr(current.round, name) == getattr(stored.round, name), name
    assert (status, step) == (stored.round.status, stored.round.step)


# --- fields copied from a pattern ---------------------------------------------------------------


def _built(form_class, entry: Entry, step: Decimal) -> tuple[forms.Field, forms.Field]:
    """The two fields as the form built them before patterns (issue #8)."""
    code = entry.criterion.code
    score = ScoreField(
        max_points=entry.max_points,
        step=step,
        kind=entry.criterion.kind,
        label=form_class.score_label % {"code": code},
    )
    return score, _text_field(label=form_class.text_label % {"code": code})


def _state(field: forms.Field) -> dict:
    state = {k: v for k, v in vars(field).items() if k not in ("widget", "validators")}
    widget = {k: v for k, v in vars(field.widget).items() if k != "attrs"}
    validators = [(type(v), getattr(v, "limit_value", None)) for v in field.validators]
    return state | {
        "type": type(field),
        "widget": (type(field.widget), widget, list(field.widget.attrs.items())),
        "validators": validators,
    }


@pytest.mark.parametrize("form_class", [SheetForm, VerificationForm])
def test_the_copied_fields_are_the_fields_django_builds(world, scored, form_class):
    sheet = scored.sheets["member"]
    entries = _entries(sheet)
    step = sheet.round.step
    form = form_class(entries=entries, step=step)
    for entry in entries:
        score, text = form.fields_of(entry)
        built_score, built_text = _built(form_class, entry, step)
        assert _state(score.field) == _state(built_score)
        assert _state(text.field) == _state(built_text)
    assert len({id(f.widget) for f in form.fields.values()}) == len(form.fields)
    # rendered as before, and each field its own (a form's error on one touches no other)
    html = str(form.fields_of(entries[0])[0])
    assert f'aria-label="{form_class.score_label % {"code": "1"}}"' in html
    assert 'max="35"' in html
    assert 'step="0.25"' in html
    assert 'data-kind="normal"' in html
    form.fields[form._score(entries[0])].widget.attrs["class"] += " is-invalid"
    assert "is-invalid" not in str(form.fields_of(entries[1])[0])
    assert form.fields[form._score(entries[0])].error_messages is not (
        form.fields[form._score(entries[1])].error_messages
    )
