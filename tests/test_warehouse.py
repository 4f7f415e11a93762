"""Loading: idempotent, one bad workbook never stops the good ones, archive, re-submission."""

from __future__ import annotations

import os
import time

import duckdb

from mint_census.flows.home import Home

from .conftest import full_answers, process, tweak

TABLES = ("core.networks", "core.partners", "core.funding", "core.districts", "core.offers",
          "private.contacts")


def counts(home):
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def query(home, sql, params=()):
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_same_year_twice_leaves_the_same_rows(home, make_workbook, reference):
    make_workbook("a.xlsx", network_id="MR-001")
    make_workbook("b.xlsx", full_answers(network_id="MR-002"), network_id="MR-002")
    process(home, 2025, reference)
    first = counts(home)
    assert first == {"core.networks": 2, "core.partners": 2, "core.funding": 2, "core.districts": 4,
                     "core.offers": 4, "private.contacts": 2}
    snapshot = query(home, "SELECT * FROM core.networks ORDER BY network_id")
    process(home, 2025, reference)
    assert counts(home) == first
    assert query(home, "SELECT * FROM core.networks ORDER BY network_id") == snapshot
    # the file was received twice, archived once, recorded per run
    assert query(home, "SELECT count(*), count(DISTINCT run_id) FROM meta.submissions") == [(4, 2)]
    assert len(list((home / "archive").rglob("*.xlsx"))) == 2


def test_broken_workbook_among_good_ones(home, make_workbook, reference):
    make_workbook("good1.xlsx", network_id="MR-001")
    make_workbook("bad.xlsx", tweak(full_answers(network_id="MR-002"), founded_year="irgendwann"),
                  network_id="MR-002")
    make_workbook("good3.xlsx", full_answers(network_id="MR-003"), network_id="MR-003")
    (home / "inbox" / "2025" / "kaputt.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    result = process(home, 2025, reference)
    assert {k: v.status for k, v in result.items()} == {
        "good1.xlsx": "accepted", "bad.xlsx": "rejected", "good3.xlsx": "accepted", "kaputt.xlsx": "rejected"}
    assert query(home, "SELECT network_id FROM core.networks ORDER BY 1") == [("MR-001",), ("MR-003",)]
    # nothing received is lost: all four files are archived and recorded with their findings
    assert len(list((home / "archive").rglob("*"))) - len(list((home / "archive").glob("*"))) == 4
    assert query(home, "SELECT file_name, status FROM meta.submissions ORDER BY file_name") == [
        ("bad.xlsx", "rejected"), ("good1.xlsx", "accepted"), ("good3.xlsx", "accepted"),
        ("kaputt.xlsx", "rejected")]
    assert query(home, "SELECT cell, code FROM meta.findings WHERE network_id = 'MR-002'") == [
        ("B9", "not_an_integer")]
    assert query(home, "SELECT code FROM meta.findings f JOIN meta.submissions s USING (run_id, file_sha256) "
                       "WHERE s.file_name = 'kaputt.xlsx'") == [("corrupt_zip",)]


def test_resubmission_replaces_earlier_rows_and_keeps_history(home, make_workbook, reference):
    path = make_workbook("v1.xlsx", network_id="MR-001")
    process(home, 2025, reference)
    os.remove(path)
    time.sleep(0.01)
    make_workbook("v2.xlsx", tweak(full_answers(), volunteers=40))
    process(home, 2025, reference)
    assert query(home, "SELECT volunteers FROM core.networks") == [(40,)]
    history = query(home, "SELECT file_name, status, loaded FROM meta.submissions ORDER BY received_at")
    assert history == [("v1.xlsx", "accepted", False), ("v2.xlsx", "accepted", True)]


def test_rejected_resubmission_keeps_the_accepted_rows(home, make_workbook, reference):
    path = make_workbook("v1.xlsx")
    process(home, 2025, reference)
    os.remove(path)
    make_workbook("v2.xlsx", tweak(full_answers(), volunteers="zwölf"))
    process(home, 2025, reference)
    assert query(home, "SELECT volunteers FROM core.networks") == [(12,)]


def test_two_files_for_one_network_newer_wins(home, make_workbook, reference):
    old = make_workbook("alt.xlsx", tweak(full_answers(), volunteers=1))
    new = make_workbook("neu.xlsx", tweak(full_answers(), volunteers=2))
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_000_100, 1_700_000_100))
    result = process(home, 2025, reference)
    assert result["alt.xlsx"].status == "superseded" and result["neu.xlsx"].status == "accepted"
    assert query(home, "SELECT volunteers FROM core.networks") == [(2,)]


def test_failed_load_leaves_the_warehouse_as_it_was(home, make_workbook, reference, monkeypatch):
    import pytest

    from mint_census.warehouse import load

    make_workbook("a.xlsx")
    process(home, 2025, reference)
    before = counts(home)
    runs = query(home, "SELECT count(*) FROM meta.runs")
    make_workbook("b.xlsx", full_answers(network_id="MR-002"), network_id="MR-002")
    real_insert = load.insert_frame

    def failing_insert(con, table, df):
        if table == "meta.findings":
            raise RuntimeError("disk full")
        real_insert(con, table, df)

    monkeypatch.setattr(load, "insert_frame", failing_insert)
    with pytest.raises(RuntimeError):
        process(home, 2025, reference)
    assert counts(home) == before
    assert query(home, "SELECT count(*) FROM meta.runs") == runs


def test_a_field_added_to_the_questionnaire_becomes_a_new_column_of_an_existing_warehouse(tmp_path):
    """Recipe "add a survey field" (docs/developing.md): an existing warehouse gets the column."""
    from mint_census.warehouse.schema import init

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    init(con)
    con.execute("ALTER TABLE core.networks DROP COLUMN is_mint_cluster")   # a warehouse from before 2025.1
    con.execute("UPDATE meta.schema_version SET fingerprint = 'older'")
    con.close()
    con = duckdb.connect(str(db))
    init(con)
    cols = {r[0]: r[1] for r in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'core' "
        "AND table_name = 'networks'").fetchall()}
    con.close()
    assert cols["is_mint_cluster"] == "BOOLEAN"
