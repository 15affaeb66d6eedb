PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser test lint demo demo-web screenshots bench bench-regression bench-perf soak clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The browser tests drive Debian's Chromium (Playwright's own download is not used); as
# root without it, install it and a CJK font. Elsewhere they skip, saying why.
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-wqy-microhei >/dev/null) \
	  || echo "make browser: cannot install chromium; the browser tests will skip"

test: $(STAMP) browser
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check trakt_sync tests bench
	$(BIN)/ruff format --check trakt_sync tests bench
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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
