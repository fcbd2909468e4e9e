# Two commands set everything up: `make run` (demo site) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install messages browser-deps run test lint format check clean

help:
	@echo "make run     set up and serve the demo site on http://$(HOST):$(PORT)"
	@echo "make test    install test requirements and run the whole test suite"
	@echo "make lint    ruff lint and format check, and the arrows between apps (import-linter)"
	@echo "make check   Django system checks and missing-migration check"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "healthsite needs Python 3.11 or newer; set PYTHON=python3.11 (or newer).")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed messages

# The interface in each language: locale/*/LC_MESSAGES/django.po, compiled with Debian's
# gettext (apt-get install gettext), or with Babel where gettext is missing. The .mo files
# are built, not committed, so they never lag the .po they come from.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO_FILES)
locale/%.mo: locale/%.po $(VENV)/.installed
	@if command -v msgfmt >/dev/null 2>&1; then msgfmt --check -o $@ $<; \
	else echo "msgfmt (gettext) is missing: compiling $< with Babel"; \
	  $(BIN)/pybabel -q compile -i $< -o $@; fi

run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo --if-empty
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Tools the page audits need beyond pip: the Nu Html Checker (npm, run with Java) for
# tests/test_html_validity.py. Without java or npm those tests skip; so do the browser
# tests without Debian's Chromium (apt-get install chromium).
VNU_JAR := .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar
browser-deps:
	@if [ -f $(VNU_JAR) ]; then :; \
	elif command -v java >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
	    --prefix .cache/vnu vnu-jar@26 \
	  || echo "browser-deps: could not install the Nu Html Checker; HTML validation tests will skip"; \
	else echo "browser-deps: java or npm is missing; HTML validation tests will skip"; fi
	@[ -x /usr/bin/chromium ] || echo "browser-deps: no /usr/bin/chromium; browser tests will skip"

test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	DJANGO_SECRET_KEY=check-only $(BIN)/python manage.py check
	DJANGO_SECRET_KEY=check-only $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	rm -f $(MO_FILES)
