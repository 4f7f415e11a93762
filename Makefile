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

# Bytecode of the package, written ahead: an editable install compiles its sources at the first
# import and caches them, unless PYTHONDONTWRITEBYTECODE is set (as on some CI machines and
# containers) - then every command and every worker process compiled about 60 modules again
# (0.8 s of a one-workbook ingest measured). Up-to-date files are skipped in ~0.1 s.
COMPILE = $(BIN)/python -m compileall -q flows publications schemas sources warehouse

install: $(STAMP)
	$(COMPILE)

# The oldest DuckDB the research release promises to open in (tests/test_release.py); kept
# beside the venv so that no test downloads anything. A failed download only skips that test.
$(OLD_DUCKDB): $(TEST_STAMP)
	-$(BIN)/python -m pip install --quiet --no-deps --target $(VENV)/old-duckdb duckdb==0.10.3 && touch $(OLD_DUCKDB)

demo: $(STAMP)
	$(COMPILE)
	$(BIN)/mint-census demo --home $(HOME_DIR)

test: $(TEST_STAMP) $(OLD_DUCKDB)
	$(COMPILE)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(COMPILE)
	$(BIN)/python scripts/bench.py $(if $(N),--n $(N),)
	$(BIN)/python scripts/bench_hostile.py

clean:
	rm -rf $(VENV) $(HOME_DIR) build *.egg-info
