"""One import name: the wheel puts only `mint_census` (and its dist-info) into site-packages,
and a distribution that ships top-level `schemas`, `sources` and `flows` packages (such
distributions exist on the package index) can neither take over nor break our imports."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def dummy_wheel(out: Path) -> Path:
    """A distribution `schemas-dummy` with top-level packages named like our folders."""
    files = {f"{pkg}/__init__.py": f"DUMMY = {pkg!r}\nraise ImportError('the dummy {pkg}')\n".encode()
             for pkg in ("schemas", "sources", "flows", "warehouse", "publications")}
    dist = "schemas_dummy-1.0.dist-info"
    files[f"{dist}/METADATA"] = b"Metadata-Version: 2.1\nName: schemas-dummy\nVersion: 1.0\n"
    files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{dist}/top_level.txt"] = b"schemas\nsources\nflows\nwarehouse\npublications\n"
    record = "\n".join(_record_line(n, d) for n, d in files.items()) + f"\n{dist}/RECORD,,\n"
    path = out / "schemas_dummy-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(f"{dist}/RECORD", record)
    return path


def run(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kw)


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh virtual environment; the project's dependencies come from the test environment
    (a .pth line, so nothing is downloaded), the project itself only from its wheel."""
    tmp = tmp_path_factory.mktemp("packaging")
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", ROOT])
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp / "dist").glob("mint_census-*.whl"))
    env_dir = tmp / "venv"
    made = run([sys.executable, "-m", "venv", env_dir])
    assert made.returncode == 0, made.stderr
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return {"tmp": tmp, "wheel": wheel, "bin": bindir, "python": python, "site": site}


def test_the_wheel_installs_only_mint_census_and_survives_a_dummy_distribution(venv, tmp_path):
    site, python, bindir = venv["site"], venv["python"], venv["bin"]
    before = set(os.listdir(site))
    pip = [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q"]
    done = run([*pip, venv["wheel"]])
    assert done.returncode == 0, done.stderr[-2000:]
    added = set(os.listdir(site)) - before
    assert added == {"mint_census", "mint_census-0.1.0.dist-info"}, added
    assert not (site / "mint_census" / "__init__.py").exists()  # a namespace without a folder of its own

    done = run([*pip, dummy_wheel(tmp_path)])
    assert done.returncode == 0, done.stderr[-2000:]
    assert (site / "schemas" / "__init__.py").is_file()
    # a working directory with files named like the folders shadows nothing of ours
    cwd = tmp_path / "work"
    cwd.mkdir()
    for name in ("schemas.py", "sources.py", "flows.py"):
        (cwd / name).write_text("raise ImportError('shadowed')\n", encoding="utf-8")
    script = bindir / "mint-census"
    helped = run([script, "--help"], cwd=cwd)
    assert helped.returncode == 0 and "template" in helped.stdout, helped.stderr[-2000:]
    blank = run([script, "template", "--year", "2025", "--blank", "--out", tmp_path / "out",
                 "--home", tmp_path / "home"], cwd=cwd)
    assert blank.returncode == 0, blank.stderr[-3000:]
    assert (tmp_path / "out" / "Erhebungsbogen_2025_leer.xlsx").is_file()

    gone = run([python, "-m", "pip", "uninstall", "-y", "-q", "schemas-dummy"])
    assert gone.returncode == 0, gone.stderr
    assert not (site / "schemas").exists()
    again = run([script, "--help"], cwd=cwd)
    assert again.returncode == 0, again.stderr[-2000:]
    imported = run([python, "-c", "import mint_census.schemas.questionnaire as q; print(q.__file__)"], cwd=cwd)
    assert imported.returncode == 0 and str(site) in imported.stdout, imported.stderr


def test_the_wheel_carries_the_reference_data(venv, tmp_path):
    """The official reference data ship inside the wheel: an installed mint-census finds the 400
    Kreise and the boundaries without any ../shared or MINT_CENSUS_REFERENCE."""
    names = set(zipfile.ZipFile(venv["wheel"]).namelist())
    base = "mint_census/sources/reference_data/"
    assert {base + n for n in ("kreise_2023.csv", "zensus2022_bevoelkerung_kreise.csv", "bundeslaender.csv",
                               "README.md", "LICENSE-dl-de-by-2-0.txt", "bkg/kreise_vg2500_2023.geojson",
                               "bkg/laender_vg2500_2023.geojson")} <= names
    env = {k: v for k, v in os.environ.items() if k != "MINT_CENSUS_REFERENCE"}
    done = run([venv["python"], "-m", "pip", "install", "--no-deps", "--no-index", "-q", venv["wheel"]])
    assert done.returncode == 0, done.stderr[-2000:]
    found = run([venv["python"], "-c", "from mint_census.sources.reference import resolve_reference_dir as r, "
                 "load_reference as l; d = r(); print(d); print(len(l(d).kreise))"], cwd=tmp_path, env=env)
    assert found.returncode == 0, found.stderr[-2000:]
    where, count = found.stdout.split()
    assert where.startswith(str(venv["site"])) and count == "400"
