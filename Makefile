# The front door. `make run` serves the embedded default with demo data; `make test` runs what CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_ENV := DEBUG=1

.PHONY: run test lint bench up down install install-test browsers vendor-assets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## run: install, migrate, import the prisons, create demo staff, serve on http://127.0.0.1:$(PORT)
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py import_prisons
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: lint, the missing-migrations check and the whole test suite
test: install-test lint
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings_test
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: the benchmarks (figures as ratios measured in one run)
bench: install-test
	$(BIN)/python -m benchmarks

## up: the full stack under Docker Compose (postgres, redis, web under gunicorn, worker, beat)
up:
	docker compose up --build

down:
	docker compose down

## vendor-assets: refresh static/vendor from the npm registry (needs npm; the output is committed)
vendor-assets:
	$(BIN)/python scripts/vendor_assets.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles
