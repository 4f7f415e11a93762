"""Reading survey workbooks with python-calamine, keeping every value's sheet and cell.

`read_workbook` never raises for a bad file: whatever is wrong becomes a Finding.
It first lets `sources.safety` look at the bytes (encrypted, macro, zip bomb, XML
bomb, not an xlsx at all …), then reads the hidden meta sheet to learn the template
version, maps that version's layout onto the declared fields and collects the raw
cells. Typing and validation happen later, for all workbooks of a batch at once.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine

from mint_census.schemas import questionnaire as q
from mint_census.schemas.findings import WARNING, Finding
from mint_census.schemas.messages import PERSONAL_PLACEHOLDER, file_finding
from .safety import Kept, inspect_file
from .uncached import uncached_input_cells, wanted_part
from .values import raw_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawCell:
    sheet: str
    cell: str                # A1 address
    field_key: str
    row: int | None          # table sheets: sheet row number of the item; form sheets: None
    value: Any               # as calamine returned it

    @property
    def text(self) -> str | None:
        """The value as a coordinator reads it (what raw.cells keeps), None for an empty cell."""
        return raw_text(self.value) if self.value is not None else None


@dataclass
class RawWorkbook:
    path: Path
    file_name: str
    sha256: str
    size: int
    template_version: str | None = None
    census_year: int | None = None
    network_id: str | None = None
    cells: list[RawCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """True when the layout could be mapped (cells may still hold bad values)."""
        return not any(f.is_error for f in self.findings)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _norm_label(value: Any) -> str:
    return " ".join(raw_text(value).replace("*", " ").split()).casefold()


@functools.lru_cache(maxsize=1024)
def _norm_expected(label: str) -> str:
    """A layout's label as compared (the same few hundred labels for every workbook read)."""
    return _norm_label(label)


def _rows(book, name: str, nrows: int) -> list[list[Any]]:
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)


def _at(rows: list[list[Any]], row: int, col: int) -> Any:
    """Value at 1-based row/col, None for cells outside the used range or empty."""
    if row - 1 < len(rows) and col - 1 < len(rows[row - 1]):
        v = rows[row - 1][col - 1]
        return None if v == "" else v
    return None


def read_meta(book, wb: RawWorkbook) -> q.Layout | None:
    if q.META_SHEET not in book.sheet_names:
        wb.findings.append(file_finding("meta_missing", sheet=q.META_SHEET))
        return None
    rows = _rows(book, q.META_SHEET, 10)
    meta = {raw_text(r[0]).strip(): r[1] if len(r) > 1 else None for r in rows if r}
    version = raw_text(meta.get("template_version")).strip()
    year_text = raw_text(meta.get("census_year")).strip()
    wb.network_id = raw_text(meta.get("network_id")).strip() or None
    wb.template_version = version or None
    wb.census_year = int(year_text) if year_text.isdigit() else None
    if version not in q.TEMPLATE_VERSIONS:
        wb.findings.append(file_finding(
            "unknown_version", sheet=q.META_SHEET, cell="B1", found=version or None,
            expected=", ".join(q.TEMPLATE_VERSIONS), version=version or "leer", version_en=repr(version),
            known=", ".join(q.TEMPLATE_VERSIONS)))
        return None
    return q.layout(version)


def read_workbook(path: Path, *, file_name: str | None = None) -> RawWorkbook:
    path = Path(path)
    wb = RawWorkbook(path=path, file_name=file_name or path.name, sha256=sha256_of(path),
                     size=path.stat().st_size)
    kept = Kept(wanted=wanted_part)  # the sheets the formula scan reads, from the safety check's own pass
    wb.findings.extend(inspect_file(path, keep=kept))
    if wb.findings:
        return wb
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        wb.findings.append(file_finding("unreadable:calamine", detail=f"{type(exc).__name__}: {exc}"))
        return wb
    try:
        lay = read_meta(book, wb)
        if lay is not None:
            _read_sheets(book, lay, wb)
            _uncached_formulas(path, lay, wb, kept.parts)
    except Exception as exc:  # a file that passes the checks but breaks the reader
        log.exception("unexpected error while reading %s", wb.file_name)
        wb.findings.append(file_finding("unreadable:reader", detail=f"{type(exc).__name__}: {exc}"))
    finally:
        book.close()
    return wb


def _read_sheets(book, lay: q.Layout, wb: RawWorkbook) -> None:
    names = set(book.sheet_names)
    known = set(lay.sheets) | {q.META_SHEET, q.LISTS_SHEET, q.COVER_SHEET, q.REPORT_SHEET}
    for extra in sorted(names - known):
        wb.findings.append(file_finding("extra_sheet", severity=WARNING, sheet=extra))
    for sheet_name in lay.sheets:
        if sheet_name not in names:
            wb.findings.append(file_finding("sheet_missing", sheet=sheet_name))
            continue
        sheet = q.SHEET_BY_NAME[sheet_name]
        places = lay.fields_of(sheet_name)
        if sheet.kind == "form":
            _read_form(book, sheet_name, places, wb)
        else:
            _read_table(book, sheet_name, places, wb)


def _uncached_formulas(path: Path, lay: q.Layout, wb: RawWorkbook, parts: dict[str, bytes] | None = None) -> None:
    """A hint per input cell whose formula has no saved result (calamine read it as empty)."""
    try:
        hits = uncached_input_cells(path, lay, parts)
    except Exception as exc:  # the scan only adds hints: it never makes a file unreadable
        log.warning("formula scan of %s skipped: %s", wb.file_name, type(exc).__name__)
        return
    for sheet, cell, place in hits:
        wb.findings.append(file_finding("formula_uncached", severity=WARNING, sheet=sheet, cell=cell,
                                        field_key=place.field.key, field_label=place.label,
                                        label=place.label))


def _label_mismatch(sheet: str, cell: str, place: q.Place, found: Any) -> Finding:
    """A label not where the layout has it. On a sheet with personal fields (Kontakt) what stands
    there may be a name, an e-mail or a phone number that moved: it is never quoted."""
    personal = any(f.personal for f in q.SHEET_BY_NAME[sheet].fields)
    shown = PERSONAL_PLACEHOLDER if personal and found is not None else raw_text(found)
    return file_finding("layout_changed", sheet=sheet, cell=cell, field_key=place.field.key,
                        field_label=place.label, found=shown, expected=place.label,
                        label=place.label)


def _read_form(book, sheet_name: str, places: list[q.Place], wb: RawWorkbook) -> None:
    last = max(p.row for p in places)
    rows = _rows(book, sheet_name, last)
    for p in places:
        label = _at(rows, p.row, q.FORM_LABEL_COL)
        if _norm_label(label) != _norm_expected(p.label):
            wb.findings.append(_label_mismatch(sheet_name, f"A{p.row}", p, label))
            continue
        wb.cells.append(RawCell(sheet_name, p.cell(), p.field.key, None,
                                _at(rows, p.row, p.col)))


def _read_table(book, sheet_name: str, places: list[q.Place], wb: RawWorkbook) -> None:
    cap = q.FIRST_DATA_ROW + q.MAX_TABLE_ROWS
    rows = _rows(book, sheet_name, cap + 1)
    ok_places = []
    for p in places:
        label = _at(rows, q.HEADER_ROW, p.col)
        if _norm_label(label) != _norm_expected(p.label):
            wb.findings.append(_label_mismatch(sheet_name, f"{p.column_letter}{q.HEADER_ROW}", p, label))
        else:
            ok_places.append(p)
    if len(rows) > cap:
        wb.findings.append(file_finding("too_many_rows", sheet=sheet_name, limit=q.MAX_TABLE_ROWS))
        return
    for r in range(q.FIRST_DATA_ROW, len(rows) + 1):
        values = [(p, _at(rows, r, p.col)) for p in ok_places]
        if all(v is None or (isinstance(v, str) and not v.strip()) for _, v in values):
            continue
        for p, v in values:
            wb.cells.append(RawCell(sheet_name, p.cell(r), p.field.key, r, v))
