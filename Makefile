# The two commands of the README: `make demo` (set up + a real scan) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint docs docs-check bench clean

$(STAMP): pyproject.toml
	@echo "setting up $(VENV): installing airlock and its dependencies (quiet, takes a minute)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)
	@# Only `airlock ci`/`install` need bubblewrap (to sandbox install scripts); scan and check do not.
	@$(BIN)/python -m airlock.sandbox.availability \
		|| echo "warning: airlock ci/install will refuse to run install scripts until bubblewrap works here (see above); scan and check do not need it" >&2

demo: setup
	$(BIN)/airlock scan left-pad@1.3.0 'express@^4' @babel/core --format text
	$(BIN)/airlock check tests/tree/fixtures/npm-v3 --format text

test: setup
	$(BIN)/python -m pytest -q -n auto

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

docs: setup
	$(BIN)/python -m airlock.analysis.rules.docs > docs/rules.md

docs-check: setup
	$(BIN)/python -m airlock.analysis.rules.docs | diff -u docs/rules.md - \
		|| (echo "docs/rules.md is stale: run 'make docs'" >&2; exit 1)

bench: setup
	$(BIN)/python bench/scan_throughput.py bench/tarballs
	$(BIN)/python bench/check_tree.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
