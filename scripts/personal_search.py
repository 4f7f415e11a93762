"""Search every byte of a census home for personal values (the retention check of issue 13).

    python scripts/personal_search.py collect HOME values.txt   # contact values of every inbox workbook
    python scripts/personal_search.py search HOME values.txt    # files and hits, raw bytes and unpacked zips

`collect` reads the Kontakt sheet of every workbook under HOME/inbox and HOME/archive with
openpyxl (not the pipeline's reader); `search` looks for every value in the raw bytes of every
file under HOME and in the unpacked members of every zip (xlsx) file.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path


def collect(home: Path) -> set[str]:
    from openpyxl import load_workbook
    values: set[str] = set()
    for f in sorted([*home.glob("inbox/*/*.xlsx"), *home.glob("archive/*/*.xlsx")]):
        try:
            wb = load_workbook(f, read_only=True)
        except Exception:
            continue
        if "Kontakt" in wb.sheetnames:
            for row in wb["Kontakt"].iter_rows(values_only=True):  # question | answer | unit | help
                if len(row) > 1 and isinstance(row[0], str) and row[0] != "Frage" and row[1] is not None:
                    if len(str(row[1]).strip()) >= 6:
                        values.add(str(row[1]).strip())
        wb.close()
    return values


def search(home: Path, values: set[str]) -> dict[str, int]:
    needles = [v.encode() for v in values]
    hits: dict[str, int] = {}
    for f in sorted(p for p in home.rglob("*") if p.is_file() and not p.is_symlink()):
        blobs = [f.read_bytes()]
        if blobs[0][:2] == b"PK":
            try:
                with zipfile.ZipFile(f) as z:
                    blobs += [z.read(i) for i in z.infolist()]
            except Exception:
                pass
        n = sum(1 for v in needles if any(v in b for b in blobs))
        if n:
            hits[f.relative_to(home).as_posix()] = n
    return hits


if __name__ == "__main__":
    cmd, home, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if cmd == "collect":
        vals = collect(home)
        out.write_text("\n".join(sorted(vals)) + "\n", encoding="utf-8")
        print(f"{len(vals)} contact values")
    else:
        vals = {v for v in out.read_text(encoding="utf-8").splitlines() if v}
        hits = search(home, vals)
        for k, n in hits.items():
            print(f"{n:5d}  {k}")
        print(f"{len(vals)} values searched; {len(hits)} files with hits; "
              f"{sum(hits.values())} (file, value) hits")
