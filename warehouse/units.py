"""Unit and NULL meaning of every `pub` column, for the data dictionary and the release.

A `pub` column either carries the unit of the questionnaire field it shows (EUR, Personen, …),
or one from `UNITS` below ("Anzahl" for counts, "Jahr", "km²" …), or — for what is not a
quantity — what kind of value it holds ("Schlüssel", "Text", "ja/nein", "Liste"). Its NULL
meaning says what an empty value stands for; "nie NULL" is checked on a census by
tests/test_release.py.
"""

from __future__ import annotations

NEVER = "nie NULL"
UNANSWERED = "nicht beantwortet (im Erhebungsbogen leer gelassen)"

UNITS = {
    "networks": "Anzahl", "new_networks": "Anzahl", "ended_networks": "Anzahl", "kreise": "Anzahl",
    "kreise_covered": "Anzahl", "kreise_count": "Anzahl", "asked": "Anzahl", "answered": "Anzahl",
    "accepted": "Anzahl", "partners": "Anzahl",
    "population": "Personen", "population_covered": "Personen", "population_zensus_2022": "Personen",
    "amount_eur": "EUR", "area_km2": "km²",
    "census_year": "Jahr", "founded_year": "Jahr", "first_census_year": "Jahr", "last_census_year": "Jahr",
    "end_year": "Jahr", "position": "Rangzahl", "row_no": "Zeilennummer",
}

NULLS = {  # (view or "*", column) -> what NULL means; anything not listed is never NULL
    ("*", "founded_year"): "Gründungsjahr unbekannt (weder Register noch Erhebungsbogen nennen es)",
    ("*", "end_year"): "nicht beendet (Netzwerk besteht)",
    ("*", "end_reason"): "nicht beendet (Netzwerk besteht)",
    ("*", "successor_id"): "kein Nachfolger (besteht oder aufgelöst)",
    ("*", "successor_name"): "kein Nachfolger (besteht oder aufgelöst)",
    ("*", "template_version"): "kein Erhebungsbogen in diesem Jahr (Angaben aus dem Register)",
    ("*", "population_zensus_2022"): "Zensuswert für den Kreis nicht vorhanden",
    ("network_history", "land_changed"): "erstes gezähltes Jahr (kein Vorjahr zum Vergleich)",
    ("network_history", "name_changed"): "erstes gezähltes Jahr (kein Vorjahr zum Vergleich)",
    ("network_history", "kreise"): "keine Kreise bekannt (weder Erhebungsbogen noch Register)",
    ("partners_long", "partners"): UNANSWERED,
    ("offers", "offer_kreis_code"): "kein Kreis angegeben (Angebot im ganzen Netzwerkgebiet)",
    ("offers", "participants"): "nicht angegeben",
    ("offers", "offer_format"): "nicht angegeben",
    ("offers", "target_groups"): "nicht angegeben",
    ("offers", "subjects"): "nicht angegeben",
    **{("offers", f"{k}{suffix}"): "nicht angegeben"
       for k in ("offer_format", "target_groups", "subjects") for suffix in ("_code", "_label_en")},
    ("offers", "is_regular"): "nicht angegeben",
    ("quality_flags", "value_found"): "kein Wert (die Regel betrifft eine fehlende Angabe)",
    ("quality_flags", "field_label"): "Befund betrifft kein einzelnes Feld",
    ("quality_flags", "field_key"): "Befund betrifft kein einzelnes Feld",
    ("quality_flags", "cell"): "Befund betrifft keine einzelne Zelle",
    ("quality_flags", "sheet"): "Befund betrifft kein einzelnes Blatt",
    ("quality_flags", "expected_de"): "keine Erwartung formuliert",
}
# Survey answers shown in pub.network_answers: NULL when the coordinator left them empty.
ANSWER_VIEWS = ("network_answers",)
ANSWER_ALWAYS = {"census_year", "network_id", "register_land_code", "network_name", "network_type", "land_code"}


def unit(view: str, column: str, data_type: str, declared: str | None) -> str:
    if declared:
        return declared
    if column in UNITS:
        return UNITS[column]
    t = data_type.upper()
    if t.endswith("[]"):
        return "Liste"
    if t == "BOOLEAN":
        return "ja/nein"
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE") or t.startswith("DECIMAL"):
        return "Anzahl"
    if column.endswith(("_id", "_code")) or column in ("key", "vocabulary", "rule", "cell", "sheet", "field_key"):
        return "Schlüssel"
    return "Text"


def null_meaning(view: str, column: str) -> str:
    if view in ANSWER_VIEWS and column not in ANSWER_ALWAYS:
        return UNANSWERED
    return NULLS.get((view, column)) or NULLS.get(("*", column)) or NEVER
