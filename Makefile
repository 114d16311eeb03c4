# The front door. `make run` serves the embedded default with demo data; `make test` runs what CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_ENV := DEBUG=1 PORT=$(PORT)

.PHONY: run test lint bench up down install install-test browsers vendor-assets clean lock audit messages compilemessages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installs come from the lock files only (every package pinned, with its hashes); `make lock` refreshes them.
$(VENV)/.installed: pyproject.toml requirements/base.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements/test.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/test.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## run: install, migrate, import the prisons, generate sessions, create demo staff, serve on http://127.0.0.1:$(PORT)
## with Celery beat beside it for the scheduled jobs and the fake HMPPS server for NOMIS (scripts/run_embedded.py)
run: install compilemessages
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py import_prisons
	$(DEV_ENV) $(BIN)/python manage.py generate_sessions
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python scripts/run_embedded.py --port $(PORT)

## prod-local: the service as production runs it (DEBUG off, collected static files, gunicorn with 2 workers, a
## Celery worker and beat, each its own process and log) on this machine's PostgreSQL (database visits_local, made if
## missing) and Redis (db 1), as a demo: the fake Notify and the fake HMPPS server. http://127.0.0.1:$(PORT); Ctrl-C
## stops it
.PHONY: prod-local
prod-local: install compilemessages
	PORT=$(PORT) $(BIN)/python scripts/prod_local.py

## fuzz: every form and URL parameter of the production-shaped stack (as prod-local, on the database visits_fuzz,
## dropped and made anew, Redis db 11, port 8011) given hostile input; prints the inputs tried and the 500s (none
## allowed: exit 1 otherwise). FUZZ=--quick for the few values CI tries (tests/production/test_fuzz.py)
.PHONY: fuzz
fuzz: install compilemessages
	$(BIN)/python scripts/fuzz_forms.py $(FUZZ)

## test: lint, the missing-migrations check and the whole test suite
test: install-test lint compilemessages
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings_test
	$(BIN)/pytest

## messages: extract every string a visitor sees (Python and the Jinja2 templates, locale/babel.cfg) and merge them into
## the Welsh catalogue locale/cy/LC_MESSAGES/django.po: new strings arrive empty, changed ones marked fuzzy, for
## translating (docs/welsh.md). A test fails while any is empty or fuzzy.
BABEL_KEYWORDS := -k gettext_lazy -k ngettext_lazy:1,2 -k pgettext_lazy:1c,2 -k gettext_noop
messages: install-test
	$(BIN)/pybabel extract -F locale/babel.cfg $(BABEL_KEYWORDS) --add-location=file --sort-by-file --width=120 \
		--project="Visit someone in prison" --copyright-holder="Crown copyright (Ministry of Justice)" \
		--msgid-bugs-address="" -o locale/django.pot .
	$(BIN)/pybabel update -D django -i locale/django.pot -d locale -l cy --width=120 --ignore-obsolete
	rm locale/django.pot

## compilemessages: the Welsh catalogue compiled for Django (locale/cy/LC_MESSAGES/django.mo, built, not committed),
## and the English one made from it (locale/en_GB/LC_MESSAGES/django.mo: each message as itself, scripts/english_catalog.py)
compilemessages: install
	$(BIN)/pybabel compile -D django -d locale --statistics
	$(BIN)/python scripts/english_catalog.py

## lint: ruff, and the import contracts of pyproject.toml (import-linter: the code in one direction, docs/architecture.md)
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

## bench: the benchmarks (figures as ratios measured in one run), on PostgreSQL when it answers on 127.0.0.1:5432
## (in the database visits_bench, dropped and made anew each run), otherwise on a temporary SQLite file
BENCH_PG_HOST ?= 127.0.0.1
BENCH_PG_USER ?= postgres
BENCH_PG_DB ?= visits_bench
bench: install-test
	@if command -v pg_isready >/dev/null 2>&1 && pg_isready -h $(BENCH_PG_HOST) -q; then \
		echo "PostgreSQL answers on $(BENCH_PG_HOST): benchmarking in the database $(BENCH_PG_DB), made anew"; \
		psql -h $(BENCH_PG_HOST) -U $(BENCH_PG_USER) -d postgres -q -v ON_ERROR_STOP=1 \
			-c 'DROP DATABASE IF EXISTS "$(BENCH_PG_DB)" WITH (FORCE)' -c 'CREATE DATABASE "$(BENCH_PG_DB)"' \
		&& BENCH_DATABASE_URL=postgres://$(BENCH_PG_USER)@$(BENCH_PG_HOST):5432/$(BENCH_PG_DB) $(BIN)/python -m benchmarks; \
	else \
		echo "No PostgreSQL on $(BENCH_PG_HOST): benchmarking on a temporary SQLite file"; \
		$(BIN)/python -m benchmarks; \
	fi

## lock: re-resolve the dependencies of pyproject.toml into requirements/base.txt (the service) and
## requirements/test.txt (the service and its tests), pinned with hashes, keeping the pins it can; after changing
## pyproject.toml run `make lock`, and `make lock UPGRADE=--upgrade` to move every pin to the newest release
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
lock: install-test
	$(PIP_COMPILE) $(UPGRADE) -o requirements/base.txt pyproject.toml
	$(PIP_COMPILE) $(UPGRADE) --extra test -c requirements/base.txt -o requirements/test.txt pyproject.toml

## audit: pip-audit over the locked dependencies; says plainly when it cannot reach advisory data
audit: install-test
	$(BIN)/python scripts/audit.py

## up: the full stack under Docker Compose (postgres, redis, web under gunicorn, worker, beat)
up:
	docker compose up --build

down:
	docker compose down

## vendor-assets: refresh static/vendor from the npm registry (needs npm; the output is committed)
vendor-assets:
	$(BIN)/python scripts/vendor_assets.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles locale/*/LC_MESSAGES/*.mo
