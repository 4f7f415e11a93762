"""Machine-readable CSV files: one per table, plain values, no title lines.

UTF-8 without byte order mark, comma separated, "\\n" line endings, header row of the
English column names, numbers with "." as decimal separator, missing values empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from mint_census.schemas.formulas import neutralise

from .files import atomic_path
from .queries import QueryResult


def csv_value(value: Any) -> str:
    """One CSV field: numbers as plain numbers, text neutralised against formulas."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # shortest round-trip form: 16.7, 100.0
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(neutralise(str(value)))


def write_csv(path: Path, result: QueryResult) -> Path:
    """Write ``result`` to ``path`` (atomically) and return ``path``."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([csv_value(value) for value in row] for row in result.rows)
    return path
