"""A small census over several years for the researchers' side, and the model across years.

`census_home(tmp_path)` gives a copy of a warehouse built once per test session: a register
of seven networks with dated events (renames, an area change, a Land change, a pause and
return, one merged into another, one dissolved, one that joined in 2024), accepted workbooks
for 2024 and 2025 and one rejected workbook.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from mint_census.schemas.template import write_workbook
from mint_census.sources.reference import load_reference
from mint_census.sources.register import events_of, normalise_register, write_register
from mint_census.flows.home import Home

from .conftest import REFERENCE_DIR, full_answers, process, tweak

_BUILT: dict[str, Path] = {}

REGISTER = [
    # id, name, land, founded, first, end, reason, successor, kreise
    ("MR-001", "MINT-Region Köln", "05", 2008, 2013, None, None, None, "05315"),
    ("MR-002", "zdi-Netzwerk Leverkusen", "05", 2010, 2013, None, None, None, "05316"),
    ("MR-003", "MINT-Region Bonn", "05", 2011, 2014, None, None, None, "05314;05316"),
    ("MR-004", "MINT-Netz Kleinstadt", "05", 2012, 2013, 2025, "fusioniert", "MR-001", "05315"),
    ("MR-005", "MINT-Initiative Aufgelöst", "05", 2009, 2013, 2020, "aufgelöst", None, "05316"),
    ("MR-006", "MINT-Region Neu", "05", 2023, 2024, None, None, None, "05314"),
    ("MR-007", "MINT-Region Ohne Antwort", "05", 2014, 2015, None, None, None, "05315"),
]


def contact(nid: str, year: int) -> dict:
    return {"contact_name": f"Frieda Geheim{nid[-1]}{year}", "contact_email": f"frieda.{nid.lower()}.{year}@geheim.example",
            "contact_phone": f"0221 99{nid[-1]}{year}"}


# events besides founded, admitted and the ends: id, date, event, value before the change
EVENTS = [
    ("MR-001", "2015-05-04", "Land geändert", "Hessen"),
    ("MR-001", "2015-05-04", "Gebiet geändert", "06412"),
    ("MR-001", "2018-02-01", "umbenannt", "MINT-Netzwerk Köln"),
    ("MR-003", "2020-09-15", "Gebiet geändert", "05314"),
    ("MR-005", "2016-03-01", "pausiert", ""),
    ("MR-005", "2018-03-01", "wieder aufgenommen", ""),
]


def write_small_register(home: Path) -> None:
    rows = [{"network_id": i, "network_name": n, "network_type": "MINT-Region", "land_code": land,
             "founded_year": str(f), "first_census_year": str(first), "end_year": str(end or ""),
             "end_reason": reason or "", "successor_id": succ or "", "kreise": kreise}
            for i, n, land, f, first, end, reason, succ, kreise in REGISTER]
    base = events_of(normalise_register(pd.DataFrame(rows)))
    events = pd.DataFrame({"network_id": base["network_id"], "event_date": base["event_date"].map(str),
                           "event": base["event"], "previous": "", "successor_id": base["successor_id"].fillna("")})
    extra = pd.DataFrame([{"network_id": i, "event_date": d, "event": e, "previous": p, "successor_id": ""}
                          for i, d, e, p in EVENTS])
    register = normalise_register(pd.DataFrame(rows)[["network_id", "network_name", "network_type", "land_code",
                                                      "kreise"]], events=pd.concat([events, extra]))
    write_register(register, home / "register.csv")


def answers_for(nid: str, year: int, name: str, **extra):
    a = tweak(full_answers(year, nid), network_name=name, **contact(nid, year), **extra)
    return a


def write_year(home: Path, year: int, renamed: bool = True, volunteers: int | None = None) -> Path:
    inbox = home / "inbox" / str(year)
    names = {i: n for i, n, *_ in REGISTER}
    counted = [i for i, _n, _l, _f, first, end, *_ in REGISTER
               if first <= year and (end is None or year < end) and i != "MR-007"]
    for nid in counted:
        name = names[nid]
        if nid == "MR-002" and year >= 2025 and renamed:
            name = "zdi-Zentrum Leverkusen"  # a rename keeps the ID
        extra = {"volunteers": volunteers} if volunteers is not None else {}
        write_workbook(inbox / f"Erhebungsbogen_{year}_{nid}.xlsx", year, nid, answers_for(nid, year, name, **extra))
    # one rejected workbook: its contact must not leak either
    write_workbook(inbox / f"kaputt_{year}.xlsx", year, "MR-007",
                   tweak(answers_for("MR-007", year, names["MR-007"]), founded_year="irgendwann",
                         contact_name=f"Rita Abgelehnt{year}", contact_email=f"rita.{year}@abgelehnt.example"))
    return inbox


def build(home: Path) -> Path:
    reference = load_reference(REFERENCE_DIR)
    (home / "inbox").mkdir(parents=True, exist_ok=True)
    write_small_register(home)
    for year in (2024, 2025):
        write_year(home, year)
        process(home, year, reference)
    return home


def census_home(tmp_path: Path) -> Path:
    """A fresh copy of the small census (built once per session)."""
    if "home" not in _BUILT:
        root = Path(tempfile.mkdtemp(prefix="mint-research-"))
        atexit.register(shutil.rmtree, root, True)
        _BUILT["home"] = build(root / "home")
    dest = tmp_path / "home"
    shutil.copytree(_BUILT["home"], dest)
    return dest


def query(home: Path, sql: str, params=()):
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


# --- the model across years ---------------------------------------------------------

def test_one_row_per_counted_network_and_year_since_2013(tmp_path):
    home = census_home(tmp_path)
    counts = dict(query(home, "SELECT census_year, count(*) FROM pub.network_history GROUP BY 1 ORDER BY 1"))
    assert min(counts) == 2013 and max(counts) == 2025
    assert counts[2013] == 4 and counts[2019] == 6 and counts[2020] == 5 and counts[2024] == 6
    assert counts[2025] == 5  # MR-004 merged into MR-001
    assert query(home, "SELECT count(*) FROM (SELECT network_id, census_year FROM pub.network_history "
                       "GROUP BY ALL HAVING count(*) > 1)") == [(0,)]


def test_rename_keeps_the_id_and_is_marked(tmp_path):
    home = census_home(tmp_path)
    rows = query(home, "SELECT census_year, network_name, source, name_changed FROM pub.network_history "
                       "WHERE network_id = 'MR-002' AND census_year >= 2023 ORDER BY 1")
    assert rows == [(2023, "zdi-Netzwerk Leverkusen", "register", False),
                    (2024, "zdi-Netzwerk Leverkusen", "survey", False),
                    (2025, "zdi-Zentrum Leverkusen", "survey", True)]


def test_kreise_over_time_come_from_the_survey_else_the_register(tmp_path):
    home = census_home(tmp_path)
    rows = dict(query(home, "SELECT census_year, kreise FROM pub.network_history WHERE network_id = 'MR-003' "
                            "AND census_year IN (2014, 2024)"))
    assert rows[2014] == ["05314"]                 # register
    assert rows[2024] == ["05315", "05316"]        # as reported in the 2024 workbook


def test_mergers_and_dissolutions(tmp_path):
    home = census_home(tmp_path)
    assert query(home, "SELECT network_id, last_census_year, end_reason, successor_id, successor_name "
                       "FROM pub.network_ends ORDER BY 1") == [
        ("MR-004", 2024, "fusioniert", "MR-001", "MINT-Region Köln"),
        ("MR-005", 2019, "aufgelöst", None, None)]


def test_old_kreis_codes_of_the_register_are_todays_kreise_in_the_history(tmp_path):
    home = census_home(tmp_path)
    con = duckdb.connect(str(Home(home).warehouse))
    try:
        for t in ("core.register", "core.register_history"):
            con.execute(f"UPDATE {t} SET kreise = ['03152', '03156'] WHERE network_id = 'MR-005'")
    finally:
        con.close()
    assert query(home, "SELECT DISTINCT kreise FROM pub.network_history WHERE network_id = 'MR-005'") == [
        (["03159"],)]


def test_register_keeps_names_over_time(tmp_path, reference):
    home = census_home(tmp_path)
    # staff rename MR-007 (which never sends a workbook) in the register before the 2025 run
    from mint_census.flows.cli import main
    assert main(["register", "rename", "--home", str(home), "--id", "MR-007", "--name", "MINT-Region Stille Post",
                 "--date", "2025-02-01"]) == 0
    process(home, 2025, reference)
    assert query(home, "SELECT valid_from_year, network_name FROM core.register_history "
                       "WHERE network_id = 'MR-007' ORDER BY valid_from_year") == [
        (2015, "MINT-Region Ohne Antwort"), (2025, "MINT-Region Stille Post")]
    rows = query(home, "SELECT census_year, network_name, name_changed FROM pub.network_history "
                       "WHERE network_id = 'MR-007' AND census_year IN (2015, 2024, 2025) ORDER BY 1")
    assert rows == [(2015, "MINT-Region Ohne Antwort", False), (2024, "MINT-Region Ohne Antwort", False),
                    (2025, "MINT-Region Stille Post", True)]
    # loading the same register again records no new version
    process(home, 2025, reference)
    assert query(home, "SELECT count(*) FROM core.register_history WHERE network_id = 'MR-007'") == [(2,)]


def test_history_events_of_the_register_reach_the_views(tmp_path):
    home = census_home(tmp_path)
    # MR-005 paused 2016 and came back 2018: not counted in 2016 and 2017, same ID
    assert query(home, "SELECT census_year FROM pub.network_years WHERE network_id = 'MR-005' ORDER BY 1") == [
        (2013,), (2014,), (2015,), (2018,), (2019,)]
    assert query(home, "SELECT census_year, networks, new_networks, ended_networks, paused_networks, "
                       "resumed_networks FROM pub.growth WHERE census_year BETWEEN 2015 AND 2020 ORDER BY 1") == [
        (2015, 6, 1, 0, 0, 0), (2016, 5, 0, 0, 1, 0), (2017, 5, 0, 0, 0, 0), (2018, 6, 0, 0, 0, 1),
        (2019, 6, 0, 0, 0, 0), (2020, 5, 0, 1, 0, 0)]
    # MR-001: in Hessen (Kreis 06412) until 2014, then Köln; renamed in 2018
    assert query(home, "SELECT census_year, network_name, land_code, kreise, name_changed, land_changed "
                       "FROM pub.network_history WHERE network_id = 'MR-001' AND census_year IN (2014, 2015, 2017, 2018) "
                       "ORDER BY 1") == [
        (2014, "MINT-Netzwerk Köln", "06", ["06412"], False, False),
        (2015, "MINT-Netzwerk Köln", "05", ["05315"], False, True),
        (2017, "MINT-Netzwerk Köln", "05", ["05315"], False, False),
        (2018, "MINT-Region Köln", "05", ["05315"], True, False)]
    assert query(home, "SELECT land_code FROM pub.network_years WHERE network_id = 'MR-001' "
                       "AND census_year IN (2014, 2015) ORDER BY census_year") == [("06",), ("05",)]
    assert query(home, "SELECT event, count(*) FROM core.register_events GROUP BY 1 ORDER BY 1") == [
        ("admitted", 7), ("area_changed", 2), ("dissolved", 1), ("founded", 7), ("land_changed", 1),
        ("merged", 1), ("paused", 1), ("renamed", 1), ("resumed", 1)]