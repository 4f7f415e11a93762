"""Issue 13, cases 3 and 6: SQL never breaks on odd names or paths, read-only commands work on a
read-only home, and a log file that cannot be written costs one console line, not the run."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from mint_census.flows.cli import configure_logging, main
from mint_census.flows.home import Home
from mint_census.flows.steps import check, snapshot_year
from mint_census.warehouse.sqltext import insert_rows, quote_ident, quote_literal

from .test_research_census import census_home

ODD = "O'Brien \"Dr.\"; DROP TABLE x;--\nZeile 2 Grüße ß"


def test_quoting_round_trips_quotes_semicolons_newlines_and_umlauts(tmp_path):
    folder = tmp_path / "a'b\"c;d ü"
    folder.mkdir()
    con = duckdb.connect()
    con.execute(f"ATTACH {quote_literal((folder / 'x.duckdb').as_posix())} AS x")
    con.execute(f"CREATE TABLE x.main.{quote_ident((ODD,))} ({quote_ident((ODD + 'col',))} VARCHAR)")
    con.execute(f"INSERT INTO x.main.{quote_ident((ODD,))} VALUES ({quote_literal(ODD)})")
    assert con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'x'").fetchall() == [(ODD,)]
    assert con.execute(f"SELECT * FROM x.main.{quote_ident((ODD,))}").fetchall() == [(ODD,)]
    assert (folder / "x.duckdb").is_file()


def test_insert_rows_keeps_every_value_across_chunks():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, s VARCHAR, b BOOLEAN)")
    rows = [(1, ODD, True), (2, None, False), (3, "?", None), (4, "", True), (5, "$1", False)]
    insert_rows(con, "t", rows, chunk=2)
    assert con.execute("SELECT * FROM t ORDER BY i").fetchall() == rows
    insert_rows(con, "t", [])
    assert con.execute("SELECT count(*) FROM t").fetchone() == (5,)


def test_home_whose_path_has_apostrophe_quotes_semicolon_and_umlaut(tmp_path):
    odd = tmp_path / "Netzwerk O'Brien \"Köln\"; test"
    shutil.copytree(census_home(tmp_path / "src"), odd)
    assert check(Home(odd)) == []
    lines = snapshot_year(Home(odd), 2025)
    assert (odd / "published" / "2025.1" / "mint_census_2025.duckdb").is_file() and lines
    assert check(Home(odd)) == []  # also scans the snapshot (ATTACH with the odd path)


def _read_only_mount(src: Path, dest: Path) -> bool:
    dest.mkdir()
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(src)], check=True)
        dest.rmdir()
        dest.symlink_to(src)
        return True
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(src), str(dest)], capture_output=True)
    return done.returncode == 0


def test_read_only_commands_work_on_a_read_only_home(tmp_path, capsys):
    home = census_home(tmp_path)
    ro = tmp_path / "ro"
    if not _read_only_mount(home, ro):
        pytest.skip("cannot make a read-only home here (needs mount as root, or a non-root user)")
    try:
        with pytest.raises(OSError):
            (ro / "probe").write_text("x")
        capsys.readouterr()
        assert main(["check-warehouse", "--home", str(ro)]) == 0
        assert main(["template", "--year", "2025", "--network", "MR-001", "--out", str(tmp_path / "t"),
                     "--home", str(ro)]) == 0
        assert main(["check-warehouse", "--help"]) == 0
        out = capsys.readouterr()
        assert "all invariants hold" in out.out and (tmp_path / "t").is_dir()
        assert out.err.count("cannot write the log file") == 2 and "Traceback" not in out.err
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(ro)], check=False)
        else:
            subprocess.run(["chmod", "-R", "u+w", str(home)], check=False)


def test_a_log_file_that_cannot_be_opened_costs_one_line(tmp_path, capsys):
    home = census_home(tmp_path)
    shutil.rmtree(home / "logs", ignore_errors=True)
    (home / "logs" / "mint-census.log").mkdir(parents=True)  # a directory where the file should be
    assert main(["check-warehouse", "--home", str(home)]) == 0
    err = capsys.readouterr().err
    assert err.count("cannot write the log file") == 1 and "Logging error" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (a full disk)")
def test_a_full_disk_under_the_log_costs_one_line_and_the_run_goes_on(tmp_path, capsys):
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    (home / "logs" / "mint-census.log").symlink_to("/dev/full")
    configure_logging(Home(home), verbose=False)
    log = logging.getLogger("mint_census.flows.test")
    try:
        for i in range(200):
            log.warning("record %d", i)
    finally:
        for h in list(logging.getLogger().handlers):
            if getattr(h, "_mint_census", False):
                logging.getLogger().removeHandler(h)
                h.close()
    err = capsys.readouterr().err
    assert err.count("cannot write the log file") == 1
    assert "Logging error" not in err and "Traceback" not in err
    assert err.count("record ") == 200  # the console still shows every warning
