"""Every validation rule: a failing and a passing case, and the exact cell it points to."""

from __future__ import annotations


import pytest

from mint_census.flows import steps
from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import write_workbook
from mint_census.schemas.frames import Context
from mint_census.sources import batch

from .conftest import REFERENCE_DIR, full_answers, needs_reference, tweak


def check(tmp_path, answers, year=2025, network_id="MR-001", kreis_land="reference", register_ids=None):
    from mint_census.sources.reference import load_reference

    inbox = tmp_path / f"inbox{len(list(tmp_path.iterdir()))}"
    write_workbook(inbox / "wb.xlsx", year, network_id, answers)
    received = batch.read_all(batch.discover(inbox), year)
    if kreis_land == "reference":
        kreis_land = load_reference(REFERENCE_DIR).kreis_land() if REFERENCE_DIR else {"05315": "05", "05316": "05"}
    steps.assess(received, year, Context(kreis_land=kreis_land, register_ids=register_ids))
    return received[0]


def where(rec, code):
    return [(f.severity, f.sheet, f.cell) for f in rec.findings if f.code == code]


def test_valid_workbook_has_no_findings(tmp_path):
    rec = check(tmp_path, full_answers())
    assert rec.findings == [] and rec.status == "accepted"


# (field, bad value, code, sheet, cell) for per-field rules: type, required, allowed values, bounds, format
FIELD_CASES = [
    ("volunteers", "zwölf", "not_an_integer", "Netzwerk", "B14"),
    ("budget_eur", "viel", "not_a_number", "Netzwerk", "B15"),
    ("paid_staff_fte", 250, "out_of_range", "Netzwerk", "B13"),
    ("meetings_per_year", -1, "out_of_range", "Netzwerk", "B19"),
    ("volunteers", 2.5, "not_an_integer", "Netzwerk", "B14"),
    ("network_name", None, "required", "Netzwerk", "B6"),
    ("is_mint_cluster", None, "required", "Netzwerk", "B21"),
    ("network_type", "Verbund", "not_allowed", "Netzwerk", "B7"),
    ("land_code", "Bayernland", "not_allowed", "Netzwerk", "B8"),
    ("has_written_goals", "vielleicht", "not_yes_no", "Netzwerk", "B17"),
    ("website", "keine Seite", "bad_format", "Netzwerk", "B20"),
    ("partners_kitas", None, "required", "Partner", "B5"),
    ("partners_unternehmen", 6000, "out_of_range", "Partner", "B11"),
    ("funding_eu_eur", "zwei Euro", "not_a_number", "Finanzierung", "B7"),
    ("contact_email", "kein-at-zeichen", "bad_format", "Kontakt", "B6"),
    ("founded_year", 1850, "out_of_range", "Netzwerk", "B9"),
]


@pytest.mark.parametrize("key,value,code,sheet,cell", FIELD_CASES)
def test_field_rule_fails_at_exact_cell(tmp_path, key, value, code, sheet, cell):
    rec = check(tmp_path, tweak(full_answers(), **{key: value}))
    assert where(rec, code) == [("error", sheet, cell)], [f.message_de for f in rec.findings]
    assert rec.status == "rejected"
    f = next(f for f in rec.findings if f.code == code)
    assert f.field_label == q.layout("2025.1").places[key].label
    assert f"{sheet}!{cell}" in f.message_de and "Erwartet" in f.message_de


def test_personal_value_never_repeated_in_findings(tmp_path):
    rec = check(tmp_path, tweak(full_answers(), contact_email="geheim.at.example"))
    f = next(f for f in rec.findings if f.code == "bad_format")
    assert "geheim" not in f.message_de and "geheim" not in (f.found or "")


def test_type_failure_does_not_hide_other_rules(tmp_path):
    """A bad number in one column and rule failures in others are all reported at once."""
    rec = check(tmp_path, tweak(full_answers(), volunteers="zwölf", founded_year=2030, network_type="X"))
    codes = {(f.code, f.cell) for f in rec.findings if f.is_error}
    assert codes == {("not_an_integer", "B14"), ("founded_after_survey", "B9"), ("not_allowed", "B7")}


def test_failed_conversion_is_not_also_reported_as_missing(tmp_path):
    rec = check(tmp_path, tweak(full_answers(), budget_eur="ca. 100.000"))
    assert [(f.code, f.cell) for f in rec.findings] == [("not_a_number", "B15")]


def test_founding_year_rule(tmp_path):
    assert where(check(tmp_path, tweak(full_answers(), founded_year=2026)), "founded_after_survey") == [
        ("error", "Netzwerk", "B9")]
    assert where(check(tmp_path, tweak(full_answers(), founded_year=2025)), "founded_after_survey") == []


def test_multichoice_allowed_values_at_exact_row(tmp_path):
    answers = full_answers()
    answers.tables[q.S_OFFER][1]["subjects"] = ["Physik", "Alchemie"]
    rec = check(tmp_path, answers)
    assert where(rec, "not_allowed") == [("error", "Angebote", "D6")]
    answers.tables[q.S_OFFER][1]["subjects"] = ["Physik", "Chemie"]
    assert where(check(tmp_path, answers), "not_allowed") == []


def test_table_required_cell(tmp_path):
    answers = full_answers()
    answers.tables[q.S_AREA][1]["coverage"] = None
    assert where(check(tmp_path, answers), "required") == [("error", "Gebiet", "C6")]


def test_no_kreis(tmp_path):
    answers = full_answers()
    answers.tables[q.S_AREA] = []
    assert where(check(tmp_path, answers), "no_kreis") == [("error", "Gebiet", "A5")]


@needs_reference
def test_unknown_kreis(tmp_path):
    answers = full_answers()
    answers.tables[q.S_AREA][1]["kreis_code"] = "99999"
    assert where(check(tmp_path, answers), "unknown_kreis") == [("error", "Gebiet", "A6")]
    answers.tables[q.S_AREA][1]["kreis_code"] = "05316"
    assert where(check(tmp_path, answers), "unknown_kreis") == []


@needs_reference
def test_unknown_offer_kreis(tmp_path):
    answers = full_answers()
    answers.tables[q.S_OFFER][0]["offer_kreis_code"] = "05999"
    assert where(check(tmp_path, answers), "unknown_kreis") == [("error", "Angebote", "G5")]


@needs_reference
def test_old_kreis_code_is_a_warning_and_mapped(tmp_path):
    answers = full_answers()
    answers.form["land_code"] = "16"
    answers.tables[q.S_AREA] = [{"kreis_code": "16056", "coverage": "ganz"}]
    rec = check(tmp_path, answers)
    assert where(rec, "old_kreis") == [("warning", "Gebiet", "A5")]
    assert rec.status == "accepted_with_warnings"


def test_kreis_rules_skipped_without_reference(tmp_path):
    answers = full_answers()
    answers.tables[q.S_AREA][1]["kreis_code"] = "99999"
    rec = check(tmp_path, answers, kreis_land=None)
    assert where(rec, "unknown_kreis") == [] and where(rec, "land_mismatch") == []


@needs_reference
def test_land_must_match_a_kreis(tmp_path):
    rec = check(tmp_path, tweak(full_answers(), land_code="09"))
    assert where(rec, "land_mismatch") == [("error", "Netzwerk", "B8")]
    assert "Bayern" in next(f.message_de for f in rec.findings if f.code == "land_mismatch")


def test_funding_vs_budget_warning(tmp_path):
    rec = check(tmp_path, tweak(full_answers(), budget_eur=300000))
    assert where(rec, "funding_vs_budget") == [("warning", "Netzwerk", "B15")]
    assert rec.status == "accepted_with_warnings"
    assert where(check(tmp_path, tweak(full_answers(), budget_eur=125000)), "funding_vs_budget") == []


def test_staff_without_budget_warning(tmp_path):
    answers = tweak(full_answers(), budget_eur=0)
    answers.form.update({k: None for k in answers.form if k.startswith("funding_")})
    assert where(check(tmp_path, answers), "staff_without_budget") == [("warning", "Netzwerk", "B15")]
    answers.form["paid_staff_fte"] = 0
    assert where(check(tmp_path, answers), "staff_without_budget") == []


def test_duplicate_kreis_warning(tmp_path):
    answers = full_answers()
    answers.tables[q.S_AREA][1]["kreis_code"] = "05315"
    assert where(check(tmp_path, answers), "duplicate_kreis") == [("warning", "Gebiet", "A6")]


def test_network_id_must_match_template_and_register(tmp_path):
    rec = check(tmp_path, tweak(full_answers(), network_id="MR-777"))
    assert where(rec, "network_id_mismatch") == [("error", "Netzwerk", "B5")]
    rec = check(tmp_path, full_answers(network_id="MR-009"), network_id="MR-009", register_ids={"MR-001"})
    assert where(rec, "unknown_network") == [("error", "Netzwerk", "B5")]
    assert where(check(tmp_path, full_answers(), register_ids={"MR-001"}), "unknown_network") == []


def test_wrong_year_workbook(tmp_path):
    inbox = tmp_path / "box"
    write_workbook(inbox / "wb.xlsx", 2024, "MR-001", full_answers(2024))
    rec = batch.read_all(batch.discover(inbox), 2025)[0]
    assert [(f.code, f.sheet, f.cell) for f in rec.findings] == [("wrong_year", "_meta", "B2")]


def test_interpreted_values_are_warnings_with_what_was_read(tmp_path):
    answers = tweak(full_answers(), budget_eur="120.000,50 €", volunteers=" 12 ", has_written_goals="Ja")
    answers.tables[q.S_AREA][0]["kreis_code"] = 5315
    rec = check(tmp_path, answers)
    got = {(f.code, f.cell): f for f in rec.findings}
    assert set(got) == {("number_as_text", "B15"), ("number_as_text", "B14"), ("normalised", "B17"),
                        ("leading_zero", "A5")}
    assert all(f.severity == "warning" for f in rec.findings)
    assert "übernommen als „120.000,5“" in got[("number_as_text", "B15")].message_de
    assert rec.status == "accepted_with_warnings"


def test_layout_change_is_reported_at_the_label(tmp_path):
    from openpyxl import load_workbook

    inbox = tmp_path / "box"
    path = write_workbook(inbox / "wb.xlsx", 2025, "MR-001", full_answers())
    wb = load_workbook(path)
    wb["Netzwerk"].insert_rows(7)
    wb.save(path)
    rec = batch.read_all(batch.discover(inbox), 2025)[0]
    assert ("layout_changed", "A7") in {(f.code, f.cell) for f in rec.findings}


def test_unknown_template_version_is_rejected_by_name(tmp_path):
    from openpyxl import load_workbook

    inbox = tmp_path / "box"
    path = write_workbook(inbox / "wb.xlsx", 2025, "MR-001", full_answers())
    wb = load_workbook(path)
    wb["_meta"]["B1"] = "2019.7"
    wb.save(path)
    rec = batch.read_all(batch.discover(inbox), 2025)[0]
    f = rec.findings[0]
    assert (f.code, f.cell, f.found) == ("unknown_version", "B1", "2019.7")
    assert "2019.7" in f.message_de


# --- rules across years (Context.previous, built by warehouse.answers.previous_values) ------------

def check_prev(tmp_path, answers, previous, network_id="MR-001"):
    inbox = tmp_path / f"inbox{len(list(tmp_path.iterdir()))}"
    write_workbook(inbox / "wb.xlsx", 2025, network_id, answers)
    received = batch.read_all(batch.discover(inbox), 2025)
    steps.assess(received, 2025, Context(previous=previous))
    return received[0]


def last_year(**kw):
    a = full_answers(2024)
    prev = {"_year": 2024, "founded_year": a.form["founded_year"], "budget_eur": a.form["budget_eur"],
            **{f.key: a.form[f.key] for f in q.PARTNER_FIELDS}}
    prev.update(kw)
    return {"MR-001": prev}


def test_same_answers_as_last_year_pass(tmp_path):
    rec = check_prev(tmp_path, full_answers(), last_year())
    assert rec.findings == []


def test_founding_year_changed_vs_last_year(tmp_path):
    rec = check_prev(tmp_path, full_answers(), last_year(founded_year=2009))
    assert where(rec, "founded_year_changed") == [("warning", "Netzwerk", "B9")]
    f = next(f for f in rec.findings if f.code == "founded_year_changed")
    assert "2009" in f.message_de and "2011" in f.message_de and "2024" in f.message_de
    assert rec.status == "accepted_with_warnings"


def test_budget_jump_by_more_than_three(tmp_path):
    rec = check_prev(tmp_path, full_answers(), last_year(budget_eur=12000.0))      # x10
    assert where(rec, "budget_jump") == [("warning", "Netzwerk", "B15")]
    rec = check_prev(tmp_path, full_answers(), last_year(budget_eur=500000.0))     # down to a quarter
    assert where(rec, "budget_jump") == [("warning", "Netzwerk", "B15")]
    assert where(check_prev(tmp_path, full_answers(), last_year(budget_eur=50000.0)), "budget_jump") == []


def test_partner_count_jump_points_at_the_type_that_changed_most(tmp_path):
    prev = last_year(**{f.key: 0 for f in q.PARTNER_FIELDS})
    prev["MR-001"]["partners_kitas"] = 2          # total 2 last year; now 0+3+6+...
    rec = check_prev(tmp_path, full_answers(), prev)
    last_key = q.PARTNER_FIELDS[-1].key           # i * 3: the last type grew most
    cell = q.layout("2025.1").places[last_key].cell()
    assert where(rec, "partners_jump") == [("warning", "Partner", cell)]
    prev = last_year()
    assert where(check_prev(tmp_path, full_answers(), prev), "partners_jump") == []


def test_across_year_rules_need_the_network_in_previous(tmp_path):
    rec = check_prev(tmp_path, full_answers(), {"MR-999": last_year(founded_year=1999)["MR-001"]})
    assert rec.findings == []
    assert check_prev(tmp_path, full_answers(), None).findings == []


def test_missing_since_last_year():
    from mint_census.schemas.rules import missing_since_last_year

    prev = {"MR-001": {"_year": 2024}, "MR-002": {"_year": 2024}, "MR-003": {"_year": 2022}}
    ctx = Context(previous=prev)
    assert missing_since_last_year(ctx, 2025, {"MR-001"}) == ["MR-002"]
    assert missing_since_last_year(Context(), 2025, set()) == []


@needs_reference
def test_previous_values_from_the_warehouse(home, make_workbook, reference):
    import duckdb

    from mint_census.warehouse.answers import previous_values
    from mint_census.flows.home import Home

    from .conftest import process

    make_workbook("a.xlsx", full_answers(2024), year=2024)
    process(home, 2024, reference)
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    prev = previous_values(con, 2025)
    assert previous_values(con, 2024) == {}
    con.close()
    assert prev["MR-001"]["_year"] == 2024
    assert prev["MR-001"]["founded_year"] == 2011 and prev["MR-001"]["budget_eur"] == 120000.5
    assert prev["MR-001"]["partners_kitas"] == 0
    # and the rule fires on this year's workbook against it
    from .conftest import tweak as _tweak
    inbox = home / "inbox" / "2025"
    write_workbook(inbox / "b.xlsx", 2025, "MR-001", _tweak(full_answers(), founded_year=2015))
    received = batch.read_all(batch.discover(inbox), 2025)
    steps.assess(received, 2025, Context(previous=prev))
    assert where(received[0], "founded_year_changed") == [("warning", "Netzwerk", "B9")]
