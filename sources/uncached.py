"""Formulas in input cells whose result was never saved (python-calamine reads them as empty).

Excel and LibreOffice store each formula's last result next to it (`<v>`); files written by
scripts (openpyxl, some converters) store the formula only. calamine cannot tell such a cell
from an empty one, so `uncached_input_cells` looks at the sheet XML itself: `<c>` elements with
an `<f>` child and no (or an empty) `<v>`, in input cells of the layout, leaving out the
template's own Kreis formulas (`schemas.template.is_template_formula`).

Cheap by construction: the file already passed `sources.safety` (sizes, ratios, no DTD), which
hands over the parts it inflated anyway (`parts`, see `safety.Kept`), so the zip is opened again
only for a part it did not keep; only the sheets of the layout are looked at, and a sheet whose
bytes hold no formula without a filled `<v>` (every sheet Excel or LibreOffice saved) is never
parsed. A sheet that does hold one (every workbook made from the template: its Kreis formulas
are saved without results) is first read by a targeted scan (`_formula_cells_fast`): expat
checks that the sheet is well-formed XML without building anything, then one regular expression
finds the formula cells and only those are looked at. Whenever that scan cannot account for
every `<f>` of the sheet, or a value it needs would have to be decoded (entity references, line
ends), the sheet is parsed in full with defusedxml's streaming iterparse
(`_formula_cells_full`), every finished element cleared. Both give the same cells
(tests/test_uncached.py compares them).
"""

from __future__ import annotations

import contextlib
import functools
import io
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping
from xml.parsers import expat

from defusedxml.ElementTree import fromstring, iterparse

from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import is_template_formula

_CELL = re.compile(r"([A-Z]{1,3})(\d+)")
# A formula not followed by a filled <v>: a superset of what the exact check below looks for.
_UNCACHED = re.compile(rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(?!<(?:\w+:)?v>[^<])")

# --- the targeted scan: regular expressions over a well-formed sheet without comments, CDATA,
# processing instructions or DTD, where every "<" starts a tag and no attribute value holds "<".
_ATTRS = rb"((?:[ \t\r\n]+[^ \t\r\n<>/=]+[ \t\r\n]*=[ \t\r\n]*(?:\"[^\"<]*\"|'[^'<]*'))*)[ \t\r\n]*"


def _element(local: bytes, qname: int) -> bytes:
    """An element with an optional prefix, no children: qname, attributes and text as groups
    (`qname` is the number of its qname group, for the end tag)."""
    return (rb"<((?:[^ \t\r\n<>/:]+:)?" + local + rb")" + _ATTRS
            + rb"(?:/>|>([^<]*)</\%d[ \t\r\n]*>)" % qname)


# A <c> whose children are exactly <f> or <f><v>: groups 1-2 the cell (qname, attributes),
# 3-5 the formula (qname, attributes, text; None for <f/>), 6-8 the value (None when absent).
_FORMULA_CELL = re.compile(rb"<((?:[^ \t\r\n<>/:]+:)?c)" + _ATTRS + rb">[^<]*"
                           + _element(rb"f", 3) + rb"[^<]*"
                           + rb"(?:" + _element(rb"v", 6) + rb"[^<]*)?"
                           + rb"</\1[ \t\r\n]*>")
# Every start tag with the local name f (the prefix part is wider than XML allows: more to account for).
_ANY_FORMULA = re.compile(rb"<(?:[^ \t\r\n<>/]*:)?f[ \t\r\n/>]")
_ATTR = re.compile(rb"([^ \t\r\n<>/=]+)[ \t\r\n]*=[ \t\r\n]*(?:\"([^\"]*)\"|'([^']*)')")
_XML_DECL = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[ \t\r\n][^?]*\?>")
_ENCODING = re.compile(rb"encoding[ \t\r\n]*=[ \t\r\n]*[\"']([^\"']*)[\"']")
_UNDECIDED = object()   # a value only a full parse can give (entity references, line ends)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_BOOK, _BOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"


def wanted_part(name: str) -> bool:
    """The zip entries `uncached_input_cells` reads (for `sources.safety.Kept`): the workbook part,
    its relationships and the worksheets where spreadsheet programs put them."""
    return name in (_BOOK, _BOOK_RELS) or (name.startswith("xl/worksheets/") and name.endswith(".xml"))


def _members_of(book_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    """(sheet name, zip member) pairs from xl/workbook.xml and its relationships."""
    book = fromstring(book_xml, forbid_dtd=True)
    rels = fromstring(rels_xml, forbid_dtd=True)
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
    return tuple(members.items())


# Files made from one template share both parts byte for byte: parsed once (small parts only).
_members_cached = functools.lru_cache(maxsize=32)(_members_of)
_CACHED_PARTS_BYTES = 64 * 1024


def _sheet_members(read: Callable[[str], bytes]) -> dict[str, str]:
    """Sheet name → zip member of its XML, from xl/workbook.xml and its relationships."""
    book_xml, rels_xml = read(_BOOK), read(_BOOK_RELS)
    small = len(book_xml) + len(rels_xml) <= _CACHED_PARTS_BYTES
    return dict((_members_cached if small else _members_of)(book_xml, rels_xml))


def _input_places(lay: q.Layout, sheet_name: str) -> tuple[dict[str, q.Place], dict[str, q.Place]]:
    """(form cells by address, table columns by letter) of the sheet's input cells."""
    places = lay.fields_of(sheet_name)
    if q.SHEET_BY_NAME[sheet_name].kind == "form":
        return {p.cell(): p for p in places}, {}
    return {}, {p.column_letter: p for p in places}


def _formula_cells_full(data: bytes) -> Iterator[tuple[str, str]]:
    """(address, formula text) of every `<c>` with an `<f>` and no saved result, in document order:
    the sheet parsed in full (raises for XML that is not well-formed)."""
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
        if formula is not None and (value is None or (not value.text and el.get("t") != "str")):
            yield el.get("r", ""), formula.text or ""
        el.clear()


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    """The attributes of a start tag (as written, names with their prefix)."""
    return {key: double or single for key, double, single in _ATTR.findall(raw)}


def _decoded(raw: bytes | None) -> str | None | object:
    """An attribute value as the parser gives it, None when absent, _UNDECIDED when the raw value
    holds a reference or a character the parser normalises (tab, line ends)."""
    if raw is None:
        return None
    if b"&" in raw or b"\t" in raw or b"\r" in raw or b"\n" in raw:
        return _UNDECIDED
    return raw.decode("utf-8")


def _plain_utf8_xml(data: bytes) -> bool:
    """UTF-8 XML in which every "<" after the declaration starts a tag: no comments, CDATA,
    processing instructions or DTD, and expat (namespaces on, as in iterparse) finds it
    well-formed."""
    if b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16/32
    decl = _XML_DECL.match(data)
    start = 0
    if decl is not None:
        enc = _ENCODING.search(decl.group(0))
        if enc is not None and enc.group(1).lower() != b"utf-8":
            return False
        start = decl.end()
    if data.find(b"<!") >= 0 or data.find(b"<?", start) >= 0:
        return False
    parser = expat.ParserCreate(None, "}")
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return False
    return True


def _formula_cells_fast(data: bytes) -> list[tuple[str, str | object]] | None:
    """What `_formula_cells_full` gives, without building elements; None when the scan cannot be
    sure (then parse in full). A formula text is _UNDECIDED when only the parser can decode it."""
    if not _plain_utf8_xml(data):
        return None
    cells: list[tuple[str, str | object]] = []
    n = 0
    for m in _FORMULA_CELL.finditer(data):
        n += 1
        value_qname, value_text = m.group(6), m.group(8)
        if value_qname is not None and value_text:
            continue  # a saved result (any character, entity references included, is one)
        attrs = _attrs(m.group(2))
        if value_qname is not None:
            t = _decoded(attrs.get(b"t"))
            if t is _UNDECIDED:
                return None
            if t == "str":
                continue  # a saved empty text
        address = _decoded(attrs.get(b"r"))
        if address is _UNDECIDED:
            return None
        text = m.group(5) or b""
        formula = _UNDECIDED if b"&" in text or b"\r" in text else text.decode("utf-8")
        cells.append((address or "", formula))
    if n != len(_ANY_FORMULA.findall(data)):
        return None  # an <f> elsewhere, or a cell with other children: only a full parse knows
    return cells


# The template's 40 Kreis formulas recur in every workbook made from it (short ones cached).
_is_template_formula = functools.lru_cache(maxsize=4096)(is_template_formula)
_CACHED_FORMULA_CHARS = 256


def _input_hits(sheet_name: str, cells: Iterable[tuple[str, str | object]], form: dict[str, q.Place],
                columns: dict[str, q.Place]) -> list[tuple[str, str, q.Place]] | None:
    """(sheet, cell, place) of the cells that are input cells and not the template's formulas;
    None when an input cell's formula text is _UNDECIDED."""
    last_row = q.FIRST_DATA_ROW + q.MAX_TABLE_ROWS
    found = []
    for address, formula in cells:
        place = form.get(address)
        m = _CELL.fullmatch(address)
        if place is None and columns and m and q.FIRST_DATA_ROW <= int(m.group(2)) <= last_row:
            place = columns.get(m.group(1))
        if place is None:
            continue
        if formula is _UNDECIDED:
            return None
        template = (_is_template_formula if len(formula) <= _CACHED_FORMULA_CHARS
                    else is_template_formula)(sheet_name, address, formula)
        if not template:
            found.append((sheet_name, address, place))
    return found


def uncached_input_cells(path: Path, lay: q.Layout,
                         parts: Mapping[str, bytes] | None = None) -> list[tuple[str, str, q.Place]]:
    """(sheet, cell, place) of every input cell holding a formula without a saved result.

    `parts`: entries of the file already inflated and verified (`sources.safety.Kept`); the
    zip is opened only for an entry not among them."""
    found: list[tuple[str, str, q.Place]] = []
    with contextlib.ExitStack() as stack:
        zf: zipfile.ZipFile | None = None

        def read(name: str) -> bytes:
            nonlocal zf
            data = parts.get(name) if parts else None
            if data is None:
                if zf is None:
                    zf = stack.enter_context(zipfile.ZipFile(path))
                data = zf.read(name)
            return data

        members = _sheet_members(read)
        for sheet_name in lay.sheets:
            member = members.get(sheet_name)
            if member is None:
                continue
            data = read(member)
            if not _UNCACHED.search(data):
                continue  # no formula without a saved result (files saved by Excel or LibreOffice)
            form, columns = _input_places(lay, sheet_name)
            cells = _formula_cells_fast(data)
            hits = None if cells is None else _input_hits(sheet_name, cells, form, columns)
            if hits is None:
                hits = _input_hits(sheet_name, _formula_cells_full(data), form, columns)
            found.extend(hits)
    return found
