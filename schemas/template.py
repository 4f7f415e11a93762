"""The survey workbook (Erhebungsbogen) generated from the field declarations.

`write_workbook` produces what coordinators fill in: a cover sheet, one sheet per
questionnaire sheet with German labels, units and help next to each input cell
(yellow, unlocked), dropdowns fed from a hidden lists sheet, Excel data validation
for numbers, protected sheets (no password) and a hidden meta sheet with template
version, survey year and Netzwerk-ID. It also writes filled workbooks (answers given),
which the demo and the tests use to play coordinators.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from . import questionnaire as q
from . import vocabularies as voc
from .formulas import looks_like_formula

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
NEW_FILL = PatternFill("solid", fgColor="FCE4D6")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


@dataclass
class Answers:
    """A network's answers: form fields by key, and table sheets as lists of row dicts.

    Values are Python values (int, float, bool, str, list of str for multiple choice,
    a two-digit code for the Land); a str given for a numeric field is written as typed,
    which lets tests play coordinators who type "1.500,50 €".
    """
    form: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def display_value(spec: q.FieldSpec, value: Any) -> Any:
    """The value as a coordinator would see it in the cell."""
    if spec.kind == "land" and value in voc.LAND_NAME:
        return voc.LAND_NAME[value]
    if value is None or isinstance(value, str):
        return value
    if spec.kind == "bool":
        return voc.YES if value else voc.NO
    if spec.kind == "multichoice":
        return "; ".join(value)
    return value


def put(cell, value: Any):
    """Write `value` into `cell` as data: text that looks like a formula stays text.

    openpyxl turns every string starting with "=" into a formula; here such text is stored
    as a string with Excel's quote prefix (the cell shows and keeps the text as typed, and
    the value read back is unchanged), so prefilled answers can never become formulas.
    """
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def kreis_label(code: str, name: str, typ: str | None = None) -> str:
    """How a Kreis appears in the name dropdown: "Bamberg, kreisfreie Stadt (09461)".

    Names repeat (Stadt and Landkreis Bamberg, Rosenheim, …): the type from the reference data
    tells them apart in words, the code in brackets makes the label unique. The type is left
    out when the name already says it ("Köln, Stadt", "Region Hannover", "Saarpfalz-Kreis").
    """
    typ = (typ or "").strip()
    if typ == "Kreisfreie Stadt":
        typ = "kreisfreie Stadt"
    said = "," in name or (typ and typ.casefold() in name.casefold()) or (
        typ.casefold() in ("kreis", "landkreis") and name.casefold().endswith("kreis"))
    return f"{name}, {typ} ({code})" if typ and not said else f"{name} ({code})"


_DIN5007 = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "à": "a", "é": "e", "è": "e"})


def din5007_key(text: str) -> str:
    """Sort key of German dictionaries (DIN 5007, variant 1): an umlaut sorts as its base letter."""
    import unicodedata
    return unicodedata.normalize("NFC", text).casefold().translate(_DIN5007)


KREIS_LABELS, KREIS_CODES = "_kreis_label", "_kreis_code"   # keys of the two Kreis columns in _listen


def print_setup(ws, *, landscape: bool = False, title_rows: str | None = None, footer: str = "") -> None:
    """A4, fitted to the page width, header rows repeated on every page, and a footer with
    `footer` (survey and network), the sheet name and "Seite x von y"."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.8, header=0.3, footer=0.3)
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = footer
    ws.oddFooter.left.size = 8
    ws.oddFooter.center.text = "&A"
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = "Seite &P von &N"
    ws.oddFooter.right.size = 8


def _lists_sheet(wb: Workbook, lay: q.Layout, kreise: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """Write every vocabulary into the hidden lists sheet; return key -> range formula.

    With `kreise` ((code, name) pairs), two more columns hold the Kreis labels (sorted by
    name) and their codes: the Gebiet sheet chooses the Kreis by name and fills in the code.
    """
    ws = wb.create_sheet(q.LISTS_SHEET)
    ranges: dict[str, str] = {}
    columns = [(key, place.field.allowed_values()) for key, place in lay.places.items()
               if place.field.allowed_values() and place.field.kind != "multichoice"]
    if kreise and "kreis_name" in lay.places:
        labelled = sorted(((kreis_label(*k), k[0]) for k in kreise), key=lambda lc: (din5007_key(lc[0]), lc[1]))
        columns += [(KREIS_LABELS, tuple(label for label, _ in labelled)),
                    (KREIS_CODES, tuple(code for _, code in labelled))]
    for col, (key, values) in enumerate(columns, start=1):
        ws.cell(1, col, key)
        for i, v in enumerate(values, start=2):
            put(ws.cell(i, col), v)
        letter = get_column_letter(col)
        ranges[key] = f"{quote_sheetname(q.LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return ranges


def _validation(spec: q.FieldSpec, list_ranges: dict[str, str]) -> DataValidation | None:
    title = spec.label[:32]
    if spec.key in list_ranges:
        dv = DataValidation(type="list", formula1=list_ranges[spec.key], allow_blank=not spec.required)
        dv.error = "Bitte einen Wert aus der Auswahlliste wählen."
    elif spec.kind in ("int", "year"):
        dv = DataValidation(type="whole", operator="between",
                            formula1=str(int(spec.min or 0)), formula2=str(int(spec.max or 10**9)))
        dv.error = f"Bitte eine ganze Zahl zwischen {int(spec.min or 0)} und {int(spec.max or 10**9)} eingeben."
    elif spec.kind == "decimal":
        dv = DataValidation(type="decimal", operator="between",
                            formula1=str(spec.min or 0), formula2=str(spec.max or 10**12))
        dv.error = "Bitte eine Zahl eingeben (Dezimalkomma erlaubt)."
    else:
        dv = DataValidation(type="textLength", operator="lessThanOrEqual",
                            formula1=str(spec.max_length or 255))
        dv.error = "Der Text ist zu lang."
    dv.errorTitle = "Ungültige Eingabe"
    dv.showErrorMessage = True
    dv.promptTitle = title
    dv.prompt = (spec.help or spec.label)[:255]
    dv.showInputMessage = True
    return dv


def _help_text(spec: q.FieldSpec, year: int) -> str:
    text = spec.help
    if spec.kind == "multichoice" and spec.choices:
        text = (text + " Möglich: " + "; ".join(spec.choices)).strip()
    if spec.since == year and year > q.FIRST_SURVEY_YEAR:
        text = f"NEU {year}: " + text
    return text


def write_workbook(path: Path, year: int, network_id: str | None = None,
                   answers: Answers | None = None, *, network_name: str | None = None,
                   deadline: date | None = None, fictitious: bool = False,
                   version: str | None = None, kreise: list[tuple[str, str]] | None = None) -> Path:
    """Write the Erhebungsbogen for `year` (blank, prefilled or filled) to `path`.

    `kreise`: (code, name[, type]) of every Kreis (reference data). When given, the Gebiet sheet
    lets the coordinator choose a Kreis by name from a dropdown and every row, prefilled or not,
    fills in its code from the name by formula (prefilled rows get their Kreis's label).
    """
    lay = q.layout(version) if version else q.layout_for_year(year)
    if lay.year != year:  # a survey year that reuses an earlier version: its own year on cover and marks
        lay = replace(lay, year=year)
    answers = answers or Answers()
    if network_id and "network_id" not in answers.form:
        answers = Answers({**answers.form, "network_id": network_id}, answers.tables)
    wb = Workbook()
    cover = wb.active
    cover.title = q.COVER_SHEET
    _cover(cover, lay, network_id, network_name, deadline, fictitious)
    footer = f"Erhebung MINT-Regionen {year} – Netzwerk-ID {network_id or '(wird vergeben)'}"
    print_setup(cover, footer=footer)
    list_ranges = _lists_sheet(wb, lay, kreise)
    for sheet_name in lay.sheets:
        sheet = q.SHEET_BY_NAME[sheet_name]
        ws = wb.create_sheet(sheet_name, index=len(wb.sheetnames) - 1)
        ws["A1"] = sheet.title
        ws["A1"].font = TITLE
        ws["A2"] = sheet.intro
        places = lay.fields_of(sheet_name)
        if sheet.kind == "form":
            _form_sheet(ws, lay, places, answers.form, list_ranges)
        else:
            _table_sheet(ws, lay, sheet, places, answers.tables.get(sheet_name, []), list_ranges)
        wide = sheet.kind == "form" or len(places) > 4
        print_setup(ws, landscape=wide, title_rows=f"{q.HEADER_ROW}:{q.HEADER_ROW}", footer=footer)
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
    meta = wb.create_sheet(q.META_SHEET)
    for r, (k, v) in enumerate((("template_version", lay.version), ("census_year", year),
                                 ("network_id", network_id or "")), start=1):
        meta.cell(r, 1, k)
        meta.cell(r, 2, v)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cover(ws, lay: q.Layout, network_id, network_name, deadline, fictitious) -> None:
    ws["A1"] = f"Erhebung MINT-Regionen {lay.year} – Erhebungsbogen"
    ws["A1"].font = TITLE
    lines = [
        f"Netzwerk: {network_name or '(bitte eintragen)'}  –  Netzwerk-ID: {network_id or '(wird vergeben)'}",
        f"Einsendeschluss: {deadline.strftime('%d.%m.%Y') if deadline else 'siehe Anschreiben'}",
        "",
        "So füllen Sie den Bogen aus:",
        "1. Tragen Sie Ihre Angaben nur in die gelb markierten Zellen ein.",
        "2. Wo eine Auswahlliste erscheint, wählen Sie bitte einen Wert aus der Liste.",
        "3. Zahlen bitte ohne Zusätze wie „ca.“ eintragen; Beträge in Euro.",
        "4. Lassen Sie Blätter, Spalten und Zeilen unverändert; fügen Sie keine Blätter ein.",
        "5. Orange markierte Fragen sind in diesem Jahr neu.",
        "",
        f"Vorlagenversion {lay.version}. Nach dem Einsenden erhalten Sie einen Prüfbericht.",
    ]
    if fictitious:
        lines.insert(0, "Beispieldaten – fiktives Netzwerk, keine echten Angaben.")
    for i, line in enumerate(lines, start=3):
        ws.cell(i, 1, line)
    ws.column_dimensions["A"].width = 100
    ws.protection.sheet = True


def _form_sheet(ws, lay, places, values, list_ranges) -> None:
    for col, head in ((1, "Frage"), (2, "Ihre Angabe"), (3, "Einheit"), (4, "Hinweis")):
        c = ws.cell(q.HEADER_ROW, col, head)
        c.font, c.fill = BOLD, HEADER_FILL
    for p in places:
        spec = p.field
        label = ws.cell(p.row, q.FORM_LABEL_COL, p.label + (" *" if spec.required else ""))
        label.alignment = WRAP
        cell = put(ws.cell(p.row, q.FORM_VALUE_COL), display_value(spec, values.get(spec.key)))
        cell.fill = NEW_FILL if (spec.since == lay.year and lay.year > q.FIRST_SURVEY_YEAR) else INPUT_FILL
        cell.protection = UNLOCKED
        if spec.kind in ("kreis", "text", "phone", "network_id"):
            cell.number_format = "@"
        ws.cell(p.row, q.FORM_UNIT_COL, spec.unit or "")
        help_text = _help_text(spec, lay.year)
        ws.cell(p.row, q.FORM_HELP_COL, help_text).alignment = WRAP
        lines = max(-(-len(help_text) // 66), -(-len(label.value) // 40), 1)
        ws.row_dimensions[p.row].height = 15 * lines + 2     # wrapped text never overlaps the next row
        dv = _validation(spec, list_ranges)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(cell.coordinate)
    ws.cell(q.FIRST_DATA_ROW + len(places) + 1, 1, "* Pflichtfeld")
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["C"].width = 20
    ws.column_dimensions["D"].width = 70
    ws.freeze_panes = ws.cell(q.FIRST_DATA_ROW, 1)


def _table_sheet(ws, lay, sheet: q.SheetSpec, places, rows, list_ranges) -> None:
    n_rows = max(sheet.template_rows, len(rows))
    last_row = q.FIRST_DATA_ROW + n_rows - 1
    header_lines = 1
    for p in places:
        spec = p.field
        head = ws.cell(q.HEADER_ROW, p.col, p.label + (" *" if spec.required else ""))
        head.font, head.fill, head.alignment = BOLD, HEADER_FILL, WRAP
        help_text = _help_text(spec, lay.year)
        if help_text:
            head.comment = Comment(help_text, "Erhebung MINT-Regionen")
        longest = max((len(v) for v in (spec.allowed_values() or ()) if spec.kind != "multichoice"), default=0)
        width = min(45, max(34 if spec.kind in ("text", "multichoice") else 18, longest + 3))
        ws.column_dimensions[p.column_letter].width = width   # dropdown values are not cut off
        header_lines = max(header_lines, -(-len(head.value) // max(int(width) - 2, 1)))
        for r in range(q.FIRST_DATA_ROW, last_row + 1):
            c = ws.cell(r, p.col)
            c.fill, c.protection = INPUT_FILL, UNLOCKED
            if spec.kind in ("kreis", "text"):
                c.number_format = "@"
        by_name = KREIS_LABELS in list_ranges and spec.key == "kreis_name"
        dv = _kreis_name_validation(list_ranges) if by_name else _validation(spec, list_ranges)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{p.column_letter}{q.FIRST_DATA_ROW}:{p.column_letter}{last_row}")
    for i, row in enumerate(rows):
        for p in places:
            put(ws.cell(q.FIRST_DATA_ROW + i, p.col), display_value(p.field, row.get(p.field.key)))
    if KREIS_LABELS in list_ranges and sheet.name == q.S_AREA:
        _kreis_by_name(ws, lay, rows, last_row, list_ranges)
    ws.row_dimensions[q.HEADER_ROW].height = 15 * header_lines + 3   # headers are not cut off
    ws.freeze_panes = ws.cell(q.FIRST_DATA_ROW, 1)


def _kreis_name_validation(list_ranges) -> DataValidation:
    dv = DataValidation(type="list", formula1=list_ranges[KREIS_LABELS], allow_blank=True)
    dv.errorStyle = "warning"   # a name not in the list may still be typed; the code decides
    dv.errorTitle = "Kreis nicht in der Liste"
    dv.error = "Bitte den Kreis aus der Liste wählen; sonst den Kreisschlüssel in Spalte A eintragen."
    dv.showErrorMessage = True
    dv.promptTitle = "Kreis"
    dv.prompt = "Kreis aus der Liste wählen – der Kreisschlüssel wird in Spalte A eingetragen."
    dv.showInputMessage = True
    return dv


def _kreis_by_name(ws, lay, rows, last_row, list_ranges) -> None:
    """Every row's code cell looks up the chosen name; a prefilled known code becomes its label.

    A prefilled code that is not in the list (an old code) stays as typed, without formula.
    """
    code_col = lay.places["kreis_code"].column_letter
    name_col = lay.places["kreis_name"].column_letter
    labels = dict(zip(_list_values(ws.parent, list_ranges[KREIS_CODES]),
                      _list_values(ws.parent, list_ranges[KREIS_LABELS])))
    for r in range(q.FIRST_DATA_ROW, last_row + 1):
        i = r - q.FIRST_DATA_ROW
        code = rows[i].get("kreis_code") if i < len(rows) else None
        if code is not None and code not in labels:
            continue
        if code is not None:
            put(ws[f"{name_col}{r}"], labels[code])
        c = ws[f"{code_col}{r}"]
        c.value = kreis_formula(name_col, r, list_ranges[KREIS_CODES], list_ranges[KREIS_LABELS])
        c.number_format = "General"


def kreis_formula(name_col: str, row: int, codes: str, labels: str) -> str:
    """The template's own formula in a Gebiet code cell: the code of the Kreis chosen by name."""
    return (f'=IF(${name_col}{row}="","",IFERROR(INDEX({codes},'
            f'MATCH(${name_col}{row},{labels},0)),""))')


_KREIS_FORMULA = re.compile(
    r'=IF\(([A-Z]{1,3})(\d+)="","",IFERROR\(INDEX\(_LISTEN!([A-Z]{1,3})2:\3(\d+),'
    r'MATCH\(\1\2,_LISTEN!([A-Z]{1,3})2:\5\4,0\)\),""\)\)')


def is_template_formula(sheet: str, address: str, formula: str) -> bool:
    """True when `formula` in `sheet`!`address` is the template's own Kreis lookup for that row.

    Spelling differences of spreadsheet programs (quotes around the sheet name, `$`, spaces,
    letter case) do not matter; anything else a coordinator may have typed does.
    """
    if sheet != q.S_AREA or not isinstance(formula, str):
        return False
    m = re.fullmatch(r"([A-Z]{1,3})(\d+)", address)
    text = formula.replace("$", "").replace("'", "").replace(" ", "").upper()
    f = _KREIS_FORMULA.fullmatch(text if text.startswith("=") else "=" + text)
    if m is None or f is None or f.group(2) != m.group(2):
        return False
    return (m.group(1), f.group(1)) in _kreis_columns()


@functools.cache
def _kreis_columns() -> frozenset[tuple[str, str]]:
    """(Kreis code column, Kreis name column) of every template version (the layouts are fixed,
    and the formula check runs for each Kreis row of every workbook read)."""
    return frozenset((lay.places["kreis_code"].column_letter, lay.places["kreis_name"].column_letter)
                     for lay in map(q.layout, q.TEMPLATE_VERSIONS) if "kreis_name" in lay.places)


def _list_values(wb, ref: str) -> list:
    sheet, cells = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]
