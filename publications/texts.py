"""German texts of the report that are not table declarations: imprint, method notes, sources.

Both report templates (``templates/bericht.html.j2`` and ``templates/bericht.typ``) print these
as data; the layout lives in the templates.
"""

from __future__ import annotations

from .german import POPULATION_DATE, Edition, format_number
from .maps import BKG_CREDIT
from .sdc import Rule

PUBLISHER = "Geschäftsstelle MINT-Regionen"
LICENCE = ("Diese Veröffentlichung steht unter der Lizenz Creative Commons Namensnennung 4.0 International "
           "(CC BY 4.0). Vervielfältigung und Verbreitung, auch auszugsweise, mit Quellenangabe gestattet.")


def citation(edition: Edition) -> str:
    return (f"{PUBLISHER} ({edition.stand.year}): MINT-Regionen in Deutschland {edition.year}. "
            f"Ergebnisse der Erhebung MINT-Regionen {edition.year}. Stand {edition.stand_line[7:]}.")


def imprint(edition: Edition) -> list[tuple[str, str]]:
    return [
        ("Herausgeber", PUBLISHER),
        ("Kontakt", "Geschäftsstelle MINT-Regionen, Netzwerk der MINT-Regionen in Deutschland"),
        ("Erschienen", edition.stand_line),
        ("Zitiervorschlag", citation(edition)),
        ("Lizenz", LICENCE),
        ("Daten", f"Tabellen als Arbeitsmappe (MINT-Regionen_{edition.year}_Tabellen.xlsx) und als "
                  "CSV-Dateien (Ordner tabellen/) in derselben Veröffentlichung."),
    ]


def method_notes(rule: Rule) -> list[tuple[str, str]]:
    return [
        ("Wer gezählt wird",
         "Grundlage ist das von der Geschäftsstelle geführte Register der MINT-Regionen. Ein Netzwerk wird im "
         "Erhebungsjahr Y gezählt, wenn es spätestens in Y in das Register aufgenommen wurde und nicht vor Y "
         "geendet hat. zdi-Netzwerke (Nordrhein-Westfalen), MINT-Cluster (BMBF) und andere regionale Netzwerke "
         "werden gezählt, wenn sie nach den Kriterien einer MINT-Region (echtes Netzwerk, abgegrenztes Gebiet, "
         "gemeinsame Ziele, Koordinierungsstelle) in das Register aufgenommen wurden. Umbenennungen sind keine "
         "neuen Netzwerke; bei Zusammenschlüssen endet das aufgenommene Netzwerk, das fortgeführte zählt weiter. "
         "Zahlen bis 2022 beruhen allein auf dem Register, seit 2023 zusätzlich auf dem Erhebungsbogen."),
        ("Bundesland", "Ein Netzwerk zählt in dem Land, in dem seine Koordinierungsstelle sitzt (Register)."),
        ("Abdeckung und weiße Flecken",
         "Ein Kreis gilt im Jahr Y als abgedeckt, wenn mindestens ein in Y gezähltes Netzwerk ihn ganz oder "
         "teilweise umfasst. Maßgeblich sind die Kreise, die das Netzwerk im Erhebungsbogen des Jahres Y "
         "angegeben hat; hat es keine angegeben (oder vor 2023), die Kreise laut Register. Alte Kreisschlüssel "
         "werden dem heutigen Kreis zugeordnet. Gebietsstand: 31.12.2023, 400 Kreise."),
        ("Bevölkerung",
         "Alle Angaben je Einwohner und zur Bevölkerung beruhen auf der Fortschreibung des Bevölkerungsstandes "
         f"des Statistischen Bundesamtes zum {POPULATION_DATE} (nicht auf dem Zensus 2022, dessen Zahlen rund "
         "2 % niedriger liegen)."),
        ("Angaben aus dem Erhebungsbogen",
         "Die Tabellen 4 bis 8 beruhen auf den MINT-Regionen, deren Erhebungsbogen fehlerfrei geprüft und "
         "übernommen wurde (Tabelle 10)."),
        ("Porträts",
         "Jede im Erhebungsjahr gezählte MINT-Region erscheint mit den Angaben des Registers (Name, Art, "
         "Gründungsjahr, Land, Kreise). Träger, Internetseite, Partner und Angebote aus dem Erhebungsbogen "
         "erscheinen nur, wenn das Netzwerk der Veröffentlichung im Porträt zugestimmt hat (gefragt seit 2026)."),
        ("Geheimhaltung",
         "Ein Tabellenfeld mit Angaben aus dem Erhebungsbogen wird nicht veröffentlicht (Zeichen „.“), wenn es "
         f"auf weniger als {rule.min_networks} Netzwerken beruht oder – bei Beträgen und Summen (Budget, "
         f"Finanzierung, Personal, Teilnehmende) – ein einzelnes Netzwerk mehr als "
         f"{format_number(rule.dominance_percent, 0)} % des Wertes beiträgt (primäre Sperrung). Damit kein "
         "gesperrter Wert aus einer Summe errechnet werden kann, wird in jeder Summenzeile mit genau einem "
         "gesperrten Feld ein weiteres Feld gesperrt (sekundäre Sperrung). Zählungen aus dem öffentlichen "
         "Register und der Rücklauf werden nicht gesperrt."),
        ("Zeichenerklärung",
         "– = nichts vorhanden (genau null); 0 = weniger als die Hälfte von 1 in der letzten besetzten Stelle, "
         "jedoch mehr als nichts; . = Zahlenwert unbekannt oder geheim zu halten; x = Tabellenfach gesperrt, "
         "weil Aussage nicht sinnvoll."),
    ]


def sources(edition: Edition) -> list[str]:
    return [
        edition.source_line,
        "Kreise und Bevölkerung: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Gebietsstand "
        "31.12.2023, Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
        f"Karte: {BKG_CREDIT}, VG2500, Stand 31.12.2023, dl-de/by-2-0",
        "Länderschlüssel: XRepository, Codeliste Bundesland (Destatis), dl-de/zero-2-0",
    ]


# --- The English edition (publish --lang en) ---------------------------------------------------

POPULATION_DATE_EN = "2023-12-31"
PUBLISHER_EN = "Geschäftsstelle MINT-Regionen (office of the MINT regions network)"
LICENCE_EN = ("This publication is licensed under Creative Commons Attribution 4.0 International (CC BY 4.0). "
              "Copying and distribution, also in part, are permitted with acknowledgement of the source.")


def citation_en(edition: Edition) -> str:
    return (f"{PUBLISHER_EN} ({edition.stand.year}): MINT regions in Germany {edition.year}. "
            f"Results of the survey of MINT regions {edition.year}. As of {edition.stand.isoformat()}.")


def imprint_en(edition: Edition) -> list[tuple[str, str]]:
    return [
        ("Publisher", PUBLISHER_EN),
        ("Contact", "Geschäftsstelle MINT-Regionen, network of the MINT regions in Germany"),
        ("Published", edition.stand_line),
        ("Please cite as", citation_en(edition)),
        ("Licence", LICENCE_EN),
        ("Data", f"Tables as a workbook (MINT-Regionen_{edition.year}_Tables.xlsx) and as CSV files (folder "
                 "tabellen/) in the same publication."),
    ]


def method_notes_en(rule: Rule) -> list[tuple[str, str]]:
    return [
        ("Who is counted",
         "The basis is the register of MINT regions kept by the Geschäftsstelle. A network is counted in census "
         "year Y if it was admitted to the register in Y at the latest and did not end before Y. zdi networks "
         "(Nordrhein-Westfalen), MINT clusters (BMBF) and other regional networks are counted if they were "
         "admitted to the register by the criteria of a MINT region (a real network, a delimited area, common "
         "goals, a coordination office). Renamings are no new networks; in a merger the absorbed network ends "
         "and the continuing one is still counted. Numbers up to 2022 rest on the register alone, since 2023 "
         "also on the questionnaire."),
        ("Land", "A network counts in the Land where its coordination office is (register)."),
        ("Coverage and blank spots",
         "A district counts as covered in year Y if at least one network counted in Y covers it wholly or "
         "partly. What counts are the districts the network gave in the questionnaire of year Y; if it gave "
         "none (or before 2023), the districts in the register. Old district codes are assigned to today's "
         "district. Territorial status: 2023-12-31, 400 districts."),
        ("Population",
         "All numbers per inhabitant and of the population rest on the intercensal population update of the "
         f"Federal Statistical Office as of {POPULATION_DATE_EN} (not on the 2022 census, whose numbers are "
         "about 2 % lower)."),
        ("Answers from the questionnaire",
         "Tables 4 to 8 rest on the MINT regions whose questionnaire was checked without errors and accepted "
         "(Table 10)."),
        ("Portraits",
         "Every MINT region counted in the census year appears with the entries of the register (name, type, "
         "year of foundation, Land, districts). Host, website, partners and activities from the questionnaire "
         "appear only if the network agreed to publication in the portrait (asked since 2026)."),
        ("Confidentiality",
         "A table cell with answers from the questionnaire is not published (sign “.”) if it rests on fewer "
         f"than {rule.min_networks} networks or – for amounts and sums (budget, funding, staff, participants) – "
         f"a single network contributes more than {format_number(rule.dominance_percent, 0)} % of the value "
         "(primary suppression). So that no suppressed value can be derived from a sum, a further cell is "
         "suppressed in every sum row with exactly one suppressed cell (secondary suppression). Counts from "
         "the public register and the response are not suppressed."),
        ("Explanation of signs",
         "– = nil (exactly zero); 0 = less than half of the smallest unit shown, but more than nil; . = value "
         "unknown or confidential; x = cell blocked because a value would not be meaningful."),
    ]


def sources_en(edition: Edition) -> list[str]:
    return [
        edition.source_line,
        "Districts and population: Federal Statistical Office (Destatis), Gemeindeverzeichnis, territorial "
        "status 2023-12-31, Data licence Germany – attribution – version 2.0 (dl-de/by-2-0)",
        "Map: © GeoBasis-DE / BKG (2024) (data modified), VG2500, as of 2023-12-31, dl-de/by-2-0",
        "Land codes: XRepository, code list Bundesland (Destatis), dl-de/zero-2-0",
    ]
