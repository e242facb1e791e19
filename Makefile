# Two commands for a newcomer: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PORT ?= 5000
PYTHON ?= python3

.PHONY: run test install install-test translations lint format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(PY) -m babel.messages.frontend compile -d translations

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --port $(PORT)

test: $(VENV)/.test-installed translations
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.test-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The soak serves every page for 20,000 requests on SQLite, and on PostgreSQL too when
# SOAK_DATABASE_URL names one (its schema is dropped first).
bench: $(VENV)/.test-installed
	$(PY) bench/tally.py
	$(PY) bench/soak.py --database-url ""
	$(if $(SOAK_DATABASE_URL),$(PY) bench/soak.py --database-url "$(SOAK_DATABASE_URL)")

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo
