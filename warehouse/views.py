"""The `pub` views: stable, documented answers to the common questions.

Counting rule (see docs/method.md): a network is counted in census year Y when its last
status event in the register (admitted, paused, resumed, merged, dissolved) up to Y is
admitted or resumed.
The rule is written once, in pub.network_years; every count builds on that view.
The register decides what counts as a MINT-Region; zdi-Netzwerke and MINT-Cluster
are counted when staff have admitted them to the register, whatever their type.

The body of each view is warehouse/sql/views/<name>.sql; this module adds what the
catalog says about it (COMMENT ON the view and its columns).
"""

from __future__ import annotations

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

from . import ddl
from .sqlfiles import load
from .sqltext import quote_literal

# Comments of the survey answer columns, from the questionnaire declaration.
_ANSWER_COMMENTS = {f.key: f"{f.label} — {f.description} (survey answer)"
                    for f in q.SHEET_BY_NAME[q.S_NET].fields if f.key != "network_id"}



def _vocabulary_comments(sheet: str) -> dict[str, str]:
    """Comments of the columns a pub view adds to each choice answer (its field column carries the
    German label): <key>_code, the code core stores, and <key>_label_en."""
    out = {}
    for f in q.SHEET_BY_NAME[sheet].fields:
        if f.key in voc.FIELD_VOCABULARY:
            v = voc.FIELD_VOCABULARY[f.key]
            out[f"{f.key}_code"] = (f"{f.label} — code of the answer as stored in core (ref.vocabulary "
                                    f"'{v}'.key; a list for several answers); {f.key} holds the German label.")
            out[f"{f.key}_label_en"] = f"{f.label} — English label of the answer (ref.vocabulary '{v}'.label_en)."
    return out


def view_sql(name: str) -> str:
    """The body of the view pub.<name> (warehouse/sql/views/<name>.sql)."""
    return load(f"views/{name}")


def _table_comments(qualified: str) -> dict[str, str]:
    """Column comments of a declared table, for a view that shows its columns as they are."""
    table = next(t for t in ddl.all_tables() if t.qualified == qualified)
    return {c.name: c.comment for c in table.columns}


VIEWS = (
    ("census_years",
     "One row per census year from 2013 to the latest year known to the register or a run.",
     view_sql("census_years"),
     {"census_year": "Census year."}),
    ("network_years",
     "One row per network counted in a census year (from the register), with survey answers where present.",
     view_sql("network_years"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "network_name": "Current name of the network (register).", "network_type": "Kind of network (register).",
      "land_code": "Land of the network in that census year (register version in force).",
      "founded_year": "Founding year (register).",
      "is_new": "True in the first census year the network is counted.",
      "has_survey_answers": "Whether an accepted survey workbook exists for this network and year."}),
    ("growth",
     "One row per census year: networks counted, new, ended, paused and back from a pause that year.",
     view_sql("growth"),
     {"census_year": "Census year.",
      "networks": "Networks counted in the census year (register rule, see view comment of pub.network_years).",
      "new_networks": "Networks counted for the first time in that year (all 39 are new in 2013).",
      "ended_networks": "Networks no longer counted from that year on (dissolved or merged).",
      "paused_networks": "Networks that paused that year (not counted until they resume; they keep their ID).",
      "resumed_networks": "Networks counted again that year after a pause."}),
    ("network_answers",
     "One row per network counted in a census year that answered the survey (accepted workbook): its answers.",
     view_sql("network_answers"),
     {**_ANSWER_COMMENTS, **_vocabulary_comments(q.S_NET),
      "census_year": "Census year.", "network_id": "Network identifier.",
      "register_land_code": "Land of the network according to the register (the publication's Land).",
      "land_code": "Land as answered in the survey (the publication uses register_land_code)."}),
    ("partners_long",
     "One row per counted network, census year and partner type: number of partners (survey answers, long form).",
     view_sql("partners_long"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "key": "Partner type key (suffix of the core.partners column).", "label": "Partner type (German).",
      "position": "Order of the partner type in the questionnaire.", "partners": "Number of partners of that type."}),
    ("funding_long",
     "One row per counted network, census year and funding source: amount in euros (empty answers as 0).",
     view_sql("funding_long"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "key": "Funding source key (core.funding column funding_<key>_eur).", "label": "Funding source (German).",
      "position": "Order of the source in the questionnaire.", "amount_eur": "Amount in euros (0 when left empty)."}),
    ("network_areas",
     "One row per network counted in a census year and Kreis it covers. Coverage rule: where the network "
     "reported its Kreise in that year's survey (core.districts), those; otherwise the register's kreise list. "
     "Old Kreis codes are mapped to today's Kreis.",
     view_sql("network_areas"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "kreis_code": "Five-digit Kreis key (current Gebietsstand).",
      "basis": "Erhebung (survey answer of that year) or Register (register kreise list)."}),
    ("kreis_coverage",
     "One row per census year and Kreis (all Kreise of ref.kreise): number of networks covering it "
     "(0 = weißer Fleck). Empty without reference data.",
     view_sql("kreis_coverage"),
     {"census_year": "Census year.", "kreis_code": "Five-digit Kreis key.", "kreis_name": "Kreis (official name).",
      "land_code": "Two-digit Land key.", "population": "Population on 31.12.2023 (Destatis).",
      "networks": "Networks counted in that year that cover the Kreis (wholly or partly)."}),
    ("land_coverage",
     "One row per census year and Land: Kreise, Kreise covered by at least one network, population "
     "(31.12.2023) in total and in covered Kreise. Empty without reference data.",
     view_sql("land_coverage"),
     {"census_year": "Census year.", "land_code": "Two-digit Land key.", "kreise": "Kreise in the Land.",
      "kreise_covered": "Kreise covered by at least one network.",
      "population": "Population on 31.12.2023.",
      "population_covered": "Population on 31.12.2023 living in a covered Kreis."}),
    ("response_by_land",
     "One row per census year with a survey run and Land: networks asked (counted), answered (sent a workbook), "
     "accepted (answers loaded).",
     view_sql("response_by_land"),
     {"census_year": "Census year.", "land_code": "Two-digit Land key.", "land_name": "Land (German name).",
      "asked": "Networks counted in the year (all are asked to fill in the workbook).",
      "answered": "Of these, networks from which at least one workbook was received.",
      "accepted": "Of these, networks whose answers were accepted and loaded."}),
    ("networks_by_land",
     "One row per census year and Land (all 16, zero where none): networks counted.",
     view_sql("networks_by_land"),
     {"census_year": "Census year.", "land_code": "Two-digit Land key.", "land_name": "Land (German name).",
      "networks": "Networks counted in that Land and year."}),
    # What the publication needs besides the views above: it reads pub only.
    ("laender",
     "One row per Land: the 16 Länder with key, abbreviation and German name (ref.laender).",
     view_sql("laender"),
     _table_comments("ref.laender")),
    ("kreise",
     "One row per Kreis (Gebietsstand 31.12.2023) with type, area and population (ref.kreise). "
     "Empty without reference data.",
     view_sql("kreise"),
     _table_comments("ref.kreise")),
    ("vocabulary",
     "One row per category of a controlled vocabulary of the questionnaire (ref.vocabulary): "
     "key, German label and its position in the questionnaire.",
     view_sql("vocabulary"),
     _table_comments("ref.vocabulary")),
    ("offers",
     "One row per offer (Angebot) reported in the survey by a network counted in that census year.",
     view_sql("offers"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "row_no": "Sheet row of the offer in the workbook (unique per network and year).",
      **_vocabulary_comments(q.S_OFFER)}),
    ("offers_long",
     "One row per offer and target group or subject (the multiple answers of pub.offers in long form).",
     view_sql("offers_long"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "row_no": "Sheet row of the offer (with network and year: the offer in pub.offers).",
      "vocabulary": "target_groups or subjects.", "key": "Category code (ref.vocabulary.key).",
      "label": "Category (German).", "label_en": "Category (English).",
      "position": "Order of the category in the questionnaire."}),
    ("quality_flags",
     "One row per value accepted with a warning (hint) in the loaded workbook of a network and census year: "
     "the value, the rule and the German text. Filter on it to find or exclude doubtful values.",
     view_sql("quality_flags"),
     {"census_year": "Census year.", "network_id": "Network identifier.",
      "field_key": "Questionnaire field of the flagged value (column name in core/pub).",
      "field_label": "German label of the field.", "sheet": "Sheet of the workbook.",
      "cell": "A1 address of the cell in the workbook.",
      "value_found": "The value as found in the workbook (text; NULL when the rule is about missing values).",
      "rule": "Code of the rule that warned (see docs/method.md).",
      "message_de": "The warning as the coordinator read it (German).",
      "expected_de": "What the rule expects (German)."}),
)


def view_ddl(views=VIEWS) -> list[str]:
    """CREATE VIEW and COMMENT ON statements for (name, comment, sql, column comments) entries."""
    stmts = []
    for name, comment, sql, cols in views:
        stmts.append(f"CREATE OR REPLACE VIEW pub.{name} AS {sql.strip()}")
        stmts.append(f"COMMENT ON VIEW pub.{name} IS {quote_literal(comment)}")
        stmts += [f"COMMENT ON COLUMN pub.{name}.{c} IS {quote_literal(t)}" for c, t in cols.items()]
    return stmts
