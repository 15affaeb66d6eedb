PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo bench bench-regression soak clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check trakt_sync tests bench
	$(BIN)/ruff format --check trakt_sync tests bench
	$(BIN)/mypy trakt_sync tests bench

demo: $(STAMP)
	$(BIN)/python -m trakt_sync.demo

# Matching recall, wrong marks and calibration on 20 worlds drawn from the full bangumi-data
# (downloaded once into $$TRAKT_SYNC_BENCH_CACHE or ~/.cache/trakt-sync/bench; not part of `make test`).
bench: $(STAMP)
	$(BIN)/python bench/generalisation.py $(BENCH_ARGS)

# The hand-built labelled worlds (bench/worlds.py): hard cases kept as regressions.
bench-regression: $(STAMP)
	$(BIN)/python bench/matching.py

# The daemon against the fakes with random faults; reports lost plays, wrong marks, RSS.
soak: $(STAMP)
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
