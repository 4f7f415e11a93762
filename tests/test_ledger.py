"""An ingest that finds nothing changed answers from the ledger of the last ingest (flows/ledger.py):
the same result, no flow run, the warehouse untouched; anything changed runs the ingest as usual."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from mint_census.flows import ledger
from mint_census.flows.cli import main
from mint_census.flows.home import Home

from .conftest import REFERENCE_DIR, full_answers, tweak

YEAR = 2025


def _age(path: Path, seconds: float = 60.0) -> None:
    """Files written by the test are as old as a real inbox's (not 'racily' new)."""
    t = time.time() - seconds
    os.utime(path, (t, t))


def _runs(home: Path) -> list[str]:
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT run_id FROM meta.runs ORDER BY run_id").fetchall()]
    finally:
        con.close()


def test_nothing_changed_answers_with_the_earlier_result_and_no_flow_run(prefect, home, make_workbook, capsys,
                                                                          monkeypatch):
    monkeypatch.setattr(ledger, "RACY_NS", 0)  # the files' change times are of a moment ago (see the racy test)
    for name, answers, nid in (("a.xlsx", None, "MR-001"),
                               ("b.xlsx", tweak(full_answers(YEAR, "MR-002"), budget_eur=1.0), "MR-002"),
                               ("c.xlsx", tweak(full_answers(YEAR, "MR-003"), founded_year=2061), "MR-003")):
        _age(make_workbook(name, answers, network_id=nid))
    ref = ["--reference", str(REFERENCE_DIR)] if REFERENCE_DIR else []
    argv = ["ingest", "--year", str(YEAR), "--home", str(home), *ref]
    assert main(argv) == 3
    first = capsys.readouterr().out.splitlines()
    assert first[0].startswith("mint-census ingest --year 2025: starting")
    runs = _runs(home)
    warehouse = Home(home).warehouse
    stamp = warehouse.stat()
    log_before = Home(home).log_file.read_text(encoding="utf-8")

    assert main(argv) == 3  # the rejected file's result stands, and so does the exit code
    again = capsys.readouterr().out.splitlines()
    assert again[0].startswith("mint-census ingest --year 2025: nothing changed since the ingest of ")
    assert again[0].endswith(f"(run {runs[0]}): the inbox, register, reference data, warehouse and reports are "
                             "as it left them; no flow run")
    assert again[1].startswith("ingest 2025: 3 files: 1 accepted, 1 accepted with warnings, 1 rejected, "
                               "0 superseded (")
    assert again[2] == "  unchanged since their last check, not read again (earlier result stands): 3 files"
    # every other line as the ingest printed it: the rejected file with its first error, reports, warehouse
    assert again[3:] == first[2:]
    assert "rejected: c.xlsx (MR-003): 1 error(s), first: Netzwerk!B9 – Gründungsjahr" in again[3]
    assert _runs(home) == runs                                      # no run recorded: nothing changed
    assert (warehouse.stat().st_mtime_ns, warehouse.stat().st_size) == (stamp.st_mtime_ns, stamp.st_size)
    logged = Home(home).log_file.read_text(encoding="utf-8")[len(log_before):]
    assert f"ingest 2025: nothing changed since run {runs[0]}; its result stands (no flow run)" in logged
    assert main(argv + ["--workers", "0"]) == 2  # what the ingest refuses is refused, not answered
    assert "--workers must be 1 or more" in capsys.readouterr().err

    # a file touched (same bytes): the ingest runs as usual, reads nothing again, and records a new ledger
    _age(home / "inbox" / str(YEAR) / "a.xlsx", 30.0)
    assert main(argv) == 3
    third = capsys.readouterr().out.splitlines()
    assert third[0].startswith("mint-census ingest --year 2025: starting")
    assert third[2] == "  unchanged since their last check, not read again (earlier result stands): 3 files"
    assert len(_runs(home)) == 2
    assert main(argv) == 3
    assert "nothing changed" in capsys.readouterr().out.splitlines()[0]


# --- what counts as a change: the ledger's own functions, on a home built here -----------------

class _Summary:
    year, run_id, files, accepted, with_warnings, rejected, superseded, findings, unchanged = (
        YEAR, "R1", 2, 1, 0, 1, 0, 1, 0)
    rows = [{"Datei": "a.xlsx", "Netzwerk-ID": "MR-001", "Status": "accepted", "Fehler": 0, "Erster Fehler": ""},
            {"Datei": "b.xlsx", "Netzwerk-ID": "MR-002", "Status": "rejected", "Fehler": 2,
             "Erster Fehler": "Netzwerk!B9 – Gründungsjahr: …"}]
    skipped: list = []
    missing: list = []
    reports = ["REPORT"]


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """A home whose last ingest left an inbox of two files, a register, a warehouse and a report,
    and its ledger; returns (home, inbox, reference directory). The files' change times are of a
    moment ago (utime cannot set them back): no racy margin here, the racy test has its own."""
    monkeypatch.setattr(ledger, "RACY_NS", 0)
    home = Home(tmp_path / "home")
    box = home.inbox(YEAR)
    box.mkdir(parents=True)
    reference = tmp_path / "reference"
    (reference / "bkg").mkdir(parents=True)
    files = [box / "a.xlsx", box / "b.xlsx", home.register, reference / "kreise_2023.csv",
             reference / "bkg" / "kreise.geojson", home.warehouse, home.reports(YEAR) / "MR-002_Pruefbericht.xlsx",
             home.reports(YEAR) / "uebersicht.xlsx", home.register_history, home.archive / "ab" / "ab12.xlsx"]
    for i, f in enumerate(files):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"x" * (i + 1))
        _age(f)
    listed_at = time.time_ns()
    before = ledger.inputs(home, YEAR, box, reference)
    summary = _Summary()
    summary.reports = [str(files[6])]
    assert ledger.record(home, YEAR, before, listed_at, ledger.printed(summary), summary.reports)
    assert ledger.unchanged(home, YEAR, box, reference) is not None
    return home, box, reference


def _rewrite(path: Path, data: bytes) -> None:
    """New content of the same size and the same modification time (only the change time tells)."""
    st = path.stat()
    time.sleep(0.05)  # past the kernel's coarse clock tick of the last change
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


CHANGES = {
    "a file touched": lambda h, box, ref: _age(box / "a.xlsx", 10.0),
    "same size and mtime, other bytes": lambda h, box, ref: _rewrite(box / "a.xlsx", b"y"),
    "a file added": lambda h, box, ref: _age((box / "c.xlsx").write_bytes(b"c") and box / "c.xlsx"),
    "a file removed": lambda h, box, ref: (box / "b.xlsx").unlink(),
    "a hidden file added": lambda h, box, ref: (box / ".~lock.a.xlsx#").write_bytes(b"l"),
    "a folder added": lambda h, box, ref: (box / "sub").mkdir(),
    "a file renamed": lambda h, box, ref: (box / "b.xlsx").rename(box / "B.xlsx"),
    "the register changed": lambda h, box, ref: h.register.write_bytes(b"other register"),
    "register events added": lambda h, box, ref: h.register_events.write_bytes(b"event"),
    "newer reference data": lambda h, box, ref: (ref / "bkg" / "kreise.geojson").write_bytes(b"newer"),
    "the warehouse written": lambda h, box, ref: h.warehouse.write_bytes(b"written by another writer"),
    "a write-ahead log left": lambda h, box, ref: Path(f"{h.warehouse}.wal").write_bytes(b"wal"),
    "a report deleted": lambda h, box, ref: (h.reports(YEAR) / "MR-002_Pruefbericht.xlsx").unlink(),
    "a report edited": lambda h, box, ref: (h.reports(YEAR) / "MR-002_Pruefbericht.xlsx").write_bytes(b"edited"),
    "the overview deleted": lambda h, box, ref: (h.reports(YEAR) / "uebersicht.xlsx").unlink(),
    "the register's history deleted": lambda h, box, ref: h.register_history.unlink(),
    "an archived file deleted": lambda h, box, ref: (h.archive / "ab" / "ab12.xlsx").unlink(),
    "an archive folder deleted": lambda h, box, ref: shutil.rmtree(h.archive / "ab"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_runs_the_ingest(recorded, change):
    home, box, reference = recorded
    CHANGES[change](home, box, reference)
    assert ledger.unchanged(home, YEAR, box, reference) is None


def test_the_code_stamp_is_the_same_in_the_warm_process_and_the_console_script(monkeypatch, tmp_path):
    """The console script's import path starts with its own directory, the warm process's (python -P)
    does not: the ledger one of them writes must hold for the other."""
    import sys
    stamp = ledger._code()
    monkeypatch.setattr(sys, "path", [str(tmp_path)] + sys.path)
    assert ledger._code() == stamp
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert ledger._code() != stamp  # a package put there would change what runs


def test_other_code_or_another_inbox_or_reference_runs_the_ingest(recorded, monkeypatch, tmp_path):
    home, box, reference = recorded
    other = tmp_path / "other-inbox"
    shutil.copytree(box, other)
    assert ledger.unchanged(home, YEAR, other, reference) is None
    assert ledger.unchanged(home, YEAR, box, None) is None          # the packaged reference data
    assert ledger.unchanged(home, YEAR + 1, box, reference) is None  # no ledger of that year
    monkeypatch.setattr(ledger, "_code", lambda: "another version of mint-census")
    assert ledger.unchanged(home, YEAR, box, reference) is None


def test_an_inbox_whose_change_time_tells_nothing_runs_the_ingest(recorded, monkeypatch):
    """Windows (creation time), FAT, exFAT, NTFS: a copy-over with the old size and modification
    time would look unchanged, so the ledger is not used there (sources.known_hashes.trusted)."""
    home, box, reference = recorded
    monkeypatch.setattr(ledger, "trusted", lambda folder: False)
    assert ledger.unchanged(home, YEAR, box, reference) is None


def test_a_file_changed_close_to_the_listing_is_never_taken_as_unchanged(recorded, monkeypatch):
    home, box, reference = recorded
    monkeypatch.setattr(ledger, "RACY_NS", 3_000_000_000)
    data = json.loads(ledger.ledger_path(home, YEAR).read_text(encoding="utf-8"))
    newest = max(max(e[2], e[3]) for e in data["listing"].values())
    # a file system with coarse times: the listing came within the same 2 s as a file's last change
    data["listed_at_ns"] = newest + 2_000_000_000
    ledger.ledger_path(home, YEAR).write_text(json.dumps(data), encoding="utf-8")
    assert ledger.unchanged(home, YEAR, box, reference) is None
    data["listed_at_ns"] = newest + 3_000_000_001
    ledger.ledger_path(home, YEAR).write_text(json.dumps(data), encoding="utf-8")
    assert ledger.unchanged(home, YEAR, box, reference) is not None


@pytest.mark.parametrize("text", ["", "{", "[]", '{"version": 1}', "null"])
def test_a_damaged_ledger_runs_the_ingest(recorded, text):
    home, box, reference = recorded
    ledger.ledger_path(home, YEAR).write_text(text, encoding="utf-8")
    assert ledger.unchanged(home, YEAR, box, reference) is None


def test_no_ledger_when_the_inbox_changed_during_the_ingest(tmp_path):
    home = Home(tmp_path / "home")
    box = home.inbox(YEAR)
    box.mkdir(parents=True)
    (box / "a.xlsx").write_bytes(b"a")
    home.register.write_bytes(b"register")
    before = ledger.inputs(home, YEAR, box, None)
    (box / "b.xlsx").write_bytes(b"arrived while the ingest ran")
    assert not ledger.record(home, YEAR, before, time.time_ns(), ledger.printed(_Summary()), [])
    assert not ledger.ledger_path(home, YEAR).exists()
    assert ledger.unchanged(home, YEAR, box, None) is None


def test_no_ledger_when_a_file_came_and_went_during_the_ingest(recorded):
    """A file dropped into the inbox after the listing, read by the flow and taken out before the end:
    the listings before and after agree file by file, the inbox's own times do not."""
    home, box, reference = recorded
    before = ledger.inputs(home, YEAR, box, reference)
    time.sleep(0.05)
    (box / "kurz.xlsx").write_bytes(b"read by the flow")
    (box / "kurz.xlsx").unlink()
    assert not ledger.record(home, YEAR, before, time.time_ns(), ledger.printed(_Summary()), [])


def _args(**options):
    import argparse
    return argparse.Namespace(**{"year": YEAR, "inbox": None, "reference": None, "workers": None, "dask": None,
                                 "verbose": False, **options})


def _edit(home, change) -> None:
    path = ledger.ledger_path(home, YEAR)
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_the_command_answers_with_the_earlier_exit_code(recorded, capsys):
    from mint_census.flows import cli
    home, box, reference = recorded
    assert cli._nothing_changed(_args(reference=str(reference)), home) == 3  # a file stayed rejected
    assert "nothing changed since the ingest of" in capsys.readouterr().out
    _edit(home, lambda d: d["printed"].update(rejected=0, rejected_rows=[]))
    assert cli._nothing_changed(_args(reference=str(reference)), home) == 0
    assert "1 accepted, 0 accepted with warnings, 0 rejected" in capsys.readouterr().out


@pytest.mark.parametrize("options", [{"workers": 0}, {"reference": "/nowhere"}, {"inbox": "/nowhere"}])
def test_options_the_ingest_refuses_run_it(recorded, options):
    from mint_census.flows import cli
    home, box, reference = recorded
    assert cli._nothing_changed(_args(**{"reference": str(reference), **options}), home) is None


@pytest.mark.parametrize("printed", [{"run_id": "R1"}, {"run_id": "R1", "files": 2, "rejected_rows": [["x"]]}])
def test_a_ledger_with_other_contents_runs_the_ingest(recorded, printed, capsys):
    from mint_census.flows import cli
    home, box, reference = recorded
    _edit(home, lambda d: d.update(printed=printed))
    assert cli._nothing_changed(_args(reference=str(reference)), home) is None
    assert capsys.readouterr().out == ""


def test_a_busy_warehouse_runs_the_ingest(recorded):
    """Another process holds the writer lock: the ledger is not read (that ingest may be changing what
    it describes); the ingest then reports the busy warehouse as usual."""
    import subprocess
    import sys

    from mint_census.flows import cli
    home, box, reference = recorded
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom mint_census.warehouse.lock import hold\n"
        f"with hold({str(home.writer_lock)!r}, 'ingest --year 2025'):\n"
        "    print('held', flush=True)\n    time.sleep(30)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert cli._nothing_changed(_args(reference=str(reference)), home) is None
    finally:
        holder.kill()
        holder.wait()
    assert cli._nothing_changed(_args(reference=str(reference)), home) == 3


def test_a_failed_ingest_leaves_no_ledger(recorded, monkeypatch):
    from mint_census.flows import commands
    home, box, reference = recorded

    class Failing:
        @staticmethod
        def ingest_flow(*args, **kwargs):
            raise RuntimeError("the flow failed half way")

    monkeypatch.setattr(commands, "_ingest_inbox", lambda home, year, inbox: box)
    monkeypatch.setattr(commands, "_prepared_warehouse", lambda home, command: Failing)
    with pytest.raises(RuntimeError):
        commands.ingest(home, YEAR, None, str(reference))
    assert not ledger.ledger_path(home, YEAR).exists()


def test_the_answer_reports_every_file_unchanged_and_names_the_run(recorded):
    home, box, reference = recorded
    found = ledger.unchanged(home, YEAR, box, reference)
    lines = ledger.answer(home, YEAR, found, 0.04)
    assert "(run R1)" in lines[0] and lines[0].endswith("no flow run")
    assert lines[1:] == [
        "ingest 2025: 2 files: 1 accepted, 0 accepted with warnings, 1 rejected, 0 superseded (1 findings, 0.0 s)",
        "  unchanged since their last check, not read again (earlier result stands): 2 files",
        "  rejected: b.xlsx (MR-002): 2 error(s), first: Netzwerk!B9 – Gründungsjahr: …",
        f"  check reports: {home.reports(YEAR)} (1 files; overview: uebersicht.xlsx)",
        f"  warehouse: {home.warehouse}"]
