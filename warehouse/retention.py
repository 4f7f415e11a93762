"""Retention: remove personal data older than a retention period, keep the statistics.

Personal data (the coordinator's name, e-mail and phone from the Kontakt sheet) is kept
for the last `keep_years` census years (counting the current calendar year) and then removed,
with `apply_retention(warehouse, lock_file, archive_dir, keep_years)`; with keep_years = 3 in 2025, the years 2023-2025 keep
their contacts and everything before 2023 loses them:

- `private.contacts`: rows of census years before `current_year - keep_years + 1` are deleted;
- `archive/`: the received workbooks of those years (they contain the Kontakt sheet) are
  deleted. Their non-personal content stays in the warehouse (`raw.cells` holds every
  non-personal cell as read, `core` the validated values), and `meta.retention` records
  each removed file (hash, path, when, why), so `check-warehouse` still traces every core
  row to its source. This is the one operation that deletes from the archive, and only
  files past retention; runs never change or delete archived files.
- the removed contact values are returned (`RetentionReport.contact_values`), so that the
  caller can redact other copies (check reports: publications/checkreports/redact.py).

Statistics (`core`, `raw`, `pub`, `ref`, `meta.submissions`) are not touched. Everything in
the warehouse happens in one transaction; files are removed after it commits (a crash in
between leaves files that the next retention run removes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from .archive import archived
from .connection import connect, transaction

DEFAULT_KEEP_YEARS = 3

@dataclass
class RetentionReport:
    keep_years: int
    cutoff_year: int                  # census years < cutoff_year lost their personal data
    contacts_removed: int = 0
    archive_files_removed: list[str] = field(default_factory=list)
    reports_redacted: list[str] = field(default_factory=list)
    dry_run: bool = False
    contact_values: set[str] = field(default_factory=set, repr=False)  # never printed or logged

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        return [f"retention {self.keep_years} years: personal data of census years before {self.cutoff_year}",
                f"  private.contacts: {verb} {self.contacts_removed} rows",
                f"  archive: {verb} {len(self.archive_files_removed)} received workbooks "
                "(their statistics stay in raw.cells and core)",
                f"  reports: {'would redact' if self.dry_run else 'redacted'} {len(self.reports_redacted)} "
                "check-report workbooks"]


def apply_retention(warehouse: Path, lock_file: Path, archive_dir: Path, keep_years: int = DEFAULT_KEEP_YEARS,
                    current_year: int | None = None, dry_run: bool = False) -> RetentionReport:
    """Delete contacts and archived workbooks of census years past the retention period."""
    if keep_years < 0:
        raise ValueError("keep_years must be 0 or more")
    cutoff = (current_year or date.today().year) - keep_years + 1  # keep the last keep_years census years
    report = RetentionReport(keep_years, cutoff, dry_run=dry_run)
    con = connect(warehouse, lock_file=lock_file, read_only=dry_run, command=f"retention --keep-years {keep_years}")
    try:
        contacts = con.execute(
            "SELECT network_id, census_year, contact_name, contact_email, contact_phone FROM private.contacts "
            "WHERE census_year < ?", [cutoff]).fetchall()
        report.contacts_removed = len(contacts)
        files = con.execute(
            "SELECT file_sha256, min(archive_path), min(census_year), min(network_id) FROM meta.submissions "
            "WHERE census_year < ? GROUP BY file_sha256 ORDER BY 2", [cutoff]).fetchall()
        try:
            done = {r[0] for r in con.execute("SELECT file_sha256 FROM meta.retention").fetchall()}
        except duckdb.CatalogException:  # dry run on a warehouse created before retention existed
            done = set()
        to_remove = [f for f in files if f[1] and archived(archive_dir, f[1]).exists()]
        report.archive_files_removed = [f[1] for f in to_remove]
        if not dry_run:
            now = datetime.now(timezone.utc).replace(tzinfo=None)
            with transaction(con):
                con.execute("DELETE FROM private.contacts WHERE census_year < ?", [cutoff])
                rows = [(sha, rel, y, nid, now, f"retention period {keep_years} years")
                        for sha, rel, y, nid in files if sha not in done]
                if rows:
                    con.executemany("INSERT INTO meta.retention VALUES (?, ?, ?, ?, ?, ?)", rows)
            con.execute("CHECKPOINT")
    finally:
        con.close()
    for _nid, _y, *vals in contacts:
        report.contact_values.update(str(v) for v in vals if v)
    if not dry_run:
        for _sha, rel, _y, _nid in to_remove:
            archived(archive_dir, rel).unlink(missing_ok=True)
    return report
