# Fairpact. The two commands: `make run` (the demo on 127.0.0.1:5000) and `make test` (the whole suite).
# Every target prepares what it needs on a fresh Debian 12 machine, and skips work that is already done.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Holds the sha256 of the pyproject.toml the venv was installed from: reinstall only when it changes.
DEPS_STAMP := $(VENV)/.fairpact-pyproject.sha256

HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
BENCH_ARGS ?=
# bench uses its own PostgreSQL roles/schemas and Redis databases (10-13 on this server), never the tests' ones.
# BENCH_ARGS: e.g. --quick (small sizes, a few minutes) or --only api_load,growth (python -m bench --help).
BENCH_DATABASE_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/test
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/10
export BENCH_DATABASE_ADMIN_URL BENCH_REDIS_URL

# Debian packages: WeasyPrint's libraries (contract PDFs) and Debian's chromium (browser tests;
# Playwright drives it, `playwright install` is never used).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core
BROWSER_PACKAGES := chromium
# wrk: the load generator of the API benchmark (a C program in its own process; honest latency figures).
BENCH_PACKAGES := wrk
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help run test verify lint bench worker migrate seed translations translations-extract \
	venv pdf-packages test-packages bench-packages check-services

help: ## Show the targets
	@echo "Fairpact: make run (demo on http://$(HOST):$(PORT)) and make test (the whole suite)"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-20s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --- the two commands ----------------------------------------------------------------------------

run: venv pdf-packages translations ## Migrate, seed the demo, print its logins, serve on 127.0.0.1:5000
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/fairpact seed-demo
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

test: check-services venv test-packages translations ## Run the whole suite against local PostgreSQL and Redis
	$(BIN)/pytest $(PYTEST_ARGS)

verify: check-services venv test-packages translations ## The long load, fault and fuzz runs (tests marked verify)
	$(BIN)/pytest -m verify $(PYTEST_ARGS)

# --- everything else -----------------------------------------------------------------------------

lint: venv ## ruff check, ruff format --check and mypy (runs all three, fails if any fails)
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/mypy || status=1; \
	$(BIN)/mypy --follow-imports=silent bench || status=1; \
	exit $$status

bench: venv pdf-packages bench-packages ## Every benchmark and one table of ratios to baselines of the same run (docs/performance.md)
	@$(PYTHON) .ci/check_services.py "$(BENCH_DATABASE_ADMIN_URL)" "$(BENCH_REDIS_URL)"
	$(BIN)/python -m bench $(BENCH_ARGS)

worker: venv pdf-packages translations ## Run an RQ worker with its scheduler and periodic jobs (needs REDIS_URL)
	$(BIN)/fairpact worker

migrate: venv ## Apply the database migrations (DATABASE_URL, or SQLite in instance/)
	$(BIN)/flask --app wsgi db upgrade

seed: venv ## Create the demo data (safe to repeat) and print the logins
	$(BIN)/fairpact seed-demo

translations: venv ## Compile the translation catalogues (.po -> .mo)
	@if compgen -G "service/translations/*/LC_MESSAGES/*.po" >/dev/null; then \
		$(BIN)/pybabel -q compile -d service/translations; \
	fi

translations-extract: venv ## Collect the strings to translate and merge them into every catalogue
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o service/translations/messages.pot .
	$(BIN)/pybabel update -i service/translations/messages.pot -d service/translations

# --- preparation (each step is a no-op when already done) ----------------------------------------

venv:
	@want=$$(sha256sum pyproject.toml | cut -d' ' -f1); \
	if [ -x $(BIN)/python ] && [ "$$(cat $(DEPS_STAMP) 2>/dev/null)" = "$$want" ]; then exit 0; fi; \
	if [ ! -x $(BIN)/python ]; then echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); fi; \
	echo "Installing the project and its pinned dependencies into $(VENV) (pyproject.toml changed)"; \
	$(BIN)/python -m pip install -qq --disable-pip-version-check -e '.[dev]'; \
	echo "$$want" > $(DEPS_STAMP)

# Installs the Debian packages given in $(1) that are not installed yet; apt-get update runs once, only if needed.
define install_missing_packages
	@missing=""; \
	for package in $(1); do \
		dpkg -s $$package 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

pdf-packages:
	$(call install_missing_packages,$(PDF_PACKAGES))

test-packages:
	$(call install_missing_packages,$(PDF_PACKAGES) $(BROWSER_PACKAGES))

bench-packages:
	$(call install_missing_packages,$(BENCH_PACKAGES))

check-services:
	@$(PYTHON) .ci/check_services.py
