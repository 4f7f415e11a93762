"""Turning what coordinators type into typed values, never guessing silently.

`parse(spec, raw)` returns a `Parsed` with one of three outcomes:
- ok: the cell held the expected type (or was empty);
- interpreted: the value was safely understood but not typed as expected
  ("12,5" in a number cell, "1.500,50 €", " 7 ", 5315 for Kreis 05315); it is used,
  and reported as a warning with what was read;
- invalid: it cannot be understood without a human ("ca. 20", "zwölf"); an error.

Rules for numbers (German conventions, documented in docs/method.md, "Reading what coordinators type"):
a comma is the decimal separator; a dot followed by groups of exactly three digits
is a thousands separator ("1.500" is 1500); otherwise a single dot is a decimal point
("12.5" is 12.5, reported); spaces, non-breaking spaces, "€" and "EUR" are dropped.
A lone dash ("-", "–", "—") means "nothing" and is read as empty (reported).
Allowed values match case- and space-insensitively (reported when not exact).
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

OK, INTERPRETED, INVALID = "ok", "interpreted", "invalid"
LARGEST_NUMBER = 2.0 ** 53   # beyond this no count or amount makes sense (and int64 casts would overflow)
DASHES = {"-", "–", "—", "./.", "/"}
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA_EN = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")
_APPROX = re.compile(r"^(ca\.?|circa|etwa|ungefähr|rund|~)\s*", re.IGNORECASE)
_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")


@dataclass(frozen=True)
class Parsed:
    value: Any
    status: str = OK
    code: str | None = None     # finding code (catalogue key) for interpreted / invalid
    shown: str | None = None    # the raw value as text, for messages
    values: dict | None = None  # placeholders of the catalogue text (e.g. the wrong item)


def raw_text(raw: Any) -> str:
    """A raw cell value as a coordinator would read it."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "WAHR" if raw else "FALSCH"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.strftime("%d.%m.%Y %H:%M") if raw.time() != time(0) else raw.strftime("%d.%m.%Y")
    if isinstance(raw, date):
        return raw.strftime("%d.%m.%Y")
    return str(raw)


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _german_number(text: str) -> float | None:
    t = text.replace("\u00a0", "").replace(" ", "").replace("€", "").replace("EUR", "").replace("Euro", "")
    if not t:
        return None
    if _THOUSANDS_DOT.match(t):
        return float(t.replace(".", "").replace(",", "."))
    if _THOUSANDS_COMMA_EN.match(t):
        return float(t.replace(",", ""))
    if _PLAIN.match(t):
        return float(t.replace(",", "."))
    return None


def parse(spec: q.FieldSpec, raw: Any) -> Parsed:
    if isinstance(raw, str):
        raw = unicodedata.normalize("NFC", raw)   # macOS may save decomposed umlauts (NFD)
    shown = raw_text(raw)
    if is_empty(raw):
        return Parsed(None)
    if isinstance(raw, str) and raw.strip() in DASHES:
        return Parsed(None, INTERPRETED, "dash_as_empty", shown)
    kind = spec.kind
    if kind in ("int", "year", "decimal"):
        return _parse_number(spec, raw, shown)
    if kind == "bool":
        return _parse_bool(raw, shown)
    if kind in ("choice", "land"):
        return _parse_choice(spec, raw, shown)
    if kind == "multichoice":
        return _parse_multi(spec, raw, shown)
    if kind == "kreis":
        return _parse_kreis(raw, shown)
    # text-like kinds
    if isinstance(raw, (datetime, date)):
        return Parsed(shown, INTERPRETED, "date_as_text", shown)
    text = shown.strip()
    if spec.max_length and len(text) > spec.max_length:
        return Parsed(None, INVALID, "too_long", shown[:60] + "…")
    return Parsed(text, OK if text == shown else INTERPRETED, None if text == shown else "trimmed", shown)


def _parse_number(spec, raw, shown) -> Parsed:
    whole = spec.kind in ("int", "year")
    if isinstance(raw, bool):
        return Parsed(None, INVALID, "not_a_number", shown)
    if isinstance(raw, (datetime, date)):
        if spec.kind == "year":
            return Parsed(raw.year, INTERPRETED, "date_as_year", shown)
        return Parsed(None, INVALID, "not_a_number", shown)
    if isinstance(raw, (int, float)):
        number, status = float(raw), OK
    else:
        text = str(raw).strip()
        approx = _APPROX.match(text) if spec.approximate else None
        number = _german_number(text[approx.end():] if approx else text)
        if number is not None and approx:
            if not math.isfinite(number) or abs(number) >= LARGEST_NUMBER or (whole and not number.is_integer()):
                return Parsed(None, INVALID, "not_an_integer" if whole else "not_a_number", shown)
            return Parsed(int(number) if whole else number, INTERPRETED, "approximate", shown)
        if number is None:
            return Parsed(None, INVALID, "not_an_integer" if whole else "not_a_number", shown)
        status = INTERPRETED
    if not math.isfinite(number):
        return Parsed(None, INVALID, "not_an_integer" if whole else "not_a_number", shown)
    if abs(number) >= LARGEST_NUMBER:
        return Parsed(None, INVALID, "out_of_range", shown)
    if whole:
        if not number.is_integer():
            return Parsed(None, INVALID, "not_an_integer", shown)
        value: Any = int(number)
    else:
        value = number
    return Parsed(value, status, "number_as_text" if status == INTERPRETED else None, shown)


def _parse_bool(raw, shown) -> Parsed:
    if isinstance(raw, bool):
        return Parsed(raw)
    key = shown.strip().casefold()
    if key in (voc.YES, voc.NO):
        return Parsed(key == voc.YES, OK if shown == key else INTERPRETED,
                      None if shown == key else "normalised", shown)
    if key in voc.BOOL_TEXT:
        return Parsed(voc.BOOL_TEXT[key], INTERPRETED, "normalised", shown)
    return Parsed(None, INVALID, "not_yes_no", shown)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _match_choice(spec, text: str) -> str | None:
    if spec.kind == "land":
        return voc.LAND_BY_TEXT.get(_norm(text))
    for choice in spec.choices or ():
        if _norm(choice) == _norm(text):
            return choice
    return None


def _not_allowed(spec, item: str, shown: str) -> Parsed:
    """A value not in the list: name the wrong item and, if one is close, the allowed value meant."""
    choices = list(spec.allowed_values() or ())
    by_norm = {_norm(c): c for c in choices}
    close = difflib.get_close_matches(_norm(item), list(by_norm), n=1, cutoff=0.5)
    if close:
        return Parsed(None, INVALID, "not_allowed:closest", shown, {"item": item, "closest": by_norm[close[0]]})
    return Parsed(None, INVALID, "not_allowed:item", shown, {"item": item})


def _parse_choice(spec, raw, shown) -> Parsed:
    text = shown.strip()
    match = _match_choice(spec, text)
    if match is None:
        return _not_allowed(spec, text, shown) if spec.kind == "choice" else Parsed(text, OK, None, shown)
    exact = match == shown or (spec.kind == "land" and voc.LAND_NAME.get(match) == shown)
    return Parsed(match, OK if exact else INTERPRETED, None if exact else "normalised", shown)


def _parse_multi(spec, raw, shown) -> Parsed:
    """Choices separated by ";" (or "," or a line break), in any order, with any spacing: read as
    the set of values (in the vocabulary's order). A hint only when a value's spelling was changed;
    an item not in the list is an error naming it."""
    parts = [p.strip() for p in re.split(r"[;\n,]", shown) if p.strip()]
    values, changed = [], False
    for part in parts:
        match = _match_choice(spec, part)
        if match is None:
            return _not_allowed(spec, part, shown)
        values.append(match)
        changed |= match != part
    order = {c: i for i, c in enumerate(spec.choices or ())}
    unique = sorted(set(values), key=lambda v: (order.get(v, len(order)), v))
    return Parsed(unique, INTERPRETED if changed else OK, "normalised" if changed else None, shown)


def _parse_kreis(raw, shown) -> Parsed:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        code = f"{int(raw):05d}"
        if len(code) == 5:
            return Parsed(code, OK if shown == code else INTERPRETED,
                          None if shown == code else "leading_zero", shown)
        return Parsed(shown, OK, None, shown)
    text = shown.strip()
    if text.isdigit() and len(text) == 4:
        return Parsed("0" + text, INTERPRETED, "leading_zero", shown)
    return Parsed(text, OK if text == shown else INTERPRETED, None if text == shown else "trimmed", shown)
