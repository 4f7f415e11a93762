"""The official table signs (Zeichenerklärung of German official statistics), decided per cell.

    –   nichts vorhanden (genau null)
    0   weniger als die Hälfte von 1 in der letzten besetzten Stelle, jedoch mehr als nichts
    .   Zahlenwert unbekannt oder geheim zu halten
    x   Tabellenfach gesperrt, weil Aussage nicht sinnvoll

The decision follows the table's declaration, never a guess from the printed text:

1. a cell suppressed by disclosure control (``publications.sdc``) is ".";
2. an empty cell that the table declares as not sensible (``Table.blocked``) is "x";
3. an empty cell of a row that rests on no network at all (the table's ``count`` column is 0)
   is "–" (there is nothing to describe);
4. any other empty cell is "." (unknown);
5. an exact zero is "–", except a percentage of a row that rests on at least one network,
   which was rounded to zero: that prints as "0,0" (the sign "0").

Only the signs of empty cells reach the CSV (``signs`` column); zeros stay numbers there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .english import english as in_english

NOTHING = "–"
SECRET = "."
UNKNOWN = "."
BLOCKED = "x"
LESS_THAN_HALF = "0"

LEGEND = {
    NOTHING: "– = nichts vorhanden (genau null)",
    LESS_THAN_HALF: "0 = weniger als die Hälfte von 1 in der letzten besetzten Stelle, jedoch mehr als nichts",
    SECRET: ". = Zahlenwert unbekannt oder geheim zu halten",
    BLOCKED: "x = Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
}
LEGEND_EN = {
    NOTHING: "– = nil (exactly zero)",
    LESS_THAN_HALF: "0 = less than half of the smallest unit shown, but more than nil",
    SECRET: ". = value unknown or confidential",
    BLOCKED: "x = cell blocked because a value would not be meaningful",
}
ORDER = (NOTHING, LESS_THAN_HALF, SECRET, BLOCKED)


@dataclass(frozen=True)
class Blocked:
    """Cells that are "x" (not sensible): ``columns`` of every row for which ``when(row)`` holds."""

    columns: tuple[str, ...]
    when: Callable[[dict[str, Any]], bool] = lambda row: True
    why: str = ""  # English note for developers


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def sign_of(value: Any, key: str, record: dict[str, Any], *, is_text: bool, is_percent: bool,
            secret: bool, blocked: tuple[Blocked, ...], count: str | None) -> str | None:
    """The sign a numeric cell prints as, or None when it prints its number."""
    if is_text:
        return None
    if secret:
        return SECRET
    rests_on = record.get(count) if count else None
    if is_empty(value):
        if any(key in b.columns and b.when(record) for b in blocked):
            return BLOCKED
        if count and rests_on == 0:
            return NOTHING
        return UNKNOWN
    if value == 0:
        if is_percent and rests_on:
            return None  # rounded to zero: prints "0,0"
        return NOTHING
    return None


def legend(signs_used: set[str], english: bool = False) -> tuple[str, ...]:
    """The legend lines for the signs a table uses, in the official order."""
    texts = LEGEND_EN if english or in_english() else LEGEND
    return tuple(texts[s] for s in ORDER if s in signs_used)
