"""Controlled vocabularies of the questionnaire (German, as coordinators see them).

Aligned with MINTvernetzt's community platform where one exists (target groups,
disciplines, financing) and with the network types the census meets (see docs).
"""

from __future__ import annotations

NETWORK_TYPES = (
    "MINT-Region",
    "zdi-Netzwerk",
    "MINT-Cluster",
    "sonstiges regionales Netzwerk",
)

# Events of a network's history in the register (register_events): code, German label as staff
# write it. A network is counted in census year Y when its last status event (admitted, paused,
# resumed, merged, dissolved) dated in or before Y is admitted or resumed (sources.register.counted,
# pub.network_years).
REGISTER_EVENTS = (
    ("founded", "gegründet"),
    ("admitted", "aufgenommen"),
    ("renamed", "umbenannt"),
    ("area_changed", "Gebiet geändert"),
    ("land_changed", "Land geändert"),
    ("paused", "pausiert"),
    ("resumed", "wieder aufgenommen"),
    ("merged", "fusioniert"),
    ("dissolved", "aufgelöst"),
)
REGISTER_EVENT_LABEL = dict(REGISTER_EVENTS)
STATUS_EVENTS = ("admitted", "paused", "resumed", "merged", "dissolved")
COUNTING_EVENTS = ("admitted", "resumed")

# The 16 Länder: official two-digit key, abbreviation, German name. These are
# the keys of the Land code list (Destatis); the names also serve as the
# dropdown of the "Bundesland" field, so the pipeline works without reference data.
LAENDER = (
    ("01", "SH", "Schleswig-Holstein"),
    ("02", "HH", "Hamburg"),
    ("03", "NI", "Niedersachsen"),
    ("04", "HB", "Bremen"),
    ("05", "NW", "Nordrhein-Westfalen"),
    ("06", "HE", "Hessen"),
    ("07", "RP", "Rheinland-Pfalz"),
    ("08", "BW", "Baden-Württemberg"),
    ("09", "BY", "Bayern"),
    ("10", "SL", "Saarland"),
    ("11", "BE", "Berlin"),
    ("12", "BB", "Brandenburg"),
    ("13", "MV", "Mecklenburg-Vorpommern"),
    ("14", "SN", "Sachsen"),
    ("15", "ST", "Sachsen-Anhalt"),
    ("16", "TH", "Thüringen"),
)
LAND_NAME = {code: name for code, _, name in LAENDER}
LAND_BY_TEXT = {}
for _code, _kurz, _name in LAENDER:
    for _t in (_code, _kurz, _name, str(int(_code))):
        LAND_BY_TEXT[_t.casefold()] = _code

HOST_TYPES = (
    "Kommune/Kreisverwaltung",
    "Wirtschaftsförderung",
    "Verein",
    "Stiftung",
    "Unternehmen",
    "Kammer/Verband",
    "Hochschule",
    "Bildungseinrichtung",
    "Sonstige",
)

LEGAL_FORMS = (
    "eingetragener Verein (e. V.)",
    "gemeinnützige GmbH (gGmbH)",
    "GmbH",
    "Stiftung",
    "Körperschaft des öffentlichen Rechts",
    "ohne eigene Rechtsform",
    "Sonstige",
)

LAND_PROGRAMMES = (
    "keins",
    "zdi (Nordrhein-Westfalen)",
    "MINT-Netz Bayern",
    "MINT-Regionen Rheinland-Pfalz",
    "MINT-Regionen Thüringen",
    "sonstiges Landesprogramm",
)

COVERAGE = ("ganz", "teilweise")

OFFER_FORMATS = (
    "Kurs/AG",
    "Workshop",
    "Wettbewerb",
    "Ferienprogramm",
    "Exkursion/Betriebserkundung",
    "Schülerlabor",
    "Fortbildung",
    "Aktionstag/Veranstaltung",
    "Digitales Angebot",
    "Sonstiges",
)

TARGET_GROUPS = (
    "Kita/Vorschule",
    "Primarstufe",
    "Sekundarstufe I",
    "Sekundarstufe II",
    "junge Erwachsene",
    "Studierende",
    "Lehramtsstudierende",
    "Auszubildende",
    "Lehrkräfte",
    "Erzieher:innen",
    "Wissenschaftler:innen",
    "Koordinator:innen/Multiplikator:innen",
    "Eltern",
)

SUBJECTS = (
    "Mathematik",
    "Informatik",
    "Biologie",
    "Chemie",
    "Physik",
    "Astronomie",
    "Technik",
    "Naturwissenschaften",
    "MINT gesamt",
)

YES, NO = "ja", "nein"
BOOL_TEXT = {
    "ja": True, "j": True, "yes": True, "y": True, "x": True, "wahr": True, "true": True, "1": True,
    "nein": False, "n": False, "no": False, "falsch": False, "false": False, "0": False,
}

# Partner types (key suffix, German label) and funding sources (key suffix, German label).
PARTNER_TYPES = (
    ("kitas", "Kitas"),
    ("grundschulen", "Grundschulen"),
    ("weiterfuehrende_schulen", "Weiterführende Schulen"),
    ("berufliche_schulen", "Berufliche Schulen"),
    ("hochschulen", "Hochschulen"),
    ("forschungseinrichtungen", "Forschungseinrichtungen"),
    ("unternehmen", "Unternehmen"),
    ("kammern", "Kammern"),
    ("verbaende", "Verbände"),
    ("stiftungen", "Stiftungen"),
    ("kommunen", "Kommunen/Behörden"),
    ("lernorte", "Außerschulische Lernorte"),
    ("vereine", "Vereine/Initiativen"),
    ("sonstige", "Sonstige"),
)

FUNDING_SOURCES = (
    ("land", "Land"),
    ("bund", "Bund"),
    ("eu", "EU"),
    ("kommune", "Kommune"),
    ("unternehmen", "Unternehmen"),
    ("stiftungen", "Stiftungen"),
    ("kammern_verbaende", "Kammern/Verbände"),
    ("eigenmittel", "Eigenmittel"),
    ("sonstige", "Sonstige"),
)

# Kreis codes that no longer exist and the Kreis that took them over (see domain.md):
# answers from earlier years may still carry them; `core` stores today's code.
KREIS_SUCCESSORS = {
    "16056": "16063",  # Eisenach -> Wartburgkreis (01.07.2021)
    "03152": "03159",  # Göttingen -> Landkreis Göttingen (01.11.2016)
    "03156": "03159",  # Osterode am Harz -> Landkreis Göttingen (01.11.2016)
}

# The vintage of the official reference data the census uses (sources/reference.py reads
# the files; publications and the researchers' snapshot name these dates).
GEBIETSSTAND = "31.12.2023"      # Kreise: territorial status
POPULATION_DATE = "31.12.2023"   # population basis of per-capita figures (ref.kreise.population)
REFERENCE_CREDITS = (
    "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Gebietsstand 31.12.2023 (dl-de/by-2-0)",
    "© Statistische Ämter des Bundes und der Länder, Zensus 2022 (Daten verändert) (dl-de/by-2-0)",
    "© GeoBasis-DE / BKG (2024) (Daten verändert) (dl-de/by-2-0)",
)


# English labels of the vocabularies (ref.vocabulary.label_en), by vocabulary and German label;
# the key stays the code researchers filter on.
LABELS_EN = {
    "network_types": {"MINT-Region": "MINT region (regional STEM network)", "zdi-Netzwerk": "zdi network (NRW)",
                      "MINT-Cluster": "MINT cluster (federal funding)",
                      "sonstiges regionales Netzwerk": "other regional network"},
    "host_types": {"Kommune/Kreisverwaltung": "municipality/district administration",
                   "Wirtschaftsförderung": "economic development agency", "Verein": "association",
                   "Stiftung": "foundation", "Unternehmen": "company", "Kammer/Verband": "chamber/association",
                   "Hochschule": "university", "Bildungseinrichtung": "educational institution", "Sonstige": "other"},
    "legal_forms": {"eingetragener Verein (e. V.)": "registered association (e. V.)",
                    "gemeinnützige GmbH (gGmbH)": "non-profit limited company (gGmbH)",
                    "GmbH": "limited company (GmbH)", "Stiftung": "foundation",
                    "Körperschaft des öffentlichen Rechts": "public-law corporation",
                    "ohne eigene Rechtsform": "no legal form of its own", "Sonstige": "other"},
    "land_programmes": {"keins": "none", "zdi (Nordrhein-Westfalen)": "zdi (North Rhine-Westphalia)",
                        "MINT-Netz Bayern": "MINT-Netz Bayern (Bavaria)",
                        "MINT-Regionen Rheinland-Pfalz": "MINT-Regionen Rhineland-Palatinate",
                        "MINT-Regionen Thüringen": "MINT-Regionen Thuringia",
                        "sonstiges Landesprogramm": "other Land programme"},
    "coverage": {"ganz": "whole", "teilweise": "partly"},
    "offer_formats": {"Kurs/AG": "course/club", "Workshop": "workshop", "Wettbewerb": "competition",
                      "Ferienprogramm": "holiday programme", "Exkursion/Betriebserkundung": "excursion/company visit",
                      "Schülerlabor": "school lab", "Fortbildung": "further training",
                      "Aktionstag/Veranstaltung": "action day/event", "Digitales Angebot": "digital offer",
                      "Sonstiges": "other"},
    "target_groups": {"Kita/Vorschule": "day care/pre-school", "Primarstufe": "primary level",
                      "Sekundarstufe I": "lower secondary level", "Sekundarstufe II": "upper secondary level",
                      "junge Erwachsene": "young adults", "Studierende": "students (university)",
                      "Lehramtsstudierende": "student teachers", "Auszubildende": "apprentices",
                      "Lehrkräfte": "teachers", "Erzieher:innen": "early-years educators",
                      "Wissenschaftler:innen": "researchers",
                      "Koordinator:innen/Multiplikator:innen": "coordinators/multipliers", "Eltern": "parents"},
    "subjects": {"Mathematik": "mathematics", "Informatik": "computer science", "Biologie": "biology",
                 "Chemie": "chemistry", "Physik": "physics", "Astronomie": "astronomy", "Technik": "technology",
                 "Naturwissenschaften": "natural sciences", "MINT gesamt": "STEM overall"},
    "partner_types": {"Kitas": "day-care centres", "Grundschulen": "primary schools",
                      "Weiterführende Schulen": "secondary schools", "Berufliche Schulen": "vocational schools",
                      "Hochschulen": "universities", "Forschungseinrichtungen": "research institutes",
                      "Unternehmen": "companies", "Kammern": "chambers", "Verbände": "associations (trade)",
                      "Stiftungen": "foundations", "Kommunen/Behörden": "municipalities/authorities",
                      "Außerschulische Lernorte": "out-of-school learning places",
                      "Vereine/Initiativen": "clubs/initiatives", "Sonstige": "other"},
    "funding_sources": {"Land": "Land (federal state)", "Bund": "federal government", "EU": "EU",
                        "Kommune": "municipality", "Unternehmen": "companies", "Stiftungen": "foundations",
                        "Kammern/Verbände": "chambers/associations", "Eigenmittel": "own funds", "Sonstige": "other"},
}


# Stable codes of the choice vocabularies, by vocabulary and German label. Coordinators choose the
# German label in the workbook; core.* stores the code (sources read labels, warehouse.load maps
# label -> code after validation); ref.vocabulary.key holds the code, the pub views show code and
# labels. A code never changes once released; a relabelled category keeps its code.
CODES = {
    "network_types": {"MINT-Region": "mint_region", "zdi-Netzwerk": "zdi_network", "MINT-Cluster": "mint_cluster",
                      "sonstiges regionales Netzwerk": "other_network"},
    "host_types": {"Kommune/Kreisverwaltung": "municipality", "Wirtschaftsförderung": "economic_development",
                   "Verein": "verein", "Stiftung": "foundation", "Unternehmen": "company",
                   "Kammer/Verband": "chamber", "Hochschule": "university",
                   "Bildungseinrichtung": "educational_institution", "Sonstige": "other"},
    "legal_forms": {"eingetragener Verein (e. V.)": "ev", "gemeinnützige GmbH (gGmbH)": "ggmbh", "GmbH": "gmbh",
                    "Stiftung": "foundation", "Körperschaft des öffentlichen Rechts": "public_corporation",
                    "ohne eigene Rechtsform": "none", "Sonstige": "other"},
    "land_programmes": {"keins": "none", "zdi (Nordrhein-Westfalen)": "zdi_nw", "MINT-Netz Bayern": "mint_netz_by",
                        "MINT-Regionen Rheinland-Pfalz": "mint_regionen_rp",
                        "MINT-Regionen Thüringen": "mint_regionen_th", "sonstiges Landesprogramm": "other"},
    "coverage": {"ganz": "whole", "teilweise": "partly"},
    "offer_formats": {"Kurs/AG": "course", "Workshop": "workshop", "Wettbewerb": "competition",
                      "Ferienprogramm": "holiday_programme", "Exkursion/Betriebserkundung": "excursion",
                      "Schülerlabor": "school_lab", "Fortbildung": "further_training",
                      "Aktionstag/Veranstaltung": "event", "Digitales Angebot": "digital", "Sonstiges": "other"},
    "target_groups": {"Kita/Vorschule": "preschool", "Primarstufe": "primary", "Sekundarstufe I": "secondary_1",
                      "Sekundarstufe II": "secondary_2", "junge Erwachsene": "young_adults",
                      "Studierende": "students", "Lehramtsstudierende": "student_teachers",
                      "Auszubildende": "apprentices", "Lehrkräfte": "teachers",
                      "Erzieher:innen": "early_years_educators", "Wissenschaftler:innen": "researchers",
                      "Koordinator:innen/Multiplikator:innen": "coordinators", "Eltern": "parents"},
    "subjects": {"Mathematik": "mathematics", "Informatik": "computer_science", "Biologie": "biology",
                 "Chemie": "chemistry", "Physik": "physics", "Astronomie": "astronomy", "Technik": "technology",
                 "Naturwissenschaften": "natural_sciences", "MINT gesamt": "stem_overall"},
}

# The questionnaire's choice fields and their vocabulary (core stores the code).
FIELD_VOCABULARY = {
    "network_type": "network_types", "host_type": "host_types", "host_legal_form": "legal_forms",
    "land_programme": "land_programmes", "coverage": "coverage", "offer_format": "offer_formats",
    "target_groups": "target_groups", "subjects": "subjects",
}


def to_code(field_key: str, value):
    """The code stored in core for a validated answer (a German label, or a list of them)."""
    codes = CODES[FIELD_VOCABULARY[field_key]]
    if value is None or (isinstance(value, float) and value != value):
        return value
    if isinstance(value, str):
        return codes.get(value, value)
    return [codes.get(v, v) for v in value]


def to_label(field_key: str, value):
    """The German label of a stored code (or list of codes), e.g. to prefill a workbook."""
    labels = {c: label for label, c in CODES[FIELD_VOCABULARY[field_key]].items()}
    if value is None or (isinstance(value, float) and value != value):
        return value
    if isinstance(value, str):
        return labels.get(value, value)
    return [labels.get(v, v) for v in value]
