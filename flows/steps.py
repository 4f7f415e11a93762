"""The one wiring of the pipeline, as plain functions: sources → schemas → warehouse → publications.

`ingest_year`, `publish_year` and `snapshot_year` are what the Prefect flows run
(flows/pipeline.py wraps them), what the tests call, and what the benchmark times. The
stages they call are plain functions; this module only puts them in order and turns the
home directory (flows/home.py) into the paths each stage takes.

`ingest_year` accepts the stage functions as keyword arguments (`read`, `assess`,
`load`), so that the flow can run the same wiring with each stage as a Prefect task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from mint_census.publications.checkreports import (OVERVIEW_FILE, redact_reports, write_check_reports,
                                                   write_overview)
from mint_census.publications.publish import headline, publish
from mint_census.schemas import questionnaire as q
from mint_census.schemas.findings import ACCEPTED, REJECTED, SUPERSEDED, WITH_WARNINGS
from mint_census.schemas.frames import Context, SheetFrames
from mint_census.schemas.rules import missing_since_last_year
from mint_census.schemas.validation import validate
from mint_census.sources import batch
from mint_census.sources.reference import Reference, load_reference, resolve_reference_dir
from mint_census.sources.register import read_register
from mint_census.sources.safety import assert_defusedxml_active, inspect_file
from mint_census.warehouse import load as loading
from mint_census.warehouse.answers import previous_values
from mint_census.warehouse.archive import archived
from mint_census.warehouse.checks import check_warehouse
from mint_census.warehouse.connection import WarehouseConnection, connect
from mint_census.warehouse.retention import RetentionReport, apply_retention
from mint_census.warehouse.snapshot import write_snapshot

from .home import Home

log = logging.getLogger(__name__)

CHUNK = 250  # workbooks read per call of `read` (one Prefect task per chunk, never per file)


@dataclass
class IngestSummary:
    year: int
    run_id: str
    files: int
    accepted: int
    with_warnings: int
    rejected: int
    superseded: int
    findings: int
    rows: list[dict] = field(default_factory=list)      # one per file: no personal data
    reports: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)    # answered last year, nothing this year
    overview: list[dict] = field(default_factory=list)  # the staff overview's rows


def open_warehouse(home: Home, read_only: bool = False, command: str | None = None) -> WarehouseConnection:
    """The private warehouse of a home (writers take its writer lock)."""
    return connect(home.warehouse, lock_file=home.writer_lock, read_only=read_only, command=command)


def reference_data(reference: Reference | str | Path | None) -> Reference:
    """The official reference data: loaded already, an explicit directory, else the configured
    or default one."""
    if isinstance(reference, Reference):
        return reference
    return load_reference(resolve_reference_dir(reference))


# --- the stages of an ingest -------------------------------------------------------------

def read_files(paths: list[Path], year: int, start: int = 0) -> list[batch.Received]:
    """Read (and safety-check) a chunk of received files; never raises for a bad file."""
    return batch.read_all(paths, year, start)


def assess(received: list[batch.Received], year: int, ctx: Context) -> SheetFrames:
    """Duplicates, typing and validation of a whole batch; sets every file's status."""
    batch.resolve_duplicates(received)
    frames = batch.frames_for(received, year)
    batch.settle(received, validate(frames, ctx))
    return frames


def safe_archived(home: Home) -> Callable[[str], Path | None]:
    """Archive key -> the archived file, only when it passes the safety checks (a check report
    opens it with openpyxl); None for a hostile or unreadable file (findings sheet only)."""
    def lookup(key: str) -> Path | None:
        path = archived(home.archive, key)
        return path if path.is_file() and not inspect_file(path) else None
    return lookup


def load(home: Home, year: int, run_id: str, started_at: datetime, received: list[batch.Received],
         frames: SheetFrames, reference: Reference, register: pd.DataFrame) -> dict:
    """Archive and load the batch (one transaction), then write check reports and the overview."""
    con = open_warehouse(home, command=f"ingest --year {year}")
    try:
        loading.load_reference(con, reference.laender, reference.kreise)
        loading.load_register(con, register)
        summary = loading.load_year(con, home.archive, year, run_id, f"ingest --year {year}", started_at,
                                    received, frames)
        reports = write_check_reports(con, run_id, year, home.reports(year), archived=safe_archived(home),
                                      staff_outdir=home.reports_staff(year))
        overview = write_overview(con, year, home.reports(year) / OVERVIEW_FILE)
    finally:
        con.close()
    summary["reports"] = [str(p) for p in reports]
    summary["overview"] = overview
    return summary


def previous_answers(home: Home, year: int) -> dict:
    """Each network's latest accepted values before `year`, for the across-year rules."""
    if not home.warehouse.is_file():
        return {}
    con = open_warehouse(home, command=f"ingest --year {year}")
    try:
        return previous_values(con, year)
    finally:
        con.close()


def file_rows(received: list[batch.Received]) -> list[dict]:
    """One row per received file for the console, logs and Prefect artifacts (no personal data)."""
    return [{"Datei": r.file_name, "Netzwerk-ID": r.network_id or "", "Status": r.status,
             "Fehler": r.errors, "Hinweise": r.warnings} for r in received]


def ingest_year(home: Home, year: int, inbox: Path | None = None,
                reference: Reference | str | Path | None = None, **stages) -> IngestSummary:
    """Check and load the workbooks of one census year; write check reports and the overview."""
    return ingest_batch(home, year, inbox, reference, **stages)[0]


def ingest_batch(home: Home, year: int, inbox: Path | None = None,
                 reference: Reference | str | Path | None = None, *,
                 read: Callable = read_files, assess: Callable = assess, load: Callable = load,
                 previous: Callable = previous_answers) -> tuple[IngestSummary, list[batch.Received]]:
    """`ingest_year`, also returning every received file with its findings (for tests and tools)."""
    assert_defusedxml_active()
    started_at = datetime.now(timezone.utc)
    run_id = loading.new_run_id()
    ref = reference_data(reference)
    register = read_register(home.register)
    files = batch.discover(Path(inbox) if inbox else home.inbox(year))
    log.info("census %s: %d files in the inbox", year, len(files))
    received: list[batch.Received] = []
    for start in range(0, len(files), CHUNK):
        received += read(files[start:start + CHUNK], year, start)
    ctx = Context(kreis_land=ref.kreis_land(), register_ids=set(register["network_id"]),
                  register_names=dict(zip(register["network_id"], register["network_name"])),
                  previous=previous(home, year))
    frames = assess(received, year, ctx)
    missing = missing_since_last_year(ctx, year, {r.network_id for r in received if r.network_id})
    if missing:
        log.warning("answered last year, nothing received yet: %s", ", ".join(missing))
    for r in received:
        if r.status == REJECTED:
            codes = sorted({f.code for f in r.findings if f.is_error})
            log.warning("rejected %s (%s): %d errors: %s", r.file_name, r.network_id or "?", r.errors,
                        ", ".join(codes))
    loaded = load(home, year, run_id, started_at, received, frames, ref, register)
    summary = IngestSummary(
        year, run_id, len(received),
        sum(r.status == ACCEPTED for r in received), sum(r.status == WITH_WARNINGS for r in received),
        sum(r.status == REJECTED for r in received), sum(r.status == SUPERSEDED for r in received),
        sum(len(r.findings) for r in received), file_rows(received), loaded["reports"], missing,
        loaded["overview"])
    return summary, received


# --- publish and snapshot --------------------------------------------------------------------

@dataclass
class Published:
    year: int
    files: list[str]
    messages: list[str]
    headline: str


def publish_year(home: Home, year: int, reference: str | Path | None = None) -> Published:
    """The overview publication of `year` from the warehouse, into publication/<year>/."""
    ref_dir = resolve_reference_dir(reference)
    con = open_warehouse(home, command=f"publish --year {year}")
    try:
        stand = con.execute("SELECT max(finished_at) FROM meta.runs WHERE census_year <= ?", [year]).fetchone()[0]
        files = publish(con, year, home.publication(year), fictitious=home.is_demo,
                        stand=stand.date() if stand else None, reference=ref_dir)
        line = headline(con, year)
    finally:
        con.close()
    return Published(year, [str(p) for p in files], list(files.messages), line)


def snapshot_year(home: Home, year: int) -> list[str]:
    """The researchers' snapshot (no personal data), written atomically; returns its manifest lines."""
    manifest = write_snapshot(home.warehouse, home.published, year, lock_file=home.writer_lock)
    return manifest.lines(home.published)


def check(home: Home, published: bool = True) -> list[str]:
    """The warehouse's invariants (warehouse/checks.py) for a home: one line per breach."""
    return check_warehouse(home.warehouse, home.archive, home.published if published else None,
                           lock_file=home.writer_lock)


def retention(home: Home, keep_years: int, current_year: int | None = None,
              dry_run: bool = False) -> RetentionReport:
    """Personal data past the retention period out of the warehouse, the archive and the check reports."""
    report = apply_retention(home.warehouse, home.writer_lock, home.archive, keep_years=keep_years,
                             current_year=current_year, dry_run=dry_run)
    report_dirs = [home.reports(y) for y in range(q.FIRST_CENSUS_YEAR - 20, report.cutoff_year)]
    redacted = redact_reports(report_dirs, report.contact_values, dry_run=dry_run)
    report.reports_redacted = [p.relative_to(home.root).as_posix() for p in redacted]
    return report
