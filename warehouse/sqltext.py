"""Quoting for the few places where SQL text cannot take a parameter.

Values go into queries as parameters (``?`` or ``$name``). What DuckDB does not accept as a
parameter (identifiers, COMMENT ON texts, ATTACH / COPY paths on older DuckDB releases, the
rows of the code-defined ref tables in the DDL) is quoted here and nowhere else.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


def quote_literal(text: str) -> str:
    """A SQL string literal: ``O'Brien`` -> ``'O''Brien'``."""
    return "'" + str(text).replace("'", "''") + "'"


def quote_ident(name: str | tuple[str, ...]) -> str:
    """A quoted identifier. A dotted name (``core.partners``) is quoted part by part; a tuple
    gives the parts as they are (names that may themselves contain dots)."""
    parts = name if isinstance(name, tuple) else str(name).split(".")
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def with_identifiers(sql: str, **identifiers: str | tuple[str, ...]) -> str:
    """``sql`` with every ``{{name}}`` marker replaced by ``quote_ident(identifiers[name])``.

    Only identifiers (table and column names from the code's own declarations) go in this
    way; values are always parameters."""
    missing = sorted(set(_IDENTIFIER.findall(sql)) - identifiers.keys())
    if missing:
        raise KeyError(f"SQL needs identifiers that were not given: {missing}")
    return _IDENTIFIER.sub(lambda m: quote_ident(identifiers[m.group(1)]), sql)


def insert_rows(con, table: str, rows, chunk: int = 500) -> None:
    """INSERT INTO `table` the tuples `rows`, as one multi-row VALUES statement per `chunk` rows.

    DuckDB's executemany runs one statement per row (about 1 ms each): the 353 rows of the
    data dictionary took 0.31 s that way and take 0.07 s here. Values stay parameters.
    """
    rows = list(rows)
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        marks = ",".join("(" + ",".join("?" * len(row)) + ")" for row in part)
        con.execute(f"INSERT INTO {table} VALUES {marks}", [v for row in part for v in row])

