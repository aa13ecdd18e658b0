"""What the tests that run real Celery workers share: Redis required in CI, one worker started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import services_required

ROOT = Path(__file__).resolve().parent.parent


def require_redis(url: str) -> None:
    """Skip when Redis is not reachable at *url*; in CI (KHOI_REQUIRE_SERVICES) fail instead."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        message = f"Redis is not reachable at {url}: {exc}"
        if services_required():
            pytest.fail(message + " (CI / KHOI_REQUIRE_SERVICES: Redis is required)")
        pytest.skip(message)


def start_worker(*, queue: str, name: str, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """`celery -A khoi_portal worker` (solo pool) consuming only *queue*, its output in *log_path*."""
    with log_path.open("w", encoding="utf-8") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "khoi_portal",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "-Q",
                queue,
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
