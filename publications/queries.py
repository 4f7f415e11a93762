"""Reading the warehouse: every figure of the publication is computed here, in SQL.

Rendering code (workbook, CSV, figures) only formats what these queries return.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb

from mint_census.warehouse.sqltext import quote_literal

from .english import english
from .german import format_number
from .sqlfiles import load

# The first census of MINT-Regionen; the growth series and its index start here.
BASE_YEAR = 2013

# Named query parameters look like $year. DuckDB refuses parameters a query does not use,
# so each query receives only the ones it mentions outside its "--" comments. (A "$name"
# inside a string literal would be mistaken for a parameter: the publication's queries do
# not contain any.)
_PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class QueryResult:
    """Column names and rows of one query, exactly as DuckDB returned them."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def column(self, name: str) -> list[Any]:
        """All values of one column, in row order."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dictionaries keyed by column name."""
        return [dict(zip(self.columns, row)) for row in self.rows]


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> QueryResult:
    """Run ``sql`` with the named parameters it uses and return all rows."""
    used = set(_PARAMETER.findall(_COMMENT.sub("", sql)))
    missing = used - params.keys()
    if missing:
        raise ValueError(f"query needs parameters that were not given: {sorted(missing)}")
    cursor = con.execute(sql, {name: params[name] for name in sorted(used)})
    columns = tuple(d[0] for d in cursor.description)
    return QueryResult(columns=columns, rows=cursor.fetchall())


def parameters(year: int) -> dict[str, Any]:
    """The parameters every publication query may use."""
    return {"year": year, "base_year": BASE_YEAR}


HEADLINE_SQL = load("headline")


def require_census_year(con: duckdb.DuckDBPyConnection, year: int) -> None:
    """Raise ValueError unless the growth view has a row for ``year``."""
    if fetch(con, load("require_census_year"), parameters(year)).rows[0][0] == 0:
        raise ValueError(f"the warehouse has no census data for {year} (pub.growth)")


def headline(con: duckdb.DuckDBPyConnection, year: int) -> str:
    """The headline of the edition, e.g. "Von 39 MINT-Regionen im Jahr 2013 auf 135 im Jahr 2024"."""
    base, current = fetch(con, HEADLINE_SQL, parameters(year)).rows[0]
    for census_year, networks in ((BASE_YEAR, base), (year, current)):
        if networks is None:
            raise ValueError(f"pub.growth has no number of networks for census year {census_year}")
    if english():
        return f"From {format_number(base)} MINT regions in {BASE_YEAR} to {format_number(current)} in {year}"
    return (
        f"Von {format_number(base)} MINT-Regionen im Jahr {BASE_YEAR} "
        f"auf {format_number(current)} im Jahr {year}"
    )


# The key figures of the report ("Auf einen Blick").
KEY_FIGURES_SQL = load("key_figures")


def key_figures(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, Any]:
    """The numbers of "Auf einen Blick" as one record."""
    return fetch(con, KEY_FIGURES_SQL, parameters(year)).records()[0]


# --- one snapshot of the pub views per publication -------------------------------------------

_VIEW = re.compile(r"\bpub\.([a-z_][a-z0-9_]*)")


@lru_cache(maxsize=None)
def views_read() -> tuple[str, ...]:
    """The pub views the publication's SQL files read (found in their text, comments left out)."""
    names: set[str] = set()
    for sql_file in files(__package__).joinpath("sql").iterdir():
        if sql_file.name.endswith(".sql"):
            names.update(_VIEW.findall(_COMMENT.sub("", load(sql_file.name.removesuffix(".sql")))))
    return tuple(sorted(names))


def _copy_views(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    present = {row[0] for row in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'pub' AND database_name = current_database()"
    ).fetchall()}
    copy = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="mint-census-pub-") as folder:
            copy.execute("CREATE SCHEMA pub")
            for name in views_read():
                if name not in present:
                    continue
                path = quote_literal(str(Path(folder) / f"{name}.parquet"))
                con.execute(f"COPY (SELECT * FROM pub.{name}) TO {path} (FORMAT parquet)")
                copy.execute(f"CREATE TABLE pub.{name} AS FROM read_parquet({path})")
    except BaseException:
        copy.close()
        raise
    return copy


class PubSnapshot:
    """The snapshot of ``snapshot``, taken in a thread of its own from the moment it is created.

    DuckDB computes without holding Python's interpreter lock, so the caller goes on meanwhile
    (the publish command imports Prefect: ``flows.outputs.prepare_publication``).
    ``connection()`` waits for the copy (and raises what taking it raised); ``close()`` frees it.
    The thread reads through a cursor of its own (``con.cursor()``: the same database).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._copy: duckdb.DuckDBPyConnection | None = None
        self._error: BaseException | None = None
        self._cursor = con.cursor()
        self._thread = threading.Thread(target=self._take, name="pub-snapshot", daemon=True)
        self._thread.start()

    def _take(self) -> None:
        try:
            self._copy = _copy_views(self._cursor)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            self._error = exc
        finally:
            self._cursor.close()

    def connection(self) -> duckdb.DuckDBPyConnection:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._copy is not None
        return self._copy

    def close(self) -> None:
        self._thread.join()
        if self._copy is not None:
            self._copy.close()

    def __enter__(self) -> PubSnapshot:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextlib.contextmanager
def snapshot(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory database whose schema ``pub`` holds, as tables, the views of ``con`` that the
    publication reads (``views_read``), each computed once.

    The publication's 44 queries build on a few views (pub.network_years under nearly all of
    them); run against the warehouse each would compute that chain again. On the snapshot the
    queries are unchanged and every figure comes from the same state of the warehouse. The
    views go through Parquet files in a private temporary folder (DuckDB's own writer; works on a
    read-only connection), removed before the copy is handed out. Views ``con`` lacks are left
    out. ``PubSnapshot`` takes it in the background.
    """
    with PubSnapshot(con) as taken:
        yield taken.connection()
