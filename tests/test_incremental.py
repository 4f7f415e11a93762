"""Incremental re-ingest: a file whose content and inputs are unchanged is not read again, and the
warehouse ends up exactly as after a full ingest of the same inbox."""

from __future__ import annotations

import shutil
from pathlib import Path

from mint_census.flows.home import Home
from mint_census.flows.steps import ingest_batch, read_files
from mint_census.sources.register import write_register

from .conftest import full_answers, register_frame, tweak

YEAR = 2025
VOLATILE = {"run_id", "loaded_at", "recorded_at", "received_at", "started_at", "finished_at", "assessed_at"}


def ingest(home: Path, reference):
    """ingest through the one wiring, with a spy on the read stage; returns (summary, files read)."""
    seen: list[str] = []

    def spy(paths, year, start=0):
        seen.extend(p.name for p in paths)
        return read_files(paths, year, start)

    summary, _ = ingest_batch(Home(home), YEAR, None, reference, read=spy)
    return summary, sorted(seen)


def contents(home: Path) -> dict:
    """Every core and private row, the raw cells and the submissions and findings of the last run's
    files, without run IDs and times (which differ between any two runs)."""
    import duckdb
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        out = {}
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema "
                             "IN ('core', 'raw', 'private') AND table_type = 'BASE TABLE' ORDER BY ALL").fetchall()
        last = con.execute("SELECT run_id FROM meta.runs ORDER BY finished_at DESC LIMIT 1").fetchone()[0]
        for schema, table in tables + [("meta", "submissions"), ("meta", "findings")]:
            cols = [c for c, t in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND "
                "table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()
                    if c not in VOLATILE and t != "TIMESTAMP"]
            # raw.cells keeps the cells of files received in earlier runs (history): those of this run's files
            where = (" WHERE run_id = ?" if schema == "meta" else
                     " WHERE file_sha256 IN (SELECT file_sha256 FROM meta.submissions WHERE run_id = ?)"
                     if table == "cells" else "")
            out[f"{schema}.{table}"] = con.execute(
                f"SELECT {', '.join(cols)} FROM {schema}.{table}{where} ORDER BY ALL",
                [last] if where else []).fetchall()
        return out
    finally:
        con.close()


def test_reingest_reads_only_the_changed_file_and_equals_a_full_ingest(home, make_workbook, reference, tmp_path):
    make_workbook("a.xlsx", network_id="MR-001")
    make_workbook("b.xlsx", tweak(full_answers(YEAR, "MR-002"), network_id="MR-002", budget_eur=1.0),
                  network_id="MR-002")                                   # accepted with a hint
    make_workbook("c.xlsx", tweak(full_answers(YEAR, "MR-003"), network_id="MR-003", founded_year=2061),
                  network_id="MR-003")                                   # rejected
    first, read_first = ingest(home, reference)
    assert read_first == ["a.xlsx", "b.xlsx", "c.xlsx"]
    assert (first.accepted, first.with_warnings, first.rejected, first.unchanged) == (1, 1, 1, 0)

    again, read_again = ingest(home, reference)
    assert read_again == []
    assert (again.accepted, again.with_warnings, again.rejected, again.unchanged) == (1, 1, 1, 3)
    assert {r["Datei"]: r["Unverändert"] for r in again.rows} == {"a.xlsx": "ja", "b.xlsx": "ja", "c.xlsx": "ja"}
    assert again.findings == first.findings
    assert sorted(Path(p).name for p in again.reports) == sorted(Path(p).name for p in first.reports)

    make_workbook("a.xlsx", tweak(full_answers(YEAR, "MR-001"), volunteers=99), network_id="MR-001")
    third, read_third = ingest(home, reference)
    assert read_third == ["a.xlsx"]
    assert third.unchanged == 2
    assert [r["Unverändert"] for r in third.rows] == ["nein", "ja", "ja"]

    fresh = tmp_path / "fresh"
    (fresh / "inbox").mkdir(parents=True)
    for name in ("register.csv", "register_events.csv"):
        if (home / name).is_file():
            shutil.copyfile(home / name, fresh / name)
    shutil.copytree(home / "inbox" / str(YEAR), fresh / "inbox" / str(YEAR), copy_function=shutil.copy2)
    full, read_full = ingest(fresh, reference)
    assert read_full == ["a.xlsx", "b.xlsx", "c.xlsx"]
    mine, theirs = contents(home), contents(fresh)
    assert mine["core.networks"] and mine["raw.cells"] and mine["meta.findings"]
    assert [r for r in mine["core.networks"] if r[0] == "MR-001"]
    assert mine == theirs


def test_a_changed_register_entry_reads_that_network_again(home, make_workbook, reference):
    make_workbook("a.xlsx", network_id="MR-001")
    make_workbook("b.xlsx", network_id="MR-002")
    ingest(home, reference)
    register = register_frame()
    register.loc[register["network_id"] == "MR-002", "kreise"] = "05316"
    write_register(register, home / "register.csv")
    summary, read = ingest(home, reference)
    assert read == ["b.xlsx"]
    assert summary.unchanged == 1


def test_a_second_file_of_a_network_reads_both_again(home, make_workbook, reference):
    import os
    make_workbook("a.xlsx", network_id="MR-001")
    ingest(home, reference)
    newer = make_workbook("a2.xlsx", tweak(full_answers(YEAR, "MR-001"), volunteers=7), network_id="MR-001")
    os.utime(newer, (2_000_000_000, 2_000_000_000))
    summary, read = ingest(home, reference)
    assert read == ["a.xlsx", "a2.xlsx"]
    assert (summary.accepted, summary.superseded, summary.unchanged) == (1, 1, 0)
