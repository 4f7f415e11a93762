"""Inspect a received file before anything parses it.

`inspect_file` looks only at bytes: the magic number, the zip central directory, the
raw (decompressed) entry streams and the XML prologs. It never executes anything and
never hands the file to a spreadsheet library. It returns an empty list for a plain
.xlsx workbook that is safe to give to python-calamine, otherwise ERROR findings with
a stable code:

    empty_file      0 bytes
    encrypted       password-protected workbook (OLE2 EncryptionInfo/EncryptedPackage)
                    or a zip with encrypted entries
    legacy_xls      other OLE2 compound file (old .xls, .doc … saved under .xlsx)
    ods             OpenDocument spreadsheet
    pdf             PDF document
    not_xlsx        anything else that is not a zip (CSV, text, HTML, images …)
    macro           VBA project, macro-enabled content type, macro sheets, .xlsm name
    zip_bomb        file, entry count, entry size, total size or compression ratio
                    above `Limits`, or an entry that inflates to more than it declares
    xml_entities    DTD / entity declarations in an XML part (XML bomb, XXE)
    not_a_workbook  a valid zip without xl/workbook.xml (.docx, .xlsb, random zip)
    corrupt_zip     damaged zip: bad directory, CRC mismatch, truncated data,
                    duplicate entries, unsupported compression, malformed core XML
    unreadable      anything unexpected (the function itself never raises)

Order of the zip checks: file size -> entry count from the raw central directory
(before `zipfile` builds its index) -> per-entry declared sizes and ratios -> one
streaming pass over every entry, bounded by the declared sizes, which verifies sizes
and CRCs and keeps only the first 64 KiB of each entry for the prolog check (and,
for a caller that asks, the bytes of entries it would inflate again: `Kept`) ->
classification (ods, macro, xml_entities, not_a_workbook). A file up to 8 MiB is read
into memory at once (one read instead of a seek and three reads per entry); a larger
one is streamed from disk. Either way every entry is inflated and checked.

Also here: `assert_defusedxml_active()` for start-up and `safe_filename()` for storing
received files under a harmless name.
"""

from __future__ import annotations

import dataclasses
import io
import mmap
import os
import stat
import struct
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from mint_census.schemas.findings import Finding
from mint_census.schemas.messages import file_finding

__all__ = [
    "Kept",
    "Limits",
    "DEFAULT_LIMITS",
    "inspect_file",
    "assert_defusedxml_active",
    "safe_filename",
    "CODES",
]

KiB = 1 << 10
MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 25 * MiB      # a received .xlsx larger than this is rejected
    max_entries: int = 2000             # zip entries
    max_entry_bytes: int = 50 * MiB     # uncompressed size of one entry
    max_total_bytes: int = 200 * MiB    # uncompressed size of all entries
    max_ratio: float = 200.0            # uncompressed / compressed, per entry …
    ratio_min_bytes: int = 1 * MiB      # … only for entries larger than this (uncompressed)


DEFAULT_LIMITS = Limits()

CODES = (
    "empty_file", "encrypted", "legacy_xls", "ods", "pdf", "not_xlsx", "macro",
    "zip_bomb", "xml_entities", "not_a_workbook", "corrupt_zip", "unreadable",
)

EXPECTED_DE = "Excel-Arbeitsmappe (.xlsx)"

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIMETYPES = {
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet-template",
}
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")

_HEAD_BYTES = 8 * KiB          # sniffing non-zip files
_XML_SCAN_BYTES = 4 * KiB      # substring check for <!DOCTYPE / <!ENTITY
_PROLOG_CAP = 64 * KiB         # kept of each entry for the prolog walk
_CONTENT_TYPES_CAP = 1 * MiB   # kept of [Content_Types].xml for the macro check
_READ_CHUNK = 64 * KiB
_INFLATE_CHUNK = 256 * KiB
_IN_MEMORY_BYTES = 8 * MiB     # a zip up to this size is read at once, larger ones are streamed


class _Reject(Exception):
    """Internal: stop inspecting and report this finding."""

    def __init__(self, finding: Finding):
        super().__init__(finding.code)
        self.finding = finding


class _Corrupt(Exception):
    """Internal: the zip structure or an entry stream is damaged."""


class _SizeLie(Exception):
    """Internal: an entry inflates to more bytes than the central directory declares."""


def _err(key: str, found: str | None = None, **values) -> Finding:
    """A file-level finding from the catalogue (schemas/catalogue.py)."""
    return file_finding(key, found=found, expected=EXPECTED_DE, **values)


def _mb(n: float) -> str:
    """Size for coordinators, German style: '25,0 MB' / '980 KB' (binary units)."""
    if n < MiB:
        return f"{max(1, round(n / KiB))} KB"
    return f"{n / MiB:.1f}".replace(".", ",") + " MB"


# --------------------------------------------------------------------------- findings

def _empty() -> Finding:
    return _err("empty_file", found="0 Byte")


def _encrypted(en: str) -> Finding:
    return _err("encrypted", found="verschlüsselte Datei", detail=en)


def _corrupt(en: str) -> Finding:
    return _err("corrupt_zip", found="beschädigte Datei", detail=en)


def _zip_bomb(variant: str, en: str, **values) -> Finding:
    return _err(f"zip_bomb:{variant}", detail=en, **values)


def _unreadable(exc: BaseException | None, en: str | None = None) -> Finding:
    if en is None:
        # never the exception text of arbitrary errors: it may carry the path or content
        detail = f": {exc.strerror}" if isinstance(exc, OSError) and exc.strerror else ""
        en = f"unexpected {type(exc).__name__} while inspecting the file{detail}"
    return _err("unreadable", detail=en)


# --------------------------------------------------------------------------- public API

@dataclass
class Kept:
    """Entries a reader would inflate again, handed over from the inspection's own pass.

    `wanted(name)` picks the entries; `parts` receives their bytes, each verified like every
    entry (declared size, CRC), only when `inspect_file` returns no finding. An entry larger
    than `entry_bytes`, or than what is left of `budget` for all, is left to the reader: the
    wanted entries are known only by name (which sheets a reader needs follows from parts that
    may come later in the zip), so memory stays small whatever else the file holds."""
    wanted: Callable[[str], bool]
    budget: int = 4 * MiB
    entry_bytes: int = 1 * MiB
    parts: dict[str, bytes] = dataclasses.field(default_factory=dict)


def inspect_file(path: Path, limits: Limits = DEFAULT_LIMITS, keep: Kept | None = None) -> list[Finding]:
    """Findings about a received file; [] means: a plain .xlsx, safe for python-calamine.

    Never raises (an unexpected problem becomes code "unreadable"), never executes
    anything, reads the file only as bytes. With `keep`, the bytes of the entries it
    wants are kept from the one pass (see `Kept`), so that a reader need not inflate them.
    """
    try:
        findings = _inspect(Path(path), limits, keep)
    except _Reject as r:
        findings = [r.finding]
    except Exception as exc:  # noqa: BLE001 - by contract nothing escapes
        try:
            findings = [_unreadable(exc)]
        except Exception:  # noqa: BLE001
            findings = [file_finding("unreadable", detail="unexpected error")]
    if findings and keep is not None:
        keep.parts.clear()  # bytes of a file that is not read further are never handed out
    return findings


def assert_defusedxml_active() -> None:
    """Start-up check: defusedxml importable and openpyxl actually using it.

    Raises RuntimeError otherwise (e.g. defusedxml missing or OPENPYXL_DEFUSEDXML=False).
    """
    try:
        import defusedxml  # noqa: F401
        import defusedxml.ElementTree  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("defusedxml is not installed; refusing to parse XML from "
                           "received workbooks without it") from exc
    try:
        import openpyxl
        import openpyxl.xml
        import openpyxl.xml.functions as oxf
    except ImportError as exc:
        raise RuntimeError("openpyxl is not importable") from exc
    if getattr(openpyxl.xml, "DEFUSEDXML", False) is not True or \
            getattr(openpyxl, "DEFUSEDXML", False) is not True:
        raise RuntimeError("openpyxl is not using defusedxml (openpyxl.xml.DEFUSEDXML is "
                           "False; is OPENPYXL_DEFUSEDXML set to something other than True?)")
    # openpyxl binds the parser functions at import time; make sure they are the defused ones
    if not getattr(oxf.iterparse, "__module__", "").startswith("defusedxml"):
        raise RuntimeError("openpyxl.xml.functions.iterparse is not defusedxml's")
    if not getattr(openpyxl.xml, "LXML", False) and \
            not getattr(oxf.fromstring, "__module__", "").startswith("defusedxml"):
        raise RuntimeError("openpyxl.xml.functions.fromstring is not defusedxml's")


_KEEP_PUNCT = frozenset(" -_.()")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)])
_MAX_NAME = 120
_MAX_EXT = 10


def _keep_char(ch: str) -> bool:
    if ch in _KEEP_PUNCT or ("0" <= ch <= "9") or ("a" <= ch.lower() <= "z"):
        return True
    # letters of the Latin script: umlauts, ß, é, ł …; not other scripts, not symbols
    return unicodedata.category(ch).startswith("L") and "LATIN" in unicodedata.name(ch, "")


@lru_cache(maxsize=1 << 15)  # a re-ingest asks for every file of the inbox twice (10,000 files: 0.2 s)
def safe_filename(name: str, default: str = "Datei") -> str:
    """A received file name as one harmless path component.

    Keeps Latin letters (with umlauts, ß, accents), digits, space and ``-_.()``; every
    other character (path separators, NUL, control and bidi characters, emoji …)
    becomes "_". Only the last path component is used ("../../etc/passwd.xlsx" ->
    "passwd.xlsx"), leading dots are stripped, Windows device names are defused, the
    result is at most 120 characters with the extension kept, and never empty.
    """
    try:
        text = unicodedata.normalize("NFC", str(name))
    except Exception:  # noqa: BLE001
        text = ""
    parts = [p for p in text.replace("\\", "/").split("/") if p.strip(" .")]
    text = parts[-1] if parts else ""
    # ASCII names (nearly all) in one regex pass; the same rule as _keep_char, which also keeps Latin
    # letters beyond ASCII (an inbox of 10,000 files asks twice per file: 0.5 s per character loop)
    out = _ASCII_UNSAFE.sub("_", text) if text.isascii() else "".join(ch if _keep_char(ch) else "_" for ch in text)
    while "__" in out:
        out = out.replace("__", "_")
    out = out.strip(" ").lstrip(".").strip(" ").rstrip(". ")
    if not out.strip("_ ."):
        out = ""
    stem, dot, ext = out.rpartition(".")
    if not dot or not stem or len(ext) > _MAX_EXT or not ext.strip("_ "):
        stem, ext = out, ""
    stem = stem.rstrip(". ")
    if not stem:
        stem = default
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    stem = stem[: _MAX_NAME - len(suffix)].rstrip(". ") or default[: _MAX_NAME - len(suffix)]
    return stem + suffix


# --------------------------------------------------------------------------- dispatch

def _inspect(path: Path, limits: Limits, keep: Kept | None = None) -> list[Finding]:
    try:
        st = os.stat(path)
    except OSError as exc:
        return [_unreadable(exc)]
    if not stat.S_ISREG(st.st_mode):   # directories, FIFOs, devices: never open them
        return [_unreadable(None, "not a regular file")]
    if st.st_size == 0:
        return [_empty()]
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
        if not head:
            return [_empty()]
        if head.startswith(OLE2_MAGIC):
            return [_inspect_ole2(fh)]
        if head.startswith(_ZIP_MAGICS):
            return _inspect_zip(fh, path, st.st_size, limits, keep)
        if b"%PDF" in head[:1024]:
            return [_err("pdf", found="PDF-Dokument")]
        kind_de, kind_en = _sniff_kind(head)
        return [_err("not_xlsx", found=kind_de, kind=kind_de, kind_en=kind_en)]


# --------------------------------------------------------------------------- OLE2

def _u16(s: str) -> bytes:
    return s.encode("utf-16-le")


_OLE_PATTERNS = {
    "encrypted": (_u16("EncryptedPackage"), _u16("EncryptionInfo")),
    "xls": (_u16("Workbook"), _u16("Book")),
    "doc": (_u16("WordDocument"),),
    "ppt": (_u16("PowerPoint Document"),),
}


def _inspect_ole2(fh) -> Finding:
    """OLE2 compound file: encrypted OOXML package or a legacy binary Office file.

    The stream names live in the directory sectors, which can sit anywhere in the file,
    so the whole file is scanned in chunks (bounded memory, nothing parsed).
    """
    found: set[str] = set()
    overlap = max(len(p) for pats in _OLE_PATTERNS.values() for p in pats) - 1
    fh.seek(0)
    tail = b""
    while True:
        chunk = fh.read(1 * MiB)
        if not chunk:
            break
        buf = tail + chunk
        for key, pats in _OLE_PATTERNS.items():
            if key not in found and any(p in buf for p in pats):
                found.add(key)
        if "encrypted" in found:
            break
        tail = buf[-overlap:]
    if "encrypted" in found:
        return _encrypted("password-protected workbook: OLE2 container with "
                          "EncryptionInfo/EncryptedPackage stream")
    if "xls" in found:
        kind_de, kind_en = "eine Excel-Datei im alten Format (.xls, Excel 97–2003)", "legacy .xls (BIFF)"
    elif "doc" in found:
        kind_de, kind_en = "ein Word-Dokument im alten Format (.doc)", "legacy Word .doc"
    elif "ppt" in found:
        kind_de, kind_en = "eine PowerPoint-Datei im alten Format (.ppt)", "legacy PowerPoint .ppt"
    else:
        kind_de, kind_en = "eine Office-Datei im alten Format", "OLE2 compound file"
    return _err("legacy_xls", found=kind_de, kind=kind_de, kind_en=kind_en)


# --------------------------------------------------------------------------- non-zip kinds

_MAGIC_KINDS: list[tuple[bytes, int, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "ein PNG-Bild", "PNG image"),
    (b"\xff\xd8\xff", 0, "ein JPEG-Bild (Foto/Scan)", "JPEG image"),
    (b"GIF87a", 0, "ein GIF-Bild", "GIF image"),
    (b"GIF89a", 0, "ein GIF-Bild", "GIF image"),
    (b"II*\x00", 0, "ein TIFF-Bild (Scan)", "TIFF image"),
    (b"MM\x00*", 0, "ein TIFF-Bild (Scan)", "TIFF image"),
    (b"ftypheic", 4, "ein HEIC-Foto", "HEIC image"),
    (b"ftypmif1", 4, "ein HEIC-Foto", "HEIF image"),
    (b"\x1f\x8b", 0, "ein gzip-Archiv", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "ein 7-Zip-Archiv", "7z archive"),
    (b"Rar!\x1a\x07", 0, "ein RAR-Archiv", "RAR archive"),
    (b"BZh", 0, "ein bzip2-Archiv", "bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "ein xz-Archiv", "xz archive"),
    (b"{\\rtf", 0, "ein RTF-Textdokument", "RTF document"),
    (b"\x7fELF", 0, "eine Programmdatei", "ELF executable"),
]


def _sniff_kind(head: bytes) -> tuple[str, str]:
    """(German with article, English) description of a non-zip, non-OLE2, non-PDF file."""
    for magic, offset, de, en in _MAGIC_KINDS:
        if head[offset:offset + len(magic)] == magic:
            return de, en
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "ein WebP-Bild", "WebP image"
    if head[:2] == b"MZ" and (b"PE\x00\x00" in head or b"DOS mode" in head):
        return "eine Programmdatei (.exe)", "Windows executable"
    text = _as_text(head)
    if text is None:
        return "eine Datei in einem unbekannten Format", "unknown binary format"
    low = text.lstrip().lower()
    if low.startswith("<!doctype html") or "<html" in low[:2048]:
        return "eine HTML-Seite (Webseite)", "HTML page"
    if low.startswith("mime-version:") or "\nmime-version:" in low[:2048]:
        return "ein Webarchiv (.mht)", "MHTML web archive"
    if low.startswith("<?xml") or low.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in low:
            return "eine XML-Tabelle (Excel 2003)", "Excel 2003 XML spreadsheet"
        if "urn:oasis:names:tc:opendocument" in low:
            return "eine OpenDocument-XML-Tabelle (.fods)", "flat OpenDocument XML"
        return "eine XML-Datei", "XML file"
    first_lines = low.splitlines()[:5]
    if any(sep in line for line in first_lines for sep in (";", ",", "\t")):
        return "eine CSV- oder Textdatei", "CSV/text file"
    return "eine Textdatei", "plain text file"


def _as_text(head: bytes) -> str | None:
    """The head decoded as text if it looks like text, else None."""
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return sample[: len(sample) // 2 * 2].decode("utf-16", errors="replace")
        except Exception:  # noqa: BLE001
            return None
    if sample.startswith(b"\xef\xbb\xbf"):
        sample = sample[3:]
    if b"\x00" in sample:
        return None
    text = sample.decode("utf-8", errors="ignore") if _mostly_utf8(sample) \
        else sample.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return text if controls <= max(1, len(text) // 100) else None


def _mostly_utf8(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # only a character cut off at the end


# --------------------------------------------------------------------------- zip

_CORRUPT_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError,
                   struct.error, ValueError, OSError, NotImplementedError, _Corrupt)


def _inspect_zip(fh, path: Path, size: int, limits: Limits, keep: Kept | None = None) -> list[Finding]:
    if size > limits.max_file_bytes:
        return [_zip_bomb("file_size", f"file size {size} bytes > max_file_bytes {limits.max_file_bytes}",
                          size=_mb(size), limit=_mb(limits.max_file_bytes))]
    try:
        data = _whole(fh, size)
        src = fh if data is None else io.BytesIO(data)
        precount = _precount_entries(fh, size, limits.max_entries, data)
        if precount is not None and precount > limits.max_entries:
            return [_too_many_entries(precount, limits, at_least=True)]
        src.seek(0)
        with zipfile.ZipFile(src) as zf:
            infos = zf.infolist()
            _check_directory(infos, limits)
            ods = _check_opendocument(zf, infos)
            if ods is not None and ods[0] == "ods":
                return [_err("ods", found="OpenDocument-Tabelle (.ods)", mimetype=ods[1])]
            scan = _scan_entries(src, infos, keep)
    except _Reject as r:
        return [r.finding]
    except _SizeLie as exc:
        return [_zip_bomb("size_lie", f"entry inflates beyond its declared size: {exc}")]
    except _CORRUPT_ERRORS as exc:
        # A bad offset or length raises ValueError from a file held in memory and OSError from one read
        # from disk: one wording for both, so that the finding does not depend on how the file was read.
        detail = (str(exc) if isinstance(exc, (_Corrupt, zipfile.BadZipFile, zlib.error))
                  else "bad offset or length in the zip structure" if isinstance(exc, (ValueError, OSError))
                  else type(exc).__name__)
        return [_corrupt(detail[:300])]
    return _classify(path, infos, scan, ods)


def _too_many_entries(n: int, limits: Limits, at_least: bool = False) -> Finding:
    count_de = f"mehr als {limits.max_entries}" if at_least else str(n)
    count_en = f"more than {limits.max_entries}" if at_least else str(n)
    return _zip_bomb("entries", f"{count_en} zip entries > max_entries {limits.max_entries}",
                     count=count_de, limit=limits.max_entries)


def _whole(fh, size: int) -> bytes | None:
    """The file's bytes when it is small enough to hold (one read instead of a seek and three
    reads per entry); None for a larger file (streamed) or one whose size changed meanwhile."""
    if size > _IN_MEMORY_BYTES:
        return None
    fh.seek(0)
    data = fh.read(size + 1)
    return data if len(data) == size else None


def _precount_entries(fh, size: int, limit: int, data: bytes | None = None) -> int | None:
    """Count central-directory records from the raw bytes, stopping at limit + 1.

    Done before `zipfile` builds its index (one ZipInfo per record, whatever the count
    field in the end record claims), so a directory with millions of records cannot
    exhaust memory. None when the structure is not understood; zipfile decides then.
    `data`: the file's bytes when already read (else the file is mapped).
    """
    if data is not None:
        return _count_records(data, size, limit)
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return _count_records(mm, size, limit)


def _count_records(mm, size: int, limit: int) -> int | None:
    """`_precount_entries` over the bytes (or a map) of the file."""
    search_from = max(0, size - (22 + 0xFFFF))
    eocd = mm.rfind(b"PK\x05\x06", search_from)
    if eocd < 0 or size - eocd < 22:
        return None
    _, _, _, _, n_total, cd_size, cd_offset, _ = struct.unpack("<4s4H2LH", mm[eocd:eocd + 22])
    cd_end = eocd
    if n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        loc = eocd - 20
        if loc < 0 or mm[loc:loc + 4] != b"PK\x06\x07":
            return None
        cd_end = loc - 56
        if cd_end < 0 or mm[cd_end:cd_end + 4] != b"PK\x06\x06":
            return None
        fields = struct.unpack("<4sQ2H2L4Q", mm[cd_end:cd_end + 56])
        cd_size = fields[7]
    cd_start = cd_end - cd_size
    if cd_start < 0:
        return None
    count, pos = 0, cd_start
    while pos + 46 <= cd_end:
        if mm[pos:pos + 4] != b"PK\x01\x02":
            return None
        n, m, k = struct.unpack("<3H", mm[pos + 28:pos + 34])
        pos += 46 + n + m + k
        count += 1
        if count > limit:
            break
    return count


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Limits and structure, from the central directory only (nothing decompressed)."""
    if len(infos) > limits.max_entries:
        raise _Reject(_too_many_entries(len(infos), limits))
    total = 0
    seen: set[str] = set()
    for info in infos:
        usize, csize = info.file_size, info.compress_size
        if usize > limits.max_entry_bytes:
            raise _Reject(_zip_bomb(
                "entry_size", f"entry {info.filename[:200]!r} uncompressed {usize} bytes > max_entry_bytes "
                f"{limits.max_entry_bytes}", size=_mb(usize), limit=_mb(limits.max_entry_bytes)))
        total += usize
        if total > limits.max_total_bytes:
            raise _Reject(_zip_bomb(
                "total_size", f"total uncompressed size > max_total_bytes {limits.max_total_bytes}",
                limit=_mb(limits.max_total_bytes)))
        if usize > limits.ratio_min_bytes and (csize <= 0 or usize / csize > limits.max_ratio):
            ratio = f"{usize / csize:.0f}" if csize > 0 else "inf"
            raise _Reject(_zip_bomb(
                "ratio",
                f"entry {info.filename[:200]!r} compression ratio {ratio} > max_ratio "
                f"{limits.max_ratio} ({usize} bytes from {csize})"))
        key = info.filename.casefold()
        if key in seen:
            raise _Corrupt(f"duplicate entry name {info.filename[:200]!r}")
        seen.add(key)
        if info.flag_bits & 0x1:
            raise _Reject(_encrypted(f"zip entry {info.filename[:200]!r} is encrypted"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Corrupt(f"unsupported compression method {info.compress_type} "
                           f"in entry {info.filename[:200]!r}")


def _check_opendocument(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> tuple[str, str] | None:
    """("ods", mimetype) for a spreadsheet, ("odf", mimetype) for other OpenDocument files."""
    info = next((i for i in infos if i.filename == "mimetype"), None)
    if info is None or info.file_size > 256:
        return None
    with zf.open(info) as fp:   # bounded by the declared size (<= 256 bytes)
        mimetype = fp.read(257).decode("ascii", errors="replace").strip()
    if mimetype in ODS_MIMETYPES:
        return "ods", mimetype
    if mimetype.startswith("application/vnd.oasis.opendocument."):
        return "odf", mimetype
    return None


# --------------------------------------------------------------------------- entry streams

@dataclass
class _Scan:
    heads: dict[str, tuple[bytes, bool]] = dataclasses.field(default_factory=dict)
    content_types: bytes = b""
    parse_blocked: dict[str, str] = dataclasses.field(default_factory=dict)  # name -> reason
    parse_failed: dict[str, str] = dataclasses.field(default_factory=dict)   # name -> reason


class _NullTarget:
    """Parser target that builds nothing: the parse is only a check."""

    def close(self) -> None:
        return None


_DEFUSED_PARTS = ("[content_types].xml", "xl/workbook.xml")


def _scan_entries(fh, infos: list[zipfile.ZipInfo], keep: Kept | None = None) -> _Scan:
    """One streaming pass over every entry (bounded by the declared sizes).

    Verifies that each entry inflates to exactly its declared size with the declared
    CRC, keeps the first 64 KiB for the prolog check, the beginning of
    [Content_Types].xml for the macro check, and feeds [Content_Types].xml and
    xl/workbook.xml through defusedxml (forbid_dtd) without building a tree. The entries
    `keep` wants are kept whole (after their size and CRC are verified).
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    scan = _Scan()
    for info in infos:
        if info.is_dir() and info.file_size == 0:
            continue
        name = info.filename
        lname = name.casefold()
        head: list[bytes] = []  # the first 64 KiB, as chunks (an entry mostly comes in one)
        ct = bytearray() if lname == "[content_types].xml" else None
        parser = None
        if lname in _DEFUSED_PARTS:
            parser = DefusedXMLParser(target=_NullTarget(), forbid_dtd=True,
                                      forbid_entities=True, forbid_external=True)

        whole: list[bytes] | None = None
        if keep is not None and info.file_size <= min(keep.budget, keep.entry_bytes) and keep.wanted(name):
            whole = []

        def sink(data: bytes, head=head, ct=ct, name=name, whole=whole) -> None:
            nonlocal parser
            if whole is not None:
                whole.append(data)
            kept = sum(map(len, head))
            if kept < _PROLOG_CAP:
                head.append(data[: _PROLOG_CAP - kept])
            if ct is not None and len(ct) < _CONTENT_TYPES_CAP:
                ct.extend(data[: _CONTENT_TYPES_CAP - len(ct)])
            if parser is not None:
                try:
                    parser.feed(data)
                except DefusedXmlException as exc:
                    scan.parse_blocked[name] = type(exc).__name__
                    parser = None
                except (ParseError, ValueError) as exc:
                    scan.parse_failed[name] = f"{type(exc).__name__}: {str(exc)[:120]}"
                    parser = None

        _stream_entry(fh, info, sink)
        if whole is not None:
            keep.parts[name] = whole[0] if len(whole) == 1 else b"".join(whole)
            keep.budget -= info.file_size
        if parser is not None:
            try:
                parser.close()
            except DefusedXmlException as exc:
                scan.parse_blocked[name] = type(exc).__name__
            except (ParseError, ValueError) as exc:
                scan.parse_failed[name] = f"{type(exc).__name__}: {str(exc)[:120]}"
        scan.heads[name] = (b"".join(head), info.file_size <= _PROLOG_CAP)
        if ct is not None:
            scan.content_types = bytes(ct)
    return scan


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def _stream_entry(fh, info: zipfile.ZipInfo, sink: Callable[[bytes], None]) -> None:
    """Inflate one entry from the raw bytes, never producing more than it declares."""
    fh.seek(info.header_offset)
    raw = fh.read(_LOCAL_HEADER.size)
    if len(raw) != _LOCAL_HEADER.size:
        raise _Corrupt(f"truncated local header for {info.filename[:200]!r}")
    (sig, _, _, flags, method, _, _, _, _, _, name_len, extra_len) = _LOCAL_HEADER.unpack(raw)
    if sig != b"PK\x03\x04":
        raise _Corrupt(f"bad local header signature for {info.filename[:200]!r}")
    local_name = fh.read(name_len)
    encoding = "utf-8" if flags & 0x800 else "cp437"
    if local_name.decode(encoding, errors="replace") != info.orig_filename:
        raise _Corrupt(f"local header name differs from central directory for "
                       f"{info.filename[:200]!r}")
    if method != info.compress_type:
        raise _Corrupt(f"local header compression method differs for {info.filename[:200]!r}")
    fh.seek(extra_len, os.SEEK_CUR)

    declared = info.file_size
    produced = 0
    crc = 0

    def emit(data: bytes) -> None:
        nonlocal produced, crc
        if not data:
            return
        produced += len(data)
        if produced > declared:
            raise _SizeLie(f"entry {info.filename[:200]!r} declares {declared} bytes")
        crc = zlib.crc32(data, crc)
        sink(data)

    remaining = info.compress_size
    inflater = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None
    while remaining > 0 and not (inflater is not None and inflater.eof):
        chunk = fh.read(min(_READ_CHUNK, remaining))
        if not chunk:
            raise _Corrupt(f"entry {info.filename[:200]!r} is truncated")
        remaining -= len(chunk)
        if inflater is None:
            emit(chunk)
            continue
        buf = chunk
        while True:
            out = inflater.decompress(buf, _INFLATE_CHUNK)
            emit(out)
            buf = inflater.unconsumed_tail
            if inflater.eof or (not buf and len(out) < _INFLATE_CHUNK):
                break
    if inflater is not None and not inflater.eof and declared > 0:
        raise _Corrupt(f"deflate stream of {info.filename[:200]!r} ends early")
    if produced != declared:
        raise _Corrupt(f"entry {info.filename[:200]!r} has {produced} bytes, declares {declared}")
    if crc != info.CRC:
        raise _Corrupt(f"CRC mismatch in entry {info.filename[:200]!r}")


# --------------------------------------------------------------------------- XML prolog

def _dtd_in_head(head: bytes) -> bool:
    """`<!DOCTYPE` / `<!ENTITY` in the first 4 KiB (NULs dropped: catches UTF-16/32)."""
    part = head[:_XML_SCAN_BYTES]
    if b"\x00" not in part and b"<!" not in part:
        return False  # both need "<!" (lower() leaves "<" and "!" alone); most parts have none
    low = part.replace(b"\x00", b"").lower()
    return b"<!doctype" in low or b"<!entity" in low


def _prolog_problem(head: bytes, complete: bool, strict: bool) -> str | None:
    """Walk the XML prolog (BOM, whitespace, <?…?>, <!--…-->) up to the root element.

    A DTD can only stand there, so any other `<!` before the root is reported, however
    long the comments before it. `strict` (XML-named parts): a prolog that does not end
    within the kept 64 KiB is reported too.
    """
    s = head.replace(b"\x00", b"") if b"\x00" in head else head
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if s.startswith(bom):
            s = s[len(bom):]
            break
    unfinished = None if complete or not strict else "XML prolog longer than 64 KiB"
    i, n = 0, len(s)
    while True:
        while i < n and s[i] in b" \t\r\n":
            i += 1
        if i >= n:
            return unfinished
        if s.startswith(b"<?", i):
            j = s.find(b"?>", i + 2)
            if j < 0:
                return unfinished
            i = j + 2
        elif s.startswith(b"<!--", i):
            j = s.find(b"-->", i + 4)
            if j < 0:
                return unfinished
            i = j + 3
        elif s.startswith(b"<!", i):
            return "DTD/declaration before the root element"
        else:
            return None


# --------------------------------------------------------------------------- verdict

def _classify(path: Path, infos: list[zipfile.ZipInfo], scan: _Scan,
              odf: tuple[str, str] | None) -> list[Finding]:
    findings: list[Finding] = []
    names = {i.filename.casefold(): i.filename for i in infos}

    # macros: never executed, always rejected
    macro_why: list[str] = []
    if path.suffix.casefold() in _MACRO_SUFFIXES:
        macro_why.append(f"file extension {path.suffix.casefold()}")
    vba = [n for n in names if n.replace("\\", "/").rsplit("/", 1)[-1] == "vbaproject.bin"]
    if vba:
        macro_why.append(f"VBA project {names[vba[0]][:200]!r}")
    if any(n.startswith("xl/macrosheets/") for n in names):
        macro_why.append("Excel 4.0 macro sheets (xl/macrosheets/)")
    ct = scan.content_types.replace(b"\x00", b"").lower()
    if b"macroenabled" in ct:
        macro_why.append("macro-enabled content type in [Content_Types].xml")
    elif b"vbaproject" in ct:
        macro_why.append("vbaProject content type in [Content_Types].xml")
    if macro_why:
        findings.append(_err("macro", found="Makros", detail="; ".join(macro_why)))

    # DTD / entities in XML parts (XML bombs, XXE)
    xml_why: list[str] = []
    for name, (head, complete) in scan.heads.items():
        is_xml = name.casefold().endswith(_XML_SUFFIXES)
        if is_xml and _dtd_in_head(head):
            xml_why.append(f"{name[:200]!r}: <!DOCTYPE/<!ENTITY in the first 4 KiB")
            continue
        problem = _prolog_problem(head, complete, strict=is_xml)
        if problem:
            xml_why.append(f"{name[:200]!r}: {problem}")
    for name, reason in scan.parse_blocked.items():
        xml_why.append(f"{name[:200]!r}: defusedxml {reason}")
    if xml_why:
        findings.append(_err("xml_entities", found="DTD/ENTITY-Deklaration", detail="; ".join(xml_why[:5])
                             + (f" (+{len(xml_why) - 5} more)" if len(xml_why) > 5 else "")))

    # the workbook part itself
    if "xl/workbook.xml" not in names:
        variant, kind_de, kind_en = _zip_kind(names, odf)
        findings.append(_err(variant, found=kind_de, kind=kind_de, kind_en=kind_en))
    else:
        failed = {n: r for n, r in scan.parse_failed.items() if n not in scan.parse_blocked}
        if failed:
            findings.append(_corrupt("malformed XML: " + "; ".join(
                f"{n[:200]!r}: {r}" for n, r in failed.items())))
    return findings


def _zip_kind(names: dict[str, str], odf: tuple[str, str] | None) -> tuple[str, str, str]:
    """(catalogue key, German kind, English kind) of a zip file that is no workbook."""
    if "xl/workbook.bin" in names:
        return ("not_a_workbook:xlsb", "eine Excel-Binärarbeitsmappe (.xlsb)", "xlsb binary workbook")
    if "word/document.xml" in names:
        return ("not_a_workbook", "ein Word-Dokument (.docx)", "Word document (.docx)")
    if "ppt/presentation.xml" in names:
        return ("not_a_workbook", "eine PowerPoint-Präsentation (.pptx)", "PowerPoint (.pptx)")
    if odf is not None:
        return ("not_a_workbook", "ein OpenDocument-Dokument (z. B. .odt)", f"OpenDocument {odf[1]}")
    if any(n.endswith((".xlsx", ".xlsm", ".xls", ".ods")) for n in names):
        return ("not_a_workbook:packed", "ein ZIP-Archiv, das eine Tabelle enthält",
                "zip archive containing a spreadsheet")
    return ("not_a_workbook", "ein ZIP-Archiv", "zip archive")
