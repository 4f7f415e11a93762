"""Text that must never become a formula in a spreadsheet or CSV file.

Spreadsheet programs treat a cell (or a CSV field) that starts with ``=``, ``+``, ``-`` or
``@`` as a formula, and some also strip a leading tab or carriage return before deciding
(CSV / formula injection, see OWASP "CSV Injection"). Every text value that the project
writes into a workbook or a CSV file from user input goes through :func:`neutralise`.
"""

from __future__ import annotations

# Characters that make a spreadsheet read a text as a formula. The full-width variants are
# included because some Excel input locales convert them to their ASCII counterparts.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value: object) -> object:
    """Return ``value`` so that it cannot be read as a formula.

    Text that starts with a formula character is prefixed with a single quote ``'``. Anything
    that is not text (numbers, including negative numbers, ``None``, dates) is returned
    unchanged: numbers stay numbers.
    """
    if looks_like_formula(value):
        return "'" + value
    return value
