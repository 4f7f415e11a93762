"""Research views in `pub`: the model of networks across census years.

The register holds each network once (current name, Land, Kreise, founding year, first
census year, end). The survey answers hold what each network reported in each survey
year. These views put both together so that a researcher can follow one network ID
across years: names over time (a rename is not a new network), Land and Kreise over
time, and how networks ended (dissolved, or merged into a successor).

Same style as views.py: (name, comment, SQL, column comments); store.init creates them
after the publication views (they build on pub.network_years).
"""

from __future__ import annotations

from mint_census.schemas import vocabularies as voc

from .views import view_ddl


def _successor_sql(expr: str) -> str:
    """SQL mapping an old Kreis key to today's (16056 -> 16063, 03152/03156 -> 03159)."""
    cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in sorted(voc.KREIS_SUCCESSORS.items()))
    return f"CASE {expr} {cases} ELSE {expr} END"


VIEWS = (
    ("network_history",
     "One row per network and census year in which the register counts it: name, type and Land as "
     "reported in that year's survey where a workbook was accepted, else as in the register entry in force "
     "that year; the Kreise covered that year (survey, else register); and whether the name or Land changed "
     "since the network's previous counted year.",
     """
     WITH versions AS (
       SELECT *, coalesce(valid_from_year, 9999) AS from_year
       FROM core.register_history
       QUALIFY row_number() OVER (PARTITION BY network_id, coalesce(valid_from_year, 9999)
                                  ORDER BY recorded_at DESC) = 1
     ),
     in_force AS (  -- the register entry in force in each counted year: latest version from a year
                    -- up to it, else the earliest version recorded
       SELECT ny.census_year, ny.network_id, v.network_name, v.network_type, v.land_code, v.kreise
       FROM pub.network_years ny
       JOIN versions v ON v.network_id = ny.network_id
       QUALIFY row_number() OVER (PARTITION BY ny.census_year, ny.network_id
                                  ORDER BY CASE WHEN v.from_year <= ny.census_year THEN 0 ELSE 1 END,
                                           CASE WHEN v.from_year <= ny.census_year THEN -v.from_year
                                                ELSE v.from_year END) = 1
     ),
     years AS (
       SELECT ny.census_year, ny.network_id, ny.has_survey_answers,
              coalesce(n.network_name, g.network_name, r.network_name) AS network_name,
              coalesce(n.network_type, g.network_type, r.network_type) AS network_type,
              coalesce(n.land_code, g.land_code, r.land_code) AS land_code,
              CASE WHEN n.network_id IS NULL THEN 'register' ELSE 'survey' END AS source,
              n.template_version,
              coalesce((SELECT list(d.kreis_code ORDER BY d.kreis_code) FROM core.districts d
                         WHERE d.network_id = ny.network_id AND d.census_year = ny.census_year),
                       list_sort(list_distinct([{succ} FOR k IN coalesce(g.kreise, r.kreise)]))) AS kreise,
              r.founded_year, r.first_census_year, r.end_year, r.end_reason, r.successor_id
       FROM pub.network_years ny
       JOIN core.register r USING (network_id)
       LEFT JOIN in_force g ON g.network_id = ny.network_id AND g.census_year = ny.census_year
       LEFT JOIN core.networks n ON n.network_id = ny.network_id AND n.census_year = ny.census_year
     )
     SELECT census_year, network_id, network_name, network_type, land_code, kreise,
            len(kreise) AS kreise_count, source, template_version, founded_year, first_census_year,
            end_year, end_reason, successor_id,
            coalesce(network_name <> lag(network_name) OVER w, false) AS name_changed,
            coalesce(land_code <> lag(land_code) OVER w, false) AS land_changed
     FROM years
     WINDOW w AS (PARTITION BY network_id ORDER BY census_year)
     """.replace("{succ}", _successor_sql("k")),
     {"census_year": "Census year.",
      "network_id": "Stable network identifier (the same in every year; a rename keeps it).",
      "network_name": "Name of the network in that year: as reported in the survey, else the register entry "
                      "in force that year (core.register_history).",
      "network_type": "Kind of network in that year (survey, else register entry in force).",
      "land_code": "Land of the network in that year, two-digit key (survey, else register entry in force).",
      "kreise": "Kreise (5-digit keys, today's Gebietsstand) covered in that year: from the survey's "
                "Gebiet sheet, else from the register entry in force that year.",
      "kreise_count": "Number of Kreise in kreise.",
      "source": "Where name, type, Land and Kreise come from: survey (accepted workbook) or register.",
      "template_version": "Questionnaire version of the accepted workbook; empty for register-only years.",
      "founded_year": "Founding year (register).",
      "first_census_year": "First census year in which the network was counted (register).",
      "end_year": "First census year in which the network is no longer counted (register); empty while active.",
      "end_reason": "aufgelöst (dissolved) or fusioniert (merged); empty while active.",
      "successor_id": "For a merged network: the network that continued it.",
      "name_changed": "True when the name differs from the network's previous counted year (a rename).",
      "land_changed": "True when the Land differs from the network's previous counted year."}),
    ("network_ends",
     "One row per network that ended (dissolved or merged): its last counted year and, for a merger, "
     "the successor that continued it.",
     """
     SELECT r.network_id, r.network_name, r.land_code, r.first_census_year,
            r.end_year - 1 AS last_census_year, r.end_year, r.end_reason, r.successor_id,
            s.network_name AS successor_name
     FROM core.register r
     LEFT JOIN core.register s ON s.network_id = r.successor_id
     WHERE r.end_year IS NOT NULL
     ORDER BY r.end_year, r.network_id
     """,
     {"network_id": "Network that ended.",
      "network_name": "Its name in the register.",
      "land_code": "Its Land (two-digit key).",
      "first_census_year": "First census year in which it was counted.",
      "last_census_year": "Last census year in which it was counted.",
      "end_year": "First census year in which it is no longer counted.",
      "end_reason": "aufgelöst (dissolved) or fusioniert (merged).",
      "successor_id": "For a merger: the network that continued it (keeps counting).",
      "successor_name": "The successor's name in the register."}),
)


def research_view_ddl() -> list[str]:
    return view_ddl(VIEWS)
