#!/usr/bin/env python
"""CPU time and queries of each target of bench/national.py, in one process (issue #8).

    .venv/bin/python bench/profile_pages.py                  # every target, 20 runs each
    .venv/bin/python bench/profile_pages.py --only sheet --runs 10 --profile 25

The same pages, users and actions as the load test (``national.plan``), on the database it
generated (``khoi_bench_national``, never regenerated here), with the bench settings
(``DEBUG=0``, hashed static files), but through Django's test ``Client`` in this process: no
gunicorn, no sockets. On a machine shared with other work the wall clock is noise; the CPU
time of this process per request (``time.process_time()``) hardly depends on other load, and
the query count and SQL time (``CaptureQueriesContext``) not at all. PostgreSQL's own CPU is
not in the figure: look at *SQL ms* for it.

``--profile N`` prints the N most expensive functions (cProfile, cumulative) of each target.
Nothing is written to RESULTS.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench import common, national  # noqa: E402
from bench.common import log  # noqa: E402


class InProcessSite(national.Site):
    """national.Site through django.test.Client: the same cookies, no HTTP."""

    def __init__(self, clients: int):
        super().__init__(port=0, clients=clients)
        from django.test import Client

        self._clients: dict[int, Client] = {}
        self._client_class = Client
        self._handler = Client().handler  # one middleware chain for every user, as a worker has

    def _client(self, user):
        from django.conf import settings

        if user.pk not in self._clients:
            client = self._client_class()
            client.handler = self._handler
            session = common.session_cookie(user).split("=", 1)[1]
            client.cookies[settings.SESSION_COOKIE_NAME] = session
            client.cookies[settings.CSRF_COOKIE_NAME] = common.CSRF_SECRET
            self._clients[user.pk] = client
        return self._clients[user.pk]

    def sign_in(self, users) -> None:
        for user in users:
            self._client(user)

    def get(self, user, path, extra=None):
        response = self._client(user).get(path, headers=extra or {})
        return response.status_code, response.content

    def post(self, user, path, data, extra=None):
        body = national.form_body(data)
        response = self._client(user).post(
            path, body, content_type="application/x-www-form-urlencoded", headers=extra or {}
        )
        return response.status_code, response.content


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated target keys")
    parser.add_argument("--profile", type=int, default=0, help="print the N top functions")
    parser.add_argument(
        "--callers", default="", help="with --profile: who calls the functions matching this"
    )
    parser.add_argument("--sql", action="store_true", help="print the queries of the last run")
    parser.add_argument(
        "--no-cache", action="store_true", help="also measure with the page cache off"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="measure with and without the page cache; write the profile section of RESULTS.md",
    )
    parser.add_argument("--db-name", default=national.DEFAULTS["db_name"])
    parser.add_argument("--pg-url", default=national.DEFAULTS["pg_url"])
    parser.add_argument("--static-root", default="", help="reuse collected static files")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="khoi-bench-profile-"))
    static = Path(args.static_root) if args.static_root else tmp / "static"
    env = common.Env(args.db_name, args.pg_url.rstrip("/"), static, tmp / "media")
    variables = env.variables()
    variables["ALLOWED_HOSTS"] += ",testserver"
    if not (static / "staticfiles.json").exists():
        common.run([sys.executable, "manage.py", "collectstatic", "--noinput"], env=variables)
    import os

    os.environ.clear()
    os.environ.update(variables)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site = InProcessSite(clients=8)
    targets, _info = national.plan(site, 8, random.Random(8))
    if args.only:
        targets = [t for t in targets if t.key in args.only.split(",")]
    print(
        f"{'target':18} {'CPU med':>8} {'CPU min':>8} {'wall med':>9} {'queries':>8} "
        f"{'SQL ms':>7}  (ms; {args.runs} runs after {args.warmup})"
    )
    from django.conf import settings

    def run(target, *, cached: bool):
        settings.PAGE_CACHE_SECONDS = 120 if cached else 0
        # Every client index once at least: its first request creates the bench's session for
        # its user (queries on this side that no server request would make).
        for i in range(max(args.warmup, 8)):
            status = target.call(i % 8, i)
            status = status[0] if isinstance(status, tuple) else status
            if status not in target.expect:
                raise RuntimeError(f"{target.key} answered {status}")
        cpu, wall, queries, sql, refused = [], [], [], [], 0
        # CPU time, not the wall clock: waiting for PostgreSQL or for a CPU is not our cost.
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        for i in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                c0, w0 = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                status = target.call(i % 8, max(args.warmup, 8) + i)
                if profiler:
                    profiler.disable()
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
            status = status[0] if isinstance(status, tuple) else status
            refused += status not in target.expect
            queries.append(len(ctx.captured_queries))
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries))
        row = {
            "cpu": statistics.median(cpu) * 1000,
            "cpu_min": min(cpu) * 1000,
            "wall": statistics.median(wall) * 1000,
            "queries": statistics.median(queries),
            "sql": statistics.median(sql) * 1000,
            "refused": refused,
        }
        print(
            f"{target.key + ('' if cached else ' (no cache)'):18} {row['cpu']:8.1f} "
            f"{row['cpu_min']:8.1f} {row['wall']:9.1f} {row['queries']:8.0f} {row['sql']:7.1f}"
            + (f"  ({refused} unexpected answers)" if refused else ""),
            flush=True,
        )
        if args.sql:
            for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"])):
                print(f"   {float(q['time']) * 1000:7.1f} ms  {q['sql'][:400]}")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(r"/work/main/(?!\.venv)", args.profile)
            stats.sort_stats("tottime").print_stats(args.profile)
            if args.callers:
                stats.print_callers(args.callers)
            print(out.getvalue())
        return row

    rows = {}
    for target in targets:
        rows[target.key] = (
            target,
            run(target, cached=True),
            run(target, cached=False) if args.write or args.no_cache else None,
        )
    if args.write:
        write_results(args, rows)
    log("done")
    return 0


def write_results(args, rows) -> None:
    lines = [
        "# In-process cost of the load test's targets, with and without the page cache",
        "",
        "Written by `bench/profile_pages.py --write` on the national data of `bench/national.py` "
        "(PostgreSQL, `DEBUG=0`), through Django's test client in one process: CPU time of the "
        "process per request (median; it hardly depends on other load), queries and their SQL "
        "time. *Cached*: the page cache holds the fragments (each page's steady state while its "
        "data is unchanged); *no cache*: `PAGE_CACHE_SECONDS=0`, every fragment rendered (a "
        "page's first view after a change). Actions are never cached; the ballot and the check-in desk look up their round or meeting (and the right to it) from the cache.",
        "",
        f"- Command: `.venv/bin/python bench/profile_pages.py --write --runs {args.runs}`",
        f"- Date: {common.now_utc()}",
        "",
        "| Target | CPU ms, cached | Queries, cached | CPU ms, no cache | Queries, no cache | SQL ms, no cache |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for target, cached, cold in rows.values():
        lines.append(
            f"| {target.label} | {cached['cpu']:.1f} | {cached['queries']:.0f} | "
            f"{cold['cpu']:.1f} | {cold['queries']:.0f} | {cold['sql']:.1f} |"
        )
    lines.append("")
    common.write_section("profile", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
