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

.PHONY: help setup run test lint bench messages

help:
	@echo "make run     set up, migrate, load the demo data, serve on http://127.0.0.1:$(PORT)/"
	@echo "make test    set up, run pytest (extra arguments: PYTEST_ARGS='-k name -x')"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make bench   the document-engine and summary-table benchmarks (PostgreSQL, Redis; writes bench/RESULTS.md)"
	@echo "make messages  update locale/en/LC_MESSAGES/django.po from the code, compile django.mo (GNU gettext)"
	@echo "make setup   only the set-up: Python, uv, Debian packages, uv sync --frozen, npm ci"

# Idempotent, no stamp files: every step checks the real state and does nothing when it is fine.
# npm ci runs when node_modules is missing or older than package-lock.json (npm writes
# node_modules/.package-lock.json on every install); --ignore-scripts because vnu-jar's
# postinstall would download a Java runtime, and the system's Java is used instead.
setup:
	@python=$$(scripts/find-python.sh); \
	uv=$$(scripts/ensure-uv.sh "$$python"); \
	scripts/ensure-system-packages.sh; \
	export UV_PROJECT_ENVIRONMENT="$(VENV)"; \
	if [ -z "$${UV_PYTHON:-}" ] && "$(PY)" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then \
	    "$$uv" sync --frozen --quiet; \
	else \
	    "$$uv" sync --frozen --quiet --python "$$python"; \
	fi; \
	if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then \
	    :; \
	elif command -v npm >/dev/null 2>&1; then \
	    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else \
	    echo "setup: npm not found: no axe-core/vnu-jar, so the accessibility tests will be skipped" >&2; \
	fi

# The demo relaxes two-factor authentication for its accounts (OTP_REQUIRED=0, allowed only while
# DEBUG is on; README.md "Đăng nhập hai bước"). An OTP_REQUIRED given by the caller wins.
DEMO_OTP_REQUIRED := $(if $(filter 0 false False FALSE no off,$(DEBUG)),1,0)

run: setup
	"$(PY)" manage.py migrate --noinput
	OTP_REQUIRED="$${OTP_REQUIRED:-$(DEMO_OTP_REQUIRED)}" "$(PY)" manage.py load_demo
	OTP_REQUIRED="$${OTP_REQUIRED:-$(DEMO_OTP_REQUIRED)}" "$(PY)" manage.py runserver 127.0.0.1:$(PORT)

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
	"$(PY)" bench/summary_table.py

# The English catalogue: new Vietnamese msgids arrive untranslated (tests/test_i18n.py fails until
# they are translated); the compiled django.mo is committed, so running the portal needs no gettext.
messages: setup
	"$(PY)" manage.py makemessages -l en --add-location=file -i node_modules -i staticfiles -i media -i var -i bench
	"$(PY)" manage.py compilemessages -l en -i .venv -i .uv-bootstrap -i node_modules
