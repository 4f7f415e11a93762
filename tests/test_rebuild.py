"""Issue 13, case 2: a damaged warehouse gets a clear message naming `rebuild`; `rebuild` makes a
new warehouse from the archive, the register and the reference data with the same rows."""

from __future__ import annotations

import os
from importlib.resources import files

import duckdb

from mint_census.flows.cli import main
from mint_census.flows.home import Home
from mint_census.flows.steps import check, rebuild
from mint_census.publications.queries import fetch, parameters

from .conftest import REFERENCE_DIR
from .test_research_census import census_home

TABLES = ("core.networks", "core.partners", "core.funding", "core.offers", "core.districts", "core.register",
          "pub.growth", "pub.network_years", "pub.networks_by_land")


def snapshot_rows(home):
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        rows = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
        rows["history"] = con.execute("SELECT network_id, valid_from_year, network_name FROM core.register_history "
                                      "ORDER BY ALL").fetchall()
        sql = (files("mint_census.publications") / "sql" / "02_bundeslaender.sql").read_text(encoding="utf-8")
        rows["table 2"] = fetch(con, sql, parameters(2025)).rows
    finally:
        con.close()
    return rows


def test_truncated_warehouse_message_names_rebuild_and_rebuild_restores_the_rows(tmp_path, capsys):
    home = census_home(tmp_path)
    before = snapshot_rows(home)
    assert len(before["core.networks"]) == 9 and before["pub.growth"] and before["table 2"]
    wh = Home(home).warehouse
    with open(wh, "r+b") as f:
        f.truncate(os.path.getsize(wh) // 3)
    capsys.readouterr()
    assert main(["check-warehouse", "--home", str(home)]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "mint-census rebuild" in err and "Traceback" not in err
    assert main(["template", "--year", "2025", "--out", str(tmp_path / "t"), "--home", str(home)]) == 1
    assert "mint-census rebuild" in capsys.readouterr().err

    ref = ["--reference", str(REFERENCE_DIR)] if REFERENCE_DIR else []
    assert main(["rebuild", "--home", str(home), *ref]) == 0
    out = capsys.readouterr().out
    assert "old warehouse unreadable" in out and "warehouse replaced" in out
    assert "register history restored" in out
    assert main(["check-warehouse", "--home", str(home)]) == 0
    after = snapshot_rows(home)
    assert after == before  # the register's history too (from register_history.json beside it)
    kept = list(wh.parent.glob("mint_census.duckdb.before-rebuild-*"))
    assert len(kept) == 1  # the damaged file is kept, never deleted


def test_rebuild_of_a_readable_warehouse_is_verified_and_keeps_the_register_history(tmp_path):
    home = census_home(tmp_path)
    before = snapshot_rows(home)
    report = rebuild(Home(home), REFERENCE_DIR)
    assert report.old_readable and report.ok and report.replaced
    assert "verified" in "\n".join(report.lines())
    assert snapshot_rows(home) == before          # history included
    assert check(Home(home)) == []
