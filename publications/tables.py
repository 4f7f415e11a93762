"""The tables of the publication, declared once each.

A table is a SQL query over the ``pub`` views (``publications/sql/<name>.sql``) plus its
presentation: German title, German column headers, Excel number formats, units and footnotes. The workbook writer and the CSV
writer render any declared table; adding a table means adding a declaration to ``TABLES``.

Titles and footnotes may use the placeholders ``{year}``, ``{base_year}`` and ``{period}``
("2013–2024"). Queries may use the parameters ``$year`` and ``$base_year``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import duckdb

from .english import english, t
from .german import POPULATION_DATE
from .queries import BASE_YEAR, QueryResult, fetch, headline, parameters
from .sdc import Protect, Rule, suppress
from .signs import Blocked, is_empty, legend, sign_of
from .sqlfiles import load

# Excel number formats. They are locale independent: Excel shows "1.234,5" in a German
# installation. Years are written without a thousands separator.
COUNT = "#,##0"
DECIMAL_1 = "#,##0.0"
DECIMAL_2 = "#,##0.00"
YEAR = "0"
TEXT = "@"


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    key: str  # name of the SQL result column, English snake_case; also the CSV header
    header: str  # German column header in the workbook
    number_format: str = TEXT  # Excel number format; TEXT for text columns
    unit: str = ""  # German unit shown under the header ("Anzahl", "%")
    hidden: bool = False  # used by disclosure control only; never published

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
    # Disclosure control: groups of columns protected together (see publications.sdc).
    protect: tuple[Protect, ...] = ()
    # Column whose value names the section a row belongs to (sections have their own total).
    section: str | None = None
    # Columns identifying a row across years (year-over-year comparison); default: text columns.
    keys: tuple[str, ...] | None = None
    # "a" for a table that belongs to the previous number ("Tabelle 9a").
    suffix: str = ""
    # Where an empty cell is "x" (Tabellenfach gesperrt, weil Aussage nicht sinnvoll); a filled
    # cell prints its number.
    blocked: tuple[Blocked, ...] = ()
    # Column with the number of networks (or Kreise) a row rests on: an empty cell of a row
    # resting on none is "–" (nichts vorhanden). None: the table has no such column.
    count: str | None = "networks"

    @property
    def visible(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.hidden)

    @property
    def row_keys(self) -> tuple[str, ...]:
        return self.keys or tuple(c.key for c in self.visible if c.is_text)


@dataclass(frozen=True)
class FilledTable:
    """A declared table with the texts and numbers of one edition."""

    number: int | str  # position in the publication ("Tabelle 1", "Tabelle 9a")
    table: Table
    title: str
    subtitle: str | None
    footnotes: tuple[str, ...]
    result: QueryResult  # everything the query returned, incl. hidden columns (never written)
    published: QueryResult  # visible columns, suppressed cells as None (+ "suppressed" column)
    suppressed: dict[tuple[int, str], str]  # (row, column) -> "primary" | "secondary"
    # (row, column) -> official sign ("–", ".", "x") for every visible numeric cell that does not
    # print its number; see publications.signs.
    signs: dict[tuple[int, str], str] = None  # type: ignore[assignment]

    @property
    def label(self) -> str:
        return f"Table {self.number}" if english() else f"Tabelle {self.number}"

    @property
    def machine(self) -> QueryResult:
        """What the CSV file holds: the published values plus the ``signs`` column."""
        return with_signs(self.published, self.signs or {})

    @property
    def legend(self) -> tuple[str, ...]:
        """The legend lines of the signs this table uses (empty when it uses none)."""
        return legend(set((self.signs or {}).values()))


def text_fields(year: int) -> dict[str, Any]:
    """Values for the placeholders in titles and footnotes."""
    period = str(year) if year == BASE_YEAR else f"{BASE_YEAR}–{year}"
    return {"year": year, "base_year": BASE_YEAR, "period": period}


SUPPRESSED_COLUMN = "suppressed"
SIGNS_COLUMN = "signs"


def cell_signs(table: Table, result: QueryResult, hidden: dict[tuple[int, str], str]) -> dict[tuple[int, str], str]:
    """The official sign of every visible numeric cell that does not print a number."""
    signs: dict[tuple[int, str], str] = {}
    for i, record in enumerate(result.records()):
        for column in table.visible:
            value = record[column.key]
            sign = sign_of(value, column.key, record, is_text=column.is_text, is_percent=column.unit == "%",
                           secret=(i, column.key) in hidden, blocked=table.blocked, count=table.count)
            if sign is not None:
                signs[(i, column.key)] = sign
    return signs


def published_result(table: Table, result: QueryResult, hidden: dict[tuple[int, str], str]) -> QueryResult:
    """The visible columns with suppressed cells set to None; protected tables get a last column
    ``suppressed`` naming the suppressed columns of each row (";"-separated)."""
    visible = [c.key for c in table.visible]
    rows = []
    for i, record in enumerate(result.records()):
        row = [None if (i, key) in hidden else record[key] for key in visible]
        if table.protect:
            row.append(";".join(key for key in visible if (i, key) in hidden))
        rows.append(tuple(row))
    columns = tuple(visible) + ((SUPPRESSED_COLUMN,) if table.protect else ())
    return QueryResult(columns=columns, rows=rows)


def with_signs(published: QueryResult, signs: dict[tuple[int, str], str]) -> QueryResult:
    """The published result plus a last column ``signs``: the official sign of each empty cell of
    the row as ``column=sign``, ";"-separated (e.g. ``share_percent=x;value=.``); zeros keep
    their number and are not listed."""
    rows = []
    for i, row in enumerate(published.rows):
        record = dict(zip(published.columns, row))
        rows.append(tuple(row) + (";".join(f"{key}={sign}" for (r, key), sign in sorted(
            signs.items(), key=lambda item: published.columns.index(item[0][1])) if r == i and is_empty(record[key])),))
    return QueryResult(columns=published.columns + (SIGNS_COLUMN,), rows=rows)


def fill(table: Table, number: int | str, con: duckdb.DuckDBPyConnection, year: int,
         rule: Rule | None = None) -> FilledTable:
    """Run the table's query for ``year``, apply disclosure control and resolve its texts."""
    result = fetch(con, table.sql, parameters(year))
    declared = tuple(column.key for column in table.columns)
    if result.columns != declared:
        raise ValueError(
            f"table {table.name}: query returns columns {list(result.columns)}, "
            f"but the declaration lists {list(declared)}"
        )
    rule = rule or Rule()
    hidden = suppress(result.records(), table.protect, rule, table.section, table.is_total)
    fields = text_fields(year)
    footnotes = tuple(t(note).format(**fields) for note in table.footnotes)
    if hidden:
        footnotes += (rule.footnote,)
    signs = cell_signs(table, result, hidden)
    published = published_result(table, result, hidden)
    title = t(table.title).format(**fields)
    if english():
        table, result, published = english_table(con, table, result, published)
    return FilledTable(
        number=number,
        table=table,
        title=title,
        subtitle=table.subtitle(con, year) if table.subtitle else None,
        footnotes=footnotes,
        result=result,
        published=published,
        suppressed=hidden,
        signs=signs,
    )


# Text columns whose values are categories (translated in the English edition); other text
# columns hold names (Land, Kreis) and codes, which stay as they are.
CATEGORY_COLUMNS = ("section", "category", "partner_type", "kreis_typ")


def category_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """German category -> English: ``pub.vocabulary.label_en``, then the fixed texts of ``english.EN``."""
    from .english import EN

    labels = {label: label_en for label, label_en in fetch(con, load("vocabulary_en"), {}).rows if label_en}
    return {**labels, **{k: v for k, v in EN.items() if k not in labels}}


def english_table(con: duckdb.DuckDBPyConnection, table: Table, result: QueryResult,
                  published: QueryResult) -> tuple[Table, QueryResult, QueryResult]:
    """The English edition of a filled table: headers, units and category cells in English. Totals are
    still recognised by the German declaration (``is_total`` sees the row with its German categories)."""
    labels = category_labels(con)
    back: dict[str, str] = {}

    def translated(res: QueryResult) -> QueryResult:
        rows = []
        for row in res.rows:
            new = list(row)
            for i, key in enumerate(res.columns):
                if key in CATEGORY_COLUMNS and isinstance(row[i], str) and row[i] in labels:
                    new[i] = labels[row[i]]
                    back[new[i]] = row[i]
            rows.append(tuple(new))
        return QueryResult(columns=res.columns, rows=rows)

    result, published = translated(result), translated(published)
    is_total = table.is_total
    if is_total is not None:
        def is_total(row: dict[str, Any], german=table.is_total) -> bool:
            return german({k: back.get(v, v) if isinstance(v, str) else v for k, v in row.items()})
    columns = tuple(c if c.hidden else replace(c, header=t(c.header), unit=t(c.unit)) for c in table.columns)
    return replace(table, columns=columns, is_total=is_total), result, published


def number_tables(tables: tuple[Table, ...]) -> list[int | str]:
    """Table numbers: 1, 2, …; a table with a suffix shares the previous number ("9a")."""
    numbers: list[int | str] = []
    current = 0
    for table in tables:
        if table.suffix:
            numbers.append(f"{current}{table.suffix}")
        else:
            current += 1
            numbers.append(current)
    return numbers


def basis_subtitle(con: duckdb.DuckDBPyConnection, year: int) -> str:
    """ "Basis: N MINT-Regionen mit Angaben in der Erhebung Y" (survey tables)."""
    n = fetch(con, load("basis"), parameters(year)).rows[0][0]
    if english():
        if n == 0:
            return f"No survey answers for {year} (survey with questionnaire since 2023)."
        return f"Basis: {n} MINT regions with answers in the survey {year}"
    if n == 0:
        return f"Für {year} liegen keine Angaben aus der Erhebung vor (Erhebung mit Erhebungsbogen seit 2023)."
    return f"Basis: {n} MINT-Regionen mit Angaben in der Erhebung {year}"


def _total(record: dict[str, Any]) -> bool:
    return record.get("category") == "Insgesamt"


# --- The tables -------------------------------------------------------------------------

GROWTH = Table(
    name="01_entwicklung",
    title="Entwicklung der MINT-Regionen {period}",
    sql=load("01_entwicklung"),
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
    keys=("census_year",),
)

BY_LAND = Table(
    name="02_bundeslaender",
    title="MINT-Regionen nach Bundesland {year}",
    # The 16 Länder, then the total "Deutschland" (land_code NULL). Shares are rounded
    # one by one, so they need not add up to exactly 100.
    sql=load("02_bundeslaender"),
    columns=(
        Column("land_code", "Land-Schlüssel"),
        Column("land_name", "Bundesland"),
        Column("networks", "MINT-Regionen", COUNT, "Anzahl"),
        Column("share_percent", "Anteil in %", DECIMAL_1, "%"),
        Column("networks_per_million", f"je 1 Mio. Einwohner (Bevölkerung am {POPULATION_DATE})",
               DECIMAL_2, "Anzahl"),
        Column("kreise", "Kreise insgesamt", COUNT, "Anzahl"),
        Column("kreise_covered", "Kreise mit MINT-Region", COUNT, "Anzahl"),
        Column("kreise_covered_percent", "Kreise mit MINT-Region in %", DECIMAL_1, "%"),
        Column("population_covered_percent",
               f"Bevölkerung in Kreisen mit MINT-Region in % (Stand {POPULATION_DATE})", DECIMAL_1, "%"),
        Column("change_previous_year", "Veränderung gegenüber Vorjahr", COUNT, "Anzahl"),
    ),
    footnotes=(
        "Deutschland: Summe der Länder.",
        "Durch Runden können sich bei der Summenbildung der Anteile geringfügige "
        "Abweichungen ergeben.",
        f"Bevölkerung: Fortschreibung des Statistischen Bundesamtes, Stand {POPULATION_DATE}; "
        "Kreise: Gebietsstand 31.12.2023.",
        "Ein Kreis gilt als abgedeckt, wenn mindestens eine im Jahr gezählte MINT-Region ihn "
        "ganz oder teilweise umfasst (Angaben der Erhebung, sonst Register).",
    ),
    is_total=lambda row: row["land_code"] is None,
    keys=("land_name",),
    # No previous year in the first census year.
    blocked=(Blocked(("change_previous_year",), why="first census year has no previous year"),),
    count=None,  # coverage columns do not rest on the networks of the row
)

FOUNDING = Table(
    name="03_gruendungsjahre",
    title="MINT-Regionen {year} nach Gründungsjahr",
    sql=load("03_gruendungsjahre"),
    columns=(
        Column("category", "Gründungszeitraum"),
        Column("networks", "MINT-Regionen", COUNT, "Anzahl"),
        Column("share_percent", "Anteil in %", DECIMAL_1, "%"),
        Column("networks_cumulative", "kumuliert", COUNT, "Anzahl"),
        Column("share_cumulative_percent", "kumuliert in %", DECIMAL_1, "%"),
    ),
    footnotes=(
        "MINT-Regionen, die im Erhebungsjahr {year} gezählt werden, nach ihrem Gründungsjahr "
        "(Register); Zeiträume von je drei Jahren ab 2006, dem Gründungsjahr der ersten MINT-Region.",
    ),
    is_total=_total,
    # Cumulating "ohne Angabe" or the total makes no sense.
    blocked=(Blocked(("networks_cumulative", "share_cumulative_percent"),
                     lambda row: row["category"] in ("ohne Angabe", "Insgesamt")),),
)

HOSTS = Table(
    name="04_traeger_rechtsform",
    title="MINT-Regionen {year} nach Art und Rechtsform des Trägers",
    sql=load("04_traeger_rechtsform"),
    columns=(
        Column("section", "Merkmal"),
        Column("category", "Ausprägung"),
        Column("networks", "MINT-Regionen", COUNT, "Anzahl"),
        Column("share_percent", "Anteil in %", DECIMAL_1, "%"),
    ),
    footnotes=("Angaben der MINT-Regionen im Erhebungsbogen {year} (Träger der Netzwerkkoordination).",),
    subtitle=basis_subtitle,
    is_total=_total,
    section="section",
    protect=(Protect(columns=("networks", "share_percent"), networks="networks", additive=True),),
)

PARTNERS = Table(
    name="05_partnerstruktur",
    title="Partnerstruktur der MINT-Regionen {year}",
    sql=load("05_partnerstruktur"),
    columns=(
        Column("partner_type", "Art der Partner"),
        Column("networks", "MINT-Regionen mit solchen Partnern", COUNT, "Anzahl"),
        Column("share_percent", "Anteil an allen MINT-Regionen in %", DECIMAL_1, "%"),
        Column("median", "Median der Anzahl", DECIMAL_1, "Anzahl"),
        Column("minimum", "Minimum", COUNT, "Anzahl"),
        Column("maximum", "Maximum", COUNT, "Anzahl"),
        Column("partners_total", "Partner insgesamt", COUNT, "Anzahl"),
    ),
    footnotes=(
        "Median, Minimum und Maximum: Zahl der Partner dieser Art in den MINT-Regionen, die "
        "mindestens einen solchen Partner haben.",
    ),
    subtitle=basis_subtitle,
    protect=(Protect(columns=("networks", "share_percent", "median", "minimum", "maximum", "partners_total"),
                     networks="networks"),),
    keys=("partner_type",),
)

STAFF = Table(
    name="06_koordination_personal",
    title="Koordination und Personal der MINT-Regionen {year}",
    sql=load("06_koordination_personal"),
    columns=(
        Column("section", "Merkmal"),
        Column("category", "Ausprägung / Kennzahl"),
        Column("networks", "MINT-Regionen", COUNT, "Anzahl"),
        Column("share_percent", "Anteil in %", DECIMAL_1, "%"),
        Column("value", "Wert", DECIMAL_1, "VZÄ bzw. Personen"),
        Column("top_share", "Anteil des größten Beitrags", DECIMAL_1, "%", hidden=True),
    ),
    footnotes=(
        "VZÄ: Vollzeitäquivalente des bezahlten Personals der MINT-Region.",
        "Quartile und Median über alle MINT-Regionen mit Angaben; Summen: Zahl der MINT-Regionen "
        "mit einem Wert über 0.",
    ),
    subtitle=basis_subtitle,
    is_total=_total,
    section="section",
    protect=(Protect(columns=("networks", "share_percent", "value"), networks="networks",
                     top_share="top_share", additive=True),),
    # Size classes have no value; quartiles and sums have no share.
    blocked=(Blocked(("value",), lambda row: row["section"] != "Kennzahlen"),
             Blocked(("share_percent",), lambda row: row["section"] == "Kennzahlen")),
)

FUNDING = Table(
    name="07_finanzierung",
    title="Finanzierung der MINT-Regionen {year}",
    sql=load("07_finanzierung"),
    columns=(
        Column("section", "Merkmal"),
        Column("category", "Größenklasse / Kennzahl / Quelle"),
        Column("networks", "MINT-Regionen", COUNT, "Anzahl"),
        Column("amount_eur", "Betrag", COUNT, "EUR"),
        Column("share_percent", "Anteil an der Summe in %", DECIMAL_1, "%"),
        Column("top_share", "Anteil des größten Beitrags", DECIMAL_1, "%", hidden=True),
    ),
    footnotes=(
        "Jahresbudget: gesamtes Budget des Netzwerks im Erhebungsjahr aus allen Quellen.",
        "Größenklassen: Zahl der MINT-Regionen und Summe ihrer Budgets; Kennzahlen über alle "
        "MINT-Regionen mit Angabe zum Budget.",
        "Finanzierungsquellen: Summe der Beträge je Quelle und ihr Anteil an der Summe aller "
        "Quellen; MINT-Regionen: Zahl der Netzwerke mit einem Betrag über 0.",
    ),
    subtitle=basis_subtitle,
    is_total=_total,
    section="section",
    protect=(Protect(columns=("networks", "amount_eur", "share_percent"), networks="networks",
                     top_share="top_share", additive=True),),
    # Quartiles and the mean are no part of a sum.
    blocked=(Blocked(("share_percent",), lambda row: row["section"] == "Kennzahlen des Jahresbudgets"),),
)

OFFERS = Table(
    name="08_angebote",
    title="Angebote der MINT-Regionen {year} nach Format und Zielgruppe",
    sql=load("08_angebote"),
    columns=(
        Column("section", "Gliederung"),
        Column("category", "Format / Zielgruppe"),
        Column("networks", "MINT-Regionen mit solchen Angeboten", COUNT, "Anzahl"),
        Column("offers", "Angebote", COUNT, "Anzahl"),
        Column("participants", "Teilnehmende", COUNT, "Personen"),
        Column("top_share", "Anteil des größten Beitrags", DECIMAL_1, "%", hidden=True),
    ),
    footnotes=(
        "Angebote, die die MINT-Regionen im Erhebungsbogen {year} gemeldet haben (erfragt seit 2024); "
        "Teilnehmende im Erhebungsjahr, fehlende Angaben als 0 gezählt.",
        "Ein Angebot kann sich an mehrere Zielgruppen richten: die Zeilen nach Zielgruppe "
        "ergeben zusammen mehr als die Summe der Angebote.",
    ),
    subtitle=basis_subtitle,
    is_total=_total,
    section="section",
    protect=(Protect(columns=("networks", "offers", "participants"), networks="networks",
                     top_share="top_share", additive=True),),
)

COVERAGE = Table(
    name="09_abdeckung",
    title="Abdeckung und weiße Flecken {year} nach Bundesland",
    sql=load("09_abdeckung"),
    columns=(
        Column("land_code", "Land-Schlüssel"),
        Column("land_name", "Bundesland"),
        Column("kreise", "Kreise insgesamt", COUNT, "Anzahl"),
        Column("kreise_uncovered", "Kreise ohne MINT-Region", COUNT, "Anzahl"),
        Column("kreise_uncovered_percent", "Anteil in %", DECIMAL_1, "%"),
        Column("population_uncovered", f"Bevölkerung in Kreisen ohne MINT-Region ({POPULATION_DATE})",
               COUNT, "Personen"),
        Column("population_uncovered_percent", "Anteil an der Bevölkerung in %", DECIMAL_1, "%"),
    ),
    footnotes=(
        "Weißer Fleck: ein Kreis oder eine kreisfreie Stadt, die keine im Jahr {year} gezählte "
        "MINT-Region ganz oder teilweise umfasst. Liste der Kreise: Tabelle 9a.",
        f"Kreise: Gebietsstand 31.12.2023 (400 Kreise); Bevölkerung am {POPULATION_DATE}.",
        "Ohne Referenzdaten (Kreise, Bevölkerung) bleibt die Tabelle leer.",
    ),
    is_total=lambda row: row["land_code"] is None,
    keys=("land_name",),
    count="kreise",
)

UNCOVERED = Table(
    name="09a_weisse_flecken",
    title="Kreise ohne MINT-Region (weiße Flecken) {year}",
    sql=load("09a_weisse_flecken"),
    columns=(
        Column("land_name", "Bundesland"),
        Column("kreis_code", "Kreisschlüssel"),
        Column("kreis_name", "Kreis"),
        Column("kreis_typ", "Kreistyp"),
        Column("population", f"Bevölkerung ({POPULATION_DATE})", COUNT, "Personen"),
    ),
    footnotes=(f"Kreise: Gebietsstand 31.12.2023; Bevölkerung am {POPULATION_DATE}.",),
    keys=("kreis_code",),
    suffix="a",
    count=None,
)

RESPONSE = Table(
    name="10_ruecklauf",
    title="Rücklauf der Erhebung {year} nach Bundesland",
    sql=load("10_ruecklauf"),
    columns=(
        Column("land_code", "Land-Schlüssel"),
        Column("land_name", "Bundesland"),
        Column("asked", "befragte MINT-Regionen", COUNT, "Anzahl"),
        Column("answered", "Erhebungsbogen eingegangen", COUNT, "Anzahl"),
        Column("accepted", "Angaben übernommen", COUNT, "Anzahl"),
        Column("answered_percent", "Rücklaufquote in %", DECIMAL_1, "%"),
        Column("accepted_percent", "Quote übernommener Angaben in %", DECIMAL_1, "%"),
    ),
    footnotes=(
        "Befragt: alle im Jahr {year} gezählten MINT-Regionen (Register). Eingegangen: mindestens "
        "ein Erhebungsbogen erhalten. Übernommen: Angaben fehlerfrei geprüft und geladen.",
        "Vor 2023 gab es keine Erhebung mit Erhebungsbogen; dann bleibt die Tabelle leer.",
    ),
    is_total=lambda row: row["land_code"] is None,
    keys=("land_name",),
    count="asked",
)

# The publication's tables in the order of their numbers.
TABLES: tuple[Table, ...] = (GROWTH, BY_LAND, FOUNDING, HOSTS, PARTNERS, STAFF, FUNDING, OFFERS,
                             COVERAGE, UNCOVERED, RESPONSE)
