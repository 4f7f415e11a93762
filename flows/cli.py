"""The command line: `mint-census demo|template|ingest|publish|snapshot|run|…`.

Parsing, logging and the mapping of failures to exit codes (flows/errors.py): 0 success,
2 bad usage or configuration, 3 finished but some workbooks were rejected, 1 unexpected
failure (one line on the console; the full traceback goes to <home>/logs/mint-census.log,
never to the console). What each command does is in flows/commands.py.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import copy
import importlib.util
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path

from .errors import EXIT_FAILURE, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, UsageError
from .home import Home, default_home
from .logfile import open_log_file

log = logging.getLogger("mint_census")


# Examples shown by `mint-census COMMAND --help` (and checked against the README's command list).
EXAMPLES = {
    "demo": ["mint-census demo --home /tmp/demo"],
    "template": ["mint-census template --year 2025 --out versand/",
                 "mint-census template --year 2025 --out versand/ --network MR-012 --network MR-031",
                 "mint-census template --year 2025 --out versand/ --blank"],
    "ingest": ["mint-census ingest --year 2025", "mint-census ingest --year 2025 --inbox ~/Eingang/2025"],
    "publish": ["mint-census publish --year 2025", "mint-census publish --year 2025 --lang en"],
    "snapshot": ["mint-census snapshot --year 2025"],
    "run": ["mint-census run --year 2025", "mint-census run --year 2025 --allow-empty",
            "PREFECT_API_URL=http://127.0.0.1:4200/api mint-census run --year 2025"],
    "check-warehouse": ["mint-census check-warehouse --home /srv/mint-census"],
    "retention": ["mint-census retention --keep-years 3 --dry-run", "mint-census retention --keep-years 3"],
    "server": ["mint-census server --port 4200   # then, in another window:",
               "export PREFECT_API_URL=http://127.0.0.1:4200/api"],
    "serve": ["PREFECT_API_URL=http://127.0.0.1:4200/api mint-census serve --year 2025",
              "mint-census serve --year 2025 --schedule '0 7,13 * * 1-5'"],
    "send-out": ["mint-census send-out --year 2026 --deadline 2026-05-31",
                 "mint-census send-out --year 2026 --deadline 2026-05-31 --send"],
    "remind": ["mint-census remind --year 2026", "mint-census remind --year 2026 --send"],
    "answer": ["mint-census answer --year 2026", "mint-census answer --year 2026 --send"],
    "rebuild": ["mint-census check-warehouse   # names rebuild when the warehouse file is damaged",
                "mint-census rebuild"],
    "register": ["mint-census register export                      # -> <home>/register.xlsx",
                 "mint-census register import --file register.xlsx",
                 "mint-census register add --id MR-155 --from-file inbox/2026/neu.xlsx --date 2026-04-01",
                 "mint-census register rename --id MR-012 --name 'MINT-Region Neu' --date 2025-03-01",
                 "mint-census register pause --id MR-040 --date 2024-06-30"],
}

# Commands that run a Prefect flow; every other command neither imports Prefect nor starts a server.
FLOW_COMMANDS = frozenset({"demo", "ingest", "publish", "snapshot", "run", "serve"})


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as dist_version
    try:
        return dist_version("mint-census")
    except PackageNotFoundError:
        return "unknown"


def _command(sub, name: str, text: str, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """One subcommand: its one-line help (as the README lists it) is also its --help description."""
    examples = EXAMPLES.get(name)
    epilog = ("examples:\n" + "\n".join(f"  {e}" for e in examples)) if examples else None
    return sub.add_parser(name, parents=[common], help=text, description=text, epilog=epilog,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _year(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--year", type=int, required=True, metavar="Y", help=f"census year {what}, e.g. 2025")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mint-census",
        description="The yearly census of MINT-Regionen: survey workbooks -> checks -> DuckDB warehouse -> publication.",
        epilog="examples:\n  mint-census demo\n  mint-census run --year 2025\n  mint-census ingest --help",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"mint-census {version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=default_home(), metavar="DIR",
                        help="working directory of the census (default: $MINT_CENSUS_HOME, else ./data)")
    common.add_argument("--reference", default=None, metavar="DIR",
                        help="directory with newer official reference data (default: $MINT_CENSUS_REFERENCE, "
                             "else the copy packaged with mint-census)")
    common.add_argument("-v", "--verbose", action="store_true", help="show Prefect's and the pipeline's info logs")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = _command(sub, "demo", "fictitious census 2013..2025: register, workbooks, full run", common)
    d.add_argument("--seed", type=int, default=2013, help="random seed of the fictitious census (default 2013)")

    t = _command(sub, "template", "write survey workbooks (Erhebungsbögen) for a year", common)
    _year(t, "whose workbooks to write")
    t.add_argument("--out", required=True, metavar="DIR", help="directory to write the workbooks into")
    t.add_argument("--network", action="append", default=[], metavar="ID",
                   help="only for this network (repeatable); default: every network counted in the year")
    t.add_argument("--blank", action="store_true", help="one empty workbook without a network")

    for name, text in (("ingest", "check and load the workbooks of a year"),
                       ("run", "ingest + publish + snapshot as one flow")):
        s = _command(sub, name, text, common)
        _year(s, "to check and load")
        s.add_argument("--inbox", default=None, metavar="DIR",
                       help="directory of incoming workbooks (default <home>/inbox/<year>)")
        s.add_argument("--dask", default=None, metavar="ADDRESS",
                       help="read the chunks of workbooks on a running Dask cluster (scheduler address, e.g. "
                            "tcp://10.0.0.5:8786; its workers must see the inbox under the same path), or "
                            "'local' for a local Dask cluster of --workers processes")
        s.add_argument("--workers", type=int, default=None, metavar="N",
                       help="read and check the chunks in N processes on this machine (this one and N-1 in "
                            "Prefect's process pool; default: all cores from 2,000 files in the inbox on, else 1)")
        if name == "run":
            s.add_argument("--allow-empty", action="store_true",
                           help="publish and snapshot even when no workbook of the year has been accepted "
                                "(otherwise stop after the ingest, exit 2)")

    s = _command(sub, "publish", "write the publication of a year from the warehouse", common)
    _year(s, "to publish")
    s.add_argument("--allow-empty", action="store_true",
                   help="publish even when no workbook of the year has been accepted (otherwise exit 2)")
    s.add_argument("--lang", choices=("de", "en"), default="de",
                   help="language of the edition: de (default, publication/<Y>/) or en (English edition in "
                        "publication/<Y>/en/)")

    s = _command(sub, "snapshot", "research release published/<Y>.<n>/, no personal data", common)
    _year(s, "of the snapshot")

    for name, text in (("send-out", "prepare (and --send) each network's prefilled workbook with a German e-mail"),
                       ("remind", "prepare (and --send) reminders to networks with nothing received or rejected"),
                       ("answer", "prepare (and --send) each new check report to its network")):
        s = _command(sub, name, text, common)
        _year(s, "of the census")
        s.add_argument("--deadline", required=name == "send-out", metavar="YYYY-MM-DD",
                       help="Einsendeschluss" + (" (stored for reminders and answers)" if name == "send-out"
                                                 else " (default: the one given to send-out)"))
        s.add_argument("--send", action="store_true",
                       help="send through the SMTP server of <home>/versand.ini (password from "
                            "$MINT_CENSUS_SMTP_PASSWORD); a message the server accepted before is never sent again")

    _command(sub, "check-warehouse", "verify invariants (exit 1 on any breach)", common)

    _command(sub, "rebuild", "a new warehouse from the archive, the register and the reference data (recovery)",
             common)

    s = _command(sub, "retention", "remove old personal data, keep statistics", common)
    s.add_argument("--keep-years", type=int, default=3, metavar="N",
                   help="keep contacts of the last N census years, counting the current year (default 3)")
    s.add_argument("--dry-run", action="store_true", help="only report what would be removed")

    s = _command(sub, "server", "a long-running local Prefect server and its UI (state under <home>/.prefect), "
                 "and warm processes that run ingest, publish, run and snapshot without start-up time "
                 "(MINT_CENSUS_WARM=0: none)", common)
    s.add_argument("--port", type=int, default=4200, help="port on 127.0.0.1 (default 4200)")

    s = _command(sub, "serve", "register ingest (scheduled), run and publish as Prefect deployments and serve them",
                 common)
    _year(s, "whose flows to deploy")
    s.add_argument("--schedule", default="0 7 * * 1-5", metavar="CRON",
                   help="when the ingest runs, as cron in Europe/Berlin time (default: weekdays 7:00)")

    from .register_cli import add_parser as add_register_parser
    add_register_parser(sub, common, EXAMPLES["register"])
    return p


def first_line(args, warm: bool = False) -> str:
    """What a flow command prints before Prefect starts: the console talks at once."""
    what = f"{args.command}" + (f" --year {args.year}" if getattr(args, "year", None) else "")
    server = os.environ.get("PREFECT_API_URL")
    where = f"Prefect server {server}" if server else "a temporary local Prefect server"
    if warm:
        where += ", in a warm process of `mint-census server`"
    return f"mint-census {what}: starting (home {args.home}; flows run on {where}) …"


def configure_environment(home: Home, verbose: bool, env=None) -> None:
    """Prefect settings before Prefect is imported: a local, quiet, offline set-up per home.

    A staff member with a Prefect server sets PREFECT_API_URL (and PREFECT_HOME) herself;
    those win over these defaults. `env`: another mapping than os.environ (the settings a
    command would run under, for the server's warm processes: flows/warm.py).
    """
    env = os.environ if env is None else env
    env.setdefault("PREFECT_HOME", str(home.prefect.resolve()))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect's client telemetry too (it would ask the server, then may send usage events): the
    # census runs offline, and nothing about it leaves the machine.
    env.setdefault("DO_NOT_TRACK", "1")
    # This command's main is guarded: spawned worker processes may import it again (check reports,
    # the publication's figures; publications/processes.py). Not a Prefect setting; "0" keeps
    # everything in one process.
    env.setdefault("MINT_CENSUS_PROCESS_POOL", "1")
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    env.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    env.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")


class _NoTraceback(logging.Filter):
    """Console handlers show one line per record; tracebacks go to the log file only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.msg = f"{record.getMessage()} ({record.exc_info[1]!r}; details in the log file)"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(home: Home, verbose: bool) -> Path:
    logfile = home.log_file
    root = logging.getLogger()
    for h in list(root.handlers):  # called again in one process (tests): replace our handlers
        if getattr(h, "_mint_census", False):
            root.removeHandler(h)
    fh = open_log_file(logfile)  # a log file that cannot be written: one console line, the run goes on
    fh._mint_census = True
    fh.setLevel(logging.INFO)
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(fh)
    root.setLevel(logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.INFO if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    console.addFilter(_NoTraceback())
    console._mint_census = True
    for name in ("mint_census",):
        lg = logging.getLogger(name)
        for h in list(lg.handlers):
            if getattr(h, "_mint_census", False):
                lg.removeHandler(h)
        lg.addHandler(console)
        lg.propagate = True
    return logfile


def _quiet_prefect_console() -> None:
    """Prefect's console handlers: no tracebacks, and also write to our log file."""
    root_file = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
        for h in logging.getLogger(name).handlers:
            if not isinstance(h, logging.FileHandler):
                h.addFilter(_NoTraceback())
    prefect_root = logging.getLogger("prefect")
    if not prefect_root.propagate:  # Prefect's loggers stop at "prefect": give it our log file too
        for fh in root_file:
            if fh not in prefect_root.handlers:
                prefect_root.addHandler(fh)


def _no_heartbeats(settings: contextlib.ExitStack) -> None:
    """No flow-run heartbeats for the command's own runs, unless the user set their frequency.

    Prefect 3 sends one when a flow run starts and then every 180 s from a thread that sleeps in
    1 s steps; ending the run waits for that thread, 0.5 s on average and up to 1 s on every
    command (0.7 s measured). Heartbeats let an automation mark a run as crashed when its process
    died without a word; a command that fails still reports its state itself. Staff who use such an
    automation set PREFECT_FLOWS_HEARTBEAT_FREQUENCY (README, "Running a real census year") in the
    environment or a Prefect profile; `serve` keeps them.
    """
    if "PREFECT_FLOWS_HEARTBEAT_FREQUENCY" in os.environ or "PREFECT_RUNNER_HEARTBEAT_FREQUENCY" in os.environ:
        return
    from prefect.context import SettingsContext, get_settings_context
    context = get_settings_context()
    flows = context.settings.flows
    if flows.heartbeat_frequency != type(flows).model_fields["heartbeat_frequency"].default:
        return  # set in a profile, .env or prefect.toml
    # What prefect.settings.temporary_settings does, without validating every setting again (27 ms):
    # a copy of the current settings with this one value changed.
    changed = context.settings.model_copy(update={"flows": flows.model_copy(update={"heartbeat_frequency": None})})
    settings.enter_context(SettingsContext(profile=context.profile, settings=changed))


_CONSOLE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class PrintableStream:
    """A console stream that drops control characters (escape sequences, carriage returns …):
    text from workbooks (file names, IDs, cell values) can never clear the screen or fake a line."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_CONSOLE_CONTROL.sub("", text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def run() -> None:
    """The `mint-census` console script: main(), and an exit without the interpreter's teardown.

    Clearing every module of a finished command (Prefect, pydantic, pandas …, with garbage
    collections in between) took 0.5-0.7 s of CPU after the last output, a sixth of a one-workbook
    ingest. The exit keeps Python's order up to that point: non-daemon threads are waited for and
    every atexit handler registered after this one runs (Prefect drains its event and log
    workers); then this one closes the log file (logging.shutdown), flushes stdout and stderr and
    ends the process with the command's exit code. Code that calls main() (tests, scripts) keeps
    Python's normal exit. atexit handlers registered before this one (a site or .pth hook, e.g.
    coverage measuring subprocesses) are skipped.
    """
    code = [EXIT_FAILURE]  # what an exception escaping main() ends with
    atexit.register(_exit_without_teardown, code)  # registered first: runs last
    try:
        code[0] = main(handoff=True)
    except SystemExit as exc:  # e.g. Prefect's runner on SIGTERM under `serve`: its code stands
        code[0] = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_FAILURE)
        raise
    sys.exit(code[0])


def _exit_without_teardown(code: list[int]) -> None:
    try:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
    finally:
        os._exit(code[0])


def main(argv: list[str] | None = None, warm: bool = False, handoff: bool = False) -> int:
    """The command line. `handoff`: a flow command may go to a warm process of `mint-census server`
    (the console script; flows/warm.py); `warm`: this is such a warm process. Tests and scripts that
    call main() run every command here."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(out), PrintableStream(err)
    try:
        return _main(argv, warm, handoff)
    finally:
        sys.stdout, sys.stderr = out, err


def _handed_off(args, argv: list[str], home: Home) -> int | None:
    """The exit code of the command run by the server's warm process, or None to run it here."""
    from . import warm as warm_processes  # light: no Prefect, pandas …
    env = dict(os.environ)
    try:
        configure_environment(home, args.verbose, env)
    except OSError:  # e.g. a relative home in a directory that is gone: reported when run here
        return None
    if not warm_processes.wanted(args.command, env):
        return None
    return warm_processes.run_warm([sys.argv[0], *argv], env)


def _nothing_changed(args, home: Home) -> int | None:
    """An ingest that finds its inbox, register, reference data, code, warehouse and reports as the
    last ingest of the year left them answers with that ingest's result at once: no flow run, no
    warm process (flows/ledger.py). None: run the ingest (also for options the ingest would refuse,
    and for anything unexpected: the ingest then says what is wrong)."""
    from . import ledger
    if not ledger.ledger_path(home, args.year).is_file():
        return None
    if (args.workers is not None and args.workers < 1) or args.dask and importlib.util.find_spec("prefect_dask") is None:
        return None  # a usage error: the ingest reports it
    from mint_census.sources.reference import resolve_reference_dir
    from mint_census.warehouse.lock import hold

    started = time.perf_counter()
    try:
        reference = resolve_reference_dir(args.reference)
        box = Path(args.inbox) if args.inbox else home.inbox(args.year)
        with hold(home.writer_lock, f"ingest --year {args.year}"):
            found = ledger.unchanged(home, args.year, box, reference)
        if found is None:
            return None
        lines = ledger.answer(home, args.year, found, time.perf_counter() - started)
        reasons = ledger.skipped_reasons(found)
        code = EXIT_REJECTED if found["printed"]["rejected"] else EXIT_OK
        run_id = found["printed"]["run_id"]
    except Exception:  # noqa: BLE001 - a busy warehouse, a missing inbox, a damaged ledger: run the ingest
        log.debug("ingest ledger not used", exc_info=True)
        return None
    with contextlib.suppress(OSError):
        configure_logging(home, args.verbose)
    for reason in reasons:
        log.warning("inbox entry not read: %s", reason)
    log.info("ingest %s: nothing changed since run %s; its result stands (no flow run)", args.year, run_id)
    for line in lines:
        print(line)
    return code


# Prefect's logging configuration as the zygote computed it: (key, config), see prepare_prefect_logging.
_PREFECT_LOGGING: tuple[tuple, dict] | None = None


def _file_state(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_size, st.st_mtime_ns)


def _prefect_logging_key() -> tuple:
    """What Prefect's logging configuration follows from: the logging file it reads and the
    profiles file of its settings (path, size, time), and the PREFECT_* variables (the settings,
    and the PREFECT_LOGGING_* overrides)."""
    from prefect.logging.configuration import DEFAULT_LOGGING_SETTINGS_PATH
    from prefect.settings import PREFECT_LOGGING_SETTINGS_PATH, get_current_settings
    path = PREFECT_LOGGING_SETTINGS_PATH.value()
    path = path if path.exists() else DEFAULT_LOGGING_SETTINGS_PATH
    return (_file_state(path), _file_state(Path(get_current_settings().profiles_path)),
            tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("PREFECT_"))))


def prepare_prefect_logging() -> None:
    """For the zygote (flows/warm.py): Prefect's logging configuration, computed once. Prefect
    computes it from a dump of all its settings, 55 ms that every warm command would pay again in
    `_prefect_logging_as_cold`; the children, started under the same settings (`warm.fingerprint`),
    take it from here. The key is taken first and the settings read after it, so that a file
    changed in between leaves a key that no child matches (it then computes its own)."""
    global _PREFECT_LOGGING
    from prefect.context import refresh_global_settings_context
    from prefect.logging.configuration import load_logging_config
    key = _prefect_logging_key()
    refresh_global_settings_context()
    _PREFECT_LOGGING = (key, load_logging_config(Path(key[0][0])))


def _prefect_logging_as_cold() -> None:
    """In a warm process: Prefect set up its logging when the zygote imported it, with the zygote's
    stderr. A cold command imports Prefect after configure_logging, with this command's console
    stream (PrintableStream: no escape sequences from workbook text) and its terminal's colours:
    the same set-up again, now; with the zygote's configuration when its key still holds."""
    from prefect.logging import configuration
    cached = _PREFECT_LOGGING
    if cached is None or cached[0] != _prefect_logging_key():
        configuration.setup_logging(incremental=False)
        return
    load = configuration.load_logging_config
    configuration.load_logging_config = lambda path: copy.deepcopy(cached[1])
    try:
        configuration.setup_logging(incremental=False)
    finally:
        configuration.load_logging_config = load


def _main(argv: list[str] | None = None, warm: bool = False, handoff: bool = False) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for bad usage, 0 for --help
        return int(exc.code or 0)
    home = Home(Path(args.home))
    args.env_before = dict(os.environ)  # the settings before ours (`server` prepares its warm process)
    if args.command == "ingest" and not warm:
        code = _nothing_changed(args, home)
        if code is not None:
            return code
    if handoff and not warm:
        code = _handed_off(args, argv, home)
        if code is not None:
            return code
    try:
        if args.command == "demo":
            prepare_demo_home(home)
        home.root.mkdir(parents=True, exist_ok=True)
        configure_environment(home, args.verbose)
        logfile = configure_logging(home, args.verbose)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: cannot use home directory {home.root}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from mint_census.warehouse.damage import WarehouseDamaged, probe
    from mint_census.warehouse.lock import WarehouseBusy as WarehouseBusyError

    settings = contextlib.ExitStack()  # Prefect settings of this command's flow runs
    try:
        if args.command in FLOW_COMMANDS:
            print(first_line(args, warm), flush=True)
        from . import commands  # does not import Prefect: the flows load when a command runs one
        commands.PREFECT_HOOKS[:] = ([_prefect_logging_as_cold] if warm else []) + [_quiet_prefect_console]
        if args.command != "serve":  # served runs keep Prefect's heartbeats (the runner watches them)
            commands.PREFECT_HOOKS.append(lambda: _no_heartbeats(settings))
        return commands.dispatch(args, home)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (WarehouseBusyError, WarehouseDamaged) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted; the warehouse is unchanged by the unfinished run", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # the one place that turns any failure into one line
        log.debug("unexpected failure", exc_info=True)
        for h in logging.getLogger().handlers:
            if getattr(h, "_mint_census", False):
                h.handle(logging.LogRecord("mint_census", logging.ERROR, __file__, 0, "unexpected failure",
                                           None, sys.exc_info()))
        damage = probe(home.warehouse) if args.command != "rebuild" else None
        if damage:  # a failure caused by a damaged warehouse file: say so, and name `rebuild`
            print(f"error: {damage}", file=sys.stderr)
            return EXIT_FAILURE
        print(f"error: unexpected failure: {type(exc).__name__}: {exc} (details: {logfile})", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        settings.close()


def prepare_demo_home(home: Home) -> None:
    """The demo owns its home: it refuses a directory that holds anything but an earlier demo."""
    root = home.root
    if root.exists() and any(root.iterdir()):
        if not home.is_demo:
            raise UsageError(f"{root} is not empty and not a demo home; choose another --home for the demo")
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    root.mkdir(parents=True, exist_ok=True)
    home.demo_marker.write_text("This directory holds the fictitious demo census (Beispieldaten).\n")


if __name__ == "__main__":
    run()
