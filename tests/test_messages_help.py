"""Messages that help: exactly what was typed, one finding per cell and cause, workbook order,
German grammar, the closest allowed value, choices in any order, "ca." where a number is
approximate, NFC."""

from __future__ import annotations

import unicodedata

import duckdb
from openpyxl import load_workbook

from mint_census.flows import steps
from mint_census.flows.home import Home
from mint_census.schemas import questionnaire as q
from mint_census.schemas.findings import WARNING
from mint_census.schemas.frames import Context
from mint_census.schemas.messages import cell_finding
from mint_census.schemas.template import write_workbook
from mint_census.sources import batch

from .conftest import full_answers, process, tweak


def _check(tmp_path, answers):
    box = tmp_path / "box"
    write_workbook(box / "a.xlsx", 2025, "MR-001", answers)
    received = batch.read_all(batch.discover(box), 2025)
    frames = steps.assess(received, 2025, Context())
    return received[0], frames


def _offers(answers, first, second):
    answers.tables[q.S_OFFER][0]["target_groups"] = first
    answers.tables[q.S_OFFER][1]["subjects"] = second
    return answers


def test_multiple_choice_in_any_order_and_spacing_is_read(tmp_path):
    rec, frames = _check(tmp_path, _offers(full_answers(), "Sekundarstufe I;Primarstufe",
                                           "Technik ;  Informatik"))
    assert rec.findings == []
    offers = frames.frames[q.S_OFFER]
    assert list(offers["target_groups"]) == [["Primarstufe", "Sekundarstufe I"], ["Primarstufe"]]
    assert list(offers["subjects"]) == [["Informatik", "Technik"], ["Informatik", "Technik"]]


def test_wrong_item_of_a_multiple_choice_one_error_quoting_what_was_typed(tmp_path):
    """Used to be an error quoting a re-sorted value plus a hint that it was accepted, on one cell."""
    rec, _ = _check(tmp_path, _offers(full_answers(), "Sek I; Grundschule", "Naturwissenschaften"))
    assert [(f.severity, f.cell, f.code) for f in rec.findings] == [("error", "C5", "not_allowed")]
    msg = rec.findings[0].message_de
    assert msg.startswith("Angebote!C5 – Zielgruppen: „Sek I“ steht nicht in der Auswahlliste – meinten Sie "
                          "„Sekundarstufe I“? (gefunden „Sek I; Grundschule“). Erwartet: ein oder mehrere Werte")
    assert rec.findings[0].found == "Sek I; Grundschule"


def test_a_value_not_in_the_list_names_the_closest_allowed_value(tmp_path):
    rec, _ = _check(tmp_path, tweak(full_answers(), host_type="Vereinn", network_type="Raumfahrt"))
    assert [(f.cell, f.code) for f in rec.findings] == [("B7", "not_allowed"), ("B10", "not_allowed")]
    assert rec.findings[1].message_de.startswith(
        "Netzwerk!B10 – Art des Trägers: „Vereinn“ steht nicht in der Auswahlliste – meinten Sie „Verein“? "
        "(gefunden „Vereinn“).")
    assert rec.findings[0].message_de.startswith(
        "Netzwerk!B7 – Art des Netzwerks: „Raumfahrt“ steht nicht in der Auswahlliste (gefunden „Raumfahrt“).")


def test_one_typo_gives_one_error(tmp_path):
    """20015 as founding year used to give two errors (out of range, and after the survey year)."""
    rec, _ = _check(tmp_path, tweak(full_answers(), founded_year=20015))
    assert [(f.cell, f.code) for f in rec.findings] == [("B9", "out_of_range")]


def test_approximate_number_is_read_with_a_hint_where_the_question_asks_for_one(tmp_path):
    rec, frames = _check(tmp_path, tweak(full_answers(), volunteers="ca. 20", meetings_per_year="ca. 6"))
    assert [(f.severity, f.cell, f.code) for f in rec.findings] == [
        ("warning", "B14", "approximate"), ("error", "B19", "not_an_integer")]
    assert rec.findings[0].message_de == ("Netzwerk!B14 – Ehrenamtlich Mitwirkende: Ungefähre Angabe als Zahl "
                                          "übernommen: eingetragen „ca. 20“, übernommen als „20“. Bitte prüfen.")
    assert frames.frames[q.S_NET]["volunteers"].tolist() == [20]
    for typed in ("etwa 15", "~15", "ungefähr 15", "Ca.15"):
        rec, frames = _check(tmp_path / typed.replace("~", "t").replace(" ", "_"), tweak(full_answers(), volunteers=typed))
        assert frames.frames[q.S_NET]["volunteers"].tolist() == [15], typed


def test_decomposed_umlauts_are_read_as_typed(tmp_path):
    """A decomposed umlaut (NFD, as macOS may save) was rejected against an identical-looking value."""
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    answers = _offers(tweak(full_answers(), host_type=nfd("Wirtschaftsförderung")), nfd("Lehrkräfte"),
                      "Naturwissenschaften")
    rec, frames = _check(tmp_path, answers)
    assert rec.findings == []
    assert frames.frames[q.S_NET]["host_type"].tolist() == ["Wirtschaftsförderung"]
    assert frames.frames[q.S_OFFER]["target_groups"].tolist()[0] == ["Lehrkräfte"]


def test_no_python_none_in_a_hint():
    spec = q.FIELD_BY_KEY["kreis_code"]
    f = cell_finding(WARNING, "normalised", spec, "Gebiet", "A6", "Kreisschlüssel", None, 2025, read_as="06411")
    assert "None" not in f.message_de
    assert f.message_de == ("Gebiet!A6 – Kreisschlüssel: Schreibweise wurde angeglichen: nichts eingetragen, "
                            "übernommen als „06411“. Bitte prüfen.")


def test_findings_in_workbook_order_and_counted_in_german(home, make_workbook):
    """Findings used to be sorted by sheet name (Angebote, Kontakt, Netzwerk) and counted "1 Hinweise"."""
    answers = _offers(tweak(full_answers(), founded_year=2061, contact_email="keine-mail", budget_eur="120.000,50"),
                      "Zauberei", "Naturwissenschaften")
    make_workbook("a.xlsx", answers)
    process(home, 2025, None)
    ws = load_workbook(Home(home).reports(2025) / "MR-001_Pruefbericht.xlsx")["Prüfbericht"]
    rows = [r for r in ws.iter_rows(min_row=10, values_only=True) if r[0]]
    assert [(r[2], r[3]) for r in rows] == [("Netzwerk", "B9"), ("Netzwerk", "B15"), ("Angebote", "C5"),
                                            ("Kontakt", "B6")]
    intro = [c.value for c in ws["A"][:8] if c.value]
    assert "Ergebnis: abgelehnt (3 Fehler, 1 Hinweis)" in intro
    mail = (Home(home).reports(2025) / "MR-001_Pruefbericht.txt").read_text(encoding="utf-8")
    assert "(3 Fehler, 1 Hinweis)" in mail
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM meta.findings WHERE message_de LIKE '%None%'").fetchone() == (0,)
    con.close()
