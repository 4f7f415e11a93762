"""Prefect flows: the wiring of flows/steps.py, run as flows with tasks and artifacts.

- `ingest_flow(year)`: steps.ingest_year with reading (one task per chunk of files, not
  per file), assessment and loading as tasks; a table artifact per file, the staff
  overview and a summary.
- `publish_flow(year)`: outputs.publish_year.
- `snapshot_flow(year)`: outputs.snapshot_year.
- `run_flow(year)`: ingest + publish + snapshot as one flow.

Tasks neither persist results nor cache on inputs: workbooks carry personal data
(contact sheet) that must never reach Prefect's result storage. Artifacts and logs
carry file names, network IDs, statuses and counts only.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

from prefect import Flow, task
from prefect.artifacts import (create_markdown_artifact, create_progress_artifact, create_table_artifact,
                               update_progress_artifact)
from prefect.cache_policies import NO_CACHE
from prefect.schedules import Cron
from prefect.utilities.annotations import quote

from mint_census.publications.processes import end_without_teardown, share, usable_cores
from mint_census.schemas.findings import ACCEPTED, STATUS_DE

from . import outputs, progress
from .home import Home

TASK_OPTS = dict(persist_result=False, cache_policy=NO_CACHE)


class CensusFlow(Flow):
    """Prefect's Flow, whose run parameters (years, paths, names: plain JSON values) go to the
    server as they are. Prefect encodes them with FastAPI's encoder otherwise, and importing
    FastAPI for that costs 0.36 s on every command; any other value takes Prefect's way."""

    def serialize_parameters(self, parameters):
        if all(value is None or type(value) in (str, int, float, bool) for value in parameters.values()):
            return dict(parameters)
        return super().serialize_parameters(parameters)

    def with_options(self, **options):
        """Prefect's with_options builds a plain Flow; the copy stays a CensusFlow."""
        copy = super().with_options(**options)
        copy.__class__ = CensusFlow
        return copy

    def __call__(self, *args, **kwargs):
        """The flow's return value; one returned as ``quote(value)`` (see ``ingest_flow``) comes back
        unwrapped. (With ``return_state=True`` the state's result is the quote.)"""
        result = super().__call__(*args, **kwargs)
        return result.unwrap() if isinstance(result, quote) else result


def flow(**options):
    """``prefect.flow`` for CensusFlow."""
    return lambda fn: CensusFlow(fn, **options)


def _steps():
    """flows/steps.py, the ingest's wiring (pandera, python-calamine …): imported when an ingest
    runs; the publish and snapshot flows need only flows/outputs.py."""
    from . import steps
    return steps


# The ingest's tasks: steps' functions, called through these (same parameters) so that importing
# this module does not import the ingest.
def read_files(paths, year, start=0):
    return _steps().read_files(paths, year, start)


def check_chunk(received, year, ctx):
    return _steps().check_chunk(received, year, ctx)


def load(home, year, run_id, started_at, received, frames, reference, register, skipped=None, staged=None):
    return _steps().load(home, year, run_id, started_at, received, frames, reference, register, skipped, staged)


def previous_answers(home, year):
    return _steps().previous_answers(home, year)


def read_and_check(paths, year, start, ctx, staging_dir):
    return _steps().read_and_check(paths, year, start, ctx, staging_dir)


read_task = task(read_files, name="read-workbooks", **TASK_OPTS)
check_task = task(check_chunk, name="validate", **TASK_OPTS)
load_task = task(load, name="load-and-report", **TASK_OPTS)
previous_task = task(previous_answers, name="previous-answers", **TASK_OPTS)


# Prefect walks every task argument item by item to find futures; the batch (hundreds of
# thousands of cell objects) goes quoted, so that Prefect hands it over untouched.
def _read(paths, year, start=0):
    return read_task(quote(paths), year, start)


def _check(received, year, ctx):
    return check_task(quote(received), year, quote(ctx))


def _load(home, year, run_id, started_at, received, frames, reference, register, skipped=None, staged=None):
    return load_task(home, year, run_id, started_at, quote(received), quote(frames), quote(reference),
                     quote(register), skipped, quote(staged))


class ProgressArtifacts:
    """The console's progress, also as one Prefect progress artifact per stage of a flow run that
    is still running SHOW_AFTER seconds after its first report (a stage that ends sooner needs no
    bar in the UI: the run's tables say what it did). Creating and updating an artifact are two
    requests to the server each, ~0.2 s of a re-ingest that reads one changed file."""

    SHOW_AFTER = 1.0  # seconds

    def __init__(self, year: int, clock: Callable[[], float] = time.monotonic):
        self.year = year
        self.clock = clock
        self.ids: dict[str, object] = {}
        self.last: dict[str, float] = {}
        self.started: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = 100.0 * done / total if total else 100.0
        now = self.clock()
        if stage not in self.ids:
            if now - self.started.setdefault(stage, now) < self.SHOW_AFTER:
                return
            self.ids[stage] = create_progress_artifact(progress=percent, description=f"{stage} {self.year}: {done}/{total}")
        elif percent - self.last.get(stage, 0.0) >= 1.0 or done == total:
            update_progress_artifact(self.ids[stage], percent, description=f"{stage} {self.year}: {done}/{total}")
        self.last[stage] = percent


# From this many files in the inbox an ingest reads and checks its chunks in a process pool of all
# cores unless told otherwise (--workers 1: serially). Measured through the command on 2 cores
# (docs/scaling.md), median of 3: 1,000 files 15.7 s serially vs 15.4 s with 2 processes,
# 2,000 files 25.0 vs 23.2 s, 10,000 files 99.6 vs 73.6 s (in process).
PARALLEL_FROM = 2000


def default_workers(home: str, year: int, inbox: str | None = None) -> int | None:
    """All cores for a large inbox (PARALLEL_FROM files or more), else None (serial)."""
    from mint_census.sources.batch import count_files

    cores = usable_cores()  # the cores this process may run on (affinity, cgroup-pinned containers)
    box = Path(inbox) if inbox else Home(Path(home)).inbox(year)
    return cores if cores > 1 and count_files(box) >= PARALLEL_FROM else None


def _use_api(url: str | None) -> None:
    """Initializer of a process-pool worker: report its task runs to the flow's Prefect server (the
    command's temporary server has no PREFECT_API_URL of its own; a worker would start another), and
    end without the interpreter's teardown (0.5 s that leaving the task runner waited for)."""
    if url:
        os.environ["PREFECT_API_URL"] = url
    end_without_teardown()


def task_runner(dask: str | None = None, workers: int | None = None):
    """The task runner that reads and checks the chunks in parallel: `dask` the address of a running Dask
    scheduler (prefect-dask's DaskTaskRunner; the workers must see the inbox under the same path;
    "local" starts a local Dask cluster of `workers` processes), else `workers` > 1 Prefect's own
    ProcessPoolTaskRunner with `workers` - 1 processes on this machine, the flow's own process being
    the other reader (publications.processes.share); None: serial."""
    if dask:
        from prefect_dask import DaskTaskRunner
        if dask == "local":
            return DaskTaskRunner(cluster_kwargs={"n_workers": workers or usable_cores(),
                                                  "threads_per_worker": 1})
        return DaskTaskRunner(address=dask)
    if not (workers and workers > 1):
        return None
    from prefect.client.orchestration import get_client
    from prefect.task_runners import ProcessPoolTaskRunner
    url = os.environ.get("PREFECT_API_URL") or str(get_client(sync_client=True).api_url)
    return ProcessPoolTaskRunner(max_workers=workers - 1, initializer=_use_api, initargs=(url,))


chunk_task = task(read_and_check, name="read-and-check", **TASK_OPTS)


class _Submitted:
    """A chunk's task on the process pool, as publications.processes.share asks: done() without
    asking the server (Prefect's future would read the task run's state from it), result()."""

    def __init__(self, future):
        self.future = future

    def done(self) -> bool:
        return self.future.wrapped_future.done()

    def result(self):
        return self.future.result()


def _submitting(runner, from_files: int = 0, pool: int = 0):
    """`read_chunks` for steps.ingest_batch: chunks as read-and-check tasks on `runner` (read, type,
    validate, spill its raw cells), yielded in chunk order as each finishes; the flow process
    settles the batch, loads it in one transaction and writes the reports. With Prefect's process
    pool (`pool` processes) the flow's own process reads chunks too while the pool's are busy
    (publications.processes.share); a Dask cluster gets every chunk. It declines (None: the flow
    reads them itself) one chunk, which no second process could share, and fewer than
    `from_files` files to read: a re-ingest of a large inbox reads only the changed files, and
    starting processes for them (~2.5 s each: Python, Prefect, pandas, pandera) would cost more."""
    def read_chunks(chunks, year, ctx, staging_dir):
        if len(chunks) < 2 or sum(len(paths) for paths, _ in chunks) < from_files:
            return None
        return _results(chunks, year, ctx, staging_dir)

    def _results(chunks, year, ctx, staging_dir):
        blob = pickle.dumps(ctx)  # bytes: Prefect does not walk them item by item

        def submit(paths, start):
            # arguments go unquoted: Dask rebuilds the quote() annotation (a named tuple) as a plain tuple
            return runner.submit(chunk_task, {"paths": list(paths), "year": year, "start": start, "ctx": blob,
                                              "staging_dir": str(staging_dir)})

        def here(paths, start):  # the same task, run in the flow's process
            return chunk_task(list(paths), year, start, quote(ctx), str(staging_dir))

        if pool:
            yield from share(chunks, lambda paths, start: _Submitted(submit(paths, start)), here, slots=2 * pool)
            return
        futures = [submit(paths, start) for paths, start in chunks]
        for i, future in enumerate(futures):
            yield future.result()
            futures[i] = None
    return read_chunks


def run_rows(rows: list[dict]) -> list[dict]:
    """The rows of an ingest's table artifact: every file this run read, and every file that is not
    accepted without findings (rejected, with warnings, superseded, a new network), unchanged or not.
    A re-ingest of 10,000 files that reads one changed file sends a few hundred rows, not 10,000
    (0.3 s against the server); the unchanged accepted ones are counted in the summary artifact."""
    return [r for r in rows if r["Unverändert"] != "ja" or r["Status"] != "accepted"]


def network_rows(overview: list[dict], rows: list[dict]) -> list[dict]:
    """The rows of an ingest's overview artifact, by the same rule as `run_rows`: every network that is
    not accepted without findings, and every network whose file this run read (`rows`: the files)."""
    read = {r["Datei"] for r in rows if r["Unverändert"] != "ja"}
    return [r for r in overview if r.get("Status") != STATUS_DE[ACCEPTED] or r.get("Datei") in read]


@flow(name="mint-census-ingest", log_prints=False)
def ingest_flow(year: int, home: str, inbox: str | None = None, reference: str | None = None,
                dask: str | None = None, workers: int | None = None):
    """steps.ingest_year as a flow (returns its IngestSummary); `dask`/`workers`: read and check
    the chunks in parallel (see task_runner); without either, all cores from PARALLEL_FROM files to
    read on (a re-ingest of a large inbox that reads only a few changed files reads them in the
    flow process)."""
    chosen = workers is not None or bool(dask)
    if not chosen:
        workers = default_workers(home, year, inbox)
    runner = task_runner(dask, workers)
    with progress.listening(ProgressArtifacts(year)), (runner or contextlib.nullcontext()):
        summary = _steps().ingest_year(Home(Path(home)), year, Path(inbox) if inbox else None, reference,
                                    read=_read, check=_check, load=_load, previous=previous_task,
                                    read_chunks=_submitting(runner, 0 if chosen else PARALLEL_FROM,
                                                            pool=0 if dask else workers - 1)
                                    if runner else None)
    files = run_rows(summary.rows) or [{"Datei": "(keine Datei gelesen, keine offen)" if summary.rows
                                        else "(keine Dateien)"}]
    networks = network_rows(summary.overview, summary.rows) or [{"Netzwerk-ID": "(keines offen)" if summary.overview
                                                                else "(keine)"}]
    create_table_artifact(key=f"ingest-{year}", table=files,
                          description=f"Eingang Erhebung {year}: eine Zeile je Datei, die dieser Lauf gelesen hat, "
                                      f"und je Datei, die nicht ohne Befund angenommen ist; unveränderte "
                                      f"angenommene Dateien zählt die Zusammenfassung")
    create_table_artifact(key=f"overview-{year}", table=networks,
                          description=f"Erhebung {year}: Stand je Netzwerk, das nicht ohne Befund angenommen ist "
                                      f"(abgelehnt, mit Hinweisen, fehlt …) oder dessen Datei dieser Lauf gelesen "
                                      f"hat; alle Netzwerke: uebersicht.xlsx")
    create_markdown_artifact(key=f"ingest-summary-{year}", markdown=(
        f"# Erhebung {year}: Eingang\n\n"
        f"| Dateien | angenommen | mit Hinweisen | abgelehnt | ersetzt | Befunde | unverändert |\n"
        f"|---|---|---|---|---|---|---|\n"
        f"| {summary.files} | {summary.accepted} | {summary.with_warnings} | {summary.rejected} | "
        f"{summary.superseded} | {summary.findings} | {summary.unchanged} |\n\n"
        f"Die Tabellen dieses Laufs zeigen jede Datei, die er gelesen hat, und jede Datei und jedes Netzwerk, "
        f"die nicht ohne Befund angenommen sind; alle Netzwerke zeigt die Übersicht (uebersicht.xlsx).\n\n"
        f"Unverändert: seit der letzten Prüfung gleiche Datei und gleiche Grundlagen, nicht erneut gelesen; "
        f"das frühere Ergebnis gilt.\n\nLauf {summary.run_id}"))
    # Quoted: Prefect would walk the summary's rows looking for futures when the run ends (one row
    # per file and per network: 0.2 s at 2,000 files, 1 s at 10,000); CensusFlow unwraps it.
    return quote(summary)


@flow(name="mint-census-publish")
def publish_flow(year: int, home: str, reference: str | None = None, lang: str = "de") -> outputs.Published:
    """Publication of `year`; `reference` is the reference directory (None: the default one);
    `lang` "en" writes the English edition into publication/<year>/en/."""
    with progress.listening(ProgressArtifacts(year)):
        published = outputs.publish_year(Home(Path(home)), year, reference, lang=lang)
    create_markdown_artifact(key=f"publication-{year}" + ("" if lang == "de" else f"-{lang}"), markdown=(
        f"# Veröffentlichung {year}\n\n{published.headline}\n\n"
        + "\n".join(f"- {Path(p).name}" for p in published.files)
        + "".join(f"\n\n> {m}" for m in published.messages)))
    return published


@flow(name="mint-census-snapshot")
def snapshot_flow(year: int, home: str) -> list[str]:
    """The researchers' snapshot (no personal data), written atomically; returns its manifest lines."""
    lines = outputs.snapshot_year(Home(Path(home)), year)
    create_markdown_artifact(key=f"snapshot-{year}", markdown="# Snapshot\n\n" + "\n".join(f"- {x}" for x in lines))
    return lines


@flow(name="mint-census-run")
def run_flow(year: int, home: str, inbox: str | None = None, reference: str | None = None,
             allow_empty: bool = False, dask: str | None = None, workers: int | None = None):
    """ingest + publish + snapshot of one year as one flow. Without `allow_empty` it stops after the
    ingest when no workbook of the year is accepted (publication and snapshot come back as None)."""
    summary = ingest_flow(year, home, inbox, reference, dask, workers)
    if not allow_empty and outputs.accepted_networks(Home(Path(home)), year) == 0:
        return quote((summary, None, None))  # quoted: see ingest_flow
    published = publish_flow(year, home, reference)
    snapshot = snapshot_flow(year, home)
    return quote((summary, published, snapshot))


# --- deployments: the flows as staff operate them in the Prefect UI ---------------------------

SURVEY_SCHEDULE = "0 7 * * 1-5"  # ingest every weekday at 7:00 while the survey window is open


def deployments(year: int, home: str, reference: str | None = None, schedule: str = SURVEY_SCHEDULE,
                timezone: str = "Europe/Berlin") -> list:
    """The three deployments of a census year: ingest on a schedule, run and publish on demand."""
    from prefect.deployments.runner import EntrypointType

    base = {"year": year, "home": str(home), "reference": reference}
    opts = dict(tags=["mint-census", str(year)], entrypoint_type=EntrypointType.MODULE_PATH)
    return [
        ingest_flow.to_deployment(name=f"ingest-{year}", parameters={**base, "inbox": None},
                                  schedules=[Cron(schedule, timezone=timezone)],
                                  description=f"Eingang {year} prüfen und laden (zeitgesteuert)", **opts),
        run_flow.to_deployment(name=f"run-{year}", parameters={**base, "inbox": None},
                               description=f"Erhebung {year}: Eingang, Veröffentlichung, Snapshot", **opts),
        publish_flow.to_deployment(name=f"publish-{year}", parameters=base,
                                   description=f"Veröffentlichung {year} schreiben", **opts),
    ]


def register_deployments(year: int, home: str, reference: str | None = None,
                         schedule: str = SURVEY_SCHEDULE) -> list[str]:
    """Register the deployments with the configured Prefect server; returns their names."""
    names = []
    for d in deployments(year, home, reference, schedule):
        d.apply()
        names.append(f"{d.flow_name}/{d.name}")
    return names


def serve_deployments(year: int, home: str, reference: str | None = None,
                      schedule: str = SURVEY_SCHEDULE) -> None:
    """Register the deployments and run them when scheduled or triggered (blocks until stopped)."""
    from prefect import serve
    serve(*deployments(year, home, reference, schedule), print_starting_message=False)
