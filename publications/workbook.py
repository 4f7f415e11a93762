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
from .german import MISSING, Edition, format_number
from .english import english, t
from .signs import LEGEND, LEGEND_EN, NOTHING, ORDER
from .queries import QueryResult
from .tables import FilledTable

CONTENTS_SHEET = "Inhalt"
PORTRAITS_SHEET = "Porträts"
METHOD_SHEET = "Methodik"
BACK_LINK = "zurück zum Inhalt"

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
    signs = filled.signs or {}
    for i, record in enumerate(filled.published.records()):
        total = bool(filled.table.is_total and filled.table.is_total(record))
        for index, column in enumerate(columns, start=1):
            value = record[column.key]
            if isinstance(value, float) and math.isnan(value):
                value = None
            sign = signs.get((i, column.key))
            if is_number(value) and not column.is_text:
                cell = ws.cell(row=row, column=index, value=value)
                # A true zero keeps its number and shows "–" (third section of the format).
                fmt = column.number_format
                cell.number_format = f'{fmt};-{fmt};"{NOTHING}"' if sign == NOTHING else fmt
            elif value is None and not column.is_text:
                cell = put_text(ws, row, index, sign or MISSING)
                cell.alignment = Alignment(horizontal="right")
            else:
                cell = put_text(ws, row, index, "" if value is None else value)
                cell.number_format = "@"
            if total:
                cell.font = BOLD
                cell.border = Border(top=THIN)
            widths[index - 1] = max(widths[index - 1], display_width(value, column.number_format))
        row += 1

    end = write_footer(ws, row + 1, edition, filled.footnotes + filled.legend)
    back_link(ws, end)
    print_setup(ws, landscape=len(columns) > 5, pages_tall=2)  # every table on at most 2 pages
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def write_contents_sheet(ws: Worksheet, tables: list[FilledTable], edition: Edition,
                         extra: list[str] = ()) -> None:
    row = write_heading(ws, t("Erhebung MINT-Regionen {year}: Tabellen").format(year=edition.year), edition, None)
    for index, header in enumerate((t("Tabelle"), t("Titel")), start=1):
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
    for sheet in extra:
        cell = put_text(ws, row, 1, sheet)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1")
        cell.style = "Hyperlink"
        put_text(ws, row, 2, t("Die MINT-Regionen im Porträt") if sheet == t(PORTRAITS_SHEET)
                 else t("Methodische Hinweise"))
        row += 1
    row += 1
    put_text(ws, row, 1, t("Zeichenerklärung"), BOLD)
    for offset, sign in enumerate(ORDER, start=1):
        put_text(ws, row + offset, 1, (LEGEND_EN if english() else LEGEND)[sign], NOTE_FONT)
    write_footer(ws, row + len(ORDER) + 2, edition)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = min(MAX_WIDTH * 2, max([len(t.title) for t in tables] + [20]) + 2)


def back_link(ws: Worksheet, row: int) -> None:
    cell = put_text(ws, row, 1, t(BACK_LINK))
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{t(CONTENTS_SHEET)}'!A1")
    cell.style = "Hyperlink"


def print_setup(ws: Worksheet, landscape: bool = False, pages_tall: int = 0) -> None:
    """A4, fit to one page wide (and at most ``pages_tall`` pages tall, 0 = as many as needed), page
    numbers in the footer (header rows repeat where set)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_tall
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = t("Seite &P von &N")


PORTRAIT_COLUMNS = (
    ("land_name", "Bundesland", 18), ("network_id", "Netzwerk-ID", 11), ("network_name", "Name", 40),
    ("network_type", "Art", 16), ("founded_year", "Gründungsjahr", 10), ("kreise", "Kreise", 40),
    ("host_type", "Träger", 22), ("website", "Internetseite", 30), ("partners_total", "Partner", 9),
    ("offers", "Angebote", 9),
)


def write_portraits_sheet(ws: Worksheet, portraits: QueryResult, edition: Edition) -> None:
    row = write_heading(ws, t("Die MINT-Regionen im Porträt {year}").format(year=edition.year), edition,
                        t("{n} MINT-Regionen, nach Ländern").format(n=len(portraits.rows)))
    for index, (_, header, width) in enumerate(PORTRAIT_COLUMNS, start=1):
        cell = put_text(ws, row, index, t(header), BOLD)
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.print_title_rows = f"{row}:{row}"
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    for record in portraits.records():
        row += 1
        for index, (key, _, _) in enumerate(PORTRAIT_COLUMNS, start=1):
            value = record.get(key)
            if is_number(value):
                ws.cell(row=row, column=index, value=value).number_format = "0" if key == "founded_year" else "#,##0"
            elif value is not None:
                put_text(ws, row, index, value).alignment = Alignment(wrap_text=True, vertical="top")
    notes = (t("Träger, Internetseite, Partner und Angebote aus dem Erhebungsbogen nur, wenn das Netzwerk der "
               "Veröffentlichung im Porträt zugestimmt hat; sonst leer (nur Angaben des Registers)."),)
    back_link(ws, write_footer(ws, row + 2, edition, notes))
    print_setup(ws, landscape=True)


def write_method_sheet(ws: Worksheet, notes: list[tuple[str, str]], edition: Edition) -> None:
    row = write_heading(ws, t("Methodische Hinweise zur Erhebung MINT-Regionen {year}").format(year=edition.year),
                        edition, None)
    ws.column_dimensions["A"].width = 110
    for title, text in notes:
        put_text(ws, row, 1, title, BOLD)
        cell = put_text(ws, row + 1, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row + 1].height = 13 * (len(text) // 105 + 1)
        row += 3
    back_link(ws, write_footer(ws, row, edition))
    print_setup(ws)


def write_workbook(path: Path, tables: list[FilledTable], edition: Edition,
                   portraits: QueryResult | None = None, method: list[tuple[str, str]] | None = None) -> Path:
    """Write the publication workbook to ``path`` (atomically) and return ``path``."""
    workbook = Workbook()
    contents = workbook.active
    contents.title = t(CONTENTS_SHEET)
    extra = ([t(PORTRAITS_SHEET)] if portraits is not None else []) + ([t(METHOD_SHEET)] if method else [])
    write_contents_sheet(contents, tables, edition, extra)
    print_setup(contents)
    for filled in tables:
        write_table_sheet(workbook.create_sheet(filled.label), filled, edition)
    if portraits is not None:
        write_portraits_sheet(workbook.create_sheet(t(PORTRAITS_SHEET)), portraits, edition)
    if method:
        write_method_sheet(workbook.create_sheet(t(METHOD_SHEET)), method, edition)

    workbook.properties.creator = "mint-census"
    workbook.properties.title = t("MINT-Regionen {year}: Tabellen").format(year=edition.year)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path


COMPARISON_HEADERS = (
    ("table_title", "Tabelle", 40), ("row_key", "Zeile", 34), ("column_header", "Spalte", 34),
    ("previous", "Vorjahr", 12), ("current", "Berichtsjahr", 12), ("change", "Veränderung", 12),
    ("change_percent", "Veränderung in %", 12), ("status", "Status", 11),
)
DEFAULT_THRESHOLD_PERCENT = 10.0


def _as_number(text: Any) -> Any:
    """The comparison keeps cells as text ("." for suppressed); numbers go back as numbers."""
    if text is None:
        return None
    try:
        return float(text) if "." in str(text) or "e" in str(text).lower() else int(text)
    except (TypeError, ValueError):
        return text


def write_comparison_workbook(path: Path, comparison: QueryResult, edition: Edition,
                              threshold_percent: float = DEFAULT_THRESHOLD_PERCENT) -> Path:
    """The year-on-year check for staff: German formats, largest relative changes first, and a flag
    column that marks changes at or above a threshold staff can change in cell B4."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Vergleich"
    put_text(ws, 1, 1, f"Vergleich mit dem Vorjahr: Erhebung {edition.year} gegen {edition.year - 1}", TITLE_FONT)
    put_text(ws, 2, 1, "Jede Tabellenzelle, die sich gegenüber dem Vorjahr geändert hat (beide Ausgaben aus "
                       "demselben Warehouse, mit derselben Geheimhaltung). Nur zur Prüfung vor der Freigabe.",
             NOTE_FONT)
    put_text(ws, 4, 1, "Schwelle für „prüfen“ (Veränderung in %, Betrag):", BOLD)
    ws.cell(row=4, column=2, value=threshold_percent).number_format = "0.0"
    header_row = 6
    flag_col = len(COMPARISON_HEADERS) + 1
    for index, (_, header, width) in enumerate(COMPARISON_HEADERS + (("", "prüfen?", 9),), start=1):
        cell = put_text(ws, header_row, index, header, BOLD)
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    records = comparison.records()
    records.sort(key=lambda r: (r["change_percent"] is None, -abs(r["change_percent"] or 0),
                                -abs(r["change"] or 0)))
    pct_col = get_column_letter(7)
    for row, record in enumerate(records, start=header_row + 1):
        for index, (key, _, _) in enumerate(COMPARISON_HEADERS, start=1):
            value = record[key]
            if key in ("previous", "current"):
                value = _as_number(value)
            if is_number(value):
                cell = ws.cell(row=row, column=index, value=value)
                cell.number_format = "#,##0.0" if key == "change_percent" else "#,##0.##"
            elif value is not None:
                cell = put_text(ws, row, index, value)
                if key in ("previous", "current"):
                    cell.alignment = Alignment(horizontal="right")
        flag = ws.cell(row=row, column=flag_col,
                       value=f'=IF(AND(ISNUMBER({pct_col}{row}),ABS({pct_col}{row})>=$B$4),"prüfen","")')
        flag.font = WARNING_FONT
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(flag_col)}{max(header_row, header_row + len(records))}"
    print_setup(ws, landscape=True)
    write_footer(ws, header_row + len(records) + 2, edition)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path
