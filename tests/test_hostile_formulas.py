"""Formula injection: text that starts with = + - @ tab or CR never becomes a formula in anything we write."""

from __future__ import annotations

import duckdb
import python_calamine
from openpyxl import load_workbook

from mint_census.publications.checkreports import write_check_reports, write_overview
from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import write_workbook
from mint_census.flows.home import Home

from .conftest import full_answers, process, tweak, archived_in

HOSTILE = {
    "network_type": "=HYPERLINK(\"http://boese.example\",\"Klick\")",   # not allowed -> error, shown
    "volunteers": "=1+1",                                               # not a number -> error, shown
    "website": "@SUM(1)",                                               # bad format -> error, shown
    "budget_eur": "\t120000,5",                                         # read as number -> warning, shown
    "contact_name": "-Anna",                                            # personal: never shown
}


# What spreadsheet programs read as the start of a formula (OWASP "CSV Injection"), written
# out here rather than taken from the code under test; full-width forms included.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

def _assert_no_formula_anywhere(path):
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value.startswith(FORMULA_PREFIXES):
                    # in the copy of the coordinator's own workbook the value is kept but marked as text;
                    # everywhere else it is neutralised with a leading apostrophe
                    assert ws.title != q.REPORT_SHEET and c.quotePrefix, (path.name, ws.title, c.coordinate)


def test_template_writes_formula_like_answers_as_text(tmp_path):
    answers = tweak(full_answers(), network_name="=2+2", website="+49")
    path = write_workbook(tmp_path / "wb.xlsx", 2025, "MR-001", answers)
    ws = load_workbook(path)["Netzwerk"]
    assert ws["B6"].data_type == "s" and ws["B6"].quotePrefix and ws["B6"].value == "=2+2"
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("Netzwerk").to_python()
    assert rows[5][1] == "=2+2"                                        # read back exactly


def test_nothing_written_out_becomes_a_formula(home, make_workbook):
    make_workbook("gut.xlsx", network_id="MR-001")
    path = make_workbook("boese.xlsx", tweak(full_answers(network_id="MR-002"), **HOSTILE), network_id="MR-002")
    wb = load_workbook(path)                      # a real formula typed by the coordinator, too
    wb["Netzwerk"]["B6"] = "=WEBSERVICE(\"http://boese.example\")"
    wb["Gebiet"]["B5"] = "+Köln"
    wb.save(path)
    received = process(home, 2025, None)
    assert received["boese.xlsx"].status == "rejected"
    con = duckdb.connect(str(Home(home).warehouse))
    run_id = con.execute("SELECT max(run_id) FROM meta.runs").fetchone()[0]
    out = home / "reports" / "2025"
    paths = write_check_reports(con, run_id, 2025, out, archived=archived_in(home))
    write_overview(con, 2025, out / "uebersicht.xlsx")
    con.close()
    report = out / "MR-002_Pruefbericht.xlsx"
    assert report in paths
    for p in [report, out / "uebersicht.xlsx"]:
        _assert_no_formula_anywhere(p)
    wb = load_workbook(report)
    listed = [c.value for row in wb[q.REPORT_SHEET].iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=1+1" in listed and "'@SUM(1)" in listed and "'\t120000,5" in listed
    assert not any("Anna" in v for v in listed)
    copy = wb["Netzwerk"]
    assert copy["B6"].value == "=WEBSERVICE(\"http://boese.example\")" and copy["B6"].quotePrefix
    assert copy["B14"].value == "=1+1" and copy["B14"].quotePrefix and copy["B14"].comment is not None
    assert wb["Gebiet"]["B5"].quotePrefix
    assert not wb.defined_names
    text = (out / "MR-002_Pruefbericht.txt").read_text(encoding="utf-8")
    assert all(not line.startswith(FORMULA_PREFIXES) for line in text.splitlines())


KREISE = [("05315", "Köln, Stadt", "Kreisfreie Stadt"), ("05316", "Leverkusen, Stadt", "Kreisfreie Stadt")]


def test_a_formula_without_a_saved_result_is_a_hint_at_its_cell(home):
    """openpyxl (like other scripts) saves formulas without their result; calamine reads them as empty.
    The template's own Kreis formulas in the Gebiet sheet are saved the same way and never count."""
    from .filler import fill
    path = write_workbook(home / "inbox" / "2025" / "a.xlsx", 2025, "MR-001", full_answers(), kreise=KREISE)
    fill(path, {("Netzwerk", "Ehrenamtlich Mitwirkende"): "=10+12"})
    wb = load_workbook(path)
    assert wb["Netzwerk"]["B14"].data_type == "f"
    assert sum(c.data_type == "f" for row in wb["Gebiet"].iter_rows() for c in row) == 40  # the template's own
    received = process(home, 2025, None)["a.xlsx"]
    assert received.status == "accepted_with_warnings", [f.message_en for f in received.findings]
    [hint] = [f for f in received.findings if f.code == "formula_uncached"]
    assert (hint.severity, hint.sheet, hint.cell, hint.field_key) == ("warning", "Netzwerk", "B14", "volunteers")
    assert hint.message_de == (
        "In Netzwerk!B14 (Ehrenamtlich Mitwirkende) steht eine Formel ohne gespeichertes Ergebnis; die Zelle "
        "wird deshalb als leer gelesen. Bitte die Datei in Excel oder LibreOffice öffnen, neu berechnen lassen "
        "(F9) und speichern – oder den Wert direkt eintragen.")
    assert [f.cell for f in received.findings] == ["B14"]


def test_the_templates_own_formulas_never_give_the_hint(home):
    path = write_workbook(home / "inbox" / "2025" / "a.xlsx", 2025, "MR-001", full_answers(), kreise=KREISE)
    assert sum(c.data_type == "f" for row in load_workbook(path)["Gebiet"].iter_rows() for c in row) == 40
    received = process(home, 2025, None)["a.xlsx"]
    assert received.status == "accepted" and received.findings == []
