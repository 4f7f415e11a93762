"""The check reports and the staff overview of an ingest, written side by side.

The overview (one row per network, ~1 s of openpyxl at 2,000 networks) links each network's report,
so it used to wait for the reports. The report workbooks a run writes are known before they are
written (`reports.plan_reports`): the overview's rows are queried first, with those reports
linked, and its workbook goes to the report pool's process first, while this process starts on
the reports (`reports.ReportPlan.write`). Without a pool everything is written here, one after
the other; the files are the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .heap import frozen_heap
from .overview import prepare_overview
from .reports import plan_reports

# The overview's cost in check reports (~0.1 s each), for the decision on a pool: ~1 s at 2,000 rows.
ROWS_PER_REPORT = 200


def write_reports_and_overview(con, run_id: str, year: int, outdir: Path, overview: Path, *,
                               archived: Callable[[str], Path] | None = None, staff_outdir: Path | None = None,
                               unchanged: set[str] = frozenset(), emails: dict[str, str] | None = None,
                               skipped: list[dict] = ()) -> tuple[list[Path], list[dict]]:
    """`reports.write_check_reports` (into `outdir`) and `overview.write_overview` (to `overview`) with
    their arguments; returns the report paths and the overview's rows."""
    with frozen_heap():
        plan = plan_reports(con, run_id, year, outdir, archived, staff_outdir, unchanged)
        shown, write = prepare_overview(con, year, overview, emails, skipped,
                                        coming=plan.to_write(outdir) if overview.parent == outdir else set())
        paths, _ = plan.write(also=write, weight=len(shown) // ROWS_PER_REPORT)
    return paths, shown
