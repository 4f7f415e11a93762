"""Creating and upgrading the warehouse schema (tables, comments, views, data dictionary).

Everything is generated: the tables from the questionnaire declaration (warehouse/ddl.py),
the views from warehouse/views*.py. `init` runs only when the fingerprint of those
statements differs from the one stored in meta.schema_version.
"""

from __future__ import annotations

import hashlib

import duckdb

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

from . import ddl
from .sqltext import insert_rows, quote_ident, quote_literal
from .views import view_ddl
from .views_research import research_view_ddl


def schema_fingerprint() -> str:
    """Fingerprint of every statement init() would run: equal fingerprints, equal schema."""
    text = "\n".join([*ddl.ddl(), *view_ddl(), *research_view_ddl()])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def init(con: duckdb.DuckDBPyConnection) -> None:
    """Create schemas, tables, comments, views and the data dictionary (idempotent).

    Skipped when meta.schema_version holds the current fingerprint: rebuilding costs about
    0.25 s and every writing connection would otherwise pay it.
    """
    fingerprint = schema_fingerprint()
    try:
        row = con.execute("SELECT fingerprint FROM meta.schema_version").fetchone()
        if row is not None and row[0] == fingerprint:
            return
    except duckdb.Error:
        pass  # a new or older warehouse: build it
    con.execute("BEGIN")
    con.execute("DROP TABLE IF EXISTS meta.data_dictionary")  # regenerated below, columns may change
    statements = ddl.ddl()
    for stmt in statements:          # schemas and tables first …
        if not stmt.startswith("COMMENT ON"):
            con.execute(stmt)
    add_new_columns(con)             # … columns a newer declaration adds to existing tables …
    labels_to_codes(con)             # … German labels stored by earlier versions become codes …
    for stmt in statements:          # … then every comment
        if stmt.startswith("COMMENT ON"):
            con.execute(stmt)
    if con.execute("SELECT count(*) FROM ref.laender").fetchone()[0] == 0:
        con.executemany("INSERT INTO ref.laender VALUES (?,?,?)", list(voc.LAENDER))
    for stmt in view_ddl():
        con.execute(stmt)
    for stmt in research_view_ddl():
        con.execute(stmt)
    ddl.inherit_field_comments(con)
    rows = ddl.catalog_dictionary_rows(con)
    insert_rows(con, "meta.data_dictionary", rows)
    con.execute("DELETE FROM meta.schema_version")
    con.execute("INSERT INTO meta.schema_version VALUES (?, now()::TIMESTAMP)", [fingerprint])
    con.execute("COMMIT")


def add_new_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """ALTER TABLE … ADD COLUMN for every declared column an existing table lacks.

    A field added to the questionnaire (a new template version) becomes a new column of its
    core table; rows of earlier years hold NULL there ("not asked that year"). Returns the
    statements run. Columns are never dropped or retyped here: that is a rebuild.
    """
    present = {(s, t, c) for s, t, c in con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database()").fetchall()}
    stmts = []
    for t in ddl.all_tables():
        for c in t.columns:
            if (t.schema, t.name, c.name) not in present:
                stmts.append(f"ALTER TABLE {t.qualified} ADD COLUMN {c.name} {c.sql_type}")
    for stmt in stmts:
        con.execute(stmt)
    return stmts


def labels_to_codes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """UPDATE the choice answers in core.* that an earlier version stored as German labels
    (host_type = 'Verein') to the vocabulary codes (host_type = 'verein'), by the mapping of
    ref.vocabulary (label -> key). Idempotent: codes and unknown values stay as they are.
    Returns 'table.column' -> rows changed (only where rows changed)."""
    fields = {f.key: f for f in q.FIELDS}
    survey_tables = {s.table for s in q.SHEETS}  # not core.register: the register keeps staff's labels
    changed = {}
    for table in ddl.all_tables():
        if table.schema != "core" or table.qualified not in survey_tables:
            continue
        for col in table.columns:
            if col.name not in voc.FIELD_VOCABULARY or col.name not in fields:
                continue
            pairs = con.execute("SELECT label, key FROM ref.vocabulary WHERE vocabulary = ? AND label <> key",
                                [voc.FIELD_VOCABULARY[col.name]]).fetchall()
            if not pairs:
                continue
            labels = "[" + ", ".join(quote_literal(label) for label, _ in pairs) + "]"
            when = " ".join(f"WHEN {quote_literal(label)} THEN {quote_literal(key)}" for label, key in pairs)
            name, qualified = quote_ident(col.name), table.qualified
            if fields[col.name].kind == "multichoice":
                stmt = (f"UPDATE {qualified} SET {name} = [CASE x {when} ELSE x END FOR x IN {name}] "
                        f"WHERE list_has_any({name}, {labels})")
            else:
                stmt = (f"UPDATE {qualified} SET {name} = CASE {name} {when} ELSE {name} END "
                        f"WHERE list_contains({labels}, {name})")
            n = con.execute(stmt).fetchone()[0]
            if n:
                changed[f"{qualified}.{col.name}"] = n
    return changed
