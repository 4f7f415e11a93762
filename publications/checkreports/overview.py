"""The staff overview of a census year: `reports/<Y>/uebersicht.xlsx`.

A work list for staff: one row per network counted in the year (status accepted, accepted
with warnings, rejected, missing; errors, warnings, the first problem in words, a link to the
check report, file, date received, the coordinator's e-mail, the last reminder sent) plus files
whose network could not be told, a sheet listing the networks that have not sent anything yet,
and the counts per Land with the response rate. A file whose meta sheet cannot be read but whose
file name names a counted network (e.g. a renamed .ods called `MR-021.xlsx`) is shown against
that network. Printable (landscape, one page wide, header row repeated).

`write_overview` returns the rows, which the flow also shows as a Prefect table artifact:
those rows never carry the e-mail address (personal data stays in the staff's file).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import _escape_attrib  # what openpyxl's XML writer (et_xmlfile) escapes with
from xml.sax.saxutils import escape as xml_escape

import openpyxl
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from mint_census.schemas import vocabularies as voc
from mint_census.schemas.findings import (ACCEPTED, MISSING, NEW_NETWORK, REJECTED, STATUS_DE, SUPERSEDED,
                                          WITH_WARNINGS)
from mint_census.schemas.formulas import neutralise

from mint_census.warehouse.mailings import contacts, last_reminders

from ..files import atomic_path
from .heap import frozen_heap
from .reports import report_base

OVERVIEW_FILE = "uebersicht.xlsx"
NOT_READ = "nicht gelesen"

OVERVIEW_COLUMNS = ("Netzwerk-ID", "Netzwerk", "Bundesland", "Status", "Fehler", "Hinweise", "Erstes Problem",
                    "Prüfbericht", "Datei", "Eingang", "Daten übernommen", "Vorjahr beantwortet", "E-Mail",
                    "Letzte Erinnerung", "Bemerkung")
PERSONAL_COLUMNS = ("E-Mail",)          # only in the staff's xlsx, never in the returned rows
DATE_COLUMNS = ("Eingang", "Letzte Erinnerung")
DATE_FORMAT = "DD.MM.YYYY HH:MM"
STATUS_FILL = {REJECTED: "F8B4B4", WITH_WARNINGS: "FFE699", ACCEPTED: "C6EFCE", MISSING: "D9D9D9",
               NEW_NETWORK: "BDD7EE"}
ID_IN_NAME = re.compile(r"MR-\d{3,4}", re.IGNORECASE)
MAX_WIDTH = {"Erstes Problem": 70, "Bemerkung": 60, "Netzwerk": 45}


def _first_problems(con, year: int) -> dict[str, str]:
    """file_sha256 -> the German text of its first error (else first hint), as the report words it."""
    rows = con.execute(
        "SELECT file_sha256, message_de FROM meta.findings WHERE census_year = ? "
        "QUALIFY row_number() OVER (PARTITION BY file_sha256 ORDER BY severity = 'error' DESC, sheet NULLS FIRST, "
        "length(cell) NULLS FIRST, cell, code) = 1", [year]).fetchall()
    return {sha: text for sha, text in rows}


def _new_networks(con, shas: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """file_sha256 -> (name, Land) as a new network wrote them (raw.cells of its blank template)."""
    if not shas:
        return {}
    rows = con.execute(
        "SELECT file_sha256, max(value_text) FILTER (WHERE field_key = 'network_name'), "
        "max(value_text) FILTER (WHERE field_key = 'land_code') FROM raw.cells "
        "WHERE file_sha256 IN (SELECT unnest(?::VARCHAR[])) GROUP BY file_sha256", [shas]).fetchall()
    return {sha: (name, land) for sha, name, land in rows}


def overview_rows(con, year: int, emails: dict[str, str] | None = None,
                  reports_dir: Path | None = None, coming: set[str] = frozenset()) -> list[dict]:
    """One row per network counted in `year` (register), plus files of no known network.

    The status is that of the network's latest file of the year (over all runs; a file
    superseded by a newer one in the same inbox is skipped); "Daten übernommen" says
    whether the warehouse holds accepted answers of the year (perhaps from an earlier file).
    `emails`: addresses staff keep in the register (they win over the last Kontakt sheet);
    `reports_dir`: where the check reports are (for the link column); `coming`: names of report
    workbooks being written there meanwhile (linked as if they were there already).
    """
    counted = con.execute(
        "SELECT network_id, network_name, land_code FROM pub.network_years WHERE census_year = ? "
        "ORDER BY network_id", [year]).fetchall()
    # Every run records every file of the inbox: of a network's rows only its last one can win below,
    # so the query keeps that one (and every row without a network ID), in the same order
    subs = con.execute(
        "WITH s AS (SELECT s.network_id, s.file_name, s.status, s.errors, s.warnings, s.received_at, s.loaded, "
        "s.file_sha256, row_number() OVER (ORDER BY r.started_at NULLS FIRST, s.received_at, s.file_name) AS pos "
        "FROM meta.submissions s LEFT JOIN meta.runs r USING (run_id) WHERE s.census_year = ? AND s.status <> ?) "
        "SELECT network_id, file_name, status, errors, warnings, received_at, loaded, file_sha256 FROM s "
        "QUALIFY network_id IS NULL OR pos = max(pos) OVER (PARTITION BY network_id) ORDER BY pos",
        [year, SUPERSEDED]).fetchall()
    loaded_names = dict(con.execute(
        "SELECT network_id, network_name FROM core.networks WHERE census_year = ?", [year]).fetchall())
    loaded = set(loaded_names)
    answered_before = {r[0] for r in con.execute(
        "SELECT DISTINCT network_id FROM core.networks WHERE census_year = ?", [year - 1]).fetchall()}
    problems = _first_problems(con, year)
    kontakt = {nid: email for nid, (_, email) in contacts(con, year).items() if email}
    address = {**kontakt, **(emails or {})}
    reminded = last_reminders(con, year)
    names = {nid: (name, land) for nid, name, land in counted}
    latest: dict[str, tuple] = {}
    by_name: set[str] = set()
    unknown_files: dict[str, tuple] = {}
    for s in subs:
        if s[0]:
            latest[s[0]] = s          # ordered: the last one wins
            by_name.discard(s[0])
            continue
        m = ID_IN_NAME.search(s[1] or "")
        nid = m.group(0).upper() if m else None
        if nid in names:              # the meta sheet is unreadable, but the file name names the network
            latest[nid] = s
            by_name.add(nid)
        else:
            unknown_files[s[7]] = s   # one row per distinct file (it comes again in every run)

    def report_link(nid: str | None, file_name: str, status: str) -> str | None:
        if reports_dir is None or status not in (REJECTED, WITH_WARNINGS, NEW_NETWORK):
            return None
        name = f"{report_base(nid, file_name)}_Pruefbericht.xlsx"
        return name if name in coming or (reports_dir / name).is_file() else None

    rows = []
    for nid in [n for n, _, _ in counted] + sorted(set(latest) - set(names)):
        name, land = names.get(nid, (None, None))
        s = latest.get(nid)
        note = ""
        if nid not in names:
            note = "nicht im Netzwerkverzeichnis für dieses Jahr"
        if s is None:
            status, errors, warnings, file_name, received, sha = MISSING, None, None, None, None, None
            if nid in answered_before:
                note = f"hat {year - 1} geantwortet, {year} noch nichts eingesandt"
        else:
            sub_id, file_name, status, errors, warnings, received, _, sha = s
            if nid in by_name:
                note = "Netzwerk aus dem Dateinamen erkannt (Datei nicht als Erhebungsbogen lesbar)"
            elif status == REJECTED and nid in loaded:
                note = "frühere angenommene Angaben bleiben gültig"
        if nid in names and nid in loaded and _same(loaded_names[nid], name) is False:
            note = "; ".join(filter(None, [note, f"Name im Bogen „{loaded_names[nid]}“ weicht vom "
                                                 f"Netzwerkverzeichnis ab (Verzeichnis: „{name}“)"]))
        rows.append({
            "Netzwerk-ID": nid, "Netzwerk": name, "Bundesland": voc.LAND_NAME.get(land, land),
            "Status": STATUS_DE.get(status, status), "_status": status, "_land": land, "Fehler": errors,
            "Hinweise": warnings, "Erstes Problem": problems.get(sha) if status != ACCEPTED else None,
            "Prüfbericht": report_link(None if nid in by_name else nid, file_name, status) if s else None,
            "Datei": file_name, "Eingang": received if isinstance(received, datetime) else None,
            "Daten übernommen": "ja" if nid in loaded else "nein",
            "Vorjahr beantwortet": "ja" if nid in answered_before else "nein",
            "E-Mail": address.get(nid), "Letzte Erinnerung": reminded.get(nid), "Bemerkung": note})
    new = _new_networks(con, [sha for sha, sub in unknown_files.items() if sub[2] == NEW_NETWORK])
    for _, file_name, status, errors, warnings, received, _, sha in unknown_files.values():
        name, land = new.get(sha, (None, None))
        note = ("neues Netzwerk: mit `mint-census register add` aufnehmen, dann erneut einlesen"
                if status == NEW_NETWORK else
                "Netzwerk nicht erkennbar (Datei nicht lesbar oder kein Erhebungsbogen)")
        rows.append({
            "Netzwerk-ID": None, "Netzwerk": name, "Bundesland": land,
            "Status": STATUS_DE.get(status, status), "_status": status, "_land": None, "Fehler": errors,
            "Hinweise": warnings, "Erstes Problem": problems.get(sha) if status != NEW_NETWORK else None,
            "Prüfbericht": report_link(None, file_name, status), "Datei": file_name,
            "Eingang": received if isinstance(received, datetime) else None,
            "Daten übernommen": "nein", "Vorjahr beantwortet": None, "E-Mail": None, "Letzte Erinnerung": None,
            "Bemerkung": note})
    return rows


HISTORY_COLUMNS = ("Netzwerk-ID", "Datei", "Eingang", "Status", "Fehler", "Hinweise")


def submission_history(con, year: int) -> list[dict]:
    """Every file received for `year`, oldest first: the history of corrections per network.

    A file assessed again with the same outcome (every ingest records each file of the inbox, also
    an unchanged one) is listed once, where it first appeared; a new outcome of the same file is a
    row of its own."""
    rows = con.execute(
        "SELECT s.network_id, s.file_name, s.received_at, s.status, s.errors, s.warnings "
        "FROM meta.submissions s LEFT JOIN meta.runs r USING (run_id) WHERE s.census_year = ? "
        "GROUP BY s.network_id, s.file_name, s.file_sha256, s.received_at, s.status, s.errors, s.warnings "
        "ORDER BY s.network_id NULLS LAST, min(r.started_at) NULLS FIRST, s.received_at, s.file_name",
        [year]).fetchall()
    return [{"Netzwerk-ID": nid, "Datei": name,
             "Eingang": received.strftime("%d.%m.%Y %H:%M") if isinstance(received, datetime) else None,
             "Status": STATUS_DE.get(status, status), "_status": status, "Fehler": errors, "Hinweise": warnings}
            for nid, name, received, status, errors, warnings in rows]


def _same(a, b) -> bool | None:
    """Two network names equal after Unicode normalisation, case and spaces; None if one is missing."""
    if not a or not b:
        return None
    key = lambda s: " ".join(unicodedata.normalize("NFC", s).split()).casefold()  # noqa: E731
    return key(a) == key(b)


def missing_networks(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["_status"] == MISSING]


def _shown(v) -> str:
    if isinstance(v, datetime):
        return "00.00.0000 00:00"
    return "" if v is None else str(v)


def _print_setup(ws, title: str, n_columns: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = neutralise(title)
    ws.oddFooter.right.text = "Seite &P von &N"
    ws.print_options.gridLines = True


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
LINK_FONT = Font(color="0563C1", underline="single")


# What XML 1.0 cannot hold: openpyxl's control characters, and U+FFFE, U+FFFF and lone surrogates
# (which openpyxl lets through into a file no program opens)
_NOT_XML = re.compile(ILLEGAL_CHARACTERS_RE.pattern + r"|[\ufffe\uffff\ud800-\udfff]")


def _text(v: str):
    """A text as a cell shows it: what XML cannot hold replaced by U+FFFD, formulas neutralised."""
    return neutralise(_NOT_XML.sub("\ufffd", v))


class _Styles:
    """The few cell styles of a sheet, each built once: openpyxl hashes a Font, Fill or Alignment
    on every assignment; a cell of a known combination gets a copy of its style ids instead."""

    def __init__(self) -> None:
        self.known: dict[tuple, StyleArray] = {}

    def apply(self, cell, date: bool, link: bool, wrap: bool, fill: str | None) -> None:
        key = (date, link, wrap, fill)
        style = self.known.get(key)
        if style is not None:
            cell._style = StyleArray(style)
            return
        if date:
            cell.number_format = DATE_FORMAT
        if link:
            cell.font = LINK_FONT
        if wrap:
            cell.alignment = WRAP_TOP
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)
        self.known[key] = StyleArray(cell._style)


def _sheet(ws, rows: list[dict], columns: tuple[str, ...], title: str, rows_xml: list | None = None) -> None:
    """One table sheet: the header row, the rows, column widths, filter, frozen panes, print set-up.
    With `rows_xml` (a list) the rows' cells are not made here: their XML goes into `rows_xml` as
    a _SheetRows, and `_write_rows` puts it into the saved workbook (see `_rows_as_xml`)."""
    widths = {head: len(head) + 3 for head in columns}
    for col, head in enumerate(columns, start=1):
        c = ws.cell(1, col, head)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = WRAP_TOP
    styles = _Styles()
    status_col = columns.index("Status") + 1 if "Status" in columns else None
    deferred = _rows_as_xml(ws, rows, columns, widths, status_col, styles) if rows_xml is not None else None
    if deferred is not None:
        rows_xml.append(deferred)
        rows = []  # the cells are in the XML; widths are counted
    for r, row in enumerate(rows, start=2):
        fill = STATUS_FILL.get(row.get("_status")) if status_col else None
        for col, head in enumerate(columns, start=1):
            v = row.get(head)
            c = ws.cell(r, col, _text(v) if isinstance(v, str) else v)
            date = head in DATE_COLUMNS and isinstance(v, datetime)
            link = not date and head == "Prüfbericht" and bool(v)
            if link:
                c.hyperlink = v          # relative: the report lies next to the overview
            cell_fill = fill if col == status_col else None
            if date or link or head in MAX_WIDTH or cell_fill:
                styles.apply(c, date, link, head in MAX_WIDTH, cell_fill)
            widths[head] = max(widths[head], min(len(_shown(v)) + 2, MAX_WIDTH.get(head, 60)))
    if rows and rows_xml is not None:  # openpyxl's cells after all: their styles numbered now, in the order
        known = ws.parent._cell_styles  # its writer would, before those of the next sheet's rows as XML
        for key in sorted(ws._cells):
            if ws._cells[key].has_style:
                known.add(ws._cells[key]._style)
    for col, head in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = widths[head]
    ws.freeze_panes = "C2" if "Netzwerk" in columns else "A2"
    n_rows = deferred.n_rows if deferred is not None else len(rows)
    if n_rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n_rows + 1}"
    _print_setup(ws, title, len(columns))


# --- the rows of a table sheet as XML --------------------------------------------------------
# openpyxl makes an object per cell, styles it and serialises it element by element: 1.9 s for the
# overview of 2,000 networks (50,000 cells), rewritten by every re-ingest that changed a row. The
# rows are written here as the XML openpyxl writes for them (same cell types, inline strings, the
# same style ids from the workbook's own style list, hyperlinks as external relationships), and
# openpyxl writes the rest of the workbook (styles, header rows, widths, filter, print set-up).
# tests/test_checkreport_xlsx.py compares the result with openpyxl's own, byte for byte.

_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_LINK_TYPE = f"{_R_NS}/hyperlink"
_INF = float("inf")


@dataclass
class _SheetRows:
    title: str
    xml: str                        # <row> elements from row 2 on
    n_rows: int
    n_columns: int
    links: list[tuple[str, str]]    # (cell, target)


def _rows_as_xml(ws, rows: list[dict], columns: tuple[str, ...], widths: dict, status_col: int | None,
                 styles: _Styles) -> _SheetRows | None:
    """The rows' XML and their column widths (into `widths`), or None where a value is of a kind this
    does not write as openpyxl would: then `_sheet` makes the cells with openpyxl. What it writes: None,
    text that stays text (not an error code such as #N/A; never a formula, as `_text` neutralises
    it), a whole or finite number, a truth value, a date without time zone in a date column; checked
    cell by cell on the way (the styles numbered until a cell of another kind are those openpyxl
    numbers first, row by row)."""
    letters = [get_column_letter(col) for col in range(1, len(columns) + 1)]
    known = ws.parent._cell_styles  # the workbook's list of cell styles (xf): a cell's s is its index
    for col in range(1, len(columns) + 1):  # the header row's first, as openpyxl numbers them when saving
        known.add(ws.cell(1, col)._style)
    ids: dict[tuple, int] = {}

    def style_id(v, date: bool, link: bool, wrap: bool, fill: str | None) -> int:
        key = (date, link, wrap, fill)
        if key not in ids:
            cell = Cell(ws, value=v if date else None)  # a date gets openpyxl's default format first, as in a sheet
            styles.apply(cell, date, link, wrap, fill)
            ids[key] = known.add(StyleArray(cell._style))
        return ids[key]

    epoch = ws.parent.epoch
    inline: dict[str, str] = {}
    # per column, once: its letter, whether it holds dates or links, wraps (MAX_WIDTH) or is the status
    layout = [(head, letters[col - 1], head in DATE_COLUMNS, head == "Prüfbericht", head in MAX_WIDTH,
               MAX_WIDTH.get(head, 60), col == status_col) for col, head in enumerate(columns, start=1)]
    longest = {head: 0 for head in columns}  # the longest shown value per column
    out: list[str] = []
    links: list[tuple[str, str]] = []
    for r, row in enumerate(rows, start=2):
        fill = STATUS_FILL.get(row.get("_status")) if status_col else None
        cells = [f'<row r="{r}">']
        for head, letter, date_col, link_col, wrap, _, is_status in layout:
            v = row.get(head)
            kind = type(v)
            date = date_col and kind is datetime
            link = link_col and not date and bool(v)
            cell_fill = fill if is_status else None
            s = (f' s="{style_id(v, date, link, wrap, cell_fill)}"'
                 if date or link or wrap or cell_fill else "")
            if v is None:
                if s:  # openpyxl leaves out an empty cell without a style
                    cells.append(f'<c r="{letter}{r}"{s} t="n" />')
                continue
            if kind is str:
                inner = inline.get(v)
                if inner is None:  # the same texts recur (statuses, Länder, dates, "ja"): each made once
                    if v in ERROR_CODES:  # openpyxl stores it as an error value (cleaning never makes one)
                        return None
                    text = _text(v)[:32767]  # as openpyxl cuts it
                    space = ' xml:space="preserve"' if text.strip() and text != text.strip() else ""
                    inner = inline[v] = f"><is><t{space}>{xml_escape(text)}</t></is></c>" if text else " />"
                cells.append(f'<c r="{letter}{r}"{s} t="inlineStr"{inner}')
                if link:
                    links.append((f"{letter}{r}", v))
                n = len(v)
            elif kind is bool:
                cells.append(f'<c r="{letter}{r}"{s} t="b"><v>{int(v)}</v></c>')
                n = len(str(v))
            elif kind is int or (kind is float and v == v and v not in (_INF, -_INF)):
                cells.append(f'<c r="{letter}{r}"{s} t="n"><v>{"%.16g" % v}</v></c>')
                n = len(str(v))
            elif not date or v.tzinfo is not None:  # a kind openpyxl writes otherwise
                return None
            else:  # a date in a date column
                cells.append(f'<c r="{letter}{r}"{s} t="n"><v>{"%.16g" % to_excel(v, epoch)}</v></c>')
                n = len(_shown(v))
            if n > longest[head]:
                longest[head] = n
        cells.append("</row>")
        out.append("".join(cells))
    for head, _, _, _, _, most, _ in layout:
        if rows:  # as _sheet counts them: the shown length + 2, at most the column's limit
            widths[head] = max(widths[head], min(longest[head] + 2, most))
    return _SheetRows(ws.title, "".join(out), len(rows), len(columns), links)


# deflate's fastest level: 0.04 s instead of 0.15 s for the 10 MB of sheet XML of 10,000 networks; the
# file has 1.27 MB instead of 1.05 MB
FAST = 1
_DIMENSION = re.compile(r'<dimension ref="[^"]*"\s*/>')


def _write_rows(saved, sheets: dict[str, _SheetRows], out: Path) -> None:
    """`saved` (openpyxl's workbook with the header rows) with the rows of `sheets` (by file name in
    the package: xl/worksheets/sheetN.xml) put in, written to `out`."""
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=FAST) as dst:
        names = set(src.namelist())
        for info in src.infolist():
            data = src.read(info.filename)
            part = sheets.get(info.filename)
            if part is not None:
                data = _sheet_with_rows(data.decode("utf-8"), part).encode("utf-8")
            dst.writestr(info, data, compresslevel=FAST)  # a ZipInfo of its own keeps zlib's default level otherwise
        for name, part in sheets.items():
            if not part.links:
                continue
            rels = name.replace("xl/worksheets/", "xl/worksheets/_rels/") + ".rels"
            if rels in names:  # a sheet of ours never has other relationships; never overwrite them
                raise ValueError(f"{rels} exists already")
            dst.writestr(rels, (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(f'<Relationship Type="{_LINK_TYPE}" Target="{_escape_attrib(target)}" TargetMode="External" '
                          f'Id="rId{i}" />' for i, (_, target) in enumerate(part.links, start=1))
                + "</Relationships>"), zipfile.ZIP_DEFLATED, FAST)


def _sheet_with_rows(xml: str, part: _SheetRows) -> str:
    if part.xml.count("<row ") and "</sheetData>" not in xml:
        raise ValueError(f"sheet {part.title}: no rows to add to")
    last = get_column_letter(part.n_columns)
    xml, found = _DIMENSION.subn(f'<dimension ref="A1:{last}{part.n_rows + 1}" />', xml, count=1)
    if not found or "<hyperlinks" in xml or "<printOptions" not in xml:
        raise ValueError(f"sheet {part.title}: not as written by openpyxl")
    xml = xml.replace("</sheetData>", part.xml + "</sheetData>", 1)
    if part.links:
        links = "".join(f'<hyperlink xmlns:r="{_R_NS}" ref="{ref}" r:id="rId{i}" />'
                        for i, (ref, _) in enumerate(part.links, start=1))
        xml = xml.replace("<printOptions", f"<hyperlinks>{links}</hyperlinks><printOptions", 1)
    return xml


def _counts_sheet(ws, rows: list[dict], year: int) -> None:
    """Zahlen: per Land the networks counted, each status, and the response rate; a totals row."""
    heads = ("Bundesland", "Netzwerke", STATUS_DE[ACCEPTED], STATUS_DE[WITH_WARNINGS], STATUS_DE[REJECTED],
             STATUS_DE[MISSING], "Rücklaufquote")
    ws.cell(1, 1, f"Erhebung MINT-Regionen {year}: Stand des Rücklaufs je Bundesland").font = Font(bold=True, size=13)
    ws.cell(2, 1, "Rücklaufquote: Anteil der gezählten Netzwerke, deren Angaben übernommen wurden "
                  "(angenommen, auch mit Hinweisen). Dateien ohne erkennbares Netzwerk zählen nicht.")
    for col, head in enumerate(heads, start=1):
        c = ws.cell(4, col, head)
        c.font, c.fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
        c.alignment = Alignment(wrap_text=True, vertical="top")
    known = [r for r in rows if r["Netzwerk-ID"]]
    lands = sorted({r["_land"] for r in known if r["_land"]}, key=str)

    def line(r: int, label: str, group: list[dict], bold: bool = False) -> None:
        n = len(group)
        counts = [sum(x["_status"] == s for x in group) for s in (ACCEPTED, WITH_WARNINGS, REJECTED, MISSING)]
        values = (label, n, *counts, ((counts[0] + counts[1]) / n) if n else None)
        for col, v in enumerate(values, start=1):
            c = ws.cell(r, col, v)
            c.font = Font(bold=bold)
        ws.cell(r, len(values)).number_format = "0.0 %"

    r = 5
    for land in lands:
        line(r, voc.LAND_NAME.get(land, land), [x for x in known if x["_land"] == land])
        r += 1
    line(r, "Insgesamt", known, bold=True)
    ws.column_dimensions["A"].width = 28
    for col in range(2, len(heads) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    ws.freeze_panes = "A5"
    _print_setup(ws, f"Erhebung MINT-Regionen {year}: Zahlen", len(heads))
    ws.print_title_rows = "4:4"


# The overview is written only when its content changes: the digest of everything it shows (and of
# the code and openpyxl version that lay it out) goes into its document properties (dc:identifier),
# which the next ingest reads from docProps/core.xml without opening the workbook.
DIGEST_PREFIX = "mint-census-uebersicht:"
# any namespace prefix and attributes: openpyxl writes `<dc:identifier>` with its default XML
# writer, `<dc:identifier xmlns:dc="…">` when lxml is installed
_IDENTIFIER = re.compile(r"<(?:[\w.-]+:)?identifier\b[^>]*>([^<]*)</(?:[\w.-]+:)?identifier>")


def _digest(year: int, rows: list[dict], history: list[dict]) -> str:
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(openpyxl.__version__.encode())
    h.update(repr((year, rows, history)).encode())  # the rows' keys in the order this module makes them
    return DIGEST_PREFIX + h.hexdigest()


def _written_digest(path: Path) -> str | None:
    """The digest stored in an existing overview; None when there is none or it cannot be read."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, UnicodeDecodeError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None
    m = _IDENTIFIER.search(core)
    return m.group(1) if m else None


def write_overview(con, year: int, out: Path, emails: dict[str, str] | None = None,
                   skipped: list[dict] = ()) -> list[dict]:
    """Write reports/<Y>/uebersicht.xlsx; return its rows without personal data (for a Prefect table
    artifact; dates as text). `skipped`: inbox entries that are not regular files ({"Datei", "Grund"}),
    listed as not read."""
    with frozen_heap():
        shown, write = prepare_overview(con, year, out, emails, skipped)
        if write is not None:
            write()
        return shown


def prepare_overview(con, year: int, out: Path, emails: dict[str, str] | None = None, skipped: list[dict] = (),
                     coming: set[str] = frozenset()) -> tuple[list[dict], Callable[[], None] | None]:
    """`write_overview` in two halves: its rows (queried now) and the call that writes the workbook
    (picklable, for another process; None when the overview on disk shows these rows already).
    `coming`: names of report workbooks being written meanwhile (see `overview_rows`)."""
    rows = overview_rows(con, year, emails, out.parent, coming) + [
        {"Netzwerk-ID": None, "Netzwerk": None, "Bundesland": None, "Status": NOT_READ, "_status": None,
         "_land": None, "Fehler": None, "Hinweise": None, "Erstes Problem": e["Grund"], "Prüfbericht": None,
         "Datei": e["Datei"], "Eingang": None, "Daten übernommen": "nein", "Vorjahr beantwortet": None,
         "E-Mail": None, "Letzte Erinnerung": None, "Bemerkung": e["Grund"]} for e in skipped]
    history = submission_history(con, year)
    digest = _digest(year, rows, history)
    write = functools.partial(_write_workbook, out, year, rows, history, digest) \
        if _written_digest(out) != digest else None
    return [{k: (v.strftime("%d.%m.%Y %H:%M") if isinstance(v, datetime) else v) for k, v in r.items()
             if not k.startswith("_") and k not in PERSONAL_COLUMNS} for r in rows], write


def _workbook(year: int, rows: list[dict], history: list[dict], digest: str, rows_xml: list | None = None):
    """The overview as an openpyxl Workbook; with `rows_xml` (a list) the table sheets' rows are not
    in it but in `rows_xml` (see `_rows_as_xml`)."""
    wb = Workbook()
    wb.properties.identifier = digest
    ws = wb.active
    ws.title = "Übersicht"
    _sheet(ws, rows, OVERVIEW_COLUMNS, f"Erhebung MINT-Regionen {year}: Übersicht", rows_xml)
    missing = missing_networks(rows)
    _sheet(wb.create_sheet("Fehlt noch"), missing,
           ("Netzwerk-ID", "Netzwerk", "Bundesland", "Vorjahr beantwortet", "E-Mail", "Letzte Erinnerung",
            "Bemerkung"), f"Erhebung MINT-Regionen {year}: fehlt noch", rows_xml)
    _sheet(wb.create_sheet("Einsendungen"), history, HISTORY_COLUMNS,
           f"Erhebung MINT-Regionen {year}: alle Einsendungen", rows_xml)
    _counts_sheet(wb.create_sheet("Zahlen"), rows, year)
    return wb


def _write_workbook(out: Path, year: int, rows: list[dict], history: list[dict], digest: str) -> None:
    # with lxml installed openpyxl writes through lxml, whose XML the rows would have to match instead
    parts: list[_SheetRows] | None = None if openpyxl.LXML else []
    wb = _workbook(year, rows, history, digest, parts)
    sheets = {f"xl/worksheets/sheet{wb.sheetnames.index(p.title) + 1}.xml": p for p in parts or ()}
    with atomic_path(out) as tmp:
        if not sheets:
            wb.save(tmp)
            return
        saved = io.BytesIO()
        wb.save(saved)
        _write_rows(saved, sheets, tmp)
