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
