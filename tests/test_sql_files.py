"""The SQL lives in .sql files: each one says what it answers, is shipped as package data, the
publication reads only `pub` views, and the counting rule is written once."""

from __future__ import annotations

import ast
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


def test_publication_sql_reads_only_pub_views():
    for path in (ROOT / "publications" / "sql").glob("*.sql"):
        code = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        assert not re.findall(r"\b(?:core|ref|meta|raw|private)\.\w+", code), path.name


def test_counting_rule_is_written_once_in_sql():
    hits = [p.name for p in sql_files()
            if "first_census_year <=" in re.sub(r"--[^\n]*", "", p.read_text(encoding="utf-8"))]
    assert hits == ["network_years.sql"]


def test_publish_does_not_import_sources():
    # checkreport_xlsx inspects received files with sources.safety; the publication itself does not.
    for path in (ROOT / "publications").glob("*.py"):
        if path.name == "checkreport_xlsx.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("mint_census.sources"), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("mint_census.sources") for a in node.names), path.name
