"""A new survey year without a developer, a new network on a blank template, the staff overview as a
work list, and publishing an empty year."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
from openpyxl import load_workbook

from mint_census.flows.cli import main
from mint_census.flows.home import Home
from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import Answers, write_workbook

from .conftest import full_answers, process, tweak


def _meta(path: Path) -> dict:
    ws = load_workbook(path)["_meta"]
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 4)}


def test_a_year_without_its_own_version_uses_the_newest(home, tmp_path, capsys):
    newest = max(q.TEMPLATE_VERSIONS, key=lambda v: q.TEMPLATE_VERSIONS[v])
    assert q.version_for_year(2027) == q.version_for_year(2031) == newest == "2026.1"
    assert q.version_for_year(2024) == "2024.1"
    out = tmp_path / "versand"
    assert main(["template", "--year", "2027", "--out", str(out), "--home", str(home)]) == 0
    assert main(["template", "--year", "2027", "--out", str(out), "--home", str(home), "--blank"]) == 0
    assert "template 2027: 3 workbooks" in capsys.readouterr().out
    assert _meta(out / "Erhebungsbogen_2027_MR-002.xlsx") == {
        "template_version": "2026.1", "census_year": 2027, "network_id": "MR-002"}
    cover = load_workbook(out / "Erhebungsbogen_2027_leer.xlsx")["Hinweise"]
    assert cover["A1"].value == "Erhebung MINT-Regionen 2027 – Erhebungsbogen"
    # nothing is marked as new in a year that asks last year's questions
    net = load_workbook(out / "Erhebungsbogen_2027_MR-002.xlsx")["Netzwerk"]
    assert not any(str(c.value).startswith("NEU") for row in net.iter_rows() for c in row if c.value)
    # a 2027 workbook filled in and returned is read and loaded
    write_workbook(home / "inbox" / "2027" / "a.xlsx", 2027, "MR-001", full_answers(2025, "MR-001"))
    received = process(home, 2027, None)
    assert received["a.xlsx"].status == "accepted", [f.message_en for f in received["a.xlsx"].findings]
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT template_version FROM core.networks WHERE census_year = 2027").fetchall() == [
        ("2026.1",)]
    con.close()


def test_a_new_network_on_a_blank_template_is_shown_with_name_and_land(home, make_workbook):
    answers = tweak(full_answers(2025, "MR-001"), network_name="MINT-Netz Neustadt", land_code="09")
    answers.form.pop("network_id")
    answers.tables["Gebiet"] = [{"kreis_code": "09162", "coverage": "ganz"}]
    answers.tables["Angebote"] = [{**r, "offer_kreis_code": None} for r in answers.tables["Angebote"]]
    write_workbook(home / "inbox" / "2025" / "neu.xlsx", 2025, None, answers)
    # the same blank template with a real mistake is rejected, and still not for the missing ID
    bad = tweak(answers, founded_year=2061)
    write_workbook(home / "inbox" / "2025" / "neu_falsch.xlsx", 2025, None, bad)
    make_workbook("a.xlsx", network_id="MR-001")
    received = process(home, 2025, None)
    new = received["neu.xlsx"]
    assert new.status == "new_network", [f.message_en for f in new.findings]
    assert [f.code for f in new.findings] == ["new_network"]
    assert "„MINT-Netz Neustadt“ ist neu in der Erhebung" in new.findings[0].message_de
    wrong = received["neu_falsch.xlsx"]
    assert wrong.status == "rejected"
    assert {f.field_key for f in wrong.findings if f.is_error} == {"founded_year"}
    ws = load_workbook(home / "reports" / "2025" / "uebersicht.xlsx")["Übersicht"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    [row] = [r for r in rows if r["Datei"] == "neu.xlsx"]
    assert (row["Netzwerk-ID"], row["Netzwerk"], row["Bundesland"], row["Status"]) == (
        None, "MINT-Netz Neustadt", "Bayern", "neues Netzwerk (Aufnahme ins Verzeichnis)")
    assert "register add" in row["Bemerkung"]
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT network_id FROM core.networks").fetchall() == [("MR-001",)]
    con.close()


def test_the_overview_is_a_work_list(home, make_workbook):
    make_workbook("ok.xlsx", network_id="MR-001")
    make_workbook("bad.xlsx", tweak(full_answers(network_id="MR-003"), founded_year=2031), network_id="MR-003")
    (home / "inbox" / "2025" / "MR-002.xlsx").write_bytes(b"PK\x03\x04 eine umbenannte ods-Datei")
    process(home, 2025, None)
    wb = load_workbook(home / "reports" / "2025" / "uebersicht.xlsx")
    ws = wb["Übersicht"]
    head = [c.value for c in ws[1]]
    assert head[:8] == ["Netzwerk-ID", "Netzwerk", "Bundesland", "Status", "Fehler", "Hinweise", "Erstes Problem",
                        "Prüfbericht"]
    by_id = {r[0].value: {h: c for h, c in zip(head, r)} for r in ws.iter_rows(min_row=2)}
    assert set(by_id) == {"MR-001", "MR-002", "MR-003"}            # the unreadable file counts for MR-002
    assert by_id["MR-002"]["Status"].value == "abgelehnt" and by_id["MR-002"]["Datei"].value == "MR-002.xlsx"
    assert "aus dem Dateinamen" in by_id["MR-002"]["Bemerkung"].value
    bad = by_id["MR-003"]
    assert bad["Erstes Problem"].value.startswith("Netzwerk!B9 – Gründungsjahr: Gründungsjahr liegt nach")
    assert bad["Prüfbericht"].value == "MR-003_Pruefbericht.xlsx"
    assert bad["Prüfbericht"].hyperlink.target == "MR-003_Pruefbericht.xlsx"
    assert (home / "reports" / "2025" / "MR-003_Pruefbericht.xlsx").is_file()
    assert isinstance(bad["Eingang"].value, datetime) and bad["Eingang"].number_format == "DD.MM.YYYY HH:MM"
    assert by_id["MR-001"]["Erstes Problem"].value is None and by_id["MR-001"]["Prüfbericht"].value is None
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    widths = {h: ws.column_dimensions[c.column_letter].width for h, c in zip(head, ws[1])}
    assert widths["Erstes Problem"] >= 60 and widths["Prüfbericht"] >= len("MR-003_Pruefbericht.xlsx")
    zahlen = wb["Zahlen"]
    assert zahlen["A1"].value.startswith("Erhebung MINT-Regionen 2025")
    assert [c.value for c in zahlen[6]] == ["Insgesamt", 3, 1, 0, 2, 0, 1 / 3]


def test_publish_refuses_an_empty_year(home, make_workbook, capsys):
    make_workbook("bad.xlsx", tweak(full_answers(network_id="MR-003"), founded_year=2031), network_id="MR-003")
    process(home, 2025, None)
    assert main(["publish", "--year", "2025", "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert "no workbook of 2025 has been accepted" in err and "--allow-empty" in err
    assert not (home / "publication" / "2025").exists()


def test_register_add_takes_over_a_new_network_from_its_filled_blank_template(home, capsys):
    from mint_census.sources.register import counted, read_register
    answers = tweak(full_answers(2025, "MR-001"), network_name="MINT-Netz Neustadt", land_code="09",
                    founded_year=2021, network_type="zdi-Netzwerk")
    answers.form.pop("network_id")
    answers.tables["Gebiet"] = [{"kreis_code": "09162", "coverage": "ganz"},
                                {"kreis_code": "09184", "coverage": "teilweise"}]
    answers.tables["Angebote"] = [{**r, "offer_kreis_code": None} for r in answers.tables["Angebote"]]
    path = write_workbook(home / "inbox" / "2025" / "neu.xlsx", 2025, None, answers)
    assert main(["register", "add", "--home", str(home), "--id", "MR-004", "--from-file", str(path),
                 "--date", "2025-04-01"]) == 0
    assert "register add MR-004 (2025-04-01)" in capsys.readouterr().out
    reg = read_register(home / "register.csv", home / "register_events.csv").set_index("network_id")
    row = reg.loc["MR-004"]
    assert (row["network_name"], row["network_type"], row["land_code"], int(row["founded_year"]),
            list(row["kreise"])) == ("MINT-Netz Neustadt", "zdi-Netzwerk", "09", 2021, ["09162", "09184"])
    assert counted(reg.reset_index(), 2025).sum() == 4
    events = (home / "register_events.csv").read_text(encoding="utf-8").splitlines()
    assert [e for e in events if e.startswith("MR-004")] == ["MR-004;2021-01-01;gegründet;;;",
                                                             "MR-004;2025-04-01;aufgenommen;;;"]
    # an option given on the command line wins over the workbook; a file that is no workbook is refused
    assert main(["register", "add", "--home", str(home), "--id", "MR-005", "--from-file", str(path),
                 "--name", "MINT-Netz Neustadt-Land", "--date", "2025-04-01"]) == 0
    reg = read_register(home / "register.csv", home / "register_events.csv").set_index("network_id")
    assert reg.at["MR-005", "network_name"] == "MINT-Netz Neustadt-Land"
    (home / "kaputt.xlsx").write_bytes(b"kein Erhebungsbogen")
    assert main(["register", "add", "--home", str(home), "--id", "MR-006", "--from-file",
                 str(home / "kaputt.xlsx"), "--date", "2025-04-01"]) == 2
    assert "--from-file kaputt.xlsx: cannot be read" in capsys.readouterr().err
