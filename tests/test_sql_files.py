"""The SQL lives in .sql files: each one says what it answers, is shipped as package data, and
the counting rule is written once. (That publication SQL reads only `pub` views and that
publications import no sources is checked in test_conventions.py.)"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from mint_census.warehouse.views import VIEWS
from mint_census.warehouse.views_research import VIEWS as RESEARCH_VIEWS

ROOT = Path(__file__).resolve().parent.parent
SQL_DIRS = {"mint_census.warehouse": ROOT / "warehouse", "mint_census.publications": ROOT / "publications"}


def sql_files() -> list[Path]:
    return sorted(p for d in SQL_DIRS.values() for p in (d / "sql").rglob("*.sql"))


def test_every_sql_file_starts_with_its_header():
    assert sql_files()
    for path in sql_files():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(f"-- {path.stem}: "), path


def test_every_sql_file_is_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]
    for package, folder in SQL_DIRS.items():
        for path in (folder / "sql").rglob("*.sql"):
            rel = path.relative_to(folder).as_posix()
            assert any(fnmatch.fnmatch(rel, p) and rel.count("/") == p.count("/") for p in patterns[package]), rel


def test_every_pub_view_has_its_sql_file_and_no_file_is_left_over():
    names = {name for name, *_ in (*VIEWS, *RESEARCH_VIEWS)}
    files = {p.stem for p in (ROOT / "warehouse" / "sql" / "views").glob("*.sql")}
    assert names == files


def test_counting_rule_is_written_once_in_sql():
    hits = [p.name for p in sql_files()
            if "'resumed')" in re.sub(r"--[^\n]*", "", p.read_text(encoding="utf-8"))]
    assert hits == ["network_years.sql"]
