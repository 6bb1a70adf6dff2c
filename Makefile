# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_REPORTS ?= 2000
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/lapor migrate --noinput -v 0

demo: migrate
	$(BIN)/lapor demo load --reports $(DEMO_REPORTS)

## Start the whole system on SQLite with demo data at http://127.0.0.1:$(PORT)
run: demo
	$(BIN)/lapor compilemessages -v 0 || true
	$(BIN)/lapor serve 127.0.0.1:$(PORT)

## Run the whole test suite (DATABASE_URL=postgres://... for PostgreSQL)
test: install
	LAPOR_FAST_PASSWORD_HASHER=1 $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
