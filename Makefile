PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The exact versions come from uv.lock. uv is used from PATH when it is there, otherwise
# installed (pinned) from PyPI into .uv/ so that a fresh machine needs only Python.
UV_VERSION := 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo .uv/bin/uv)
export UV_PYTHON := $(PYTHON)

.PHONY: install catalogs messages lock lock-check dist audit browser test lint demo demo-web screenshots bench bench-regression bench-perf soak clean

install: $(STAMP)

.uv/bin/uv:
	$(PYTHON) -m venv .uv
	.uv/bin/python -m pip install -q 'uv==$(UV_VERSION)'

# `uv sync --frozen` installs exactly what uv.lock says (the package itself editable, with
# the dev extras) and removes anything else from .venv.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev
	$(MAKE) --no-print-directory catalogs
	touch $(STAMP)

# The compiled message catalogs (.mo) the package reads; the wheel's build compiles its own.
catalogs:
	$(BIN)/pybabel -q compile -d trakt_sync/locale -D trakt_sync

# Re-extract the marked strings and merge them into the zh-Hans catalog (then translate the
# new entries: `make test` fails while one has no translation).
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ -k say -o trakt_sync/locale/trakt_sync.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -i trakt_sync/locale/trakt_sync.pot -d trakt_sync/locale -D trakt_sync -l zh --no-fuzzy-matching --ignore-obsolete
	$(MAKE) --no-print-directory catalogs

# Resolve pyproject.toml's ranges afresh into uv.lock (commit the result).
lock: | $(UV)
	$(UV) lock

# Fails when pyproject.toml and uv.lock disagree (CI runs it).
lock-check: | $(UV)
	$(UV) lock --check

# Build the sdist and wheel, check them, and run the installed wheel outside the work tree.
dist: $(STAMP)
	rm -rf dist
	$(UV) build --out-dir dist
	$(BIN)/twine check --strict dist/*
	$(UV) export --frozen --no-dev --no-emit-project --no-hashes -q -o dist/constraints.txt
	$(BIN)/python .ci/check_wheel.py dist dist/constraints.txt

# Known vulnerabilities of the locked versions, from PyPI's per-project data (.ci/audit.py).
audit: $(STAMP)
	$(UV) export --frozen --all-extras --no-emit-project --no-hashes -o $(VENV)/audit-requirements.txt -q
	$(BIN)/python .ci/audit.py $(VENV)/audit-requirements.txt

# The browser tests drive Debian's Chromium (Playwright's own download is not used); as
# root without it, install it and a CJK font. Elsewhere they skip, saying why.
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-wqy-microhei >/dev/null) \
	  || echo "make browser: cannot install chromium; the browser tests will skip"

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check trakt_sync tests bench .ci
	$(BIN)/ruff format --check trakt_sync tests bench .ci
	$(BIN)/mypy trakt_sync tests bench
	$(BIN)/lint-imports

demo: $(STAMP)
	$(BIN)/python -m trakt_sync.demo

# The demo, then its world in the browser: `trakt-sync web` at http://127.0.0.1:8765/.
demo-web: $(STAMP)
	$(BIN)/python -m trakt_sync.demo --web

# The page at 1280 and 360 px wide, from the browser tests, into docs/screenshots.
screenshots: $(STAMP) browser
	TRAKT_SYNC_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/test_web_browser.py

# Matching recall, wrong marks and calibration on 20 worlds drawn from the full bangumi-data
# (downloaded once into $$TRAKT_SYNC_BENCH_CACHE or ~/.cache/trakt-sync/bench; not part of `make test`).
bench: $(STAMP)
	$(BIN)/python bench/generalisation.py $(BENCH_ARGS)

# The hand-built labelled worlds (bench/worlds.py): hard cases kept as regressions.
bench-regression: $(STAMP)
	$(BIN)/python bench/matching.py

# Start-up, memory, wall and requests of the installed CLI on the fakes (issue 13; not part
# of `make test`). ARGS='--sizes 1000 --runs 3' for a quick run.
bench-perf: $(STAMP)
	$(BIN)/python bench/perf.py $(ARGS)

# The daemon against the fakes with random faults; reports lost plays, wrong marks, RSS.
soak: $(STAMP)
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) .uv dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
