# Juncture: `make run` serves the demo, `make test` runs the suite. Both set up .venv first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python >= 3.12 on PATH: pyenv's shim honours .python-version (3.12);
# Debian 13's python3 is 3.13. PYTHON=/path/to/python overrides the search.
PY_CANDIDATES := python3.12 python3.13 python3.14 python3 python
PYTHON ?= $(shell for p in $(PY_CANDIDATES); do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; raise SystemExit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    command -v $$p; break; fi; done)

.PHONY: help run test test-pg lint format venv migrate demo clean bench screenshots

help:
	@echo "make run     set up .venv, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test    set up .venv and run the test suite"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make format  apply ruff's fixes and formatting"
	@echo "make screenshots  every page x role at 390 and 1366 px into screenshots/"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Juncture needs Python 3.12 or newer, and none was found on PATH" >&2; \
	  echo "       (looked for: $(PY_CANDIDATES)). Install one, or run make PYTHON=/path/to/python3.12" >&2; \
	  exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	@$(PYTHON) -m venv $(VENV) || { echo "error: '$(PYTHON) -m venv' failed; on Debian install python3-venv" >&2; exit 1; }
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

# DEBUG defaults to off (config/settings.py); the development targets turn it on explicitly.
migrate demo run: export DEBUG = true

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@echo "Serving Juncture on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv
	$(BIN)/python bench/run.py

# Every page as every demo role at phone and laptop widths (needs /usr/bin/chromium).
screenshots: venv
	$(BIN)/python scripts/screenshots.py $(SCREENSHOTS_ARGS)

clean:
	rm -rf $(VENV) staticfiles .test-db* db.sqlite3*
