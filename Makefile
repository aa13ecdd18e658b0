# Khối Portal: `make run` serves the demo, `make test` runs the suite. Both bootstrap
# everything they need (Python >= 3.12, uv, Debian libraries, the locked .venv) and are
# fast when it is all there already. Database and broker come from the environment as
# given: without DATABASE_URL the portal uses SQLite, without CELERY_BROKER_URL Celery
# runs tasks in-process.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
PYTEST_ARGS ?=
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python

.PHONY: help setup run test lint bench

help:
	@echo "make run     set up, migrate, load the demo data, serve on http://127.0.0.1:$(PORT)/"
	@echo "make test    set up, run pytest (extra arguments: PYTEST_ARGS='-k name -x')"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make bench   the document-engine benchmark (needs PostgreSQL and Redis; writes bench/RESULTS.md)"
	@echo "make setup   only the set-up: Python, uv, Debian packages, uv sync --frozen"

# Idempotent, no stamp files: every step checks the real state and does nothing when it is fine.
setup:
	@python=$$(scripts/find-python.sh); \
	uv=$$(scripts/ensure-uv.sh "$$python"); \
	scripts/ensure-system-packages.sh; \
	export UV_PROJECT_ENVIRONMENT="$(VENV)"; \
	if [ -z "$${UV_PYTHON:-}" ] && "$(PY)" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then \
	    "$$uv" sync --frozen --quiet; \
	else \
	    "$$uv" sync --frozen --quiet --python "$$python"; \
	fi

run: setup
	"$(PY)" manage.py migrate --noinput
	"$(PY)" manage.py load_demo
	"$(PY)" manage.py runserver 127.0.0.1:$(PORT)

# make itself exits 2 whenever a recipe fails, so pytest's own exit code is printed on its own
# line (5 = no tests collected; .ci/run treats that as a failure).
test: setup
	@echo '+ $(PY) -m pytest $(PYTEST_ARGS)'
	@"$(PY)" -m pytest $(PYTEST_ARGS) || { rc=$$?; echo "make test: pytest exited with code $$rc" >&2; exit $$rc; }

lint: setup
	"$(VENV)/bin/ruff" check .
	"$(VENV)/bin/ruff" format --check .

bench: setup
	"$(PY)" bench/documents.py
