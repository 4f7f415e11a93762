"""The English edition: the language switch and the English text of every German text.

``publish(..., lang="en")`` runs with ``language("en")``; while it runs, ``t(text)`` returns the
English text declared here for a German text (the declarations in ``tables``, ``figures``,
``maps``, ``german`` and the report keep their German text and look it up here), and
``german.format_number`` writes English numbers (``1,234.5``). Outside, everything is German and
unchanged. ``EN`` is keyed by the German text exactly as declared (templates before
``{year}`` etc. are filled in); ``tests/test_english.py`` checks that every German text of the
declarations has an English one.

Categories that come from a controlled vocabulary are translated with ``pub.vocabulary.label_en``
(see ``category_labels``); the fixed categories of the table queries ("Insgesamt", size classes,
sections) are in ``EN``. Land, Kreis and network names stay German: they are names.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

LANGUAGES = ("de", "en")
_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("mint_census_publication_lang", default="de")


def current() -> str:
    """The language of the edition being written: "de" (default) or "en"."""
    return _LANG.get()


def english() -> bool:
    return _LANG.get() == "en"


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def t(text: str) -> str:
    """``text`` (German) in the edition's language; a German text without English one raises KeyError."""
    if not english() or text == "":
        return text
    return EN[text]


# --- English texts, keyed by the German text --------------------------------------------------

EN: dict[str, str] = {
    # Edition lines (publications.german)
    "Quelle: Erhebung MINT-Regionen {year}, eigene Berechnungen":
        "Source: Survey of MINT regions {year}, own calculations",
    "Beispieldaten – fiktive Zahlen, keine amtlichen Angaben":
        "Example data – fictitious numbers, not official statistics",
    "Stand: {date}": "As of: {date}",
    "Beispieldaten": "Example data",
    # Table 1
    "Entwicklung der MINT-Regionen {period}": "Development of the MINT regions {period}",
    "Index: Zahl der MINT-Regionen im Erhebungsjahr, bezogen auf {base_year} (= 100).":
        "Index: number of MINT regions in the census year relative to {base_year} (= 100).",
    "Umbenennungen und Zusammenschlüsse bestehender Netzwerke zählen nicht als neue MINT-Regionen.":
        "Renamings and mergers of existing networks do not count as new MINT regions.",
    "Erhebungsjahr": "Census year",
    "MINT-Regionen": "MINT regions",
    "Anzahl": "number",
    "neu hinzugekommen": "new",
    "beendet": "ended",
    "Index (2013 = 100)": "Index (2013 = 100)",
    "Messzahl": "index",
    # Table 2
    "MINT-Regionen nach Bundesland {year}": "MINT regions by Land {year}",
    "Deutschland: Summe der Länder.": "Deutschland (Germany): sum of the Länder.",
    "Durch Runden können sich bei der Summenbildung der Anteile geringfügige Abweichungen ergeben.":
        "Shares are rounded individually and may not add up exactly.",
    "Bevölkerung: Fortschreibung des Statistischen Bundesamtes, Stand 31.12.2023; Kreise: Gebietsstand "
    "31.12.2023.":
        "Population: intercensal update of the Federal Statistical Office as of 2023-12-31; districts: "
        "territorial status 2023-12-31.",
    "Ein Kreis gilt als abgedeckt, wenn mindestens eine im Jahr gezählte MINT-Region ihn ganz oder teilweise "
    "umfasst (Angaben der Erhebung, sonst Register).":
        "A district counts as covered if at least one MINT region counted in the year covers it wholly or "
        "partly (survey answers, otherwise the register).",
    "Land-Schlüssel": "Land code",
    "Bundesland": "Land",
    "Anteil in %": "Share in %",
    "%": "%",
    "je 1 Mio. Einwohner (Bevölkerung am 31.12.2023)": "per 1 million inhabitants (population on 2023-12-31)",
    "Kreise insgesamt": "Districts, total",
    "Kreise mit MINT-Region": "Districts with a MINT region",
    "Kreise mit MINT-Region in %": "Districts with a MINT region in %",
    "Bevölkerung in Kreisen mit MINT-Region in % (Stand 31.12.2023)":
        "Population in districts with a MINT region in % (as of 2023-12-31)",
    "Veränderung gegenüber Vorjahr": "Change on previous year",
    # Table 3
    "MINT-Regionen {year} nach Gründungsjahr": "MINT regions {year} by year of foundation",
    "MINT-Regionen, die im Erhebungsjahr {year} gezählt werden, nach ihrem Gründungsjahr (Register); Zeiträume "
    "von je drei Jahren ab 2006, dem Gründungsjahr der ersten MINT-Region.":
        "MINT regions counted in census year {year} by their year of foundation (register); periods of three "
        "years from 2006, the year the first MINT region was founded.",
    "Gründungszeitraum": "Period of foundation",
    "kumuliert": "cumulated",
    "kumuliert in %": "cumulated in %",
    # Table 4
    "MINT-Regionen {year} nach Art und Rechtsform des Trägers": "MINT regions {year} by type and legal form of the host",
    "Angaben der MINT-Regionen im Erhebungsbogen {year} (Träger der Netzwerkkoordination).":
        "Answers of the MINT regions in the questionnaire {year} (host of the network coordination).",
    "Merkmal": "Characteristic",
    "Ausprägung": "Category",
    # Table 5
    "Partnerstruktur der MINT-Regionen {year}": "Partners of the MINT regions {year}",
    "Median, Minimum und Maximum: Zahl der Partner dieser Art in den MINT-Regionen, die mindestens einen "
    "solchen Partner haben.":
        "Median, minimum and maximum: number of partners of this type in the MINT regions that have at least "
        "one such partner.",
    "Art der Partner": "Type of partner",
    "MINT-Regionen mit solchen Partnern": "MINT regions with such partners",
    "Anteil an allen MINT-Regionen in %": "Share of all MINT regions in %",
    "Median der Anzahl": "Median of the number",
    "Minimum": "Minimum",
    "Maximum": "Maximum",
    "Partner insgesamt": "Partners, total",
    # Table 6
    "Koordination und Personal der MINT-Regionen {year}": "Coordination and staff of the MINT regions {year}",
    "VZÄ: Vollzeitäquivalente des bezahlten Personals der MINT-Region.":
        "FTE: full-time equivalents of the paid staff of the MINT region.",
    "Quartile und Median über alle MINT-Regionen mit Angaben; Summen: Zahl der MINT-Regionen mit einem Wert "
    "über 0.":
        "Quartiles and median over all MINT regions with answers; sums: number of MINT regions with a value "
        "above 0.",
    "Ausprägung / Kennzahl": "Category / statistic",
    "Wert": "Value",
    "VZÄ bzw. Personen": "FTE or persons",
    # Table 7
    "Finanzierung der MINT-Regionen {year}": "Funding of the MINT regions {year}",
    "Jahresbudget: gesamtes Budget des Netzwerks im Erhebungsjahr aus allen Quellen.":
        "Annual budget: total budget of the network in the census year from all sources.",
    "Größenklassen: Zahl der MINT-Regionen und Summe ihrer Budgets; Kennzahlen über alle MINT-Regionen mit "
    "Angabe zum Budget.":
        "Size classes: number of MINT regions and sum of their budgets; statistics over all MINT regions that "
        "gave their budget.",
    "Finanzierungsquellen: Summe der Beträge je Quelle und ihr Anteil an der Summe aller Quellen; "
    "MINT-Regionen: Zahl der Netzwerke mit einem Betrag über 0.":
        "Sources of funding: sum of the amounts per source and its share of the sum of all sources; MINT "
        "regions: number of networks with an amount above 0.",
    "Größenklasse / Kennzahl / Quelle": "Size class / statistic / source",
    "Betrag": "Amount",
    "EUR": "EUR",
    "Anteil an der Summe in %": "Share of the sum in %",
    # Table 8
    "Angebote der MINT-Regionen {year} nach Format und Zielgruppe":
        "Activities of the MINT regions {year} by format and target group",
    "Angebote, die die MINT-Regionen im Erhebungsbogen {year} gemeldet haben (erfragt seit 2024); Teilnehmende "
    "im Erhebungsjahr, fehlende Angaben als 0 gezählt.":
        "Activities reported by the MINT regions in the questionnaire {year} (asked since 2024); participants "
        "in the census year, missing answers counted as 0.",
    "Ein Angebot kann sich an mehrere Zielgruppen richten: die Zeilen nach Zielgruppe ergeben zusammen mehr "
    "als die Summe der Angebote.":
        "An activity may address several target groups: the rows by target group add up to more than the "
        "total of activities.",
    "Gliederung": "Breakdown",
    "Format / Zielgruppe": "Format / target group",
    "MINT-Regionen mit solchen Angeboten": "MINT regions with such activities",
    "Angebote": "Activities",
    "Teilnehmende": "Participants",
    "Personen": "persons",
    # Table 9, 9a
    "Abdeckung und weiße Flecken {year} nach Bundesland": "Coverage and blank spots {year} by Land",
    "Weißer Fleck: ein Kreis oder eine kreisfreie Stadt, die keine im Jahr {year} gezählte MINT-Region ganz "
    "oder teilweise umfasst. Liste der Kreise: Tabelle 9a.":
        "Blank spot: a district or district-free city not covered, wholly or partly, by any MINT region "
        "counted in {year}. List of the districts: Table 9a.",
    "Kreise: Gebietsstand 31.12.2023 (400 Kreise); Bevölkerung am 31.12.2023.":
        "Districts: territorial status 2023-12-31 (400 districts); population on 2023-12-31.",
    "Ohne Referenzdaten (Kreise, Bevölkerung) bleibt die Tabelle leer.":
        "Without reference data (districts, population) the table stays empty.",
    "Kreise ohne MINT-Region": "Districts without a MINT region",
    "Bevölkerung in Kreisen ohne MINT-Region (31.12.2023)": "Population in districts without a MINT region (2023-12-31)",
    "Anteil an der Bevölkerung in %": "Share of the population in %",
    "Kreise ohne MINT-Region (weiße Flecken) {year}": "Districts without a MINT region (blank spots) {year}",
    "Kreise: Gebietsstand 31.12.2023; Bevölkerung am 31.12.2023.":
        "Districts: territorial status 2023-12-31; population on 2023-12-31.",
    "Kreisschlüssel": "District code",
    "Kreis": "District",
    "Kreistyp": "Type of district",
    "Bevölkerung (31.12.2023)": "Population (2023-12-31)",
    # Table 10
    "Rücklauf der Erhebung {year} nach Bundesland": "Response to the survey {year} by Land",
    "Befragt: alle im Jahr {year} gezählten MINT-Regionen (Register). Eingegangen: mindestens ein "
    "Erhebungsbogen erhalten. Übernommen: Angaben fehlerfrei geprüft und geladen.":
        "Asked: all MINT regions counted in {year} (register). Received: at least one questionnaire received. "
        "Accepted: answers checked without errors and loaded.",
    "Vor 2023 gab es keine Erhebung mit Erhebungsbogen; dann bleibt die Tabelle leer.":
        "There was no survey with a questionnaire before 2023; then the table stays empty.",
    "befragte MINT-Regionen": "MINT regions asked",
    "Erhebungsbogen eingegangen": "Questionnaire received",
    "Angaben übernommen": "Answers accepted",
    "Rücklaufquote in %": "Response rate in %",
    "Quote übernommener Angaben in %": "Rate of accepted answers in %",
    # Fixed categories of the table queries (publications/sql)
    "Insgesamt": "Total",
    "ohne Angabe": "not stated",
    "vor 2006": "before 2006",
    "Art des Trägers": "Type of host",
    "Rechtsform des Trägers": "Legal form of the host",
    "Koordinierungsstelle": "Coordination office",
    "vorhanden": "present",
    "nicht vorhanden": "not present",
    "Bezahltes Personal (Vollzeitäquivalente)": "Paid staff (full-time equivalents)",
    "kein bezahltes Personal": "no paid staff",
    "über 0 bis unter 1": "above 0 to under 1",
    "1 bis unter 2": "1 to under 2",
    "2 bis unter 3": "2 to under 3",
    "3 und mehr": "3 and more",
    "Ehrenamtlich Mitwirkende": "Volunteers",
    "keine": "none",
    "1 bis 9": "1 to 9",
    "10 bis 24": "10 to 24",
    "25 bis 49": "25 to 49",
    "50 und mehr": "50 and more",
    "Kennzahlen": "Statistics",
    "Bezahltes Personal: 1. Quartil (VZÄ)": "Paid staff: 1st quartile (FTE)",
    "Bezahltes Personal: Median (VZÄ)": "Paid staff: median (FTE)",
    "Bezahltes Personal: 3. Quartil (VZÄ)": "Paid staff: 3rd quartile (FTE)",
    "Bezahltes Personal: Summe (VZÄ)": "Paid staff: sum (FTE)",
    "Ehrenamtlich Mitwirkende: Median (Personen)": "Volunteers: median (persons)",
    "Ehrenamtlich Mitwirkende: Summe (Personen)": "Volunteers: sum (persons)",
    "Jahresbudget nach Größenklasse": "Annual budget by size class",
    "unter 10.000 EUR": "under EUR 10,000",
    "10.000 bis unter 50.000 EUR": "EUR 10,000 to under 50,000",
    "50.000 bis unter 100.000 EUR": "EUR 50,000 to under 100,000",
    "100.000 bis unter 200.000 EUR": "EUR 100,000 to under 200,000",
    "200.000 EUR und mehr": "EUR 200,000 and more",
    "Kennzahlen des Jahresbudgets": "Statistics of the annual budget",
    "1. Quartil": "1st quartile",
    "Median": "Median",
    "3. Quartil": "3rd quartile",
    "Mittelwert": "Mean",
    "Finanzierungsquellen": "Sources of funding",
    "nach Format": "by format",
    "nach Zielgruppe (Mehrfachnennungen)": "by target group (multiple answers)",
    "Format": "Format",
    "Zielgruppe": "Target group",
    "Landkreis": "rural district",
    "Kreis ": "district",
    "Kreisfreie Stadt": "district-free city",
    "kreisfreie Stadt": "district-free city",
    # Figures and map
    "Anzahl MINT-Regionen": "Number of MINT regions",
    "Anteil der MINT-Regionen mit mindestens einem solchen Partner in %":
        "Share of MINT regions with at least one such partner in %",
    "MINT-Regionen je Kreis {year}": "MINT regions per district {year}",
    "keine MINT-Region (weißer Fleck)": "no MINT region (blank spot)",
    "1 MINT-Region": "1 MINT region",
    "2 MINT-Regionen": "2 MINT regions",
    "3 und mehr MINT-Regionen": "3 and more MINT regions",
    "Kartengrundlage: {credit}; Kreise: Gebietsstand 31.12.2023":
        "Base map: {credit}; districts: territorial status 2023-12-31",
    "© GeoBasis-DE / BKG (2024) (Daten verändert)": "© GeoBasis-DE / BKG (2024) (data modified)",
    "{n} MINT-Regionen": "{n} MINT regions",
    "Karte übersprungen: keine Referenzdaten mit den BKG-Grenzen ({kreise}, {laender}) gefunden.":
        "Map skipped: no reference data with the BKG boundaries ({kreise}, {laender}) found.",
    "Karte übersprungen: das Data Warehouse enthält keine Kreise (ref.kreise ist leer; ingest mit "
    "Referenzdaten ausführen).":
        "Map skipped: the data warehouse holds no districts (ref.kreise is empty; run ingest with reference "
        "data).",
    "Kein Vorjahresvergleich: {year} ist das erste Erhebungsjahr.":
        "No comparison with the previous year: {year} is the first census year.",
    "MINT-Regionen je Kreis {year}; weiß: Kreise ohne MINT-Region. Kartengrundlage: {credit}":
        "MINT regions per district {year}; white: districts without a MINT region. Base map: {credit}",
    # Network types of the register (ref.vocabulary has no such vocabulary)
    "MINT-Region": "MINT region",
    "zdi-Netzwerk": "zdi network",
    "MINT-Cluster": "MINT cluster",
    "sonstiges regionales Netzwerk": "other regional network",
    # Workbook
    "Inhalt": "Contents",
    "Porträts": "Portraits",
    "Methodik": "Methods",
    "zurück zum Inhalt": "back to contents",
    "Erhebung MINT-Regionen {year}: Tabellen": "Survey of MINT regions {year}: tables",
    "Tabelle": "Table",
    "Titel": "Title",
    "Die MINT-Regionen im Porträt": "The MINT regions in portrait",
    "Methodische Hinweise": "Notes on methods",
    "Zeichenerklärung": "Explanation of signs",
    "Seite &P von &N": "Page &P of &N",
    "Die MINT-Regionen im Porträt {year}": "The MINT regions in portrait {year}",
    "{n} MINT-Regionen, nach Ländern": "{n} MINT regions, by Land",
    "Netzwerk-ID": "Network ID",
    "Name": "Name",
    "Gründungsjahr": "Year of foundation",
    "Träger, Internetseite, Partner und Angebote aus dem Erhebungsbogen nur, wenn das Netzwerk der "
    "Veröffentlichung im Porträt zugestimmt hat; sonst leer (nur Angaben des Registers).":
        "Host, website, partners and activities from the questionnaire only if the network agreed to "
        "publication in the portrait; otherwise empty (register entries only).",
    "Methodische Hinweise zur Erhebung MINT-Regionen {year}": "Notes on the methods of the survey of MINT regions {year}",
    "MINT-Regionen {year}: Tabellen": "MINT regions {year}: tables",
    # Report: portraits
    "ohne Land": "no Land",
    "Art": "Type",
    "Gegründet": "Founded",
    "Kreise": "Districts",
    "Träger": "Host",
    "Internetseite": "Website",
    "Partner": "Partners",
    " mit {n} Teilnehmenden": " with {n} participants",
    # Signs and disclosure control
    ". = geheim zu halten: Der Wert beruht auf weniger als {n} Netzwerken oder ein Netzwerk trägt mehr als "
    "{dominance} % dazu bei; weitere Werte sind gesperrt, damit gesperrte Werte nicht aus Summen errechnet "
    "werden können.":
        ". = confidential: the value rests on fewer than {n} networks or one network contributes more than "
        "{dominance} %; further values are withheld so that confidential values cannot be derived from sums.",
}
