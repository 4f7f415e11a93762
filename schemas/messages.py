"""German (coordinator) and English (staff log) wording of findings, from the declaration.

Every message names the sheet, the cell, the field label, what was found and what is
expected, the way a coordinator reads it: „Netzwerk!B9 – Gründungsjahr: gefunden
„2030“, erwartet: eine Jahreszahl, nicht später als das Erhebungsjahr 2025.“
"""

from __future__ import annotations

from typing import Any

from . import questionnaire as q
from .findings import ERROR, WARNING, Finding

PERSONAL_PLACEHOLDER = "(personenbezogene Angabe, nicht wiedergegeben)"


def de_number(x: float | int | None) -> str:
    """German number format: 1.234,5 (no trailing ,0 for whole numbers)."""
    if x is None:
        return ""
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", ".")
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def expected_text(spec: q.FieldSpec, year: int | None = None) -> str:
    """What a valid answer to the field looks like, in German."""
    kind = spec.kind
    unit = f" ({spec.unit})" if spec.unit else ""
    if kind in ("int", "decimal"):
        what = "eine ganze Zahl" if kind == "int" else "eine Zahl"
        if spec.min is not None and spec.max is not None:
            return f"{what} von {de_number(spec.min)} bis {de_number(spec.max)}{unit}"
        return what + unit
    if kind == "year":
        upper = f"nicht später als {year}" if year else f"bis {int(spec.max)}"
        return f"eine vierstellige Jahreszahl ab {int(spec.min)}, {upper}"
    if kind == "bool":
        return "„ja“ oder „nein“"
    if kind in ("choice", "land"):
        values = spec.allowed_values() or ()
        return "ein Wert aus der Auswahlliste: " + ", ".join(values)
    if kind == "multichoice":
        return "ein oder mehrere Werte, durch Semikolon getrennt, aus: " + "; ".join(spec.choices or ())
    if kind == "kreis":
        return "ein fünfstelliger amtlicher Kreisschlüssel, z. B. 05315"
    if kind == "network_id":
        return "die vorausgefüllte Netzwerk-ID, z. B. MR-012"
    if kind == "email":
        return "eine E-Mail-Adresse, z. B. name@beispiel.de"
    if kind == "url":
        return "eine Internetadresse, z. B. https://www.beispiel.de"
    if kind == "phone":
        return "eine Telefonnummer, z. B. 0221 123456"
    if spec.max_length:
        return f"ein Text mit höchstens {spec.max_length} Zeichen"
    return "ein Text"


# What went wrong, by finding code (German sentence start, English).
PROBLEMS = {
    "required": ("Pflichtangabe fehlt", "required value missing"),
    "not_a_number": ("keine Zahl", "not a number"),
    "not_an_integer": ("keine ganze Zahl", "not a whole number"),
    "not_yes_no": ("weder „ja“ noch „nein“", "not yes/no"),
    "too_long": ("Text zu lang", "text too long"),
    "out_of_range": ("Wert außerhalb des zulässigen Bereichs", "value out of range"),
    "not_allowed": ("Wert nicht in der Auswahlliste", "value not in the allowed list"),
    "bad_format": ("Format nicht erkannt", "format not recognised"),
    "founded_after_survey": ("Gründungsjahr liegt nach dem Erhebungsjahr", "founding year after survey year"),
    # interpretations (warnings)
    "number_as_text": ("als Text eingetragene Zahl wurde gelesen", "number stored as text was interpreted"),
    "dash_as_empty": ("Strich wurde als „keine Angabe“ gelesen", "dash read as empty"),
    "normalised": ("Schreibweise wurde angeglichen", "spelling normalised"),
    "leading_zero": ("führende Null ergänzt", "leading zero restored"),
    "trimmed": ("Leerzeichen entfernt", "surrounding spaces removed"),
    "date_as_year": ("Datum als Jahreszahl gelesen", "date read as year"),
    "date_as_text": ("Datum als Text übernommen", "date taken as text"),
    "kreis_from_name": ("Kreisschlüssel aus dem gewählten Kreisnamen übernommen", "Kreis code taken from the chosen name"),
}


def shown_value(spec: q.FieldSpec | None, value: Any) -> str | None:
    """The found value as it may appear in a report: never personal data."""
    if value is None:
        return None
    if spec is not None and spec.personal:
        return PERSONAL_PLACEHOLDER
    text = value if isinstance(value, str) else "; ".join(value) if isinstance(value, list) else de_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def cell_finding(severity: str, code: str, spec: q.FieldSpec, sheet: str, cell: str,
                 label: str, found: Any, year: int | None = None,
                 read_as: Any = None, detail_de: str | None = None) -> Finding:
    problem_de, problem_en = PROBLEMS.get(code, (code, code))
    found_text = shown_value(spec, found)
    expected = expected_text(spec, year)
    where = f"{sheet}!{cell} – {label}"
    if severity == WARNING:
        read_text = shown_value(spec, read_as)
        msg_de = (f"{where}: {problem_de}: eingetragen „{found_text}“, übernommen als "
                  f"„{read_text if read_text is not None else 'keine Angabe'}“. Bitte prüfen.")
        msg_en = f"{sheet}!{cell} {spec.key}: {problem_en}"
    else:
        found_part = f"gefunden „{found_text}“" if found_text is not None else "keine Angabe"
        msg_de = f"{where}: {problem_de} ({found_part}). Erwartet: {detail_de or expected}."
        msg_en = f"{sheet}!{cell} {spec.key}: {problem_en}"
    return Finding(severity, code, msg_de, msg_en, sheet=sheet, cell=cell, field_key=spec.key,
                   field_label=label, found=found_text,
                   expected=detail_de or expected)


def rule_finding(severity: str, code: str, text_de: str, text_en: str, spec: q.FieldSpec | None,
                 sheet: str | None, cell: str | None, label: str | None, found: Any = None,
                 expected: str | None = None) -> Finding:
    """A finding of a rule across fields, sheets or sources."""
    where = f"{sheet}!{cell} – {label}: " if sheet and cell and label else (f"{sheet}: " if sheet else "")
    return Finding(severity, code, where + text_de, text_en, sheet=sheet, cell=cell,
                   field_key=spec.key if spec else None, field_label=label,
                   found=shown_value(spec, found), expected=expected)


__all__ = ["ERROR", "WARNING", "cell_finding", "rule_finding", "expected_text", "de_number"]
