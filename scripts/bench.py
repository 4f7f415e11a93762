"""Benchmark of the ingest: per-workbook cost of ours vs the floor vs a naive baseline.

    python scripts/bench.py [--n 2000] [--keep DIR]

Generates N filled survey workbooks (distinct networks), then times
  ours  : flows.steps.ingest_year, the wiring the ingest flow runs (without Prefect):
          read (python-calamine) + typing + one pandera call per sheet type + rules
          + archive and load into a fresh DuckDB warehouse + check reports and overview;
  floor : reading every sheet of every file with python-calamine alone, nothing else;
  naive : pandas.read_excel(engine="openpyxl") per sheet + one pandera call per workbook.
Prints seconds, ms per workbook and the ratios. Asserts nothing: numbers, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path


import pandas as pd
import pandera.pandas as pa
import python_calamine

from mint_census.flows.home import Home
from mint_census.flows.steps import ingest_batch
from mint_census.schemas import questionnaire as q
from mint_census.schemas.sheets import schema_for
from mint_census.schemas.template import write_workbook
from mint_census.sources.demo import make_answers, make_register
from mint_census.sources.reference import load_reference, resolve_reference_dir
from mint_census.sources.register import write_register

YEAR = 2025


def generate(n: int, inbox: Path, home: Path, ref) -> None:
    import random

    register = make_register(seed=7, reference=ref, last_year=YEAR)
    rows = register.to_dict("records")
    rng = random.Random(7)
    ids = []
    big = []
    for i in range(n):
        base = rows[i % len(rows)]
        nid = f"MR-{1000 + i:04d}"
        answers = make_answers(base, YEAR, rng)
        answers.form["network_id"] = nid
        write_workbook(inbox / f"wb_{i:05d}.xlsx", YEAR, nid, answers, fictitious=True)
        ids.append(nid)
        big.append({**base, "network_id": nid})
    reg = pd.DataFrame(big, columns=register.columns)
    reg["successor_id"] = None
    reg["end_year"] = pd.array([None] * len(reg), dtype="Int64")
    reg["end_reason"] = None
    write_register(reg, Home(home).register)


def ours(inbox: Path, home: Path, ref) -> float:
    t0 = time.perf_counter()
    _summary, received = ingest_batch(Home(home), YEAR, inbox, ref)
    dt = time.perf_counter() - t0
    accepted = sum(r.status in ("accepted", "accepted_with_warnings") for r in received)
    print(f"  ours: {accepted}/{len(received)} accepted")
    return dt


def floor(inbox: Path) -> float:
    t0 = time.perf_counter()
    for p in sorted(inbox.iterdir()):
        book = python_calamine.CalamineWorkbook.from_path(str(p))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        book.close()
    return time.perf_counter() - t0


def naive(inbox: Path, limit: int) -> tuple[float, int]:
    """pandas + openpyxl per sheet, one pandera call per workbook (timed on `limit` files)."""
    lay = q.layout_for_year(YEAR)
    schema = schema_for(q.S_PART, YEAR)
    files = sorted(inbox.iterdir())[:limit]
    t0 = time.perf_counter()
    for p in files:
        sheets = pd.read_excel(p, sheet_name=None, engine="openpyxl", header=None)
        part = sheets[q.S_PART]
        row = {}
        for place in lay.fields_of(q.S_PART):
            row[place.field.key] = part.iat[place.row - 1, place.col - 1]
        df = pd.DataFrame([row]).astype("Int64")
        df["_census_year"] = pd.array([YEAR], dtype="Int64")
        try:
            schema.validate(df, lazy=True)
        except pa.errors.SchemaErrors:
            pass
    return time.perf_counter() - t0, len(files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="number of workbooks (default 2000)")
    ap.add_argument("--naive-sample", type=int, default=200,
                    help="files the (slow) naive baseline is timed on; its per-file cost is extrapolated")
    ap.add_argument("--keep", default=None, help="keep the generated files in this directory")
    args = ap.parse_args()
    ref = load_reference(resolve_reference_dir())
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mint-bench-"))
    home, inbox = work / "home", work / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if not any(inbox.iterdir()):
        generate(args.n, inbox, home, ref)
    n = len(list(inbox.iterdir()))
    print(f"{n} workbooks ready in {time.perf_counter() - t0:.1f} s ({work})")
    floor(inbox)  # warm the page cache so that every contender reads from memory
    t_floor = floor(inbox)
    t_ours = ours(inbox, home, ref)
    t_naive, k = naive(inbox, min(args.naive_sample, n))
    per = {"floor (calamine read only)": t_floor / n, "ours (read+validate+load)": t_ours / n,
           "naive (pandas/openpyxl + pandera per file)": t_naive / k}
    print()
    for name, s in per.items():
        print(f"  {name:45s} {s * 1000:8.2f} ms/workbook")
    print()
    print(f"  ours / floor  = {per['ours (read+validate+load)'] / per['floor (calamine read only)']:.2f}x")
    print(f"  naive / ours  = {per['naive (pandas/openpyxl + pandera per file)'] / per['ours (read+validate+load)']:.2f}x"
          f"  (naive timed on {k} files)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
