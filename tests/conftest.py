"""Shared fixtures: small workbooks built in code, a tiny register, reference data."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from mint_census.schemas.template import Answers, write_workbook
from mint_census.sources.reference import load_reference, resolve_reference_dir
from mint_census.sources.register import normalise_register, write_register

from .answers import full_answers, tweak  # noqa: F401  (the tests import them from here)

REFERENCE_DIR = resolve_reference_dir()


def register_frame(ids=("MR-001", "MR-002", "MR-003"), land="05") -> pd.DataFrame:
    rows = [{"network_id": nid, "network_name": f"Netz {nid}", "network_type": "MINT-Region",
             "land_code": land, "founded_year": "2010", "first_census_year": "2013", "end_year": "",
             "end_reason": "", "successor_id": "", "kreise": "05315"} for nid in ids]
    return normalise_register(pd.DataFrame(rows))


@pytest.fixture(autouse=True)
def _pool_variable_as_before():
    """`main()` sets MINT_CENSUS_PROCESS_POOL for its process (cli.configure_environment): restored
    after each test, so that whether a later test draws or writes reports in processes of their
    own does not depend on the order of the tests."""
    before = os.environ.get("MINT_CENSUS_PROCESS_POOL")
    yield
    if before is None:
        os.environ.pop("MINT_CENSUS_PROCESS_POOL", None)
    else:
        os.environ["MINT_CENSUS_PROCESS_POOL"] = before


@pytest.fixture(scope="session")
def prefect():
    """One Prefect test harness for the whole session (tests that run the real flows)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def reference():
    return load_reference(REFERENCE_DIR)


@pytest.fixture
def home(tmp_path) -> Path:
    h = tmp_path / "home"
    (h / "inbox").mkdir(parents=True)
    write_register(register_frame(), h / "register.csv")
    return h


@pytest.fixture
def make_workbook(home):
    def make(name: str, answers: Answers | None = None, year: int = 2025, network_id: str = "MR-001",
             folder: Path | None = None) -> Path:
        folder = folder or home / "inbox" / str(year)
        answers = answers if answers is not None else full_answers(year, network_id)
        return write_workbook(folder / name, year, network_id, answers)
    return make


needs_reference = pytest.mark.skipif(REFERENCE_DIR is None, reason="reference data (../shared/reference) not found")


def process(home: Path, year: int, reference, inbox: Path | None = None):
    """An ingest through the pipeline's own wiring (flows.steps, without Prefect).

    `reference=None` runs without Kreis reference data. Returns the received files by name.
    """
    from mint_census.flows.home import Home
    from mint_census.flows.steps import ingest_batch

    ref = reference if reference is not None else load_reference(None)
    _summary, received = ingest_batch(Home(home), year, inbox, ref)
    return {r.file_name: r for r in received}


def archived_in(home: Path):
    """The archive lookup of a test home, as the pipeline hands it to check reports."""
    from mint_census.flows.home import Home
    from mint_census.flows.steps import safe_archived

    return safe_archived(Home(home))
