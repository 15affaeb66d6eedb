PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo bench soak clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check trakt_sync tests
	$(BIN)/ruff format --check trakt_sync tests
	$(BIN)/mypy trakt_sync

demo: $(STAMP)
	$(BIN)/python -m trakt_sync.demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
