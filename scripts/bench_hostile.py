"""The cost of one hostile file within the safety limits (issue 13): a rejected workbook whose
sheets hold megabytes of XML. Its check report must cost at most 2 s and 200 MB more than
reading it; above `COPY_BUDGET_BYTES` of sheet XML the report is the findings sheet alone.

    python scripts/bench_hostile.py [--mb 2.9 22]     (make bench runs it after bench.py)

For each size: builds the workbook (the real template, one wrong value, plus an extra sheet of
small numeric cells), then in a fresh process each: reading it as the ingest does
(sources.workbook.read_workbook) and writing its check report (read + report workbook).
Prints seconds and peak RSS of both and the difference. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from mint_census.sources.workbook import read_workbook
path, mode, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
t0 = time.perf_counter()
wb = read_workbook(path)
if mode == "report":
    from mint_census.publications.checkreports.report_workbook import ReportInfo, write_report_workbook
    write_report_workbook(out, ReportInfo(2025, path.name, wb.network_id, "rejected", 1, 0), wb.findings, path)
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def hostile_workbook(path: Path, sheet_mb: float) -> Path:
    """The 2025 template for MR-001 with a wrong founding year and an extra sheet of ~sheet_mb MB XML."""
    from openpyxl import load_workbook

    from mint_census.schemas.template import write_workbook
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.answers import full_answers, tweak

    write_workbook(path, 2025, "MR-001", tweak(full_answers(2025), founded_year="irgendwann"))
    wb = load_workbook(path)
    ws = wb.create_sheet("Anlage")
    rnd = random.Random(13)
    cells = int(sheet_mb * 1e6 / 37)  # about 37 bytes of XML per small numeric cell
    cols = 50
    for _ in range(cells // cols):
        ws.append([rnd.randint(0, 99999) for _ in range(cols)])
    wb.save(path)
    return path


def sheet_mb(path: Path) -> float:
    with zipfile.ZipFile(path) as z:
        return sum(i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/")) / 1e6


def run(path: Path, mode: str, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, str(out)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(sizes: list[float]) -> list[dict]:
    from mint_census.publications.checkreports.report_workbook import COPY_BUDGET_BYTES
    from mint_census.sources.safety import inspect_file

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            path = hostile_workbook(Path(tmp) / f"hostile_{mb}.xlsx", mb)
            assert not inspect_file(path), "the hostile file must be within the safety limits"
            read = run(path, "read", Path(tmp) / "r.xlsx")
            report = run(path, "report", Path(tmp) / "r.xlsx")
            rows.append({"sheet_xml_mb": round(sheet_mb(path), 1), "file_mb": round(path.stat().st_size / 1e6, 1),
                         "copy": sheet_mb(path) * 1e6 <= COPY_BUDGET_BYTES,
                         "read_s": read["seconds"], "read_rss_mb": read["rss_mb"],
                         "report_s": report["seconds"], "report_rss_mb": report["rss_mb"]})
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, nargs="+", default=[0.75, 22.0],
                    help="sheet XML sizes in MB (default: just under the copy budget, and 22 MB)")
    args = ap.parse_args(argv)
    print("hostile file within the limits: check report vs reading (budget: +2 s, +200 MB)")
    for r in measure(args.mb):
        extra_s, extra_mb = r["report_s"] - r["read_s"], r["report_rss_mb"] - r["read_rss_mb"]
        print(f"  sheet XML {r['sheet_xml_mb']:5.1f} MB (file {r['file_mb']} MB, "
              f"{'marked copy' if r['copy'] else 'findings sheet only'}): read {r['read_s']:.2f} s / "
              f"{r['read_rss_mb']:.0f} MB, read+report {r['report_s']:.2f} s / {r['report_rss_mb']:.0f} MB "
              f"-> +{extra_s:.2f} s, +{extra_mb:.0f} MB {'ok' if extra_s <= 2 and extra_mb <= 200 else 'OVER'}")


if __name__ == "__main__":
    main()
