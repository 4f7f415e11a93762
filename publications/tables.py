"""The tables of the publication, declared once each.

A table is a SQL query over the ``pub`` views plus its presentation: German title, German
column headers, Excel number formats, units and footnotes. The workbook writer and the CSV
writer render any declared table; adding a table means adding a declaration to ``TABLES``.

Titles and footnotes may use the placeholders ``{year}``, ``{base_year}`` and ``{period}``
("2013–2024"). Queries may use the parameters ``$year`` and ``$base_year``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from .queries import BASE_YEAR, QueryResult, fetch, headline, parameters

# Excel number formats. They are locale independent: Excel shows "1.234,5" in a German
# installation. Years are written without a thousands separator.
COUNT = "#,##0"
DECIMAL_1 = "#,##0.0"
YEAR = "0"
TEXT = "@"


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    key: str  # name of the SQL result column, English snake_case; also the CSV header
    header: str  # German column header in the workbook
    number_format: str = TEXT  # Excel number format; TEXT for text columns
    unit: str = ""  # German unit shown under the header ("Anzahl", "%")

    @property
    def is_text(self) -> bool:
        return self.number_format == TEXT


@dataclass(frozen=True)
class Table:
    """Declaration of one publication table."""

    name: str  # file stem of the CSV, e.g. "01_entwicklung"
    title: str  # German title (template, see module docstring)
    sql: str  # the query; its result columns must be exactly the declared columns
    columns: tuple[Column, ...]
    footnotes: tuple[str, ...] = ()  # German footnotes (templates)
    # Optional line under the title, computed from the warehouse (e.g. the headline).
    subtitle: Callable[[duckdb.DuckDBPyConnection, int], str] | None = None
    # Which rows are totals (shown bold in the workbook); receives the row as a dict.
    is_total: Callable[[dict[str, Any]], bool] | None = None


@dataclass(frozen=True)
class FilledTable:
    """A declared table with the texts and numbers of one edition."""

    number: int  # 1-based position in the publication ("Tabelle 1")
    table: Table
    title: str
    subtitle: str | None
    footnotes: tuple[str, ...]
    result: QueryResult

    @property
    def label(self) -> str:
        return f"Tabelle {self.number}"


def text_fields(year: int) -> dict[str, Any]:
    """Values for the placeholders in titles and footnotes."""
    period = str(year) if year == BASE_YEAR else f"{BASE_YEAR}–{year}"
    return {"year": year, "base_year": BASE_YEAR, "period": period}


def fill(table: Table, number: int, con: duckdb.DuckDBPyConnection, year: int) -> FilledTable:
    """Run the table's query for ``year`` and resolve its texts."""
    result = fetch(con, table.sql, parameters(year))
    declared = tuple(column.key for column in table.columns)
    if result.columns != declared:
        raise ValueError(
            f"table {table.name}: query returns columns {list(result.columns)}, "
            f"but the declaration lists {list(declared)}"
        )
    fields = text_fields(year)
    return FilledTable(
        number=number,
        table=table,
        title=table.title.format(**fields),
        subtitle=table.subtitle(con, year) if table.subtitle else None,
        footnotes=tuple(note.format(**fields) for note in table.footnotes),
        result=result,
    )


# --- The tables -------------------------------------------------------------------------

GROWTH = Table(
    name="01_entwicklung",
    title="Entwicklung der MINT-Regionen {period}",
    sql="""
        SELECT
            census_year,
            networks,
            new_networks,
            ended_networks,
            ROUND(100.0 * networks / NULLIF(
                (SELECT networks FROM pub.growth WHERE census_year = $base_year), 0
            ), 1)::DOUBLE AS index_2013
        FROM pub.growth
        WHERE census_year BETWEEN $base_year AND $year
        ORDER BY census_year
    """,
    columns=(
        Column("census_year", "Erhebungsjahr", YEAR),
        Column("networks", "MINT-Regionen", COUNT, "Anzahl"),
        Column("new_networks", "neu hinzugekommen", COUNT, "Anzahl"),
        Column("ended_networks", "beendet", COUNT, "Anzahl"),
        Column("index_2013", "Index (2013 = 100)", DECIMAL_1, "Messzahl"),
    ),
    footnotes=(
        "Index: Zahl der MINT-Regionen im Erhebungsjahr, bezogen auf {base_year} (= 100).",
        "Umbenennungen und Zusammenschlüsse bestehender Netzwerke zählen nicht als neue "
        "MINT-Regionen.",
    ),
    subtitle=headline,
)

BY_LAND = Table(
    name="02_bundeslaender",
    title="MINT-Regionen nach Bundesland {year}",
    # The 16 Länder, then the total "Deutschland" (land_code NULL). Shares are rounded
    # one by one, so they need not add up to exactly 100.
    sql="""
        WITH land AS (
            SELECT land_code, land_name, networks
            FROM pub.networks_by_land
            WHERE census_year = $year
        ),
        total AS (
            SELECT COALESCE(SUM(networks), 0)::BIGINT AS networks FROM land
        ),
        land_and_total AS (
            SELECT land_code, land_name, networks, FALSE AS is_total FROM land
            UNION ALL
            SELECT NULL, 'Deutschland', networks, TRUE FROM total
        )
        SELECT
            r.land_code,
            r.land_name,
            r.networks,
            ROUND(100.0 * r.networks / NULLIF(t.networks, 0), 1)::DOUBLE AS share_percent
        FROM land_and_total AS r CROSS JOIN total AS t
        ORDER BY r.is_total, r.land_code
    """,
    columns=(
        Column("land_code", "Land-Schlüssel"),
        Column("land_name", "Bundesland"),
        Column("networks", "MINT-Regionen", COUNT, "Anzahl"),
        Column("share_percent", "Anteil in %", DECIMAL_1, "%"),
    ),
    footnotes=(
        "Deutschland: Summe der Länder.",
        "Durch Runden können sich bei der Summenbildung der Anteile geringfügige "
        "Abweichungen ergeben.",
    ),
    is_total=lambda row: row["land_code"] is None,
)

# The publication's tables in the order of their numbers.
TABLES: tuple[Table, ...] = (GROWTH, BY_LAND)
