"""The one wiring of the pipeline, as plain functions: sources → schemas → warehouse → publications.

`ingest_year`, `publish_year` and `snapshot_year` are what the Prefect flows run
(flows/pipeline.py wraps them), what the tests call, and what the benchmark times. The
stages they call are plain functions; this module only puts them in order and turns the
home directory (flows/home.py) into the paths each stage takes.

`ingest_year` accepts the stage functions as keyword arguments (`read`, `check`,
`load`), so that the flow can run the same wiring with each stage as a Prefect task, and
`read_chunks(chunks, year, ctx, staging_dir)`, which yields `read_and_check`'s result per chunk
in chunk order (flows/pipeline.py: the chunks as tasks of a process pool or a Dask cluster).
"""

from __future__ import annotations

import logging
import pickle
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from mint_census.publications.checkreports import OVERVIEW_FILE, write_reports_and_overview
from mint_census.publications.checkreports.report_workbook import sorted_findings
from mint_census.schemas.formulas import neutralise
from mint_census.schemas.findings import ACCEPTED, REJECTED, SUPERSEDED, WITH_WARNINGS
from mint_census.schemas.frames import Context, SheetFrames
from mint_census.schemas.rules import missing_since_last_year
from mint_census.schemas.validation import validate
from mint_census.sources import batch, known_hashes
from mint_census.sources.addresses import register_emails
from mint_census.sources.reference import Reference, load_reference, resolve_reference_dir
from mint_census.sources.register import events_of, history, read_register
from mint_census.sources.safety import assert_defusedxml_active, inspect_file, safe_filename
from mint_census.sources.workbook import sha256_of
from mint_census.warehouse import load as loading
from mint_census.warehouse.answers import previous_values
from mint_census.warehouse.archive import archived
from mint_census.warehouse.assessments import earlier_assessments
from mint_census.warehouse.checks import check_warehouse
from mint_census.warehouse.rebuild import export_history
from mint_census.warehouse.retention import RetentionReport

from . import incremental, progress
from .home import Home
# The warehouse-reading steps live in flows/outputs.py (the publish and snapshot commands import
# only that); named here too, as the one wiring of the pipeline.
from .outputs import Published, accepted_networks, open_warehouse, publish_year, snapshot_year  # noqa: F401

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
    skipped: list[dict] = field(default_factory=list)   # inbox entries that are not regular files
    unchanged: int = 0                                  # files not read again (unchanged since last assessed)


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


def check_chunk(received: list[batch.Received], year: int, ctx: Context) -> SheetFrames:
    """Typing and validation of a chunk of received files (every rule looks at one workbook and the
    context); each file's findings wait in `pending` until `settle_batch` decides the duplicates
    across the whole batch and sets every status."""
    frames = batch.frames_for(received, year)
    batch.hold(received, validate(frames, ctx))
    return frames


def assess(received: list[batch.Received], year: int, ctx: Context) -> SheetFrames:
    """Typing, validation and duplicates of a whole batch at once; sets every file's status
    (rebuild and tools; an ingest checks chunk by chunk, then settles)."""
    frames = check_chunk(received, year, ctx)
    settle_batch(received)
    return frames


def settle_batch(received: list[batch.Received]) -> None:
    """Duplicates across the whole batch, then every file's status from its pending findings."""
    batch.resolve_duplicates(received)
    batch.settle(received)


def merged(year: int, parts: list[SheetFrames]) -> SheetFrames:
    """One SheetFrames of the typed values of all chunks (what the load needs: the frames)."""
    out = SheetFrames(year)
    names = dict.fromkeys(name for part in parts for name in part.frames)
    for name in names:
        frames = [p.frames[name] for p in parts if name in p.frames]
        filled = [f for f in frames if not f.empty]
        out.frames[name] = (pd.concat(filled, ignore_index=True) if len(filled) > 1
                            else (filled or frames)[0].reset_index(drop=True))
    return out


def staging(home: Home, run_id: str) -> loading.RawStaging:
    """Where an ingest spills the raw cells of its chunks until the load (removed afterwards)."""
    return loading.RawStaging(home.warehouse_dir / "staging" / run_id)


def safe_archived(home: Home) -> Callable[[str], Path | None]:
    """Archive key -> the archived file, only when it passes the safety checks (a check report
    opens it with openpyxl); None for a hostile or unreadable file (findings sheet only)."""
    def lookup(key: str) -> Path | None:
        path = archived(home.archive, key)
        return path if path.is_file() and not inspect_file(path) else None
    return lookup


def store_register(con, register: pd.DataFrame, year: int | None = None) -> bool:
    """core.register, core.register_events and core.register_history from the checked register. With
    `year` (an ingest): not again when the warehouse holds this very register, loaded by an ingest of that
    year (meta.register_loaded; 0.4 s at 10,000 networks); its versions then keep the time they were
    first loaded. Returns whether the register was loaded."""
    digest = incremental.register_digest(register, year) if year is not None else None
    if digest is not None and loading.loaded_register(con) == digest:
        return False
    loading.load_register(con, register, events_of(register), history(register), digest)
    return True


def read_home_register(home: Home) -> pd.DataFrame:
    """The home's register (register.csv with register_events.csv; RegisterError on any problem)."""
    return read_register(home.register, home.register_events)


def load(home: Home, year: int, run_id: str, started_at: datetime, received: list[batch.Received],
         frames: SheetFrames, reference: Reference, register: pd.DataFrame, skipped: list[dict] | None = None,
         staged: loading.RawStaging | None = None) -> dict:
    """Archive and load the batch (one transaction), then write check reports and the overview."""
    con = open_warehouse(home, command=f"ingest --year {year}")
    try:
        loading.load_reference(con, reference.laender, reference.kreise)
        store_register(con, register, year)
        summary = loading.load_year(con, home.archive, year, run_id, f"ingest --year {year}", started_at,
                                    received, frames, staged)
        reports, overview = write_reports_and_overview(
            con, run_id, year, home.reports(year), home.reports(year) / OVERVIEW_FILE,
            archived=safe_archived(home), staff_outdir=home.reports_staff(year),
            unchanged={r.wb.sha256 for r in received if r.unchanged}, emails=register_emails(home.register),
            skipped=skipped or [])
        export_history(con, home.register_history)  # rebuild keeps the register's history without the file
    finally:
        con.close()
    summary["reports"] = [str(p) for p in reports]
    summary["overview"] = overview
    return summary


def _from_warehouse(home: Home, year: int, query: Callable, empty):
    """`query(con, year)` on the home's warehouse during an ingest; `empty` when there is none yet."""
    if not home.warehouse.is_file():
        return empty
    con = open_warehouse(home, command=f"ingest --year {year}")
    try:
        return query(con, year)
    finally:
        con.close()


def previous_answers(home: Home, year: int) -> dict:
    """Each network's latest accepted values before `year`, for the across-year rules."""
    return _from_warehouse(home, year, previous_values, {})


def earlier(home: Home, year: int) -> dict[str, dict]:
    """The last assessment of every file of `year` (incremental re-ingest; {} without a warehouse)."""
    return _from_warehouse(home, year, earlier_assessments, {})


def first_error(received: batch.Received) -> str:
    """The first error of a file in German, worded and ordered as its check report says it
    (findings never carry personal data)."""
    errors = sorted_findings(f for f in received.findings if f.is_error)
    return str(neutralise(errors[0].message_de)) if errors else ""


def file_rows(received: list[batch.Received]) -> list[dict]:
    """One row per received file for the console, logs and Prefect artifacts (no personal data)."""
    return [{"Datei": r.file_name, "Netzwerk-ID": r.network_id or "", "Status": r.status,
             "Fehler": r.errors, "Hinweise": r.warnings, "Erster Fehler": first_error(r),
             "Unverändert": "ja" if r.unchanged else "nein"} for r in received]


def ingest_year(home: Home, year: int, inbox: Path | None = None,
                reference: Reference | str | Path | None = None, **stages) -> IngestSummary:
    """Check and load the workbooks of one census year; write check reports and the overview."""
    return ingest_batch(home, year, inbox, reference, **stages)[0]


def ingest_batch(home: Home, year: int, inbox: Path | None = None,
                 reference: Reference | str | Path | None = None, *,
                 read: Callable = read_files, check: Callable = check_chunk, load: Callable = load,
                 previous: Callable = previous_answers, assessed: Callable = earlier,
                 read_chunks: Callable | None = None) -> tuple[IngestSummary, list[batch.Received]]:
    """`ingest_year`, also returning every received file with its findings (for tests and tools)."""
    assert_defusedxml_active()
    started_at = datetime.now(timezone.utc)
    run_id = loading.new_run_id()
    ref = reference_data(reference)
    register = read_home_register(home)
    box = Path(inbox) if inbox else home.inbox(year)
    files = batch.discover(box)
    # the file system's time, then every file's lstat, before any file is hashed or read
    listed_at = known_hashes.clock(home.cache, box)
    listed = known_hashes.stats(files)
    hash_cache = known_hashes.cache_file(home.cache, year)
    skipped = batch.skipped_entries(box)  # links, folders, FIFOs: never followed, always reported
    for entry in skipped:
        log.warning("inbox entry not read: %s", entry["reason"])
    log.info("census %s: %d files in the inbox", year, len(files))
    ctx = Context(kreis_land=ref.kreis_land(), register_ids=set(register["network_id"]),
                  register_names=dict(zip(register["network_id"], register["network_name"])),
                  previous=previous(home, year))
    common, entries = incremental.common_inputs(ctx.kreis_land, register), incremental.register_entries(register)

    def inputs(network_id: str | None) -> str:
        return incremental.file_inputs(common, network_id, entries, ctx.previous)

    kept = unchanged_files(files, assessed(home, year), inputs, known_hashes.known(hash_cache, box, listed, listed_at))
    todo = [p for p in files if p not in kept]
    progress.report(progress.READING, 0, len(todo))
    chunks = [(todo[start:start + CHUNK], start) for start in range(0, len(todo), CHUNK)]
    staged = staging(home, run_id)
    received: list[batch.Received] = []
    parts: list[SheetFrames] = []

    def here(paths: list[Path], start: int) -> Checked:
        return read_and_check(paths, year, start, ctx, staged.directory, read=read, check=check)

    def serially(chunks: list[tuple[list[Path], int]]) -> Iterator[Checked]:
        for paths, start in chunks:
            yield here(paths, start)

    def absorb(done: Checked) -> None:
        chunk, typed, part = done
        parts.append(typed)
        if part is not None:
            staged.files.append(part)
        received.extend(chunk)

    try:
        # read_chunks (a task runner's processes) may decline: too few files to be worth them
        pooled = read_chunks(chunks, year, ctx, staged.directory) if read_chunks else None
        for done in (pooled if pooled is not None else serially(chunks)):
            absorb(done)
            progress.report(progress.READING, len(received), len(todo))
            progress.report(progress.CHECKING, len(received), len(todo))
        # another file of the same network: duplicates are decided across files, so read it again too
        clash = [p for p, (_, a) in kept.items() if a["network_id"] in {r.network_id for r in received if r.network_id}]
        if clash:
            absorb(here(clash, len(received)))
            for p in clash:
                del kept[p]
        settle_batch(received)
        progress.report(progress.CHECKING, len(received), len(received))
        frames = merged(year, parts)
        del parts[:]
        for r in received:
            r.inputs_fingerprint = inputs(r.network_id)
        start = len(received)
        received += [batch.earlier_result(start + i, p, sha, a, listed.get(p)) for i, (p, (sha, a)) in enumerate(kept.items())]
        order = {p: i for i, p in enumerate(files)}
        received.sort(key=lambda r: order.get(r.path, len(order)))
        if kept:
            log.info("census %s: %d files unchanged since their last check, not read again", year, len(kept))
        missing = missing_since_last_year(ctx, year, {r.network_id for r in received if r.network_id})
        if missing:
            log.info("answered last year, nothing received yet: %s", ", ".join(missing))
        for r in received:
            if r.status == REJECTED:
                codes = sorted({f.code for f in r.findings if f.is_error})
                log.info("rejected %s (%s): %d errors: %s", r.file_name, r.network_id or "?", r.errors,
                            ", ".join(codes))
        loaded = load(home, year, run_id, started_at, received, frames, ref, register, skipped, staged)
    finally:
        staged.remove()
    known_hashes.record(hash_cache, box, listed_at, listed, {r.path: r.wb.sha256 for r in received})
    summary = IngestSummary(
        year, run_id, len(received),
        sum(r.status == ACCEPTED for r in received), sum(r.status == WITH_WARNINGS for r in received),
        sum(r.status == REJECTED for r in received), sum(r.status == SUPERSEDED for r in received),
        sum(len(r.findings) for r in received), file_rows(received), loaded["reports"], missing,
        loaded["overview"], skipped, len(kept))
    return summary, received


Checked = tuple  # (received files of the chunk, their typed values, the chunk's raw-cells Parquet file or None)


def read_and_check(paths: list[Path], year: int, start: int, ctx: Context | bytes, staging_dir: Path, *,
                   read: Callable = read_files, check: Callable = check_chunk) -> Checked:
    """One chunk, start to spill: read, type and validate it, write its raw cells to the staging area
    and drop them (only identity cells stay). Where the chunk runs — this process, a process-pool
    worker or a Dask worker (`ctx` then comes pickled, `staging_dir` must be shared) — does not
    matter: the findings wait in each file's `pending` until the batch is settled."""
    if isinstance(ctx, bytes):
        ctx = pickle.loads(ctx)  # noqa: S301 - pickled by this ingest's own flow process
    chunk = read(paths, year, start)
    typed = check(chunk, year, ctx)
    part = loading.write_raw_part(chunk, year, Path(staging_dir) / f"part-{start:07d}.parquet")
    batch.release_cells(chunk)
    return chunk, SheetFrames(year, frames=typed.frames), part  # cell addresses were for the findings only


def unchanged_files(files: list[Path], earlier: dict[str, dict], inputs: Callable[[str | None], str],
                    known: dict[Path, str] | None = None) -> dict[Path, tuple[str, dict]]:
    """The files whose content and inputs are unchanged since their last assessment (path -> (SHA-256,
    that assessment)); none of two files of one network (duplicates are decided across files).
    `known`: hashes that need not be computed again (sources.known_hashes)."""
    if not earlier:
        return {}
    known = known or {}
    kept: dict[Path, tuple[str, dict]] = {}
    for p in files:
        sha = known.get(p) or sha256_of(p)
        a = earlier.get(sha)
        if a is not None and incremental.reusable(a, safe_filename(p.name), inputs(a["network_id"])):
            kept[p] = (sha, a)
    twice = {n for n, k in Counter(a["network_id"] for _, a in kept.values()).items() if k > 1}
    return {p: v for p, v in kept.items() if v[1]["network_id"] not in twice or not v[1]["network_id"]}


def check(home: Home, published: bool = True) -> list[str]:
    """The warehouse's invariants (warehouse/checks.py) for a home: one line per breach."""
    return check_warehouse(home.warehouse, home.archive, home.published if published else None,
                           lock_file=home.writer_lock)


def retention(home: Home, keep_years: int, current_year: int | None = None,
              dry_run: bool = False) -> RetentionReport:
    """Personal data past the retention period out of every place under the home (flows/retention.py)."""
    from .retention import run_retention
    return run_retention(home, keep_years, current_year, dry_run=dry_run)


def rebuild(home: Home, reference: Reference | str | Path | None = None):
    """A new warehouse from the archive, the register and the reference data (flows/rebuild.py)."""
    from .rebuild import rebuild as run_rebuild
    return run_rebuild(home, reference)
