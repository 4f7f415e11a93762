"""The `pub` views: stable, documented answers to the common questions.

Counting rule (see docs/method.md): a network is counted in census year Y when it is
in the register with first_census_year <= Y and (end_year is empty or Y < end_year).
The register decides what counts as a MINT-Region; zdi-Netzwerke and MINT-Cluster
are counted when staff have admitted them to the register, whatever their type.
"""

from __future__ import annotations

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


def view_ddl() -> list[str]:
    stmts = []
    for name, comment, sql, cols in VIEWS:
        stmts.append(f"CREATE OR REPLACE VIEW pub.{name} AS {sql.strip()}")
        stmts.append(f"COMMENT ON VIEW pub.{name} IS {_q(comment)}")
        stmts += [f"COMMENT ON COLUMN pub.{name}.{c} IS {_q(t)}" for c, t in cols.items()]
    return stmts
