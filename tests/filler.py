"""Playing a coordinator with a real workbook: find input cells by their German label, and
save files through LibreOffice headless.

The filler knows nothing of the project's layout constants: on a form sheet it looks for
the label text in any cell and writes into the first yellow input cell to its right; on a
table sheet it finds the column whose header carries the label and writes into the given
row below the header (1 = first input row). LibreOffice conversions share one profile
directory per test session and run several files per call.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: the round trip through a real "
                            "spreadsheet program cannot be checked here (.ci/run installs it)")


def _norm(text: Any) -> str:
    return " ".join(str(text or "").replace("*", " ").split()).casefold()


def find_input(ws, label: str, row: int | None = None):
    """The input cell of `label` on `ws`: right of the label (form) or below the header (table)."""
    want = _norm(label)
    for cells in ws.iter_rows():
        for c in cells:
            if isinstance(c.value, str) and _norm(c.value) == want:
                if row is None:                      # a form: the first unlocked cell to the right
                    for col in range(c.column + 1, c.column + 4):
                        target = ws.cell(c.row, col)
                        if target.protection.locked is False:
                            return target
                    raise LookupError(f"{ws.title}: no input cell right of {label!r}")
                return ws.cell(c.row + row, c.column)
    raise LookupError(f"{ws.title}: label {label!r} not found")


def fill(path: Path, values: dict[tuple[str, str] | tuple[str, str, int], Any], out: Path | None = None) -> Path:
    """Write values into a workbook by (sheet, German label[, table row]); returns the saved path."""
    wb = load_workbook(path)
    for key, value in values.items():
        sheet, label, *row = key
        find_input(wb[sheet], label, row[0] if row else None).value = value
    out = out or path
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def kreis_choice(path: Path, code: str) -> str:
    """The entry of the Kreis dropdown (hidden lists sheet) that carries `code`."""
    wb = load_workbook(path, read_only=True)
    for row in wb["_listen"].iter_rows(values_only=True):
        for v in row:
            if isinstance(v, str) and v.endswith(f"({code})"):
                return v
    raise LookupError(code)


def libreoffice_save(files: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Open and save every file as .xlsx in LibreOffice (one call); returns the new paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir),
                    *map(str, files)], check=True, timeout=240, capture_output=True)
    return [outdir / f.name for f in files]


def libreoffice_pdf(files: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Print every file to PDF with LibreOffice (one call); returns the PDF paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)],
                   check=True, timeout=240, capture_output=True)
    return [outdir / (f.stem + ".pdf") for f in files]


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory) -> Path:
    """One LibreOffice profile for every conversion of the session (the first start costs most)."""
    return tmp_path_factory.mktemp("lo-profile")
