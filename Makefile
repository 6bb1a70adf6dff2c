# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_REPORTS ?= 2000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint install install-test migrate demo clean

# `make run` needs only the application; the test extras (browser, fuzzing, linters) come with `make test`.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

migrate: install
	$(BIN)/lapor migrate --noinput -v 0

demo: migrate
	$(BIN)/lapor demo load --reports $(DEMO_REPORTS)

## Start the whole system on SQLite with demo data at http://127.0.0.1:$(PORT)
run: demo
	$(BIN)/lapor compilemessages -v 0 || true
	$(BIN)/lapor serve 127.0.0.1:$(PORT)

## Run the whole test suite (DATABASE_URL=postgres://... for PostgreSQL)
test: install-test
	LAPOR_FAST_PASSWORD_HASHER=1 $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} -q $(PYTEST_ARGS)

## ruff (lint rules and formatting) and mypy (reports, accounts, agencies); fails on any finding
lint: install-test
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/python .ci/mypy_gate.py  # fails on a finding not in .ci/mypy-baseline.txt

clean:
	rm -rf $(VENV) var
