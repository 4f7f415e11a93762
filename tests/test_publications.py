"""Tests of the publication outputs (publications/), on a small hand-made warehouse.

Every expected number below is computed by hand from the rows inserted in ``warehouse``.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from mint_census.publications.publish import headline, publish
from mint_census.publications.queries import PubSnapshot, snapshot, views_read
from mint_census.schemas.formulas import neutralise
from mint_census.publications.tables import TABLES, Column, Table, fill
from mint_census.warehouse import ddl
from mint_census.warehouse.views import VIEWS, view_ddl

YEAR = 2015
STAND = dt.date(2015, 12, 31)
HOSTILE = '=HYPERLINK("http://evil.example","klick")'

LAENDER = [
    ("01", "Schleswig-Holstein"), ("02", "Hamburg"), ("03", "Niedersachsen"),
    ("04", "Bremen"), ("05", "Nordrhein-Westfalen"), ("06", "Hessen"),
    ("07", "Rheinland-Pfalz"), ("08", "Baden-Württemberg"), ("09", "Bayern"),
    ("10", "Saarland"), ("11", "Berlin"), ("12", "Brandenburg"),
    ("13", "Mecklenburg-Vorpommern"), ("14", "Sachsen"), ("15", "Sachsen-Anhalt"),
    ("16", HOSTILE),  # a hostile name standing in for Thüringen
]
# census_year, networks, new_networks, ended_networks
GROWTH = [(2013, 3, 3, 0), (2014, 5, 2, 0), (2015, 6, 2, 1), (2016, 1234, 1229, 1)]
# 2015: 1 + 2 + 3 = 6 networks in three Länder, none elsewhere.
COUNTS = [(2015, "01", 1), (2015, "05", 2), (2015, "09", 3), (2014, "05", 5)]


@pytest.fixture(scope="module")
def warehouse():
    con = duckdb.connect()
    # The real warehouse (empty), with pub.growth and pub.networks_by_land replaced by
    # views over hand-made numbers below.
    for stmt in ddl.ddl():
        con.execute(stmt)
    con.executemany("INSERT INTO ref.laender VALUES (?, ?, ?)", [(c, c, n) for c, n in LAENDER])
    for stmt in view_ddl():
        con.execute(stmt)
    con.execute("CREATE TABLE t_growth (census_year INTEGER, networks BIGINT, "
                "new_networks BIGINT, ended_networks BIGINT)")
    con.executemany("INSERT INTO t_growth VALUES (?, ?, ?, ?)", GROWTH)
    con.execute("CREATE TABLE t_land (land_code VARCHAR, land_name VARCHAR)")
    con.executemany("INSERT INTO t_land VALUES (?, ?)", LAENDER)
    con.execute("CREATE TABLE t_counts (census_year INTEGER, land_code VARCHAR, networks BIGINT)")
    con.executemany("INSERT INTO t_counts VALUES (?, ?, ?)", COUNTS)
    con.execute("CREATE OR REPLACE VIEW pub.growth AS SELECT * FROM t_growth")
    # All 16 Länder for every year, 0 where there is no network (as the real view does).
    con.execute("""
        CREATE OR REPLACE VIEW pub.networks_by_land AS
        SELECT g.census_year, l.land_code, l.land_name,
               COALESCE(c.networks, 0)::BIGINT AS networks
        FROM t_growth g CROSS JOIN t_land l
        LEFT JOIN t_counts c ON c.census_year = g.census_year AND c.land_code = l.land_code
    """)
    yield con
    con.close()


@pytest.fixture(scope="module")
def published(warehouse, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("publication") / str(YEAR)
    files = publish(warehouse, YEAR, outdir, stand=STAND, reference=None)
    return outdir, files


@pytest.fixture(scope="module")
def published_fictitious(warehouse, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("demo") / str(YEAR)
    publish(warehouse, YEAR, outdir, fictitious=True, stand=STAND, reference=None)
    return outdir


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def sheet_texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def find_row(ws, first_value: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == first_value:
            return row[0].row
    raise AssertionError(f"no row starting with {first_value!r} in {ws.title}")


# --- neutralise --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+49 30", "-2", "@SUM(A1)", "\tx", "\rx", HOSTILE])
def test_neutralise_prefixes_formula_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Bayern", "", "1=1", None, -5, -2.5, 0, 3.0])
def test_neutralise_keeps_harmless_values(value):
    assert neutralise(value) == value


# --- numbers -----------------------------------------------------------------------------

def test_headline(warehouse):
    assert headline(warehouse, 2015) == "Von 3 MINT-Regionen im Jahr 2013 auf 6 im Jahr 2015"
    assert headline(warehouse, 2016) == "Von 3 MINT-Regionen im Jahr 2013 auf 1.234 im Jahr 2016"


def _rows(con, name: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM pub.{name} ORDER BY ALL").fetchall()


def test_publication_reads_one_snapshot_of_the_views(warehouse):
    # The publication's queries run on an in-memory copy: pub.<view> as a table, computed once.
    names = views_read()
    assert {"growth", "networks_by_land", "network_years", "land_coverage", "kreis_coverage"} <= set(names)
    assert set(names) <= {name for name, *_ in VIEWS}  # only real pub views, none only named in a comment
    with snapshot(warehouse) as pub:
        tables = {r[0] for r in pub.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'pub'").fetchall()}
        assert tables == set(names)
        assert _rows(pub, "growth") == [(2013, 3, 3, 0), (2014, 5, 2, 0), (2015, 6, 2, 1), (2016, 1234, 1229, 1)]
        assert sum(r[3] for r in _rows(pub, "networks_by_land") if r[0] == 2015) == 6
        for name in names:
            assert _rows(pub, name) == _rows(warehouse, name), name
            columns = f"SELECT column_name, column_type FROM (DESCRIBE pub.{name})"
            assert pub.execute(columns).fetchall() == warehouse.execute(columns).fetchall(), name


def test_snapshot_of_a_warehouse_opened_read_only(tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the views pass through Parquet
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    for stmt in [*ddl.ddl(), *view_ddl()]:
        con.execute(stmt)
    con.executemany("INSERT INTO ref.laender VALUES (?, ?, ?)", [(c, c, n) for c, n in LAENDER])
    con.close()
    con = duckdb.connect(str(path), read_only=True)
    try:
        with snapshot(con) as pub:
            assert len(_rows(pub, "laender")) == 16
            assert _rows(pub, "laender")[15][2] == HOSTILE
    finally:
        con.close()
    assert list(scratch.iterdir()) == []  # the Parquet files are gone


def test_snapshot_taken_in_the_background_gives_the_same_publication(warehouse, published, tmp_path):
    outdir, _ = published
    with PubSnapshot(warehouse) as taken:
        publish(warehouse, YEAR, tmp_path, stand=STAND, reference=None, taken=taken)
    for csv_file in sorted((outdir / "tabellen").glob("*.csv")):
        assert (tmp_path / "tabellen" / csv_file.name).read_bytes() == csv_file.read_bytes(), csv_file.name
    assert (tmp_path / "vergleich_vorjahr.csv").read_bytes() == (outdir / "vergleich_vorjahr.csv").read_bytes()


def test_a_failing_background_snapshot_raises_in_the_callers_thread():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA pub")
    con.execute("CREATE TABLE gone (census_year INTEGER)")
    con.execute("CREATE VIEW pub.growth AS SELECT census_year FROM gone")
    con.execute("DROP TABLE gone")  # the view can no longer be computed
    with PubSnapshot(con) as taken, pytest.raises(duckdb.CatalogException, match="gone"):
        taken.connection()
    con.close()


def test_publish_writes_all_files(published):
    outdir, files = published
    names = sorted(p.relative_to(outdir).as_posix() for p in files)
    assert names == sorted([
        "MINT-Regionen_2015_Tabellen.xlsx",
        "abbildungen/bundeslaender.png",
        "abbildungen/bundeslaender.svg",
        "abbildungen/partnerstruktur.png",
        "abbildungen/partnerstruktur.svg",
        "abbildungen/wachstum.png",
        "abbildungen/wachstum.svg",
        "bericht.html",
        "bericht.pdf",
        "vergleich_vorjahr.csv",
        "vergleich_vorjahr.xlsx",
        "tabellen/portraets.csv",
    ] + [f"tabellen/{t.name}.csv" for t in TABLES])  # no map: no reference data given
    assert all(p.is_file() and p.stat().st_size > 0 for p in files)
    assert not list(outdir.rglob(".*tmp*"))  # no temporary files left behind


def test_growth_csv(published):
    outdir, _ = published
    raw = (outdir / "tabellen/01_entwicklung.csv").read_bytes()
    assert raw == (
        b"census_year,networks,new_networks,ended_networks,index_2013,signs\n"
        b"2013,3,3,0,100.0,\n"
        b"2014,5,2,0,166.7,\n"  # 5 / 3 * 100 = 166.67
        b"2015,6,2,1,200.0,\n"  # 2016 lies after the census year and is left out
    )


def test_bundeslaender_csv(published):
    outdir, _ = published
    rows = read_csv(outdir / "tabellen/02_bundeslaender.csv")
    assert rows[0] == ["land_code", "land_name", "networks", "share_percent", "networks_per_million",
                       "kreise", "kreise_covered", "kreise_covered_percent", "population_covered_percent",
                       "change_previous_year", "signs"]
    # No reference data here: the coverage columns are empty and unknown (".").
    assert rows[1][-1] == ("networks_per_million=.;kreise=.;kreise_covered=.;kreise_covered_percent=.;"
                           "population_covered_percent=.")
    rows = [r[:4] + r[-2:-1] for r in rows]  # no reference data here: the coverage columns are empty
    body = rows[1:]
    assert len(body) == 17  # 16 Länder + Deutschland
    assert [r[0] for r in body[:16]] == [code for code, _ in LAENDER]
    by_code = {r[0]: r for r in body[:16]}
    assert by_code["01"] == ["01", "Schleswig-Holstein", "1", "16.7", "1"]  # 1 / 6; 0 in 2014
    assert by_code["05"] == ["05", "Nordrhein-Westfalen", "2", "33.3", "-3"]  # 2 / 6; 5 in 2014
    assert by_code["09"] == ["09", "Bayern", "3", "50.0", "3"]  # 3 / 6
    assert by_code["02"] == ["02", "Hamburg", "0", "0.0", "0"]
    assert body[16] == ["", "Deutschland", "6", "100.0", "1"]
    # The hostile name is neutralised, not turned into a formula.
    assert by_code["16"][1] == "'" + HOSTILE


def test_publish_is_reproducible(published, warehouse, tmp_path):
    outdir, files = published
    again = publish(warehouse, YEAR, tmp_path / str(YEAR), stand=STAND, reference=None)
    for first, second in zip(files, again):
        if first.suffix in {".csv", ".svg", ".png", ".pdf"}:
            assert first.read_bytes() == second.read_bytes(), first.name


def test_unknown_year_is_refused(warehouse, tmp_path):
    with pytest.raises(ValueError, match="2020"):
        publish(warehouse, 2020, tmp_path)
    assert not any(tmp_path.iterdir())


def test_declaration_must_match_query(warehouse):
    table = Table(name="x", title="X", sql="SELECT 1 AS a, 2 AS b",
                  columns=(Column("a", "A"), Column("c", "C")))
    with pytest.raises(ValueError, match="declaration"):
        fill(table, 1, warehouse, YEAR)


# --- workbook ----------------------------------------------------------------------------

def test_workbook_layout(published):
    outdir, _ = published
    wb = openpyxl.load_workbook(outdir / "MINT-Regionen_2015_Tabellen.xlsx")
    assert wb.sheetnames[:3] == ["Inhalt", "Tabelle 1", "Tabelle 2"]
    assert len(wb.sheetnames) == 1 + len(TABLES) + 2  # + Porträts, Methodik

    contents = sheet_texts(wb["Inhalt"])
    assert "Entwicklung der MINT-Regionen 2013–2015" in contents
    assert "MINT-Regionen nach Bundesland 2015" in contents

    t1 = wb["Tabelle 1"]
    assert t1["A1"].value == "Tabelle 1: Entwicklung der MINT-Regionen 2013–2015"
    assert t1["A1"].font.bold
    assert t1["A2"].value == "Von 3 MINT-Regionen im Jahr 2013 auf 6 im Jahr 2015"
    header = find_row(t1, "Erhebungsjahr")
    assert [c.value for c in t1[header]] == [
        "Erhebungsjahr", "MINT-Regionen", "neu hinzugekommen", "beendet", "Index (2013 = 100)",
    ]
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("DDEBF7") for c in t1[header])
    first_data = header + 2  # headers, then the unit row
    assert t1.freeze_panes == f"A{first_data}"
    assert [c.value for c in t1[first_data + 1]] == [2014, 5, 2, 0, 166.7]
    assert t1.cell(first_data, 2).number_format == "#,##0"
    assert t1.cell(first_data, 5).number_format == "#,##0.0"
    assert t1.cell(first_data, 1).number_format == "0"  # years without separator
    assert t1.column_dimensions["E"].width >= len("Index (2013 = 100)")
    texts = sheet_texts(t1)
    assert "Quelle: Erhebung MINT-Regionen 2015, eigene Berechnungen" in texts
    assert "Stand: 31.12.2015" in texts
    assert not any("Beispieldaten" in t for t in texts)

    t2 = wb["Tabelle 2"]
    assert t2["A1"].value == "Tabelle 2: MINT-Regionen nach Bundesland 2015"
    header = find_row(t2, "Land-Schlüssel")
    assert [c.value for c in t2[header]][:4] == ["Land-Schlüssel", "Bundesland", "MINT-Regionen", "Anteil in %"]
    assert [c.value for c in t2[header + 1]][:4] == [None, None, "Anzahl", "%"]
    first = header + 2
    assert [c.value for c in t2[first]][:4] == ["01", "Schleswig-Holstein", 1, 16.7]
    total = first + 16
    assert [c.value for c in t2[total]][1:4] == ["Deutschland", 6, 100.0]
    assert t2.cell(total, 2).font.bold
    # Numbers are numbers, codes stay text.
    for row in t2.iter_rows(min_row=first, max_row=total):
        assert row[0].data_type == "s" or row[0].row == total  # Deutschland has no code
        assert row[2].data_type == row[3].data_type == "n"  # 0.0 reads back as 0
        assert isinstance(row[2].value, int) and isinstance(row[3].value, (int, float))
        # A true zero (Hamburg: no network) keeps its number and shows the sign "–".
        expected = '#,##0.0;-#,##0.0;"–"' if row[2].value == 0 else "#,##0.0"
        assert row[3].number_format == expected


def test_workbook_neutralises_formulas(published):
    outdir, _ = published
    wb = openpyxl.load_workbook(outdir / "MINT-Regionen_2015_Tabellen.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + HOSTILE in [c.value for c in cells]


def test_fictitious_outputs_say_so(published_fictitious):
    outdir = published_fictitious
    note = "Beispieldaten – fiktive Zahlen, keine amtlichen Angaben"
    wb = openpyxl.load_workbook(outdir / "MINT-Regionen_2015_Tabellen.xlsx")
    for ws in wb:
        assert note in sheet_texts(ws), ws.title
    assert wb["Tabelle 1"]["A2"].value.startswith("Von 3 MINT-Regionen")
    svg = (outdir / "abbildungen/wachstum.svg").read_bytes()
    assert svg.startswith(b"<?xml") and b"<svg" in svg


def test_figure_files(published):
    outdir, _ = published
    png = (outdir / "abbildungen/wachstum.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = (outdir / "abbildungen/wachstum.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "<dc:date>" not in svg


def test_comparison_workbook_for_staff(published):
    """vergleich_vorjahr.xlsx: numbers as numbers, largest relative change first, a flag formula that
    reads the threshold staff can set in B4."""
    outdir, _ = published
    ws = openpyxl.load_workbook(outdir / "vergleich_vorjahr.xlsx")["Vergleich"]
    assert ws["B4"].value == 10.0
    header = [c.value for c in ws[6]]
    assert header == ["Tabelle", "Zeile", "Spalte", "Vorjahr", "Berichtsjahr", "Veränderung",
                      "Veränderung in %", "Status", "prüfen?"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=7, max_col=9) if r[0].value]
    nrw = [r for r in rows if r[0] == "MINT-Regionen nach Bundesland 2015" and r[1] == "Nordrhein-Westfalen"
           and r[2] == "MINT-Regionen"]
    assert len(nrw) == 1
    assert nrw[0][3:8] == [5, 2, -3, -60.0, "geändert"]  # 5 networks in 2014, 2 in 2015
    assert nrw[0][8].startswith("=IF(AND(ISNUMBER(G") and "$B$4" in nrw[0][8]
    percents = [abs(r[6]) for r in rows if isinstance(r[6], (int, float))]
    assert percents == sorted(percents, reverse=True) and percents
