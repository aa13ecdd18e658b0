"""Which app's data a write statement changed, and the new token after the commit."""

from __future__ import annotations

import functools
import re
import secrets

from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils import timezone

# The portal's apps whose data pages show; a table belongs to the app its name starts with.
TRACKED_APPS = frozenset({"blocs", "documents", "covenants", "scoring", "awards", "meetings"})
# Tables written many times a second at a national peak: a ballot cast, a delegate scanned at
# the door. A write to any other table of their app also changes the app's "settled" scope, so
# what those writes never touch (a ballot round and its candidates, a meeting, a user's right
# to them) can be looked up from the cache across them (issue #8). The app's own scope still
# changes on every write of the app.
BUSY_TABLES = frozenset(
    {
        "awards_ballot",
        "awards_ballotchoice",
        "awards_votertoken",
        "meetings_delegate",
        "meetings_historicaldelegate",
    }
)
SETTLED = {app: f"{app}.settled" for app in sorted({t.split("_", 1)[0] for t in BUSY_TABLES})}
ALL_SCOPES = TRACKED_APPS | frozenset(SETTLED.values())
TABLE = "freshness_dataversion"

_VERB = r'(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?'
_WRITE = re.compile(r"\s*" + _VERB, re.I)
# A data-modifying WITH (scoring's save updates the entries and writes their history in one).
_WITH = re.compile(r"\s*WITH\b", re.I)
_WRITE_ANYWHERE = re.compile(r"\b" + _VERB, re.I)
# Signing in stamps the user's last_login: nothing a cached page shows.
# SQLite counts the rows of an INSERT … RETURNING (every ORM create there) only once they are
# fetched: at execute its rowcount is 0. A statement that returns rows is taken as a write.
_RETURNING = re.compile(r"\bRETURNING\b", re.I)
_LAST_LOGIN_ONLY = re.compile(
    r'\s*UPDATE\s+"?blocs_user"?\s+SET\s+"?last_login"?\s*=\s*\S+\s+WHERE', re.I
)


def written_tables(sql: str) -> list[str]:
    if _WITH.match(sql):
        return [m.group(1).lower() for m in _WRITE_ANYWHERE.finditer(sql)]
    match = _WRITE.match(sql)
    return [match.group(1).lower()] if match else []


def written_scopes(sql: str) -> frozenset[str]:
    """The scopes whose data *sql* writes: each tracked app it writes a table of, and the app's
    settled scope unless the table is a busy one. Empty for reads, other apps, last_login."""
    scopes = set()
    for table in written_tables(sql):
        app = table.split("_", 1)[0]
        if app in TRACKED_APPS:
            scopes.add(app)
            if app in SETTLED and table not in BUSY_TABLES:
                scopes.add(SETTLED[app])
    if scopes and _LAST_LOGIN_ONLY.match(sql):
        return frozenset()
    return frozenset(scopes)


def written_scope(sql: str) -> str | None:
    """The tracked app whose table *sql* writes to, or None (reads, other apps, last_login)."""
    apps = sorted(s for s in written_scopes(sql) if s in TRACKED_APPS)
    return apps[0] if apps else None


_paused = False  # during ``migrate``: the table may not exist yet; every token changes after


def _wrapper(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    scopes = (
        written_scopes(sql)
        if not _paused and isinstance(sql, str) and not sql.startswith("SELECT")
        else None
    )
    if scopes and (getattr(context.get("cursor"), "rowcount", -1) != 0 or _RETURNING.search(sql)):
        note_write(context["connection"], scopes)
    return result


def note_write(connection, scopes) -> None:
    """A write to *scopes* happened on *connection*: change their tokens once it is committed.

    Inside a test case's transaction (which is rolled back, never committed) the tokens change
    at once, so a test that writes and then reads a page sees the page as a user would."""
    scopes = {scopes} if isinstance(scopes, str) else set(scopes)
    connection.__dict__["_khoi_writes"] = connection.__dict__.get("_khoi_writes", 0) + 1
    if any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        bump(connection, scopes)
        return
    pending = connection.__dict__.setdefault("_khoi_fresh_pending", set())
    pending.update(scopes)
    if not connection.in_atomic_block:  # autocommit: the statement is committed already
        _flush(connection)
        return
    flush = connection.__dict__.get("_khoi_fresh_flush")
    if flush is None:
        flush = connection._khoi_fresh_flush = functools.partial(_flush, connection)
    if not any(func is flush for _sids, func, _robust in connection.run_on_commit):
        connection.on_commit(flush, robust=True)


def _flush(connection) -> None:
    pending = connection.__dict__.get("_khoi_fresh_pending")
    if pending:
        scopes = set(pending)
        pending.clear()
        bump(connection, scopes)


def bump(connection, scopes) -> None:
    """Give each of *scopes* a new random token (an upsert: a missing row is created).

    Runs on the driver's own cursor: not through the execute wrappers (no recursion) and not
    in Django's query log, since it is bookkeeping of the write that caused it."""
    connection.ensure_connection()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    mark = "?" if connection.vendor == "sqlite" else "%s"
    rows = sorted(scopes)
    values = ", ".join(f"({mark}, {mark}, {mark})" for _ in rows)
    params = [p for scope in rows for p in (scope, secrets.token_hex(16), now)]
    upsert = (
        f"INSERT INTO {TABLE} (scope, token, changed_at) VALUES {values} "
        "ON CONFLICT (scope) DO UPDATE SET token = excluded.token, changed_at = excluded.changed_at"
    )
    cursor = connection.connection.cursor()
    try:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute(_asynchronously(cursor, upsert, params))
        else:
            cursor.execute(upsert, params)
    finally:
        cursor.close()


def _asynchronously(cursor, upsert: str, params: list) -> str:
    """*upsert* in a transaction of its own whose commit does not wait for the WAL's flush to
    disk, as one statement text (the values quoted by the driver). The write it records has
    been committed and flushed already; a second flush per save was the workers' wait (issue
    #8). Should the server crash within the fraction of a second before the WAL writer flushes
    it, the new token is lost: pages then show the data before that write for up to
    PAGE_CACHE_SECONDS, as when a process dies between a commit and its token update."""
    from psycopg import sql

    quoted = sql.SQL(upsert.replace("%s", "{}")).format(*(sql.Literal(p) for p in params))
    statement = quoted.as_string(cursor.connection)
    return f"BEGIN; SET LOCAL synchronous_commit TO OFF; {statement}; COMMIT"


def _install(sender, connection, **kwargs) -> None:
    if _wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_wrapper)


def _pause(sender, **kwargs) -> None:
    global _paused
    _paused = True


def _resume(sender, using="default", **kwargs) -> None:
    """After ``migrate`` (this app is the last to hear of it): data may have changed anywhere."""
    global _paused
    if sender.label == "freshness":
        _paused = False
        from django.db import connections

        bump(connections[using], ALL_SCOPES)


def connect() -> None:
    connection_created.connect(_install, dispatch_uid="khoi_portal_freshness")
    pre_migrate.connect(_pause, dispatch_uid="khoi_portal_freshness_pause")
    post_migrate.connect(_resume, dispatch_uid="khoi_portal_freshness_resume")


def writes_seen(connection) -> int:
    """How many tracked writes this connection has made: a token read before the last one is
    out of date."""
    return connection.__dict__.get("_khoi_writes", 0)


def uncommitted_writes(connection) -> bool:
    """Whether this connection's open transaction has tracked writes whose tokens change only
    at its commit (outside a transaction, what is left comes from a rollback)."""
    return connection.in_atomic_block and bool(connection.__dict__.get("_khoi_fresh_pending"))


def tokens(scopes) -> dict[str, str]:
    """The current token of each of *scopes* ("0" for an app never written to since install).

    Plain SQL: this runs on every cached page, and the ORM's query building would be most of
    its cost."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scope, token FROM {TABLE}")
        found = dict(cursor.fetchall())
    return {scope: found.get(scope, "0") for scope in scopes}
