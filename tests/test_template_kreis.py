"""The template's Kreis choice: by name from a dropdown, with the code filled in."""

from __future__ import annotations

from openpyxl import load_workbook

from mint_census.flows import steps
from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import kreis_label, write_workbook
from mint_census.sources.workbook import read_workbook

from .conftest import full_answers

KREISE = [("05315", "Köln, Stadt"), ("05316", "Leverkusen, Stadt"), ("09187", "Rosenheim"), ("09163", "Rosenheim")]


def _write(tmp_path, answers=None, kreise=KREISE):
    return write_workbook(tmp_path / "wb.xlsx", 2025, "MR-001", answers or full_answers(), kreise=kreise)


def test_kreis_is_chosen_by_name_and_the_code_filled_in(tmp_path):
    path = _write(tmp_path)
    wb = load_workbook(path)
    ws, lists = wb[q.S_AREA], wb[q.LISTS_SHEET]
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    name_dv = dvs["B5:B44"]
    assert name_dv.type == "list" and name_dv.formula1.startswith("'_listen'!")
    labels = [c.value for row in lists[name_dv.formula1.split("!")[1].replace("$", "")] for c in row]
    # names repeat (Stadt and Landkreis Rosenheim): the label carries the code, sorted by name
    assert labels == ["Köln, Stadt (05315)", "Leverkusen, Stadt (05316)", "Rosenheim (09163)", "Rosenheim (09187)"]
    formula = ws["A7"].value                       # first empty row: code looked up from the name
    assert formula.startswith("=IF($B7=\"\"") and "MATCH($B7," in formula and "INDEX(" in formula
    assert ws["A5"].value == "05315"               # prefilled rows keep their code
    assert lists.sheet_state == "hidden" and lists.protection.sheet


def test_prefilled_code_gets_its_name_and_reads_back(tmp_path):
    answers = full_answers()
    answers.tables[q.S_AREA][1]["kreis_name"] = None
    path = _write(tmp_path, answers)
    assert load_workbook(path)[q.S_AREA]["B6"].value == kreis_label("05316", "Leverkusen, Stadt")
    wb = read_workbook(path)
    assert wb.findings == []
    area = {c.cell: c.value for c in wb.cells if c.sheet == q.S_AREA}
    assert area == {"A5": "05315", "B5": "Köln", "C5": "ganz",
                    "A6": "05316", "B6": "Leverkusen, Stadt (05316)", "C6": "teilweise"}  # formula rows: empty


def test_without_reference_data_the_code_is_typed(tmp_path):
    ws = load_workbook(_write(tmp_path, kreise=None))[q.S_AREA]
    assert ws["A7"].value is None
    assert all(dv.type != "list" for dv in ws.data_validations.dataValidation if "B5" in str(dv.sqref))


def test_name_chosen_but_code_formula_never_calculated(tmp_path):
    """Saved by a program that does not recalculate: the code is read from the chosen label, as a warning."""
    from mint_census.schemas.frames import Context
    from mint_census.sources import batch

    answers = full_answers()
    answers.tables[q.S_AREA][1] = {"kreis_code": None, "kreis_name": kreis_label("05316", "Leverkusen, Stadt"),
                                   "coverage": "teilweise"}
    inbox = tmp_path / "box"
    write_workbook(inbox / "wb.xlsx", 2025, "MR-001", answers)
    received = batch.read_all(batch.discover(inbox), 2025)
    frames = steps.assess(received, 2025, Context(kreis_land={"05315": "05", "05316": "05"}))
    area = frames.frames[q.S_AREA]
    assert list(area["kreis_code"]) == ["05315", "05316"]
    assert [(f.severity, f.code, f.cell) for f in received[0].findings] == [("warning", "kreis_from_name", "A6")]
    assert "übernommen als „05316“" in received[0].findings[0].message_de
