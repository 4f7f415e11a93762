"""Identities cannot get mixed up: hidden meta ID, visible Netzwerk-ID, network name and register."""

from __future__ import annotations

import duckdb
from openpyxl import load_workbook

from mint_census.flows.cli import main
from mint_census.flows.home import Home

from .conftest import full_answers, process, tweak

PERSONAL = ("Anna Beispiel", "anna.beispiel@example.org", "0221 123456")


def _all_text(path) -> str:
    wb = load_workbook(path)
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)


def test_edited_visible_id_goes_to_staff_only(home, make_workbook):
    """A template made for MR-001 whose visible ID was changed to MR-002: the report used to be named
    after MR-002 and carry MR-001's contact person and answers."""
    make_workbook("bogen.xlsx", tweak(full_answers(), network_id="MR-002"))
    result = process(home, 2025, None)["bogen.xlsx"]
    assert result.status == "rejected"
    assert [(f.cell, f.code) for f in result.findings] == [("B5", "network_id_mismatch")]
    assert "„MR-002“" in result.findings[0].message_de and "„MR-001“" in result.findings[0].message_de
    reports = Home(home).reports(2025)
    assert sorted(p.name for p in reports.glob("*Pruefbericht*")) == []
    staff = sorted(p.name for p in Home(home).reports_staff(2025).iterdir())
    assert staff == [f"bogen_{result.wb.sha256[:8]}_Pruefbericht.txt", f"bogen_{result.wb.sha256[:8]}_Pruefbericht.xlsx"]
    report = Home(home).reports_staff(2025) / staff[1]
    assert load_workbook(report).sheetnames == ["Prüfbericht"]
    text = _all_text(report) + (Home(home).reports_staff(2025) / staff[0]).read_text(encoding="utf-8")
    assert not any(p in text for p in PERSONAL)


def test_neighbours_workbook_filled_with_own_name_is_an_error_naming_both(home, make_workbook):
    """MR-001's coordinator fills MR-002's workbook (its IDs) with MR-001's name: used to be accepted,
    replacing MR-002's year."""
    make_workbook("nachbar.xlsx", tweak(full_answers(2025, "MR-002"), network_name="Netz  MR-001"),
                  network_id="MR-002")
    result = process(home, 2025, None)["nachbar.xlsx"]
    assert result.status == "rejected"
    assert [(f.cell, f.code) for f in result.findings] == [("B6", "network_name_other")]
    assert result.findings[0].message_de == (
        "Netzwerk!B6 – Name des Netzwerks: Der Netzwerkname „Netz  MR-001“ gehört im Netzwerkverzeichnis zum Netzwerk MR-001; dieser "
        "Erhebungsbogen ist für MR-002 („Netz MR-002“) ausgestellt. Bitte füllen Sie den Erhebungsbogen "
        "Ihres eigenen Netzwerks aus oder wenden Sie sich an die Geschäftsstelle der Erhebung.")
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM core.networks").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM private.contacts").fetchone() == (0,)
    con.close()
    assert [p.name for p in Home(home).reports(2025).glob("*Pruefbericht.xlsx")] == []
    assert len(list(Home(home).reports_staff(2025).glob("*.xlsx"))) == 1


def test_prefilled_template_carries_no_personal_data(home, make_workbook, tmp_path):
    make_workbook("a.xlsx", full_answers(2024), year=2024)
    assert process(home, 2024, None)["a.xlsx"].status == "accepted"
    out = tmp_path / "versand"
    assert main(["template", "--home", str(home), "--year", "2025", "--out", str(out),
                 "--network", "MR-001", "--network", "MR-002"]) == 0
    for nid in ("MR-001", "MR-002"):
        path = out / f"Erhebungsbogen_2025_{nid}.xlsx"
        text = _all_text(path)
        assert not any(p in text for p in PERSONAL), nid
    prefilled = load_workbook(out / "Erhebungsbogen_2025_MR-001.xlsx")
    assert prefilled["Netzwerk"]["B6"].value == "MINT-Region Köln"          # last year's answers do come back
    assert [prefilled["Kontakt"][f"B{r}"].value for r in (5, 6, 7)] == [None, None, None]


def test_name_differing_from_the_register_is_told_to_staff(home, make_workbook):
    """The network name in the workbook differing from the register's was never mentioned."""
    make_workbook("a.xlsx")                                   # "MINT-Region Köln"; register: "Netz MR-001"
    make_workbook("b.xlsx", tweak(full_answers(2025, "MR-002"), network_name="netz  mr-002"), network_id="MR-002")
    process(home, 2025, None)
    ws = load_workbook(Home(home).reports(2025) / "uebersicht.xlsx")["Übersicht"]
    head = [c.value for c in ws[1]]
    notes = {r[0]: r[head.index("Bemerkung")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert notes["MR-001"] == ("Name im Bogen „MINT-Region Köln“ weicht vom Netzwerkverzeichnis ab "
                               "(Verzeichnis: „Netz MR-001“)")
    assert notes["MR-002"] is None                            # same name up to case and spaces
