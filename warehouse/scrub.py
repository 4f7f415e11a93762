"""Removing personal values from files (retention): workbooks, texts, and a byte search.

- `redact_workbook(src, dest, values)`: the workbook without its personal data: every cell of
  a personal field (the Kontakt sheet, in every template version) is emptied, and every other
  cell that contains one of `values` has it replaced by "[entfernt]"; all statistical cells
  stay. Written with openpyxl, which writes a new shared-string table, so the removed values
  are not left behind in the file. Only call it on files that passed the safety checks.
- `redact_text(path, values)`: every occurrence of a value in a text file replaced.
- `holds_any(path, values)`: whether a value occurs in the file's bytes, or in the unpacked
  bytes of any member when the file is a zip (xlsx): the check after redaction.
"""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path

from mint_census.schemas import questionnaire as q

REPLACEMENT = "[entfernt]"
MIN_LENGTH = 4            # shorter values are too unspecific to search for
_MEMBER_LIMIT = 64 << 20  # unpack at most this much of one zip member when searching


def searchable(values: Iterable[str]) -> list[str]:
    """The values worth searching for: non-empty, at least MIN_LENGTH characters, longest first."""
    return sorted({str(v).strip() for v in values if v is not None and len(str(v).strip()) >= MIN_LENGTH},
                  key=lambda v: (-len(v), v))


def personal_places() -> set[tuple[str, str]]:
    """(sheet, cell) of every personal field in every template version."""
    out = set()
    for version in q.TEMPLATE_VERSIONS:
        for key, place in q.layout(version).places.items():
            if q.FIELD_BY_KEY[key].personal:
                out.add((place.sheet, place.cell()))
    return out


def replace_values(text: str, values: list[str]) -> str:
    for v in values:
        text = text.replace(v, REPLACEMENT)
    return text


def redact_workbook(src: Path, dest: Path, values: Iterable[str]) -> None:
    """Write `src` without personal data to `dest` (atomically; `dest` may be `src`)."""
    from openpyxl import load_workbook

    needles = searchable(values)
    wb = load_workbook(src)
    places = personal_places()
    for ws in wb.worksheets:
        for sheet, cell in places:
            if ws.title == sheet:
                ws[cell].value = None
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and any(v in c.value for v in needles):
                    c.value = replace_values(c.value, needles)
                if c.comment is not None and any(v in c.comment.text for v in needles):
                    c.comment = None
    props = wb.properties
    for attr in ("creator", "lastModifiedBy", "title", "subject", "description", "keywords"):
        value = getattr(props, attr, None)
        if isinstance(value, str) and any(v in value for v in needles):
            setattr(props, attr, None)
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def redact_text(path: Path, values: Iterable[str], dry_run: bool = False) -> bool:
    """Replace every value in a text file; True when one occurred."""
    needles = searchable(values)
    data = Path(path).read_bytes()
    if not any(v.encode("utf-8") in data for v in needles):
        return False
    if not dry_run:
        text = replace_values(data.decode("utf-8", errors="surrogateescape"), needles)
        tmp = Path(path).with_name(f".{Path(path).name}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        os.replace(tmp, path)
    return True


def holds_any(path: Path, values: Iterable[str]) -> bool:
    """True when a value occurs in the file's bytes or in an unpacked zip member."""
    needles = [v.encode("utf-8") for v in searchable(values)]
    if not needles:
        return False
    data = Path(path).read_bytes()
    if any(n in data for n in needles):
        return True
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    with z.open(info) as f:
                        member = f.read(_MEMBER_LIMIT)
                    if any(n in member for n in needles):
                        return True
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            return False
    return False
