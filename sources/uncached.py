"""Formulas in input cells whose result was never saved (python-calamine reads them as empty).

Excel and LibreOffice store each formula's last result next to it (`<v>`); files written by
scripts (openpyxl, some converters) store the formula only. calamine cannot tell such a cell
from an empty one, so `uncached_input_cells` looks at the sheet XML itself: `<c>` elements with
an `<f>` child and no (or an empty) `<v>`, in input cells of the layout, leaving out the
template's own Kreis formulas (`schemas.template.is_template_formula`).

Cheap by construction: the file already passed `sources.safety` (sizes, ratios, no DTD); only
the sheets of the layout are opened, a sheet whose bytes hold no formula without a filled `<v>`
(every sheet Excel or LibreOffice saved) is never parsed,
and the parse is defusedxml's streaming iterparse with every finished element cleared.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml.ElementTree import fromstring, iterparse

from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import is_template_formula

_CELL = re.compile(r"([A-Z]{1,3})(\d+)")
# A formula not followed by a filled <v>: a superset of what the exact check below looks for.
_UNCACHED = re.compile(rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(?!<(?:\w+:)?v>[^<])")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member of its XML, from xl/workbook.xml and its relationships."""
    book = fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
    rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    targets = {r.get("Id"): r.get("Target", "") for r in rels if _local(r.tag) == "Relationship"}
    members = {}
    for el in book.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
        target = targets.get(rid)
        if target:
            members[el.get("name")] = (target.lstrip("/") if target.startswith("/")
                                       else posixpath.normpath(posixpath.join("xl", target)))
    return members


def _input_places(lay: q.Layout, sheet_name: str) -> tuple[dict[str, q.Place], dict[str, q.Place]]:
    """(form cells by address, table columns by letter) of the sheet's input cells."""
    places = lay.fields_of(sheet_name)
    if q.SHEET_BY_NAME[sheet_name].kind == "form":
        return {p.cell(): p for p in places}, {}
    return {}, {p.column_letter: p for p in places}


def uncached_input_cells(path: Path, lay: q.Layout) -> list[tuple[str, str, q.Place]]:
    """(sheet, cell, place) of every input cell holding a formula without a saved result."""
    found: list[tuple[str, str, q.Place]] = []
    last_row = q.FIRST_DATA_ROW + q.MAX_TABLE_ROWS
    with zipfile.ZipFile(path) as zf:
        members = _sheet_members(zf)
        for sheet_name in lay.sheets:
            member = members.get(sheet_name)
            if member is None:
                continue
            data = zf.read(member)
            if not _UNCACHED.search(data):
                continue  # no formula without a saved result (files saved by Excel or LibreOffice)
            form, columns = _input_places(lay, sheet_name)
            for _, el in iterparse(io.BytesIO(data), events=("end",), forbid_dtd=True):
                if _local(el.tag) != "c":
                    continue
                formula = value = None
                for child in el:
                    name = _local(child.tag)
                    if name == "f":
                        formula = child
                    elif name == "v":
                        value = child
                address = el.get("r", "")
                if formula is not None and (value is None or (not value.text and el.get("t") != "str")):
                    place = form.get(address)
                    m = _CELL.fullmatch(address)
                    if place is None and columns and m and q.FIRST_DATA_ROW <= int(m.group(2)) <= last_row:
                        place = columns.get(m.group(1))
                    if place is not None and not is_template_formula(sheet_name, address, formula.text or ""):
                        found.append((sheet_name, address, place))
                el.clear()
    return found
