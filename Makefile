# Partnerskap: `make run` and `make test` do all set-up on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock requirements-dev.lock | cksum | cut -d' ' -f1)
PORT   ?= 8000

.PHONY: run test lint bench setup migrations-check messages clean integration

$(STAMP): requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)
	$(BIN)/python scripts/compile_messages.py
	$(BIN)/python scripts/ensure_database.py
	$(BIN)/python manage.py migrate --noinput -v0

run: setup
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) $(BIN)/python scripts/run.py

test: $(STAMP)
	$(BIN)/python scripts/compile_messages.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l nb -l nn -l en --no-obsolete --no-location -i '.venv/*' -i 'var/*'

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
