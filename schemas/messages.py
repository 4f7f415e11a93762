"""German (coordinator) and English (staff log) wording of findings, from the declaration.

Every message names the sheet, the cell, the field label, what was found and what is
expected, the way a coordinator reads it: „Netzwerk!B9 – Gründungsjahr: gefunden
„2030“, erwartet: eine Jahreszahl, nicht später als das Erhebungsjahr 2025.“
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from . import questionnaire as q
from .catalogue import CELL, code_of, render, text
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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without control characters (each shown as �): safe in a workbook, a mail and a console.

    Also NFC-normalised, so that what a report quotes looks and compares as what was typed."""
    return _CONTROL.sub("\ufffd", unicodedata.normalize("NFC", text))


def count_de(n: int, one: str, many: str) -> str:
    """A German count with its noun: "1 Hinweis", "2 Hinweise", "0 Hinweise"."""
    return f"{n} {one if n == 1 else many}"


def shown_value(spec: q.FieldSpec | None, value: Any) -> str | None:
    """The found value as it may appear in a report: never personal data."""
    if value is None:
        return None
    if spec is not None and spec.personal:
        return PERSONAL_PLACEHOLDER
    text = value if isinstance(value, str) else "; ".join(value) if isinstance(value, list) else de_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    text = printable(text)
    return text if len(text) <= 80 else text[:77] + "…"


def cell_finding(severity: str, code: str, spec: q.FieldSpec, sheet: str, cell: str,
                 label: str, found: Any, year: int | None = None,
                 read_as: Any = None, detail_de: str | None = None,
                 values: dict[str, Any] | None = None) -> Finding:
    """A problem of one cell, worded from the catalogue (a CELL text) and the declaration.

    `values` fill the placeholders of the catalogue text (e.g. the Kreis name it quotes)."""
    entry = text(code)
    assert entry.kind == CELL, f"{code} is not a cell finding"
    values = {k: printable(v) if isinstance(v, str) else v for k, v in (values or {}).items()}
    problem_de, problem_en = entry.de.format(**values), entry.en.format(**values)
    found_text = shown_value(spec, found)
    expected = expected_text(spec, year)
    where = f"{sheet}!{cell} – {label}"
    if severity == WARNING:
        read_text = shown_value(spec, read_as)
        typed = f"eingetragen „{found_text}“" if found_text is not None else "nichts eingetragen"
        msg_de = (f"{where}: {problem_de}: {typed}, übernommen als "
                  f"„{read_text if read_text is not None else 'keine Angabe'}“. Bitte prüfen.")
        msg_en = f"{sheet}!{cell} {spec.key}: {problem_en}"
    else:
        found_part = f"gefunden „{found_text}“" if found_text is not None else "keine Angabe"
        msg_de = f"{where}: {problem_de} ({found_part}). Erwartet: {detail_de or expected}."
        msg_en = f"{sheet}!{cell} {spec.key}: {problem_en}"
    return Finding(severity, code_of(code), msg_de, msg_en, sheet=sheet, cell=cell, field_key=spec.key,
                   field_label=label, found=found_text,
                   expected=detail_de or expected)


def rule_finding(severity: str, key: str, *, spec: q.FieldSpec | None = None, sheet: str | None = None,
                 cell: str | None = None, label: str | None = None, found: Any = None,
                 expected: str | None = None, **values) -> Finding:
    """A finding of a rule across fields, sheets, years or sources (a SENTENCE text).

    `values` fill the catalogue text of `key`; `found` is shown as the value found (never
    personal data) and is also available to the text as {found}.
    """
    shown = shown_value(spec, found)
    values = {k: printable(v) if isinstance(v, str) else v for k, v in values.items()}
    de, en = render(key, found=shown, **values)
    where = f"{sheet}!{cell} – {label}: " if sheet and cell and label else (f"{sheet}: " if sheet else "")
    return Finding(severity, code_of(key), where + de, en, sheet=sheet, cell=cell,
                   field_key=spec.key if spec else None, field_label=label,
                   found=shown, expected=expected)


def file_finding(key: str, *, severity: str = ERROR, sheet: str | None = None, cell: str | None = None,
                 found: str | None = None, expected: str | None = None, field_key: str | None = None,
                 field_label: str | None = None, **values) -> Finding:
    """A finding about the file or its structure, worded from the catalogue (never personal data).

    The text may use {sheet}, {cell} and {found} besides `values`."""
    found = printable(found) if isinstance(found, str) else found
    values = {k: printable(v) if isinstance(v, str) else v for k, v in values.items()}
    de, en = render(key, sheet=sheet, cell=cell, found=found, **values)
    return Finding(severity, code_of(key), de, en, sheet=sheet, cell=cell, field_key=field_key,
                   field_label=field_label, found=found, expected=expected)


__all__ = ["ERROR", "WARNING", "cell_finding", "rule_finding", "file_finding", "expected_text", "de_number"]
