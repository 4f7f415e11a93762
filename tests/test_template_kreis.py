"""The template's Kreis choice: by name from a dropdown, with the code filled in."""

from __future__ import annotations

from openpyxl import load_workbook

from mint_census.flows import steps
from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import kreis_label, write_workbook
from mint_census.sources.workbook import read_workbook

from .conftest import full_answers

KREISE = [("05315", "Köln, Stadt", "Kreisfreie Stadt"), ("05316", "Leverkusen, Stadt", "Kreisfreie Stadt"),
          ("09187", "Rosenheim", "Landkreis"), ("09163", "Rosenheim", "Kreisfreie Stadt")]


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
    # names repeat (Stadt and Landkreis Rosenheim): the label says the type and carries the code
    assert labels == ["Köln, Stadt (05315)", "Leverkusen, Stadt (05316)", "Rosenheim, kreisfreie Stadt (09163)",
                      "Rosenheim, Landkreis (09187)"]
    formula = ws["A7"].value                       # first empty row: code looked up from the name
    assert formula.startswith("=IF($B7=\"\"") and "MATCH($B7," in formula and "INDEX(" in formula
    # prefilled rows too: the name shows the Kreis's label and the code is looked up from it
    assert ws["A5"].value.startswith("=IF($B5=\"\"") and ws["B5"].value == "Köln, Stadt (05315)"
    assert lists.sheet_state == "hidden" and lists.protection.sheet


def test_prefilled_code_gets_its_name_and_reads_back(tmp_path):
    answers = full_answers()
    answers.tables[q.S_AREA][1]["kreis_name"] = None
    path = _write(tmp_path, answers)
    assert load_workbook(path)[q.S_AREA]["B6"].value == kreis_label("05316", "Leverkusen, Stadt")
    wb = read_workbook(path)
    assert wb.findings == []
    area = {c.cell: c.value for c in wb.cells if c.sheet == q.S_AREA}
    # code cells hold the lookup (no cached value from openpyxl): the label carries the code
    assert area == {"A5": None, "B5": "Köln, Stadt (05315)", "C5": "ganz",
                    "A6": None, "B6": "Leverkusen, Stadt (05316)", "C6": "teilweise"}


def test_without_reference_data_the_code_is_typed(tmp_path):
    ws = load_workbook(_write(tmp_path, kreise=None))[q.S_AREA]
    assert ws["A7"].value is None
    assert all(dv.type != "list" for dv in ws.data_validations.dataValidation if "B5" in str(dv.sqref))


def test_name_chosen_but_code_formula_never_calculated(tmp_path):
    """Saved by a program that does not recalculate: the code is read from the chosen label (what the
    template's formula gives), without a finding."""
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
    assert received[0].findings == []


def test_name_and_code_disagree_the_name_wins_with_a_hint(tmp_path):
    """A prefilled row whose Kreis was re-chosen by name but whose code cell still holds the old code."""
    from mint_census.schemas.frames import Context
    from mint_census.sources import batch

    answers = full_answers()
    answers.tables[q.S_AREA][1] = {"kreis_code": "06636", "kreis_name": "Darmstadt, Wissenschaftsstadt (06411)",
                                   "coverage": "ganz"}
    inbox = tmp_path / "box"
    write_workbook(inbox / "wb.xlsx", 2025, "MR-001", answers)
    received = batch.read_all(batch.discover(inbox), 2025)
    frames = steps.assess(received, 2025, Context(kreis_land={"05315": "05", "06411": "06", "06636": "06"}))
    assert list(frames.frames[q.S_AREA]["kreis_code"]) == ["05315", "06411"]
    found = [(f.severity, f.code, f.cell) for f in received[0].findings if f.code == "kreis_name_wins"]
    assert found == [("warning", "kreis_name_wins", "A6")]
    assert received[0].findings[0].message_de == (
        "Gebiet!A6 – Kreisschlüssel: Kreisschlüssel passt nicht zum gewählten Kreis „Darmstadt, "
        "Wissenschaftsstadt (06411)“ – es gilt der gewählte Kreis: eingetragen „06636“, übernommen als "
        "„06411“. Bitte prüfen.")


def test_kreis_labels_say_the_type_and_sort_as_in_a_german_dictionary(tmp_path):
    kreise = [("08115", "Böblingen", "Landkreis"), ("15084", "Burgenlandkreis", "Landkreis"),
              ("09461", "Bamberg", "Kreisfreie Stadt"), ("09471", "Bamberg", "Landkreis"),
              ("03241", "Region Hannover", "Landkreis"), ("05334", "Städteregion Aachen", "Kreis"),
              ("10045", "Saarpfalz-Kreis", "Landkreis"), ("16063", "Wartburgkreis", "Kreis"),
              ("05315", "Köln, Stadt", "Kreisfreie Stadt"), ("08111", "Stuttgart", "Stadtkreis")]
    wb = load_workbook(_write(tmp_path, kreise=kreise))
    col = next(c for c in wb[q.LISTS_SHEET][1] if c.value == "_kreis_label").column_letter
    labels = [c.value for c in wb[q.LISTS_SHEET][col][1:] if c.value]
    assert labels == ["Bamberg, kreisfreie Stadt (09461)", "Bamberg, Landkreis (09471)", "Böblingen, Landkreis (08115)",
                      "Burgenlandkreis (15084)", "Köln, Stadt (05315)", "Region Hannover, Landkreis (03241)",
                      "Saarpfalz-Kreis (10045)", "Städteregion Aachen, Kreis (05334)",
                      "Stuttgart, Stadtkreis (08111)", "Wartburgkreis (16063)"]
