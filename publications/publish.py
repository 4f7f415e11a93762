"""Publish the yearly overview: workbook, CSV files and figures of one census year.

    publish(con, 2024, Path("publication/2024"))

reads only the ``pub`` views of the warehouse; every number is computed there in SQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from .csvfiles import write_csv
from .figures import FIGURES, draw_figure
from .german import Edition
from .queries import BASE_YEAR, headline, require_census_year
from .tables import TABLES, fill
from .workbook import write_workbook

__all__ = ["publish", "headline", "workbook_name"]

TABLES_DIR = "tabellen"
FIGURES_DIR = "abbildungen"


def workbook_name(year: int) -> str:
    return f"MINT-Regionen_{year}_Tabellen.xlsx"


def as_date(stand: dt.date | str | None) -> dt.date:
    """The reference date: a date, an ISO date string, or None for today."""
    if stand is None:
        return dt.date.today()
    if isinstance(stand, dt.datetime):
        return stand.date()
    if isinstance(stand, dt.date):
        return stand
    try:
        return dt.date.fromisoformat(stand)
    except (TypeError, ValueError):
        raise ValueError(f"stand must be a date or an ISO date (YYYY-MM-DD), not {stand!r}") from None


def publish(
    con: duckdb.DuckDBPyConnection,
    year: int,
    outdir: Path | str,
    *,
    fictitious: bool = False,
    stand: dt.date | str | None = None,
) -> list[Path]:
    """Write the publication of census ``year`` into ``outdir`` and return the files written.

    ``outdir`` (normally ``publication/<year>/``) receives the workbook
    ``MINT-Regionen_<year>_Tabellen.xlsx``, ``tabellen/<name>.csv`` per table and
    ``abbildungen/<name>.png`` / ``.svg`` per figure. ``fictitious`` marks every output as
    "Beispieldaten"; ``stand`` is the reference date shown in the workbook (default: today).
    Each file is replaced atomically. Raises ValueError when the warehouse has no data for
    ``year``.
    """
    if isinstance(year, bool) or not isinstance(year, int) or year < BASE_YEAR:
        raise ValueError(f"year must be a census year from {BASE_YEAR} on, not {year!r}")
    edition = Edition(year=year, stand=as_date(stand), fictitious=fictitious)
    outdir = Path(outdir)

    # Query everything before writing anything, so that a missing year or a failing
    # query leaves the previous outputs untouched.
    require_census_year(con, year)
    filled = [fill(table, number, con, year) for number, table in enumerate(TABLES, start=1)]

    written = [write_workbook(outdir / workbook_name(year), filled, edition)]
    written += [write_csv(outdir / TABLES_DIR / f"{t.table.name}.csv", t.result) for t in filled]
    for figure in FIGURES:
        written += draw_figure(figure, con, edition, outdir / FIGURES_DIR)
    return written
