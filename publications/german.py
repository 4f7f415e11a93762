"""Everything the reader sees in German: fixed texts, number and date formatting.

The publication workbook stores real numbers and lets Excel apply the locale separators;
the functions here format numbers for places where we write the text ourselves (headline,
figure labels, column-width estimates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .english import english, t

SOURCE = "Quelle: Erhebung MINT-Regionen {year}, eigene Berechnungen"
FICTITIOUS = "Beispieldaten – fiktive Zahlen, keine amtlichen Angaben"
STAND = "Stand: {date}"
# Sign for a value that is missing (German official statistics: "Zahlenwert unbekannt oder
# geheim zu halten"); disclosure control will use the same sign later.
MISSING = "."
MISSING_LEGEND = ". = Zahlenwert unbekannt oder geheim zu halten"


def format_number(value: int | float | Decimal, decimals: int = 0) -> str:
    """Format a number the German way: ``1234.5`` -> ``"1.234,5"`` (in the English edition,
    see ``publications.english``, the English way: ``"1,234.5"``)."""
    text = f"{value:,.{decimals}f}"
    if english():
        return text
    # Swap the English separators via a placeholder: "," -> ".", "." -> ",".
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_date(day: dt.date) -> str:
    """Format a date the German way: ``2024-12-31`` -> ``"31.12.2024"`` (English edition: ISO)."""
    if english():
        return day.isoformat()
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


@dataclass(frozen=True)
class Edition:
    """One edition of the publication: the census year, its reference date, and whether
    the numbers are fictitious (demo census)."""

    year: int
    stand: dt.date
    fictitious: bool = False

    @property
    def source_line(self) -> str:
        return t(SOURCE).format(year=self.year)

    @property
    def stand_line(self) -> str:
        return t(STAND).format(date=format_date(self.stand))

    @property
    def fictitious_note(self) -> str | None:
        """The warning every output carries when the numbers are invented, else None."""
        return t(FICTITIOUS) if self.fictitious else None
POPULATION_DATE = "31.12.2023"  # population basis of per-capita figures (ref.kreise.population)
