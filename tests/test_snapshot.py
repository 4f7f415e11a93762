"""The researchers' snapshot: content, no personal data, atomic, readable while staff load."""

from __future__ import annotations

import hashlib

import json
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from mint_census.flows.home import Home
from mint_census.warehouse import snapshot as snap
from mint_census.warehouse.checks import personal_values, scan_published
from mint_census.warehouse.snapshot import manifest_path, snapshot_path, write_snapshot

from .conftest import process
from .test_research_census import census_home, write_year

ROOT = Path(__file__).resolve().parent.parent



def _sha256(path: Path) -> str:
    """Independent of the code under test: hashlib over the whole file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()

def test_snapshot_holds_core_ref_pub_and_no_private_data(tmp_path):
    home = census_home(tmp_path)
    m = write_snapshot(Home(home).warehouse, Home(home).published, 2025)
    db = snapshot_path(Home(home).published, 2025)
    assert not (db.stat().st_mode & 0o222)  # read-only file
    con = duckdb.connect(str(db), read_only=True)
    try:
        schemas = {r[0] for r in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
        assert schemas == {"core", "ref", "pub", "meta"}
        cols = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns()").fetchall()}
        assert not cols & {"contact_name", "contact_email", "contact_phone"}
        assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
                           "AND (comment IS NULL OR comment = '')"
                           ).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM meta.data_dictionary WHERE table_schema IN ('private', 'raw')"
                           ).fetchone()[0] == 0
        growth = dict(con.execute("SELECT census_year, networks FROM pub.growth").fetchall())
        assert growth[2013] == 4 and growth[2025] == 5
        assert dict(con.execute("SELECT key, value FROM meta.snapshot").fetchall())["census_year"] == "2025"
    finally:
        con.close()
    # every core/pub/ref table as Parquet, with the manifest's row counts and checksums
    doc = json.loads(manifest_path(Home(home).published, 2025).read_text(encoding="utf-8"))
    assert doc["census_year"] == 2025 and doc["storage_version"] == snap.STORAGE_VERSION
    assert doc["questionnaire_versions"] == {"2024": ["2024.1"], "2025": ["2025.1"]}
    assert doc["database_sha256"] == _sha256(db)
    names = {t["name"] for t in doc["tables"]}
    assert {"core.networks", "core.register", "ref.kreise", "pub.growth", "pub.network_history",
            "meta.data_dictionary", "meta.runs"} <= names
    for t in doc["tables"]:
        if t["name"].split(".")[0] in ("core", "ref", "pub"):
            pq = home / "published" / t["parquet"]
            assert _sha256(pq) == t["parquet_sha256"]
            assert duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{pq.as_posix()}')").fetchone()[0] == t["rows"]
    assert m.row_counts["core.networks"] == 9  # 5 in 2024, 4 in 2025
    # nothing half-written left behind
    assert [p.name for p in (home / "published").rglob(".*")] == []


def test_no_personal_data_anywhere_in_published(tmp_path):
    home = census_home(tmp_path)
    write_snapshot(Home(home).warehouse, Home(home).published, 2025)
    write_snapshot(Home(home).warehouse, Home(home).published, 2024)
    values = personal_values(Home(home).warehouse)
    # every accepted workbook's contact, and the rejected workbook's contact is not even in private
    assert "Frieda Geheim12025" in values and "frieda.mr-006.2024@geheim.example" in values
    values |= {"Rita Abgelehnt2024", "rita.2025@abgelehnt.example"}
    assert scan_published(Home(home).published, values) == []
    # the scan does find what it looks for
    assert scan_published(Home(home).published, {"zdi-Zentrum Leverkusen"})


def test_storage_version_readable_by_duckdb_1x(tmp_path):
    home = census_home(tmp_path)
    write_snapshot(Home(home).warehouse, Home(home).published, 2025)
    header = snapshot_path(Home(home).published, 2025).read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert struct.unpack("<Q", header[12:20])[0] == 64  # storage format of DuckDB 0.10 .. 1.1, read by all 1.x


def test_snapshot_of_an_earlier_year_stops_at_that_year(tmp_path):
    home = census_home(tmp_path)
    m = write_snapshot(Home(home).warehouse, Home(home).published, 2024, parquet=False)
    con = duckdb.connect(str(snapshot_path(Home(home).published, 2024)), read_only=True)
    try:
        assert con.execute("SELECT max(census_year) FROM core.networks").fetchone()[0] == 2024
        assert con.execute("SELECT max(census_year) FROM pub.growth").fetchone()[0] == 2024
    finally:
        con.close()
    assert m.questionnaire_versions == {"2024": ["2024.1"]}
    with pytest.raises(snap.SnapshotError, match="census year 2031"):
        write_snapshot(Home(home).warehouse, Home(home).published, 2031)


def test_a_failed_snapshot_leaves_the_previous_one_valid(tmp_path, monkeypatch):
    home = census_home(tmp_path)
    write_snapshot(Home(home).warehouse, Home(home).published, 2025)
    before = _sha256(snapshot_path(Home(home).published, 2025))
    pq_before = {p.name: _sha256(p) for p in (home / "published" / "parquet").glob("*.parquet")}

    def boom(con):
        raise RuntimeError("disk full")
    monkeypatch.setattr(snap, "_reference_info", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        write_snapshot(Home(home).warehouse, Home(home).published, 2025)
    assert _sha256(snapshot_path(Home(home).published, 2025)) == before
    assert {p.name: _sha256(p) for p in (home / "published" / "parquet").glob("*.parquet")} == pq_before
    assert [p.name for p in (home / "published").rglob(".*")] == []


RESEARCHER = textwrap.dedent("""
    import sys, time, duckdb
    path, ready, stop = sys.argv[1], sys.argv[2], sys.argv[3]
    con = duckdb.connect(path, read_only=True)
    n = 0
    open(ready, "w").close()
    import os
    deadline = time.time() + 60
    while not os.path.exists(stop) and time.time() < deadline:
        r = con.execute("SELECT count(*), sum(networks) FROM pub.growth").fetchone()
        v = con.execute("SELECT count(*) FROM core.networks WHERE census_year = 2025").fetchone()[0]
        assert r[0] == 13 and v == 4, (r, v)
        n += 1
        time.sleep(0.01)
    con.close()
    print(n)
""")


def test_researcher_keeps_reading_the_snapshot_while_staff_load_and_republish(tmp_path, reference):
    home = census_home(tmp_path)
    write_snapshot(Home(home).warehouse, Home(home).published, 2025)
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    proc = subprocess.Popen([sys.executable, "-c", RESEARCHER, str(snapshot_path(Home(home).published, 2025)), str(ready), str(stop)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        deadline = time.time() + 30
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert ready.exists(), proc.stderr.read() if proc.poll() is not None else "researcher did not start"
        # staff correct 2025 (writer on the private warehouse), then publish a new snapshot over the old one
        write_year(home, 2025, volunteers=99)
        process(home, 2025, reference)
        write_snapshot(Home(home).warehouse, Home(home).published, 2025)
        stop.touch()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert int(out.strip()) > 0
    con = duckdb.connect(str(snapshot_path(Home(home).published, 2025)), read_only=True)
    try:
        assert con.execute("SELECT DISTINCT volunteers FROM core.networks WHERE census_year = 2025").fetchall() == [(99,)]
    finally:
        con.close()


def test_check_warehouse_finds_personal_data_that_reached_published(tmp_path):
    from mint_census.flows.steps import check

    home = census_home(tmp_path)
    m = write_snapshot(Home(home).warehouse, Home(home).published, 2025)
    assert check(Home(home)) == []
    assert "mint_census_2025.duckdb" in "\n".join(m.lines(home))
    leak = home / "published" / "notes.csv"
    leak.write_text("network;contact\nMR-001;Frieda Geheim12025\n", encoding="utf-8")
    assert check(Home(home)) == ["personal data in published/: published/notes.csv contains 'Frieda Geheim12025'"]
