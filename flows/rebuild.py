"""The wiring of `rebuild`: a new warehouse from the archive, the register and the reference
data (the recovery procedure: docs/operations.md).

1. From the old warehouse, where it still opens (warehouse/rebuild.salvage): the order of the
   runs, which archived files each run received and under which name, the register's history
   and the retention records. Without it, every archived workbook is read and grouped by the
   census year written in it, one batch per year, the newer file of a network winning.
2. A new file beside the old one: reference data, the register, then every run (or year)
   again through the same stages as an ingest (read, assess, load; no check reports are
   written), then the register's history and retention records restored.
3. Verified against the old warehouse where it is readable: every `core` table and `pub` view
   must hold the same rows (run ids and timestamps aside). On a difference the old warehouse
   stays in place and the new file is left beside it for inspection; otherwise (or when the
   old file is unreadable) the new file replaces it and the old one is kept as
   `mint_census.duckdb.before-rebuild-<time>`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mint_census.schemas.frames import Context
from mint_census.sources import batch
from mint_census.sources.workbook import read_workbook
from mint_census.warehouse import load as loading
from mint_census.warehouse.answers import previous_values
from mint_census.warehouse.archive import archived
from mint_census.warehouse.connection import connect, transaction
from mint_census.warehouse.lock import hold
from mint_census.warehouse.rebuild import (Salvage, comparable, differences, export_history, history_from_export,
                                           restore_history, salvage, swap)

from .home import Home

log = logging.getLogger(__name__)


@dataclass
class RebuildReport:
    old_readable: bool
    batches: int = 0
    files: int = 0
    loaded: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    replaced: bool = False
    kept_old: str | None = None
    new_file: str | None = None
    history_restored: bool = False  # from the copy beside the warehouse (old file unreadable)

    @property
    def ok(self) -> bool:
        return not self.differences

    def lines(self) -> list[str]:
        out = [f"rebuild: {self.files} archived files in {self.batches} "
               f"{'runs (order from the old warehouse)' if self.old_readable else 'census years'}, "
               f"{self.loaded} loaded",
               f"  core.networks: {self.rows.get('core.networks', 0)} rows, "
               f"pub.growth: {self.rows.get('pub.growth', 0)} rows"]
        if not self.old_readable:
            out.append("  old warehouse unreadable: nothing to compare; register history "
                       + ("restored from register_history.json" if self.history_restored else
                          "starts again from the current register (no register_history.json)"))
        elif self.differences:
            out.append(f"  differs from the old warehouse in {len(self.differences)} table(s); "
                       f"the old warehouse stays, the new one is at {self.new_file}:")
            out += [f"    {d}" for d in self.differences]
        else:
            out.append("  verified: every core table and pub view holds the same rows as the old warehouse")
        if self.replaced:
            out.append(f"  warehouse replaced; the previous file is kept as {self.kept_old}" if self.kept_old
                       else "  warehouse written")
        return out


def _batches(home: Home, old) -> list[tuple[int, list[tuple[Path, str | None, datetime | None]]]]:
    """(census year, [(archived file, original name, received at)]) in the order to load."""
    if old is not None:
        out = []
        for run_id, year, _started in old.runs:
            files = [(archived(home.archive, rel), name, at) for _sha, name, at, rel in old.submissions.get(run_id, [])
                     if rel and archived(home.archive, rel).is_file()]
            if files:
                out.append((year, files))
        return out
    by_year: dict[int, list] = defaultdict(list)
    for f in sorted(p for p in home.archive.rglob("*") if p.is_file() and len(p.name.split(".")[0]) == 64):
        wb = read_workbook(f)
        if wb.census_year is not None:
            by_year[wb.census_year].append((f, None, None))
    return sorted(by_year.items())


def rebuild(home: Home, reference) -> RebuildReport:
    from .steps import assess, read_home_register, reference_data, store_register

    ref = reference_data(reference)
    register = read_home_register(home)
    with hold(home.writer_lock, "rebuild"):
        old = salvage(home.warehouse)
        report = RebuildReport(old_readable=old is not None)
        new = home.warehouse.with_name(f".{home.warehouse.name}.rebuild")
        for leftover in (new, Path(str(new) + ".wal")):
            leftover.unlink(missing_ok=True)
        con = connect(new, lock_file=home.writer_lock, command="rebuild")
        try:
            loading.load_reference(con, ref.laender, ref.kreise)
            store_register(con, register)
            for year, files in _batches(home, old):
                received = batch.read_all([f for f, _n, _a in files], year)
                for r, (_f, name, at) in zip(received, files):
                    r.file_name = name or r.file_name
                    if at is not None:
                        r.received_at = at.replace(tzinfo=timezone.utc)
                ctx = Context(kreis_land=ref.kreis_land(), register_ids=set(register["network_id"]),
                              previous=previous_values(con, year))
                frames = assess(received, year, ctx)
                started = datetime.now(timezone.utc)
                summary = loading.load_year(con, home.archive, year, loading.new_run_id(), "rebuild", started,
                                            received, frames)
                report.batches += 1
                report.files += len(received)
                report.loaded += summary["accepted"]
            if old is not None:
                with transaction(con):
                    restore_history(con, old)
            elif (saved := history_from_export(home.register_history)) is not None:
                cols, rows = saved
                with transaction(con):
                    restore_history(con, Salvage([], {}, rows, cols, []))
                report.history_restored = True
            export_history(con, home.register_history)
            con.execute("CHECKPOINT")
            rows = comparable(con.duckdb)
        finally:
            con.close()
        report.rows = {k: len(v) for k, v in rows.items()}
        if old is not None:
            report.differences = differences(old.rows, rows)
        if report.differences:
            report.new_file = str(new)
            return report
        kept = swap(new, home.warehouse)
        report.replaced, report.kept_old = True, (str(kept) if kept else None)
    return report
