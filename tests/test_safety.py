"""sources.safety: every kind of hostile or wrong file is built here, small and fast."""

from __future__ import annotations

import dataclasses

import io
import os
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from mint_census.schemas.findings import ERROR
from mint_census.sources.safety import (
    CODES,
    DEFAULT_LIMITS,
    OLE2_MAGIC,
    Kept,
    Limits,
    assert_defusedxml_active,
    inspect_file,
    safe_filename,
)

MiB = 1 << 20


# --------------------------------------------------------------------------- builders

def make_xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Angaben"
    ws["A1"], ws["B1"] = "Name des Netzwerks", "MINT-Region Süd"
    ws["A2"], ws["B2"] = "Anzahl Schulen", 12
    wb.create_sheet("_meta")["A1"] = "template_version"
    wb.save(path)
    return path


def rezip(src: Path, dst: Path, *, replace: dict[str, bytes | None] | None = None,
          add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, replacing (or dropping, value None) and adding entries."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    zout.writestr(info.filename, replace[info.filename])
            else:
                zout.writestr(info.filename, zin.read(info))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def make_zip(path: Path, entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


def code_of(findings) -> str:
    assert findings, "expected a finding"
    assert all(f.severity == ERROR for f in findings)
    return findings[0].code


def assert_german(finding) -> None:
    assert finding.message_de.strip()
    assert "Datei" in finding.message_de and "Bitte" in finding.message_de, finding.message_de
    assert finding.message_en.strip()


def single(findings, code: str):
    assert [f.code for f in findings] == [code], [(f.code, f.message_en) for f in findings]
    assert_german(findings[0])
    return findings[0]


@pytest.fixture()
def xlsx(tmp_path) -> Path:
    return make_xlsx(tmp_path / "good.xlsx")


def read_part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>
<sheet name="&lol9;" sheetId="1"/></sheets></workbook>"""

XXE_SHEET = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>
</worksheet>"""


# --------------------------------------------------------------------------- good file

def test_genuine_xlsx_is_clean(xlsx):
    assert inspect_file(xlsx) == []
    assert inspect_file(str(xlsx)) == []          # str paths are fine too


def test_genuine_xlsx_is_readable_by_calamine(xlsx):
    python_calamine = pytest.importorskip("python_calamine")
    book = python_calamine.CalamineWorkbook.from_path(str(xlsx))
    assert "Angaben" in book.sheet_names


def test_stored_xlsx_and_utf16_parts_without_dtd_are_clean(xlsx, tmp_path):
    dst = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(xlsx) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    assert inspect_file(dst) == []
    app = read_part(xlsx, "docProps/app.xml").decode("utf-8")
    app16 = app.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert inspect_file(rezip(xlsx, tmp_path / "u16.xlsx", replace={"docProps/app.xml": app16})) == []


def test_tiny_highly_compressible_xml_is_fine(xlsx, tmp_path):
    # 900 KiB of repetitive XML compresses > 200:1 but stays below the 1 MiB ratio floor
    filler = b"<?xml version=\"1.0\"?><x>" + b"<a/>" * (900 * 1024 // 4) + b"</x>"
    dst = rezip(xlsx, tmp_path / "filler.xlsx", add={"customXml/item1.xml": filler})
    assert inspect_file(dst) == []


# --------------------------------------------------------------------------- not a zip

def test_empty_file(tmp_path):
    p = tmp_path / "leer.xlsx"
    p.write_bytes(b"")
    f = single(inspect_file(p), "empty_file")
    assert "leer" in f.message_de


def test_encrypted_ole2(tmp_path):
    p = tmp_path / "kennwort.xlsx"
    p.write_bytes(OLE2_MAGIC + b"\x00" * 1016 + "EncryptionInfo".encode("utf-16-le")
                  + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 900)
    f = single(inspect_file(p), "encrypted")
    assert "Kennwort" in f.message_de


def test_encrypted_marker_across_chunk_boundary(tmp_path):
    p = tmp_path / "kennwort.xlsx"
    name = "EncryptedPackage".encode("utf-16-le")
    p.write_bytes(OLE2_MAGIC + b"\x00" * (MiB - len(OLE2_MAGIC) - 10) + name + b"\x00" * 100)
    single(inspect_file(p), "encrypted")


def test_legacy_xls(tmp_path):
    p = tmp_path / "alt.xlsx"
    p.write_bytes(OLE2_MAGIC + b"\x00" * 1016 + "Workbook".encode("utf-16-le") + b"\x00" * 1000)
    f = single(inspect_file(p), "legacy_xls")
    assert ".xls" in f.message_de and "Speichern unter" in f.message_de


def test_pdf(tmp_path):
    p = tmp_path / "bogen.xlsx"
    p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    f = single(inspect_file(p), "pdf")
    assert "PDF" in f.message_de


@pytest.mark.parametrize("content, kind", [
    ("Netzwerk;Schulen;Jahr\nMINT-Region Süd;12;2025\n".encode("utf-8"), "CSV"),
    ("Netzwerk,Schulen\nNord,3\n".encode("utf-16"), "CSV"),
    (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "JPEG"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
     "Excel 2003"),
    (bytes(range(256)) * 4, "unbekannten Format"),
])
def test_not_xlsx_names_the_kind(tmp_path, content, kind):
    p = tmp_path / "bogen.xlsx"
    p.write_bytes(content)
    f = single(inspect_file(p), "not_xlsx")
    assert kind in f.message_de, f.message_de
    assert f.found


# --------------------------------------------------------------------------- zip: kinds

def test_ods(tmp_path):
    p = tmp_path / "bogen.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest/>')
    f = single(inspect_file(p), "ods")
    assert "OpenDocument" in f.message_de


def test_zip_without_workbook(tmp_path):
    p = make_zip(tmp_path / "archiv.xlsx", {"readme.txt": b"hallo", "data/a.xml": b"<a/>"})
    f = single(inspect_file(p), "not_a_workbook")
    assert "ZIP" in f.message_de


def test_docx_is_not_a_workbook(tmp_path):
    p = make_zip(tmp_path / "bericht.xlsx", {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="urn:w"/>'})
    f = single(inspect_file(p), "not_a_workbook")
    assert "Word" in f.message_de


def test_zipped_workbook_is_not_a_workbook(xlsx, tmp_path):
    p = make_zip(tmp_path / "gepackt.zip", {"Erhebungsbogen.xlsx": xlsx.read_bytes()})
    f = single(inspect_file(p), "not_a_workbook")
    assert "ungepackt" in f.message_de


# --------------------------------------------------------------------------- macros

def test_vba_project(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "makro.xlsx", add={"xl/vbaProject.bin": OLE2_MAGIC + b"\x00" * 100})
    f = single(inspect_file(p), "macro")
    assert "Makros" in f.message_de


def test_vba_project_any_case(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "makro.xlsx", add={"XL/VBAPROJECT.BIN": b"\x00" * 100})
    single(inspect_file(p), "macro")


def test_macro_enabled_content_type(xlsx, tmp_path):
    ct = read_part(xlsx, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    assert b"macroEnabled" in ct
    p = rezip(xlsx, tmp_path / "makro.xlsx", replace={"[Content_Types].xml": ct})
    single(inspect_file(p), "macro")


def test_xlsm_extension(xlsx, tmp_path):
    p = tmp_path / "bogen.xlsm"
    p.write_bytes(xlsx.read_bytes())
    single(inspect_file(p), "macro")


def test_excel4_macro_sheet(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "xlm.xlsx", add={
        "xl/macrosheets/sheet1.xml": b'<?xml version="1.0"?><xm:macrosheet xmlns:xm="urn:x"/>'})
    single(inspect_file(p), "macro")


# --------------------------------------------------------------------------- zip bombs

def test_zip_bomb_ratio_default_limits(xlsx, tmp_path):
    # 4 MiB of zeros deflate to ~4 KiB: ratio ~1000 > 200, entry > 1 MiB
    p = rezip(xlsx, tmp_path / "bombe.xlsx", add={"xl/media/zeros.bin": b"\x00" * (4 * MiB)})
    assert p.stat().st_size < 100_000
    f = single(inspect_file(p), "zip_bomb")
    assert "ratio" in f.message_en and "Sicherheitsgründen" in f.message_de


def test_zip_bomb_ratio_low_limit(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "bombe.xlsx", add={"xl/media/zeros.bin": b"\x00" * (200 * 1024)})
    assert inspect_file(p) == []
    limits = Limits(max_ratio=10, ratio_min_bytes=100 * 1024)
    single(inspect_file(p, limits), "zip_bomb")


def test_zip_bomb_too_many_entries(xlsx, tmp_path):
    n = len(zipfile.ZipFile(xlsx).infolist())
    f = single(inspect_file(xlsx, Limits(max_entries=n - 1)), "zip_bomb")
    assert "entries" in f.message_en
    assert inspect_file(xlsx, Limits(max_entries=n)) == []


def test_zip_bomb_many_entries_counted_before_zipfile(tmp_path):
    p = make_zip(tmp_path / "viele.xlsx", {f"x/{i}.txt": b"" for i in range(2100)})
    f = single(inspect_file(p), "zip_bomb")
    assert "more than 2000" in f.message_en


def test_zip_bomb_entry_and_total_size(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "gross.xlsx", add={"xl/media/a.bin": os.urandom(64 * 1024),
                                                  "xl/media/b.bin": os.urandom(64 * 1024)})
    assert inspect_file(p) == []
    assert "max_entry_bytes" in single(inspect_file(p, Limits(max_entry_bytes=60 * 1024)),
                                       "zip_bomb").message_en
    assert "max_total_bytes" in single(inspect_file(p, Limits(max_total_bytes=100 * 1024)),
                                       "zip_bomb").message_en


def test_zip_bomb_file_too_large(xlsx):
    f = single(inspect_file(xlsx, Limits(max_file_bytes=1000)), "zip_bomb")
    assert "KB" in f.message_de and "max_file_bytes" in f.message_en


def _patch_central_size(path: Path, name: bytes, new_size: int) -> None:
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack("<H", data[pos + 28:pos + 30])[0]
        if data[pos + 46:pos + 46 + n] == name:
            data[pos + 24:pos + 28] = struct.pack("<L", new_size)
            path.write_bytes(bytes(data))
            return
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError("entry not found")


def test_entry_inflating_beyond_declared_size(xlsx, tmp_path):
    # the central directory claims 1000 bytes; the stream inflates to 2 MiB
    p = rezip(xlsx, tmp_path / "luege.xlsx", add={"xl/media/x.bin": b"A" * (2 * MiB)})
    _patch_central_size(p, b"xl/media/x.bin", 1000)
    f = single(inspect_file(p), "zip_bomb")
    assert "declared" in f.message_en or "declares" in f.message_en


# --------------------------------------------------------------------------- XML entities

def test_billion_laughs_in_workbook_xml(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "lol.xlsx", replace={"xl/workbook.xml": BILLION_LAUGHS})
    f = single(inspect_file(p), "xml_entities")
    assert "xl/workbook.xml" in f.message_en


def test_xxe_in_sheet(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "xxe.xlsx", replace={"xl/worksheets/sheet1.xml": XXE_SHEET})
    f = single(inspect_file(p), "xml_entities")
    assert "sheet1.xml" in f.message_en


def test_doctype_in_rels_lowercase(xlsx, tmp_path):
    rels = b'<!doctype r SYSTEM "http://x/">' + read_part(xlsx, "_rels/.rels")
    p = rezip(xlsx, tmp_path / "rels.xlsx", replace={"_rels/.rels": rels})
    single(inspect_file(p), "xml_entities")


def test_doctype_in_utf16_part(xlsx, tmp_path):
    sheet16 = XXE_SHEET.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
    p = rezip(xlsx, tmp_path / "u16.xlsx", replace={"xl/worksheets/sheet1.xml": b"\xff\xfe" + sheet16})
    single(inspect_file(p), "xml_entities")


def test_doctype_after_long_comment(xlsx, tmp_path):
    # more than 4 KiB of comment before the DTD: the prolog walk still finds it
    sheet = XXE_SHEET.replace(b"?>\n", b"?>\n<!--" + b"x" * 10_000 + b"-->\n", 1)
    assert sheet.lower().find(b"<!doctype") > 4096
    p = rezip(xlsx, tmp_path / "lang.xlsx", replace={"xl/worksheets/sheet1.xml": sheet})
    single(inspect_file(p), "xml_entities")


def test_doctype_in_part_without_xml_name(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "bin.xlsx", add={"xl/worksheets/sheet9.bin": XXE_SHEET})
    single(inspect_file(p), "xml_entities")


def test_dtd_in_content_types(xlsx, tmp_path):
    ct = b"<!DOCTYPE Types>" + read_part(xlsx, "[Content_Types].xml")
    p = rezip(xlsx, tmp_path / "ct.xlsx", replace={"[Content_Types].xml": ct})
    single(inspect_file(p), "xml_entities")


@pytest.mark.parametrize("part, doc", [("xl/workbook.xml", BILLION_LAUGHS),
                                       ("[Content_Types].xml", XXE_SHEET)])
def test_defusedxml_second_line_of_defence(xlsx, tmp_path, monkeypatch, part, doc):
    # with the cheap byte checks switched off, the defusedxml parse still rejects the DTD
    import mint_census.sources.safety as safety
    monkeypatch.setattr(safety, "_dtd_in_head", lambda head: False)
    monkeypatch.setattr(safety, "_prolog_problem", lambda head, complete, strict: None)
    p = rezip(xlsx, tmp_path / "dtd.xlsx", replace={part: doc})
    f = single(inspect_file(p), "xml_entities")
    assert "defusedxml DTDForbidden" in f.message_en


# --------------------------------------------------------------------------- damaged zips

def test_truncated_zip(xlsx, tmp_path):
    data = xlsx.read_bytes()
    p = tmp_path / "abgebrochen.xlsx"
    p.write_bytes(data[: len(data) // 2])
    f = single(inspect_file(p), "corrupt_zip")
    assert "beschädigt" in f.message_de


def test_crc_mismatch(tmp_path):
    p = make_zip(tmp_path / "crc.xlsx", {"xl/workbook.xml": b"<workbook>" + b"A" * 200 + b"</workbook>"},
                 method=zipfile.ZIP_STORED)
    data = bytearray(p.read_bytes())
    i = data.find(b"AAAA")
    data[i] = ord("B")
    p.write_bytes(bytes(data))
    f = single(inspect_file(p), "corrupt_zip")
    assert "CRC" in f.message_en


def test_damaged_deflate_stream(xlsx, tmp_path):
    data = bytearray(xlsx.read_bytes())
    with zipfile.ZipFile(xlsx) as z:
        info = z.getinfo("xl/styles.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    for k in range(start, start + 40):
        data[k] ^= 0x5A
    p = tmp_path / "kaputt.xlsx"
    p.write_bytes(bytes(data))
    single(inspect_file(p), "corrupt_zip")


def test_duplicate_entries(xlsx, tmp_path):
    p = tmp_path / "doppelt.xlsx"
    p.write_bytes(xlsx.read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(p, "a") as z:
            z.writestr("xl/workbook.xml", b"<workbook/>")
    f = single(inspect_file(p), "corrupt_zip")
    assert "duplicate" in f.message_en


def test_malformed_workbook_xml(xlsx, tmp_path):
    p = rezip(xlsx, tmp_path / "xml.xlsx", replace={"xl/workbook.xml": b"<workbook><sheets>"})
    single(inspect_file(p), "corrupt_zip")


def test_zip_with_encrypted_entry(xlsx, tmp_path):
    data = bytearray(xlsx.read_bytes())
    pos = data.find(b"PK\x01\x02")
    data[pos + 8] |= 0x01              # central directory: general purpose flag "encrypted"
    p = tmp_path / "zipcrypto.xlsx"
    p.write_bytes(bytes(data))
    single(inspect_file(p), "encrypted")



# --------------------------------------------------------------------------- kept entries

def test_kept_entries_are_the_verified_bytes(xlsx):
    keep = Kept(wanted=lambda name: name.startswith("xl/worksheets/") or name == "xl/workbook.xml")
    assert inspect_file(xlsx, keep=keep) == []
    with zipfile.ZipFile(xlsx) as z:
        expected = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/") or n == "xl/workbook.xml"}
    assert keep.parts == expected and len(expected) == 3


def test_kept_entries_stay_within_the_budget(tmp_path, xlsx):
    big = rezip(xlsx, tmp_path / "gross.xlsx", add={"xl/worksheets/sheet9.xml": b"<worksheet>" + b" " * 5000
                                                    + b"</worksheet>"})
    keep = Kept(wanted=lambda name: name.startswith("xl/worksheets/"), budget=4000)
    assert inspect_file(big, keep=keep) == []
    assert "xl/worksheets/sheet9.xml" not in keep.parts and keep.parts       # too large: left to the reader
    assert sum(map(len, keep.parts.values())) <= 4000
    keep = Kept(wanted=lambda name: name.startswith("xl/worksheets/"), entry_bytes=4000)
    assert inspect_file(big, keep=keep) == []
    assert "xl/worksheets/sheet9.xml" not in keep.parts and len(keep.parts) == 2


@pytest.mark.parametrize("damage", ["crc", "xml_entities", "size"])
def test_nothing_is_kept_from_a_file_with_a_finding(tmp_path, xlsx, damage):
    if damage == "crc":
        p = make_zip(tmp_path / "crc.xlsx", {"xl/worksheets/sheet1.xml": b"<worksheet/>",   # kept, then
                                             "xl/workbook.xml": b"<workbook>" + b"A" * 200 + b"</workbook>"},
                     method=zipfile.ZIP_STORED)
        data = bytearray(p.read_bytes())
        data[data.find(b"AAAA")] = ord("B")
        p.write_bytes(bytes(data))
    elif damage == "xml_entities":
        p = rezip(xlsx, tmp_path / "xxe.xlsx", replace={"xl/worksheets/sheet1.xml": XXE_SHEET})
    else:
        p = xlsx
    keep = Kept(wanted=lambda name: True)
    limits = Limits(max_entry_bytes=100) if damage == "size" else DEFAULT_LIMITS
    assert inspect_file(p, limits, keep=keep) != []
    assert keep.parts == {}

# --------------------------------------------------------------------------- never raises

def test_missing_file_and_directory(tmp_path):
    f = single(inspect_file(tmp_path / "gibt-es-nicht.xlsx"), "unreadable")
    assert str(tmp_path) not in f.message_en     # no paths (they may carry names) in logs
    single(inspect_file(tmp_path), "unreadable")


def test_fifo_is_not_opened(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    single(inspect_file(fifo), "unreadable")   # would block forever if it were opened


def test_every_code_is_listed():
    assert set(CODES) == {
        "empty_file", "encrypted", "legacy_xls", "ods", "pdf", "not_xlsx", "macro", "zip_bomb",
        "xml_entities", "not_a_workbook", "corrupt_zip", "unreadable"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048))
def test_random_bytes_never_raise(tmp_path, data):
    p = tmp_path / "zufall.xlsx"
    p.write_bytes(data)
    findings = inspect_file(p)
    assert findings and all(f.code in CODES for f in findings)


_GOOD = io.BytesIO()


def _good_bytes() -> bytes:
    if not _GOOD.getvalue():
        wb = Workbook()
        wb.active["A1"] = "x"
        wb.save(_GOOD)
    return _GOOD.getvalue()


def _read_both_ways(p):
    """(findings of `p` read into memory at once, findings of `p` streamed from disk)."""
    import mint_census.sources.safety as safety
    at_once = [(f.code, f.message_en) for f in inspect_file(p)]
    saved = safety._IN_MEMORY_BYTES
    safety._IN_MEMORY_BYTES = 0
    try:
        streamed = [(f.code, f.message_en) for f in inspect_file(p)]
    finally:
        safety._IN_MEMORY_BYTES = saved
    return at_once, streamed


def _mutated(path, flips, cut):
    """A good workbook's bytes with some bytes flipped (XOR) and possibly cut short, written to `path`."""
    data = bytearray(_good_bytes())
    for pos, x in flips:
        data[pos % len(data)] ^= x
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    path.write_bytes(bytes(data))
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_mutated_xlsx_never_raises(tmp_path, flips, cut):
    p = _mutated(tmp_path / "mutiert.xlsx", flips, cut)
    findings = inspect_file(p)
    assert all(f.code in CODES for f in findings)
    for f in findings:
        assert_german(f)


# --------------------------------------------------------------------------- helpers

def test_limits_defaults_and_frozen():
    assert DEFAULT_LIMITS == Limits()
    assert (Limits().max_entries, Limits().max_entry_bytes, Limits().max_total_bytes,
            Limits().max_ratio, Limits().max_file_bytes) == (2000, 50 * MiB, 200 * MiB, 200, 25 * MiB)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_entries = 1  # type: ignore[misc]


def test_assert_defusedxml_active_passes():
    assert_defusedxml_active()


def test_assert_defusedxml_active_detects_openpyxl_without_it(monkeypatch):
    import openpyxl.xml
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError):
        assert_defusedxml_active()


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.xlsx", "passwd.xlsx"),
    ("Erhebungsbogen 2025 (final) ÄÖÜ.xlsx", "Erhebungsbogen 2025 (final) ÄÖÜ.xlsx"),
    ("C:\\Users\\müller\\Desktop\\Bogen_Süd.xlsx", "Bogen_Süd.xlsx"),
    ("Bo\x00gen.xlsx", "Bo_gen.xlsx"),
    ("Bogen\r\n\t2025.xlsx", "Bogen_2025.xlsx"),
    (".hidden.xlsx", "hidden.xlsx"),
    ("...", "Datei"),
    ("", "Datei"),
    ("/", "Datei"),
    ("\x00\x01\x02", "Datei"),
    ("CON.xlsx", "_CON.xlsx"),
    ("Rechnung\u202eslx.exe", "Rechnung_slx.exe"),
    ("Straße – Größe.xlsx", "Straße _ Größe.xlsx"),
    ("a:b*c?d\"e<f>g|h[i]{j}#k%l&m+n=o;p,q'r`s~t!u@v$w^x.xlsx", "a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_q_r_s_t_u_v_w_x.xlsx"),
    ("MR-000123 (v2)_final.xlsx", "MR-000123 (v2)_final.xlsx"),
])
def test_safe_filename_examples(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_decomposed_umlauts_are_kept():
    assert safe_filename("A\u0308rger.xlsx") == "Ärger.xlsx"


def test_safe_filename_long_name_keeps_extension():
    out = safe_filename("Ä" * 500 + ".xlsx")
    assert len(out) == 120 and out.endswith(".xlsx") and out.startswith("ÄÄÄ")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_safe_filename_is_one_safe_component(name):
    out = safe_filename(name)
    assert out and len(out) <= 120
    assert "/" not in out and "\\" not in out and "\x00" not in out
    assert not out.startswith(".") and out not in {".", ".."}
    assert all(ch.isprintable() for ch in out)
    assert safe_filename(out) == out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), min_size=0, max_size=4),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_read_at_once_or_streamed_alike(tmp_path, flips, cut):
    """A small file is read at once, a large one streamed from disk: the same findings either way."""
    p = _mutated(tmp_path / "beides.xlsx", flips, cut)
    at_once, streamed = _read_both_ways(p)
    assert at_once == streamed


def test_size_lie_and_crc_read_at_once_or_streamed(xlsx, tmp_path, monkeypatch):
    import mint_census.sources.safety as safety
    lie = rezip(xlsx, tmp_path / "luege.xlsx", add={"xl/media/x.bin": b"A" * (2 * MiB)})
    _patch_central_size(lie, b"xl/media/x.bin", 1000)
    crc = make_zip(tmp_path / "crc.xlsx", {"xl/workbook.xml": b"<workbook>" + b"A" * 200 + b"</workbook>"},
                   method=zipfile.ZIP_STORED)
    raw = bytearray(crc.read_bytes())
    raw[raw.find(b"AAAA")] = ord("B")
    crc.write_bytes(bytes(raw))
    for streamed in (False, True):
        if streamed:
            monkeypatch.setattr(safety, "_IN_MEMORY_BYTES", 0)
        assert "declares 1000 bytes" in single(inspect_file(lie), "zip_bomb").message_en
        assert "CRC" in single(inspect_file(crc), "corrupt_zip").message_en
        assert inspect_file(xlsx) == []


def test_negative_entry_offset_is_the_same_finding_in_memory_and_from_disk(tmp_path):
    """A central directory that starts later than it says puts every entry before the file's start:
    seeking there raises ValueError in memory and OSError on disk; both give one and the same finding
    (found by the property test above)."""
    import struct as _struct

    data = bytearray(_good_bytes())
    end = data.rfind(b"PK\x05\x06")
    offset = _struct.unpack_from("<I", data, end + 16)[0]
    _struct.pack_into("<I", data, end + 16, offset + 1000)
    p = tmp_path / "versetzt.xlsx"
    p.write_bytes(bytes(data))
    at_once, streamed = _read_both_ways(p)
    assert [code for code, _ in at_once] == ["corrupt_zip"]
    assert at_once == streamed
