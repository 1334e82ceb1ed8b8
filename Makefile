# The two commands: `make demo` (crawl the replica portal, then serve it) and `make test`.
# Both build the virtualenv .venv/ at the repo root first, from nothing if need be.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PORT ?= 8765
DATASETTE_PORT ?= 8001
DB ?= data/archive.db

.PHONY: demo test lint venv browser replay clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# pywb, the replay engine tests/test_warc_replay.py starts, in a virtualenv of its own: it ships a
# top-level `tests` package (which would shadow ours), pins redis 2.10 and fakeredis 0.16, and
# downgrades pyOpenSSL under Scrapy.
REPLAY := $(VENV)/replay
PYWB ?= pywb>=2.10,<2.11
replay: $(REPLAY)/.installed
$(REPLAY)/.installed:
	test -x $(REPLAY)/bin/python || $(PYTHON) -m venv $(REPLAY)
	$(REPLAY)/bin/pip install --quiet '$(PYWB)'
	touch $@

# Headless Chromium for the browser tests, from Debian's packages (skipped when already there).
# Outside CI a missing browser skips those tests; with CI=true it fails here and in the tests.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: run 'sudo apt-get install chromium' (browser tests will be skipped)"; fi; \
	  command -v chromium >/dev/null 2>&1 || [ "$(CI)" != true ] || { echo "chromium missing in CI (CI=true): the browser tests must run" >&2; exit 1; }; }

test: venv browser replay
	$(BIN)/ruff check crawler archive replica tests bench
	$(BIN)/python -m pytest -q

demo: venv
	$(BIN)/vnarchive demo --port $(DEMO_PORT) --datasette-port $(DATASETTE_PORT) --db $(DB)

lint: venv
	$(BIN)/ruff check crawler archive replica tests bench
	$(BIN)/ruff format --check crawler archive replica tests bench

clean:
	rm -rf $(VENV) data/*.db data/*.db-wal data/*.db-shm .pytest_cache
