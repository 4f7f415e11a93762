"""Conventions that check themselves (docs/developing.md): the one-way data flow between the
stages, Prefect only in flows/, publication SQL reading only pub views, every command in
the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("schemas", "sources", "warehouse", "publications", "flows")

# What each stage may import of the others (docs/developing.md, "The stages"). The data
# moves sources -> schemas (validate) -> warehouse (load) -> publications; the field
# declarations in schemas are what every stage reads; flows wire everything and nothing
# imports flows.
ALLOWED = {
    "schemas": set(),
    "sources": {"schemas"},
    "warehouse": {"schemas"},
    "publications": {"schemas", "warehouse"},
    "flows": {"schemas", "sources", "warehouse", "publications"},
}


def modules(stage: str) -> list[Path]:
    return sorted((ROOT / stage).rglob("*.py"))


def imported_stages(path: Path, stage: str, root: Path = ROOT) -> dict[str, int]:
    """Stages (other than its own) a module imports, with the first line that does."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = [stage, *path.relative_to(root / stage).parent.parts]
    found: dict[str, int] = {}

    def note(name: str, line: int) -> None:
        parts = name.split(".")
        if parts[0] == "mint_census" and len(parts) > 1 and parts[1] in STAGES:
            target = parts[1]
        elif parts[0] in STAGES:
            target = "bare:" + parts[0]       # a top-level `schemas` etc.: never allowed
        else:
            return
        if target != stage:
            found.setdefault(target, line)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                note(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package[:len(package) - node.level + 1]
                name = ".".join(["mint_census", *base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            note(name, node.lineno)
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_imports_follow_the_data_flow(stage):
    wrong = []
    for path in modules(stage):
        for target, line in imported_stages(path, stage).items():
            if target not in ALLOWED[stage]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "imports against the data flow:\n" + "\n".join(wrong)


def test_the_import_check_itself_sees_a_wrong_import(tmp_path):
    """The checker is not vacuous: a publications module importing sources is caught."""
    stage_dir = tmp_path / "publications"
    stage_dir.mkdir()
    (stage_dir / "bad.py").write_text("from mint_census.sources import batch\nfrom ..flows import cli\n"
                                      "import schemas\nfrom .tables import x\n", encoding="utf-8")
    found = imported_stages(stage_dir / "bad.py", "publications", root=tmp_path)
    assert set(found) == {"sources", "flows", "bare:schemas"}


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "flows"])
def test_prefect_only_inside_flows(stage):
    users = []
    for path in modules(stage):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(n == "prefect" or n.startswith("prefect.") for n in names):
                users.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not users, f"Prefect imported outside flows/: {users}"


PRIVATE_SCHEMAS = re.compile(r"\b(core|ref|meta|raw|private)\s*\.\s*[A-Za-z_]\w*", re.IGNORECASE)


def test_publication_sql_reads_only_pub_views():
    files = sorted((ROOT / "publications" / "sql").glob("*.sql"))
    assert files, "publications/sql/*.sql missing"
    wrong = []
    for f in files:
        text = re.sub(r"--[^\n]*", "", f.read_text(encoding="utf-8"))  # comments may name the sources
        wrong += [f"{f.name}: {m.group(0)}" for m in PRIVATE_SCHEMAS.finditer(text)]
    assert not wrong, "publication SQL must read pub.* only:\n" + "\n".join(wrong)


def test_every_command_is_in_the_readme():
    from mint_census.flows.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in sub.choices if not re.search(rf"mint-census {re.escape(name)}\b", readme)]
    assert not missing, f"commands missing from README.md: {missing}"
    assert len(sub.choices) >= 8  # the checker saw the real command list
