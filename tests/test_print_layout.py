"""Fit for screen and paper: print settings of the template and the check report, and the
findings sheet's columns (without a spreadsheet program; the page counts are in
test_loop_libreoffice.py)."""

from __future__ import annotations

from openpyxl import load_workbook

from mint_census.flows.home import Home
from mint_census.schemas.template import write_workbook

from .conftest import full_answers, process, tweak


def _check_print(ws, landscape: bool, title_rows: str | None, footer_id: str):
    assert ws.page_setup.paperSize == 9, ws.title                       # A4
    assert ws.page_setup.orientation == ("landscape" if landscape else "portrait"), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
    assert ws.page_setup.fitToHeight == 0, ws.title
    assert ws.print_title_rows == title_rows, ws.title
    assert footer_id in ws.oddFooter.left.text and ws.oddFooter.right.text == "Seite &P von &N", ws.title


def test_every_template_sheet_has_print_settings(tmp_path):
    wb = load_workbook(write_workbook(tmp_path / "a.xlsx", 2025, "MR-001", full_answers()))
    _check_print(wb["Hinweise"], False, None, "MR-001")
    for name in ("Netzwerk", "Partner", "Finanzierung", "Kontakt", "Angebote"):
        _check_print(wb[name], True, "$4:$4", "MR-001")
    _check_print(wb["Gebiet"], False, "$4:$4", "MR-001")


def test_findings_sheet_fits_a_screen_and_does_not_repeat_itself(home, make_workbook):
    make_workbook("a.xlsx", tweak(full_answers(), founded_year=2061, budget_eur="120.000,50"))
    process(home, 2025, None)
    ws = load_workbook(Home(home).reports(2025) / "MR-001_Pruefbericht.xlsx")["Prüfbericht"]
    heads = [c.value for c in ws[9]]
    assert heads == ["Nr.", "Art", "Blatt", "Zelle", "Feld", "Gefunden", "Erwartet", "Problem"]
    width = sum(ws.column_dimensions[c.column_letter].width for c in ws[9])
    assert width <= 150                                                  # about 1,050 px at 7 px a character
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=10) if r[0].value]
    assert rows[0] == [1, "Fehler", "Netzwerk", "B9", "Gründungsjahr", "2061",
                       "ein Gründungsjahr nicht später als das Erhebungsjahr 2025",
                       "Gründungsjahr liegt nach dem Erhebungsjahr"]
    assert rows[1][7] == ("als Text eingetragene Zahl wurde gelesen: eingetragen „120.000,50“, übernommen als „120.000,5“. Bitte prüfen.")
    assert all(ws.row_dimensions[r].height >= 15 for r in (10, 11))
    _check_print(ws, True, "$9:$9", "MR-001")


def test_headers_dropdown_values_and_wrapped_text_are_not_cut_off(tmp_path):
    """Angebote headers and dropdown values used to be cut off; wrapped help overlapped the next row."""
    from mint_census.schemas import vocabularies as voc

    wb = load_workbook(write_workbook(tmp_path / "a.xlsx", 2025, "MR-001", full_answers()))
    offers = wb["Angebote"]
    assert offers.column_dimensions["B"].width >= max(len(v) for v in voc.OFFER_FORMATS) + 2
    assert offers.row_dimensions[4].height >= 33                       # "Kreisschlüssel des Angebots" wraps
    net = wb["Netzwerk"]
    assert net.row_dimensions[6].height is not None and net.row_dimensions[6].height >= 17
