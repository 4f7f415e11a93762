"""meta.assessments: the last assessment of each received file, for incremental re-ingest.

A re-ingest does not read or validate a file again when its content (SHA-256) and the inputs
of its assessment (`inputs_fingerprint`, computed by the flows: rule set, reference data,
register entry, previous-year answers) are unchanged: its earlier status and findings stand.
`earlier_assessments` returns what a re-ingest may reuse, with whether the warehouse still
holds that file's rows (core rows from this very file, its raw cells); `assessment_rows`
builds the rows that `load.load_year` writes in the same transaction as the load.
"""

from __future__ import annotations

import json
from typing import Sequence

import duckdb
import pandas as pd

from mint_census.schemas.findings import Finding

COLUMNS = ("census_year", "file_sha256", "inputs_fingerprint", "file_name", "network_id", "template_version",
           "status", "raw_cells", "findings_json", "run_id")


def earlier_assessments(con, year: int) -> dict[str, dict]:
    """file SHA-256 -> its last assessment in `year`, with `core_ok` (core.networks holds the rows of
    this file) and `raw_ok` (raw.cells holds as many rows of it as were written)."""
    try:
        rows = con.execute("""
            WITH raw AS (SELECT file_sha256, count(*) AS n FROM raw.cells WHERE census_year = ? GROUP BY ALL),
                 core AS (SELECT DISTINCT network_id, source_sha256 FROM core.networks WHERE census_year = ?)
            SELECT a.file_sha256, a.inputs_fingerprint, a.file_name, a.network_id, a.template_version, a.status,
                   a.findings_json, coalesce(raw.n, 0) = coalesce(a.raw_cells, 0) AS raw_ok,
                   core.source_sha256 IS NOT NULL AS core_ok
            FROM meta.assessments a
            LEFT JOIN raw ON raw.file_sha256 = a.file_sha256
            LEFT JOIN core ON core.network_id = a.network_id AND core.source_sha256 = a.file_sha256
            WHERE a.census_year = ?""", [year, year, year]).fetchall()
    except duckdb.CatalogException:  # a warehouse from before meta.assessments, opened read-only
        return {}
    out = {}
    for sha, fp, name, nid, version, status, findings, raw_ok, core_ok in rows:
        out[sha] = {"inputs_fingerprint": fp, "file_name": name, "network_id": nid, "template_version": version,
                    "status": status, "findings": [Finding(**f) for f in json.loads(findings or "[]")],
                    "raw_ok": bool(raw_ok), "core_ok": bool(core_ok)}
    return out


def assessment_rows(received: Sequence, year: int, run_id: str, raw_counts: dict[str, int]) -> pd.DataFrame:
    """One row per file read and assessed in this run (those carrying an `inputs_fingerprint`; files
    unchanged since their last assessment keep their row)."""
    rows = [{
        "census_year": year, "file_sha256": r.wb.sha256, "inputs_fingerprint": r.inputs_fingerprint,
        "file_name": r.file_name, "network_id": r.network_id, "template_version": r.wb.template_version,
        "status": r.status, "raw_cells": raw_counts.get(r.wb.sha256, 0),
        "findings_json": json.dumps([f.as_dict() for f in r.findings], ensure_ascii=False), "run_id": run_id}
        for r in received if getattr(r, "inputs_fingerprint", None) and not getattr(r, "unchanged", False)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.drop_duplicates(["census_year", "file_sha256"], keep="last")
