"""Documentation that cannot drift: the data dictionary is generated from the database's own
comments, every table, view and column has one, and every example query of docs/research.md
runs against a census snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from mint_census.flows.home import Home
from mint_census.warehouse import dictionary
from mint_census.warehouse.schema import init
from mint_census.warehouse.snapshot import snapshot_path, write_snapshot

from .test_research_census import census_home

ROOT = Path(__file__).resolve().parent.parent
RESEARCH = ROOT / "docs" / "research.md"
EXAMPLE = re.compile(r"^### (\d+)\. (.*?)\n\n```sql\n(.*?)```", re.S | re.M)


def fresh():
    con = duckdb.connect()
    init(con)
    return con


def test_every_table_view_and_column_has_a_comment():
    con = fresh()
    try:
        objects = con.execute("""
            SELECT schema_name || '.' || table_name FROM duckdb_tables()
             WHERE database_name = current_database() AND (comment IS NULL OR comment = '')
            UNION ALL
            SELECT schema_name || '.' || view_name FROM duckdb_views()
             WHERE database_name = current_database() AND NOT internal AND (comment IS NULL OR comment = '')
        """).fetchall()
        columns = con.execute("""
            SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
             WHERE database_name = current_database() AND (comment IS NULL OR comment = '')
        """).fetchall()
    finally:
        con.close()
    assert objects == [] and columns == []


def test_data_dictionary_holds_every_column_of_every_table_and_view():
    con = fresh()
    try:
        catalog = set(con.execute("""
            SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()
             WHERE database_name = current_database()""").fetchall())
        rows = set(con.execute(
            "SELECT table_schema, table_name, column_name, description FROM meta.data_dictionary").fetchall())
        personal = {r[0] for r in con.execute(
            "SELECT column_name FROM meta.data_dictionary WHERE is_personal").fetchall()}
        schemas = {r[0] for r in con.execute("SELECT DISTINCT table_schema FROM meta.data_dictionary").fetchall()}
    finally:
        con.close()
    assert rows == catalog
    assert personal == {"contact_name", "contact_email", "contact_phone"}
    assert schemas == {"core", "ref", "pub", "raw", "meta", "private"}


def test_generated_data_dictionary_is_up_to_date():
    expected = dictionary.generate()
    current = dictionary.DOC_PATH.read_text(encoding="utf-8") if dictionary.DOC_PATH.exists() else ""
    assert current == expected, "docs/data-dictionary.md is out of date: run `python scripts/gen_data_dictionary.py`"


def examples() -> list[tuple[str, str, str]]:
    return EXAMPLE.findall(RESEARCH.read_text(encoding="utf-8"))


def test_research_doc_has_at_least_ten_examples():
    found = examples()
    assert len(found) >= 10
    assert [int(n) for n, _, _ in found] == list(range(1, len(found) + 1))


@pytest.fixture(scope="module")
def snapshot_con(tmp_path_factory):
    home = census_home(tmp_path_factory.mktemp("docs"))
    write_snapshot(Home(home).warehouse, Home(home).published, 2025, parquet=False)
    con = duckdb.connect(str(snapshot_path(Home(home).published, 2025)), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("number,title,sql", examples(), ids=[f"q{n}" for n, _, _ in examples()])
def test_example_query_runs_on_the_snapshot(snapshot_con, number, title, sql):
    from mint_census.sources.reference import resolve_reference_dir

    needs_kreise = any(t in sql for t in ("kreis_coverage", "land_coverage", "ref.kreise"))
    if needs_kreise and resolve_reference_dir() is None:
        pytest.skip("coverage questions need the Kreise of the reference data (../shared/reference)")
    rows = snapshot_con.execute(sql).fetchall()
    assert rows, f"example {number} ({title}) returned no rows on the small census"
