"""What validation works on: the typed values of a batch of workbooks, and what it knows besides.

- `SheetFrames`: one DataFrame per sheet type holding every workbook of the batch (column
  `_wb` says which workbook, `_row` which sheet row), plus where each value came from
  (cell addresses), the template version of each workbook and the findings so far.
- `Context`: reference data, the register and last year's answers, for the rules that
  look beyond one workbook.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import questionnaire as q
from . import vocabularies as voc
from .findings import Finding

PREVIOUS_YEAR = "_year"   # key in Context.previous[network_id]: the census year of those values


@dataclass
class SheetFrames:
    """Typed values of all workbooks in a batch, one frame per sheet type."""
    year: int
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    versions: dict[int, str] = field(default_factory=dict)       # workbook index -> version
    network_ids: dict[int, str | None] = field(default_factory=dict)
    cells: dict[tuple[int, int | None, str], str] = field(default_factory=dict)
    coercion_errors: set[tuple[int, int | None, str]] = field(default_factory=set)
    findings: dict[int, list[Finding]] = field(default_factory=lambda: defaultdict(list))

    def add(self, idx: int, finding: Finding) -> None:
        self.findings[idx].append(finding)

    def label(self, idx: int, key: str) -> str:
        return q.layout(self.versions[idx]).places[key].label

    def cell(self, idx: int, row: int | None, key: str) -> str:
        known = self.cells.get((idx, row, key))
        if known:
            return known
        return q.layout(self.versions[idx]).places[key].cell(row)


@dataclass
class Context:
    """What validation knows beyond the workbooks: reference data and the register."""
    kreis_land: dict[str, str] | None = None       # AGS -> Land code; None: no reference data
    kreis_successor: dict[str, str] = field(default_factory=lambda: dict(voc.KREIS_SUCCESSORS))
    register_ids: set[str] | None = None          # network IDs in the register
    register_names: dict[str, str] | None = None  # network ID -> name in the register
    # Across years: network ID -> field key -> the network's accepted value in its latest
    # earlier census year (key PREVIOUS_YEAR holds that year). None: no across-year rules.
    # Built from the warehouse by warehouse.answers.previous_values.
    previous: dict[str, dict[str, Any]] | None = None
