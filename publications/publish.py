"""Publish the yearly overview: workbook, CSV files and figures of one census year.

    publish(con, 2024, Path("publication/2024"))

reads only the ``pub`` views of the warehouse; every number is computed there in SQL.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import duckdb

from .compare import compare
from .csvfiles import write_csv
from .figures import FIGURES, draw_figure
from .german import Edition
from .maps import BKG_CREDIT, draw_map
from .queries import BASE_YEAR, headline, key_figures, require_census_year
from .report import REPORT_NAME, write_report
from .sdc import Rule
from .tables import TABLES, fill, number_tables
from .workbook import write_workbook

__all__ = ["publish", "headline", "workbook_name", "Published", "Rule"]

log = logging.getLogger(__name__)

TABLES_DIR = "tabellen"
FIGURES_DIR = "abbildungen"
COMPARISON_NAME = "vergleich_vorjahr.csv"


class Published(list):
    """The files written (a list of paths), plus what the run wants staff to know."""

    def __init__(self, paths=(), messages=(), kreise_drawn=()):
        super().__init__(paths)
        self.messages: list[str] = list(messages)
        self.kreise_drawn: list[str] = list(kreise_drawn)


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


def reference_directory(reference: Path | str | None) -> Path | None:
    """The reference directory as given by the caller (None: no map). Finding it (``--reference``,
    ``MINT_CENSUS_REFERENCE``, ../shared/reference) is the caller's business, e.g.
    ``mint_census.sources.reference.resolve_reference_dir()``: publications reads the warehouse and
    the files it is given, nothing else."""
    if reference is None:
        return None
    if isinstance(reference, str) and reference == "auto":
        raise ValueError("publish(reference='auto') is no longer resolved by publications: pass the reference "
                         "directory (e.g. sources.reference.resolve_reference_dir()) or None for no map")
    return Path(reference)


def publish(
    con: duckdb.DuckDBPyConnection,
    year: int,
    outdir: Path | str,
    *,
    fictitious: bool = False,
    stand: dt.date | str | None = None,
    reference: Path | str | None = None,
    rule: Rule | None = None,
) -> Published:
    """Write the publication of census ``year`` into ``outdir`` and return the files written.

    ``outdir`` (normally ``publication/<year>/``) receives the workbook
    ``MINT-Regionen_<year>_Tabellen.xlsx``, ``tabellen/<name>.csv`` per table,
    ``abbildungen/<name>.png`` / ``.svg`` per figure (incl. the Kreis map when the BKG
    boundaries are found in ``reference``: the reference directory, resolved by the caller,
    or None for no map), ``bericht.html``
    and ``vergleich_vorjahr.csv``. ``fictitious`` marks every output as "Beispieldaten";
    ``stand`` is the reference date (default: today); ``rule`` the disclosure-control
    thresholds (default: ``Rule.from_env()``). Each file is replaced atomically. Raises
    ValueError when the warehouse has no data for ``year``. The returned list carries
    ``messages`` (e.g. why the map was skipped) and ``kreise_drawn``.
    """
    if isinstance(year, bool) or not isinstance(year, int) or year < BASE_YEAR:
        raise ValueError(f"year must be a census year from {BASE_YEAR} on, not {year!r}")
    edition = Edition(year=year, stand=as_date(stand), fictitious=fictitious)
    reference_dir = reference_directory(reference)
    outdir = Path(outdir)
    rule = rule or Rule.from_env()
    # Query everything before writing anything, so that a missing year or a failing
    # query leaves the previous outputs untouched.
    require_census_year(con, year)
    numbers = number_tables(TABLES)
    filled = [fill(table, number, con, year, rule) for number, table in zip(numbers, TABLES)]
    previous = None
    if year - 1 >= BASE_YEAR:
        previous = [fill(table, number, con, year - 1, rule) for number, table in zip(numbers, TABLES)]
    headline_text = headline(con, year)
    key = key_figures(con, year)
    messages: list[str] = []

    written = Published([write_workbook(outdir / workbook_name(year), filled, edition)])
    written += [write_csv(outdir / TABLES_DIR / f"{t.table.name}.csv", t.published) for t in filled]
    published_tables = {t.table.name: t.published for t in filled}
    figure_files: list[tuple[Path, str, str]] = []
    for figure in FIGURES:
        paths = draw_figure(figure, con, edition, outdir / FIGURES_DIR, published_tables)
        written += paths
        figure_files.append((paths[1], figure.title.format(year=year, base_year=BASE_YEAR,
                                                           period=f"{BASE_YEAR}–{year}"), ""))
    map_paths, drawn, skipped = draw_map(con, edition, outdir / FIGURES_DIR, reference_dir)
    if skipped:
        messages.append(skipped)
        log.warning("%s", skipped)
    else:
        written += map_paths
        # The map as PNG in the report: its SVG (400 detailed Kreise) is several MB.
        figure_files.insert(1, (map_paths[0], f"MINT-Regionen je Kreis {year}; weiß: Kreise ohne MINT-Region. "
                                              f"Kartengrundlage: {BKG_CREDIT}",
                                "map"))
    if previous is not None:
        written.append(write_csv(outdir / COMPARISON_NAME, compare(filled, previous)))
    else:
        messages.append(f"Kein Vorjahresvergleich: {year} ist das erste Erhebungsjahr.")
    written.append(write_report(outdir / REPORT_NAME, edition=edition, headline_text=headline_text, key=key,
                                tables=filled, figures=figure_files, messages=messages, rule=rule))
    written.messages = messages
    written.kreise_drawn = drawn
    return written
