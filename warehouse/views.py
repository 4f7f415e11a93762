"""The `pub` views: stable, documented answers to the common questions.

Counting rule (see docs/method.md): a network is counted in census year Y when it is
in the register with first_census_year <= Y and (end_year is empty or Y < end_year).
The register decides what counts as a MINT-Region; zdi-Netzwerke and MINT-Cluster
are counted when staff have admitted them to the register, whatever their type.
"""

from __future__ import annotations

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

# Comments of the survey answer columns, from the questionnaire declaration.
_ANSWER_COMMENTS = {f.key: f"{f.label} — {f.description} (survey answer)"
                    for f in q.SHEET_BY_NAME[q.S_NET].fields if f.key != "network_id"}


def _values(pairs) -> str:
    """A SQL VALUES list of (key, label, position) rows from (key, label) pairs."""
    def q(t: str) -> str:
        return "'" + t.replace("'", "''") + "'"
    return ", ".join(f"({q(k)}, {q(v)}, {i})" for i, (k, v) in enumerate(pairs, start=1))


def _unpivot(table: str, prefix: str, suffix: str, pairs, value: str) -> str:
    """Rows (census_year, network_id, key, label, position, value) from a wide core table,
    only for networks counted in that year. NULL answers stay NULL (two parallel unnests)."""
    keys = ", ".join("'" + k + "'" for k, _ in pairs)
    cols = ", ".join(f"c.{prefix}{k}{suffix}" for k, _ in pairs)
    return f"""
     WITH long AS (
         SELECT c.census_year, c.network_id, unnest([{keys}]) AS key, unnest([{cols}]) AS value
         FROM {table} c
         JOIN pub.network_years n ON n.network_id = c.network_id AND n.census_year = c.census_year
     )
     SELECT l.census_year, l.network_id, l.key, t.label, t.position, l.value AS {value}
     FROM long l JOIN (VALUES {_values(pairs)}) t(key, label, position) ON t.key = l.key
    """


# Old Kreis codes and their successors (see domain notes); register lists may carry them.
_SUCCESSORS = ", ".join(f"('{old}', '{new}')" for old, new in sorted(voc.KREIS_SUCCESSORS.items())) or "(NULL, NULL)"

VIEWS = (
    ("census_years",
     "One row per census year from 2013 to the latest year known to the register or a run.",
     """
     SELECT CAST(unnest(range(2013, greatest(
            coalesce((SELECT max(first_census_year) FROM core.register), 2013),
            coalesce((SELECT max(census_year) FROM meta.runs), 2013),
            coalesce((SELECT max(census_year) FROM core.networks), 2013)) + 1)) AS INTEGER) AS census_year
     """,
     {"census_year": "Census year."}),
    ("network_years",
     "One row per network counted in a census year (from the register), with survey answers where present.",
     """
     SELECT y.census_year, r.network_id, r.network_name, r.network_type, r.land_code,
            r.founded_year, r.first_census_year = y.census_year AS is_new,
            n.network_id IS NOT NULL AS has_survey_answers
     FROM pub.census_years y
     JOIN core.register r
       ON r.first_census_year <= y.census_year AND (r.end_year IS NULL OR y.census_year < r.end_year)
     LEFT JOIN core.networks n ON n.network_id = r.network_id AND n.census_year = y.census_year
     """,
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "network_name": "Current name of the network (register).", "network_type": "Kind of network (register).",
      "land_code": "Land of the network (register).", "founded_year": "Founding year (register).",
      "is_new": "True in the first census year the network is counted.",
      "has_survey_answers": "Whether an accepted survey workbook exists for this network and year."}),
    ("growth",
     "One row per census year: networks counted, networks new that year, networks ended that year.",
     """
     SELECT y.census_year,
            (SELECT count(*) FROM pub.network_years n WHERE n.census_year = y.census_year) AS networks,
            (SELECT count(*) FROM core.register r WHERE r.first_census_year = y.census_year) AS new_networks,
            (SELECT count(*) FROM core.register r WHERE r.end_year = y.census_year) AS ended_networks
     FROM pub.census_years y
     ORDER BY y.census_year
     """,
     {"census_year": "Census year.",
      "networks": "Networks counted in the census year (register rule, see view comment of pub.network_years).",
      "new_networks": "Networks counted for the first time in that year (all 39 are new in 2013).",
      "ended_networks": "Networks no longer counted from that year on (dissolved or merged)."}),
    ("network_answers",
     "One row per network counted in a census year that answered the survey (accepted workbook): its answers.",
     """
     SELECT n.census_year, n.network_id, n.land_code AS register_land_code, c.* EXCLUDE (census_year, network_id,
            template_version, source_sha256)
     FROM pub.network_years n
     JOIN core.networks c ON c.network_id = n.network_id AND c.census_year = n.census_year
     """,
     {**_ANSWER_COMMENTS, "census_year": "Census year.", "network_id": "Network identifier.",
      "register_land_code": "Land of the network according to the register (the publication's Land).",
      "land_code": "Land as answered in the survey (the publication uses register_land_code)."}),
    ("partners_long",
     "One row per counted network, census year and partner type: number of partners (survey answers, long form).",
     _unpivot("core.partners", "partners_", "", voc.PARTNER_TYPES, "partners"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "key": "Partner type key (suffix of the core.partners column).", "label": "Partner type (German).",
      "position": "Order of the partner type in the questionnaire.", "partners": "Number of partners of that type."}),
    ("funding_long",
     "One row per counted network, census year and funding source: amount in euros (empty answers as 0).",
     _unpivot("core.funding", "funding_", "_eur", voc.FUNDING_SOURCES, "amount_eur").replace(
         "l.value AS amount_eur", "coalesce(l.value, 0) AS amount_eur"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "key": "Funding source key (core.funding column funding_<key>_eur).", "label": "Funding source (German).",
      "position": "Order of the source in the questionnaire.", "amount_eur": "Amount in euros (0 when left empty)."}),
    ("network_areas",
     "One row per network counted in a census year and Kreis it covers. Coverage rule: where the network "
     "reported its Kreise in that year's survey (core.districts), those; otherwise the register's kreise list. "
     "Old Kreis codes are mapped to today's Kreis.",
     f"""
     WITH surveyed AS (SELECT DISTINCT network_id, census_year FROM core.districts),
     successors(old, new) AS (VALUES {_SUCCESSORS}),
     listed AS (
         SELECT n.census_year, n.network_id, d.kreis_code, 'Erhebung' AS basis
         FROM pub.network_years n
         JOIN core.districts d ON d.network_id = n.network_id AND d.census_year = n.census_year
         UNION ALL
         SELECT n.census_year, n.network_id, unnest(r.kreise) AS kreis_code, 'Register' AS basis
         FROM pub.network_years n
         JOIN core.register r ON r.network_id = n.network_id
         WHERE NOT EXISTS (SELECT 1 FROM surveyed s
                           WHERE s.network_id = n.network_id AND s.census_year = n.census_year)
     )
     SELECT DISTINCT l.census_year, l.network_id, coalesce(s.new, l.kreis_code) AS kreis_code, l.basis
     FROM listed l LEFT JOIN successors s ON s.old = l.kreis_code
     """,
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "kreis_code": "Five-digit Kreis key (current Gebietsstand).",
      "basis": "Erhebung (survey answer of that year) or Register (register kreise list)."}),
    ("kreis_coverage",
     "One row per census year and Kreis (all Kreise of ref.kreise): number of networks covering it "
     "(0 = weißer Fleck). Empty without reference data.",
     """
     SELECT y.census_year, k.kreis_code, k.kreis_name, k.land_code, k.population,
            count(DISTINCT a.network_id) AS networks
     FROM pub.census_years y
     CROSS JOIN ref.kreise k
     LEFT JOIN pub.network_areas a ON a.census_year = y.census_year AND a.kreis_code = k.kreis_code
     GROUP BY ALL
     """,
     {"census_year": "Census year.", "kreis_code": "Five-digit Kreis key.", "kreis_name": "Kreis (official name).",
      "land_code": "Two-digit Land key.", "population": "Population on 31.12.2023 (Destatis).",
      "networks": "Networks counted in that year that cover the Kreis (wholly or partly)."}),
    ("land_coverage",
     "One row per census year and Land: Kreise, Kreise covered by at least one network, population "
     "(31.12.2023) in total and in covered Kreise. Empty without reference data.",
     """
     SELECT census_year, land_code,
            count(*) AS kreise,
            count(*) FILTER (WHERE networks > 0) AS kreise_covered,
            sum(population)::BIGINT AS population,
            coalesce(sum(population) FILTER (WHERE networks > 0), 0)::BIGINT AS population_covered
     FROM pub.kreis_coverage
     GROUP BY census_year, land_code
     """,
     {"census_year": "Census year.", "land_code": "Two-digit Land key.", "kreise": "Kreise in the Land.",
      "kreise_covered": "Kreise covered by at least one network.",
      "population": "Population on 31.12.2023.",
      "population_covered": "Population on 31.12.2023 living in a covered Kreis."}),
    ("response_by_land",
     "One row per census year with a survey run and Land: networks asked (counted), answered (sent a workbook), "
     "accepted (answers loaded).",
     """
     WITH surveyed AS (SELECT DISTINCT census_year FROM meta.submissions),
     answered AS (SELECT DISTINCT census_year, network_id FROM meta.submissions WHERE network_id IS NOT NULL),
     accepted AS (SELECT DISTINCT census_year, network_id FROM core.networks)
     SELECT s.census_year, l.land_code, l.land_name,
            count(n.network_id) AS asked,
            count(a.network_id) AS answered,
            count(c.network_id) AS accepted
     FROM surveyed s
     CROSS JOIN ref.laender l
     LEFT JOIN pub.network_years n ON n.census_year = s.census_year AND n.land_code = l.land_code
     LEFT JOIN answered a ON a.census_year = n.census_year AND a.network_id = n.network_id
     LEFT JOIN accepted c ON c.census_year = n.census_year AND c.network_id = n.network_id
     GROUP BY ALL
     """,
     {"census_year": "Census year.", "land_code": "Two-digit Land key.", "land_name": "Land (German name).",
      "asked": "Networks counted in the year (all are asked to fill in the workbook).",
      "answered": "Of these, networks from which at least one workbook was received.",
      "accepted": "Of these, networks whose answers were accepted and loaded."}),
    ("networks_by_land",
     "One row per census year and Land (all 16, zero where none): networks counted.",
     """
     SELECT y.census_year, l.land_code, l.land_name,
            count(n.network_id) AS networks
     FROM pub.census_years y
     CROSS JOIN ref.laender l
     LEFT JOIN pub.network_years n ON n.census_year = y.census_year AND n.land_code = l.land_code
     GROUP BY y.census_year, l.land_code, l.land_name
     ORDER BY y.census_year, l.land_code
     """,
     {"census_year": "Census year.", "land_code": "Two-digit Land key.", "land_name": "Land (German name).",
      "networks": "Networks counted in that Land and year."}),
)


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def view_ddl(views=VIEWS) -> list[str]:
    """CREATE VIEW and COMMENT ON statements for (name, comment, sql, column comments) entries."""
    stmts = []
    for name, comment, sql, cols in views:
        stmts.append(f"CREATE OR REPLACE VIEW pub.{name} AS {sql.strip()}")
        stmts.append(f"COMMENT ON VIEW pub.{name} IS {_q(comment)}")
        stmts += [f"COMMENT ON COLUMN pub.{name}.{c} IS {_q(t)}" for c, t in cols.items()]
    return stmts
