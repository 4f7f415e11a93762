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
