"""docs/data-dictionary.md, generated from meta.data_dictionary of a freshly created warehouse.

Regenerate with `python scripts/gen_data_dictionary.py` (tests fail when the committed
file differs from what this produces, or when a table, view or column lacks a comment).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"
SCHEMA_ORDER = ("pub", "core", "ref", "meta", "raw", "private")
INTRO = {
    "pub": "Stable views for researchers and the publication (in the snapshot: tables).",
    "core": "Validated census data, one row per network and census year (plus detail tables).",
    "ref": "Official reference data, the questionnaire's vocabularies and former Kreis keys.",
    "meta": "Runs, received files, findings, retention and this dictionary.",
    "raw": "Cells as read (private warehouse only; not in the snapshot).",
    "private": "Personal data (private warehouse only; never in the snapshot or any export).",
}


def fresh_dictionary() -> list[tuple]:
    """meta.data_dictionary of an empty warehouse built by schema.init (in memory)."""
    from .schema import init

    con = duckdb.connect()
    try:
        init(con)
        return con.execute(
            "SELECT table_schema, table_name, object_type, table_comment, column_index, column_name, data_type, "
            "label_de, description, unit, allowed_values, source_field, first_year, is_personal, null_meaning "
            "FROM meta.data_dictionary").fetchall()
    finally:
        con.close()


def _cell(v) -> str:
    if v is None or v == "":
        return ""
    return str(v).replace("|", "\\|").replace("\n", " ")


def render(rows: list[tuple]) -> str:
    order = {s: i for i, s in enumerate(SCHEMA_ORDER)}
    rows = sorted(rows, key=lambda r: (order.get(r[0], 99), r[0], r[1], r[4]))
    out = ["# Data dictionary of the mint-census warehouse", "",
           "Generated from `meta.data_dictionary` (the database's own `COMMENT ON` texts and the questionnaire "
           "declaration in `schemas/questionnaire.py`) by `python scripts/gen_data_dictionary.py`. Do not edit "
           "by hand: a test fails when this file is out of date.", "",
           "Every table and view below carries the same texts as `COMMENT ON` in DuckDB: "
           "`SELECT * FROM duckdb_columns()` or `SELECT * FROM meta.data_dictionary` show them too. "
           "The researchers' snapshot holds `pub`, `core`, `ref`, `meta.data_dictionary`, `meta.runs` "
           "and `meta.snapshot`; `raw` and `private` exist only in the private warehouse.", ""]
    objects: dict[tuple[str, str], list[tuple]] = {}
    for r in rows:
        objects.setdefault((r[0], r[1]), []).append(r)
    schemas = sorted({s for s, _ in objects}, key=lambda s: (order.get(s, 99), s))
    out.append("## Contents")
    out.append("")
    for s in schemas:
        names = ", ".join(f"[`{s}.{t}`](#{s}{t})" for (ss, t) in objects if ss == s)
        out.append(f"- **{s}**: {names}")
    out.append("")
    for s in schemas:
        out += [f"## Schema `{s}`", "", INTRO.get(s, ""), ""]
        for (ss, t), cols in objects.items():
            if ss != s:
                continue
            kind, comment = cols[0][2], cols[0][3]
            out += [f"### `{s}.{t}`", "", f"*{kind}* — {_cell(comment)}", "",
                    "| column | type | meaning | label (de) | unit | NULL means | allowed values | source field | since |",
                    "|---|---|---|---|---|---|---|---|---|"]
            for r in cols:
                name = f"`{r[5]}`" + (" (personal)" if r[13] else "")
                out.append("| " + " | ".join(_cell(v) for v in (
                    name, r[6], r[8], r[7], r[9], r[14] if len(r) > 14 else None, r[10], r[11], r[12])) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def generate() -> str:
    return render(fresh_dictionary())


def write(path: Path = DOC_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generate(), encoding="utf-8")
    return path
