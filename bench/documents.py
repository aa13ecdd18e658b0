#!/usr/bin/env python
"""Benchmark of the documents engine: one command, three measurements, one results file.

    .venv/bin/python bench/documents.py            # the documented command (~4 min on 2 busy CPUs)
    .venv/bin/python bench/documents.py --runs 50  # more samples for the one-page figures

1. One-page letter: ``render_document_pdf(document)`` on an issued one-page Công văn, in this
   process, against a bare ``weasyprint.HTML(string=...).write_pdf()`` of a similar one-page HTML
   (default fetcher, system fonts, no project code). Median / p95 over --runs after --warmup.
2. A 30-page document through the engine (page count checked with pypdf).
3. 100 letters through a real Celery worker (prefork, --concurrency=1 then 2) on the local
   Redis and a throw-away PostgreSQL database: wall clock from queueing the 100
   ``documents.tasks.render_document`` tasks to all 100 documents having ``sha256``.

Everything runs against its own PostgreSQL database (created, migrated, dropped), its own
Redis queue (keys removed afterwards) and a temporary MEDIA_ROOT. Results go to
bench/RESULTS.md; bench/README.md explains each figure.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import math
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# `python bench/documents.py` puts bench/ first on sys.path, where this very file would shadow
# the project's `documents` package: put the project root there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

RESULTS = BENCH / "RESULTS.md"
COMMAND = ".venv/bin/python bench/documents.py"
ISSUED_ON = dt.date(2021, 1, 11)

# Every variable khoi_portal/settings.py reads: dropped from the environment first, so that a
# developer's own DATABASE_URL or CELERY_BROKER_URL can never point the bench at real data.
SETTINGS_VARIABLES = frozenset(
    re.findall(
        r"""\benv_(?:str|bool|int|list|choice)\(\s*["']([A-Z0-9_]+)["']""",
        (ROOT / "khoi_portal" / "settings.py").read_text(encoding="utf-8"),
    )
)

# --- the documents --------------------------------------------------------------------------------

PARENT_BODY = "BỘ KẾ HOẠCH VÀ ĐẦU TƯ"
ISSUER_NAME = "KHỐI THI ĐUA\nCÁC BAN QUẢN LÝ KCN, KCX,\nKKT MIỀN TÂY NAM BỘ"
SUBJECT = "tham dự Hội nghị tổng kết công tác thi đua năm 2020"
RECIPIENTS = "Các Ban Quản lý các khu công nghiệp, khu chế xuất, khu kinh tế thành viên Khối"
BASIS = (
    "Căn cứ Quyết định số 01/QĐ-KTĐMTNB ngày 21/4/2020 của Khối thi đua về việc ban hành "
    "Quy chế hoạt động của Khối thi đua;"
)
LETTER_BODY = (
    "Thực hiện Quy chế hoạt động của Khối thi đua, Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng "
    "(Trưởng khối năm 2020) trân trọng kính mời đại diện lãnh đạo các đơn vị thành viên tham dự "
    "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2020 và ký kết giao ước thi đua "
    "năm 2021.\n"
    "- Thời gian: 08 giờ 00, thứ Sáu, ngày 15/01/2021.\n"
    "- Địa điểm: Hội trường Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng.\n"
    "Rất mong quý đơn vị quan tâm, tham dự đầy đủ và đúng giờ."
)
DISTRIBUTION = "- Như trên;\n- Lưu: VT."
SIGNATURE_HEADING = "TM. KHỐI THI ĐUA TÂY NAM BỘ\nKT. TRƯỞNG KHỐI"
SIGNER_TITLE = "PHÓ TRƯỞNG BAN QL CÁC KCN SÓC TRĂNG"
SIGNER_NAME = "Nguyễn Văn Kiệt"

# One report paragraph (~95 words); the 30-page document repeats it, numbered.
REPORT_PARAGRAPH = (
    "Trong năm, các đơn vị thành viên Khối đã triển khai đồng bộ các phong trào thi đua yêu nước, "
    "gắn với nhiệm vụ chính trị của từng Ban Quản lý; công tác thu hút đầu tư vào các khu công "
    "nghiệp, khu chế xuất, khu kinh tế tiếp tục đạt kết quả tích cực, tổng vốn đăng ký mới và "
    "điều chỉnh tăng so với cùng kỳ; công tác cải cách hành chính, chuyển đổi số được đẩy mạnh, "
    "thời gian giải quyết thủ tục cho nhà đầu tư được rút ngắn; đời sống, việc làm của người lao "
    "động được quan tâm, các chế độ chính sách được thực hiện đầy đủ, kịp thời."
)
DASH_LINE = "- Kết quả cụ thể: *vốn đăng ký* tăng **12,5%**, giải ngân đạt 87% kế hoạch năm."

# The bare-WeasyPrint counterpart of the one-page letter: the same words in a similar layout,
# written by hand, no project code, no @font-face (system fonts through fontconfig).
BARE_HTML = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Công văn</title>
<style>
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
html { font-family: serif; font-size: 14pt; line-height: 1.25; }
table { width: 100%%; border-collapse: collapse; }
td { vertical-align: top; text-align: center; }
.b { font-weight: bold; } .i { font-style: italic; }
p { text-indent: 1.27cm; margin: 0 0 6pt 0; text-align: justify; }
</style></head><body>
<table><tr>
<td style="width:40%%"><div>%(parent)s</div>%(issuer)s<div>Số: 01/KTĐMTNB</div>
<div>V/v %(subject)s</div></td>
<td style="width:60%%"><div class="b">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
<div class="b">Độc lập - Tự do - Hạnh phúc</div>
<div class="i">Sóc Trăng, ngày 11 tháng 01 năm 2021</div></td></tr></table>
<p style="text-align:center">Kính gửi: %(recipients)s</p>
<p class="i">%(basis)s</p>
%(body)s
<table><tr><td style="width:45%%;text-align:left"><div class="b i">Nơi nhận:</div>
<div>- Như trên;</div><div>- Lưu: VT.</div></td>
<td><div class="b">TM. KHỐI THI ĐUA TÂY NAM BỘ</div><div class="b">KT. TRƯỞNG KHỐI</div>
<div class="b">%(signer_title)s</div><div style="height:28mm"></div>
<div class="b">%(signer)s</div></td></tr></table>
</body></html>"""


def bare_html() -> str:
    return BARE_HTML % {
        "parent": PARENT_BODY,
        "issuer": "".join(f'<div class="b">{line}</div>' for line in ISSUER_NAME.splitlines()),
        "subject": SUBJECT,
        "recipients": RECIPIENTS,
        "basis": BASIS,
        "body": "\n".join(f"<p>{line}</p>" for line in LETTER_BODY.splitlines()),
        "signer_title": SIGNER_TITLE,
        "signer": SIGNER_NAME,
    }


def report_body(paragraphs: int) -> str:
    lines = []
    for n in range(1, paragraphs + 1):
        lines.append(f"**{n}.** {REPORT_PARAGRAPH}")
        if n % 3 == 0:
            lines.append(DASH_LINE)
    return "\n".join(lines)


# --- small helpers --------------------------------------------------------------------------------


_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {message}", flush=True)


def ms(seconds: float) -> float:
    return seconds * 1000.0


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def system_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all CPUs, all processes), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """How busy the machine was around a measurement, apart from the bench itself."""

    wall: float = 0.0
    busy: float = 0.0  # machine-wide busy CPU seconds
    own: float = 0.0  # of which the bench (this process, plus the worker when there is one)
    loadavg: float = 0.0  # 1-minute load average at the start

    @property
    def others(self) -> float:
        """Average number of CPUs kept busy by other processes (PostgreSQL and Redis included)."""
        return max(0.0, self.busy - self.own) / self.wall if self.wall else float("nan")


@contextlib.contextmanager
def measuring_load(extra_own=None):
    load = Load(loadavg=os.getloadavg()[0])
    wall, busy, own = time.perf_counter(), system_busy_seconds(), time.process_time()
    extra = extra_own() if extra_own else 0.0
    yield load
    load.wall = time.perf_counter() - wall
    load.busy = system_busy_seconds() - busy
    load.own = time.process_time() - own + ((extra_own() - extra) if extra_own else 0.0)


@dataclass
class Series:
    label: str
    samples: list[float] = field(default_factory=list)  # wall clock, seconds
    cpu: list[float] = field(default_factory=list)  # this process's CPU time, seconds

    @property
    def median_ms(self) -> float:
        return ms(statistics.median(self.samples))

    @property
    def p95_ms(self) -> float:
        return ms(p95(self.samples))

    @property
    def mean_ms(self) -> float:
        return ms(statistics.fmean(self.samples))

    @property
    def min_ms(self) -> float:
        return ms(min(self.samples))

    @property
    def cpu_median_ms(self) -> float:
        return ms(statistics.median(self.cpu)) if self.cpu else float("nan")


def run(cmd: list[str], env: dict[str, str], timeout: int = 300) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


# --- environment: database, broker, media ---------------------------------------------------------


@dataclass
class Env:
    db_name: str
    pg_url: str  # the server, without a database
    redis_url: str
    media_root: Path
    tag: str  # unique to this run: queue and node names
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(60))

    @property
    def database_url(self) -> str:
        return f"{self.pg_url}/{self.db_name}"

    def variables(self) -> dict[str, str]:
        """What both this process and the worker subprocesses get."""
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
        env.update(
            DJANGO_SETTINGS_MODULE="khoi_portal.settings",
            PYTHONPATH=str(ROOT),
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=self.redis_url,
            CELERY_RESULT_BACKEND=self.redis_url,
            MEDIA_ROOT=str(self.media_root),
            # production-like: DEBUG off (no query log growing in the worker); quiet driver
            DEBUG="0",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
        )
        return env


def create_database(env: Env) -> None:
    import psycopg
    from psycopg import sql

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(env.db_name))
    create = sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
        sql.Identifier(env.db_name)
    )

    with psycopg.connect(f"{env.pg_url}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(drop)
        conn.execute(create)


def drop_database(env: Env) -> None:
    import psycopg
    from psycopg import sql

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(env.db_name))
    with psycopg.connect(f"{env.pg_url}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(drop)


def check_services(env: Env) -> None:
    import psycopg
    import redis

    try:
        redis.Redis.from_url(env.redis_url, socket_connect_timeout=3).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        sys.exit(f"Redis is not reachable at {env.redis_url}: {exc}")
    try:
        psycopg.connect(f"{env.pg_url}/postgres", connect_timeout=5).close()
    except psycopg.Error as exc:
        sys.exit(f"PostgreSQL is not reachable at {env.pg_url}: {exc}")


def clean_redis(env: Env, task_ids: list[str]) -> int:
    """Remove this run's queues, bindings and task results; nothing else in the database."""
    import redis

    client = redis.Redis.from_url(env.redis_url)
    removed = 0
    for key in client.scan_iter(match=f"*{env.tag}*"):
        removed += client.delete(key)
    for key in client.scan_iter(match="_kombu.binding*"):
        if client.type(key) == b"set":
            members = [m for m in client.smembers(key) if env.tag.encode() in m]
            if members:
                client.srem(key, *members)
        elif client.type(key) == b"zset":
            members = [m for m in client.zrange(key, 0, -1) if env.tag.encode() in m]
            if members:
                client.zrem(key, *members)
    for chunk in range(0, len(task_ids), 200):
        keys = [f"celery-task-meta-{tid}" for tid in task_ids[chunk : chunk + 200]]
        if keys:
            removed += client.delete(*keys)
    client.close()
    return removed


# --- fixtures in the bench database ---------------------------------------------------------------


@dataclass
class Fixtures:
    bloc: object
    user: object
    letter_type: object
    report_type: object


def make_fixtures() -> Fixtures:
    from blocs.models import Bloc, User
    from documents.models import DocumentType

    bloc, _ = Bloc.objects.get_or_create(
        symbol="KTĐMTNB", defaults={"name": "Khối thi đua miền Tây Nam Bộ"}
    )
    user = User.objects.create(username=f"bench-{uuid.uuid4().hex[:8]}", full_name="Đỗ Thanh Thư")
    return Fixtures(
        bloc=bloc,
        user=user,
        letter_type=DocumentType.objects.get(code="", is_letter=True),  # Công văn
        report_type=DocumentType.objects.get(code="BC"),  # Báo cáo
    )


def issue_document(fx: Fixtures, *, doc_type=None, body: str = LETTER_BODY, subject: str = SUBJECT):
    from documents.services import document_create_draft, document_issue

    draft = document_create_draft(
        doc_type=doc_type or fx.letter_type,
        subject=subject,
        created_by=fx.user,
        bloc=fx.bloc,
        parent_body=PARENT_BODY,
        issuer_name=ISSUER_NAME,
        place="Sóc Trăng",
        recipients=RECIPIENTS,
        basis=BASIS,
        body=body,
        distribution=DISTRIBUTION,
        authority="KT.",
        signature_heading=SIGNATURE_HEADING,
        signer_title=SIGNER_TITLE,
        signer_name=SIGNER_NAME,
    )
    return document_issue(document=draft, issued_on=ISSUED_ON, issued_by=fx.user, render=False)


# --- 1. one page: engine vs bare WeasyPrint -------------------------------------------------------

# The suggested fix A: one SSL context for every fetcher. WeasyPrint's URLFetcher builds an
# HTTPSHandler, which without a context calls ssl.create_default_context() and so parses the
# whole CA bundle on every render, although the restricted fetcher never allows https.
SHARED_SSL_CONTEXT = None


def shared_ssl_context():
    global SHARED_SSL_CONTEXT
    if SHARED_SSL_CONTEXT is None:
        import ssl

        SHARED_SSL_CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # no CA bundle: never used
    return SHARED_SSL_CONTEXT


def html_to_pdf_fixed(html: str) -> bytes:
    """documents.rendering.html_to_pdf with fix A (its fetcher gets a prebuilt SSL context)."""
    from django.conf import settings
    from weasyprint import CSS, HTML

    from documents.rendering import RestrictedURLFetcher, font_config, fonts_css

    fetcher = RestrictedURLFetcher(ssl_context=shared_ssl_context())
    static_base = (Path(settings.BASE_DIR) / "static").as_uri() + "/"
    document = HTML(string=html, base_url=static_base, url_fetcher=fetcher)
    fonts = CSS(string=fonts_css(), font_config=font_config(), url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[fonts], font_config=font_config(), uncompressed_pdf=False
    )


_QR_IMG = re.compile(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="QR">')


def png_qr(html: str, url: str) -> str:
    """The suggested fix B: the verification QR code as a PNG data URI instead of an SVG path."""
    import segno

    uri = segno.make(url, error="m").png_data_uri(scale=4, border=1)
    replaced, count = _QR_IMG.subn(f'<img src="{uri}" alt="QR">', html)
    if count != 1:
        raise RuntimeError("the QR <img> of the verification line was not found in the HTML")
    return replaced


@dataclass
class OnePage:
    engine: Series
    bare: Series
    engine_pages: int
    bare_pages: int
    engine_bytes: int
    bare_bytes: int
    diagnostics: list[Series]

    @property
    def ratio(self) -> float:
        return self.engine.median_ms / self.bare.median_ms


def bench_one_page(fx: Fixtures, runs: int, warmup: int) -> OnePage:
    import weasyprint

    from documents.documents import render_document_html, render_document_pdf, verification_url
    from documents.models import Document
    from documents.rendering import RestrictedURLFetcher

    letter = issue_document(fx)
    letter = Document.objects.select_related("doc_type").get(pk=letter.pk)
    url = verification_url(letter)
    html = bare_html()

    def engine() -> bytes:
        return render_document_pdf(letter)

    def bare() -> bytes:
        return weasyprint.HTML(string=html).write_pdf()

    def template_only() -> str:
        return render_document_html(letter, draft=False)

    def fetcher_only() -> object:
        return RestrictedURLFetcher()

    def engine_fix_a() -> bytes:
        return html_to_pdf_fixed(render_document_html(letter, draft=False))

    def engine_fix_ab() -> bytes:
        return html_to_pdf_fixed(png_qr(render_document_html(letter, draft=False), url))

    engine_pdf, bare_pdf = engine(), bare()
    result = OnePage(
        engine=Series("engine: render_document_pdf(letter)"),
        bare=Series("bare: weasyprint.HTML(string=...).write_pdf()"),
        engine_pages=page_count(engine_pdf),
        bare_pages=page_count(bare_pdf),
        engine_bytes=len(engine_pdf),
        bare_bytes=len(bare_pdf),
        diagnostics=[
            Series("engine's Django template alone (context, QR SVG, HTML string)"),
            Series("`RestrictedURLFetcher()` alone (one per render today)"),
            Series("engine with fix A (fetcher gets a prebuilt SSL context)"),
            Series("engine with fixes A + B (and the QR code as PNG, not SVG)"),
        ],
    )
    for name, fn in (
        ("engine", engine),
        ("bare", bare),
        ("fix A", engine_fix_a),
        ("fix A+B", engine_fix_ab),
    ):
        pages = page_count(fn())
        if pages != 1:
            raise RuntimeError(f"the {name} one-page letter has {pages} pages")
    cases = [
        (engine, result.engine),
        (bare, result.bare),
        *zip(
            (template_only, fetcher_only, engine_fix_a, engine_fix_ab),
            result.diagnostics,
            strict=True,
        ),
    ]
    for _ in range(warmup):
        for fn, _series in cases:
            fn()
    # Interleaved, so that drift (other load on the machine) hits every case alike.
    for _ in range(runs):
        for fn, series in cases:
            cpu, start = time.process_time(), time.perf_counter()
            fn()
            series.samples.append(time.perf_counter() - start)
            series.cpu.append(time.process_time() - cpu)
    return result


# --- 2. thirty pages ------------------------------------------------------------------------------


@dataclass
class ThirtyPages:
    pages: int
    paragraphs: int
    pdf_bytes: int
    series: Series


def bench_thirty_pages(fx: Fixtures, runs: int, target: int = 30) -> ThirtyPages:
    from documents.documents import render_document_pdf
    from documents.models import Document

    # 152 paragraphs gave 30 pages on the reference machine; the loop corrects the count when
    # fonts or WeasyPrint lay the text out differently. The calibration renders are not timed.
    paragraphs = 152
    tried: dict[int, int] = {}
    for _ in range(8):
        document = issue_document(
            fx,
            doc_type=fx.report_type,
            body=report_body(paragraphs),
            subject="Tổng kết công tác thi đua năm 2020",
        )
        document = Document.objects.select_related("doc_type").get(pk=document.pk)
        pages = page_count(render_document_pdf(document))
        tried[paragraphs] = pages
        log(f"   calibration: {paragraphs} paragraphs → {pages} pages")
        if pages == target:
            break
        step = round((target - pages) * paragraphs / pages) or (1 if pages < target else -1)
        paragraphs = max(1, paragraphs + step)
        while paragraphs in tried:
            paragraphs += 1 if pages < target else -1
    else:
        raise RuntimeError(f"could not reach {target} pages: {tried}")
    series = Series(f"engine: render_document_pdf({target}-page report)")
    for _ in range(runs):
        cpu, start = time.process_time(), time.perf_counter()
        pdf = render_document_pdf(document)
        series.samples.append(time.perf_counter() - start)
        series.cpu.append(time.process_time() - cpu)
    return ThirtyPages(
        pages=page_count(pdf), paragraphs=paragraphs, pdf_bytes=len(pdf), series=series
    )


# --- 3. a real Celery worker ----------------------------------------------------------------------


@dataclass
class WorkerRun:
    concurrency: int
    letters: int
    seconds: float  # queueing the first task → the last sha256 seen
    enqueue_seconds: float  # of which: sending the messages
    startup_seconds: float  # worker start → "ready" (not part of the throughput)
    warmup_letters: int
    cpu_seconds: float  # CPU of the worker and its pool processes during the timed window
    task_runtimes: list[float]  # "succeeded in X s" of the timed tasks, from the worker's log
    load: Load
    rss_mib: tuple[float, float]  # largest pool process, after the warm-up and at the end

    @property
    def throughput(self) -> float:
        return self.letters / self.seconds

    @property
    def ceiling(self) -> float:
        """Letters/s if each pool process had a CPU to itself: N ÷ (CPU seconds per letter)."""
        return (
            self.concurrency * self.letters / self.cpu_seconds if self.cpu_seconds else float("nan")
        )

    @property
    def task_median_ms(self) -> float:
        return ms(statistics.median(self.task_runtimes)) if self.task_runtimes else float("nan")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a process, from /proc."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by *root* and its live children (the prefork pool)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat and (int(entry.name) == root or stat[0] == root):
                total += stat[1]
    return total


def pool_rss_mib(root: int) -> float:
    """The largest resident set of *root*'s child processes (the pool), in MiB."""
    largest = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (_proc_stat(int(entry.name)) or (0,))[0] == root:
            with contextlib.suppress(OSError):
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        largest = max(largest, int(line.split()[1]) / 1024)
    return largest


_SUCCEEDED = re.compile(r"render_document\[([0-9a-f-]+)\] succeeded in ([0-9.]+)s")


class Worker:
    """`celery -A khoi_portal worker --pool=prefork --concurrency=N` on this run's own queue."""

    def __init__(self, env: Env, concurrency: int, log_dir: Path):
        self.env = env
        self.concurrency = concurrency
        self.queue = f"bench-{env.tag}"
        self.node = f"bench-{env.tag}-c{concurrency}@%h"
        self.log_path = log_dir / f"worker-c{concurrency}.log"
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> float:
        start = time.perf_counter()
        with self.log_path.open("w", encoding="utf-8") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "khoi_portal",
                    "worker",
                    "--pool=prefork",
                    f"--concurrency={self.concurrency}",
                    "-Q",
                    self.queue,
                    "-n",
                    self.node,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "info",
                ],
                cwd=ROOT,
                env=self.env.variables() | {"LOG_LEVEL": "INFO"},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: we can end it and its children
            )
        deadline = time.monotonic() + 90
        while " ready." not in self.log():
            self.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker not ready within 90 s; its log:\n{self.tail()}")
            time.sleep(0.05)
        return time.perf_counter() - start

    def log(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )

    def runtimes(self, task_ids: set[str]) -> list[float]:
        return [float(t) for tid, t in _SUCCEEDED.findall(self.log()) if tid in task_ids]

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"the worker exited with code {self.process.returncode}:\n{self.tail()}"
            )

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def stop(self) -> None:
        """Warm shutdown (SIGTERM) of the worker's process group, then SIGKILL if it lingers."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        # pool processes orphaned by a crashed main process keep its process group id
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def wait_rendered(ids: list[int], worker: Worker, timeout: float) -> None:
    from documents.models import Document

    pending = Document.objects.filter(pk__in=ids)
    deadline = time.monotonic() + timeout
    while True:
        done = pending.exclude(sha256="").count()
        if done == len(ids):
            return
        failed = pending.exclude(render_error="").values_list("render_error", flat=True).first()
        if failed:
            raise RuntimeError(f"a render failed: {failed}")
        worker.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{done}/{len(ids)} rendered after {timeout:.0f} s; worker log:\n{worker.tail()}"
            )
        time.sleep(0.02)


def bench_worker(
    env: Env,
    fx: Fixtures,
    concurrency: int,
    letters: int,
    warmup: int,
    log_dir: Path,
    task_ids: list[str],
) -> WorkerRun:
    from django.db import transaction

    from documents.tasks import render_document

    with transaction.atomic():  # one commit for all of them: quicker set-up, same rows
        warm_ids = [issue_document(fx).pk for _ in range(warmup)]
        ids = [issue_document(fx).pk for _ in range(letters)]
    worker = Worker(env, concurrency, log_dir)
    try:
        startup = worker.start()
        # Warm-up: the first task of each pool process imports WeasyPrint and loads the fonts.
        for pk in warm_ids:
            task_ids.append(render_document.apply_async((pk,), queue=worker.queue).id)
        wait_rendered(warm_ids, worker, timeout=120)

        rss_before = pool_rss_mib(worker.pid)
        timed: list[str] = []
        with measuring_load(lambda: tree_cpu_seconds(worker.pid)) as load:
            cpu_before = tree_cpu_seconds(worker.pid)
            start = time.perf_counter()
            for pk in ids:
                timed.append(render_document.apply_async((pk,), queue=worker.queue).id)
                task_ids.append(timed[-1])  # cleaned up even when the run is interrupted
            enqueued = time.perf_counter() - start
            wait_rendered(ids, worker, timeout=300)
            elapsed = time.perf_counter() - start
            cpu = tree_cpu_seconds(worker.pid) - cpu_before
        time.sleep(0.3)  # the last "succeeded" lines reach the log just after the database
        runtimes = worker.runtimes(set(timed))
        rss_after = pool_rss_mib(worker.pid)
    finally:
        worker.stop()
    return WorkerRun(
        concurrency,
        letters,
        elapsed,
        enqueued,
        startup,
        warmup,
        cpu,
        runtimes,
        load,
        (rss_before, rss_after),
    )


# --- machine facts --------------------------------------------------------------------------------


def dpkg_status(package: str) -> str:
    """`dpkg -s PACKAGE`, summed up: "installed, <version>" or "not installed"."""
    try:
        out = subprocess.run(["dpkg", "-s", package], capture_output=True, text=True, timeout=10)
    except FileNotFoundError:
        return "unknown (no dpkg)"
    fields = dict(line.split(": ", 1) for line in out.stdout.splitlines() if ": " in line)
    if out.returncode != 0 or fields.get("Status") != "install ok installed":
        return "not installed"
    return f"installed, {fields.get('Version', '?')}"


def machine_facts(env: Env) -> dict[str, str]:
    import celery
    import django
    import psycopg
    import pydyf
    import redis
    import weasyprint
    from weasyprint.text.ffi import harfbuzz_subset, pango

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with psycopg.connect(f"{env.pg_url}/postgres", connect_timeout=5) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    client = redis.Redis.from_url(env.redis_url)
    redis_version = client.info("server")["redis_version"]
    client.close()
    v = pango.pango_version()
    pango_text = f"{v // 10000}.{v // 100 % 100}.{v % 100}"
    hb_version = dpkg_status("libharfbuzz0b").removeprefix("installed, ")
    return {
        "CPU": f"{common.cpu_model()}; os.cpu_count() = {os.cpu_count()}, usable here = {affinity}",
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
        "WeasyPrint": f"{weasyprint.__version__} (pydyf {pydyf.__version__})",
        "Pango / HarfBuzz": f"{pango_text} / {hb_version}",
        "libharfbuzz-subset0 (dpkg -s)": dpkg_status("libharfbuzz-subset0"),
        "HarfBuzz subsetter loaded by WeasyPrint": "yes"
        if harfbuzz_subset
        else "no (fontTools fallback)",
        "Django / Celery / psycopg / redis-py": " / ".join(
            m.__version__ for m in (django, celery, psycopg, redis)
        ),
        "PostgreSQL / Redis servers": f"{pg_version} / {redis_version}",
        "Git commit": common.git_commit(),
    }


# --- report ---------------------------------------------------------------------------------------


def _row(num: str, what: str, series: Series, notes: str, digits: int = 1) -> str:
    f = f"{{:.{digits}f}}"
    return (
        f"| {num} | {what} | {f.format(series.median_ms)} | {f.format(series.p95_ms)} | "
        f"{f.format(series.mean_ms)} | {f.format(series.min_ms)} | "
        f"{f.format(series.cpu_median_ms)} | {notes} |"
    )


def busy_warning(loads: list[Load]) -> list[str]:
    """A warning paragraph when other processes competed for the CPUs during the run."""
    worst = max((load.others for load in loads if load.wall), default=0.0)
    if worst < BUSY_THRESHOLD:
        return []
    return [
        f"> **The machine was busy.** Other processes kept up to {worst:.2f} of the "
        f"{os.cpu_count()} CPUs busy during the measurements (column *Other load* / the lines "
        "under each table). Wall-clock times are inflated and the 2-vs-1 scaling is not "
        "meaningful; compare the *CPU* columns, which hardly depend on other load, and the "
        "CPU-bound ceiling. Re-run on an idle machine for wall-clock figures.",
        "",
    ]


BUSY_THRESHOLD = 0.3  # CPUs kept busy by other processes, on average


def write_results(
    args,
    facts,
    one: OnePage,
    one_load: Load,
    thirty: ThirtyPages,
    thirty_load: Load,
    workers: list[WorkerRun],
    total: float,
) -> str:
    by_c = {w.concurrency: w for w in workers}
    scaling = by_c[2].throughput / by_c[1].throughput if 1 in by_c and 2 in by_c else float("nan")
    cpu_scaling = (
        (by_c[1].cpu_seconds / by_c[1].letters) / (by_c[2].cpu_seconds / by_c[2].letters)
        if 1 in by_c and 2 in by_c
        else float("nan")
    )
    cmd = COMMAND + "".join(
        f" --{name.replace('_', '-')} {value}"
        for name, value in vars(args).items()
        if name != "keep_db" and value != DEFAULTS.get(name)
    )
    fix_a, fix_ab = one.diagnostics[2], one.diagnostics[3]
    lines = [
        "# Documents engine benchmark: results",
        "",
        "Written by `bench/documents.py` (what each figure means: [README.md](README.md)). "
        "Re-running the command replaces this section only.",
        "",
        f"- Command: `{cmd}`",
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Whole run: {total:.0f} s",
        "",
        *busy_warning([one_load, thirty_load, *(w.load for w in workers)]),
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in facts.items()],
        "",
        "## 1. One-page letter: engine vs bare WeasyPrint",
        "",
        f"{args.runs} timed runs of every row after {args.warmup} warm-up runs, interleaved, "
        "in one process. "
        "Milliseconds; *CPU* is this process's CPU time (median), which other load on the machine "
        "inflates much less than the wall clock.",
        "",
        "| # | Measurement | Median | p95 | Mean | Min | CPU | Notes |",
        "|---|---|---:|---:|---:|---:|---:|---|",
        _row(
            "1a",
            "**Engine**: `render_document_pdf(document)`, issued one-page Công văn",
            one.engine,
            f"{one.engine_pages} page, {one.engine_bytes / 1024:.0f} KiB, verification QR code",
        ),
        _row(
            "1b",
            "**Bare**: `weasyprint.HTML(string=...).write_pdf()`, similar HTML",
            one.bare,
            f"{one.bare_pages} page, {one.bare_bytes / 1024:.0f} KiB, system serif font",
        ),
        f"| 1c | **Ratio engine / bare** | **{one.ratio:.2f}×** | "
        f"{one.engine.p95_ms / one.bare.p95_ms:.2f}× | "
        f"{one.engine.mean_ms / one.bare.mean_ms:.2f}× | "
        f"| {one.engine.cpu_median_ms / one.bare.cpu_median_ms:.2f}× | |",
        _row("1d", f"diagnostic: {one.diagnostics[0].label}", one.diagnostics[0], "part of 1a"),
        _row(
            "1e",
            f"diagnostic: {one.diagnostics[1].label}",
            one.diagnostics[1],
            "part of 1a: `ssl.create_default_context()`",
        ),
        _row(
            "1f",
            f"diagnostic: {fix_a.label}",
            fix_a,
            f"{100 * (1 - fix_a.median_ms / one.engine.median_ms):.0f}% less than 1a",
        ),
        _row(
            "1g",
            f"diagnostic: {fix_ab.label}",
            fix_ab,
            f"{100 * (1 - fix_ab.median_ms / one.engine.median_ms):.0f}% less than 1a; "
            f"{fix_ab.median_ms / one.bare.median_ms:.2f}× bare",
        ),
        "",
        f"Other processes kept {one_load.others:.2f} CPUs busy on average during section 1 "
        f"(1-minute load average {one_load.loadavg:.2f} at its start).",
        "",
        f"## 2. {thirty.pages}-page document through the engine",
        "",
        "| # | Measurement | Median | p95 | Mean | Min | CPU | Notes |",
        "|---|---|---:|---:|---:|---:|---:|---|",
        _row(
            "2",
            f"`render_document_pdf(document)`, {thirty.pages}-page Báo cáo",
            thirty.series,
            f"{len(thirty.series.samples)} runs; pypdf counts **{thirty.pages} pages** "
            f"({thirty.paragraphs} paragraphs, {thirty.pdf_bytes / 1024:.0f} KiB); "
            f"{thirty.series.median_ms / thirty.pages:.0f} ms a page",
            digits=0,
        ),
        "",
        f"Other processes kept {thirty_load.others:.2f} CPUs busy on average during section 2 "
        f"(load average {thirty_load.loadavg:.2f} at its start).",
        "",
        f"## 3. {args.letters} letters through a real Celery worker",
        "",
        f"{args.letters} issued letters (`document_issue(..., render=False)`) in the bench "
        f"PostgreSQL database, then {args.letters} `documents.tasks.render_document` tasks "
        "queued on Redis; wall clock from the first `apply_async` to the last `sha256` seen "
        "in the database (polled every 20 ms).",
        "",
        "| # | Worker | Wall clock (s) | **Letters / s** | Task runtime, median (ms) | "
        "Worker CPU / letter (ms) | CPU-bound ceiling (letters / s) | Other load (CPUs) | "
        "Queueing (s) | Worker start (s) | Pool RSS (MiB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *[
            f"| 3{'abcdefgh'[i]} | `celery -A khoi_portal worker --pool=prefork "
            f"--concurrency={w.concurrency}` | "
            f"{w.seconds:.2f} | **{w.throughput:.2f}** | {w.task_median_ms:.0f} | "
            f"{ms(w.cpu_seconds) / w.letters:.0f} | {w.ceiling:.2f} | {w.load.others:.2f} | "
            f"{w.enqueue_seconds:.2f} | "
            f"{w.startup_seconds:.1f} | {w.rss_mib[0]:.0f} → {w.rss_mib[1]:.0f} |"
            for i, w in enumerate(workers)
        ],
        f"| 3{'abcdefgh'[len(workers)]} | **Scaling, 2 processes vs 1** | | **{scaling:.2f}×** | | "
        f"{cpu_scaling:.2f}× (CPU/letter, 1 ÷ 2) | | | | | |",
        "",
        f"Each worker first rendered {args.worker_warmup} untimed warm-up letters per pool "
        "process. "
        f"The machine has {os.cpu_count()} CPUs: two pool processes, the bench's own polling, "
        "PostgreSQL, Redis and any other load share them.",
        "",
    ]
    text = "\n".join(lines)
    # Only this benchmark's section: the HTTP benchmarks keep theirs in the same file.
    from bench.common import write_section

    write_section("documents", text)
    return text


DEFAULTS = {
    "runs": 30,
    "warmup": 5,
    "thirty_runs": 3,
    "letters": 100,
    "worker_warmup": 2,
    "concurrency": "1,2",
    "db_name": "khoi_bench",
    "pg_url": "postgres://postgres@127.0.0.1:5432",
    "redis_url": "redis://127.0.0.1:6379/13",
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=DEFAULTS["runs"], help="timed one-page runs of each case"
    )
    parser.add_argument(
        "--warmup", type=int, default=DEFAULTS["warmup"], help="untimed one-page runs first"
    )
    parser.add_argument(
        "--thirty-runs", type=int, default=DEFAULTS["thirty_runs"], help="timed 30-page renders"
    )
    parser.add_argument(
        "--letters", type=int, default=DEFAULTS["letters"], help="letters through each worker"
    )
    parser.add_argument(
        "--worker-warmup",
        type=int,
        default=DEFAULTS["worker_warmup"],
        help="untimed letters per pool process before the timed ones",
    )
    parser.add_argument(
        "--concurrency",
        default=DEFAULTS["concurrency"],
        help="worker process counts, comma-separated",
    )
    parser.add_argument(
        "--db-name",
        default=DEFAULTS["db_name"],
        help="PostgreSQL database, dropped and recreated (its name must contain 'bench')",
    )
    parser.add_argument(
        "--pg-url", default=DEFAULTS["pg_url"], help="PostgreSQL server URL, without a database"
    )
    parser.add_argument(
        "--redis-url", default=DEFAULTS["redis_url"], help="Redis broker URL (a dedicated db)"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="leave the database in place at the end"
    )
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*bench[a-z0-9_]*", args.db_name):
        parser.error("--db-name must be a lower-case identifier containing 'bench' (it is dropped)")
    concurrencies = [int(x) for x in args.concurrency.split(",") if x.strip()]
    if args.runs < 1 or args.thirty_runs < 1 or args.letters < 1 or not concurrencies:
        parser.error("--runs, --thirty-runs, --letters and --concurrency must be positive")

    began = time.perf_counter()
    media_root = Path(tempfile.mkdtemp(prefix="khoi-bench-media-"))
    log_dir = Path(tempfile.mkdtemp(prefix="khoi-bench-logs-"))
    env = Env(
        args.db_name, args.pg_url.rstrip("/"), args.redis_url, media_root, uuid.uuid4().hex[:10]
    )
    check_services(env)

    # SIGTERM (a CI timeout, kill) and SIGHUP must still stop the workers and drop the database.
    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    task_ids: list[str] = []
    workers: list[WorkerRun] = []
    keep_logs = False
    try:
        log(f"database {env.database_url}: creating and migrating; MEDIA_ROOT {media_root}")
        create_database(env)
        os.environ.clear()
        os.environ.update(env.variables())
        run([sys.executable, "manage.py", "migrate", "--noinput"], env=env.variables())

        import django

        django.setup()
        fx = make_fixtures()
        facts = machine_facts(env)

        log(
            f"1. one-page letter, engine vs bare WeasyPrint: "
            f"{args.warmup} warm-up + {args.runs} runs each"
        )
        with measuring_load() as one_load:
            one = bench_one_page(fx, args.runs, args.warmup)
        log(
            f"   engine median {one.engine.median_ms:.1f} ms (p95 {one.engine.p95_ms:.1f}), "
            f"bare median {one.bare.median_ms:.1f} ms (p95 {one.bare.p95_ms:.1f}): "
            f"ratio {one.ratio:.2f}×"
        )
        for series in one.diagnostics:
            log(f"   {series.label}: median {series.median_ms:.1f} ms")

        log(f"2. 30-page document through the engine: {args.thirty_runs} runs")
        with measuring_load() as thirty_load:
            thirty = bench_thirty_pages(fx, args.thirty_runs)
        log(
            f"   pypdf page count: {thirty.pages}; median {thirty.series.median_ms:.0f} ms "
            f"({thirty.series.median_ms / thirty.pages:.0f} ms a page)"
        )

        for c in concurrencies:
            log(
                f"3. {args.letters} letters through a real worker, --pool=prefork --concurrency={c}"
            )
            w = bench_worker(env, fx, c, args.letters, args.worker_warmup * c, log_dir, task_ids)
            workers.append(w)
            log(
                f"   {w.seconds:.2f} s → {w.throughput:.2f} letters/s; "
                f"task median {w.task_median_ms:.0f} ms; "
                f"worker CPU {ms(w.cpu_seconds) / w.letters:.0f} ms/letter; "
                f"other load {w.load.others:.2f} CPUs"
            )
        if len(workers) >= 2:
            log(
                f"   scaling {workers[1].concurrency} vs {workers[0].concurrency}: "
                f"{workers[1].throughput / workers[0].throughput:.2f}×"
            )

        total = time.perf_counter() - began
        write_results(args, facts, one, one_load, thirty, thirty_load, workers, total)
        log(f"wrote {RESULTS.relative_to(ROOT)} ({total:.0f} s in all)")
        return 0
    except BaseException:
        keep_logs = any(log_dir.glob("*.log"))
        if keep_logs:
            print(f"worker logs kept in {log_dir}", file=sys.stderr)
        raise
    finally:
        if "django" in sys.modules and "django.db" in sys.modules:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
        with contextlib.suppress(Exception):
            clean_redis(env, task_ids)
        if not args.keep_db:
            try:
                drop_database(env)
            except Exception as exc:  # report it, and let the real error (if any) surface
                print(f"could not drop database {env.db_name}: {exc}", file=sys.stderr)
        shutil.rmtree(media_root, ignore_errors=True)
        if not keep_logs:
            shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
