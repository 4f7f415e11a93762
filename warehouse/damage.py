"""A warehouse file that cannot be read: one clear message that names the way out (`rebuild`)."""

from __future__ import annotations

from pathlib import Path

from .sqltext import quote_ident


class WarehouseDamaged(RuntimeError):
    """The private warehouse file is damaged (truncated, overwritten, not a DuckDB file)."""


def damaged_message(path: Path, exc: BaseException) -> str:
    cause = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return (f"the warehouse file {path} is damaged and cannot be read ({cause}); "
            "rebuild it from the archive, the register and the reference data with `mint-census rebuild` "
            "(see docs/operations.md)")


def probe(path: Path) -> str | None:
    """The damage message when the warehouse file exists but cannot be read, else None."""
    import duckdb

    path = Path(path)
    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower() or "conflicting" in str(exc).lower():
            return None  # busy, not damaged
        return damaged_message(path, exc)
    try:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                             "WHERE schema_name IN ('core', 'meta', 'raw', 'private')").fetchall()
        for schema, table in tables:
            con.execute(f"SELECT count(*) FROM {quote_ident((schema, table))}").fetchall()
    except duckdb.Error as exc:
        return damaged_message(path, exc)
    finally:
        con.close()
    return None
