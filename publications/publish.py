"""Publish the yearly overview: workbook, CSV files and figures of one census year.

    publish(con, 2024, Path("publication/2024"))

reads only the ``pub`` views of the warehouse; every number is computed there in SQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import duckdb

from .compare import compare
from .csvfiles import write_csv
from .drawing import Drawer, Drawing
from .english import current, english, language, t
from .figures import FIGURES
from .german import Edition, format_number
from .maps import BKG_CREDIT, MAP_NAME, map_data
from .queries import (BASE_YEAR, PubSnapshot, QueryResult, fetch, headline, key_figures, parameters,
                      require_census_year, snapshot)
from .report import PDF_NAME, REPORT_NAME, report_data, write_pdf, write_report
from .sdc import Rule
from .sqlfiles import load
from .tables import TABLES, category_labels, fill, number_tables
from .texts import method_notes, method_notes_en
from .workbook import write_comparison_workbook, write_workbook

__all__ = ["publish", "headline", "workbook_name", "Published", "Rule"]

log = logging.getLogger(__name__)

TABLES_DIR = "tabellen"
FIGURES_DIR = "abbildungen"
COMPARISON_NAME = "vergleich_vorjahr.csv"
PORTRAITS_CSV = "portraets.csv"
COMPARISON_XLSX = "vergleich_vorjahr.xlsx"


class Published(list):
    """The files written (a list of paths), plus what the run wants staff to know."""

    def __init__(self, paths=(), messages=(), kreise_drawn=()):
        super().__init__(paths)
        self.messages: list[str] = list(messages)
        self.kreise_drawn: list[str] = list(kreise_drawn)


def workbook_name(year: int) -> str:
    """The workbook's file name (English edition: ``MINT-Regionen_<year>_Tables.xlsx``)."""
    return f"MINT-Regionen_{year}_Tables.xlsx" if english() else f"MINT-Regionen_{year}_Tabellen.xlsx"


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
    on_progress: Callable[[int, int], None] | None = None,
    lang: str = "de",
    cache_dir: Path | str | None = None,
    taken: PubSnapshot | None = None,
    drawer: Drawer | None = None,
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
    ``messages`` (e.g. why the map was skipped) and ``kreise_drawn``. ``on_progress(done, total)``
    is told after each part (tables, each figure, map, comparison, report, PDF).

    ``lang="en"`` writes the English edition (``publications.english``): the CSV files, figures,
    map, report and workbook (``MINT-Regionen_<year>_Tables.xlsx``) with English texts and numbers;
    no comparison with the previous year (a check for staff, German). Callers put it into ``publication/<year>/en/``.

    ``cache_dir`` keeps the prepared base map per version of the boundary files (their SHA-256), so
    that the next publication only colours it (``maps.base_map``); None: kept in memory only.

    The queries run on one snapshot of the pub views (``queries.snapshot``); ``taken``, a
    ``queries.PubSnapshot`` of ``con`` the caller started earlier (and closes), is used instead.
    ``drawer``, a ``drawing.Drawer`` the caller started earlier (and closes), draws the figures and
    the map, maybe in a process of its own while the tables are written; default: drawn here.
    """
    source = contextlib.nullcontext(taken.connection()) if taken is not None else snapshot(con)
    draws = contextlib.nullcontext(drawer) if drawer is not None else Drawer(separate=False)
    with language(lang), source as pub, draws as drawer:
        return _publish(pub, year, outdir, fictitious=fictitious, stand=stand, reference=reference, rule=rule,
                        on_progress=on_progress, cache_dir=Path(cache_dir) if cache_dir is not None else None,
                        drawer=drawer)


def _publish(con: duckdb.DuckDBPyConnection, year: int, outdir: Path | str, *, fictitious: bool,
             stand: dt.date | str | None, reference: Path | str | None, rule: Rule | None,
             on_progress: Callable[[int, int], None] | None = None, cache_dir: Path | None = None,
             drawer: Drawer) -> Published:
    if isinstance(year, bool) or not isinstance(year, int) or year < BASE_YEAR:
        raise ValueError(f"year must be a census year from {BASE_YEAR} on, not {year!r}")
    edition = Edition(year=year, stand=as_date(stand), fictitious=fictitious)
    reference_dir = reference_directory(reference)
    outdir = Path(outdir)
    rule = rule or Rule.from_env()
    # Query everything before writing anything, so that a missing year or a failing
    # query leaves the previous outputs untouched.
    require_census_year(con, year)
    parts = 1 + len(FIGURES) + 1 + (1 if year - 1 >= BASE_YEAR and not english() else 0) + 2
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, parts)

    if on_progress is not None:
        on_progress(0, parts)
    numbers = number_tables(TABLES)
    filled = [fill(table, number, con, year, rule) for number, table in zip(numbers, TABLES)]
    previous = None
    if year - 1 >= BASE_YEAR:
        previous = [fill(table, number, con, year - 1, rule) for number, table in zip(numbers, TABLES)]
    headline_text = headline(con, year)
    key = key_figures(con, year)
    numbers = fetch(con, load("kernaussagen"), parameters(year)).records()[0]
    chronology = fetch(con, load("chronologie"), parameters(year))
    portraits = fetch(con, load("portraits"), parameters(year))
    if english():
        portraits = english_portraits(portraits, category_labels(con))
    messages: list[str] = []
    published_tables = {t.table.name: t.published for t in filled}
    drawings = []
    for figure in FIGURES:
        if figure.table is not None and figure.table not in published_tables:
            raise ValueError(f"figure {figure.name} needs table {figure.table}")
        result = (published_tables[figure.table] if figure.table is not None
                  else fetch(con, figure.sql, parameters(year)))
        basis = tuple(t.subtitle for t in filled if figure.table and t.table.name == figure.table and t.subtitle)
        drawings.append(Drawing(figure.name, result, edition, outdir / FIGURES_DIR, current(), basis))
    map_result, boundaries, skipped = map_data(con, edition, reference_dir)
    if skipped is None:
        drawings.append(Drawing(MAP_NAME, map_result, edition, outdir / FIGURES_DIR, current(),
                                boundaries=boundaries, cache_dir=cache_dir))
    # Everything is queried: the figures are drawn (maybe in the drawing process) while the
    # tables and the comparison are written here.
    drawn_later = drawer.submit(drawings)

    written = Published([write_workbook(outdir / workbook_name(year), filled, edition, portraits,
                                        method_notes_en(rule) if english() else method_notes(rule))])
    written += [write_csv(outdir / TABLES_DIR / f"{t.table.name}.csv", t.machine) for t in filled]
    written.append(write_csv(outdir / TABLES_DIR / PORTRAITS_CSV, portraits))
    step()
    compared: list[Path] = []
    if previous is not None and not english():
        comparison = compare(filled, previous)
        compared.append(write_csv(outdir / COMPARISON_NAME, comparison))
        compared.append(write_comparison_workbook(outdir / COMPARISON_XLSX, comparison, edition))
    drawer.draw_rest_here()  # what the drawing process has not begun: drawn here, not waited for
    figure_files: list[dict] = []
    for figure, wait in zip(FIGURES, drawn_later):
        paths, _ = wait()
        written += paths
        title = t(figure.title).format(year=year, base_year=BASE_YEAR, period=f"{BASE_YEAR}–{year}")
        figure_files.append(figure_entry(figure.name, paths[1], outdir, title,
                                         alt_text(figure.name, title, filled, key, year)))
        step()
    drawn: list[str] = []
    if skipped:
        messages.append(skipped)
        log.warning("%s", skipped)
    else:
        map_paths, drawn = drawn_later[len(FIGURES)]()
        written += map_paths
        # The map as PNG in the report: its SVG (400 detailed Kreise) is several MB.
        caption = t("MINT-Regionen je Kreis {year}; weiß: Kreise ohne MINT-Region. Kartengrundlage: {credit}"
                    ).format(year=year, credit=t(BKG_CREDIT))
        figure_files.insert(1, figure_entry("karte_kreise", map_paths[0], outdir, caption,
                                            alt_text("karte_kreise", caption, filled, key, year), "map"))
    step()
    if compared:
        written += compared
        step()
    elif previous is None:
        messages.append(t("Kein Vorjahresvergleich: {year} ist das erste Erhebungsjahr.").format(year=year))
    data = report_data(edition=edition, headline_text=headline_text, key=key, numbers=numbers, tables=filled,
                       figures=figure_files, chronology=chronology, portraits=portraits, messages=messages,
                       rule=rule, base_year=BASE_YEAR)
    written.append(write_report(outdir / REPORT_NAME, data))
    step()
    written.append(write_pdf(outdir / PDF_NAME, data))
    step()
    written.messages = messages
    written.kreise_drawn = drawn
    return written


def english_portraits(portraits: QueryResult, labels: dict[str, str]) -> QueryResult:
    """The portraits with English categories (network type, host type, partner types); names stay."""
    def partners(text: str) -> str:  # "Kitas: 3; Hochschulen: 1"
        return "; ".join(": ".join([labels.get(part.split(": ")[0], part.split(": ")[0])] + part.split(": ")[1:])
                         for part in text.split("; "))

    rows = []
    for row in portraits.rows:
        record = dict(zip(portraits.columns, row))
        for key in ("network_type", "host_type"):
            if isinstance(record.get(key), str):
                record[key] = labels.get(record[key], record[key])
        if isinstance(record.get("partners_by_type"), str):
            record["partners_by_type"] = partners(record["partners_by_type"])
        rows.append(tuple(record[c] for c in portraits.columns))
    return QueryResult(columns=portraits.columns, rows=rows)


def figure_entry(name: str, path: Path, outdir: Path, caption: str, alt: str, css: str = "") -> dict:
    """A figure as the report templates see it (paths relative to the publication folder)."""
    relative = path.relative_to(outdir).as_posix()
    return {"name": name, "html_src": relative, "pdf_src": "/" + relative, "caption": caption,
            "alt": alt, "css": css}


ALT_TEXTS = {
    "de": {"wachstum": "{title}. Säulendiagramm: {first} MINT-Regionen im Jahr {first_year}, {last} im Jahr {last_year}.",
           "bundeslaender": "{title}. Die meisten MINT-Regionen: {top}.",
           "partnerstruktur": "{title} ({basis}). Anteil der MINT-Regionen mit solchen Partnern: {top}.",
           "karte_kreise": "Karte der 400 Kreise {year}: {covered} % von einer MINT-Region abgedeckt, {uncovered} "
                           "Kreise ohne MINT-Region (weiße Flecken)."},
    "en": {"wachstum": "{title}. Bar chart: {first} MINT regions in {first_year}, {last} in {last_year}.",
           "bundeslaender": "{title}. Most MINT regions: {top}.",
           "partnerstruktur": "{title} ({basis}). Share of MINT regions with such partners: {top}.",
           "karte_kreise": "Map of the 400 districts {year}: {covered} % covered by a MINT region, {uncovered} "
                           "districts without a MINT region (blank spots)."},
}


def alt_text(name: str, title: str, filled: list, key: dict, year: int) -> str:
    """Alt text stating the figure's main numbers (from the published tables), in the edition's language."""
    def fmt(value, decimals=0):
        return "." if value is None else format_number(value, decimals)

    text = ALT_TEXTS["en" if english() else "de"]
    tables = {t.table.name: t for t in filled}
    if name == "wachstum":
        rows = tables["01_entwicklung"].published.records()
        if rows:
            return text[name].format(title=title, first=fmt(rows[0]["networks"]), first_year=rows[0]["census_year"],
                                     last=fmt(rows[-1]["networks"]), last_year=rows[-1]["census_year"])
    if name == "bundeslaender":
        rows = [r for r in tables["02_bundeslaender"].published.records() if r["land_code"] is not None]
        rows.sort(key=lambda r: (-(r["networks"] or 0), r["land_name"]))
        top = ", ".join(f"{r['land_name']} {fmt(r['networks'])}" for r in rows[:3])
        return text[name].format(title=title, top=top)
    if name == "partnerstruktur":
        rows = [r for r in tables["05_partnerstruktur"].published.records() if r["share_percent"] is not None]
        rows.sort(key=lambda r: -r["share_percent"])
        top = ", ".join(f"{r['partner_type']} {fmt(r['share_percent'], 1)} %" for r in rows[:3])
        return text[name].format(title=title, basis=tables["05_partnerstruktur"].subtitle or "", top=top)
    if name == "karte_kreise":
        return text[name].format(year=year, covered=fmt(key.get("kreise_covered_percent"), 1),
                                 uncovered=fmt(key.get("kreise_uncovered")))
    return title