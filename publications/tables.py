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

from mint_census.schemas import vocabularies as voc

from .german import POPULATION_DATE
from .queries import BASE_YEAR, QueryResult, fetch, headline, parameters
from .sdc import Protect, Rule, suppress

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

    @property
    def label(self) -> str:
        return f"Tabelle {self.number}"


def text_fields(year: int) -> dict[str, Any]:
    """Values for the placeholders in titles and footnotes."""
    period = str(year) if year == BASE_YEAR else f"{BASE_YEAR}–{year}"
    return {"year": year, "base_year": BASE_YEAR, "period": period}


SUPPRESSED_COLUMN = "suppressed"


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
    footnotes = tuple(note.format(**fields) for note in table.footnotes)
    if hidden:
        footnotes += (rule.footnote,)
    return FilledTable(
        number=number,
        table=table,
        title=table.title.format(**fields),
        subtitle=table.subtitle(con, year) if table.subtitle else None,
        footnotes=footnotes,
        result=result,
        published=published_result(table, result, hidden),
        suppressed=hidden,
    )


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


def _values(items, with_position: bool = True) -> str:
    """A SQL VALUES list (label, position) from vocabulary labels."""
    def q(t: str) -> str:
        return "'" + t.replace("'", "''") + "'"
    return ", ".join(f"({q(v)}, {i})" for i, v in enumerate(items, start=1))


def basis_subtitle(con: duckdb.DuckDBPyConnection, year: int) -> str:
    """ "Basis: N MINT-Regionen mit Angaben in der Erhebung Y" (survey tables)."""
    n = fetch(con, "SELECT count(*) FROM pub.network_answers WHERE census_year = $year",
              parameters(year)).rows[0][0]
    if n == 0:
        return f"Für {year} liegen keine Angaben aus der Erhebung vor (Erhebung mit Erhebungsbogen seit 2023)."
    return f"Basis: {n} MINT-Regionen mit Angaben in der Erhebung {year}"


def _total(record: dict[str, Any]) -> bool:
    return record.get("category") == "Insgesamt"


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
    keys=("census_year",),
)

BY_LAND = Table(
    name="02_bundeslaender",
    title="MINT-Regionen nach Bundesland {year}",
    # The 16 Länder, then the total "Deutschland" (land_code NULL). Shares are rounded
    # one by one, so they need not add up to exactly 100.
    sql="""
        WITH land AS (
            SELECT b.land_code, b.land_name, b.networks, p.networks AS networks_prev,
                   c.kreise, c.kreise_covered, c.population, c.population_covered
            FROM pub.networks_by_land AS b
            LEFT JOIN pub.networks_by_land AS p
                   ON p.land_code = b.land_code AND p.census_year = b.census_year - 1
            LEFT JOIN pub.land_coverage AS c
                   ON c.land_code = b.land_code AND c.census_year = b.census_year
            WHERE b.census_year = $year
        ),
        land_and_total AS (
            SELECT *, FALSE AS is_total FROM land
            UNION ALL
            SELECT NULL, 'Deutschland', SUM(networks), SUM(networks_prev), SUM(kreise),
                   SUM(kreise_covered), SUM(population), SUM(population_covered), TRUE
            FROM land
        )
        SELECT
            r.land_code,
            r.land_name,
            r.networks::BIGINT AS networks,
            ROUND(100.0 * r.networks / NULLIF(t.networks, 0), 1)::DOUBLE AS share_percent,
            ROUND(1e6 * r.networks / NULLIF(r.population, 0), 2)::DOUBLE AS networks_per_million,
            r.kreise::BIGINT AS kreise,
            r.kreise_covered::BIGINT AS kreise_covered,
            ROUND(100.0 * r.kreise_covered / NULLIF(r.kreise, 0), 1)::DOUBLE AS kreise_covered_percent,
            ROUND(100.0 * r.population_covered / NULLIF(r.population, 0), 1)::DOUBLE
                AS population_covered_percent,
            (r.networks - r.networks_prev)::BIGINT AS change_previous_year
        FROM land_and_total AS r
        CROSS JOIN (SELECT networks FROM land_and_total WHERE is_total) AS t
        ORDER BY r.is_total, r.land_code
    """,
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
)

FOUNDING = Table(
    name="03_gruendungsjahre",
    title="MINT-Regionen {year} nach Gründungsjahr",
    sql="""
        WITH counted AS (
            SELECT founded_year FROM pub.network_years WHERE census_year = $year
        ),
        periods AS (
            SELECT 0 AS start
            UNION ALL
            SELECT p FROM range(2006, $year + 1, 3) AS t(p)
        ),
        binned AS (
            SELECT CASE WHEN founded_year < 2006 THEN 0
                        ELSE 2006 + 3 * ((founded_year - 2006) // 3) END AS start
            FROM counted WHERE founded_year IS NOT NULL
        ),
        counts AS (
            SELECT p.start, count(b.start) AS networks
            FROM periods AS p LEFT JOIN binned AS b ON b.start = p.start
            GROUP BY p.start
        ),
        total AS (SELECT count(*) AS networks FROM counted)
        SELECT
            CASE WHEN c.start = 0 THEN 'vor 2006'
                 WHEN least(c.start + 2, $year) = c.start THEN c.start::VARCHAR
                 ELSE c.start::VARCHAR || '–' || least(c.start + 2, $year)::VARCHAR END AS category,
            c.networks,
            ROUND(100.0 * c.networks / NULLIF(t.networks, 0), 1)::DOUBLE AS share_percent,
            SUM(c.networks) OVER (ORDER BY c.start)::BIGINT AS networks_cumulative,
            ROUND(100.0 * SUM(c.networks) OVER (ORDER BY c.start) / NULLIF(t.networks, 0), 1)::DOUBLE
                AS share_cumulative_percent
        FROM counts AS c CROSS JOIN total AS t
        WHERE c.start > 0 OR c.networks > 0
        UNION ALL
        SELECT 'ohne Angabe', count(*), ROUND(100.0 * count(*) / NULLIF(max(t.networks), 0), 1)::DOUBLE,
               NULL, NULL
        FROM counted CROSS JOIN total AS t WHERE founded_year IS NULL HAVING count(*) > 0
        UNION ALL
        SELECT 'Insgesamt', networks, CASE WHEN networks > 0 THEN 100.0 END, NULL, NULL FROM total
    """,
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
)

_HOST = _values(voc.HOST_TYPES)
_LEGAL = _values(voc.LEGAL_FORMS)

HOSTS = Table(
    name="04_traeger_rechtsform",
    title="MINT-Regionen {year} nach Art und Rechtsform des Trägers",
    sql=f"""
        WITH answers AS (SELECT host_type, host_legal_form FROM pub.network_answers WHERE census_year = $year),
        items AS (
            SELECT 'Art des Trägers' AS section, 1 AS s, label, position FROM (VALUES {_HOST}) t(label, position)
            UNION ALL
            SELECT 'Rechtsform des Trägers', 2, label, position FROM (VALUES {_LEGAL}) t(label, position)
        ),
        counts AS (
            SELECT i.section, i.s, i.label, i.position,
                   (SELECT count(*) FROM answers a
                    WHERE (i.s = 1 AND a.host_type = i.label) OR (i.s = 2 AND a.host_legal_form = i.label))
                   AS networks
            FROM items AS i
        ),
        total AS (SELECT count(*) AS networks FROM answers),
        with_total AS (
            SELECT section, s, label, position, networks FROM counts
            UNION ALL
            SELECT section, s, 'Insgesamt', 999, (SELECT networks FROM total)
            FROM (SELECT DISTINCT section, s FROM items)
        )
        SELECT w.section, w.label AS category, w.networks::BIGINT AS networks,
               ROUND(100.0 * w.networks / NULLIF(t.networks, 0), 1)::DOUBLE AS share_percent
        FROM with_total AS w CROSS JOIN total AS t
        ORDER BY w.s, w.position
    """,
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
    sql="""
        WITH p AS (SELECT * FROM pub.partners_long WHERE census_year = $year),
        respondents AS (SELECT count(DISTINCT network_id) AS n FROM p)
        SELECT
            label AS partner_type,
            count(*) FILTER (WHERE partners > 0) AS networks,
            ROUND(100.0 * count(*) FILTER (WHERE partners > 0) / NULLIF(max(r.n), 0), 1)::DOUBLE
                AS share_percent,
            ROUND(quantile_cont(partners, 0.5) FILTER (WHERE partners > 0), 1)::DOUBLE AS median,
            min(partners) FILTER (WHERE partners > 0) AS minimum,
            max(partners) FILTER (WHERE partners > 0) AS maximum,
            sum(partners)::BIGINT AS partners_total
        FROM p CROSS JOIN respondents AS r
        GROUP BY label, position
        ORDER BY position
    """,
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
    sql="""
        WITH a AS (
            SELECT network_id, has_coordination_office, paid_staff_fte, volunteers
            FROM pub.network_answers WHERE census_year = $year
        ),
        n AS (SELECT count(*) AS n FROM a),
        classes AS (
            SELECT 'Koordinierungsstelle' AS section, 1 AS s, label, position, lo, hi, 'office' AS kind
            FROM (VALUES ('vorhanden', 1, 1, 1), ('nicht vorhanden', 2, 0, 0)) t(label, position, lo, hi)
            UNION ALL
            SELECT 'Bezahltes Personal (Vollzeitäquivalente)', 2, label, position, lo, hi, 'fte'
            FROM (VALUES ('kein bezahltes Personal', 1, 0, 0), ('über 0 bis unter 1', 2, 0, 1),
                         ('1 bis unter 2', 3, 1, 2), ('2 bis unter 3', 4, 2, 3),
                         ('3 und mehr', 5, 3, 1e9)) t(label, position, lo, hi)
            UNION ALL
            SELECT 'Ehrenamtlich Mitwirkende', 3, label, position, lo, hi, 'vol'
            FROM (VALUES ('keine', 1, 0, 0), ('1 bis 9', 2, 1, 10), ('10 bis 24', 3, 10, 25),
                         ('25 bis 49', 4, 25, 50), ('50 und mehr', 5, 50, 1e9)) t(label, position, lo, hi)
        ),
        class_rows AS (
            SELECT c.section, c.s, c.label, c.position,
                   count(a.network_id) AS networks, NULL::DOUBLE AS value, NULL::DOUBLE AS top_share
            FROM classes AS c
            LEFT JOIN a ON CASE c.kind
                WHEN 'office' THEN a.has_coordination_office = (c.lo = 1)
                WHEN 'fte' THEN CASE WHEN c.hi = 0 THEN a.paid_staff_fte = 0
                                     WHEN c.lo = 0 THEN a.paid_staff_fte > 0 AND a.paid_staff_fte < c.hi
                                     ELSE a.paid_staff_fte >= c.lo AND a.paid_staff_fte < c.hi END
                ELSE CASE WHEN c.hi = 0 THEN a.volunteers = 0
                          ELSE a.volunteers >= c.lo AND a.volunteers < c.hi END END
            GROUP BY ALL
        ),
        totals AS (
            SELECT 'Koordinierungsstelle' AS section, 1 AS s, 'Insgesamt' AS label, 99 AS position,
                   count(has_coordination_office) AS networks, NULL::DOUBLE AS value, NULL::DOUBLE AS top_share FROM a
            UNION ALL
            SELECT 'Bezahltes Personal (Vollzeitäquivalente)', 2, 'Insgesamt', 99, count(paid_staff_fte), NULL, NULL FROM a
            UNION ALL
            SELECT 'Ehrenamtlich Mitwirkende', 3, 'Insgesamt', 99, count(volunteers), NULL, NULL FROM a
        ),
        stats AS (
            SELECT 'Kennzahlen' AS section, 4 AS s, label, position, networks, value, top_share FROM (
                SELECT 'Bezahltes Personal: 1. Quartil (VZÄ)' AS label, 1 AS position, count(paid_staff_fte) AS networks,
                       quantile_cont(paid_staff_fte, 0.25) AS value, NULL::DOUBLE AS top_share FROM a
                UNION ALL
                SELECT 'Bezahltes Personal: Median (VZÄ)', 2, count(paid_staff_fte),
                       quantile_cont(paid_staff_fte, 0.5), NULL FROM a
                UNION ALL
                SELECT 'Bezahltes Personal: 3. Quartil (VZÄ)', 3, count(paid_staff_fte),
                       quantile_cont(paid_staff_fte, 0.75), NULL FROM a
                UNION ALL
                SELECT 'Bezahltes Personal: Summe (VZÄ)', 4, count(paid_staff_fte) FILTER (WHERE paid_staff_fte > 0),
                       sum(paid_staff_fte), 100.0 * max(paid_staff_fte) / NULLIF(sum(paid_staff_fte), 0) FROM a
                UNION ALL
                SELECT 'Ehrenamtlich Mitwirkende: Median (Personen)', 5, count(volunteers),
                       quantile_cont(volunteers, 0.5), NULL FROM a
                UNION ALL
                SELECT 'Ehrenamtlich Mitwirkende: Summe (Personen)', 6, count(volunteers) FILTER (WHERE volunteers > 0),
                       sum(volunteers), 100.0 * max(volunteers) / NULLIF(sum(volunteers), 0) FROM a
            )
        ),
        all_rows AS (
            SELECT * FROM class_rows UNION ALL SELECT * FROM totals UNION ALL SELECT * FROM stats
        )
        SELECT r.section, r.label AS category, r.networks::BIGINT AS networks,
               CASE WHEN r.s < 4 THEN ROUND(100.0 * r.networks / NULLIF(n.n, 0), 1) END::DOUBLE AS share_percent,
               ROUND(r.value, 1)::DOUBLE AS value,
               ROUND(r.top_share, 1)::DOUBLE AS top_share
        FROM all_rows AS r CROSS JOIN n
        ORDER BY r.s, r.position
    """,
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
)

_SOURCES = ", ".join(f"('{k}', {i})" for i, (k, _) in enumerate(voc.FUNDING_SOURCES, start=1))

FUNDING = Table(
    name="07_finanzierung",
    title="Finanzierung der MINT-Regionen {year}",
    sql="""
        WITH a AS (SELECT network_id, budget_eur FROM pub.network_answers
                   WHERE census_year = $year AND budget_eur IS NOT NULL),
        classes(label, position, lo, hi) AS (VALUES
            ('unter 10.000 EUR', 1, 0, 10000), ('10.000 bis unter 50.000 EUR', 2, 10000, 50000),
            ('50.000 bis unter 100.000 EUR', 3, 50000, 100000),
            ('100.000 bis unter 200.000 EUR', 4, 100000, 200000),
            ('200.000 EUR und mehr', 5, 200000, 1e12)),
        budget_total AS (SELECT sum(budget_eur) AS amount, count(*) AS n, max(budget_eur) AS top FROM a),
        budget_rows AS (
            SELECT 'Jahresbudget nach Größenklasse' AS section, 1 AS s, c.label, c.position,
                   count(a.network_id) AS networks, coalesce(sum(a.budget_eur), 0) AS amount,
                   100.0 * max(a.budget_eur) / NULLIF(sum(a.budget_eur), 0) AS top_share,
                   (SELECT amount FROM budget_total) AS base
            FROM classes AS c LEFT JOIN a ON a.budget_eur >= c.lo AND a.budget_eur < c.hi
            GROUP BY c.label, c.position
            UNION ALL
            SELECT 'Jahresbudget nach Größenklasse', 1, 'Insgesamt', 99, n, coalesce(amount, 0),
                   100.0 * top / NULLIF(amount, 0), amount
            FROM budget_total
        ),
        stat_rows AS (
            SELECT 'Kennzahlen des Jahresbudgets' AS section, 2 AS s, label, position, networks, amount,
                   NULL::DOUBLE AS top_share, NULL::DOUBLE AS base
            FROM (
                SELECT '1. Quartil' AS label, 1 AS position, count(*) AS networks,
                       quantile_cont(budget_eur, 0.25) AS amount FROM a
                UNION ALL SELECT 'Median', 2, count(*), quantile_cont(budget_eur, 0.5) FROM a
                UNION ALL SELECT '3. Quartil', 3, count(*), quantile_cont(budget_eur, 0.75) FROM a
                UNION ALL SELECT 'Mittelwert', 4, count(*), avg(budget_eur) FROM a
            )
        ),
        f AS (SELECT * FROM pub.funding_long WHERE census_year = $year),
        funding_total AS (
            SELECT sum(amount_eur) AS amount,
                   count(DISTINCT network_id) FILTER (WHERE amount_eur > 0) AS networks,
                   (SELECT max(s) FROM (SELECT sum(amount_eur) AS s FROM f GROUP BY network_id)) AS top
            FROM f
        ),
        source_rows AS (
            SELECT 'Finanzierungsquellen' AS section, 3 AS s, label, position,
                   count(*) FILTER (WHERE amount_eur > 0) AS networks, sum(amount_eur) AS amount,
                   100.0 * max(amount_eur) / NULLIF(sum(amount_eur), 0) AS top_share,
                   (SELECT amount FROM funding_total) AS base
            FROM f GROUP BY label, position
            UNION ALL
            SELECT 'Finanzierungsquellen', 3, 'Insgesamt', 99, networks, amount,
                   100.0 * top / NULLIF(amount, 0), amount
            FROM funding_total WHERE amount IS NOT NULL
        ),
        all_rows AS (SELECT * FROM budget_rows UNION ALL SELECT * FROM stat_rows UNION ALL SELECT * FROM source_rows)
        SELECT section, label AS category, networks::BIGINT AS networks,
               ROUND(amount, 0)::DOUBLE AS amount_eur,
               ROUND(100.0 * amount / NULLIF(base, 0), 1)::DOUBLE AS share_percent,
               ROUND(top_share, 1)::DOUBLE AS top_share
        FROM all_rows
        ORDER BY s, position
    """,
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
)

_FORMATS = _values(voc.OFFER_FORMATS)
_TARGETS = _values(voc.TARGET_GROUPS)

OFFERS = Table(
    name="08_angebote",
    title="Angebote der MINT-Regionen {year} nach Format und Zielgruppe",
    sql=f"""
        WITH o AS (
            SELECT o.network_id, o.offer_format, o.target_groups, coalesce(o.participants, 0) AS participants
            FROM core.offers AS o
            JOIN pub.network_years AS n ON n.network_id = o.network_id AND n.census_year = o.census_year
            WHERE o.census_year = $year
        ),
        per_network AS (
            SELECT 'Format' AS kind, offer_format AS label, network_id, count(*) AS offers,
                   sum(participants) AS participants
            FROM o GROUP BY ALL
            UNION ALL
            SELECT 'Format', 'Insgesamt', network_id, count(*), sum(participants) FROM o GROUP BY ALL
            UNION ALL
            SELECT 'Zielgruppe', g, network_id, count(*), sum(participants)
            FROM (SELECT network_id, participants, unnest(target_groups) AS g FROM o) GROUP BY ALL
        ),
        items AS (
            SELECT 'nach Format' AS section, 1 AS s, 'Format' AS kind, label, position
            FROM (VALUES {_FORMATS}) t(label, position)
            UNION ALL SELECT 'nach Format', 1, 'Format', 'Insgesamt', 99
            UNION ALL
            SELECT 'nach Zielgruppe (Mehrfachnennungen)', 2, 'Zielgruppe', label, position
            FROM (VALUES {_TARGETS}) t(label, position)
        )
        SELECT i.section, i.label AS category,
               count(p.network_id)::BIGINT AS networks,
               coalesce(sum(p.offers), 0)::BIGINT AS offers,
               coalesce(sum(p.participants), 0)::BIGINT AS participants,
               ROUND(100.0 * max(p.participants) / NULLIF(sum(p.participants), 0), 1)::DOUBLE AS top_share
        FROM items AS i
        LEFT JOIN per_network AS p ON p.kind = i.kind AND p.label = i.label
        GROUP BY i.section, i.s, i.label, i.position
        ORDER BY i.s, i.position
    """,
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
    sql="""
        WITH land AS (
            SELECT l.land_code, l.land_name, c.kreise, c.kreise - c.kreise_covered AS kreise_uncovered,
                   c.population, c.population - c.population_covered AS population_uncovered
            FROM ref.laender AS l
            JOIN pub.land_coverage AS c ON c.land_code = l.land_code AND c.census_year = $year
        ),
        rows AS (
            SELECT *, FALSE AS is_total FROM land
            UNION ALL
            SELECT NULL, 'Deutschland', SUM(kreise), SUM(kreise_uncovered), SUM(population),
                   SUM(population_uncovered), TRUE FROM land HAVING count(*) > 0
        )
        SELECT land_code, land_name, kreise::BIGINT AS kreise, kreise_uncovered::BIGINT AS kreise_uncovered,
               ROUND(100.0 * kreise_uncovered / NULLIF(kreise, 0), 1)::DOUBLE AS kreise_uncovered_percent,
               population_uncovered::BIGINT AS population_uncovered,
               ROUND(100.0 * population_uncovered / NULLIF(population, 0), 1)::DOUBLE
                   AS population_uncovered_percent
        FROM rows
        ORDER BY is_total, land_code
    """,
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
)

UNCOVERED = Table(
    name="09a_weisse_flecken",
    title="Kreise ohne MINT-Region (weiße Flecken) {year}",
    sql="""
        SELECT l.land_name, c.kreis_code, c.kreis_name, k.kreis_typ, c.population::BIGINT AS population
        FROM pub.kreis_coverage AS c
        JOIN ref.laender AS l ON l.land_code = c.land_code
        JOIN ref.kreise AS k ON k.kreis_code = c.kreis_code
        WHERE c.census_year = $year AND c.networks = 0
        ORDER BY c.kreis_code
    """,
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
)

RESPONSE = Table(
    name="10_ruecklauf",
    title="Rücklauf der Erhebung {year} nach Bundesland",
    sql="""
        WITH land AS (
            SELECT land_code, land_name, asked, answered, accepted, FALSE AS is_total
            FROM pub.response_by_land WHERE census_year = $year
        ),
        rows AS (
            SELECT * FROM land
            UNION ALL
            SELECT NULL, 'Deutschland', SUM(asked), SUM(answered), SUM(accepted), TRUE
            FROM land HAVING count(*) > 0
        )
        SELECT land_code, land_name, asked::BIGINT AS asked, answered::BIGINT AS answered,
               accepted::BIGINT AS accepted,
               ROUND(100.0 * answered / NULLIF(asked, 0), 1)::DOUBLE AS answered_percent,
               ROUND(100.0 * accepted / NULLIF(asked, 0), 1)::DOUBLE AS accepted_percent
        FROM rows
        ORDER BY is_total, land_code
    """,
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
)

# The publication's tables in the order of their numbers.
TABLES: tuple[Table, ...] = (GROWTH, BY_LAND, FOUNDING, HOSTS, PARTNERS, STAFF, FUNDING, OFFERS,
                             COVERAGE, UNCOVERED, RESPONSE)
