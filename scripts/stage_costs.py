"""CPU cost per workbook of each stage of an ingest, one process, against the benchmark's floor.

    python scripts/stage_costs.py --files DIR --register CSV [--limit 2000] [--cores 2]
    python scripts/stage_costs.py --n 2000    # generates the benchmark's workbooks and register first

`make bench` times the command as a whole; this script says where a workbook's CPU time goes, so
that a target for the marginal cost can be checked against what the stages cost on their own.
Every stage runs the code the command runs (flows/steps.py), serially, timed as CPU time of this
process (time.process_time), after a warm-up chunk:

  floor      python-calamine reading the sheets the pipeline needs (scripts/bench.py's floor)
  safety     the byte-level safety check of every received file (sources/safety.inspect_file)
  reading    the rest of sources.workbook.read_workbook: SHA-256, calamine, labels, cells, formulas
             without a saved result
  checking   typing, pandera and the rules (steps.check_chunk, per chunk), then duplicates and
             statuses across the batch (steps.settle_batch)
  spilling   the chunk's raw cells to Parquet (warehouse.load.write_raw_part)
  archive    the copy of each file into the archive (warehouse.archive.archive_file)
  reports    the check reports (publications: the marked openpyxl copy), for the files with findings

Left out, so that the sum is a lower bound of what the command pays per workbook: the DuckDB load,
the overview workbook, Prefect, the pool's hand-over; of the check reports, the e-mail text beside
each workbook and the second safety check of the archived copy the command makes before opening it. With C cores used perfectly, the marginal
cost can be no lower than sum / C; the script prints that bound as a multiple of the floor.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

YEAR = 2025
CHUNK = 250


def cpu(fn, *args):
    t0 = time.process_time()
    result = fn(*args)
    return result, time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=Path, help="inbox with the workbooks (default: generate --n of them)")
    ap.add_argument("--register", type=Path, help="the register of the networks in --files (register.csv)")
    ap.add_argument("--n", type=int, default=2000, help="workbooks to generate when --files is not given")
    ap.add_argument("--limit", type=int, default=0, help="time only the first LIMIT files")
    ap.add_argument("--cores", type=int, default=2, help="cores for the bound (default 2)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mint-census-stages-"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench  # the floor and the generated workbooks are the benchmark's

    inbox, register = args.files, args.register
    if inbox is None:
        inbox = work / "inbox"
        inbox.mkdir()
        register = work / "register.csv"
        bench.generate(args.n, inbox, register, bench.DISTINCT, workers=args.cores)
    elif register is None:
        ap.error("--files needs --register (without it every file is of an unknown network)")

    from mint_census.flows import steps
    from mint_census.publications.checkreports.report_workbook import ReportInfo, write_report_workbook
    from mint_census.schemas.frames import Context
    from mint_census.sources import batch, safety
    from mint_census.sources.register import read_register
    from mint_census.sources.uncached import wanted_part
    from mint_census.warehouse import load as loading
    from mint_census.warehouse.archive import archive_file

    files = sorted(p for p in inbox.iterdir() if p.suffix == ".xlsx")
    if args.limit:
        files = files[:args.limit]
    ref = steps.reference_data(None)
    networks = read_register(register)
    ctx = Context(kreis_land=ref.kreis_land(), register_ids=set(networks["network_id"]),
                  register_names=dict(zip(networks["network_id"], networks["network_name"])), previous={})

    def safety_scan(paths):
        for p in paths:
            safety.inspect_file(p, keep=safety.Kept(wanted=wanted_part))

    def archive(received, into):
        for r in received:
            archive_file(into, r.path, r.wb.sha256)

    def reports(received, into):
        for r in received:
            if r.findings:
                info = ReportInfo(YEAR, r.file_name, r.network_id, r.status, r.errors, r.warnings)
                write_report_workbook(into / f"{r.idx}.xlsx", info, r.findings, r.path)
        return sum(bool(r.findings) for r in received)

    # warm-up: imports, caches, the first pandera schemas
    warm = steps.read_files(files[:20], YEAR)
    steps.check_chunk(warm, YEAR, ctx)

    spent = dict.fromkeys(("floor", "safety", "read", "checking", "spilling", "archive", "reports"), 0.0)
    t_wall = time.perf_counter()
    received = []
    for start in range(0, len(files), CHUNK):  # chunk by chunk, as the ingest reads them
        paths = files[start:start + CHUNK]
        spent["floor"] += cpu(bench.floor_read, paths)[1]
        spent["safety"] += cpu(safety_scan, paths)[1]
        chunk, seconds = cpu(steps.read_files, paths, YEAR, start)
        spent["read"] += seconds
        spent["checking"] += cpu(steps.check_chunk, chunk, YEAR, ctx)[1]
        spent["spilling"] += cpu(loading.write_raw_part, chunk, YEAR, work / f"part-{start:07d}.parquet")[1]
        batch.release_cells(chunk)
        received += chunk
    # then, as the ingest does, duplicates and statuses across the whole batch, the archive, the reports
    spent["checking"] += cpu(steps.settle_batch, received)[1]
    (work / "archive").mkdir()
    spent["archive"] += cpu(archive, received, work / "archive")[1]
    (work / "reports").mkdir()
    with_report, spent["reports"] = cpu(reports, received, work / "reports")
    wall = time.perf_counter() - t_wall

    n = len(files)
    per = {k: v / n * 1000 for k, v in spent.items()}
    per["reading"] = per.pop("read") - per["safety"]
    fl = per.pop("floor")
    total = sum(per.values())
    print(f"{n} workbooks from {inbox}, {with_report} with a check report ({with_report / n:.1%}); "
          f"{wall:.0f} s; CPU time per workbook, one process:")
    print(f"  {'floor (bare calamine read)':34s} {fl:6.2f} ms")
    for k in ("safety", "reading", "checking", "spilling", "archive", "reports"):
        extra = f"  ({spent['reports'] / max(with_report, 1) * 1000:.0f} ms per report)" if k == "reports" else ""
        print(f"  {k:34s} {per[k]:6.2f} ms = {per[k] / fl:4.2f} x floor{extra}")
    print(f"  {'sum (no load, overview, Prefect)':34s} {total:6.2f} ms = {total / fl:4.2f} x floor")
    print(f"lower bound of the marginal cost on {args.cores} cores used perfectly: {total / args.cores:.2f} ms "
          f"= {total / args.cores / fl:.2f} x floor (target 1.5 x)")


if __name__ == "__main__":
    main()
