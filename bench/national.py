#!/usr/bin/env python
"""Bounded load test on a national-scale dataset (issue #8), loopback only.

    .venv/bin/python bench/national.py                 # generate, then measure (see README)
    .venv/bin/python bench/national.py --reuse-db      # measure again on the generated data

1. Data: ``manage.py generate_national --years 2021-2025`` in its own PostgreSQL database
   (34 provinces, 60 blocs, 1,500 units, 5 years, 60 items per scale, sheets, signatures,
   ballots, conferences, documents). ``--reuse-db`` keeps a database generated before.
2. gunicorn (3 sync workers, as docker-compose.yml) with the project's WSGI app on 127.0.0.1 and
   bench.settings, which adds ``/bench/blank/``: the portal's content-free page (base layout,
   signed-in user).
3. 8 concurrent clients request, one target after another for --seconds each, the ten busiest
   pages and actions as the right roles, and the content-free page between them. Actions are
   valid every time: each client saves its own sheets with the version it last got back, casts
   ballots with a secret fetched just before (one per unit and round), scans delegates' QR
   codes at the desk (a second scan of the same code is valid and changes nothing).
4. Per target: req/s, p50/p95, ratio to the content-free page; RSS of every gunicorn worker.

Results: the "national" section of bench/RESULTS.md, with the targets of issue #8.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.common import log  # noqa: E402

COMMAND = ".venv/bin/python bench/national.py"
DEFAULTS = {
    "years": "2021-2025",
    "units": 1500,
    "clients": 8,
    # gunicorn sync workers as docker-compose.yml runs them (WEB_WORKERS, 3 by default): with one
    # per core, a worker waiting for PostgreSQL (a save's statement, a commit) leaves its core idle.
    "workers": 3,
    "seconds": 10.0,
    "db_name": "khoi_bench_national",
    "pg_url": "postgres://postgres@127.0.0.1:5432",
    # The page cache in Redis, as docker-compose.yml runs it (its own database, emptied first).
    "cache_url": "redis://127.0.0.1:6379/13",
}
TARGET_P95_MS = 100.0
TARGET_RATIO = 0.5
# Each target is measured in this many turns with the content-free page (see main).
ROUNDS = 3
# The "150 MB" in MiB, the unit /proc reports RSS in: 150 × 10⁶ / 2²⁰ = 143.1.
TARGET_RSS_MB = 150.0
TARGET_RSS_MIB = TARGET_RSS_MB * 1e6 / 2**20


def form_body(data: list[tuple[str, str]] | str) -> str:
    """A form's urlencoded body with the CSRF token; *data* as pairs, or already encoded."""
    encoded = data if isinstance(data, str) else urllib.parse.urlencode(data)
    token = urllib.parse.urlencode([("csrfmiddlewaretoken", common.CSRF_SECRET)])
    return f"{token}&{encoded}" if encoded else token


class Site:
    """What the clients need: users' cookies, the pages' paths, per-client work lists."""

    def __init__(self, port: int, clients: int):
        self.port = port
        self.clients = clients
        self.cookies: dict[int, str] = {}
        self.lock = threading.Lock()

    def sign_in(self, users) -> None:
        """Sessions for *users* before the clocks start: a voter's sign-in is not part of the
        ballot it casts (each cast is another leader's first request)."""
        for user in users:
            self.cookie(user)

    def cookie(self, user) -> str:
        if user.pk not in self.cookies:
            self.cookies[user.pk] = f"{common.session_cookie(user)}; {common.csrf_cookie()}"
        return self.cookies[user.pk]

    def get(self, user, path: str, extra: dict | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie(user), "Host": "127.0.0.1", **(extra or {})}
        return common.request("127.0.0.1", self.port, "GET", path, headers)

    def post(self, user, path: str, data: list[tuple[str, str]] | str, extra: dict | None = None):
        body = form_body(data)
        headers = {
            "Cookie": self.cookie(user),
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            **(extra or {}),
        }
        return common.request("127.0.0.1", self.port, "POST", path, headers, body.encode())


def plan(site: Site, clients: int, rng: random.Random) -> list[common.Target]:
    """The ten targets and the content-free page, with their users and state."""
    from awards.models import Ballot, BallotRound, VoterToken
    from blocs.models import Bloc, BlocYear, User
    from meetings.models import Delegate, Meeting
    from scoring.models import Entry, Sheet

    last_year = BlocYear.objects.order_by("-year").values_list("year", flat=True).first()
    # The largest bloc: the heaviest pages.
    bloc = max(Bloc.objects.all(), key=lambda b: b.memberships.count())
    current = BlocYear.objects.select_related("chair").get(bloc=bloc, year=last_year)
    previous = BlocYear.objects.select_related("chair").get(bloc=bloc, year=last_year - 1)
    secretariat = User.objects.get(unit=current.chair, unit_role="officer")
    past_secretariat = User.objects.get(unit=previous.chair, unit_role="officer")
    ministry, _ = User.objects.get_or_create(
        username="bench.ministry",
        defaults={"full_name": "Bùi Thị Bộ", "is_ministry_office": True, "is_staff": True},
    )
    # Officers of the current year's draft sheets, each client its own.
    sheets = list(
        Sheet.objects.filter(round__bloc_year=current, status=Sheet.Status.DRAFT)
        .exclude(unit=current.chair)
        .select_related("unit")
        .order_by("pk")[: clients * 4]
    )
    officers = {
        u.unit_id: u
        for u in User.objects.filter(unit__in=[s.unit for s in sheets], unit_role="officer")
    }
    items = {}
    for entry in Entry.objects.filter(sheet__in=sheets).order_by("criterion__position"):
        items.setdefault(entry.sheet_id, []).append((entry.pk, entry.max_points))
    versions = {s.pk: s.version for s in sheets}
    officer = officers[sheets[0].unit_id]

    # Ballots: (leader, round) pairs not voted yet, all over the country. The generator casts
    # no ballot in the open rounds: what is there was cast by an earlier run (--reuse-db, which
    # would otherwise run out of voters after one run), so it is removed and every unit votes.
    rounds = list(BallotRound.objects.filter(status="open", bloc_year__year=last_year))
    if VoterToken.objects.filter(round__in=rounds).exists():
        Ballot.objects.filter(round__in=rounds).delete()
        VoterToken.objects.filter(round__in=rounds).delete()
        # The deleted rows vacuumed now, not by autovacuum in the middle of a measurement.
        from django.db import connection

        tables = [m._meta.db_table for m in (Ballot, Ballot.choices.through, VoterToken)]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    used = set(VoterToken.objects.filter(used=True).values_list("round_id", "unit_id"))
    members: dict[int, list[int]] = {}
    from blocs.selectors import bloc_members

    votes = []
    for ballot_round in rounds:
        by = ballot_round.bloc_year
        if by.bloc_id not in members:
            members[by.bloc_id] = list(
                bloc_members(bloc=by.bloc, year=by.year).values_list("pk", flat=True)
            )
        votes += [
            (ballot_round.pk, u) for u in members[by.bloc_id] if (ballot_round.pk, u) not in used
        ]
    rng.shuffle(votes)
    leaders = {
        u.unit_id: u
        for u in User.objects.filter(unit_role="leader", unit_id__in={u for _r, u in votes})
    }
    vote_lists = [votes[i::clients] for i in range(clients)]
    site.sign_in(leaders.values())

    meeting = Meeting.objects.get(bloc_year=current)
    tokens = list(
        Delegate.objects.filter(registration__meeting=meeting).values_list("qr_token", flat=True)
    )

    def page(user, path, extra=None):
        return lambda _c, _i: site.get(user, path, extra)[0]

    # Each sheet's posts, drawn before the clocks start: what a browser sends is built on the
    # officer's machine, not on the server's (8 variants per sheet, all 60 scores drawn anew).
    # The page's script sends the fields changed since it was shown (changed_only): every score,
    # no explanation. The reference posts the same scores with every explanation, as the page
    # does without its script.
    posts: dict[int, list[tuple[str, str]]] = {}
    for sheet in sheets:
        posts[sheet.pk] = []
        for _variant in range(8):
            scores = [
                (
                    f"score_{entry_id}",
                    str((maximum * rng.randint(60, 100) / 100 * 4).to_integral_value() / 4),
                )
                for entry_id, maximum in items[sheet.pk]
            ]
            texts = [
                (f"text_{entry_id}", "Theo báo cáo của đơn vị") for entry_id, _m in items[sheet.pk]
            ]
            posts[sheet.pk].append(
                (
                    urllib.parse.urlencode([*scores, ("changed_only", "1")]),
                    urllib.parse.urlencode(
                        [pair for both in zip(scores, texts, strict=True) for pair in both]
                    ),
                )
            )

    def save(c: int, i: int, whole: bool):
        mine = [s for n, s in enumerate(sheets) if n % clients == c]
        sheet = mine[i % len(mine)]
        user = officers[sheet.unit_id]
        body = posts[sheet.pk][i // len(mine) % 8][1 if whole else 0]
        status, _body = site.post(
            user, f"/cham-diem/phieu/{sheet.pk}/", f"version={versions[sheet.pk]}&{body}"
        )
        if status == 302:
            versions[sheet.pk] += 1
        return status

    def ballot_cast(c: int, i: int):
        if not vote_lists[c]:
            raise RuntimeError("no unit left to vote")
        round_id, unit_id = vote_lists[c].pop()
        user = leaders[unit_id]
        path = f"/khen-thuong/vong/{round_id}/bo-phieu/"
        status, body = site.get(user, path)  # the ballot with a fresh one-time secret
        text = body.decode()
        secret = re.search(r'name="secret" value="([^"]+)"', text)
        choices = re.findall(r'name="choices" value="(\d+)"', text)
        if status != 200 or not secret or not choices:
            return -status
        began = time.perf_counter()
        # As the page sends it: through HTMX, whose answer is the receipt alone.
        status, body = site.post(
            user,
            path,
            [("secret", secret.group(1)), ("choices", choices[0])],
            {"HX-Request": "true"},
        )
        elapsed = time.perf_counter() - began
        return (status if b"receipt" in body or "Biên nhận".encode() in body else -status, elapsed)

    def check_in(c: int, i: int):
        token = tokens[(i * clients + c) % len(tokens)]
        status, _body = site.post(
            secretariat,
            f"/hoi-nghi/{meeting.pk}/diem-danh/",
            [("token", token)],
            {"HX-Request": "true"},
        )
        return status

    b, y, py = bloc.pk, last_year, last_year - 1
    sheet0 = sheets[0]
    # The content-free page padded to the score sheet's size: what the size alone costs.
    sheet_kb = len(site.get(officers[sheet0.unit_id], f"/cham-diem/phieu/{sheet0.pk}/")[1]) // 1024
    return [
        common.Target(
            "blank", "Content-free page (base layout), officer", page(officer, "/bench/blank/")
        ),
        common.Target(
            "dash_officer", "Dashboard, unit officer", page(officer, "/bang-dieu-khien/")
        ),
        common.Target(
            "dash_secretariat", "Dashboard, secretariat", page(secretariat, "/bang-dieu-khien/")
        ),
        common.Target(
            "dash_ministry", "Dashboard, ministry office", page(ministry, "/bang-dieu-khien/")
        ),
        common.Target("bloc", "Bloc page, unit officer", page(officer, f"/khoi/{b}/")),
        common.Target(
            "overview",
            "Scoring round overview, secretariat",
            page(secretariat, f"/cham-diem/{b}/{y}/"),
        ),
        common.Target(
            "sheet",
            "Score sheet (60 items), unit officer",
            page(officers[sheet0.unit_id], f"/cham-diem/phieu/{sheet0.pk}/"),
        ),
        common.Target(
            "blank_sized",
            f"Reference: the content-free page padded to the score sheet's size ({sheet_kb} KiB)",
            page(officer, f"/bench/blank/?kb={sheet_kb}"),
            reference=True,
        ),
        common.Target(
            "sheet_save",
            "Score sheet save (60 scores changed: the page posts them), officer",
            lambda c, i: save(c, i, whole=False),
            expect=(302,),
        ),
        common.Target(
            "sheet_save_whole",
            "Reference: the same save posted whole (120 fields), as without the page's script",
            lambda c, i: save(c, i, whole=True),
            expect=(302,),
            reference=True,
        ),
        common.Target(
            "summary",
            f"Summary table {py} (published), secretariat",
            page(past_secretariat, f"/cham-diem/{b}/{py}/tong-hop/"),
        ),
        common.Target(
            "ballot_cast",
            "Ballot page and cast (GET, then HTMX POST; p50/p95 of the POST), leader",
            ballot_cast,
            requests_per_call=2,
        ),
        common.Target("check_in", "Conference check-in (POST, HTMX), secretariat", check_in),
    ], {
        "bloc": bloc,
        "members": len(members.get(b, [])) or bloc.memberships.count(),
        "votes": len(votes),
        "tokens": len(tokens),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--years", default=DEFAULTS["years"])
    parser.add_argument("--units", type=int, default=DEFAULTS["units"])
    parser.add_argument("--clients", type=int, default=DEFAULTS["clients"])
    parser.add_argument("--workers", type=int, default=DEFAULTS["workers"])
    parser.add_argument("--seconds", type=float, default=DEFAULTS["seconds"], help="per target")
    parser.add_argument("--db-name", default=DEFAULTS["db_name"])
    parser.add_argument("--pg-url", default=DEFAULTS["pg_url"])
    parser.add_argument("--reuse-db", action="store_true", help="measure on data generated before")
    parser.add_argument(
        "--cache-url",
        default=DEFAULTS["cache_url"],
        help="the page cache's Redis (emptied first); '' for each worker's own memory",
    )
    parser.add_argument("--only", default="", help="comma-separated target keys (diagnostics)")
    args = parser.parse_args()
    if not common.check_db_name(args.db_name):
        parser.error("--db-name must be a lower-case identifier containing 'bench'")

    began = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="khoi-bench-national-"))
    env = common.Env(
        args.db_name,
        args.pg_url.rstrip("/"),
        tmp / "static",
        tmp / "media",
        cache_url=args.cache_url,
    )

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    generation = None
    try:
        log(f"database {env.database_url}: {'reusing' if args.reuse_db else 'creating'}")
        common.prepare(env, fresh=not args.reuse_db)
        if not args.reuse_db:
            t = time.perf_counter()
            common.run(
                [
                    sys.executable,
                    "manage.py",
                    "generate_national",
                    "--years",
                    args.years,
                    "--units",
                    str(args.units),
                ],
                env=env.variables(),
                timeout=3600,
            )
            generation = time.perf_counter() - t
            log(f"generated in {generation:.0f} s")
        from django.db import connection

        common.flush_cache(env)
        counts = table_counts()
        facts = common.machine_facts()
        rng = random.Random(8)
        with common.Gunicorn(env, workers=args.workers, log_path=tmp / "gunicorn.log") as server:
            site = Site(server.port, args.clients)
            targets, info = plan(site, args.clients, rng)
            connection.close()
            if args.only:
                keep = {"blank", *args.only.split(",")}
                targets = [t for t in targets if t.key in keep]
            pids = lambda: [server.proc.pid, *server.worker_pids()]  # noqa: E731
            for target in targets:  # every page answers correctly before anything is timed
                status = target.call(0, 0)
                status = status[0] if isinstance(status, tuple) else status
                if status not in target.expect:
                    raise RuntimeError(f"{target.key} answered {status}")
            results = {}
            blank = targets[0]
            common.measure(blank, clients=args.clients, seconds=2)
            blanks = []
            for target in targets[1:]:
                # The content-free page and the target in turns (ROUNDS times each): the ratio
                # compares neighbours, seconds apart, on a machine whose speed drifts.
                b_parts, m_parts = [], []
                for _round in range(ROUNDS):
                    b_parts.append(
                        common.measure(
                            blank,
                            clients=args.clients,
                            seconds=args.seconds / 2 / ROUNDS,
                            server_pids=pids,
                        )
                    )
                    m_parts.append(
                        common.measure(
                            target,
                            clients=args.clients,
                            seconds=args.seconds / ROUNDS,
                            server_pids=pids,
                        )
                    )
                b, m = common.merged(b_parts), common.merged(m_parts)
                blanks.append(b)
                results[target.key] = (m, b)
                log(
                    f"   {target.key}: {m.rps:.1f} req/s (blank {b.rps:.1f}), p50 {m.p(50):.1f} ms, "
                    f"p95 {m.p(95):.1f} ms, errors {len(m.errors)} {m.errors[:2]}"
                )
            rss = {pid: common.rss_mib(pid) for pid in server.worker_pids()}
        total = time.perf_counter() - began
        write_results(args, facts, counts, info, blank, blanks, results, rss, generation, total)
        log(f"wrote bench/RESULTS.md ({total:.0f} s in all)")
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    except BaseException:
        print(f"logs kept in {tmp}", file=sys.stderr)
        raise
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()


def table_counts() -> dict[str, int]:
    from django.db import connection

    names = {
        "Provinces": "blocs_province",
        "Blocs": "blocs_bloc",
        "Member units": "blocs_memberunit",
        "Users": "blocs_user",
        "Bloc years": "blocs_blocyear",
        "Scoring items (criteria)": "scoring_criterion",
        "Score sheets": "scoring_sheet",
        "Scores (entries)": "scoring_entry",
        "Covenant signatures": "covenants_signature",
        "Ballots": "awards_ballot",
        "Conference delegates": "meetings_delegate",
        "Documents": "documents_document",
    }
    out = {}
    with connection.cursor() as cursor:
        for label, table in names.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[label] = cursor.fetchone()[0]
    return out


def write_results(args, facts, counts, info, blank, blanks, results, rss, generation, total):
    cmd = COMMAND + "".join(
        f" --{name.replace('_', '-')}" + ("" if value is True else f" {value}")
        for name, value in vars(args).items()
        if value not in (DEFAULTS.get(name), False, "")
    )
    other = max([m.other_cpus for m, _b in results.values()] + [0.0])
    all_blank = common.Measured(blank)
    for b in blanks:
        all_blank.latencies += b.latencies
        all_blank.wall += b.wall
    max_rss = max(rss.values()) if rss else float("nan")
    lines = [
        "# National-scale load test: results",
        "",
        "Written by `bench/national.py` (what each figure means: [README.md](README.md)). "
        "Re-running the command replaces this section only.",
        "",
        f"- Command: `{cmd}`",
        f"- Date: {common.now_utc()}",
        f"- Whole run: {total:.0f} s"
        + (
            f"; data generation (`manage.py generate_national --years {args.years}`): {generation:.0f} s"
            if generation
            else " (data generated by an earlier run)"
        ),
        "",
    ]
    if other > 0.3:
        lines += [
            f"> **The machine was shared.** Other processes kept up to {other:.2f} of the "
            f"{os.cpu_count()} CPUs busy during the measurements (column *Other load*). "
            "Absolute latencies and req/s are worse than on an idle machine; each ratio compares "
            "a target with the content-free page measured in turns with it, under similar load.",
            "",
        ]
    lines += [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in facts.items()],
        "",
        "## Data",
        "",
        "| Rows | Count |",
        "|---|---:|",
        *[f"| {k} | {v:,} |" for k, v in counts.items()],
        "",
        f"Pages of bloc **{info['bloc'].symbol}** (the largest, {info['members']} members).",
        "",
        "## Load test",
        "",
        f"`gunicorn --workers {args.workers} --worker-class sync` on 127.0.0.1, `DEBUG=0`; "
        f"{args.clients} concurrent clients, a new connection per request; {args.seconds:.0f} s "
        f"per target, the content-free page for {args.seconds / 2:.0f} s, in {ROUNDS} turns each. "
        f"Targets (issue #8): p95 < {TARGET_P95_MS:.0f} ms; req/s ≥ {TARGET_RATIO} × the "
        f"content-free page; RSS per worker < {TARGET_RSS_MB:.0f} MB ({TARGET_RSS_MIB:.1f} MiB).",
        "",
        (
            f"Page cache (`khoi_portal/pagecache.py`): Redis at `{args.cache_url}`, emptied "
            "before the run, shared by the workers as in `docker-compose.yml`."
            if args.cache_url
            else "Page cache: each worker's own memory (`--cache-url ''`)."
        )
        + " A page's first request renders its fragments and stores them; later ones read "
        "them while the data they show is unchanged (any committed write to it changes the "
        "key). What the same pages cost when the cache has nothing: the *profile* section below.",
        "",
        "| Page / action | Requests | Req/s | Ratio to blank | p50 (ms) | p95 (ms) | Server CPU / req (ms) | Other load | Errors | Targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {blank.label} (all its runs) | {all_blank.served} | {all_blank.rps:.1f} | 1.00 | "
        f"{all_blank.p(50):.1f} | {all_blank.p(95):.1f} | | | | "
        f"{'p95 ok' if all_blank.p(95) < TARGET_P95_MS else '**p95 missed**'} |",
    ]
    for _key, (m, b) in results.items():
        ratio = m.rps / b.rps if b.rps else float("nan")
        verdict = []
        if m.target.reference:
            verdict.append("reference, not a target")
        else:
            verdict.append("p95 ok" if m.p(95) < TARGET_P95_MS else "**p95 missed**")
            verdict.append("ratio ok" if ratio >= TARGET_RATIO else "**ratio missed**")
        lines.append(
            f"| {m.target.label} | {m.served} | {m.rps:.1f} | {ratio:.2f} | {m.p(50):.1f} | "
            f"{m.p(95):.1f} | {m.server_cpu * 1000:.1f} | {m.other_cpus:.2f} | {len(m.errors)} | "
            f"{', '.join(verdict)} |"
        )
    lines += [
        "",
        f"Gunicorn worker RSS after the run: {', '.join(f'{v:.0f}' for v in rss.values())} MiB "
        f"({'under' if max_rss < TARGET_RSS_MIB else '**over**'} the {TARGET_RSS_MB:.0f} MB "
        f"= {TARGET_RSS_MIB:.1f} MiB target).",
        "",
        f"Ballots: {info['votes']} (unit, open round) pairs not yet voted at the start; each "
        f"cast uses one. Check-in cycles over the meeting's {info['tokens']} delegate codes "
        '(a repeated scan is answered "already present").',
        "",
    ]
    common.write_section("national", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
