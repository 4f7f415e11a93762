"""Year-over-year comparison: what changed in each table against the previous year's edition.

Both editions are filled from the same warehouse with the same disclosure control (so the
comparison never shows a value that either edition suppresses). Rows are matched by the
table's key columns; the differences are computed in SQL (an in-memory DuckDB), one row
per changed, new or dropped cell. This is a check for staff before release, not part of
the publication itself.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from .queries import QueryResult
from .sqlfiles import load
from .tables import SUPPRESSED_COLUMN, FilledTable

COLUMNS = ("table_name", "table_title", "row_key", "column_key", "column_header",
           "previous", "current", "change", "change_percent", "status")

COMPARE_SQL = load("vergleich_vorjahr")


def _cells(tables: list[FilledTable]) -> pd.DataFrame:
    rows = []
    for position, filled in enumerate(tables):
        table = filled.table
        keys = table.row_keys
        headers = {c.key: c.header for c in table.visible}
        result: QueryResult = filled.published
        for row_no, record in enumerate(result.records()):
            row_key = " | ".join("" if record[k] is None else str(record[k]) for k in keys)
            for column_no, key in enumerate(result.columns):
                if key in keys or key == SUPPRESSED_COLUMN:
                    continue
                value = record[key]
                number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
                rows.append((table.name, filled.title, row_key, key, headers.get(key, key), position, row_no,
                             column_no, "." if value is None else str(value), number))
    frame = pd.DataFrame(rows, columns=["table_name", "table_title", "row_key", "column_key", "column_header",
                                        "position", "row_no", "column_no", "text", "number"])
    return frame.astype({"table_name": str, "table_title": str, "row_key": str, "column_key": str,
                         "column_header": str, "position": "int64", "row_no": "int64", "column_no": "int64",
                         "text": str, "number": "float64"})


def compare(current: list[FilledTable], previous: list[FilledTable]) -> QueryResult:
    """One row per cell that differs between the two editions (see module docstring)."""
    con = duckdb.connect()
    try:
        con.register("current_cells", _cells(current))
        con.register("previous_cells", _cells(previous))
        cursor = con.execute(COMPARE_SQL)
        columns = tuple(d[0] for d in cursor.description)
        rows = cursor.fetchall()
    finally:
        con.close()
    assert columns == COLUMNS, columns
    return QueryResult(columns=columns, rows=rows)
