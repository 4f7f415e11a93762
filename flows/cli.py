"""The command line: `mint-census demo|template|ingest|publish|snapshot|run|…`.

Parsing, logging and the mapping of failures to exit codes (flows/errors.py): 0 success,
2 bad usage or configuration, 3 finished but some workbooks were rejected, 1 unexpected
failure (one line on the console; the full traceback goes to <home>/logs/mint-census.log,
never to the console). What each command does is in flows/commands.py.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import sys
from pathlib import Path

from .errors import EXIT_FAILURE, EXIT_USAGE, UsageError
from .home import Home, default_home

log = logging.getLogger("mint_census")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mint-census",
        description="The yearly census of MINT-Regionen: survey workbooks -> checks -> DuckDB warehouse -> publication.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=default_home(),
                        help="working directory of the census (default: $MINT_CENSUS_HOME, else ./data)")
    common.add_argument("--reference", default=None,
                        help="directory with the official reference data (default: $MINT_CENSUS_REFERENCE, "
                             "else ../shared/reference where it exists)")
    common.add_argument("-v", "--verbose", action="store_true", help="show Prefect's and the pipeline's info logs")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("demo", parents=[common], help="fictitious census 2013..2025: register, workbooks, full run")
    d.add_argument("--seed", type=int, default=2013, help="random seed of the fictitious census (default 2013)")

    t = sub.add_parser("template", parents=[common], help="write survey workbooks (Erhebungsbögen) for a year")
    t.add_argument("--year", type=int, required=True)
    t.add_argument("--out", required=True, help="directory to write the workbooks into")
    t.add_argument("--network", action="append", default=[], metavar="ID",
                   help="only for this network (repeatable); default: every network counted in the year")
    t.add_argument("--blank", action="store_true", help="one empty workbook without a network")

    for name, text in (("ingest", "check and load the workbooks of a year"),
                       ("run", "ingest + publish + snapshot as one flow")):
        s = sub.add_parser(name, parents=[common], help=text)
        s.add_argument("--year", type=int, required=True)
        s.add_argument("--inbox", default=None, help="directory of incoming workbooks (default <home>/inbox/<year>)")

    s = sub.add_parser("publish", parents=[common], help="write the publication of a year from the warehouse")
    s.add_argument("--year", type=int, required=True)

    s = sub.add_parser("snapshot", parents=[common],
                       help="researcher database + Parquet of a year, without personal data")
    s.add_argument("--year", type=int, required=True)

    sub.add_parser("check-warehouse", parents=[common],
                   help="verify the warehouse's invariants; exit 1 on any breach")

    s = sub.add_parser("retention", parents=[common],
                       help="remove personal data older than the retention period (statistics stay)")
    s.add_argument("--keep-years", type=int, default=3,
                   help="keep contacts of the last N census years, counting the current year (default 3)")
    s.add_argument("--dry-run", action="store_true", help="only report what would be removed")
    return p


def configure_environment(home: Home, verbose: bool) -> None:
    """Prefect settings before Prefect is imported: a local, quiet, offline set-up per home.

    A staff member with a Prefect server sets PREFECT_API_URL (and PREFECT_HOME) herself;
    those win over these defaults.
    """
    os.environ.setdefault("PREFECT_HOME", str(home.prefect.resolve()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")


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
    home.logs.mkdir(parents=True, exist_ok=True)
    logfile = home.log_file
    root = logging.getLogger()
    for h in list(root.handlers):  # called again in one process (tests): replace our handlers
        if getattr(h, "_mint_census", False):
            root.removeHandler(h)
    fh = logging.FileHandler(logfile, encoding="utf-8")
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


def main(argv: list[str] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(out), PrintableStream(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for bad usage, 0 for --help
        return int(exc.code or 0)
    home = Home(Path(args.home))
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
    from mint_census.warehouse.lock import WarehouseBusy as WarehouseBusyError

    try:
        from . import commands  # imports Prefect: after configure_environment
        _quiet_prefect_console()
        return commands.dispatch(args, home)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseBusyError as exc:
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
        print(f"error: unexpected failure: {type(exc).__name__}: {exc} (details: {logfile})", file=sys.stderr)
        return EXIT_FAILURE


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
    sys.exit(main())
