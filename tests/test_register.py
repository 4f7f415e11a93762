"""The register as staff keep it: register.csv + register_events.csv in the home, register.xlsx
to edit (export/import with dropdowns), CSV in every encoding Excel writes, German messages
with line numbers, the history as dated events, and the commands that append events."""

from __future__ import annotations

import duckdb
import openpyxl
import pandas as pd
import pytest

from mint_census.flows.cli import main
from mint_census.flows.home import Home
from mint_census.flows.steps import open_warehouse, store_register
from mint_census.sources.demo import make_register
from mint_census.sources.register import RegisterError, counted, events_of, history, read_register

from .conftest import REFERENCE_DIR

NETWORKS = ("network_id;network_name;network_type;land_code;kreise\n"
            "MR-001;MINT-Region Köln;MINT-Region;NW;05315\n"
            "MR-002;zdi-Zentrum Leverkusen;zdi-Netzwerk;05;05316\n"
            "MR-003;MINT-Region Göttingen;MINT-Region;Niedersachsen;03159\n"
            "MR-004;MINT-Netz Bonn;MINT-Region;05;05314\n")
EVENTS = ("network_id;event_date;event;previous;successor_id;note\n"
          "MR-001;2008-05-01;gegründet;;;\n"
          "MR-001;2013-03-01;aufgenommen;;;\n"
          "MR-001;2019-06-30;umbenannt;MINT-Netzwerk Köln;;\n"
          "MR-002;01.02.2013;aufgenommen;;;\n"
          "MR-002;2016-01-01;pausiert;;;\n"
          "MR-002;2018-09-01;wieder aufgenommen;;;\n"
          "MR-002;2021-04-01;Gebiet geändert;05315;;\n"
          "MR-003;2014;aufgenommen;;;\n"
          "MR-003;2017-01-01;Land geändert;Hessen;;\n"
          "MR-004;2015-01-01;aufgenommen;;;\n"
          "MR-004;2020-07-01;fusioniert;;MR-001;\n")


def write_csv(home, networks=NETWORKS, events=EVENTS, encoding="utf-8", sep=";"):
    home.mkdir(parents=True, exist_ok=True)
    (home / "register.csv").write_bytes(networks.replace(";", sep).encode(encoding))
    (home / "register_events.csv").write_bytes(events.replace(";", sep).encode(encoding))
    return home / "register.csv"


COUNTS = {2013: ["MR-001", "MR-002"], 2014: ["MR-001", "MR-002", "MR-003"],
          2015: ["MR-001", "MR-002", "MR-003", "MR-004"], 2016: ["MR-001", "MR-003", "MR-004"],
          2017: ["MR-001", "MR-003", "MR-004"], 2018: ["MR-001", "MR-002", "MR-003", "MR-004"],
          2020: ["MR-001", "MR-002", "MR-003"], 2025: ["MR-001", "MR-002", "MR-003"]}


@pytest.mark.parametrize("encoding,sep", [("utf-8", ";"), ("utf-8-sig", ";"), ("utf-16", ";"),
                                          ("cp1252", ";"), ("utf-8", ","), ("utf-16-le", ",")])
def test_csv_register_in_every_encoding_and_separator(tmp_path, encoding, sep):
    path = write_csv(tmp_path / "home", encoding=encoding, sep=sep)
    reg = read_register(path)
    assert list(reg["network_name"]) == ["MINT-Region Köln", "zdi-Zentrum Leverkusen", "MINT-Region Göttingen",
                                         "MINT-Netz Bonn"]
    assert list(reg["land_code"]) == ["05", "05", "03", "05"]
    for year, ids in COUNTS.items():
        assert list(reg.loc[counted(reg, year), "network_id"]) == ids, year


def test_derived_columns_and_history(tmp_path):
    reg = read_register(write_csv(tmp_path / "home"))
    got = reg.set_index("network_id")[["founded_year", "first_census_year", "end_year", "end_reason",
                                       "successor_id"]].astype(object).where(lambda d: d.notna(), None)
    assert got.to_dict("index") == {
        "MR-001": {"founded_year": 2008, "first_census_year": 2013, "end_year": None, "end_reason": None,
                   "successor_id": None},
        "MR-002": {"founded_year": None, "first_census_year": 2013, "end_year": None, "end_reason": None,
                   "successor_id": None},
        "MR-003": {"founded_year": None, "first_census_year": 2014, "end_year": None, "end_reason": None,
                   "successor_id": None},
        "MR-004": {"founded_year": None, "first_census_year": 2015, "end_year": 2020, "end_reason": "fusioniert",
                   "successor_id": "MR-001"}}
    h = history(reg)
    rows = [(r.network_id, int(r.valid_from_year), r.network_name, r.land_code, list(r.kreise))
            for r in h.itertuples()]
    assert rows == [
        ("MR-001", 2013, "MINT-Netzwerk Köln", "05", ["05315"]),
        ("MR-001", 2019, "MINT-Region Köln", "05", ["05315"]),
        ("MR-002", 2013, "zdi-Zentrum Leverkusen", "05", ["05315"]),
        ("MR-002", 2021, "zdi-Zentrum Leverkusen", "05", ["05316"]),
        ("MR-003", 2014, "MINT-Region Göttingen", "06", ["03159"]),
        ("MR-003", 2017, "MINT-Region Göttingen", "03", ["03159"]),
        ("MR-004", 2015, "MINT-Netz Bonn", "05", ["05314"])]


def test_sql_counts_the_same_as_python_with_a_pause(tmp_path):
    reg = read_register(write_csv(tmp_path / "home"))
    home = Home(tmp_path / "home")
    con = open_warehouse(home)
    try:
        store_register(con, reg)
        sql = {}
        for y, nid in con.execute("SELECT census_year, network_id FROM pub.network_years ORDER BY 2").fetchall():
            sql.setdefault(y, []).append(nid)
        growth = con.execute("SELECT census_year, networks, new_networks, ended_networks, paused_networks, "
                             "resumed_networks FROM pub.growth WHERE census_year <= 2020 ORDER BY 1").fetchall()
        land_2016 = con.execute("SELECT land_code FROM pub.network_years WHERE network_id = 'MR-003' "
                                "AND census_year IN (2016, 2017) ORDER BY census_year").fetchall()
    finally:
        con.close()
    assert max(sql) == 2021  # census years reach the register's latest event
    for year, ids in COUNTS.items():
        if year <= 2021:
            assert sql[year] == ids, year
    assert growth == [(2013, 2, 2, 0, 0, 0), (2014, 3, 1, 0, 0, 0), (2015, 4, 1, 0, 0, 0), (2016, 3, 0, 0, 1, 0),
                      (2017, 3, 0, 0, 0, 0), (2018, 4, 0, 0, 0, 1), (2019, 4, 0, 0, 0, 0), (2020, 3, 0, 1, 0, 0)]
    assert land_2016 == [("06",), ("03",)]  # the Land in force that year


def test_register_of_the_first_format_still_loads(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("network_id;network_name;network_type;land_code;founded_year;first_census_year;end_year;"
                    "end_reason;successor_id;kreise\n"
                    "MR-001;MINT-Region Köln;MINT-Region;05;2008;2013;;;;05315\n"
                    "MR-002;MINT-Netz Bonn;MINT-Region;05;2010;2014;2019;fusioniert;MR-001;05314\n",
                    encoding="cp1252")
    reg = read_register(path)
    ev = events_of(reg)
    assert [(r.network_id, r.event_date.isoformat(), r.event, r.successor_id if isinstance(r.successor_id, str)
             else None) for r in ev.itertuples()] == [
        ("MR-001", "2008-01-01", "founded", None), ("MR-001", "2013-01-01", "admitted", None),
        ("MR-002", "2010-01-01", "founded", None), ("MR-002", "2014-01-01", "admitted", None),
        ("MR-002", "2019-01-01", "merged", "MR-001")]
    assert [int(counted(reg, y).sum()) for y in (2013, 2014, 2018, 2019)] == [1, 2, 2, 1]


def test_problems_are_german_with_their_line_and_nothing_is_read(tmp_path):
    bad_networks = NETWORKS.replace("MINT-Region Göttingen", "MINT-Region\x0bGöttingen").replace(
        "MR-004;MINT-Netz Bonn;MINT-Region;05", "MR-004;MINT-Netz Bonn;Netz;Nordland")
    bad_events = EVENTS.replace("2016-01-01;pausiert", "2016-01-01;pausiert").replace(
        "MR-002;2018-09-01;wieder aufgenommen", "MR-002;2018-09-01;zurück") + "MR-009;2020-01-01;aufgelöst;;;\n"
    with pytest.raises(RegisterError) as exc:
        read_register(write_csv(tmp_path / "home", bad_networks, bad_events))
    text = str(exc.value)
    assert "register.csv Zeile 4, Spalte „Name“: Steuerzeichen U+000B im Text „MINT-Region·Göttingen“" in text
    assert "register.csv Zeile 5, Spalte „Art“: „Netz“ ist nicht zulässig. Erwartet: eine dieser Arten: " in text
    assert "register.csv Zeile 5, Spalte „Bundesland“: „Nordland“ ist nicht zulässig." in text
    assert "register_events.csv Zeile 7, Spalte „Ereignis“: „zurück“ ist nicht zulässig." in text
    assert ("register_events.csv Zeile 13: Die Netzwerk-ID „MR-009“ steht nicht im Netzwerkverzeichnis."
            in text)
    assert "line 4, Name: control character U+000B" in exc.value.english


def test_events_out_of_sequence_are_refused(tmp_path):
    events = EVENTS + "MR-001;2021-01-01;wieder aufgenommen;;;\nMR-004;2022-01-01;pausiert;;;\n"
    with pytest.raises(RegisterError) as exc:
        read_register(write_csv(tmp_path / "home", events=events))
    assert str(exc.value).splitlines()[1:] == [
        "  register_events.csv Zeile 13: „wieder aufgenommen“ am 01.01.2021 passt nicht zur Geschichte von "
        "MR-001: das Netzwerk pausiert nicht.",
        "  register_events.csv Zeile 14: „pausiert“ am 01.01.2022 passt nicht zur Geschichte von MR-004: das "
        "Netzwerk ist bereits beendet (fusioniert oder aufgelöst)."]



def test_events_in_any_order_of_lines_give_the_same_register(tmp_path):
    """Each network's events are walked in date order whatever the order of the lines (networks
    interleaved, newest first); problems keep the line they stand on, networks in ID order."""
    header, *lines = EVENTS.splitlines(keepends=True)
    reg = read_register(write_csv(tmp_path / "a", events=EVENTS))
    mixed = read_register(write_csv(tmp_path / "b", events=header + "".join(lines[::-1])))
    pd.testing.assert_frame_equal(mixed, reg)
    pd.testing.assert_frame_equal(history(mixed), history(reg))
    for year, ids in COUNTS.items():
        assert list(mixed.loc[counted(mixed, year), "network_id"]) == ids, year
    bad = header + "".join(lines[::-1]).replace("MR-003;2014;aufgenommen;;;\n", "") \
        + "MR-002;2014-01-01;aufgenommen;;;\n"
    with pytest.raises(RegisterError) as exc:
        read_register(write_csv(tmp_path / "c", events=bad))
    assert str(exc.value).splitlines()[1:] == [
        "  register_events.csv Zeile 12: „aufgenommen“ am 01.01.2014 passt nicht zur Geschichte von MR-002: das "
        "Netzwerk ist bereits aufgenommen (Rückkehr: „wieder aufgenommen“).",
        "  register_events.csv: Für MR-003 fehlt das Ereignis „aufgenommen“ (ab wann das Netzwerk gezählt wird)."]

@pytest.mark.skipif(REFERENCE_DIR is None, reason="Kreis names need the reference data")
def test_export_has_dropdowns_and_import_reads_it_back(tmp_path):
    home = tmp_path / "home"
    write_csv(home)
    assert main(["register", "export", "--home", str(home), "--reference", str(REFERENCE_DIR)]) == 0
    wb = openpyxl.load_workbook(home / "register.xlsx")
    ws, es = wb["Netzwerke"], wb["Ereignisse"]
    assert [c.value for c in ws[1]][:6] == ["Netzwerk-ID", "Name", "Art", "Bundesland", "Kreis 1", "Kreis 2"]
    assert [c.value for c in ws[2]][:5] == ["MR-001", "MINT-Region Köln", "MINT-Region", "Nordrhein-Westfalen",
                                            "Köln, Stadt (05315)"]
    ranges = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert ranges["C2:C1000"] == "=Listen!$A$1:$A$4"
    assert ranges["D2:D1000"] == "=Listen!$B$1:$B$16"
    assert ranges["E2:L1000"] == "=Listen!$D$1:$D$400"
    assert [str(dv.sqref) for dv in es.data_validations.dataValidation] == ["C2:C1000"]
    assert wb["Listen"].sheet_state == "hidden"
    assert [c.value for c in es[4]][:4] == ["MR-001", es[4][1].value, "umbenannt", "MINT-Netzwerk Köln"]
    assert es[4][1].value.date().isoformat() == "2019-06-30"
    # staff change the workbook: a Kreis chosen by name, a new network, its admission
    ws["F3"] = "Köln, Stadt (05315)"
    ws.append(["MR-005", "MINT-Region Neu", "MINT-Region", "Bayern", "München, Landeshauptstadt (09162)"])
    es.append(["MR-005", "01.03.2025", "aufgenommen"])
    wb.save(home / "register.xlsx")
    assert main(["register", "import", "--home", str(home), "--reference", str(REFERENCE_DIR),
                 "--file", str(home / "register.xlsx")]) == 0
    reg = read_register(home / "register.csv")
    assert reg.set_index("network_id")["kreise"].to_dict() == {
        "MR-001": ["05315"], "MR-002": ["05316", "05315"], "MR-003": ["03159"], "MR-004": ["05314"],
        "MR-005": ["09162"]}
    lines = (home / "register_events.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 13 and lines[4] == "MR-002;2013-02-01;aufgenommen;;;"  # dates stored as ISO
    assert lines[-1] == "MR-005;2025-03-01;aufgenommen;;;"
    assert list(reg.loc[counted(reg, 2025), "network_id"]) == ["MR-001", "MR-002", "MR-003", "MR-005"]


def test_import_of_a_workbook_with_errors_changes_nothing(tmp_path, capsys):
    home = tmp_path / "home"
    write_csv(home)
    assert main(["register", "export", "--home", str(home)]) == 0
    wb = openpyxl.load_workbook(home / "register.xlsx")
    wb["Netzwerke"]["B3"] = "zdi-Zentrum\x7f Leverkusen"
    wb["Ereignisse"].append(["MR-003", "2024-01-01", "pausiert"])
    wb["Ereignisse"].append(["MR-003", "2024-05-01", "pausiert"])
    wb.save(tmp_path / "edited.xlsx")
    before = (home / "register.csv").read_bytes(), (home / "register_events.csv").read_bytes()
    capsys.readouterr()
    assert main(["register", "import", "--home", str(home), "--file", str(tmp_path / "edited.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "edited.xlsx, Blatt Netzwerke Zeile 3, Spalte „Name“: Steuerzeichen U+007F" in err
    assert ("edited.xlsx, Blatt Ereignisse Zeile 14: „pausiert“ am 01.05.2024 passt nicht zur Geschichte von "
            "MR-003: das Netzwerk pausiert bereits.") in err
    assert ((home / "register.csv").read_bytes(), (home / "register_events.csv").read_bytes()) == before


def test_commands_append_dated_events(tmp_path, capsys):
    home = tmp_path / "home"
    write_csv(home)
    h = ["--home", str(home)]
    assert main(["register", "add", *h, "--id", "MR-005", "--name", "MINT-Region Neu", "--land", "BY",
                 "--kreise", "09162", "--founded", "2024", "--date", "2025-02-01"]) == 0
    assert main(["register", "rename", *h, "--id", "MR-003", "--name", "MINT-Region Südniedersachsen",
                 "--date", "2025-03-01"]) == 0
    assert main(["register", "pause", *h, "--id", "MR-001", "--date", "2024-06-30"]) == 0
    assert main(["register", "resume", *h, "--id", "MR-001", "--date", "2025-01-15"]) == 0
    assert main(["register", "merge", *h, "--id", "MR-002", "--into", "MR-001", "--date", "2025-06-01"]) == 0
    assert main(["register", "end", *h, "--id", "MR-005", "--date", "26.01.2026"]) == 0
    capsys.readouterr()
    assert main(["register", "resume", *h, "--id", "MR-003", "--date", "2025-07-01"]) == 2
    assert "das Netzwerk pausiert nicht" in capsys.readouterr().err
    lines = (home / "register_events.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1:] == [
        "MR-001;2008-05-01;gegründet;;;", "MR-001;2013-03-01;aufgenommen;;;",
        "MR-001;2019-06-30;umbenannt;MINT-Netzwerk Köln;;", "MR-001;2024-06-30;pausiert;;;",
        "MR-001;2025-01-15;wieder aufgenommen;;;",
        "MR-002;2013-02-01;aufgenommen;;;", "MR-002;2016-01-01;pausiert;;;", "MR-002;2018-09-01;wieder aufgenommen;;;",
        "MR-002;2021-04-01;Gebiet geändert;05315;;", "MR-002;2025-06-01;fusioniert;;MR-001;",
        "MR-003;2014-01-01;aufgenommen;;;", "MR-003;2017-01-01;Land geändert;06;;",
        "MR-003;2025-03-01;umbenannt;MINT-Region Göttingen;;",
        "MR-004;2015-01-01;aufgenommen;;;", "MR-004;2020-07-01;fusioniert;;MR-001;",
        "MR-005;2024-01-01;gegründet;;;", "MR-005;2025-02-01;aufgenommen;;;", "MR-005;2026-01-26;aufgelöst;;;"]
    reg = read_register(home / "register.csv")
    assert list(reg.loc[counted(reg, 2024), "network_id"]) == ["MR-002", "MR-003"]
    assert list(reg.loc[counted(reg, 2025), "network_id"]) == ["MR-001", "MR-003", "MR-005"]
    assert reg.set_index("network_id").at["MR-003", "network_name"] == "MINT-Region Südniedersachsen"


def test_a_control_character_stops_the_ingest_before_anything_is_loaded(tmp_path, capsys):
    home = tmp_path / "home"
    write_csv(home, NETWORKS.replace("MINT-Netz Bonn", "MINT-Netz\x1bBonn"))
    (home / "inbox" / "2025").mkdir(parents=True)
    assert main(["ingest", "--home", str(home), "--year", "2025"]) == 2
    assert "register.csv Zeile 5, Spalte „Name“: Steuerzeichen U+001B" in capsys.readouterr().err
    assert not Home(home).warehouse.exists()


def test_demo_register_has_every_event_and_the_published_counts(reference):
    reg = make_register(2013, reference)
    ev = events_of(reg)
    assert ev["event"].value_counts().to_dict() == {
        "founded": 154, "admitted": 154, "renamed": 2, "area_changed": 2, "merged": 2, "dissolved": 2,
        "land_changed": 1, "paused": 1, "resumed": 1}
    assert [int(counted(reg, y).sum()) for y in range(2013, 2026)] == [
        39, 56, 80, 92, 104, 116, 127, 130, 131, 134, 138, 144, 150]
    paused = ev.loc[ev["event"] == "paused", "network_id"].iloc[0]
    years = [y for y in range(2013, 2026) if paused in set(reg.loc[counted(reg, y), "network_id"])]
    start = int(reg.set_index("network_id").at[paused, "first_census_year"])
    assert years == [y for y in range(start, 2026) if y not in (2018, 2019)]
