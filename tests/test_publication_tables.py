"""The publication's tables, disclosure control, map and workbook on a small hand-made warehouse.

The warehouse below is built row by row; every expected number is worked out by hand in the
comments next to it, never by the code under test.

Register (census 2025 unless noted):
  MR-001 A  Land 05, founded 2006, counted 2013–,      Kreis 05315
  MR-002 B  Land 05, founded 2010, counted 2013–2024 (end_year 2025), Kreis 05316
  MR-003 C  Land 01, founded 2012, counted 2014–,      Kreis 01001 (register only)
  MR-004 D  Land 05, founded 2016, counted 2025–,      Kreis 05316 (survey)
  MR-005 E  Land 09, founded 2019, counted 2020–,      Kreis 09162 (not in ref.kreise)
  MR-006 G  Land 05, founded 2021, counted 2021–,      Kreis 05315; its workbook was rejected
Networks counted: 2013: A B = 2; 2014–2019: 3; 2020: 4; 2021–2024: 5; 2025: A C D E G = 5.
Survey answers 2025 (accepted): A, C, D, E (4 networks).
"""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import openpyxl
import pytest

from mint_census.publications.publish import headline, publish
from mint_census.publications.sdc import PRIMARY, SECONDARY, Protect, Rule, suppress
from mint_census.publications.tables import TABLES, fill, number_tables
from mint_census.schemas import vocabularies as voc
from mint_census.warehouse import ddl
from mint_census.warehouse.views import view_ddl

from .conftest import REFERENCE_DIR, needs_reference

YEAR = 2025
STAND = dt.date(2025, 12, 31)

KREISE = [  # kreis_code, name, typ, land, population
    ("01001", "Flensburg, Stadt", "Kreisfreie Stadt", "01", 100),
    ("01002", "Kiel, Landeshauptstadt", "Kreisfreie Stadt", "01", 300),
    ("05315", "Köln, Stadt", "Kreisfreie Stadt", "05", 1000),
    ("05316", "Leverkusen, Stadt", "Kreisfreie Stadt", "05", 600),
]
REGISTER = [  # id, land, founded, first, end, kreise
    ("MR-001", "05", 2006, 2013, None, ["05315"]),
    ("MR-002", "05", 2010, 2013, 2025, ["05316"]),
    ("MR-003", "01", 2012, 2014, None, ["01001"]),
    ("MR-004", "05", 2016, 2025, None, ["05316"]),
    ("MR-005", "09", 2019, 2020, None, ["09162"]),
    ("MR-006", "05", 2021, 2021, None, ["05315"]),
]
NETWORKS = [  # id, host_type, legal form, office, fte, volunteers, budget
    ("MR-001", "Verein", "eingetragener Verein (e. V.)", True, 1.0, 0, 100000.0),
    ("MR-003", "Verein", "eingetragener Verein (e. V.)", True, 2.0, 10, 20000.0),
    ("MR-004", "Stiftung", "Stiftung", False, 0.0, 5, 30000.0),
    ("MR-005", "Verein", "GmbH", True, 0.5, 0, 50000.0),
]
FUNDING = {  # id -> {source: eur}
    "MR-001": {"land": 90000, "kommune": 10000, "stiftungen": 1000},
    "MR-003": {"land": 5000, "eu": 15000, "stiftungen": 1000},
    "MR-004": {"land": 5000, "unternehmen": 30000, "stiftungen": 98000},
    "MR-005": {"land": 50000},
}
PARTNERS = {  # id -> {type: number}; all other types 0
    "MR-001": {"kitas": 5, "hochschulen": 1},
    "MR-003": {},
    "MR-004": {"kitas": 2},
    "MR-005": {"kitas": 10},
}


def build_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for stmt in ddl.ddl():
        con.execute(stmt)
    con.executemany("INSERT INTO ref.laender VALUES (?, ?, ?)", [list(x) for x in voc.LAENDER])
    con.executemany("INSERT INTO ref.kreise (kreis_code, kreis_name, kreis_typ, land_code, population) "
                    "VALUES (?, ?, ?, ?, ?)", [list(k) for k in KREISE])
    con.executemany("INSERT INTO core.register (network_id, network_name, network_type, land_code, founded_year, "
                    "first_census_year, end_year, kreise) VALUES (?, ?, 'MINT-Region', ?, ?, ?, ?, ?)",
                    [[i, f"Netz {i}", land, f, first, end, kreise] for i, land, f, first, end, kreise in REGISTER])
    for i, host, legal, office, fte, vol, budget in NETWORKS:
        con.execute("INSERT INTO core.networks (network_id, census_year, land_code, host_type, host_legal_form, "
                    "has_coordination_office, paid_staff_fte, volunteers, budget_eur) VALUES (?,?,?,?,?,?,?,?,?)",
                    [i, YEAR, "05", host, legal, office, fte, vol, budget])
        sources = FUNDING[i]
        cols = [f"funding_{k}_eur" for k in sources]
        con.execute(f"INSERT INTO core.funding (network_id, census_year{''.join(', ' + c for c in cols)}) "
                    f"VALUES (?, ?{', ?' * len(cols)})", [i, YEAR, *sources.values()])
        partners = {f"partners_{k}": PARTNERS[i].get(k, 0) for k, _ in voc.PARTNER_TYPES}
        con.execute(f"INSERT INTO core.partners (network_id, census_year, {', '.join(partners)}) "
                    f"VALUES (?, ?{', ?' * len(partners)})", [i, YEAR, *partners.values()])
    # Survey Kreise: A 05315, D 05316, E 09162; C reported none (register: 01001).
    con.executemany("INSERT INTO core.districts (network_id, census_year, row_no, kreis_code, coverage) "
                    "VALUES (?, ?, 5, ?, 'ganz')", [["MR-001", YEAR, "05315"], ["MR-004", YEAR, "05316"],
                                                     ["MR-005", YEAR, "09162"]])
    con.executemany("INSERT INTO meta.submissions (run_id, census_year, network_id, file_sha256, status) "
                    "VALUES ('r1', ?, ?, ?, ?)",
                    [[YEAR, i, f"sha{i}", "accepted"] for i in ("MR-001", "MR-003", "MR-004", "MR-005")]
                    + [[YEAR, "MR-006", "shaG", "rejected"]])
    con.execute("INSERT INTO meta.runs (run_id, census_year) VALUES ('r1', ?)", [YEAR])
    for stmt in view_ddl():
        con.execute(stmt)
    return con


@pytest.fixture(scope="module")
def con():
    c = build_warehouse()
    yield c
    c.close()


def table(con, name: str, year: int = YEAR, rule: Rule | None = None):
    numbers = dict(zip([t.name for t in TABLES], number_tables(TABLES)))
    t = next(t for t in TABLES if t.name == name)
    return fill(t, numbers[name], con, year, rule)


def rows(filled) -> list[tuple]:
    return [tuple(r) for r in filled.published.rows]


# --- exact numbers --------------------------------------------------------------------

def test_headline(con):
    assert headline(con, YEAR) == "Von 2 MINT-Regionen im Jahr 2013 auf 5 im Jahr 2025"


def test_growth(con):
    t = table(con, "01_entwicklung")
    got = {r[0]: r[1:] for r in rows(t)}
    assert got[2013] == (2, 2, 0, 100.0)
    assert got[2014] == (3, 1, 0, 150.0)
    assert got[2020] == (4, 1, 0, 200.0)
    assert got[2021] == (5, 1, 0, 250.0)
    assert got[2025] == (5, 1, 1, 250.0)  # D new, B ended


def test_by_land(con):
    t = table(con, "02_bundeslaender")
    got = {r[1]: r[2:] for r in rows(t)}
    # networks, share, per million (population 31.12.2023), Kreise, covered, %, population covered %, change
    assert got["Nordrhein-Westfalen"] == (3, 60.0, 1875.0, 2, 2, 100.0, 100.0, 0)  # 3 / 1600 * 1e6
    assert got["Schleswig-Holstein"] == (1, 20.0, 2500.0, 2, 1, 50.0, 25.0, 0)  # 1 / 400; 100 / 400
    assert got["Bayern"][:2] == (1, 20.0)  # no Kreis of Bayern in this small reference
    assert got["Bayern"][2] is None
    assert got["Hamburg"][:2] == (0, 0.0)
    # Deutschland: 5 networks; 4 Kreise, 3 covered; 1700 of 2000 people; 5 in 2024 too.
    assert got["Deutschland"] == (5, 100.0, 2500.0, 4, 3, 75.0, 85.0, 0)


def test_founding_periods(con):
    t = table(con, "03_gruendungsjahre")
    assert rows(t) == [
        ("2006–2008", 1, 20.0, 1, 20.0),  # A 2006
        ("2009–2011", 0, 0.0, 1, 20.0),
        ("2012–2014", 1, 20.0, 2, 40.0),  # C 2012
        ("2015–2017", 1, 20.0, 3, 60.0),  # D 2016
        ("2018–2020", 1, 20.0, 4, 80.0),  # E 2019
        ("2021–2023", 1, 20.0, 5, 100.0),  # G 2021
        ("2024–2025", 0, 0.0, 5, 100.0),
        ("Insgesamt", 5, 100.0, None, None),
    ]


def test_partner_structure(con):
    t = table(con, "05_partnerstruktur")
    got = {r[0]: r[1:] for r in rows(t)}
    # Kitas: A 5, D 2, E 10 -> 3 of 4 networks; median 5, min 2, max 10, 17 in all.
    assert got["Kitas"] == (3, 75.0, 5.0, 2, 10, 17, "")
    # Hochschulen: only A -> rests on one network: everything suppressed.
    assert got["Hochschulen"][:6] == (None,) * 6
    assert got["Grundschulen"] == (0, 0.0, None, None, None, 0, "")
    assert t.subtitle == "Basis: 4 MINT-Regionen mit Angaben in der Erhebung 2025"


def test_finance_with_suppression(con):
    t = table(con, "07_finanzierung")
    got = {(r[0], r[1]): r[2:5] for r in rows(t)}
    size = "Jahresbudget nach Größenklasse"
    assert got[(size, "unter 10.000 EUR")] == (0, 0.0, 0.0)
    # 10–50k: C 20000 + D 30000 -> 2 networks; 50–100k: E; 100–200k: A -> all below 3.
    for label in ("10.000 bis unter 50.000 EUR", "50.000 bis unter 100.000 EUR", "100.000 bis unter 200.000 EUR"):
        assert got[(size, label)] == (None, None, None)
    # Total: 200000 from 4 networks; A has 50 % -> published.
    assert got[(size, "Insgesamt")] == (4, 200000.0, 100.0)
    stats = "Kennzahlen des Jahresbudgets"
    # Budgets 20000, 30000, 50000, 100000: quartiles (linear) 27500, 40000, 62500; mean 50000.
    assert got[(stats, "1. Quartil")][:2] == (4, 27500.0)
    assert got[(stats, "Median")][:2] == (4, 40000.0)
    assert got[(stats, "3. Quartil")][:2] == (4, 62500.0)
    assert got[(stats, "Mittelwert")][:2] == (4, 50000.0)
    src = "Finanzierungsquellen"
    # Land: 90000 + 5000 + 5000 + 50000 = 150000 of 305000 in all; A holds 60 % (< 85 %).
    assert got[(src, "Land")] == (4, 150000.0, 49.2)
    # Stiftungen: 3 networks, but D gives 98000 of 100000 = 98 % > 85 %: dominance.
    assert got[(src, "Stiftungen")] == (None, None, None)
    for label in ("Kommune", "EU", "Unternehmen"):  # one network each
        assert got[(src, label)] == (None, None, None)
    assert got[(src, "Bund")] == (0, 0.0, 0.0)
    assert got[(src, "Insgesamt")] == (4, 305000.0, 100.0)
    reasons = {t.published.rows[i][1]: r for (i, c), r in t.suppressed.items() if c == "amount_eur"}
    assert reasons["Stiftungen"] == PRIMARY
    assert any("85 %" in note for note in t.footnotes)


def test_hosts_secondary_suppression(con):
    t = table(con, "04_traeger_rechtsform")
    got = {(r[0], r[1]): r[2:] for r in rows(t)}
    host = "Art des Trägers"
    # Verein 3 (A, C, E), Stiftung 1 (D): Stiftung primary; Verein would then be 4 - 1 = 3 -> secondary.
    assert got[(host, "Stiftung")] == (None, None, "networks;share_percent")
    assert got[(host, "Verein")] == (None, None, "networks;share_percent")
    assert got[(host, "Insgesamt")] == (4, 100.0, "")
    assert got[(host, "Hochschule")] == (0, 0.0, "")
    index = {(r[0], r[1]): i for i, r in enumerate(t.published.rows)}
    assert t.suppressed[(index[(host, "Stiftung")], "networks")] == PRIMARY
    assert t.suppressed[(index[(host, "Verein")], "networks")] == SECONDARY


def test_coverage_and_white_spots(con):
    t = table(con, "09_abdeckung")
    got = {r[1]: r[2:] for r in rows(t)}
    assert got["Schleswig-Holstein"] == (2, 1, 50.0, 300, 75.0)  # Kiel uncovered (300 of 400)
    assert got["Nordrhein-Westfalen"] == (2, 0, 0.0, 0, 0.0)
    assert got["Deutschland"] == (4, 1, 25.0, 300, 15.0)
    listed = table(con, "09a_weisse_flecken")
    assert rows(listed) == [("Schleswig-Holstein", "01002", "Kiel, Landeshauptstadt", "Kreisfreie Stadt", 300)]
    assert listed.label == "Tabelle 9a"


def test_response(con):
    t = table(con, "10_ruecklauf")
    got = {r[1]: r[2:] for r in rows(t)}
    assert got["Nordrhein-Westfalen"] == (3, 3, 2, 100.0, 66.7)  # A, D, G asked; G rejected
    assert got["Deutschland"] == (5, 5, 4, 100.0, 80.0)
    assert got["Hamburg"] == (0, 0, 0, None, None)


def test_offers_empty_without_answers(con):
    t = table(con, "08_angebote")
    assert all(r[2] == 0 and r[3] == 0 for r in rows(t))


# --- disclosure control -----------------------------------------------------------------

def test_suppress_rule_unit():
    recs = [{"c": "a", "n": 5, "v": 50, "top": 30.0}, {"c": "b", "n": 1, "v": 10, "top": 100.0},
            {"c": "d", "n": 4, "v": 40, "top": 40.0}, {"c": "e", "n": 0, "v": 0, "top": None},
            {"c": "Insgesamt", "n": 10, "v": 100, "top": 10.0}]
    protect = (Protect(columns=("v",), networks="n", top_share="top", additive=True),)
    hidden = suppress(recs, protect, Rule(), "c" if False else None, lambda r: r["c"] == "Insgesamt")
    # b rests on 1 network; d (4) is the smallest other non-empty row -> secondary; e (0) is a known zero.
    assert hidden == {(1, "v"): PRIMARY, (2, "v"): SECONDARY}
    # A dominance above the threshold suppresses too; a stricter rule changes the outcome.
    assert suppress(recs, protect, Rule(min_networks=5), None, lambda r: r["c"] == "Insgesamt") == {
        (1, "v"): PRIMARY, (2, "v"): PRIMARY}
    assert (0, "v") in suppress(recs, protect, Rule(dominance_percent=25), None, lambda r: r["c"] == "Insgesamt")


def test_rule_from_environment():
    assert Rule.from_env({}) == Rule(3, 85.0)
    assert Rule.from_env({"MINT_CENSUS_SDC_MIN_NETWORKS": "5", "MINT_CENSUS_SDC_DOMINANCE_PERCENT": "80,5"}) \
        == Rule(5, 80.5)
    with pytest.raises(ValueError):
        Rule(min_networks=0)


def assert_not_recoverable(filled) -> None:
    """In every additive section, a column has either no suppressed cell or at least two
    (one linear equation cannot then determine them), and the published parts never add up
    to the total when something is missing."""
    table = filled.table
    records = filled.published.records()
    for protect in table.protect:
        if not protect.additive:
            continue
        sections: dict = {}
        for i, r in enumerate(records):
            sections.setdefault(r[table.section] if table.section else None, []).append(i)
        for members in sections.values():
            totals = [i for i in members if table.is_total(records[i])]
            if len(totals) != 1:
                continue
            for column in protect.columns:
                missing = [i for i in members if (i, column) in filled.suppressed]
                assert len(missing) != 1, (table.name, column, missing)


def test_no_suppressed_value_can_be_recovered(con):
    found = 0
    for t in TABLES:
        filled = table(con, t.name)
        found += len(filled.suppressed)
        assert_not_recoverable(filled)
        # A suppressed cell is never in the published output.
        for (i, column) in filled.suppressed:
            assert filled.published.records()[i][column] is None
    assert found > 0
    # Host types: the published total minus the published rows leaves 4 - 0 = 4 for two
    # suppressed rows (Verein, Stiftung): neither can be told.
    hosts = table(con, "04_traeger_rechtsform")
    section = [r for r in hosts.published.records() if r["section"] == "Art des Trägers"]
    total = next(r["networks"] for r in section if r["category"] == "Insgesamt")
    rest = sum(r["networks"] or 0 for r in section if r["category"] != "Insgesamt")
    assert total - rest == 4 and sum(r["networks"] is None for r in section) == 2


# --- outputs ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def published(con, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("pub") / str(YEAR)
    return outdir, publish(con, YEAR, outdir, fictitious=True, stand=STAND, reference=REFERENCE_DIR)


def test_workbook_sheets_and_headers(published):
    outdir, _ = published
    wb = openpyxl.load_workbook(outdir / "MINT-Regionen_2025_Tabellen.xlsx")
    assert wb.sheetnames == (["Inhalt"] + [f"Tabelle {n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, "9a", 10)]
                             + ["Porträts", "Methodik"])
    ws = wb["Tabelle 7"]
    assert ws["A1"].value == "Tabelle 7: Finanzierung der MINT-Regionen 2025"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Anteil des größten Beitrags" not in texts  # hidden columns stay hidden
    header = next(r for r in ws.iter_rows() if r[0].value == "Merkmal")
    assert [c.value for c in header] == ["Merkmal", "Größenklasse / Kennzahl / Quelle", "MINT-Regionen",
                                         "Betrag", "Anteil an der Summe in %"]
    assert "." in texts and any(t.startswith(". = geheim zu halten") for t in texts)
    assert "Beispieldaten – fiktive Zahlen, keine amtlichen Angaben" in texts
    t2 = wb["Tabelle 2"]
    header = next(r for r in t2.iter_rows() if r[0].value == "Land-Schlüssel")
    assert "je 1 Mio. Einwohner (Bevölkerung am 31.12.2023)" in [c.value for c in header]


def test_csv_marks_suppressed_cells(published):
    outdir, _ = published
    with open(outdir / "tabellen/04_traeger_rechtsform.csv", encoding="utf-8", newline="") as handle:
        data = list(csv.reader(handle))
    assert data[0] == ["section", "category", "networks", "share_percent", "suppressed", "signs"]
    assert ["Art des Trägers", "Stiftung", "", "", "networks;share_percent", "networks=.;share_percent=."] in data


def test_report_and_comparison(published):
    outdir, files = published
    page = (outdir / "bericht.html").read_text(encoding="utf-8")
    assert "Auf einen Blick" in page and "Von 2 MINT-Regionen im Jahr 2013 auf 5 im Jahr 2025" in page
    assert "Beispieldaten" in page and "Methodische Hinweise" in page and "31.12.2023" in page
    assert "src=\"http" not in page and "<script" not in page  # self-contained
    assert page.count("<table>") == len(TABLES) + 1  # + the chronology
    comparison = (outdir / "vergleich_vorjahr.csv").read_text(encoding="utf-8")
    # Nordrhein-Westfalen 2024 -> 2025: 3 -> 3 networks (B ended, D new); Bremen unchanged.
    assert comparison.startswith("table_name,table_title,row_key,column_key,column_header,previous,current")
    assert "01_entwicklung" in comparison  # a row for 2025 is new


@needs_reference
def test_map_draws_all_400_kreise(published):
    outdir, files = published
    assert len(files.kreise_drawn) == 400
    svg = (outdir / "abbildungen/karte_kreise.svg").read_text(encoding="utf-8")
    assert svg.count('id="kreis-') == 400
    # Every Kreis of ref.kreise (4 here) carries a tooltip with its name and the networks covering it.
    assert svg.count('">\n   <title>') == 4
    assert ('<g id="kreis-05315">\n   <title>Köln, Stadt: 2 MINT-Regionen: Netz MR-001, Netz MR-006</title>'
            in svg)
    assert '<g id="kreis-01002">\n   <title>Kiel, Landeshauptstadt: keine MINT-Region (weißer Fleck)</title>' in svg
    assert svg.count('id="land-') == 16
    assert files.messages == []


def test_map_skipped_without_reference(con, tmp_path):
    files = publish(con, YEAR, tmp_path, stand=STAND, reference=None)
    assert not (tmp_path / "abbildungen/karte_kreise.png").exists()
    assert any(m.startswith("Karte übersprungen") for m in files.messages)
    assert "Karte übersprungen" in (tmp_path / "bericht.html").read_text(encoding="utf-8")


def test_reproducible(con, published, tmp_path):
    outdir, files = published
    again = publish(con, YEAR, tmp_path, fictitious=True, stand=STAND, reference=REFERENCE_DIR)
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(outdir) for p in files]
    for first, second in zip(files, again):
        if first.suffix in {".csv", ".svg", ".html", ".pdf"}:
            assert first.read_bytes() == second.read_bytes(), first.name
