# IPS Journal — developer commands. `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
VPY := $(VENV)/bin/python

# Django 6.1 needs Python >= 3.12; the machine's plain python3 may be older, and pyenv shims for
# interpreters that are not selected fail, so each candidate is asked to prove its version.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python); do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	echo $$c; break; fi; done)

.PHONY: help venv run test test-fast test-browser lint format migrate demo bench clean

help:
	@echo "make run    - serve the app on SQLite with demo data at http://127.0.0.1:$(PORT)/"
	@echo "make test   - run the whole test suite (browser tests included)"
	@echo "make lint   - ruff check and format check"
	@echo "make format - apply ruff formatting and fixes"

$(VENV)/.installed: requirements.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "IPS Journal needs Python 3.12 or newer (Django 6.1). Install python3.12 or python3.13, or pass PYTHON=/path/to/python3.12." >&2; \
		exit 1; fi
	@if [ ! -x $(VPY) ] || ! $(VPY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

migrate: venv
	$(VPY) manage.py migrate --no-input

demo: migrate
	$(VPY) manage.py seed_demo

run: demo
	$(VPY) manage.py runserver 127.0.0.1:$(PORT)

test: venv
	$(VPY) -m pytest $(PYTEST_ARGS)

test-fast: venv
	$(VPY) -m pytest -m "not browser" $(PYTEST_ARGS)

test-browser: venv
	$(VPY) -m pytest -m browser $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache staticfiles

# --- Benchmark and fault drill (README: Performance, Operations) -------------------------------
# Both need PostgreSQL on 127.0.0.1:5432 (trust auth for the postgres role); bench needs wrk.
# `make bench` seeds a small data set and runs for a few minutes; `make bench SCALE=full` runs the
# million-entry set (seeded once, then reused). Never part of `make test` or CI.
SCALE ?= small
.PHONY: faults wrk

wrk:
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; apt-get install -y -q wrk >/dev/null || \
		{ apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }

bench: venv wrk
	$(VPY) -m bench.run --scale $(SCALE)

faults: venv
	$(VPY) -m bench.faults
