"""Shared fixtures: small workbooks built in code, a tiny register, reference data."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import Answers, write_workbook
from mint_census.sources.reference import load_reference, resolve_reference_dir
from mint_census.sources.register import normalise_register, write_register

REFERENCE_DIR = resolve_reference_dir()


def full_answers(year: int = 2025, network_id: str = "MR-001") -> Answers:
    """A complete, valid set of answers touching every field kind."""
    form = {
        "network_id": network_id, "network_name": "MINT-Region Köln", "network_type": "MINT-Region",
        "land_code": "05", "founded_year": 2011, "host_type": "Verein",
        "host_legal_form": "eingetragener Verein (e. V.)", "has_coordination_office": True,
        "paid_staff_fte": 1.75, "volunteers": 12, "budget_eur": 120000.5, "land_programme": "zdi (Nordrhein-Westfalen)",
        "has_written_goals": True, "has_cooperation_agreement": False, "meetings_per_year": 6,
        "website": "https://www.mint-koeln.example.org", "is_mint_cluster": False,
        "contact_name": "Anna Beispiel", "contact_email": "anna.beispiel@example.org",
        "contact_phone": "0221 123456",
    }
    for i, f in enumerate(q.PARTNER_FIELDS):
        form[f.key] = i * 3
    form.update({"funding_land_eur": 60000.0, "funding_kommune_eur": 40000.5, "funding_unternehmen_eur": 20000.0})
    tables = {
        q.S_AREA: [{"kreis_code": "05315", "kreis_name": "Köln", "coverage": "ganz"},
                   {"kreis_code": "05316", "kreis_name": "Leverkusen", "coverage": "teilweise"}],
        q.S_OFFER: [{"offer_title": "Robotik-AG", "offer_format": "Kurs/AG",
                     "target_groups": ["Primarstufe", "Sekundarstufe I"], "subjects": ["Informatik", "Technik"],
                     "participants": 35, "is_regular": True, "offer_kreis_code": "05315"},
                    {"offer_title": "Forscherferien", "offer_format": "Ferienprogramm",
                     "target_groups": ["Primarstufe"], "subjects": ["Naturwissenschaften"],
                     "participants": None, "is_regular": False, "offer_kreis_code": None}],
    }
    answers = Answers(form, tables)
    lay = q.layout_for_year(year)
    answers.form = {k: v for k, v in answers.form.items() if k in lay.places}
    answers.tables = {k: v for k, v in answers.tables.items() if k in lay.sheets}
    return answers


def tweak(answers: Answers, **form) -> Answers:
    out = copy.deepcopy(answers)
    out.form.update(form)
    return out


def register_frame(ids=("MR-001", "MR-002", "MR-003"), land="05") -> pd.DataFrame:
    rows = [{"network_id": nid, "network_name": f"Netz {nid}", "network_type": "MINT-Region",
             "land_code": land, "founded_year": "2010", "first_census_year": "2013", "end_year": "",
             "end_reason": "", "successor_id": "", "kreise": "05315"} for nid in ids]
    return normalise_register(pd.DataFrame(rows))


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
