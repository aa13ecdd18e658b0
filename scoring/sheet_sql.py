"""The score sheet's bulk writes in hand-written SQL (issue #8).

A 60-item save through the ORM took two statements per item, then Django's bulk_update and
simple-history's bulk_history_create cost more CPU than all the rest of a save. Here:

- ``save_posted``: on PostgreSQL, a save posted from the sheet's page in one statement that
  neither reads the entries first nor builds a model per entry;
- ``save_entries``: entries changed in Python (a save that needs messages, the verification)
  updated and copied to their history in one statement, or two.

Both write what simple-history's own functions would (tests/scoring/test_sheet_save_perf.py,
test_sheet_save_sql.py) and go through Django's cursor, so the page cache sees the writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from blocs.models import User
from khoi_portal.lib.vietnamese import nfc
from scoring.models import Criterion, Entry, Sheet

# A field the page did not send because it did not change (sheet_save's *changed_only*).
UNCHANGED = type("Unchanged", (), {"__repr__": lambda self: "UNCHANGED"})()

_BIGINT = 2**63


def save_posted(
    sheet: Sheet,
    values: dict[int, tuple[object, object]],
    *,
    step: Decimal,
    by: User | None,
    reason: str,
    changed_only: bool,
) -> bool:
    """PostgreSQL: sheet_save's posted save in one statement, the sheet already claimed.

    Reading the entries first (a SELECT and 60 model instances, to check each score against
    its maximum and find what changed) was a fifth of a save (issue #8). Here the database
    compares: the statement writes nothing when a score is above its item's maximum, and
    updates only the entries whose score or explanation changes, each with a history row
    (the user, *reason*, "~" and one date) in the sheet's order.

    False, having written nothing, when sheet_save's own path must answer: a score that is
    not a number, negative, off the step or above its maximum (its message names the item),
    or a database or setting this does not serve. Otherwise it writes what that path writes
    (tests/scoring/test_sheet_save_sql.py compares the two on arbitrary posts).
    """
    connection = connections[router.db_for_write(Entry)]
    if connection.vendor != "postgresql" or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return False
    meta = Entry._meta
    score_field = meta.get_field("self_score")
    # A score the column holds exactly: what the database compares with the maximum is what
    # was typed, as sheet_save compares it.
    bound = Decimal(10) ** (score_field.max_digits - score_field.decimal_places)
    places = Decimal(1).scaleb(-score_field.decimal_places)
    ids, scores, texts, keep_scores, keep_texts = [], [], [], [], []
    for entry_id, (raw, explanation) in values.items():
        if not 0 < entry_id < _BIGINT:
            continue  # no entry has this id: ignored, as sheet_save ignores ids not on the sheet
        score = None
        if raw is not UNCHANGED and raw not in (None, ""):
            try:
                score = Decimal(str(raw).replace(",", ".").strip())
                if not (
                    score.is_finite() and 0 <= score < bound and score.quantize(places) == score
                ):
                    return False
                if (score / step) % 1 != 0:
                    return False
            except InvalidOperation:
                return False
        ids.append(entry_id)
        scores.append(score_field.get_db_prep_save(score, connection))
        keep_scores.append(raw is UNCHANGED)
        keep_texts.append(explanation is UNCHANGED)
        texts.append("" if explanation is UNCHANGED else nfc((explanation or "").strip()))
    history = _entry_history()
    history_meta = history._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    tracked = [meta.get_field(field.name) for field in history.tracked_fields]
    targets = [history_meta.get_field(field.name).column for field in tracked] + [
        history_meta.get_field(name).column
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    score_type = score_field.cast_db_type(connection)
    # p: what was posted; v: every entry of the sheet with its new values (an entry not posted
    # keeps its values when the page sent only what changed, is blank otherwise).
    sql = f"""WITH p AS (
            SELECT * FROM unnest(%s::bigint[], %s::{score_type}[], %s::text[], %s::bool[],
                %s::bool[]) AS p(id, score, text, keep_score, keep_text)
        ), v AS (
            SELECT e.id, e.max_points, c.position,
                CASE WHEN coalesce(p.keep_score, %s) THEN e.self_score ELSE p.score END AS score,
                CASE WHEN coalesce(p.keep_text, %s) THEN e.explanation
                    ELSE coalesce(p.text, '') END AS text
            FROM {table} e
            JOIN {quote(Criterion._meta.db_table)} c ON c.id = e.criterion_id
            LEFT JOIN p ON p.id = e.id
            WHERE e.sheet_id = %s
        ), over AS (
            SELECT FROM v WHERE v.score > v.max_points LIMIT 1
        ), u AS (
            UPDATE {table} e SET self_score = v.score, explanation = v.text FROM v
            WHERE e.id = v.id AND NOT EXISTS (SELECT FROM over)
                AND (e.self_score, e.explanation) IS DISTINCT FROM (v.score, v.text)
            RETURNING e.*
        ), h AS (
            INSERT INTO {quote(history_meta.db_table)} ({", ".join(quote(c) for c in targets)})
            SELECT {", ".join(f"u.{quote(field.column)}" for field in tracked)}, %s, %s, '~', %s
            FROM u JOIN v ON v.id = u.id ORDER BY v.position, v.id
        )
        SELECT EXISTS (SELECT FROM over)"""
    date = history_meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    params = [ids, scores, texts, keep_scores, keep_texts, changed_only, changed_only, sheet.pk]
    params += [date, reason or None, getattr(by, "pk", None)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (over,) = cursor.fetchone()
    return not over


def save_entries(entries: list[Entry], *, fields: list[str]) -> None:
    """One UPDATE and one history INSERT for a whole sheet, not two statements per item:
    a 60-item save took 120 round trips (issue #8). Each history row still carries the
    entry's own ``_history_user`` and ``_change_reason``.

    What bulk_update_with_history writes, in two statements built by hand: Django's
    bulk_update (a CASE WHEN per field and entry) and bulk_create of the history (a model and
    every field's preparation per row) cost more CPU than all the rest of a save (issue #8).
    """
    if not entries:
        return
    date = timezone.now()
    connection = connections[router.db_for_write(Entry)]
    if not has_update_from(connection):
        bulk_update_with_history(entries, Entry, fields, default_date=date)
        return
    history = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    if connection.vendor == "postgresql" and all(hasattr(e, "_history_user") for e in entries):
        _update_with_history(connection, entries, fields, date=date if history else None)
        return
    with transaction.atomic(using=connection.alias, savepoint=False):
        _update_rows(connection, entries, fields)
        if history:
            _copy_to_history(connection, entries, date=date)


def has_update_from(connection) -> bool:
    """Whether the database takes ``UPDATE … FROM (VALUES …)``: PostgreSQL, SQLite ≥ 3.33."""
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version_info >= (3, 33)
    return connection.vendor == "postgresql"


def _update_rows(connection, entries: list[Entry], fields: list[str]) -> None:
    """UPDATE the *fields* of *entries* from a VALUES list joined on the key: each value
    prepared by its field as bulk_update prepares it, and cast on PostgreSQL to the field's
    type as bulk_update casts its CASE (SQLite converts to the column's affinity)."""
    meta = Entry._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    # The columns of a VALUES list are column1, column2, … on both databases.
    sets = []
    for number, field in enumerate(columns, start=2):
        value = f"v.column{number}"
        if connection.vendor == "postgresql":
            value = f"CAST({value} AS {field.cast_db_type(connection)})"
        sets.append(f"{quote(field.column)} = {value}")
    row = "(" + ", ".join(["%s"] * (1 + len(columns))) + ")"
    size = connection.ops.bulk_batch_size([pk, *columns], entries) or len(entries)
    with connection.cursor() as cursor:
        for start in range(0, len(entries), size):
            batch = entries[start : start + size]
            params = []
            for entry in batch:
                params.append(pk.get_db_prep_value(entry.pk, connection))
                params.extend(
                    field.get_db_prep_save(getattr(entry, field.attname), connection)
                    for field in columns
                )
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} "
                f"FROM (VALUES {', '.join([row] * len(batch))}) AS v "
                f"WHERE {table}.{quote(pk.column)} = v.column1",
                params,
            )


def _entry_history():
    """The historical model of Entry: ``Entry.history`` builds a manager class on every access
    (simple-history's descriptor), a few per cent of a save (issue #8)."""
    return apps.get_model("scoring", "HistoricalEntry")


def _update_with_history(
    connection, entries: list[Entry], fields: list[str], *, date: dt.datetime | None
) -> None:
    """PostgreSQL: the UPDATE and the history INSERT as one statement, the values passed as
    one array per column: a short constant text, where the VALUES lists made psycopg and the
    server parse some 200 placeholders per save (issue #8). The history rows are those of
    _copy_to_history: the updated rows as the UPDATE returns them, with each entry's user and
    reason, "~" and *date*, in the order of *entries*. No history when *date* is None."""
    meta = Entry._meta
    pk = meta.pk
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [meta.get_field(name) for name in fields]
    arrays = [f"%s::{pk.rel_db_type(connection)}[]"] + [
        f"%s::{field.cast_db_type(connection)}[]" for field in columns
    ]
    names = ["id"] + [f"c{n}" for n in range(len(columns))]
    params = [[entry.pk for entry in entries]] + [
        [field.get_db_prep_save(getattr(e, field.attname), connection) for e in entries]
        for field in columns
    ]
    sets = ", ".join(
        f"{quote(f.column)} = v.{name}" for f, name in zip(columns, names[1:], strict=True)
    )
    update = f"UPDATE {table} SET {sets} FROM v WHERE {table}.{quote(pk.column)} = v.id"
    if date is None:
        sql = f"WITH v AS (SELECT * FROM unnest({', '.join(arrays)}) AS v({', '.join(names)})) "
        with connection.cursor() as cursor:
            cursor.execute(sql + update, params)
        return
    history = _entry_history()
    history_meta = history._meta
    tracked = [meta.get_field(f.name) for f in history.tracked_fields]
    targets = [history_meta.get_field(f.name).column for f in tracked] + [
        history_meta.get_field(name).column
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    user = history_meta.get_field("history_user")
    arrays += [f"%s::{user.db_type(connection)}[]", "%s::text[]"]
    names += ["history_user", "reason"]
    params += [
        [getattr(e._history_user, "pk", None) for e in entries],
        [getattr(e, "_change_reason", None) or None for e in entries],
    ]
    copied = ", ".join(f"u.{quote(field.column)}" for field in tracked)
    sql = (
        f"WITH v AS (SELECT * FROM unnest({', '.join(arrays)}) WITH ORDINALITY "
        f"AS v({', '.join(names)}, n)), "
        f"u AS ({update} RETURNING {table}.*) "
        f"INSERT INTO {quote(history_meta.db_table)} ({', '.join(quote(c) for c in targets)}) "
        f"SELECT {copied}, %s, v.reason, '~', v.history_user "
        f"FROM u JOIN v ON u.{quote(pk.column)} = v.id ORDER BY v.n"
    )
    params.append(history_meta.get_field("history_date").get_db_prep_save(date, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _copy_to_history(connection, entries: list[Entry], *, date: dt.datetime) -> None:
    """One history row per entry, as bulk_history_create writes it ("~", the entry's
    ``_history_user`` and ``_change_reason``, *date*), its values copied from the entry's row
    just updated, in the order of *entries* (the history ids follow it)."""
    if not all(hasattr(entry, "_history_user") for entry in entries):
        # The default user comes from the request: simple-history's own way knows it.
        Entry.history.bulk_history_create(
            entries, update=True, default_change_reason=None, default_date=date
        )
        return
    history = _entry_history()
    meta, history_meta = Entry._meta, history._meta
    quote = connection.ops.quote_name
    table, history_table = quote(meta.db_table), quote(history_meta.db_table)
    tracked = [meta.get_field(field.name) for field in history.tracked_fields]
    targets = [history_meta.get_field(field.name).column for field in tracked] + [
        history_meta.get_field(name).column
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    copied = ", ".join(f"{table}.{quote(field.column)}" for field in tracked)
    stamp = [
        history_meta.get_field("history_date").get_db_prep_save(date, connection),
        None,  # the reason
        "~",
        None,  # the user's id
    ]
    pk = meta.pk
    groups: dict[tuple, list[Entry]] = {}
    for entry in entries:
        user = entry._history_user
        key = (
            user.pk if user is not None else None,
            getattr(entry, "_change_reason", None) or None,
        )
        groups.setdefault(key, []).append(entry)
    limit = connection.features.max_query_params  # None: no limit (PostgreSQL)
    size = (limit - len(stamp)) // 2 if limit else len(entries)
    with connection.cursor() as cursor:
        for (user_id, reason), group in groups.items():
            stamp[1], stamp[3] = reason, user_id
            for start in range(0, len(group), size):
                batch = group[start : start + size]
                params = list(stamp)
                for number, entry in enumerate(batch):
                    params += [number, pk.get_db_prep_value(entry.pk, connection)]
                cursor.execute(
                    f"INSERT INTO {history_table} ({', '.join(quote(c) for c in targets)}) "
                    f"SELECT {copied}, %s, %s, %s, %s "
                    f"FROM {table}, (VALUES {', '.join(['(%s, %s)'] * len(batch))}) AS v "
                    f"WHERE {table}.{quote(pk.column)} = v.column2 ORDER BY v.column1",
                    params,
                )
