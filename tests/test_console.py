"""The console: --version, help for every option with examples, help as the README says it,
progress as counts, and no Prefect for the commands that run no flow."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mint_census.flows import progress
from mint_census.flows.cli import EXAMPLES, FLOW_COMMANDS, build_parser, main

from .conftest import process

ROOT = Path(__file__).resolve().parent.parent


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert re.fullmatch(r"mint-census \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_every_option_has_help_and_every_command_examples():
    for name, parser in _subcommands().items():
        assert parser.description, name
        assert name in EXAMPLES and any(f"mint-census {name}" in e for e in EXAMPLES[name]), name
        assert "examples:" in parser.format_help(), name
        for action in parser._actions:
            assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.option_strings}"


def test_help_matches_the_readme():
    """Each command the README lists with a comment has exactly that comment as its help."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^mint-census ([a-z-]+)[^#\n]*#\s*(.+?)\s*$", readme, flags=re.M))
    commands = _subcommands()
    assert {"demo", "run", "snapshot", "check-warehouse", "retention"} <= set(listed)
    for name, comment in listed.items():
        assert commands[name].description == comment, name


def test_run_help_says_what_run_does(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    out = capsys.readouterr().out
    assert "ingest + publish + snapshot as one flow" in out and "--year Y" in out


@pytest.mark.parametrize("argv", [
    ["check-warehouse", "--home", "{tmp}"],
    ["template", "--year", "2025", "--blank", "--out", "{tmp}/out", "--home", "{tmp}"],
    ["retention", "--dry-run", "--home", "{tmp}"],
    ["--help"],
])
def test_commands_that_run_no_flow_do_not_load_prefect(tmp_path, argv):
    """No flow, no Prefect: not imported, so no server can start."""
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code = ("import sys\nfrom mint_census.flows.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            "print('PREFECT_LOADED' if any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules) "
            "else 'NO_PREFECT')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().endswith("NO_PREFECT"), done.stdout[-2000:] + done.stderr[-2000:]
    assert not set(argv) & FLOW_COMMANDS


def test_publish_and_snapshot_flows_load_nothing_of_the_ingest():
    """The publish command imports the flows and the publication, not pandas, pandera or the workbook
    reader (pandas alone took 0.2-0.3 s of its start-up)."""
    code = ("import sys\nimport mint_census.flows.commands, mint_census.flows.pipeline, "
            "mint_census.publications.publish, mint_census.publications.drawing\n"
            "print(sorted(m for m in ('pandas', 'pandera', 'python_calamine', 'matplotlib', 'mint_census.flows.steps', "
            "'mint_census.sources.batch') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", done.stdout


def test_the_console_script_ends_after_threads_atexit_handlers_and_output(tmp_path):
    """`run()` (the console script) skips only the interpreter's teardown: the exit code is main()'s,
    a non-daemon thread finishes, atexit handlers registered during the command run, buffered
    output and the log file are complete."""
    code = f"""
import atexit, logging, sys, threading, time
from pathlib import Path
import mint_census.flows.cli as cli
out = Path({str(tmp_path)!r})

def command(argv=None, **options):
    atexit.register(lambda: (out / "atexit").write_text("ran"))
    threading.Thread(target=lambda: (time.sleep(0.3), (out / "thread").write_text("done"))).start()
    handler = logging.FileHandler(out / "log.txt")
    logging.getLogger("probe").addHandler(handler)
    logging.getLogger("probe").warning("last record")
    sys.stdout.write("no newline yet")
    return 3

cli.main = command
if __name__ == "__main__":
    cli.run()
"""
    script = tmp_path / "probe.py"
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "no newline yet"
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert (tmp_path / "log.txt").read_text() == "last record\n"

    # A SystemExit out of main() (Prefect's runner exits so on SIGTERM under `serve`) keeps its code.
    script.write_text(code.replace("    return 3", "    sys.exit(5)"))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 5, done.stderr


def test_progress_counts_reading_and_checking(home, make_workbook, reference):
    make_workbook("a.xlsx", network_id="MR-001")
    make_workbook("b.xlsx", network_id="MR-002")
    seen: list[tuple[str, int, int]] = []
    with progress.listening(lambda stage, done, total: seen.append((stage, done, total))):
        process(home, 2025, reference)
    assert seen[0] == (progress.READING, 0, 2)
    assert (progress.READING, 2, 2) in seen and seen[-1] == (progress.CHECKING, 2, 2)


def test_a_broken_listener_never_stops_the_pipeline():
    def broken(stage, done, total):
        raise RuntimeError("display gone")
    with progress.listening(broken):
        progress.report(progress.READING, 1, 2)


def test_first_line_names_the_prefect_server(monkeypatch):
    """Flow commands say at once where their flows run: PREFECT_API_URL's server, else a temporary one."""
    from mint_census.flows.cli import first_line

    args = build_parser().parse_args(["ingest", "--year", "2025", "--home", "h"])
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert first_line(args) == ("mint-census ingest --year 2025: starting (home h; flows run on Prefect server "
                                "http://127.0.0.1:4200/api) …")
    monkeypatch.delenv("PREFECT_API_URL")
    assert "a temporary local Prefect server" in first_line(args)


def test_prefect_is_configured_offline_and_the_users_settings_win(tmp_path, monkeypatch):
    import os

    from mint_census.flows.cli import configure_environment
    from mint_census.flows.home import Home

    for name in ("DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED", "PREFECT_HOME", "PREFECT_LOGGING_LEVEL",
                 "MINT_CENSUS_PROCESS_POOL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "DEBUG")
    configure_environment(Home(tmp_path), verbose=False)
    assert os.environ["DO_NOT_TRACK"] == "1"  # no client telemetry
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert os.environ["PREFECT_HOME"] == str((tmp_path / ".prefect").resolve())
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "DEBUG"
    assert os.environ["MINT_CENSUS_PROCESS_POOL"] == "1"  # the command's main may be imported by workers
