#!/usr/bin/env python
"""Benchmark of the summary table (issue #4): the page under gunicorn against a bare Django view
in the same run, and the XLSX and PDF exports of the same table.

    .venv/bin/python bench/summary_table.py            # the documented command (~2 min)

1. Data, in its own PostgreSQL database (dropped and recreated): one bloc of 50 member units,
   a 60-item scale (five groups of normal items, one of bonus and deduction items), a published
   round with 50 confirmed and verified sheets (3,000 scores), the summary issued as a report.
2. gunicorn (sync workers) with the project's WSGI app on a loopback port; bench.settings adds
   ``/bench/bare/`` (a tiny HttpResponse). Concurrent clients (threads, http.client, a new
   connection per request as gunicorn's sync workers close each one) request the summary page
   as the bloc's secretariat (a session made for it) and the bare view, alternately, in rounds.
3. In this process: ``summary_to_xlsx(summary_table(...))`` (what the XLSX view returns) and
   ``render_document_pdf(document)`` of the issued summary (landscape Decree 30 report).

Results: the "summary_table" section of bench/RESULTS.md; bench/README.md explains them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.common import log  # noqa: E402

COMMAND = ".venv/bin/python bench/summary_table.py"
YEAR = 2024
DEFAULTS = {
    "members": 50,
    "clients": 8,
    "workers": 2,
    "seconds": 8.0,
    "rounds": 3,
    "export_runs": 5,
    "db_name": "khoi_bench_summary",
    "pg_url": "postgres://postgres@127.0.0.1:5432",
}


def build(members: int):
    """The bloc, its year, the published round and the issued summary; returns
    (secretariat user, scoring round, issued document)."""
    import datetime as dt

    from blocs.management.commands.generate_national import REGIONS, SECTORS, Generator
    from scoring.models import Round
    from scoring.summary import summary_issue

    generator = Generator(seed=4, log=log)
    provinces = [name for _r, _c, names in REGIONS for name in names]
    plan = [
        (agency, short, province)
        for _s, _sym, agencies in SECTORS[:2]
        for agency, short in agencies
        for province in provinces
    ][:members]
    units = sorted(generator.units(plan), key=lambda u: u.full_name)
    officers, leaders = generator.people(units)
    bloc = generator.bloc(
        name="Khối thi đua các sở, ngành tài chính – nội vụ toàn quốc",
        symbol="KTĐTCNV",
        members=units,
        first_year=YEAR,
    )
    bloc_year = generator.year(
        bloc=bloc,
        members=units,
        year=YEAR,
        current=False,
        officers=officers,
        leaders=leaders,
        index=0,
    )
    secretariat = officers[bloc_year.chair_id]
    scoring_round = Round.objects.select_related("bloc_year__bloc", "scale").get(
        bloc_year=bloc_year
    )
    document = summary_issue(
        scoring_round=scoring_round,
        by=secretariat,
        issued_on=dt.date(YEAR, 12, 28),
        place="Hà Nội",
        signer_name=bloc_year.chair.head_name,
        signer_title=bloc_year.chair.head_title.upper(),
        signature_heading=f"TM. {bloc.name.upper()}\nTRƯỞNG KHỐI",
    )
    return secretariat, scoring_round, document


def time_exports(scoring_round, document, runs: int) -> dict[str, list[float]]:
    from documents.documents import render_document_pdf
    from scoring.selectors import summary_table
    from scoring.summary import summary_to_xlsx

    xlsx, pdf, sizes = [], [], {}
    for i in range(runs + 1):  # the first of each is an untimed warm-up
        began = time.perf_counter()
        data = summary_to_xlsx(summary_table(scoring_round=scoring_round))
        if i:
            xlsx.append(time.perf_counter() - began)
        sizes["xlsx"] = len(data)
        began = time.perf_counter()
        data = render_document_pdf(document)
        if i:
            pdf.append(time.perf_counter() - began)
        sizes["pdf"] = len(data)
    from io import BytesIO

    from pypdf import PdfReader

    sizes["pages"] = len(PdfReader(BytesIO(data)).pages)
    return {"xlsx": xlsx, "pdf": pdf, "sizes": sizes}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=DEFAULTS["members"])
    parser.add_argument("--clients", type=int, default=DEFAULTS["clients"])
    parser.add_argument("--workers", type=int, default=DEFAULTS["workers"])
    parser.add_argument(
        "--seconds", type=float, default=DEFAULTS["seconds"], help="per page and round"
    )
    parser.add_argument("--rounds", type=int, default=DEFAULTS["rounds"])
    parser.add_argument("--export-runs", type=int, default=DEFAULTS["export_runs"])
    parser.add_argument("--db-name", default=DEFAULTS["db_name"])
    parser.add_argument("--pg-url", default=DEFAULTS["pg_url"])
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if not common.check_db_name(args.db_name):
        parser.error("--db-name must be a lower-case identifier containing 'bench' (it is dropped)")

    began = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="khoi-bench-summary-"))
    env = common.Env(args.db_name, args.pg_url.rstrip("/"), tmp / "static", tmp / "media")

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    keep_tmp = False
    try:
        log(f"database {env.database_url}: creating, migrating, collecting static files")
        common.prepare(env)
        log(f"data: 1 bloc, {args.members} members, 60 items, verified sheets")
        secretariat, scoring_round, document = build(args.members)
        bloc_year = scoring_round.bloc_year
        page = f"/cham-diem/{bloc_year.bloc_id}/{bloc_year.year}/tong-hop/"
        headers = {"Cookie": common.session_cookie(secretariat), "Host": "127.0.0.1"}
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        facts = common.machine_facts()
        connection.close()

        with common.Gunicorn(env, workers=args.workers, log_path=tmp / "gunicorn.log") as server:
            status, body = common.request("127.0.0.1", server.port, "GET", page, headers)
            if status != 200 or b"bieu-tong-hop" not in body:
                raise RuntimeError(f"summary page answered {status}: {body[:300]!r}")
            page_bytes = len(body)

            def call(path):
                return lambda _c, _i: common.request(
                    "127.0.0.1", server.port, "GET", path, headers
                )[0]

            targets = {
                "bare": common.Target("bare", "bare Django view", call("/bench/bare/")),
                "page": common.Target("page", "summary table page", call(page)),
            }
            log(f"warm-up, then {args.rounds} rounds × {args.seconds:.0f} s per page")
            for target in targets.values():
                common.measure(target, clients=args.clients, seconds=2)
            results = {key: [] for key in targets}
            for n in range(args.rounds):
                for key, target in targets.items():
                    m = common.measure(
                        target,
                        clients=args.clients,
                        seconds=args.seconds,
                        server_pids=lambda: [server.proc.pid, *server.worker_pids()],
                    )
                    results[key].append(m)
                    log(
                        f"   round {n + 1} {key}: {m.rps:.1f} req/s, p50 {m.p(50):.1f} ms, "
                        f"p95 {m.p(95):.1f} ms, errors {len(m.errors)}"
                    )
            rss = [common.rss_mib(pid) for pid in server.worker_pids()]

        log(f"exports: {args.export_runs} runs each after one warm-up")
        exports = time_exports(scoring_round, document, args.export_runs)
        total = time.perf_counter() - began
        write_results(args, facts, results, exports, page_bytes, rss, total)
        log(f"wrote bench/RESULTS.md ({total:.0f} s in all)")
        return 0
    except BaseException:
        keep_tmp = True
        print(f"logs kept in {tmp}", file=sys.stderr)
        raise
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            try:
                common.drop_database(env)
            except Exception as exc:
                print(f"could not drop database {env.db_name}: {exc}", file=sys.stderr)
        if not keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def merged(runs: list[common.Measured]) -> common.Measured:
    out = common.Measured(runs[0].target)
    for m in runs:
        out.latencies += m.latencies
        out.wall += m.wall
        out.errors += m.errors
    out.other_cpus = statistics.fmean(m.other_cpus for m in runs)
    out.server_cpu = statistics.fmean(m.server_cpu for m in runs)
    return out


def write_results(args, facts, results, exports, page_bytes, rss, total) -> None:
    bare, page = merged(results["bare"]), merged(results["page"])
    cmd = COMMAND + "".join(
        f" --{name.replace('_', '-')} {value}"
        for name, value in vars(args).items()
        if name != "keep_db" and value != DEFAULTS.get(name)
    )
    other = max(m.other_cpus for runs in results.values() for m in runs)
    busy = (
        [
            f"> **The machine was shared.** Other processes (other developers' test suites) kept "
            f"up to {other:.2f} of the {os.cpu_count()} CPUs busy during the HTTP measurements: "
            "the absolute req/s and latencies are lower than on an idle machine; the ratio, "
            "measured in alternating rounds under the same load, is the figure to compare.",
            "",
        ]
        if other > 0.3
        else []
    )

    def row(m: common.Measured, what: str) -> str:
        return (
            f"| {what} | {m.requests} | **{m.rps:.1f}** | {m.p(50):.1f} | **{m.p(95):.1f}** | "
            f"{m.p(99):.1f} | {m.server_cpu * 1000:.1f} | {len(m.errors)} |"
        )

    xs, ps = exports["xlsx"], exports["pdf"]
    sizes = exports["sizes"]
    lines = [
        "# Summary table benchmark: results",
        "",
        "Written by `bench/summary_table.py` (what each figure means: [README.md](README.md)). "
        "Re-running the command replaces this section only.",
        "",
        f"- Command: `{cmd}`",
        f"- Date: {common.now_utc()}",
        f"- Whole run: {total:.0f} s",
        "",
        *busy,
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in facts.items()],
        "",
        f"## 1. The page under gunicorn: {args.members} members × 60 items",
        "",
        f"`gunicorn khoi_portal.wsgi:application --workers {args.workers} --worker-class sync` "
        f"on 127.0.0.1, `DEBUG=0`, PostgreSQL; {args.clients} concurrent clients, a new "
        f"connection per request; {args.rounds} alternating rounds of {args.seconds:.0f} s per "
        "page after a 2 s warm-up each. Latency is the client's wall clock for the whole "
        "request (connect, queue, response), in milliseconds.",
        "",
        "| Page | Requests | Req/s | p50 | p95 | p99 | Server CPU / request (ms) | Errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        row(bare, "Bare Django view `/bench/bare/` (2-byte HttpResponse, full middleware)"),
        row(
            page,
            f"Summary table `…/tong-hop/` as the secretariat ({page_bytes / 1024:.0f} KiB of HTML)",
        ),
        f"| **Ratio page / bare** | | **{page.rps / bare.rps:.2f}×** | "
        f"{page.p(50) / bare.p(50):.1f}× | {page.p(95) / bare.p(95):.1f}× | | "
        f"{page.server_cpu / bare.server_cpu:.1f}× | |",
        "",
        "Per round (req/s, bare → page): "
        + "; ".join(
            f"{b.rps:.1f} → {p.rps:.1f}"
            for b, p in zip(results["bare"], results["page"], strict=True)
        )
        + f". Gunicorn worker RSS after the run: {', '.join(f'{r:.0f}' for r in rss)} MiB.",
        "",
        "## 2. Exports of the same table (in one process)",
        "",
        f"{args.export_runs} timed runs each after one warm-up; milliseconds.",
        "",
        "| Export | Median | Min | Max | Output |",
        "|---|---:|---:|---:|---|",
        f"| XLSX: `summary_to_xlsx(summary_table(...))`, what the XLSX view returns | "
        f"**{statistics.median(xs) * 1000:.0f}** | {min(xs) * 1000:.0f} | {max(xs) * 1000:.0f} | "
        f"{sizes['xlsx'] / 1024:.0f} KiB |",
        f"| PDF: `render_document_pdf(document)` of the issued summary (BC, A4 landscape) | "
        f"**{statistics.median(ps) * 1000:.0f}** | {min(ps) * 1000:.0f} | {max(ps) * 1000:.0f} | "
        f"{sizes['pdf'] / 1024:.0f} KiB, {sizes['pages']} pages |",
        "",
    ]
    common.write_section("summary_table", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
