"""Infrastructure contract: the compose file, a real Celery worker on Redis, strict settings.

These tests run the project the way production does (subprocesses with their own environment)
rather than through the test settings, so that what they check is what a deployment gets.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.celery_support import require_redis, start_worker

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPOSE_FILE = ROOT / "docker-compose.yml"

# Every variable khoi_portal/settings.py reads (env_str/env_bool/env_int/env_list/env_choice):
# removed from subprocess environments so that the developer's or CI's own values cannot change
# what a test checks.
SETTINGS_VARIABLES = frozenset(
    re.findall(
        r"""\benv_(?:str|bool|int|list|choice)\(\s*["']([A-Z0-9_]+)["']""",
        (ROOT / "khoi_portal" / "settings.py").read_text(encoding="utf-8"),
    )
)


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


@pytest.mark.redis
def test_a_real_worker_runs_the_ping_task(tmp_path, monkeypatch):
    import redis
    from celery import Celery

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    require_redis(url)

    queue = f"khoi-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    env = clean_env(CELERY_BROKER_URL=url, CELERY_RESULT_BACKEND=url)
    worker = start_worker(queue=queue, name=queue, env=env, log_path=log_path)
    # Celery lets these variables override the broker and backend given below (CI's PostgreSQL
    # pass sets CELERY_BROKER_URL): without them, the client talks to the worker's Redis.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    app = Celery("khoi-infra-test", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )
    try:
        result = app.send_task("khoi_portal.ping", args=["xin chào"], queue=queue)
        deadline = time.monotonic() + 60
        while not result.ready():
            # Fail at once when the worker died (bad import, settings error), not in 60 s.
            code = worker.poll()
            if code is not None or time.monotonic() > deadline:
                state = "still running" if code is None else f"exited with code {code}"
                pytest.fail(
                    f"no answer from the worker within 60 s; the worker {state}; "
                    f"its log:\n{log_path.read_text(encoding='utf-8')}"
                )
            time.sleep(0.2)
        value = result.get(timeout=10)
        assert value == "xin chào"
        result.forget()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        app.backend.result_consumer.stop()
        app.close()
        client = redis.Redis.from_url(url)
        stale = [queue, *client.scan_iter(match=f"_kombu.*{queue}*")]
        client.delete(*stale)
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


def test_readme_documents_every_settings_variable():
    assert len(SETTINGS_VARIABLES) > 10, "the env_*() calls in settings.py were not found"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(name for name in SETTINGS_VARIABLES if f"`{name}`" not in readme)
    assert not missing, f"README.md's environment table lacks {missing}"


def test_every_dependency_says_why_it_is_there():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [
        *project["project"]["dependencies"],
        *(r for group in project["dependency-groups"].values() for r in group),
    ]
    names = {re.match(r"[A-Za-z0-9_.-]+", requirement).group(0) for requirement in requirements}
    explained = (ROOT / "docs" / "DEPENDENCIES.md").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"**{name}**" not in explained)
    assert not missing, f"docs/DEPENDENCIES.md does not say why these are needed: {missing}"


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
            {
                "DEBUG": "0",
                "SECRET_KEY": "dev-only-insecure-key-khoi-portal-do-not-use-in-"
                "production-0123456789",
            },
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
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=clean_env(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(60),
            ALLOWED_HOSTS="portal.example.gov.vn",
            EMAIL_HOST="smtp.example.gov.vn",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_static_files_collect_for_production(tmp_path):
    """What the Dockerfile runs at build time: hashed, compressed static files with DEBUG off.

    The manifest storage follows every url() and sourceMappingURL reference, so a vendored file
    pointing at a file that is not shipped breaks the image build; this finds it first.
    """
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=clean_env(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(60),
            STATIC_ROOT=str(tmp_path / "static"),
        ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
