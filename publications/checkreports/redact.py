"""Removing personal values from check-report workbooks (for retention).

A check report is a copy of the coordinator's workbook, Kontakt sheet included. When the
retention period of a census year ends, `redact_reports` empties every personal field of
every template version and any cell that contains one of the given contact values; the
findings stay.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from mint_census.schemas import questionnaire as q


def personal_cells() -> set[tuple[str, str]]:
    """(sheet, cell) of every personal field in every template version."""
    out = set()
    for version in q.TEMPLATE_VERSIONS:
        lay = q.layout(version)
        for key, place in lay.places.items():
            if q.FIELD_BY_KEY[key].personal:
                out.add((place.sheet, place.cell()))
    return out


def redact_report(path: Path, values: set[str], dry_run: bool = False) -> bool:
    """Empty personal values in one report workbook; True when something was (or would be) removed."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    places = personal_cells()
    changed = False
    for ws in wb.worksheets:
        for sheet, cell in places:
            if ws.title == sheet and ws[cell].value not in (None, ""):
                ws[cell].value = None
                changed = True
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and any(v and v in c.value for v in values):
                    c.value = None
                    changed = True
    if changed and not dry_run:
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        wb.save(tmp)
        os.replace(tmp, path)
    return changed


def redact_reports(report_dirs: Iterable[Path], values: set[str], dry_run: bool = False) -> list[Path]:
    """Redact every report workbook in the given directories; return those changed (or to change)."""
    changed = []
    for d in report_dirs:
        if d.is_dir():
            for x in sorted(d.glob("*.xlsx")):
                if redact_report(x, values, dry_run):
                    changed.append(x)
    return changed
