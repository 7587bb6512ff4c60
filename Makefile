# coprod: two commands from a fresh clone.
#
#   make run    set up .venv, migrate the embedded SQLite database, load the
#               demo data and serve http://127.0.0.1:8000/
#   make test   lint, check migrations, scan the code (bandit), run the whole
#               test suite, and audit the dependencies (pip-audit)
#
# Needs only Python 3.11+ and GNU make. Dependencies come from pyproject.toml
# and are installed once; they are installed again only when pyproject.toml
# changes (the stamp file name carries a hash of its contents).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_FLAGS ?= --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000

# Hash of pyproject.toml: editing the dependencies makes the next run reinstall.
DEPS_HASH := $(shell $(PYTHON) -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest()[:16])' 2>/dev/null)
STAMP := $(VENV)/.coprod-deps-$(DEPS_HASH)

# `make run` always uses the embedded defaults: SQLite in the project folder
# and Celery tasks run eagerly in-process, whatever the shell has exported.
LOCAL_ENV := env -u DATABASE_URL -u REDIS_URL DEBUG=true
# `make test` keeps DATABASE_URL / REDIS_URL when set (CI sets PostgreSQL and
# Redis), SQLite and eager Celery otherwise. DEBUG=true lets settings use the
# development secret key and plain static files storage; Django's test runner
# still runs the code with DEBUG off.
TEST_ENV := env DEBUG=true

# bandit scans the project's own code; tests (asserts, subprocesses by design)
# and benchmarks are left out. It fails on medium and high severity: the
# low-severity checks are ruff's `S` rules too, which `make lint` enforces
# with a reason on each `noqa`. A justified finding carries `# nosec <id>`
# followed by the reason.
BANDIT := $(BIN)/bandit --quiet --recursive . --severity-level medium \
	--exclude './.venv,./tests,./bench,./staticfiles,./test-artifacts,./coprod.egg-info'

.PHONY: help run test venv lint format migrate seed check clean security bandit audit screenshots

help:
	@echo "make run     set up, migrate, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test    ruff, migration check and the whole pytest suite"
	@echo "make lint    ruff check and format check only"
	@echo "make security  bandit (code) and pip-audit (dependencies); both run in make test"
	@echo "make screenshots  regenerate docs/screenshots/ from the demo data (needs Chromium)"
	@echo "make format  apply ruff fixes and formatting"
	@echo "make migrate / make seed   migrate / load demo data into the local SQLite database"
	@echo "make clean   remove .venv, caches, the local database and test artifacts"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or newer." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "coprod needs Python 3.11 or newer (found " + sys.version.split()[0] + ").")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing dependencies from pyproject.toml into $(VENV) (once)..."
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[dev]'
	@rm -f $(VENV)/.coprod-deps-*
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	$(LOCAL_ENV) $(BIN)/python manage.py migrate --no-input
	$(LOCAL_ENV) $(BIN)/python manage.py seed_demo
	@echo
	@echo "coprod is starting on http://$(HOST):$(PORT)/  (log in at http://$(HOST):$(PORT)/accounts/login/; Ctrl+C stops it)"
	$(LOCAL_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BANDIT)
	$(TEST_ENV) $(BIN)/pytest
	$(BIN)/python tools/audit_dependencies.py

security: bandit audit

# Screenshots of the main pages for the README: a fresh demo database in a
# temporary folder, served by gunicorn with production settings.
screenshots: $(STAMP)
	$(LOCAL_ENV) $(BIN)/python tools/screenshots.py

bandit: $(STAMP)
	$(BANDIT)

# Needs the vulnerability service online. A known vulnerability always fails;
# when the service cannot be reached it prints "NOT RUN", and fails only with
# AUDIT_REQUIRED=true (see tools/audit_dependencies.py).
audit: $(STAMP)
	$(BIN)/python tools/audit_dependencies.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(STAMP)
	$(LOCAL_ENV) $(BIN)/python manage.py migrate --no-input

seed: migrate
	$(LOCAL_ENV) $(BIN)/python manage.py seed_demo

check: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles test-artifacts db.sqlite3 coprod.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
