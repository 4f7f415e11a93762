"""What each command does: check the configuration, call a flow, print what happened.

Prefect is imported only by the commands that run a flow (`_flows()`): template,
check-warehouse and retention start no Prefect server and do not even load Prefect.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mint_census.schemas import questionnaire as q
from mint_census.sources.reference import load_reference, resolve_reference_dir
from mint_census.warehouse.lock import hold
from mint_census.warehouse.snapshot import SnapshotError

from .errors import EXIT_FAILURE, EXIT_OK, EXIT_REJECTED, UsageError
from .home import Home
from . import ledger, outputs, progress

if TYPE_CHECKING:
    from .outputs import Published
    from .steps import IngestSummary

# The wiring (flows/steps.py) loads the ingest's stages (pandera, python-calamine …), flows/outputs.py
# the publication's: commands import them when they run, after the configuration is checked, so
# that mistakes are reported at once.


def _steps():
    from . import steps
    return steps


def open_warehouse(home: Home, read_only: bool = False):
    return _steps().open_warehouse(home, read_only=read_only)


PREFECT_HOOKS: list = []  # called once Prefect is imported (the command line quiets its console handlers)


log = logging.getLogger(__name__)


def _flows():
    """The Prefect flows (imports Prefect; a temporary local server starts with the first flow
    run unless PREFECT_API_URL names a server). Configuration is checked before this."""
    from . import pipeline
    while PREFECT_HOOKS:
        PREFECT_HOOKS.pop(0)()
    return pipeline


def dispatch(args, home: Home) -> int:
    reference = _reference_dir(args.reference)
    if args.command == "demo":
        return demo(home, reference, args.seed)
    if args.command == "template":
        return template(home, args.year, Path(args.out), args.network, args.blank, reference)
    if args.command == "ingest":
        with hold(home.writer_lock, f"ingest --year {args.year}"):
            summary = ingest(home, args.year, args.inbox, reference, _parallel(args))
        return EXIT_REJECTED if summary.rejected else EXIT_OK
    if args.command == "publish":
        publish(home, args.year, reference, allow_empty=args.allow_empty, lang=getattr(args, "lang", "de"))
        return EXIT_OK
    if args.command in ("send-out", "remind", "answer"):
        from .mailing import run_mailing
        return run_mailing(home, args.command, args.year, args.deadline, args.send, reference)
    if args.command == "run":
        return run(home, args.year, args.inbox, reference, _parallel(args), allow_empty=args.allow_empty)
    if args.command == "snapshot":
        snapshot(home, args.year)
        return EXIT_OK
    if args.command == "check-warehouse":
        problems = _steps().check(home)
        for p in problems:
            print(f"problem: {p}")
        print(f"check-warehouse: {len(problems)} problem(s)" if problems else "check-warehouse: all invariants hold")
        return EXIT_FAILURE if problems else EXIT_OK
    if args.command == "register":
        from .register_commands import run_register
        return run_register(args, home, reference)
    if args.command == "rebuild":
        _register(home)
        report = _steps().rebuild(home, reference)
        for line in report.lines():
            print(line)
        return EXIT_OK if report.ok else EXIT_FAILURE
    if args.command == "retention":
        if args.keep_years < 0:
            raise UsageError("--keep-years must be 0 or more")
        return retention(home, args.keep_years, args.dry_run)
    if args.command == "server":
        return server(home, args.port, getattr(args, "env_before", None))
    if args.command == "serve":
        return serve(home, args.year, reference, args.schedule)
    raise UsageError(f"unknown command {args.command}")


def _reference_dir(explicit: str | None) -> str | None:
    try:
        found = resolve_reference_dir(explicit)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    if found is None:
        print("note: no reference data found (--reference / MINT_CENSUS_REFERENCE): Kreise are not "
              "checked, coverage and the map are skipped")
    return str(found) if found else None


def _check_year(year: int) -> None:
    if not q.FIRST_CENSUS_YEAR <= year <= 2100:
        raise UsageError(f"--year {year}: expected a census year from {q.FIRST_CENSUS_YEAR}")


def _register(home: Home):
    from mint_census.sources.register import RegisterError, read_register  # pandera: not for publish

    try:
        return read_register(home.register, home.register_events)
    except RegisterError as exc:
        raise UsageError(f"network register: {exc}") from None


def _ingest_inbox(home: Home, year: int, inbox: str | None) -> Path:
    """Check the configuration of an ingest; return the inbox."""
    _check_year(year)
    if not q.is_survey_year(year):
        raise UsageError(f"--year {year}: no survey workbook exists for that year "
                         f"(workbook surveys since {q.FIRST_SURVEY_YEAR})")
    _register(home)
    box = Path(inbox) if inbox else home.inbox(year)
    if not box.is_dir():
        raise UsageError(f"inbox {box} does not exist")
    return box


def _parallel(args) -> dict:
    """--dask ADDRESS / --workers N of ingest and run: the task runner that reads the chunks."""
    parallel = {"dask": getattr(args, "dask", None), "workers": getattr(args, "workers", None)}
    if parallel["workers"] is not None and parallel["workers"] < 1:
        raise UsageError("--workers must be 1 or more")
    if parallel["dask"] and importlib.util.find_spec("prefect_dask") is None:
        raise UsageError("--dask needs prefect-dask: pip install 'mint-census[dask]'")
    return parallel


def _prepared_warehouse(home: Home, command: str):
    """Open the warehouse (creating or upgrading its schema) in a thread, while this one imports
    Prefect: DuckDB builds a new warehouse's schema (~0.3 s, 440 statements) without holding the
    GIL. The flow opens it again, finds the schema current and reports whatever went wrong here.
    Returns Prefect's flows, once the thread is done."""
    def prepare() -> None:
        try:
            outputs.open_warehouse(home, command=command).close()
        except Exception:  # noqa: BLE001 - the flow's own open reports it
            log.debug("warehouse not prepared ahead", exc_info=True)

    thread = threading.Thread(target=prepare, name="prepare-warehouse", daemon=True)
    thread.start()
    try:
        return _flows()
    finally:
        thread.join()


def ingest(home: Home, year: int, inbox: str | None, reference: str | None,
           parallel: dict | None = None) -> IngestSummary:
    box = _ingest_inbox(home, year, inbox)
    t0 = time.perf_counter()
    listed_at = time.time_ns()  # the ledger's inputs, listed before anything is read (flows/ledger.py)
    before = ledger.inputs(home, year, box, Path(reference) if reference else None)
    ledger.forget(home, year)
    flows = _prepared_warehouse(home, f"ingest --year {year}")
    with progress.console():
        summary = flows.ingest_flow(year, str(home.root), str(box), reference, **(parallel or {}))
    _print_ingest(home, summary, time.perf_counter() - t0)
    ledger.record(home, year, before, listed_at, ledger.printed(summary), summary.reports)
    return summary


def _print_ingest(home: Home, summary: IngestSummary, seconds: float) -> None:
    for line in ledger.ingest_lines(home, ledger.printed(summary), seconds):
        print(line)


def run(home: Home, year: int, inbox: str | None, reference: str | None, parallel: dict | None = None,
        allow_empty: bool = False) -> int:
    box = _ingest_inbox(home, year, inbox)
    t0 = time.perf_counter()
    with hold(home.writer_lock, f"run --year {year}"):
        flows = _prepared_warehouse(home, f"run --year {year}")
        with progress.console():
            summary, published, snap = flows.run_flow(year, str(home.root), str(box), reference,
                                                         allow_empty=allow_empty, **(parallel or {}))
    _print_ingest(home, summary, time.perf_counter() - t0)
    if published is None:  # nothing of the year accepted: ingest done, no empty publication
        raise UsageError(f"run --year {year}: no workbook of {year} has been accepted, so nothing was "
                         "published and no snapshot written; correct and ingest the workbooks, or give "
                         "--allow-empty")
    _print_published(home, year, published)
    _print_snapshot(year, snap)
    return EXIT_REJECTED if summary.rejected else EXIT_OK


def _print_published(home: Home, year: int, published: Published, lang: str = "de") -> None:
    where = home.publication(year) if lang == "de" else home.publication(year) / lang
    print(f"publish {year}: {len(published.files)} files in {where}")
    for message in published.messages:
        print(f"  note: {message}")


def _print_snapshot(year: int, lines: list[str]) -> None:
    for line in lines:  # the manifest's own lines start with "snapshot <year>: …"
        print(line)


def snapshot(home: Home, year: int) -> list[str]:
    _check_year(year)
    try:
        lines = _flows().snapshot_flow(year, str(home.root))
    except SnapshotError as exc:
        raise UsageError(str(exc)) from None
    _print_snapshot(year, lines)
    return lines


def publish(home: Home, year: int, reference: str | None, allow_empty: bool = False, lang: str = "de") -> list[str]:
    _check_year(year)
    if not home.warehouse.is_file():
        raise UsageError(f"no warehouse at {home.warehouse}: run `mint-census ingest` first")
    from mint_census.publications import drawing

    if not allow_empty and outputs.accepted_networks(home, year) == 0:
        raise UsageError(f"publish --year {year}: no workbook of {year} has been accepted, the publication "
                         "would be empty; ingest the workbooks first, or give --allow-empty")
    # While this process imports Prefect, the drawing process imports matplotlib and DuckDB takes
    # the snapshot of the pub views (both taken over by the flow's publish_year). A warehouse that
    # is busy or damaged is reported from here, before a flow run starts.
    drawing.prestart()
    try:
        outputs.prepare_publication(home, year)
        published = (_flows().publish_flow(year, str(home.root), reference) if lang == "de"
                     else _flows().publish_flow(year, str(home.root), reference, lang=lang))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    finally:
        outputs.discard_prepared()
        drawing.discard_prestarted()
    _print_published(home, year, published, lang)
    return published.files


def template(home: Home, year: int, out: Path, networks: list[str], blank: bool,
             reference: str | None = None) -> int:
    import pandas as pd

    from mint_census.schemas.template import Answers, write_workbook
    from mint_census.sources.register import counted
    from mint_census.warehouse.answers import last_answers

    _check_year(year)
    if not q.is_survey_year(year):
        raise UsageError(f"--year {year}: no template for that year (workbook surveys since "
                         f"{q.FIRST_SURVEY_YEAR})")
    ref = load_reference(Path(reference) if reference else None)
    kreise = (list(zip(ref.kreise["kreis_code"], ref.kreise["kreis_name"], ref.kreise["kreis_typ"]))
              if ref.available else None)
    if blank:
        path = write_workbook(out / f"Erhebungsbogen_{year}_leer.xlsx", year, kreise=kreise)
        print(f"template {year}: blank workbook {path}")
        return EXIT_OK
    register = _register(home)
    chosen = register[counted(register, year)]
    if networks:
        unknown = sorted(set(networks) - set(register["network_id"]))
        if unknown:
            raise UsageError(f"--network: not in the register: {', '.join(unknown)}")
        chosen = register[register["network_id"].isin(networks)]
    print(f"template {year}: writing {len(chosen)} workbooks into {out} …", flush=True)
    con = open_warehouse(home, read_only=True) if home.warehouse.is_file() else None
    written = prefilled = 0
    try:
        with progress.console():
            progress.report(progress.TEMPLATES, 0, len(chosen))
            for row in chosen.itertuples(index=False):
                answers = last_answers(con, row.network_id, year) if con is not None else None
                if answers is not None:
                    prefilled += 1
                else:
                    answers = Answers(form={
                        "network_name": row.network_name, "network_type": row.network_type,
                        "land_code": row.land_code,
                        "founded_year": None if pd.isna(row.founded_year) else int(row.founded_year)},
                        tables={q.S_AREA: [{"kreis_code": k, "coverage": "ganz"} for k in row.kreise]})
                write_workbook(out / f"Erhebungsbogen_{year}_{row.network_id}.xlsx", year, row.network_id,
                               answers, network_name=row.network_name, fictitious=home.is_demo, kreise=kreise)
                written += 1
                progress.report(progress.TEMPLATES, written, len(chosen))
    finally:
        if con is not None:
            con.close()
    print(f"template {year}: {written} workbooks in {out} ({prefilled} prefilled from last year's answers)")
    return EXIT_OK


def demo(home: Home, reference: str | None, seed: int) -> int:
    from mint_census.publications.processes import usable_cores
    from mint_census.sources.demo import write_demo_census

    t0 = time.perf_counter()
    ref = load_reference(Path(reference) if reference else None)
    demo_summary = write_demo_census(home.register, home.inbox, ref, seed=seed,
                                     workers=min(2, usable_cores()))
    years = sorted(demo_summary.years)
    print(f"demo: fictitious census (Beispieldaten), seed {seed}: register and workbooks for "
          f"{', '.join(map(str, years))} written ({time.perf_counter() - t0:.1f} s)")
    totals = {"accepted": 0, "rejected": 0}
    with hold(home.writer_lock, "demo"):
        for year in years:
            summary = ingest(home, year, None, reference)
            totals["accepted"] += summary.accepted + summary.with_warnings
            totals["rejected"] += summary.rejected
        publish(home, years[-1], reference)  # the edition; earlier years: `mint-census publish --year Y`
        snapshot(home, years[-1])
    con = open_warehouse(home, read_only=True)
    try:
        last = years[-1]
        first_n = con.execute("SELECT networks FROM pub.growth WHERE census_year = 2013").fetchone()[0]
        last_n = con.execute("SELECT networks FROM pub.growth WHERE census_year = ?", [last]).fetchone()[0]
    finally:
        con.close()
    print()
    print(f"2013: {first_n} → {last}: {last_n} MINT-Regionen (Beispieldaten)")
    print(f"workbooks: {totals['accepted']} accepted, {totals['rejected']} rejected "
          f"(check reports in {home.reports_root})")
    print(f"warehouse:   {home.warehouse}")
    print(f"publication: {home.publication(years[-1])}")
    print(f"researchers: {home.published} (snapshot without personal data, Parquet)")
    print(f"demo finished in {time.perf_counter() - t0:.1f} s")
    return EXIT_OK


def server(home: Home, port: int, env_before: dict | None = None) -> int:
    """`prefect server start` on 127.0.0.1 with its state under the home, until stopped; beside it
    the warm processes that run flow commands without Python's start-up (flows/warm.py)."""
    import subprocess
    import sys

    from . import warm

    url = f"http://127.0.0.1:{port}"
    print(f"server: Prefect server and UI at {url} (state in {os.environ.get('PREFECT_HOME', home.prefect)}); "
          f"set PREFECT_API_URL={url}/api for mint-census commands and `mint-census serve`; Ctrl+C stops it",
          flush=True)
    host = None
    if os.environ.get(warm.OFF, "1") != "0":
        from .cli import configure_environment
        # The settings of a command run from the same shell with the same home: ready at once.
        own = dict(os.environ if env_before is None else env_before)
        own["PREFECT_API_URL"] = f"{url}/api"
        configure_environment(home, False, own)
        host = warm.Host(f"{url}/api", home.logs / "warm-processes.log")
        why_not = host.start(own)
        if why_not:
            host = None
            print(f"server: commands run cold: {why_not}", flush=True)
        else:
            print(f"server: flow commands with PREFECT_API_URL={url}/api run in warm processes "
                  f"(socket {warm.socket_dir()}; MINT_CENSUS_WARM=0 runs one cold)", flush=True)
    if host is not None:  # stopped by SIGTERM too (a service manager, `kill`): the socket goes with it
        import signal
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return subprocess.call([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                "--port", str(port)])
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        if host is not None:
            host.close()


def serve(home: Home, year: int, reference: str | None, schedule: str) -> int:
    """Register the deployments of a year with the Prefect server and serve them until stopped."""
    _check_year(year)
    url = os.environ.get("PREFECT_API_URL")
    if not url:
        raise UsageError("serve needs a Prefect server: start `mint-census server` and set "
                         "PREFECT_API_URL=http://127.0.0.1:4200/api")
    try:
        from prefect.schedules import validate_cron_string
        validate_cron_string(schedule)
    except ValueError as exc:
        raise UsageError(f"--schedule {schedule!r}: {exc}") from None
    print(f"serve {year}: deployments ingest-{year} (schedule {schedule}), run-{year}, publish-{year} "
          f"on {url}; Ctrl+C stops serving", flush=True)
    _flows().serve_deployments(year, str(home.root.resolve()), reference, schedule)
    return EXIT_OK


def retention(home: Home, keep_years: int, dry_run: bool) -> int:
    for line in _steps().retention(home, keep_years, dry_run=dry_run).lines():
        print(line)
    return EXIT_OK
