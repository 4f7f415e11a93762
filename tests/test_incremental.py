"""Incremental re-ingest: a file whose content and inputs are unchanged is not read again, and the
warehouse ends up exactly as after a full ingest of the same inbox."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

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


# --- known hashes (sources/known_hashes.py) and the register loaded once ------------------------

def _settled(monkeypatch):
    """Files written by a test are seconds old: no racy window, so that the hash cache is used."""
    from mint_census.sources import known_hashes
    monkeypatch.setattr(known_hashes, "RACY_NS", -3_600_000_000_000)


def _hashing(monkeypatch) -> list[str]:
    """The names of the files the ingest hashes (incremental re-ingest) from now on."""
    from mint_census.flows import steps
    hashed: list[str] = []
    real = steps.sha256_of

    def spy(path):
        hashed.append(Path(path).name)
        return real(path)
    monkeypatch.setattr(steps, "sha256_of", spy)
    return hashed


def test_a_reingest_hashes_only_files_whose_lstat_changed(home, make_workbook, reference, monkeypatch):
    import os
    _settled(monkeypatch)
    make_workbook("a.xlsx", network_id="MR-001")
    make_workbook("b.xlsx", network_id="MR-002")
    hashed = _hashing(monkeypatch)
    ingest(home, reference)
    assert (Home(home).cache / f"hashes-{YEAR}.json").is_file()
    summary, read = ingest(home, reference)
    assert (hashed, read, summary.unchanged) == ([], [], 2)   # both hashes from the cache
    # new content of the same size with the old modification time: the change time still tells
    a = home / "inbox" / str(YEAR) / "a.xlsx"
    before = os.stat(a)
    data = bytearray(a.read_bytes())
    data[-30] ^= 0xFF  # a byte of the zip's central directory: a damaged file
    a.write_bytes(bytes(data))
    os.utime(a, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (os.stat(a).st_size, os.stat(a).st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    summary, read = ingest(home, reference)
    assert (hashed, read, summary.unchanged) == (["a.xlsx"], ["a.xlsx"], 1)
    assert {r["Datei"]: r["Status"] for r in summary.rows} == {"a.xlsx": "rejected", "b.xlsx": "accepted"}


NOW = 1  # a clock of this ingest (the recorded listing decides what is racy)


def test_the_hash_cache_is_not_trusted_for_recent_changes_or_another_inbox(tmp_path):
    from mint_census.sources import known_hashes
    box = tmp_path / "inbox"
    box.mkdir()
    old, new = box / "old.xlsx", box / "new.xlsx"
    old.write_bytes(b"old")
    new.write_bytes(b"new")
    listed = known_hashes.stats([old, new, box / "gone.xlsx"])
    assert set(listed) == {old, new}
    cache = tmp_path / "hashes.json"
    at = listed[new][2] + 1_000_000_000  # listed 1 s after new.xlsx's change: within the racy window
    known_hashes.record(cache, box, at, listed, {old: "a" * 64, new: "b" * 64})
    # old.xlsx is older than the window only if its times lie 3 s before the listing: set them back
    import os
    os.utime(old, ns=(listed[old][1] - 10**10, listed[old][1] - 10**10))
    assert known_hashes.known(cache, box, known_hashes.stats([old, new]), NOW) == {}  # old's lstat changed
    settled = known_hashes.stats([old, new])
    known_hashes.record(cache, box, max(settled[old][2], settled[new][2]) + 1_000_000_000, settled,
                        {old: "a" * 64, new: "b" * 64})
    assert known_hashes.known(cache, box, settled, NOW) == {}        # both changed within 3 s of the listing
    known_hashes.record(cache, box, max(settled[old][2], settled[new][2]) + 5_000_000_000, settled,
                        {old: "a" * 64, new: "b" * 64})
    assert known_hashes.known(cache, box, settled, NOW) == {old: "a" * 64, new: "b" * 64}
    assert known_hashes.known(cache, tmp_path, settled, NOW) == {}   # recorded for another inbox
    cache.write_text("{not json", encoding="utf-8")
    assert known_hashes.known(cache, box, settled, NOW) == {}
    assert known_hashes.known(tmp_path / "none.json", box, settled, NOW) == {}
    assert known_hashes.known(cache, box, settled, None) == {}  # no clock (an untrusted file system)


def test_the_register_is_loaded_again_only_when_it_changed(home, make_workbook, reference, monkeypatch):
    import duckdb

    from mint_census.warehouse import load as loading
    loads: list[int] = []
    real = loading.load_register

    def spy(con, register, *args, **kwargs):
        loads.append(len(register))
        return real(con, register, *args, **kwargs)
    monkeypatch.setattr(loading, "load_register", spy)
    make_workbook("a.xlsx", network_id="MR-001")
    ingest(home, reference)
    exported = Home(home).register_history
    first = contents(home)
    stamp = exported.stat().st_mtime_ns
    ingest(home, reference)
    assert loads == [3]                              # the second ingest left the register as it was
    assert contents(home) == first and exported.stat().st_mtime_ns == stamp  # nor rewrote its history file
    register = register_frame()
    register.loc[register["network_id"] == "MR-002", "network_name"] = "Netz Zwei"
    write_register(register, home / "register.csv")
    ingest(home, reference)
    assert loads == [3, 3]
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        assert con.execute("SELECT network_name FROM core.register WHERE network_id = 'MR-002'").fetchone() == (
            "Netz Zwei",)
        digest = con.execute("SELECT digest FROM meta.register_loaded").fetchone()[0]
        assert con.execute("SELECT count(*) FROM core.register_history WHERE network_id = 'MR-002'").fetchone() == (
            1,)
    finally:
        con.close()
    assert exported.read_text(encoding="utf-8").startswith('{"digest": "' + digest + '", ')
    assert "Netz Zwei" in exported.read_text(encoding="utf-8")
    # a history file from elsewhere (another digest) is written again, and so is a cut one
    exported.write_text('{"digest": "x", "columns": [], "rows": []}', encoding="utf-8")
    ingest(home, reference)
    assert "Netz Zwei" in exported.read_text(encoding="utf-8") and loads == [3, 3]
    text = exported.read_text(encoding="utf-8")
    for cut in (text[:200], text[:text.index("}, {") + 1] + "}"):  # cut anywhere, or after a whole row
        exported.write_text(cut, encoding="utf-8")
        ingest(home, reference)
        assert exported.read_text(encoding="utf-8") == text
    # the events alone, or another census year, load it again too
    events = home / "register_events.csv"
    text = events.read_text(encoding="utf-8")
    assert "MR-001;2010-01-01;gegründet;;;\n" in text
    events.write_text(text.replace("MR-001;2010-01-01;gegründet;;;\n", "MR-001;2010-01-01;gegründet;;;Notiz\n"),
                      encoding="utf-8")
    before = len(loads)
    ingest(home, reference)
    assert len(loads) == before + 1
    summary, _ = ingest_batch(Home(home), YEAR - 1, home / "inbox" / str(YEAR - 1), reference)
    assert len(loads) == before + 2


def test_the_tables_of_a_run_list_what_it_read_and_what_needs_attention():
    from mint_census.flows.pipeline import network_rows, run_rows
    rows = [{"Datei": "a.xlsx", "Status": "accepted", "Unverändert": "ja"},
            {"Datei": "b.xlsx", "Status": "accepted", "Unverändert": "nein"},
            {"Datei": "c.xlsx", "Status": "rejected", "Unverändert": "ja"},
            {"Datei": "d.xlsx", "Status": "accepted_with_warnings", "Unverändert": "ja"}]
    assert [r["Datei"] for r in run_rows(rows)] == ["b.xlsx", "c.xlsx", "d.xlsx"]
    overview = [{"Netzwerk-ID": "MR-001", "Status": "angenommen", "Datei": "a.xlsx"},
                {"Netzwerk-ID": "MR-002", "Status": "angenommen", "Datei": "b.xlsx"},
                {"Netzwerk-ID": "MR-003", "Status": "abgelehnt", "Datei": "c.xlsx"},
                {"Netzwerk-ID": "MR-004", "Status": "fehlt", "Datei": None}]
    assert [r["Netzwerk-ID"] for r in network_rows(overview, rows)] == ["MR-002", "MR-003", "MR-004"]


def test_a_file_changed_during_an_ingest_is_hashed_and_read_by_the_next(home, make_workbook, reference,
                                                                       monkeypatch):
    """The hashes are recorded with the lstat listed before anything was hashed or read: a file
    rewritten meanwhile (same size, modification time set back) differs from it next time."""
    import os
    _settled(monkeypatch)
    a = make_workbook("a.xlsx", network_id="MR-001")
    b = make_workbook("b.xlsx", network_id="MR-002")
    ingest(home, reference)
    make_workbook("a.xlsx", tweak(full_answers(YEAR, "MR-001"), volunteers=99), network_id="MR-001")
    from mint_census.flows import steps
    real = steps.read_files

    def rewrite_b_while_reading(paths, year, start=0):
        before = os.stat(b)
        data = bytearray(b.read_bytes())
        data[-30] ^= 0xFF
        b.write_bytes(bytes(data))
        os.utime(b, ns=(before.st_atime_ns, before.st_mtime_ns))
        return real(paths, year, start)
    summary, _ = ingest_batch(Home(home), YEAR, None, reference, read=rewrite_b_while_reading)
    assert [r["Datei"] for r in summary.rows if r["Unverändert"] == "nein"] == ["a.xlsx"]
    summary, read = ingest(home, reference)
    assert read == ["b.xlsx"] and {r["Datei"]: r["Status"] for r in summary.rows}["b.xlsx"] == "rejected"
    assert a.is_file()


def test_hashes_are_remembered_only_where_the_change_time_tells(tmp_path, monkeypatch):
    from mint_census.sources import known_hashes
    monkeypatch.setattr(known_hashes.sys, "platform", "linux")
    mounts = [("/", "ext4"), ("/media/stick", "vfat"), ("/media/stick/inner", "tmpfs"), ("/mnt/win", "ntfs3")]
    monkeypatch.setattr(known_hashes, "_mounts", lambda: mounts)
    monkeypatch.setattr(known_hashes.os.path, "realpath", lambda p: str(p))
    assert known_hashes.trusted(Path("/home/census/inbox"))
    assert not known_hashes.trusted(Path("/media/stick/2025"))
    assert known_hashes.trusted(Path("/media/stick/inner/2025"))       # the longest mount point wins
    assert not known_hashes.trusted(Path("/mnt/win/inbox"))
    assert known_hashes.trusted(Path("/media/sticky"))                # on /, not under /media/stick
    monkeypatch.setattr(known_hashes.sys, "platform", "win32")
    assert not known_hashes.trusted(Path("/home/census/inbox"))


def test_the_clock_is_the_file_systems_and_needs_a_trusted_inbox(tmp_path, monkeypatch):
    import time as _time
    from mint_census.sources import known_hashes
    box = tmp_path / "inbox"
    box.mkdir()
    before = _time.time_ns()
    now = known_hashes.clock(tmp_path / ".cache", box)
    assert now is not None and abs(now - before) < 2_000_000_000
    assert list((tmp_path / ".cache").iterdir()) == []               # the probe is gone
    monkeypatch.setattr(known_hashes, "trusted", lambda folder: False)
    assert known_hashes.clock(tmp_path / ".cache", box) is None


def test_a_register_entry_digest_changes_with_its_own_row_only():
    from mint_census.flows.incremental import register_entries
    register = register_frame(("MR-001", "MR-002", "MR-003"))
    before = register_entries(register)
    assert sorted(before) == ["MR-001", "MR-002", "MR-003"] and len(set(before.values())) == 3
    # the digests of the rows as records, as every ingest before computed them: an upgrade keeps
    # the earlier assessments (a changed digest would read every file again once)
    import hashlib
    records = register.astype(object).where(register.notna(), None).to_dict("records")
    assert before == {row["network_id"]: hashlib.sha256(repr(sorted(row.items())).encode() + b"\x1f").hexdigest()
                      for row in records}
    changed = register.copy()
    changed.loc[1, "end_year"] = 2024  # an Int64 value where there was none
    after = register_entries(changed)
    assert [nid for nid in before if before[nid] != after[nid]] == ["MR-002"]
    as_text = register.copy()
    as_text["successor_id"] = as_text["successor_id"].astype(object)
    as_text.loc[0, "successor_id"] = "None"  # the text "None" is not a missing value
    assert register_entries(as_text)["MR-001"] != before["MR-001"]
    nan = register.copy()
    nan["successor_id"] = [float("nan"), None, pd.NA]  # every missing value alike
    assert register_entries(nan) == before
    kreise = register.copy()
    kreise.at[2, "kreise"] = ["05315", "05316"]
    assert [nid for nid, d in register_entries(kreise).items() if d != before[nid]] == ["MR-003"]
