"""The template, the pandera schema and the warehouse agree, because all come from one declaration."""

from __future__ import annotations

import duckdb
import pytest
from openpyxl import load_workbook

from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import write_workbook
from mint_census.schemas.sheets import schema_for
from mint_census.warehouse import ddl
from mint_census.warehouse.schema import init


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    init(c)
    yield c
    c.close()


# What each field kind must become in DuckDB (written out, not taken from the declaration).
DUCKDB_TYPE = {"text": "VARCHAR", "int": "INTEGER", "year": "SMALLINT", "decimal": "DOUBLE",
               "bool": "BOOLEAN", "choice": "VARCHAR", "multichoice": "VARCHAR[]", "land": "VARCHAR",
               "kreis": "VARCHAR", "network_id": "VARCHAR", "url": "VARCHAR", "email": "VARCHAR",
               "phone": "VARCHAR"}

def columns(con, table):
    schema, name = table.split(".")
    return {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
        [schema, name]).fetchall()}


@pytest.mark.parametrize("version", list(q.TEMPLATE_VERSIONS))
def test_template_schema_and_warehouse_agree(tmp_path, con, version):
    lay = q.layout(version)
    path = write_workbook(tmp_path / "t.xlsx", lay.year, "MR-001", version=version)
    wb = load_workbook(path)
    assert [s for s in wb.sheetnames if s in q.SHEET_BY_NAME] == list(lay.sheets)
    for sheet_name in lay.sheets:
        sheet = q.SHEET_BY_NAME[sheet_name]
        ws = wb[sheet_name]
        places = lay.fields_of(sheet_name)
        schema = schema_for(sheet_name, lay.year)
        # template: every field of the year has its label where the layout says
        for p in places:
            label_cell = ws.cell(p.row, q.FORM_LABEL_COL) if sheet.kind == "form" else ws.cell(q.HEADER_ROW, p.col)
            assert label_cell.value.rstrip(" *") == p.label
            assert (label_cell.value.endswith("*")) == p.field.required
        # schema: exactly these fields (plus the census year used by cross-field rules)
        assert set(schema.columns) - {"_census_year"} == {p.field.key for p in places}
        for p in places:
            col = schema.columns[p.field.key]
            assert col.title == p.field.label and col.nullable == (not p.field.required)
        # warehouse: a commented column for every field, of the declared type
        cols = columns(con, sheet.table)
        for p in places:
            if p.field.key == "network_id":
                continue
            data_type, comment = cols[p.field.key]
            assert data_type == DUCKDB_TYPE[p.field.kind], p.field.key
            assert comment and p.field.label in comment


def test_dropdowns_come_from_the_hidden_lists_sheet(tmp_path):
    wb = load_workbook(write_workbook(tmp_path / "t.xlsx", 2025, "MR-001"))
    assert wb["_listen"].sheet_state == "hidden" and wb["_meta"].sheet_state == "hidden"
    dvs = {str(dv.sqref): dv for dv in wb["Netzwerk"].data_validations.dataValidation}
    land = dvs[q.layout("2025.1").places["land_code"].cell()]
    assert land.type == "list" and land.formula1 == "'_listen'!$B$2:$B$17"
    assert wb["Netzwerk"].protection.sheet is True
    assert wb["Netzwerk"]["B8"].protection.locked is False and wb["Netzwerk"]["A8"].protection.locked is True


def test_every_column_has_a_comment_and_a_dictionary_row(con):
    missing = con.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('core','ref','raw','meta','private','pub') AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert missing == []
    dict_rows = {(r[0], r[1], r[2]) for r in con.execute(
        "SELECT table_schema, table_name, column_name FROM meta.data_dictionary").fetchall()}
    table_cols = {(r[0], r[1], r[2]) for r in con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('core','ref','raw','meta','private','pub')").fetchall()}
    assert dict_rows == table_cols


def test_personal_fields_only_in_private():
    personal = {f.key for f in q.FIELDS if f.personal}
    assert personal == {"contact_name", "contact_email", "contact_phone"}
    for t in ddl.all_tables():
        if t.schema != "private":
            assert not personal & {c.name for c in t.columns}, t.qualified
