"""Prefect flows: wiring only. Every step is a plain function of sources/, schemas/,
warehouse/ or publications/; the tasks here just call them in order.

- `ingest_flow(year)`: discover -> read (in chunks, not one task per file) ->
  validate (one pandera call per sheet type) -> archive + load (one transaction) ->
  check reports and run artifacts.
- `publish_flow(year)`: the publication of a year from the warehouse.
- `run_flow(year)`: ingest + publish as one flow.

Tasks neither persist results nor cache on inputs: workbooks carry personal data
(contact sheet) that must never reach Prefect's result storage. Artifacts and logs
carry file names, network IDs, statuses and counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from mint_census.publications.checkreports import OVERVIEW_FILE, write_check_reports, write_overview
from mint_census.publications.publish import headline, publish
from mint_census.schemas.findings import ACCEPTED, REJECTED, WITH_WARNINGS
from mint_census.schemas.validation import Context, missing_since_last_year
from mint_census.sources import batch
from mint_census.sources.reference import Reference, load_reference, resolve_reference_dir
from mint_census.sources.register import read_register
from mint_census.sources.safety import assert_defusedxml_active
from mint_census.warehouse import store
from mint_census.warehouse.answers import previous_values
from mint_census.warehouse.snapshot import write_snapshot

CHUNK = 250  # workbooks read per task
TASK_OPTS = dict(persist_result=False, cache_policy=NO_CACHE)


@dataclass
class Paths:
    home: Path

    @property
    def register(self) -> Path:
        return self.home / "register.csv"

    def inbox(self, year: int) -> Path:
        return self.home / "inbox" / str(year)

    def reports(self, year: int) -> Path:
        return self.home / "reports" / str(year)

    def publication(self, year: int) -> Path:
        return self.home / "publication" / str(year)

    @property
    def is_demo(self) -> bool:
        return (self.home / ".demo").exists()


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
    rows: list[dict] = field(default_factory=list)   # one per file: no personal data
    reports: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # answered last year, nothing this year


@task(**TASK_OPTS)
def read_chunk(paths: list[Path], year: int, start: int) -> list[batch.Received]:
    return batch.read_all(paths, year, start)


@task(**TASK_OPTS)
def validate_batch(received: list[batch.Received], year: int, ctx: Context):
    return batch.assess(received, year, ctx)


@task(**TASK_OPTS)
def load_task(home: Path, year: int, run_id: str, started_at: datetime, received, frames,
              reference: Reference, register) -> dict:
    con = store.connect(home)
    try:
        store.load_reference(con, reference)
        store.load_register(con, register)
        summary = store.load_year(con, home, year, run_id, f"ingest --year {year}", started_at,
                                  received, frames)
        reports = write_check_reports(con, run_id, year, Paths(home).reports(year), home=home)
        overview = write_overview(con, year, Paths(home).reports(year) / OVERVIEW_FILE)
    finally:
        con.close()
    summary["reports"] = [str(p) for p in reports]
    summary["overview"] = overview
    return summary


@task(**TASK_OPTS)
def previous_answers(home: Path, year: int) -> dict:
    """Each network's latest accepted values before `year`, for the across-year rules."""
    con = store.connect(home)
    try:
        return previous_values(con, year)
    finally:
        con.close()


def _file_rows(received: list[batch.Received]) -> list[dict]:
    return [{"Datei": r.file_name, "Netzwerk-ID": r.network_id or "", "Status": r.status,
             "Fehler": r.errors, "Hinweise": r.warnings} for r in received]


@flow(name="mint-census-ingest", log_prints=False)
def ingest_flow(year: int, home: str, inbox: str | None = None, reference: str | None = None) -> IngestSummary:
    log = get_run_logger()
    assert_defusedxml_active()
    paths = Paths(Path(home))
    started_at = datetime.now(timezone.utc)
    run_id = store.new_run_id()
    ref = load_reference(resolve_reference_dir(reference))
    register = read_register(paths.register)
    files = batch.discover(Path(inbox) if inbox else paths.inbox(year))
    log.info("census %s: %d files in the inbox", year, len(files))
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    received: list[batch.Received] = []
    for i, chunk in enumerate(chunks):
        received += read_chunk(chunk, year, i * CHUNK)
    ctx = Context(kreis_land=ref.kreis_land(), register_ids=set(register["network_id"]),
                  previous=previous_answers(paths.home, year))
    frames = validate_batch(received, year, ctx)
    missing = missing_since_last_year(ctx, year, {r.network_id for r in received if r.network_id})
    if missing:
        log.warning("answered last year, nothing received yet: %s", ", ".join(missing))
    for r in received:
        if r.status == REJECTED:
            codes = sorted({f.code for f in r.findings if f.is_error})
            log.warning("rejected %s (%s): %d errors: %s", r.file_name, r.network_id or "?", r.errors,
                        ", ".join(codes))
    loaded = load_task(paths.home, year, run_id, started_at, received, frames, ref, register)
    rows = _file_rows(received)
    summary = IngestSummary(
        year, run_id, len(received),
        sum(r.status == ACCEPTED for r in received), sum(r.status == WITH_WARNINGS for r in received),
        sum(r.status == REJECTED for r in received), sum(r.status == batch.SUPERSEDED for r in received),
        sum(len(r.findings) for r in received), rows, loaded["reports"], missing)
    create_table_artifact(key=f"ingest-{year}", table=rows or [{"Datei": "(keine Dateien)"}],
                          description=f"Eingang Erhebung {year}: eine Zeile je Datei")
    create_table_artifact(key=f"overview-{year}", table=loaded["overview"] or [{"Netzwerk-ID": "(keine)"}],
                          description=f"Erhebung {year}: Stand je Netzwerk (angenommen, abgelehnt, fehlt)")
    create_markdown_artifact(key=f"ingest-summary-{year}", markdown=(
        f"# Erhebung {year}: Eingang\n\n"
        f"| Dateien | angenommen | mit Hinweisen | abgelehnt | ersetzt | Befunde |\n|---|---|---|---|---|---|\n"
        f"| {summary.files} | {summary.accepted} | {summary.with_warnings} | {summary.rejected} | "
        f"{summary.superseded} | {summary.findings} |\n\nLauf {run_id}"))
    return summary


@flow(name="mint-census-publish")
def publish_flow(year: int, home: str, reference: str | None = None) -> dict:
    """Publication of `year`; `reference` is the resolved reference directory (None: no map)."""
    paths = Paths(Path(home))
    con = store.connect(paths.home)
    try:
        stand = con.execute("SELECT max(finished_at) FROM meta.runs WHERE census_year <= ?", [year]).fetchone()[0]
        files = publish(con, year, paths.publication(year), fictitious=paths.is_demo,
                        stand=stand.date() if stand else None,
                        reference=Path(reference) if reference else None)
        line = headline(con, year)
    finally:
        con.close()
    create_markdown_artifact(key=f"publication-{year}", markdown=(
        f"# Veröffentlichung {year}\n\n{line}\n\n" + "\n".join(f"- {p.name}" for p in files)
        + "".join(f"\n\n> {m}" for m in files.messages)))
    return {"files": [str(p) for p in files], "messages": list(files.messages)}


@flow(name="mint-census-snapshot")
def snapshot_flow(year: int, home: str) -> list[str]:
    """The researchers' snapshot (no personal data), written atomically; returns its manifest lines."""
    manifest = write_snapshot(Path(home), year)
    lines = manifest.lines(Path(home))
    create_markdown_artifact(key=f"snapshot-{year}", markdown="# Snapshot\n\n" + "\n".join(f"- {x}" for x in lines))
    return lines


@flow(name="mint-census-run")
def run_flow(year: int, home: str, inbox: str | None = None, reference: str | None = None):
    """ingest + publish + snapshot of one year as one flow."""
    summary = ingest_flow(year, home, inbox, reference)
    published = publish_flow(year, home, reference)
    snapshot = snapshot_flow(year, home)
    return summary, published, snapshot
