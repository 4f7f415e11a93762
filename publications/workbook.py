"""The formatted publication workbook: a contents sheet, then one sheet per table.

Layout of a table sheet (rows from the top):
    title ("Tabelle 1: …"), optional subtitle, optional "Beispieldaten" warning, blank,
    column headers, units, data rows (frozen below the units), blank,
    footnotes, source line, "Stand: …".
Cells hold real numbers with Excel number formats; every text goes through ``neutralise``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from mint_census.schemas.formulas import neutralise

from .files import atomic_path
from .german import MISSING, MISSING_LEGEND, Edition, format_number
from .tables import FilledTable

CONTENTS_SHEET = "Inhalt"

TITLE_FONT = Font(bold=True, size=12)
BOLD = Font(bold=True)
WARNING_FONT = Font(bold=True, color="C00000")
NOTE_FONT = Font(size=9)
UNIT_FONT = Font(italic=True, size=9)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIN_WIDTH, MAX_WIDTH = 8, 60


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def clean_text(value: Any) -> str:
    """Text for a cell: without characters xlsx cannot store, neutralised against formulas."""
    return str(neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value))))


def put_text(ws: Worksheet, row: int, column: int, value: Any, font: Font | None = None):
    """Write a text cell (always as a string, never as a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = clean_text(value)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def display_width(value: Any, number_format: str) -> int:
    """Rough width in characters of a value as Excel will show it."""
    if value is None:
        return len(MISSING)
    if is_number(value) and not (isinstance(value, float) and math.isnan(value)):
        if number_format == "0":
            return len(str(value))
        return len(format_number(value, 1 if number_format.endswith(".0") else 0))
    return len(str(value))


def write_footer(ws: Worksheet, row: int, edition: Edition, notes: tuple[str, ...] = ()) -> int:
    """Write footnotes, source line and "Stand"; return the next free row."""
    for note in notes:
        put_text(ws, row, 1, note, NOTE_FONT)
        row += 1
    put_text(ws, row, 1, edition.source_line, NOTE_FONT)
    put_text(ws, row + 1, 1, edition.stand_line, NOTE_FONT)
    return row + 2


def write_heading(ws: Worksheet, title: str, edition: Edition, subtitle: str | None) -> int:
    """Write title, subtitle and the fictitious-data warning; return the next free row."""
    put_text(ws, 1, 1, title, TITLE_FONT)
    row = 2
    if subtitle:
        put_text(ws, row, 1, subtitle, BOLD)
        row += 1
    if edition.fictitious_note:
        put_text(ws, row, 1, edition.fictitious_note, WARNING_FONT)
        row += 1
    return row + 1  # one blank row


def write_table_sheet(ws: Worksheet, filled: FilledTable, edition: Edition) -> None:
    columns = filled.table.visible
    row = write_heading(ws, f"{filled.label}: {filled.title}", edition, filled.subtitle)

    # Column headers and, below them, the units; both filled and frozen.
    header_row, unit_row = row, row + 1
    for index, column in enumerate(columns, start=1):
        for r, text, font in ((header_row, column.header, BOLD), (unit_row, column.unit, UNIT_FONT)):
            cell = put_text(ws, r, index, text, font)
            cell.fill = HEADER_FILL
            cell.alignment = HEADER_ALIGNMENT
        ws.cell(row=unit_row, column=index).border = Border(bottom=THIN)
    first_data_row = unit_row + 1
    ws.freeze_panes = ws.cell(row=first_data_row, column=1)
    ws.print_title_rows = f"{header_row}:{unit_row}"

    widths = [len(column.header) for column in columns]
    row = first_data_row
    for record in filled.published.records():
        total = bool(filled.table.is_total and filled.table.is_total(record))
        for index, column in enumerate(columns, start=1):
            value = record[column.key]
            if isinstance(value, float) and math.isnan(value):
                value = None
            if is_number(value) and not column.is_text:
                cell = ws.cell(row=row, column=index, value=value)
                cell.number_format = column.number_format
            elif value is None and not column.is_text:
                cell = put_text(ws, row, index, MISSING)
                cell.alignment = Alignment(horizontal="right")
            else:
                cell = put_text(ws, row, index, "" if value is None else value)
                cell.number_format = "@"
            if total:
                cell.font = BOLD
                cell.border = Border(top=THIN)
            widths[index - 1] = max(widths[index - 1], display_width(value, column.number_format))
        row += 1

    write_footer(ws, row + 1, edition, filled.footnotes)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def write_contents_sheet(ws: Worksheet, tables: list[FilledTable], edition: Edition) -> None:
    row = write_heading(ws, f"Erhebung MINT-Regionen {edition.year}: Tabellen", edition, None)
    for index, header in enumerate(("Tabelle", "Titel"), start=1):
        cell = put_text(ws, row, index, header, BOLD)
        cell.fill = HEADER_FILL
    row += 1
    for filled in tables:
        cell = put_text(ws, row, 1, filled.label)
        # Internal link to the table's sheet.
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{filled.label}'!A1")
        cell.style = "Hyperlink"
        put_text(ws, row, 2, filled.title)
        row += 1
    row += 1
    put_text(ws, row, 1, "Zeichenerklärung", BOLD)
    put_text(ws, row + 1, 1, MISSING_LEGEND, NOTE_FONT)
    write_footer(ws, row + 3, edition)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = min(MAX_WIDTH * 2, max([len(t.title) for t in tables] + [20]) + 2)


def write_workbook(path: Path, tables: list[FilledTable], edition: Edition) -> Path:
    """Write the publication workbook to ``path`` (atomically) and return ``path``."""
    workbook = Workbook()
    contents = workbook.active
    contents.title = CONTENTS_SHEET
    write_contents_sheet(contents, tables, edition)
    for filled in tables:
        write_table_sheet(workbook.create_sheet(filled.label), filled, edition)

    workbook.properties.creator = "mint-census"
    workbook.properties.title = f"MINT-Regionen {edition.year}: Tabellen"
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path
