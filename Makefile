# Two commands for a newcomer: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PORT ?= 5000

# Coprod needs CPython 3.12 or newer: under 3.11 the server dies with a segmentation fault
# in the garbage collector after a few requests on SQLite (see README). Take the first
# suitable interpreter on PATH or in pyenv's folder; `make PYTHON=/path/to/python3.12 ...`
# chooses another.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3) $(wildcard /usr/local/bin/python3.1[2-9]); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: run test install translations fonts lint format bench soak lock clean check-python

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Coprod needs Python 3.12 or newer, and none was found."; \
	  echo "Install one (for example 'apt-get install python3.12' or 'pyenv install 3.12'),"; \
	  echo "then run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12"; exit 1; fi

# Installs come from the lock files, so every machine gets the same versions. uv installs
# them (in half the time pip takes); pip only fetches uv, at a fixed version.
UV := $(VENV)/bin/uv pip install -q --python $(PY)

$(VENV)/.installed: requirements.lock pyproject.toml | check-python
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install -q uv==0.13.10
	$(UV) --require-hashes -r requirements.lock
	$(UV) --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.lock
	$(UV) --require-hashes -r requirements-test.lock
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(PY) -m babel.messages.frontend compile -d translations

# The web fonts in coprod/static/fonts/ (tools/fonts.py says how): build them again when
# Chinese strings change. fontTools is no part of the site, so it lives in a throwaway venv.
FONTS_VENV ?= /tmp/coprod-fonts
fonts: | check-python
	test -x $(FONTS_VENV)/bin/python || $(PYTHON) -m venv $(FONTS_VENV)
	$(FONTS_VENV)/bin/pip install -q fonttools==4.69.1 brotli==1.2.1
	$(FONTS_VENV)/bin/python tools/fonts.py

# The worker (emails, big counts, the 5-minute tick) runs in the background and stops
# with the web server.
# Letters and their QR codes print the address the site is served at.
run: export PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --port $(PORT)

# The suite starts many Python processes (test workers, servers, commands). Each would
# compile every module it imports again if PYTHONDONTWRITEBYTECODE is set (as on some CI
# machines): 12 s instead of 4 s to collect the tests. So the tests keep compiled modules.
test: $(VENV)/.test-installed translations
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.test-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The soak serves every page for 20,000 requests on SQLite, and on PostgreSQL too when
# SOAK_DATABASE_URL names one (its schema is dropped first).
bench: $(VENV)/.test-installed
	$(PY) bench/tally.py
	$(PY) bench/conversation.py
	$(PY) bench/soak.py --database-url ""
	$(if $(SOAK_DATABASE_URL),$(PY) bench/soak.py --database-url "$(SOAK_DATABASE_URL)")

# After changing dependencies in pyproject.toml: write the lock files again.
lock: | check-python
	test -x $(VENV)/bin/uv || { $(PYTHON) -m venv $(VENV) && $(PY) -m pip install -q uv==0.13.10; }
	$(VENV)/bin/uv pip compile -q pyproject.toml --universal --python-version 3.12 \
	  --generate-hashes -o requirements.lock
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra test --universal --python-version 3.12 \
	  --generate-hashes -o requirements-test.lock

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo
