"""Research views in `pub`: the model of networks across census years.

The register holds each network once (current name, Land, Kreise, founding year, first
census year, end). The survey answers hold what each network reported in each survey
year. These views put both together so that a researcher can follow one network ID
across years: names over time (a rename is not a new network), Land and Kreise over
time, and how networks ended (dissolved, or merged into a successor).

Same style as views.py: (name, comment, SQL from warehouse/sql/views/<name>.sql, column
comments); store.init creates them after the publication views (they build on
pub.network_years).
"""

from __future__ import annotations

from .views import view_ddl, view_sql


VIEWS = (
    ("network_history",
     "One row per network and census year in which the register counts it: name, type and Land as "
     "reported in that year's survey where a workbook was accepted, else as in the register entry in force "
     "that year; the Kreise covered that year (survey, else register); and whether the name or Land changed "
     "since the network's previous counted year.",
     view_sql("network_history"),
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
     view_sql("network_ends"),
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
