"""The message catalogue: every finding code with its German and English text, in one place.

A finding's code is stable (reports, meta.findings and tests key on it); its texts live
here and nowhere else. Keys are `code` or `code:variant` — a variant is another wording
of the same code (e.g. the ways a file can be too large, all `zip_bomb`). Texts are
`str.format` templates; `render(key, **values)` fills them.

Two kinds:
- CELL: a problem of one cell. The German text is the *start* of the standard sentence
  that schemas.messages.cell_finding builds: „<Blatt>!<Zelle> – <Feld>: <Text> (gefunden
  „…“). Erwartet: …“ (errors) or „…: <Text>: eingetragen „…“, übernommen als „…“. Bitte
  prüfen.“ (hints).
- SENTENCE: a whole German message (file-level problems, rules across cells, sheets,
  years and sources); the English text is the staff log line.

tests/test_catalogue.py checks that every code the code base can emit is here with both
texts, and that nothing here is unused.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

CELL, SENTENCE = "cell", "sentence"


@dataclass(frozen=True)
class Text:
    de: str
    en: str
    kind: str = SENTENCE

    @property
    def placeholders(self) -> set[str]:
        return {name for t in (self.de, self.en)
                for _, name, _, _ in string.Formatter().parse(t) if name}


def _cell(de: str, en: str) -> Text:
    return Text(de, en, CELL)


_SAVE_AS_XLSX = ("Bitte öffnen Sie die Datei in Excel, wählen Sie „Speichern unter“ → "
                 "„Excel-Arbeitsmappe (*.xlsx)“ und senden Sie den Erhebungsbogen erneut.")
_SEND_XLSX = "Bitte senden Sie den ausgefüllten Erhebungsbogen als Excel-Arbeitsmappe (.xlsx)."
_ZIP_BOMB = ("Die Datei wird aus Sicherheitsgründen nicht verarbeitet: {what}. Bitte prüfen "
             "Sie, ob der Erhebungsbogen unnötige Inhalte enthält (z. B. große Bilder oder sehr "
             "viele leere, aber formatierte Zeilen), speichern Sie ihn als Excel-Arbeitsmappe "
             "(.xlsx) neu und senden Sie ihn erneut. Falls das Problem bleibt, wenden Sie sich "
             "bitte an uns.")
_KREIS_STAND = "Gebietsstand 31.12.2023"


def _zip_bomb(what: str) -> Text:
    return Text(_ZIP_BOMB.replace("{what}", what), "zip bomb / size limit: {detail}")


CATALOGUE: dict[str, Text] = {
    # --- one cell: what the reader could not take as it stands (errors) -------------------
    "required": _cell("Pflichtangabe fehlt", "required value missing"),
    "not_a_number": _cell("keine Zahl", "not a number"),
    "not_an_integer": _cell("keine ganze Zahl", "not a whole number"),
    "not_yes_no": _cell("weder „ja“ noch „nein“", "not yes/no"),
    "too_long": _cell("Text zu lang", "text too long"),
    "out_of_range": _cell("Wert außerhalb des zulässigen Bereichs", "value out of range"),
    "not_allowed": _cell("Wert nicht in der Auswahlliste", "value not in the allowed list"),
    "not_allowed:item": _cell("„{item}“ steht nicht in der Auswahlliste", "{item!r} not in the allowed list"),
    "not_allowed:closest": _cell("„{item}“ steht nicht in der Auswahlliste – meinten Sie „{closest}“?",
                                 "{item!r} not in the allowed list (closest: {closest!r})"),
    "approximate": _cell("Ungefähre Angabe als Zahl übernommen", "approximate number read as a number"),
    "bad_format": _cell("Format nicht erkannt", "format not recognised"),
    "founded_after_survey": _cell("Gründungsjahr liegt nach dem Erhebungsjahr",
                                  "founding year after survey year"),
    # --- one cell: what the reader interpreted (hints) -------------------------------------
    "number_as_text": _cell("als Text eingetragene Zahl wurde gelesen", "number stored as text was interpreted"),
    "dash_as_empty": _cell("Strich wurde als „keine Angabe“ gelesen", "dash read as empty"),
    "normalised": _cell("Schreibweise wurde angeglichen", "spelling normalised"),
    "leading_zero": _cell("führende Null ergänzt", "leading zero restored"),
    "trimmed": _cell("Leerzeichen entfernt", "surrounding spaces removed"),
    "date_as_year": _cell("Datum als Jahreszahl gelesen", "date read as year"),
    "date_as_text": _cell("Datum als Text übernommen", "date taken as text"),
    "kreis_name_wins": _cell("Kreisschlüssel passt nicht zum gewählten Kreis „{name}“ – es gilt der "
                             "gewählte Kreis", "Kreis code disagrees with the chosen Kreis; the name wins"),

    # --- the file as a whole (sources.safety) ----------------------------------------------
    "not_a_file:link": Text("Verknüpfung – bitte die Datei selbst ablegen: „{name}“ ist eine Verknüpfung "
                            "(Symlink) und wird nicht gelesen.",
                            "{name}: a link (symlink), never followed; put the file itself into the inbox"),
    "not_a_file:folder": Text("Ordner – bitte die Datei selbst ablegen: „{name}“ ist ein Ordner, keine Datei, "
                              "und wird nicht gelesen.",
                              "{name}: a directory, not a file; not read"),
    "not_a_file:special": Text("Keine gewöhnliche Datei – bitte die Datei selbst ablegen: „{name}“ (z. B. eine "
                               "Pipe oder ein Gerät) wird nicht gelesen.",
                               "{name}: not a regular file (FIFO, socket or device); not read"),
    "empty_file": Text("Die Datei ist leer (0 Byte). Bitte speichern Sie den Erhebungsbogen in Excel "
                       "erneut und senden Sie ihn noch einmal.", "file is empty (0 bytes)"),
    "encrypted": Text("Die Datei ist mit einem Kennwort geschützt. Bitte speichern Sie den Erhebungsbogen "
                      "ohne Kennwort und senden Sie ihn erneut. (In Excel: „Datei“ → „Informationen“ → "
                      "„Arbeitsmappe schützen“ → „Mit Kennwort verschlüsseln“, Kennwort löschen, speichern.)",
                      "{detail}"),
    "corrupt_zip": Text("Die Datei ist beschädigt oder unvollständig (z. B. durch eine abgebrochene "
                        "Übertragung) und kann nicht gelesen werden. Bitte speichern Sie den "
                        "Erhebungsbogen in Excel erneut als Excel-Arbeitsmappe (.xlsx) und senden Sie "
                        "ihn noch einmal.", "corrupt zip: {detail}"),
    "zip_bomb:file_size": _zip_bomb("Sie ist {size} groß, erlaubt sind höchstens {limit}"),
    "zip_bomb:entries": _zip_bomb("Sie besteht aus {count} Teilen, erlaubt sind höchstens {limit}"),
    "zip_bomb:size_lie": _zip_bomb("Ein Bestandteil der Datei ist beim Entpacken größer, als das "
                                   "Inhaltsverzeichnis der Datei angibt"),
    "zip_bomb:entry_size": _zip_bomb("Ein Bestandteil wäre entpackt {size} groß, erlaubt sind "
                                     "höchstens {limit}"),
    "zip_bomb:total_size": _zip_bomb("Die Datei wäre entpackt mehr als {limit} groß"),
    "zip_bomb:ratio": _zip_bomb("Ein Bestandteil ist ungewöhnlich stark komprimiert (typisch für "
                                "eine sogenannte Zip-Bombe)"),
    "unreadable": Text("Die Datei konnte nicht gelesen werden. Bitte speichern Sie den Erhebungsbogen in "
                       "Excel erneut als Excel-Arbeitsmappe (.xlsx) und senden Sie ihn noch einmal. Falls "
                       "das Problem bleibt, wenden Sie sich bitte an uns.", "{detail}"),
    "unreadable:calamine": Text("Die Datei lässt sich nicht als Excel-Arbeitsmappe lesen. Bitte speichern "
                                "Sie den Erhebungsbogen in Excel oder LibreOffice erneut als .xlsx und "
                                "senden Sie ihn noch einmal.", "calamine cannot read the file: {detail}"),
    "unreadable:reader": Text("Beim Lesen der Datei ist ein Fehler aufgetreten. Bitte speichern Sie den "
                              "Erhebungsbogen erneut als .xlsx und senden Sie ihn noch einmal.",
                              "reader failed: {detail}"),
    "pdf": Text("Die Datei ist ein PDF-Dokument. Wir können nur den ausgefüllten Erhebungsbogen als "
                "Excel-Arbeitsmappe (.xlsx) verarbeiten. Bitte senden Sie die Excel-Datei statt des PDFs.",
                "file is a PDF document, not an xlsx workbook"),
    "not_xlsx": Text("Die Datei ist keine Excel-Arbeitsmappe (.xlsx), sondern {kind}. Bitte senden Sie "
                     "den ausgefüllten Erhebungsbogen als Excel-Arbeitsmappe (.xlsx); bitte nicht als CSV, "
                     "PDF, Bild oder Webseite exportieren.",
                     "file is not an xlsx workbook (not a zip): detected {kind_en}"),
    "legacy_xls": Text("Die Datei ist {kind}, keine Excel-Arbeitsmappe (.xlsx). " + _SAVE_AS_XLSX,
                       "OLE2 compound file ({kind_en}), not an xlsx workbook"),
    "ods": Text("Die Datei ist eine OpenDocument-Tabelle (.ods, z. B. aus LibreOffice oder OpenOffice), "
                "keine Excel-Arbeitsmappe (.xlsx). Bitte speichern Sie den Erhebungsbogen über „Speichern "
                "unter“ im Format „Excel 2007-365 (.xlsx)“ und senden Sie ihn erneut.",
                "OpenDocument spreadsheet (mimetype {mimetype}), not an xlsx workbook"),
    "macro": Text("Die Datei enthält Makros (VBA) oder ist als Arbeitsmappe mit Makros (.xlsm) "
                  "gespeichert. Aus Sicherheitsgründen nehmen wir keine Dateien mit Makros an "
                  "(Makros werden nie ausgeführt). Bitte speichern Sie den Erhebungsbogen über "
                  "„Speichern unter“ als „Excel-Arbeitsmappe (*.xlsx)“ (ohne Makros) und senden "
                  "Sie ihn erneut.", "macro content rejected (never executed): {detail}"),
    "xml_entities": Text("Die Datei enthält XML-Bestandteile mit DTD- oder Entity-Deklarationen, wie sie "
                         "Excel nicht erzeugt (möglicher Angriff, z. B. „XML-Bombe“). Sie wird aus "
                         "Sicherheitsgründen nicht verarbeitet. Bitte öffnen Sie den Erhebungsbogen in "
                         "Excel, speichern Sie ihn als „Excel-Arbeitsmappe (*.xlsx)“ und senden Sie ihn "
                         "erneut.", "XML DTD/entity declarations rejected: {detail}"),
    "not_a_workbook": Text("Die Datei ist {kind}, aber keine Excel-Arbeitsmappe (.xlsx): Ihr fehlt der "
                           "Arbeitsmappen-Teil „xl/workbook.xml“. " + _SEND_XLSX,
                           "valid zip ({kind_en}) without xl/workbook.xml"),
    "not_a_workbook:xlsb": Text("Die Datei ist {kind}, aber keine Excel-Arbeitsmappe (.xlsx): Ihr fehlt der "
                                "Arbeitsmappen-Teil „xl/workbook.xml“. " + _SAVE_AS_XLSX,
                                "valid zip ({kind_en}) without xl/workbook.xml"),
    "not_a_workbook:packed": Text("Die Datei ist {kind}, aber keine Excel-Arbeitsmappe (.xlsx): Ihr fehlt "
                                  "der Arbeitsmappen-Teil „xl/workbook.xml“. Bitte senden Sie die "
                                  "Excel-Datei selbst (ungepackt), nicht als ZIP-Archiv.",
                                  "valid zip ({kind_en}) without xl/workbook.xml"),

    # --- the template's structure (sources.workbook) ---------------------------------------
    "meta_missing": Text("Das versteckte Blatt „_meta“ fehlt. Bitte verwenden Sie den zugesandten "
                         "Erhebungsbogen und kopieren Sie Ihre Angaben dort hinein.",
                         "hidden meta sheet '_meta' is missing: not our template"),
    "unknown_version": Text("Die Vorlagenversion „{version}“ ist unbekannt. Bekannt sind: {known}. Bitte "
                            "verwenden Sie den Erhebungsbogen dieses Jahres.",
                            "unknown template version {version_en}"),
    "extra_sheet": Text("Das Blatt „{sheet}“ gehört nicht zum Erhebungsbogen und wird nicht ausgewertet.",
                        "extra sheet {sheet!r} ignored"),
    "sheet_missing": Text("Das Blatt „{sheet}“ fehlt. Bitte Blätter nicht löschen oder umbenennen.",
                          "sheet {sheet!r} missing"),
    "layout_changed": Text("In {sheet}!{cell} steht „{found}“, erwartet wird die Beschriftung „{label}“. "
                           "Bitte keine Zeilen oder Spalten einfügen, löschen oder verschieben.",
                           "{sheet}!{cell}: label {found!r} where {label!r} was expected"),
    "formula_uncached": Text("In {sheet}!{cell} ({label}) steht eine Formel ohne gespeichertes Ergebnis; die "
                             "Zelle wird deshalb als leer gelesen. Bitte die Datei in Excel oder LibreOffice "
                             "öffnen, neu berechnen lassen (F9) und speichern – oder den Wert direkt eintragen.",
                             "{sheet}!{cell}: formula without a cached result, read as empty"),
    "too_many_rows": Text("Das Blatt „{sheet}“ hat mehr als {limit} Zeilen. Bitte nur die Angaben des "
                          "Netzwerks eintragen und leere Zeilen löschen.",
                          "sheet {sheet!r} exceeds {limit} data rows"),

    # --- the file in its inbox (sources.batch) ---------------------------------------------
    "wrong_year": Text("Dieser Erhebungsbogen gehört zur Erhebung {found}, eingegangen ist er für die "
                       "Erhebung {year}. Bitte den Erhebungsbogen {year} verwenden.",
                       "workbook is for census year {found}, inbox is {year}"),
    "no_year": Text("Im Erhebungsbogen fehlt das Erhebungsjahr (Blatt „_meta“). Bitte den zugesandten "
                    "Erhebungsbogen verwenden.", "meta sheet has no census year"),
    "new_network": Text("Vielen Dank: Ihr Netzwerk „{name}“ ist neu in der Erhebung. Die Erhebungsstelle nimmt "
                        "es in das Verzeichnis der MINT-Regionen auf und vergibt eine Netzwerk-ID; danach werden "
                        "Ihre Angaben übernommen. Sie müssen dafür nichts weiter tun.",
                        "new network {name!r} (blank template, no Netzwerk-ID): add it to the register "
                        "(register add), then ingest again"),
    "superseded": Text("Für das Netzwerk {network_id} ist eine neuere Datei eingegangen („{newer}“); "
                       "diese Datei wird nicht ausgewertet.",
                       "older file for {network_id}; {newer!r} is used"),

    # --- rules across cells, sheets and sources (schemas.rules) ----------------------------
    "network_id_mismatch": Text("Die Netzwerk-ID „{found}“ passt nicht zu diesem Erhebungsbogen (ausgestellt "
                                "für „{meta_id}“). Bitte die vorausgefüllte ID nicht ändern.",
                                "network id {found!r} differs from the template's {meta_id!r}"),
    "network_name_other": Text("Der Netzwerkname „{found}“ gehört im Netzwerkverzeichnis zum Netzwerk {other_id}; "
                               "dieser Erhebungsbogen ist für {own_id} („{own_name}“) ausgestellt. Bitte füllen Sie "
                               "den Erhebungsbogen Ihres eigenen Netzwerks aus oder wenden Sie sich an die "
                               "Geschäftsstelle der Erhebung.",
                               "network name {found!r} belongs to {other_id} in the register; the workbook was "
                               "made for {own_id}"),
    "unknown_network": Text("Die Netzwerk-ID „{found}“ ist im Netzwerkverzeichnis nicht bekannt. Bitte "
                            "wenden Sie sich an die Geschäftsstelle der Erhebung.",
                            "network id {found!r} not in the register"),
    "no_kreis": Text("Es ist kein Kreis angegeben. Bitte mindestens einen Kreis oder eine kreisfreie "
                     "Stadt eintragen, in dem das Netzwerk aktiv ist.", "no Kreis given"),
    "unknown_kreis": Text("Den Kreisschlüssel „{found}“ gibt es nicht (" + _KREIS_STAND + ").",
                          "unknown Kreis code {found}"),
    "old_kreis": Text("Der Kreisschlüssel „{found}“ ist nicht mehr gültig; er wird als „{current}“ "
                      "(heutiger Kreis) geführt. Bitte künftig den neuen Schlüssel verwenden.",
                      "old Kreis code {found} mapped to {current}"),
    "duplicate_kreis": Text("Der Kreis „{current}“ ist mehrfach eingetragen (zuerst in {first}); er wird "
                            "einmal gezählt.", "Kreis {current} listed twice"),
    "land_mismatch": Text("Keiner der eingetragenen Kreise liegt in {found} (die Kreise liegen in: "
                          "{lands}). Bitte Bundesland oder Kreise prüfen.",
                          "no Kreis lies in the stated Land {land_code}"),
    "funding_vs_budget": Text("Die Summe der Finanzierungsquellen ({total} EUR) weicht um mehr als "
                              "{tolerance} % vom Jahresbudget ({budget} EUR) ab. Bitte prüfen.",
                              "funding sum {total_en} differs from budget {budget_en} by more than "
                              "{tolerance} %"),
    "staff_without_budget": Text("Es ist bezahltes Personal angegeben ({staff} VZÄ), aber ein Jahresbudget "
                                 "von 0 EUR. Bitte prüfen.", "paid staff but zero budget"),
    "founded_year_changed": Text("Das Gründungsjahr {now} weicht von der Angabe {when} ab ({before}). "
                                 "Bitte prüfen; ist die neue Angabe richtig, ist nichts weiter zu tun.",
                                 "founding year {now} differs from {before} reported for {then}"),
    "budget_jump": Text("Das Jahresbudget ({now} EUR) hat sich gegenüber der Angabe {when} ({before} EUR) "
                        "um mehr als das {factor}-Fache verändert. Bitte prüfen (z. B. Tausenderpunkt oder "
                        "Cent-Angabe).", "budget {now_en} vs {before_en} in {then}: more than x{factor}"),
    "partners_jump": Text("Die Zahl der Partner insgesamt ({now}) hat sich gegenüber der Angabe {when} "
                          "({before}) um mehr als das {factor}-Fache verändert; am stärksten bei „{type_label}“ "
                          "({key_before} → {key_now}). Bitte prüfen.",
                          "partners total {now} vs {before} in {then}: more than x{factor}"),

    # --- the register of networks (staff's file; line = line of the CSV or row of the sheet) -------
    "register_columns": Text("{where}: Es fehlen die Spalten {columns}. Erwartet werden die Spalten "
                             "{expected} (Kopfzeile in Zeile 1).", "{where}: missing columns {columns}"),
    "register_encoding": Text("{where}: Die Datei ist weder UTF-8, UTF-16 noch Windows-1252 (ANSI). Bitte in "
                              "Excel als „CSV UTF-8“ speichern.", "{where}: unknown text encoding"),
    "register_control": Text("{where} Zeile {line}, Spalte „{column}“: Steuerzeichen {char} im Text „{found}“. "
                             "Bitte das Zeichen löschen (oft ein unsichtbarer Zeilenumbruch aus einer "
                             "kopierten Zelle).", "{where} line {line}, {column}: control character {char}"),
    "register_value": Text("{where} Zeile {line}, Spalte „{column}“: „{found}“ ist nicht zulässig. Erwartet: "
                           "{expected}.", "{where} line {line}, {column}: {found!r} not allowed ({expected_en})"),
    "register_duplicate": Text("{where} Zeile {line}: Die Netzwerk-ID „{found}“ steht mehrfach im "
                               "Verzeichnis (zuerst in Zeile {first}).",
                               "{where} line {line}: duplicate network_id {found}"),
    "register_unknown_id": Text("{where} Zeile {line}: Die Netzwerk-ID „{found}“ steht nicht im "
                                "Netzwerkverzeichnis.", "{where} line {line}: network_id {found} not in the register"),
    "register_sequence": Text("{where} Zeile {line}: „{event}“ am {date} passt nicht zur Geschichte von "
                              "{network_id}: {why}.", "{where} line {line}: event {event_en} of {network_id} "
                              "out of sequence: {why_en}"),
    "register_no_admission": Text("{where}: Für {network_id} fehlt das Ereignis „aufgenommen“ (ab wann das "
                                  "Netzwerk gezählt wird).", "{where}: {network_id} has no admitted event"),
}

SEVERITY_TEXT = {"error": ("Fehler", "error"), "warning": ("Hinweis", "warning")}


def code_of(key: str) -> str:
    """The finding code of a catalogue key (`zip_bomb:ratio` → `zip_bomb`)."""
    return key.split(":", 1)[0]


def codes() -> set[str]:
    return {code_of(k) for k in CATALOGUE}


def text(key: str) -> Text:
    """The catalogue entry of `key`; KeyError names the missing key."""
    try:
        return CATALOGUE[key]
    except KeyError:
        raise KeyError(f"finding {key!r} is not in schemas/catalogue.py") from None


def render(key: str, **values) -> tuple[str, str]:
    """(German, English) text of a catalogue key, filled with `values`."""
    entry = text(key)
    return entry.de.format(**values), entry.en.format(**values)
