"""Template -> filled -> read -> validated -> loaded, with exact values for every field kind."""

from __future__ import annotations

import duckdb
import pytest

from mint_census.schemas import questionnaire as q
from mint_census.flows.home import Home

from .conftest import full_answers, needs_reference, process


@needs_reference
def test_every_field_kind_arrives_exactly(home, make_workbook, reference):
    make_workbook("a.xlsx")
    result = process(home, 2025, reference)
    assert result["a.xlsx"].status == "accepted", [f.message_de for f in result["a.xlsx"].findings]
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    net = con.execute("SELECT * FROM core.networks").fetch_df().iloc[0].to_dict()
    assert net["network_id"] == "MR-001" and net["census_year"] == 2025
    assert net["template_version"] == "2025.1"
    assert net["network_name"] == "MINT-Region Köln"                       # text
    assert net["network_type"] == "mint_region"                            # choice "MINT-Region" -> its code
    assert net["land_code"] == "05"                                        # land (name in cell -> code)
    assert net["founded_year"] == 2011                                     # year
    assert net["has_coordination_office"] is True or net["has_coordination_office"] == True  # noqa: E712
    assert net["has_cooperation_agreement"] == False                       # noqa: E712  bool "nein"
    assert net["paid_staff_fte"] == 1.75                                   # decimal
    assert net["volunteers"] == 12                                         # int
    assert net["budget_eur"] == 120000.5
    assert net["website"] == "https://www.mint-koeln.example.org"          # url
    assert net["is_mint_cluster"] == False                                 # noqa: E712  field new in 2025
    partners = con.execute("SELECT * FROM core.partners").fetch_df().iloc[0]
    for i, f in enumerate(q.PARTNER_FIELDS):
        assert partners[f.key] == i * 3, f.key
    funding = con.execute("SELECT funding_land_eur, funding_kommune_eur, funding_bund_eur FROM core.funding").fetchone()
    assert funding == (60000.0, 40000.5, None)
    districts = con.execute("SELECT row_no, kreis_code, kreis_name, coverage FROM core.districts ORDER BY row_no").fetchall()
    assert districts == [(5, "05315", "Köln", "whole"), (6, "05316", "Leverkusen", "partly")]  # "ganz", "teilweise"
    offers = con.execute("SELECT offer_title, offer_format, target_groups, subjects, participants, is_regular, "
                         "offer_kreis_code FROM core.offers ORDER BY row_no").fetchall()
    assert offers == [
        ("Robotik-AG", "course", ["primary", "secondary_1"], ["computer_science", "technology"], 35, True, "05315"),
        ("Forscherferien", "holiday_programme", ["primary"], ["natural_sciences"], None, False, None)]
    contact = con.execute("SELECT contact_name, contact_email, contact_phone FROM private.contacts").fetchone()
    assert contact == ("Anna Beispiel", "anna.beispiel@example.org", "0221 123456")
    # raw keeps cells with their addresses, but never personal data
    raw = dict(con.execute("SELECT cell, value_text FROM raw.cells WHERE sheet = 'Netzwerk'").fetchall())
    assert raw["B9"] == "2011" and raw["B8"] == "Nordrhein-Westfalen"
    assert con.execute("SELECT count(*) FROM raw.cells WHERE sheet = 'Kontakt'").fetchone()[0] == 0
    con.close()
    assert not (Home(home).warehouse_dir / "staging").exists()  # the spilled chunks are gone after the load


@needs_reference
def test_older_layout_2023_loads_into_current_fields(home, make_workbook, reference):
    """2023.1 has no Angebote sheet, no MINT-Cluster field and the old staff label; it still loads."""
    make_workbook("old.xlsx", full_answers(2023), year=2023)
    result = process(home, 2023, reference)
    assert result["old.xlsx"].status == "accepted", [f.message_de for f in result["old.xlsx"].findings]
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT template_version, paid_staff_fte, is_mint_cluster FROM core.networks").fetchone() == (
        "2023.1", 1.75, None)
    assert con.execute("SELECT count(*) FROM core.offers").fetchone()[0] == 0
    con.close()


def test_layout_labels_differ_between_versions():
    assert q.layout("2024.1").places["paid_staff_fte"].label == "Hauptamtliches Personal"
    assert q.layout("2025.1").places["paid_staff_fte"].label == "Bezahltes Personal"
    assert "is_mint_cluster" not in q.layout("2024.1").places
    assert q.S_OFFER not in q.layout("2023.1").sheets


@pytest.mark.parametrize("version", list(q.TEMPLATE_VERSIONS))
def test_released_layouts_never_move(version):
    assert q.layout_fingerprint(version) == q.RELEASED_LAYOUTS[version]
