"""The correction loop without a spreadsheet program: the report copy of a real template (with its
Kreis lookup formulas) is corrected and sent back, and checked again."""

from __future__ import annotations

from openpyxl import load_workbook

from mint_census.flows.home import Home
from mint_census.schemas.template import write_workbook

from .conftest import full_answers, needs_reference, process, tweak
from .filler import fill

KREISE = [("05315", "Köln, Stadt", "Kreisfreie Stadt"), ("05316", "Leverkusen, Stadt", "Kreisfreie Stadt")]


def _send(home, name, answers):
    return write_workbook(Home(home).inbox(2025) / name, 2025, "MR-001", answers, kreise=KREISE)


def test_corrected_report_copy_of_the_real_template_loads(home):
    """The report copy used to turn the template's Kreis formulas into text: 78 new errors."""
    _send(home, "bogen.xlsx", tweak(full_answers(), founded_year=2061))
    first = process(home, 2025, None)["bogen.xlsx"]
    assert [(f.cell, f.code) for f in first.findings] == [("B9", "founded_after_survey")]
    report = Home(home).reports(2025) / "MR-001_Pruefbericht.xlsx"
    area = load_workbook(report)["Gebiet"]
    assert area["A7"].data_type == "f" and area["A7"].value.startswith('=IF($B7="","",IFERROR(INDEX(')
    inbox = Home(home).inbox(2025)
    (inbox / "bogen.xlsx").unlink()
    fill(report, {("Netzwerk", "Gründungsjahr"): 2011}, inbox / "MR-001_Pruefbericht.xlsx")
    again = process(home, 2025, None)["MR-001_Pruefbericht.xlsx"]
    assert again.findings == [] and again.status == "accepted"


def test_resent_report_replaces_its_findings_sheet_and_marks(home):
    """A report copy sent back still wrong used to keep the old findings sheet and get "Prüfbericht1"."""
    _send(home, "bogen.xlsx", tweak(full_answers(), founded_year=2061, meetings_per_year=60))
    process(home, 2025, None)
    report = Home(home).reports(2025) / "MR-001_Pruefbericht.xlsx"
    inbox = Home(home).inbox(2025)
    (inbox / "bogen.xlsx").unlink()
    fill(report, {("Netzwerk", "Gründungsjahr"): 2011}, inbox / "MR-001_Pruefbericht.xlsx")  # B19 still wrong
    process(home, 2025, None)
    wb = load_workbook(report)
    assert wb.sheetnames[0] == "Prüfbericht" and wb.sheetnames.count("Prüfbericht") == 1
    assert not any(name.startswith("Prüfbericht") and name != "Prüfbericht" for name in wb.sheetnames)
    cells = [r[3] for r in wb["Prüfbericht"].iter_rows(min_row=10, values_only=True) if r[0]]
    assert cells == ["B19"]
    net = wb["Netzwerk"]
    assert net["B9"].comment is None and net["B9"].fill.fgColor.rgb.endswith("FFF2CC")   # fixed: unmarked
    assert net["B19"].comment is not None


@needs_reference
def test_prefilled_row_rechosen_by_name_the_name_wins(home, reference):
    """A prefilled Gebiet row whose Kreis is re-chosen by name used to keep the old code, silently."""
    path = _send(home, "bogen.xlsx", full_answers())
    wb = load_workbook(path)
    wb["Gebiet"]["B6"] = "Darmstadt, Wissenschaftsstadt (06411)"
    wb["Gebiet"]["A6"] = "06636"                    # the old code, as a program without recalculation leaves it
    wb.save(path)
    result = process(home, 2025, reference)["bogen.xlsx"]
    assert [(f.severity, f.cell, f.code) for f in result.findings if f.sheet == "Gebiet"] == [
        ("warning", "A6", "kreis_name_wins")]
    import duckdb
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT kreis_code FROM core.districts ORDER BY row_no").fetchall() == [("05315",), ("06411",)]
    con.close()
