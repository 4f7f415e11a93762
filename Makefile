# mint-census: `make demo` builds the environment and runs the fictitious census end to end;
# `make test` builds the same environment and runs the test suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOME_DIR ?= data
STAMP  := $(VENV)/.installed
OLD_DUCKDB := $(VENV)/old-duckdb/.installed

.PHONY: demo test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The oldest DuckDB the research release promises to open in (tests/test_release.py); kept
# beside the venv so that no test downloads anything. A failed download only skips that test.
$(OLD_DUCKDB): $(STAMP)
	-$(BIN)/python -m pip install --quiet --no-deps --target $(VENV)/old-duckdb duckdb==0.10.3 && touch $(OLD_DUCKDB)

demo: $(STAMP)
	$(BIN)/mint-census demo --home $(HOME_DIR)

test: $(STAMP) $(OLD_DUCKDB)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(if $(N),--n $(N),)
	$(BIN)/python scripts/bench_hostile.py

clean:
	rm -rf $(VENV) $(HOME_DIR) build *.egg-info
