"""Whatever a coordinator can type, one file never stops the run: that file gets findings, the
others load, and every check report and the overview are written."""

from __future__ import annotations

import duckdb
from openpyxl import load_workbook

from mint_census.flows.cli import main
from mint_census.flows.home import Home

from .conftest import full_answers, process, tweak


def _two_files(make_workbook, **bad_form):
    make_workbook("gut.xlsx", network_id="MR-002", answers=full_answers(2025, "MR-002"))
    make_workbook("schlecht.xlsx", tweak(full_answers(), **bad_form))


def _outcome(home, result):
    codes = sorted((f.cell, f.code) for f in result["schlecht.xlsx"].findings)
    reports = sorted(p.name for p in Home(home).reports(2025).iterdir())
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    loaded = [r[0] for r in con.execute("SELECT network_id FROM core.networks").fetchall()]
    con.close()
    return codes, reports, loaded


def test_huge_number_in_a_count_cell(home, make_workbook):
    """1E+20 in a count cell used to end the whole ingest (OverflowError in a cast)."""
    _two_files(make_workbook, volunteers=1e20, meetings_per_year="1E+20")
    result = process(home, 2025, None)
    codes, reports, loaded = _outcome(home, result)
    assert result["schlecht.xlsx"].status == "rejected" and result["gut.xlsx"].status == "accepted"
    assert codes == [("B14", "out_of_range"), ("B19", "not_an_integer")]
    assert "MR-001_Pruefbericht.xlsx" in reports and "uebersicht.xlsx" in reports
    assert loaded == ["MR-002"]
    msg = next(f.message_de for f in result["schlecht.xlsx"].findings if f.cell == "B14")
    assert "gefunden „100000000000000000000“" in msg


def test_nan_and_inf_typed_as_text(home, make_workbook):
    _two_files(make_workbook, volunteers="NaN", budget_eur="inf", paid_staff_fte="-Infinity")
    result = process(home, 2025, None)
    codes, reports, loaded = _outcome(home, result)
    assert codes == [("B13", "not_a_number"), ("B14", "not_an_integer"), ("B15", "not_a_number")]
    assert loaded == ["MR-002"] and "MR-001_Pruefbericht.xlsx" in reports


def test_control_character_in_a_flagged_cell_still_gives_every_report(home, make_workbook):
    """A pasted vertical tab (stored as _x000B_) in a cell with a finding used to end the run after
    the load (openpyxl IllegalCharacterError): no check report, no overview."""
    _two_files(make_workbook, network_type="MINT_x000B_Region", founded_year="2011_x001B_[2J")
    result = process(home, 2025, None)
    codes, reports, loaded = _outcome(home, result)
    assert ("B7", "not_allowed") in codes and ("B9", "not_an_integer") in codes
    assert "MR-001_Pruefbericht.xlsx" in reports and "uebersicht.xlsx" in reports
    wb = load_workbook(Home(home).reports(2025) / "MR-001_Pruefbericht.xlsx")
    shown = [c.value for row in wb["Prüfbericht"].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(ch in s for s in shown for ch in "\x0b\x1b")
    assert any("MINT\ufffdRegion" in s for s in shown)      # the control character shown as �


def test_console_strips_control_characters(home, capsys):
    """Cell text on the console (here a Netzwerk-ID from the hidden meta sheet, in the log line of a
    rejected file) cannot carry escape sequences: clear the screen, print a fake green line."""
    import logging

    from mint_census.flows.cli import PrintableStream, configure_logging

    sys_err = __import__("sys").stderr
    try:
        __import__("sys").stderr = PrintableStream(sys_err)
        configure_logging(Home(home), verbose=False)
        logging.getLogger("mint_census.flows.steps").warning(
            "rejected %s (%s)", "a.xlsx", "MR-001\x1b[2J\x1b[32m alles angenommen\r")
    finally:
        __import__("sys").stderr = sys_err
    err = capsys.readouterr().err
    assert err == "WARNING rejected a.xlsx (MR-001[2J[32m alles angenommen)\n"
    # every command's console output goes through the same filter
    assert main(["template", "--home", str(home), "--year", "2025", "--blank",
                 "--out", str(home / "\x1b[2Jvorlagen")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "[2Jvorlagen" in out


def test_contacts_never_quoted_when_the_contact_labels_moved(home, make_workbook):
    """Column A of the Kontakt sheet deleted: the values shift into the label column; the
    layout finding must not quote them."""
    path = make_workbook("a.xlsx")
    wb = load_workbook(path)
    ws = wb["Kontakt"]
    ws.delete_cols(1)
    wb.save(path)
    result = process(home, 2025, None)
    texts = [t for f in result["a.xlsx"].findings for t in (f.message_de, f.message_en, f.found, f.expected)
             if t]
    assert result["a.xlsx"].status == "rejected"
    assert [(f.sheet, f.cell, f.code) for f in result["a.xlsx"].findings] == [
        ("Kontakt", "A5", "layout_changed"), ("Kontakt", "A6", "layout_changed"), ("Kontakt", "A7", "layout_changed")]
    assert not any(v in t for t in texts for v in ("Anna Beispiel", "anna.beispiel@example.org", "0221 123456"))
    mail = (Home(home).reports(2025) / "MR-001_Pruefbericht.txt").read_text(encoding="utf-8")
    assert "Anna" not in mail and "0221" not in mail


def test_date_in_a_number_cell(home, make_workbook):
    from datetime import date

    _two_files(make_workbook, volunteers=date(2024, 5, 1))
    result = process(home, 2025, None)
    codes, reports, loaded = _outcome(home, result)
    assert codes == [("B14", "not_a_number")]
    msg = result["schlecht.xlsx"].findings[0].message_de
    assert "gefunden „01.05.2024“" in msg and "None" not in msg
    assert loaded == ["MR-002"] and "MR-001_Pruefbericht.xlsx" in reports
