"""What the HTTP benchmarks share: a throw-away PostgreSQL database, production-like settings,
gunicorn on loopback, concurrent clients with http.client, and one section of RESULTS.md each.

Imported as ``bench.common`` by bench/summary_table.py and bench/national.py (which put the
project root, not bench/, on sys.path: bench/documents.py would shadow the documents app).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import math
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"

# Every variable khoi_portal/settings.py reads: dropped from the environment first, so that a
# developer's own DATABASE_URL can never point a bench at real data.
SETTINGS_VARIABLES = frozenset(
    re.findall(
        r"""\benv_(?:str|bool|int|list|choice)\(\s*["']([A-Z0-9_]+)["']""",
        (ROOT / "khoi_portal" / "settings.py").read_text(encoding="utf-8"),
    )
)

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {message}", flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def system_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all CPUs), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (and its waited-for children), from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """VmRSS of a process in MiB (0 when it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


# --- environment ------------------------------------------------------------------------------


@dataclass
class Env:
    db_name: str
    pg_url: str  # the server, without a database
    static_root: Path
    media_root: Path
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(60))
    cache_url: str = ""  # CACHE_URL: empty, each worker's own memory; a Redis URL, shared

    @property
    def database_url(self) -> str:
        return f"{self.pg_url}/{self.db_name}"

    def variables(self) -> dict[str, str]:
        """Production-like settings (DEBUG off, hashed static files) on plain-HTTP loopback."""
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
        env.pop("CELERY_BROKER_URL", None)  # tasks run in-process; no page measured queues one
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            PYTHONPATH=str(ROOT),
            DATABASE_URL=self.database_url,
            STATIC_ROOT=str(self.static_root),
            MEDIA_ROOT=str(self.media_root),
            DEBUG="0",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
            LOG_LEVEL="WARNING",
        )
        if self.cache_url:
            env["CACHE_URL"] = self.cache_url
        return env


def check_db_name(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z_][a-z0-9_]*bench[a-z0-9_]*", name))


def _admin(env: Env, statement) -> None:
    import psycopg

    with psycopg.connect(f"{env.pg_url}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


def flush_cache(env: Env) -> None:
    """Empty the Redis database the page cache uses, so a run starts cold."""
    if env.cache_url:
        import redis

        redis.Redis.from_url(env.cache_url).flushdb()


def create_database(env: Env) -> None:
    from psycopg import sql

    ident = sql.Identifier(env.db_name)
    _admin(env, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
    _admin(env, sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(ident))


def drop_database(env: Env) -> None:
    from psycopg import sql

    _admin(
        env,
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(env.db_name)),
    )


def run(cmd: list[str], env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def prepare(env: Env, *, fresh: bool = True) -> None:
    """Create (when *fresh*) and migrate the database, collect static files, set up Django here."""
    if fresh:
        create_database(env)
    variables = env.variables()
    run([sys.executable, "manage.py", "migrate", "--noinput"], env=variables)
    run([sys.executable, "manage.py", "collectstatic", "--noinput"], env=variables)
    os.environ.clear()
    os.environ.update(variables)
    import django

    django.setup()


def session_cookie(user) -> str:
    """A signed-in session for *user*, stored as the login views store one after both steps
    (password, then the authenticator code): its cookie. The user gets a confirmed TOTP
    device, so the second-factor middleware checks it on every request as in production."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    with contextlib.suppress(ImportError):  # two-factor authentication (django-otp)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


CSRF_SECRET = "benchcsrf" + "0" * 23  # 32 characters: a valid unmasked CSRF secret


def csrf_cookie() -> str:
    from django.conf import settings

    return f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"


# --- gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn with the project's WSGI app on a loopback port, in its own process group."""

    def __init__(self, env: Env, *, workers: int, log_path: Path):
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self.env = env
        self.proc: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        return [
            str(Path(sys.executable).with_name("gunicorn")),
            "khoi_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--backlog",
            "256",
            "--timeout",
            "120",
        ]

    def __enter__(self) -> Gunicorn:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env.variables(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            with contextlib.suppress(OSError):
                status, _body = request("127.0.0.1", self.port, "GET", "/suc-khoe/", {})
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid) if self.proc else []

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


# --- clients ----------------------------------------------------------------------------------


def request(
    host: str, port: int, method: str, path: str, headers: dict, body: bytes | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Target:
    """One page or action: *call(client_index, i)* does the requests of one iteration and
    returns the HTTP status that counts, or (status, seconds) when only one of its requests
    is to be timed (a ballot's POST, not the GET that fetched its secret). *requests_per_call*
    HTTP requests are served per iteration: throughput and server CPU count every one of them."""

    key: str
    label: str
    call: Callable[[int, int], int]
    expect: tuple[int, ...] = (200,)
    requests_per_call: int = 1
    reference: bool = False  # measured for comparison, not a target


@dataclass
class Measured:
    target: Target
    latencies: list[float] = field(default_factory=list)  # seconds
    wall: float = 0.0
    errors: list[str] = field(default_factory=list)
    other_cpus: float = 0.0  # CPUs kept busy by other processes during the run
    server_cpu: float = 0.0  # gunicorn CPU seconds per request

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def served(self) -> int:
        """HTTP requests served: some iterations make more than one (see Target)."""
        return self.requests * self.target.requests_per_call

    @property
    def rps(self) -> float:
        return self.served / self.wall if self.wall else float("nan")

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000


def merged(parts: list[Measured]) -> Measured:
    """Several runs of one target as one: their latencies and errors together, their walls
    added, server CPU per request and other load weighted by requests and by time."""
    result = Measured(parts[0].target)
    for part in parts:
        result.latencies += part.latencies
        result.errors += part.errors
        result.wall += part.wall
    served = sum(p.served for p in parts)
    if served:
        result.server_cpu = sum(p.server_cpu * p.served for p in parts if p.served) / served
    if result.wall:
        result.other_cpus = sum(p.other_cpus * p.wall for p in parts) / result.wall
    return result


def measure(
    target: Target,
    *,
    clients: int,
    seconds: float,
    server_pids: Callable[[], list[int]] = list,
    own_extra: Callable[[], float] | None = None,
) -> Measured:
    """*clients* threads call *target* back to back for *seconds*; every latency is kept."""
    result = Measured(target)
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    pids = server_pids()
    cpu0 = sum(process_cpu_seconds(p) for p in pids)
    busy0, own0 = system_busy_seconds(), time.process_time()

    def worker(index: int) -> None:
        i = 0
        while time.perf_counter() < stop:
            began = time.perf_counter()
            timed = None
            try:
                status = target.call(index, i)
            except Exception as exc:  # a refused or broken connection is a failed request
                status, detail = -1, f"{type(exc).__name__}: {exc}"
            else:
                if isinstance(status, tuple):  # (status, seconds of the request that counts)
                    status, timed = status
                detail = f"HTTP {status}"
            elapsed = time.perf_counter() - began if timed is None else timed
            with lock:
                if status in target.expect:
                    result.latencies.append(elapsed)
                elif len(result.errors) < 20:
                    result.errors.append(detail)
                else:
                    result.errors.append("")
            i += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - began
    server = sum(process_cpu_seconds(p) for p in pids) - cpu0
    own = time.process_time() - own0
    busy = system_busy_seconds() - busy0
    result.server_cpu = server / result.served if result.requests else float("nan")
    result.other_cpus = max(0.0, busy - own - server) / result.wall
    return result


# --- reporting ----------------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), or "unknown"."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def git_commit() -> str:
    """The checkout's short commit, marked when tracked files have uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + (" (with uncommitted changes)" if dirty else "")


def machine_facts(extra: dict[str, str] | None = None) -> dict[str, str]:
    import django
    import gunicorn
    import psycopg

    pg_version = "unknown"
    with contextlib.suppress(Exception):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
    facts = {
        "CPU": f"{cpu_model()}; os.cpu_count() = {os.cpu_count()}, "
        f"usable here = {len(os.sched_getaffinity(0))}",
        "Memory": _mem_total(),
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
        "Django / gunicorn / psycopg": f"{django.__version__} / {gunicorn.__version__} / "
        f"{psycopg.__version__}",
        "PostgreSQL server": pg_version,
        "Git commit": git_commit(),
    }
    facts.update(extra or {})
    return facts


def _mem_total() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_section(name: str, text: str) -> None:
    """Replace this benchmark's own section of RESULTS.md (between its two markers), keeping
    every other benchmark's section; a file without markers is the documents section."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    block = f"{start}\n{text.rstrip()}\n{end}\n"
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if current and "<!-- bench:" not in current:
        current = (
            f"<!-- bench:documents:start -->\n{current.rstrip()}\n<!-- bench:documents:end -->\n"
        )
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(current):
        current = pattern.sub(lambda _m: block, current)
    else:
        current = (current.rstrip() + "\n\n" if current else "") + block
    RESULTS.write_text(current, encoding="utf-8")
