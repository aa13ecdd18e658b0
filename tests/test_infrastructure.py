"""Infrastructure contract: the compose file, a real Celery worker on Redis, strict settings.

These tests run the project the way production does (subprocesses with their own environment)
rather than through the test settings, so that what they check is what a deployment gets.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPOSE_FILE = ROOT / "docker-compose.yml"

# Every variable khoi_portal/settings.py reads: removed from subprocess environments so that
# the developer's or CI's own values cannot change what a test checks.
SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL",
    "TEMPLATE_STRING_IF_INVALID", "DATABASE_URL", "TIME_ZONE", "STATIC_ROOT", "MEDIA_ROOT",
    "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
    "BEHIND_TLS_PROXY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_AGE", "LOG_LEVEL",
}


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "khoi_portal.settings"
    env["PYTHONPATH"] = str(ROOT)
    env.update(overrides)
    return env


def services_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("KHOI_REQUIRE_SERVICES"))


# --- docker-compose.yml ----------------------------------------------------------------------


def test_compose_file_matches_the_compose_specification():
    checker = BIN / "check-jsonschema"
    assert checker.exists(), f"check-jsonschema is not installed next to {sys.executable}"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_has_every_service_with_a_health_check():
    from ruamel.yaml import YAML  # check-jsonschema's own YAML parser

    compose = YAML(typ="safe").load(COMPOSE_FILE.read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    web = services["web"]
    assert "/suc-khoe/" in " ".join(web["healthcheck"]["test"])
    for name in ("web", "worker"):
        conditions = {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}
        assert conditions["db"] == "service_healthy"
        assert conditions["redis"] == "service_healthy"
    env = web["environment"]
    assert env["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY}"
    assert env["DEBUG"] == "0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://")


# --- a real Celery worker on Redis -----------------------------------------------------------


def _redis_or_skip(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        message = f"Redis is not reachable at {url}: {exc}"
        if services_required():
            pytest.fail(message + " (CI / KHOI_REQUIRE_SERVICES: Redis is required)")
        pytest.skip(message)


@pytest.mark.redis
def test_a_real_worker_runs_the_ping_task(tmp_path):
    import redis
    from celery import Celery

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    _redis_or_skip(url)

    queue = f"khoi-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    env = clean_env(CELERY_BROKER_URL=url, CELERY_RESULT_BACKEND=url)
    with log_path.open("w", encoding="utf-8") as log:
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "khoi_portal", "worker",
                "--pool=solo", "-l", "info", "-Q", queue, "-n", f"{queue}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    app = Celery("khoi-infra-test", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )
    try:
        started = time.monotonic()
        result = app.send_task("khoi_portal.ping", args=["xin chào"], queue=queue)
        try:
            value = result.get(timeout=60)
        except Exception as exc:
            state = "exited with %s" % worker.poll() if worker.poll() is not None else "running"
            pytest.fail(
                f"no answer from the worker ({type(exc).__name__}: {exc}); worker {state}; "
                f"its log:\n{log_path.read_text(encoding='utf-8')}"
            )
        assert value == "xin chào"
        assert time.monotonic() - started < 60
        result.forget()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        app.close()
        client = redis.Redis.from_url(url)
        client.delete(queue, f"_kombu.binding.{queue}")
        client.close()


# --- settings: strict parsing, production check --------------------------------------------


def run_django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_load_with_development_defaults():
    result = run_django("from django.conf import settings; print(settings.DEBUG)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean", id="bad-boolean"),
        pytest.param({"DEBUG": "0"}, "SECRET_KEY must be set", id="no-secret-key"),
        pytest.param(
            {"DEBUG": "0", "SECRET_KEY": "dev-only-insecure-key-khoi-portal-do-not-use-in-"
             "production-0123456789"},
            "SECRET_KEY must be set",
            id="development-key-in-production",
        ),
        pytest.param({"EMAIL_PORT": "twenty-five"}, "is not an integer", id="bad-integer"),
        pytest.param({"SESSION_COOKIE_AGE": "60"}, "must be at least 300", id="below-minimum"),
        pytest.param({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD' must be one of", id="bad-choice"),
    ],
)
def test_settings_refuse_values_they_cannot_read(env, message):
    result = run_django("", **env)
    assert result.returncode != 0, f"settings accepted {env}"
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr, result.stderr
    assert message in result.stderr, result.stderr


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [
            sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        ],
        cwd=ROOT,
        env=clean_env(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(60),
            ALLOWED_HOSTS="portal.example.gov.vn",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
