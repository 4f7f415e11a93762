"""The check report (Prüfbericht) as a workbook, and its short text for an e-mail body.

`write_report_workbook` takes the coordinator's own workbook (the archived copy of
what they sent) and returns it with
- a first sheet "Prüfbericht" listing every finding (Nr., Art, Blatt, Zelle, Feld,
  gefunden, erwartet, Meldung), each row linked to its cell;
- every problem cell highlighted (red: Fehler, yellow: Hinweis) with a comment that
  carries the German message; sheets with a problem but no cell get a red tab.
The coordinator can correct the highlighted cells in this very file and send it back:
the input cells stay unlocked, the hidden meta sheet is kept, and the reader ignores
the "Prüfbericht" sheet.

A file that was rejected before it could be read (encrypted, macro, zip bomb, not an
xlsx …) is never opened here: its report workbook holds the findings sheet only.

Nothing written here can become a formula: text from findings is neutralised
(schemas.formulas.neutralise), and in the copy of the coordinator's workbook every
formula is turned into plain text and every text that starts with a formula character
is marked as text (Excel's quote prefix, which leaves the value itself unchanged).
External links, defined names and macros are dropped.
"""

from __future__ import annotations

import logging
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.hyperlink import Hyperlink

from mint_census.schemas import questionnaire as q
from mint_census.schemas.findings import ERROR, SEVERITY_DE, STATUS_DE, Finding

from mint_census.schemas.formulas import looks_like_formula, neutralise
from mint_census.schemas.messages import count_de
from mint_census.schemas.template import INPUT_FILL, is_template_formula, print_setup

from ..files import atomic_path

log = logging.getLogger(__name__)

REPORT_SHEET = q.REPORT_SHEET
ERROR_FILL = PatternFill("solid", fgColor="F8B4B4")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
LINK = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")
AUTHOR = "Prüfbericht Erhebung MINT-Regionen"
# Fits a screen 1280 px wide (about 150 characters); "Problem" says what the other columns do not.
COLUMNS = (("Nr.", 5), ("Art", 9), ("Blatt", 12), ("Zelle", 7), ("Feld", 24), ("Gefunden", 20),
           ("Erwartet", 34), ("Problem", 38))
FIRST_TABLE_ROW = 10


@dataclass(frozen=True)
class ReportInfo:
    """What the report says about the file as a whole."""
    year: int
    file_name: str
    network_id: str | None
    status: str
    errors: int
    warnings: int


def _safe(value):
    """Text as it can be written to a worksheet: no formula, no control character (shown as �)."""
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    return value


def sorted_findings(findings: Iterable[Finding], errors_first: bool = False) -> list[Finding]:
    """Findings in workbook order: the file as a whole first, then the template's sheet order,
    row, column (errors before hints only where asked, e.g. a mail that lists the first few)."""
    sheets = {name: i for i, name in enumerate(s.name for s in q.SHEETS)}

    def key(f: Finding):
        sheet = -1 if not f.sheet else sheets.get(f.sheet, len(sheets))
        return ((0 if f.severity == ERROR else 1) if errors_first else 0, sheet, f.sheet or "",
                _cell_order(f.cell), f.code)
    return sorted(findings, key=key)


def _cell_order(cell: str | None) -> tuple[int, str]:
    if not cell:
        return (0, "")
    try:
        col, row = coordinate_from_string(cell)
    except ValueError:
        return (0, cell)
    return (row, col.rjust(3))


# --- the copy of the coordinator's workbook ------------------------------------------

def _open_copy(source: Path | None) -> Workbook | None:
    """The coordinator's workbook; None without one. The caller hands over only files that
    passed the safety checks (flows/steps.py: `safe_archived`)."""
    if source is None or not Path(source).is_file():
        return None
    try:
        return load_workbook(source, keep_vba=False, keep_links=False, rich_text=False)
    except Exception as exc:  # noqa: BLE001 - any file openpyxl cannot read gets the findings sheet only
        log.warning("check report: cannot open %s with openpyxl (%s); findings sheet only",
                    Path(source).name, type(exc).__name__)
        return None


def prepare_copy(wb: Workbook) -> int:
    """Make the coordinator's workbook ready to be marked, in one pass over its cells.

    A report copy sent back and checked again loses the earlier findings sheet (the new one
    replaces it, never "Prüfbericht1"); cells commented by an earlier report lose the comment,
    red tabs their colour, and marked input cells get the input colour back.

    Every cell becomes plain data: formulas become text, formula-like text is marked. The
    template's own formulas (the Kreis lookup of the Gebiet sheet,
    `schemas.template.is_template_formula`) stay formulas, so that the copy works like the
    template and its untouched rows read as empty. Every sheet is covered, the hidden lists
    sheet too (protected without a password: a coordinator can write there). Returns the number
    of formulas turned into text.

    Only the cells the file holds are visited (`ws._cells`): `iter_rows` would first create an
    empty cell for every gap of the used rectangle (thousands in the Kreis list sheet), none of
    which can hold a formula or a comment.
    """
    if REPORT_SHEET in wb.sheetnames:
        wb.remove(wb[REPORT_SHEET])
    earlier = tuple(f"{label}: " for label in SEVERITY_DE.values())
    formulas = 0
    for ws in wb.worksheets:
        if getattr(ws.sheet_properties.tabColor, "rgb", "") in ("00C00000", "FFC00000", "00FFC000", "FFFFC000"):
            ws.sheet_properties.tabColor = None
        title = ws.title
        for c in list(ws._cells.values()):
            if c.comment is not None and (
                    c.comment.author == AUTHOR or str(c.comment.text).startswith(earlier)):
                c.comment = None
                if c.protection.locked is False:
                    c.fill = INPUT_FILL
            if c.data_type == "f":
                text = getattr(c.value, "text", None) or str(c.value)
                if is_template_formula(title, c.coordinate, text):
                    continue
                c.value = text
                c.data_type = "s"
                c.quotePrefix = True
                formulas += 1
            elif looks_like_formula(c.value):
                c.quotePrefix = True
        if hasattr(ws, "defined_names"):
            ws.defined_names.clear()
    wb.defined_names.clear()
    return formulas


def _target_cell(ws, address: str):
    """The cell a finding points to; the top-left cell when it lies in a merged range."""
    for rng in ws.merged_cells.ranges:
        if address in rng:
            return ws.cell(rng.min_row, rng.min_col)
    return ws[address]


def _tab(ws, is_error: bool) -> None:
    """Colour the sheet tab: red when the sheet has an error, else yellow (red wins)."""
    current = getattr(ws.sheet_properties.tabColor, "rgb", None) or ""
    if is_error or not current.endswith("C00000"):
        ws.sheet_properties.tabColor = "C00000" if is_error else "FFC000"


def mark_findings(wb: Workbook, findings: Sequence[Finding]) -> int:
    """Highlight every problem cell and comment it; returns the number of cells marked."""
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet and f.sheet in wb.sheetnames:
            if f.cell:
                by_cell[(f.sheet, f.cell)].append(f)
            else:
                _tab(wb[f.sheet], f.is_error)
    marked = 0
    for (sheet, address), group in by_cell.items():
        ws = wb[sheet]
        try:
            cell = _target_cell(ws, address)
        except (ValueError, KeyError):
            continue
        is_error = any(f.is_error for f in group)
        cell.fill = ERROR_FILL if is_error else WARNING_FILL
        text = "\n\n".join(f"{SEVERITY_DE[f.severity]}: {f.message_de}" for f in sorted_findings(group))
        comment = Comment(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text[:2000]), AUTHOR)
        comment.width, comment.height = 360, min(60 + 18 * (len(text) // 45 + 1), 400)
        cell.comment = comment
        _tab(ws, is_error)
        marked += 1
    return marked


# --- the findings sheet ----------------------------------------------------------------

def _intro(info: ReportInfo) -> list[str]:
    if info.errors:
        todo = ("Bitte korrigieren Sie die rot markierten Zellen (Fehler) – direkt in dieser Datei – "
                "und senden Sie sie erneut. Solange Fehler bestehen, werden Ihre Angaben nicht übernommen.")
    else:
        todo = ("Ihre Angaben wurden übernommen. Bitte prüfen Sie die gelb markierten Zellen (Hinweise); "
                "eine Korrektur ist nur nötig, wenn der übernommene Wert nicht stimmt.")
    return [
        f"Datei: {info.file_name}",
        f"Netzwerk-ID: {info.network_id or 'nicht erkennbar'}",
        f"Ergebnis: {STATUS_DE.get(info.status, info.status)} "
        f"({count_de(info.errors, 'Fehler', 'Fehler')}, {count_de(info.warnings, 'Hinweis', 'Hinweise')})",
        todo,
        "Jede Zeile unten führt per Klick zur betroffenen Zelle; dort steht die Meldung auch als Kommentar.",
    ]


def problem_text(f: Finding) -> str:
    """The finding's message without what the columns already show (cell, field, found, expected)."""
    text = f.message_de or ""
    if f.sheet and f.cell and f.field_label:
        prefix = f"{f.sheet}!{f.cell} – {f.field_label}: "
        text = text[len(prefix):] if text.startswith(prefix) else text
    for tail in (f" (gefunden „{f.found}“). Erwartet: {f.expected}.", f" (keine Angabe). Erwartet: {f.expected}."):
        if f.expected and text.endswith(tail):
            text = text[:-len(tail)]
    return text


def _findings_sheet(wb: Workbook, info: ReportInfo, findings: Sequence[Finding], linked: bool) -> None:
    ws = wb.create_sheet(REPORT_SHEET, 0)
    ws["A1"] = f"Prüfbericht – Erhebung MINT-Regionen {info.year}"
    ws["A1"].font = TITLE
    for i, line in enumerate(_intro(info), start=3):
        ws.cell(i, 1, _safe(line))
    for col, (head, width) in enumerate(COLUMNS, start=1):
        c = ws.cell(FIRST_TABLE_ROW - 1, col, head)
        c.font, c.fill = BOLD, HEADER_FILL
        ws.column_dimensions[c.column_letter].width = width
    for n, f in enumerate(findings, start=1):
        r = FIRST_TABLE_ROW + n - 1
        values = (n, SEVERITY_DE.get(f.severity, f.severity), f.sheet, f.cell, f.field_label,
                  f.found, f.expected, problem_text(f))
        for col, v in enumerate(values, start=1):
            c = ws.cell(r, col, _safe(v))
            c.alignment = WRAP
        ws.row_dimensions[r].height = 15 * max(
            -(-len(str(v or "")) // max(w - 2, 1)) or 1 for v, (_, w) in zip(values, COLUMNS))
        ws.cell(r, 2).fill = ERROR_FILL if f.is_error else WARNING_FILL
        if linked and f.sheet in wb.sheetnames and f.cell:
            link = ws.cell(r, 4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(f.sheet)}!{f.cell}",
                                       display=f.cell)
            link.font = LINK
    if not findings:
        ws.cell(FIRST_TABLE_ROW, 1, "Keine Befunde.")
    ws.freeze_panes = ws.cell(FIRST_TABLE_ROW, 1)
    print_setup(ws, landscape=True, title_rows=f"{FIRST_TABLE_ROW - 1}:{FIRST_TABLE_ROW - 1}",
                footer=f"Prüfbericht {info.year} – Netzwerk-ID {info.network_id or 'nicht erkennbar'}")
    ws.auto_filter.ref = f"A{FIRST_TABLE_ROW - 1}:H{FIRST_TABLE_ROW - 1 + max(len(findings), 1)}"
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0


# The marked copy costs openpyxl about 2 s per MB of sheet XML (2 shared cores): a file within the safety
# limits (50 MB per entry, 200 MB in all) could cost minutes and gigabytes. Above this budget the
# report holds the findings sheet alone, with COPY_TOO_LARGE_DE saying why (scripts/bench_hostile.py).
COPY_BUDGET_BYTES = 768 << 10  # a filled workbook has about 70 KB
COPY_TOO_LARGE_DE = ("Ihre Arbeitsmappe ist ungewöhnlich groß ({mb:.1f} MB Tabellendaten); dieser Prüfbericht "
                     "enthält deshalb nur die Liste der Befunde, ohne markierte Kopie Ihrer Arbeitsmappe. "
                     "Bitte verwenden Sie den Erhebungsbogen ohne zusätzliche Inhalte.")


def sheet_xml_bytes(source: Path) -> int:
    """Unpacked size of the sheets and shared strings of an xlsx (what openpyxl would build)."""
    try:
        with zipfile.ZipFile(source) as z:
            return sum(i.file_size for i in z.infolist()
                       if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml")
    except (OSError, zipfile.BadZipFile):
        return 0


def write_report_workbook(out: Path, info: ReportInfo, findings: Sequence[Finding],
                          source: Path | None = None) -> Path:
    """Write the Prüfbericht workbook: the findings sheet plus the marked copy of `source`
    (the findings sheet alone when the copy would exceed COPY_BUDGET_BYTES of sheet XML)."""
    findings = sorted_findings(findings)
    size = sheet_xml_bytes(source) if source is not None and Path(source).is_file() else 0
    too_large = size > COPY_BUDGET_BYTES
    if too_large:
        log.warning("check report: %s has %.1f MB of sheet XML (budget %.1f MB); findings sheet only",
                    Path(source).name, size / 1e6, COPY_BUDGET_BYTES / 1e6)
    wb = None if too_large else _open_copy(source)
    linked = wb is not None
    if wb is None:
        wb = Workbook()
        wb.remove(wb.active)
    else:
        prepare_copy(wb)
        mark_findings(wb, findings)
    _findings_sheet(wb, info, findings, linked)
    if too_large:
        ws = wb[REPORT_SHEET]
        ws.cell(FIRST_TABLE_ROW + max(len(findings), 1) + 1, 1, COPY_TOO_LARGE_DE.format(mb=size / 1e6))
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
