"""Validation of a batch: the sheet schemas (schemas/sheets.py), then the rules across
sheets, sources and years (schemas/rules.py). Errors block a workbook's load; warnings
are loaded and reported.
"""

from __future__ import annotations

from .catalogue import CATALOGUE, CELL, code_of
from .findings import Finding
from .frames import Context, SheetFrames
from .rules import cross_rules
from .sheets import FRAME_RULES, run_schemas


def validate(frames: SheetFrames, ctx: Context) -> dict[int, list[Finding]]:
    """Run schemas and rules; return the findings of every workbook of the batch."""
    run_schemas(frames)
    cross_rules(frames, ctx)
    for idx, found in list(frames.findings.items()):
        frames.findings[idx] = one_per_cell(found)
    return frames.findings


def one_per_cell(findings: list[Finding]) -> list[Finding]:
    """One finding per cell and cause: a cell with an error keeps one error (the cell's own, e.g.
    „out of range“ for 20015, before a rule's, e.g. „after the survey year“) and no hint."""
    errors: dict[tuple, Finding] = {}
    for f in findings:
        if f.is_error and f.cell:
            key = (f.sheet, f.cell)
            if key not in errors or _rank(f) < _rank(errors[key]):
                errors[key] = f
    return [f for f in findings
            if not f.cell or (f.sheet, f.cell) not in errors or errors[(f.sheet, f.cell)] is f]


def _rank(f: Finding) -> int:
    """The cell's own value check first, then a rule within its sheet, then a rule across sheets."""
    if f.code in FRAME_RULE_CODES:
        return 1
    return 0 if f.code in CELL_CODES else 2


CELL_CODES = {code_of(k) for k, t in CATALOGUE.items() if t.kind == CELL}
FRAME_RULE_CODES = {r.name for r in FRAME_RULES}
