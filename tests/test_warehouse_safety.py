"""Safety of the private warehouse: one writer at a time with a clear message, a killed load
changes nothing, check-warehouse finds breaches, retention removes personal data only."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from mint_census.schemas.template import write_workbook
from mint_census.warehouse import lock
from mint_census.flows.steps import check, open_warehouse, retention
from mint_census.flows.home import Home
from mint_census.warehouse.lock import WarehouseBusy

from .conftest import process
from .test_research_census import answers_for, census_home, query, write_year

ROOT = Path(__file__).resolve().parent.parent

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from mint_census.flows.home import Home
    from mint_census.flows.steps import open_warehouse
    con = open_warehouse(Home(Path(sys.argv[1])), command="ingest --year 2025")
    open(sys.argv[2], "w").close()
    time.sleep(60)
""")


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"subprocess ended: {proc.stderr.read()}")
        if time.time() > deadline:
            raise AssertionError("subprocess did not get ready")
        time.sleep(0.05)


def test_second_writer_gets_a_clear_message_and_a_killed_holder_frees_the_warehouse(tmp_path):
    home = census_home(tmp_path)
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(home), str(ready)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(ready, proc)
        with pytest.raises(WarehouseBusy) as exc:
            open_warehouse(Home(home))
        msg = str(exc.value)
        assert msg.startswith("another run holds the warehouse since ")
        assert f"pid {proc.pid}" in msg and "ingest --year 2025" in msg
        with pytest.raises(WarehouseBusy, match="another run holds the warehouse since"):
            open_warehouse(Home(home), read_only=True)  # publish/template while an ingest writes
    finally:
        proc.kill()
        proc.wait()
    # the OS released the lock of the killed process: the next run goes ahead
    con = open_warehouse(Home(home))
    con.close()
    assert check(Home(home)) == []


def test_writer_lock_is_reentrant_within_a_process_and_released_on_close(tmp_path):
    home = census_home(tmp_path)
    with lock.hold(Home(home).writer_lock, "run --year 2025"):
        con = open_warehouse(Home(home))  # the flow holds the lock for the run; its tasks connect inside it
        con.close()
        assert lock.held_here(Home(home).writer_lock)
        assert lock.holder(Home(home).writer_lock)["command"] == "run --year 2025"
    assert not lock.held_here(Home(home).writer_lock)
    con = open_warehouse(Home(home))
    assert lock.held_here(Home(home).writer_lock)
    con.close()
    assert not lock.held_here(Home(home).writer_lock)


KILLED_LOAD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from mint_census.warehouse import load
    from tests.conftest import process
    from mint_census.sources.reference import load_reference, resolve_reference_dir

    home, signal = Path(sys.argv[1]), Path(sys.argv[2])
    real_insert = load.insert_frame
    calls = []

    def slow_insert(con, table, df):
        real_insert(con, table, df)
        calls.append(table)
        if len(calls) == 3:          # in the middle of the transaction: some tables already replaced
            signal.touch()
            time.sleep(60)

    load.insert_frame = slow_insert
    process(home, 2025, load_reference(resolve_reference_dir()))
""")


def _state(home: Path) -> dict:
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("core.networks", "core.districts", "core.partners", "core.funding", "core.offers",
                          "private.contacts", "raw.cells", "meta.submissions", "meta.runs")}
    finally:
        con.close()


def test_a_load_killed_in_the_middle_leaves_the_warehouse_as_before(tmp_path, reference):
    home = census_home(tmp_path)
    before = _state(home)
    write_year(home, 2025, volunteers=77)  # a correction that would change every 2025 row
    signal = tmp_path / "in-load"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, str(home), str(signal)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(signal, proc, timeout=60)
        proc.kill()  # SIGKILL on POSIX: no cleanup, no rollback by the process itself
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _state(home) == before
    assert check(Home(home)) == []
    # the next run succeeds and loads the correction
    process(home, 2025, reference)
    assert query(home, "SELECT DISTINCT volunteers FROM core.networks WHERE census_year = 2025") == [(77,)]
    assert check(Home(home)) == []


def test_check_warehouse_reports_each_kind_of_breach(tmp_path):
    home = census_home(tmp_path)
    assert check(Home(home)) == []
    # a tampered archive file, a core row without a source, a network twice in the register
    archived = sorted((home / "archive").rglob("*.xlsx"))[0]
    archived.write_bytes(archived.read_bytes() + b"x")
    con = duckdb.connect(str(Home(home).warehouse))
    try:
        con.execute("INSERT INTO core.partners (network_id, census_year) VALUES ('MR-005', 2019)")
        con.execute("UPDATE core.networks SET source_sha256 = 'f00' WHERE network_id = 'MR-001' AND census_year = 2024")
        con.execute("ALTER TABLE core.register RENAME TO register_old")
        con.execute("CREATE TABLE core.register AS SELECT * FROM core.register_old UNION ALL "
                    "SELECT * FROM core.register_old WHERE network_id = 'MR-002'")
    finally:
        con.close()
    problems = "\n".join(check(Home(home)))
    assert "content does not match its SHA-256 name" in problems
    assert "core.partners MR-005 2019: 1 row(s) without a core.networks row" in problems
    assert "core.networks MR-001 2024: source file f00 is not a loaded submission" in problems
    assert "network MR-002 counted 2 times" in problems
    assert "pub.growth" in problems  # counts in pub no longer equal counts from core


def test_retention_removes_personal_data_and_keeps_the_statistics(tmp_path):
    home = census_home(tmp_path)
    stats = {t: query(home, f"SELECT * FROM {t} ORDER BY ALL")
             for t in ("core.networks", "core.partners", "core.funding", "core.districts", "raw.cells")}
    # a check-report copy of a 2024 workbook (as publications writes them), with the contact sheet
    report = write_workbook(home / "reports" / "2024" / "MR-001_Pruefbericht.xlsx", 2024, "MR-001",
                            answers_for("MR-001", 2024, "MINT-Region Köln"))
    dry = retention(Home(home), keep_years=1, current_year=2025, dry_run=True)
    assert dry.contacts_removed == 5 and len(dry.archive_files_redacted) == 6
    assert query(home, "SELECT count(*) FROM private.contacts") == [(9,)]
    done = retention(Home(home), keep_years=1, current_year=2025)
    assert done.contacts_removed == 5 and "reports/2024/MR-001_Pruefbericht.xlsx" in done.reports_redacted
    assert all(r.startswith("reports/2024/") for r in done.reports_redacted)  # 2025 keeps its contacts
    assert query(home, "SELECT DISTINCT census_year FROM private.contacts") == [(2025,)]
    for key in done.archive_files_redacted:  # replaced by a redacted copy under its own hash
        assert not (Home(home).archive / key).exists()
    assert query(home, "SELECT count(*) FROM meta.retention") == [(6,)]
    for t, rows in stats.items():
        assert query(home, f"SELECT * FROM {t} ORDER BY ALL") == rows, t
    from openpyxl import load_workbook
    texts = [str(c.value) for ws in load_workbook(report).worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert not any("Geheim" in t or "geheim.example" in t for t in texts)
    assert any("MINT-Region Köln" in t for t in texts)  # the statistics stay
    assert check(Home(home)) == []   # core rows still trace (via meta.retention)
    again = retention(Home(home), keep_years=1, current_year=2025)
    assert again.contacts_removed == 0 and again.archive_files_redacted == again.archive_files_removed == []
