"""Validation of a batch: the sheet schemas (schemas/sheets.py), then the rules across
sheets, sources and years (schemas/rules.py). Errors block a workbook's load; warnings
are loaded and reported.
"""

from __future__ import annotations

from .findings import Finding
from .frames import Context, SheetFrames
from .rules import cross_rules
from .sheets import run_schemas


def validate(frames: SheetFrames, ctx: Context) -> dict[int, list[Finding]]:
    """Run schemas and rules; return the findings of every workbook of the batch."""
    run_schemas(frames)
    cross_rules(frames, ctx)
    return frames.findings
