"""The targeted formula scan gives what the full parse of a sheet gives, or steps aside.

`sources.uncached` looks for formulas without a saved result first with a scan over the sheet
bytes and parses the sheet in full only when that scan cannot account for every `<f>`. These
tests hold both readings side by side on crafted sheet XML and on workbooks made from the
template; the expected cells are written out here.
"""

from __future__ import annotations

import random

import pytest
from defusedxml.ElementTree import ParseError
from openpyxl import load_workbook

from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import write_workbook
from mint_census.sources import uncached
from mint_census.sources.uncached import _UNDECIDED, _formula_cells_fast, _formula_cells_full

from .conftest import full_answers

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
KREISE = [("05315", "Köln, Stadt", "Kreisfreie Stadt"), ("05316", "Leverkusen, Stadt", "Kreisfreie Stadt")]


def sheet(cells: str, *, prefix: str = "", decl: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
          extra: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    return (f'{decl}<{p}worksheet {xmlns}{extra}><{p}sheetData><{p}row r="5">{cells}</{p}row>'
            f"</{p}sheetData></{p}worksheet>").encode("utf-8")


def both(data: bytes):
    """(fast, full) readings of one sheet; fast is None when the scan stepped aside."""
    return _formula_cells_fast(data), list(_formula_cells_full(data))


def assert_same(data: bytes, *, fast_path: bool = True):
    fast, full = both(data)
    if not fast_path:
        assert fast is None
        return full
    assert fast is not None, "the scan stepped aside"
    assert [a for a, _ in fast] == [a for a, _ in full]
    assert all(f is _UNDECIDED or f == g for (_, f), (_, g) in zip(fast, full))
    return full


@pytest.mark.parametrize("cells, expected", [
    # a formula without <v>, with an empty <v/>, with <v></v>: no saved result
    ('<c r="A5"><f>1+1</f></c>', [("A5", "1+1")]),
    ('<c r="A5" s="5"><f>1+1</f><v /></c>', [("A5", "1+1")]),
    ('<c r="A5"><f>1+1</f><v></v></c>', [("A5", "1+1")]),
    # a saved result, a saved empty text (t="str"), a saved number without type
    ('<c r="A5"><f>1+1</f><v>2</v></c>', []),
    ('<c r="A5" t="str"><f>""</f><v/></c>', []),
    ('<c r="A5" t="str"><f>""</f><v></v></c>', []),
    ('<c r="A5" t="n"><f>1+1</f><v/></c>', [("A5", "1+1")]),
    ('<c r="A5"><f>1</f><v> </v></c>', []),
    ('<c r="A5"><f>1</f><v>&#48;</v></c>', []),
    # self-closing <f/> (a shared formula's other cells) and the shared formula itself
    ('<c r="A5"><f t="shared" ref="A5:A7" si="0">B5*2</f></c><c r="A6"><f t="shared" si="0"/></c>'
     '<c r="A7"><f t="shared" si="0" /><v>4</v></c>', [("A5", "B5*2"), ("A6", "")]),
    # inline strings and plain values around formulas
    ('<c r="B5" t="inlineStr"><is><t>Köln</t></is></c><c r="A5"><f>B5</f></c><c r="C5"><v>3</v></c>',
     [("A5", "B5")]),
    # attribute values holding ">" and "/>", single quotes, spaces around "="
    ("<c r = 'A5' foo=\"a>b/>\"  ><f ref='x>y'>1</f><v/></c>", [("A5", "1")]),
    # text between the children of a cell
    ('<c r="A5">\n  <f>1</f>\n  <v/>\n</c>', [("A5", "1")]),
    # no r attribute
    ('<c><f>1</f></c>', [("", "1")]),
    # text the parser decodes: "&" and quotes in the formula; only a full parse gives its text
    ('<c r="A5"><f>A1&amp;"x"</f></c>', [("A5", 'A1&"x"')]),
    ('<c r="A5"><f>"a&gt;b"</f></c>', [("A5", '"a>b"')]),
    ('<c r="A5"><f>IF(B5&lt;&gt;"","",1)</f><v/></c>', [("A5", 'IF(B5<>"","",1)')]),
    ('<c r="A5"><f>"&#228;"</f></c>', [("A5", '"ä"')]),
    ('<c r="A5"><f>"Köln"</f></c>', [("A5", '"Köln"')]),
    ('<c r="A5"><f>1+\r\n2</f></c>', [("A5", "1+\n2")]),
])
def test_crafted_cells_read_alike(cells, expected):
    for prefix in ("", "x"):
        p = f"{prefix}:" if prefix else ""
        data = sheet(cells.replace("<c", f"<{p}c").replace("</c>", f"</{p}c>")
                     .replace("<f", f"<{p}f").replace("</f>", f"</{p}f>")
                     .replace("<v", f"<{p}v").replace("</v>", f"</{p}v>")
                     .replace("<is>", f"<{p}is>").replace("</is>", f"</{p}is>")
                     .replace("<t>", f"<{p}t>").replace("</t>", f"</{p}t>"), prefix=prefix)
        assert assert_same(data) == expected


def test_undecoded_formula_text_only_matters_in_an_input_cell():
    lay = q.layout("2025.1")
    form, columns = uncached._input_places(lay, q.S_NET)
    address = next(iter(form))
    fast = _formula_cells_fast(sheet(f'<c r="{address}"><f>A1&amp;"x"</f></c><c r="Z99"><f>B&amp;C</f></c>'))
    assert [a for a, _ in fast] == [address, "Z99"] and fast[0][1] is _UNDECIDED
    assert uncached._input_hits(q.S_NET, fast, form, columns) is None          # an input cell: parse in full
    assert uncached._input_hits(q.S_NET, fast[1:], form, columns) == []        # elsewhere: no matter


@pytest.mark.parametrize("cells", [
    '<c r="A5"><v>1</v><f>1</f></c>',                       # <f> not the first child
    '<c r="A5"><f>1</f><is><t>x</t></is></c>',              # other children
    '<c r="A5"><f>1</f><v>2</v><extLst/></c>',
    '<c r="A5"><f>1</f><f>2</f></c>',                       # two formulas
    '<c r="A5"><f>1</f><v/><v>1</v></c>',                   # two values
    '<c r="A5"><is><f>1</f></is></c>',                      # an <f> that is not a cell's child
    '<c r="A5"><f>1<b/></f></c>',                           # a child in the formula
    '<c r="A5"><f>1</f><v>1<b/></v></c>',
    '<c r="A5" t="s&#116;r"><f>1</f><v/></c>',              # attribute values the parser decodes
    '<c r="A&#53;"><f>1</f></c>',
    '<c r="A5\n"><f>1</f></c>',
    '<c r="A5"><!-- note --><f>1</f></c>',                  # a comment
    '<c r="A5"><f><![CDATA[1+1]]></f></c>',                  # CDATA
    '<c r="A5"><?pi x?><f>1</f></c>',                        # a processing instruction
])
def test_what_the_scan_cannot_account_for_goes_to_the_full_parse(cells):
    data = sheet(cells)
    assert _formula_cells_fast(data) is None
    list(_formula_cells_full(data))  # well-formed: the full parse reads it


def test_declarations_below_the_root_read_alike():
    """Only local names count: a prefix declared on a row or on the formula itself changes nothing."""
    data = sheet('<c r="A5"><f>1</f></c><z:c r="B5"><y:f xmlns:y="urn:other">2</y:f><z:v/></z:c>',
                 extra=' xmlns:y="urn:y"').replace(b'<row r="5">', b'<row r="5" xmlns:z="urn:z">')
    assert assert_same(data) == [("A5", "1"), ("B5", "2")]


@pytest.mark.parametrize("data", [
    sheet('<c r="A5"><f>1</f></c>', decl='<?xml version="1.0" encoding="UTF-16"?>').decode().encode("utf-16"),
    sheet('<c r="A5"><f>1</f></c>', decl="").decode().encode("utf-16"),
    sheet('<c r="A5"><f>"\xe4"</f></c>', decl='<?xml version="1.0" encoding="ISO-8859-1"?>').decode()
    .encode("latin-1"),
    sheet('<c r="A5"><f>1</f></c>', decl='<?xml version="1.0" encoding="us-ascii"?>'),
])
def test_other_encodings_go_to_the_full_parse(data):
    fast, full = both(data)
    assert fast is None and [a for a, _ in full] == ["A5"]


def test_utf8_with_bom_and_without_declaration():
    assert assert_same(b"\xef\xbb\xbf" + sheet('<c r="A5"><f>1</f></c>')) == [("A5", "1")]
    assert assert_same(sheet('<c r="A5"><f>1</f></c>', decl="")) == [("A5", "1")]
    assert assert_same(sheet('<c r="A5"><f>1</f></c>', decl="<?xml version='1.0' encoding='utf-8'?>")) \
        == [("A5", "1")]


@pytest.mark.parametrize("broken", [
    sheet('<c r="A5"><f>1</f></c>')[:-5],                     # truncated
    sheet('<c r="A5"><f>1</f></c><c r="B5"><v>1</c>'),        # mismatched tag
    sheet('<c r="A5"><f>1</f></c><c r="B5"><v>&nbsp;</v></c>'),  # undefined entity
    sheet('<c r="A5"><f>1</f></c><p:c r="B5"/>'),              # unbound prefix
    sheet('<c r="A5" r="A6"><f>1</f></c>'),                   # duplicate attribute
])
def test_xml_that_is_not_well_formed_fails_as_before(broken):
    """The full parse raised for such a sheet (the caller then adds no hint); so does the scan's
    fallback, whatever the scan found before the broken part."""
    assert _formula_cells_fast(broken) is None
    with pytest.raises(ParseError):
        list(_formula_cells_full(broken))


def test_random_sheets_read_alike():
    """Cells put together at random from the pieces above: whenever the scan answers, it answers
    what the full parse answers."""
    rng = random.Random(14)
    pieces = ['<c r="{a}"><f>{t}</f></c>', '<c r="{a}" s="5"><f>{t}</f><v /></c>', '<c r="{a}"><f>{t}</f><v>7</v></c>',
              '<c r="{a}" t="str"><f>{t}</f><v></v></c>', '<c r="{a}"><f t="shared" si="0"/></c>',
              '<c r="{a}" t="inlineStr"><is><t>x</t></is></c>', '<c r="{a}"><v>3</v></c>', '<c r="{a}"/>',
              '<c r="{a}"><f>{t}</f>\n<v/></c>', "<c r='{a}' t='e'><f>{t}</f><v>#N/A</v></c>"]
    texts = ["1+1", 'IF(B5="","",1)', "A1&amp;B1", "", "SUM(A1:A3)>2"]
    answered = 0
    for _ in range(300):
        cells = "".join(rng.choice(pieces).format(a=f"{rng.choice('ABC')}{rng.randint(5, 9)}", t=rng.choice(texts))
                        for _ in range(rng.randint(0, 8)))
        prefix = rng.choice(["", "x"])
        if prefix:
            cells = cells.replace("<c", "<x:c").replace("</c>", "</x:c>").replace("<f", "<x:f").replace(
                "</f>", "</x:f>").replace("<v", "<x:v").replace("</v>", "</x:v>").replace(
                "<is>", "<x:is>").replace("</is>", "</x:is>").replace("<t>", "<x:t>").replace("</t>", "</x:t>")
        fast, full = both(sheet(cells, prefix=prefix))
        if fast is not None:
            answered += 1
            assert [a for a, _ in fast] == [a for a, _ in full]
            assert all(f is _UNDECIDED or f == g for (_, f), (_, g) in zip(fast, full))
    assert answered == 300


def _full_only(monkeypatch):
    monkeypatch.setattr(uncached, "_formula_cells_fast", lambda data: None)


def test_a_template_workbook_reads_alike(tmp_path, monkeypatch):
    """A workbook as the template makes it (its 40 Kreis formulas saved without results) and one
    in which a coordinator typed formulas: the scan finds the same cells as the full parse."""
    path = write_workbook(tmp_path / "a.xlsx", 2025, "MR-001", full_answers(), kreise=KREISE)
    lay = q.layout("2025.1")
    wb = load_workbook(path)
    wb["Netzwerk"]["B14"] = "=10+12"
    wb["Gebiet"]["A6"] = "=B6&\"x\""                          # an input cell with a formula of its own
    wb["Gebiet"]["A7"] = "=IF(B7=\"\",\"\",1)"
    wb.save(tmp_path / "b.xlsx")
    calls = []
    real = uncached._formula_cells_fast
    monkeypatch.setattr(uncached, "_formula_cells_fast", lambda data: calls.append(real(data)) or calls[-1])
    fast_a = uncached.uncached_input_cells(path, lay)
    fast_b = uncached.uncached_input_cells(tmp_path / "b.xlsx", lay)
    # the scan answers for a's Gebiet sheet, b's Netzwerk and Gebiet sheets (where A6 then needs the full parse)
    assert [len(c) for c in calls] == [40, 1, 40]
    _full_only(monkeypatch)
    full_a = uncached.uncached_input_cells(path, lay)
    full_b = uncached.uncached_input_cells(tmp_path / "b.xlsx", lay)
    assert fast_a == full_a == []
    assert [(s, c) for s, c, _ in fast_b] == [(s, c) for s, c, _ in full_b] \
        == [("Netzwerk", "B14"), ("Gebiet", "A6"), ("Gebiet", "A7")]
    assert [p.field.key for _, _, p in fast_b] == ["volunteers", "kreis_code", "kreis_code"]


def test_entries_handed_over_by_the_safety_check_read_alike(tmp_path):
    """read_workbook hands the sheets inflated by the safety check to the scan: same cells; an
    entry not handed over is read from the file."""
    from mint_census.sources.safety import Kept, inspect_file
    path = write_workbook(tmp_path / "a.xlsx", 2025, "MR-001", full_answers(), kreise=KREISE)
    wb = load_workbook(path)
    wb["Netzwerk"]["B14"] = "=10+12"
    wb.save(path)
    lay = q.layout("2025.1")
    keep = Kept(wanted=uncached.wanted_part)
    assert inspect_file(path, keep=keep) == []
    assert {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"} <= set(keep.parts)
    assert sum(n.startswith("xl/worksheets/") for n in keep.parts) == len(wb.sheetnames)
    expected = [("Netzwerk", "B14")]
    assert [(s, c) for s, c, _ in uncached.uncached_input_cells(path, lay)] == expected
    assert [(s, c) for s, c, _ in uncached.uncached_input_cells(path, lay, keep.parts)] == expected
    some = {n: b for n, b in keep.parts.items() if not n.endswith(("sheet2.xml", ".rels"))}
    assert [(s, c) for s, c, _ in uncached.uncached_input_cells(path, lay, some)] == expected
