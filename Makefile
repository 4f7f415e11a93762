# mint-census: `make demo` builds the environment and runs the fictitious census end to end;
# `make test` adds the test extras to the same environment and runs the test suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOME_DIR ?= data
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
OLD_DUCKDB := $(VENV)/old-duckdb/.installed

.PHONY: demo test bench install clean

# What staff install (the demo and the benchmark run on it). The test extras come on top for
# `make test` only: with hypothesis installed, pandera imports it at the first validation
# (+0.3 s on every ingest command).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

install: $(STAMP)

# The oldest DuckDB the research release promises to open in (tests/test_release.py); kept
# beside the venv so that no test downloads anything. A failed download only skips that test.
$(OLD_DUCKDB): $(TEST_STAMP)
	-$(BIN)/python -m pip install --quiet --no-deps --target $(VENV)/old-duckdb duckdb==0.10.3 && touch $(OLD_DUCKDB)

demo: $(STAMP)
	$(BIN)/mint-census demo --home $(HOME_DIR)

test: $(TEST_STAMP) $(OLD_DUCKDB)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(if $(N),--n $(N),)
	$(BIN)/python scripts/bench_hostile.py

clean:
	rm -rf $(VENV) $(HOME_DIR) build *.egg-info
