"""`check-warehouse`: invariants of the private warehouse and the archive.

`check_warehouse(home)` opens the warehouse read-only and returns one line per breach
(an empty list means every invariant holds):

1. every `core` row traces to an archived file (core.networks.source_sha256 -> a loaded
   submission whose archived file exists, or a retention record) or, for the register,
   is the register; every detail row has its core.networks row;
2. no network is counted twice in a year (pub.network_years, core.networks, loaded
   submissions);
3. counts in `pub` equal counts recomputed from `core` (growth, per Land);
4. the archive's hashes match its files (every file named by its SHA-256, and every
   submission's archive_path; files removed by retention are recorded in meta.retention);
5. no personal value of private.contacts occurs anywhere in published/ (snapshots,
   Parquet files, manifests).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb


from . import ddl
from .lock import WarehouseBusy, busy_message
from .archive import archived
from .archive import sha256_file as _file_sha256


def warehouse_path(home: Path) -> Path:  # TEMP: replaced by explicit paths after the SQL re-cut merges
    return Path(home) / "warehouse" / "mint_census.duckdb"

COUNT_RULE = ("r.first_census_year <= y.census_year AND (r.end_year IS NULL OR y.census_year < r.end_year)")




def _has(con, schema: str, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM (SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
        "SELECT schema_name, view_name FROM duckdb_views()) WHERE schema_name = ? AND table_name = ?",
        [schema, name]).fetchone()[0])


def check_warehouse(home: Path, published: bool = True) -> list[str]:
    """One line per breached invariant (empty: all hold). With `published`, also scan
    <home>/published/ for any personal value held in private.contacts."""
    home = Path(home)
    path = warehouse_path(home)
    if not path.is_file():
        return [f"no warehouse at {path}"]
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(busy_message(Path(home) / "warehouse" / "writer.lock")) from None
        raise
    try:
        problems = _trace(con, home) + _twice(con) + _pub_counts(con) + _archive(con, home)
    finally:
        con.close()
    if published:
        problems += [f"personal data in published/: {p}" for p in scan_published(home)]
    return problems


def _rows(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def _trace(con, home: Path) -> list[str]:
    out = []
    redacted = set()
    if _has(con, "meta", "retention"):
        redacted = {r[0] for r in _rows(con, "SELECT file_sha256 FROM meta.retention")}
    for nid, year, sha in _rows(con, """
            SELECT n.network_id, n.census_year, n.source_sha256 FROM core.networks n
            WHERE NOT EXISTS (SELECT 1 FROM meta.submissions s WHERE s.file_sha256 = n.source_sha256
                              AND s.network_id = n.network_id AND s.census_year = n.census_year AND s.loaded)
            ORDER BY 1, 2"""):
        out.append(f"core.networks {nid} {year}: source file {sha} is not a loaded submission")
    for nid, year, sha, rel in _rows(con, """
            SELECT n.network_id, n.census_year, n.source_sha256, min(s.archive_path) FROM core.networks n
            JOIN meta.submissions s ON s.file_sha256 = n.source_sha256 GROUP BY ALL ORDER BY 1, 2"""):
        if sha not in redacted and (rel is None or not archived(home / "archive", rel).is_file()):
            out.append(f"core.networks {nid} {year}: archived file {rel} is missing")
    for nid, year in _rows(con, """
            SELECT n.network_id, n.census_year FROM core.networks n
            LEFT JOIN core.register r USING (network_id) WHERE r.network_id IS NULL ORDER BY 1, 2"""):
        out.append(f"core.networks {nid} {year}: network is not in the register")
    for t in ddl.sheet_tables():
        if t.qualified == "core.networks":
            continue
        for nid, year, n in _rows(con, f"""
                SELECT d.network_id, d.census_year, count(*) FROM {t.qualified} d
                LEFT JOIN core.networks n USING (network_id, census_year)
                WHERE n.network_id IS NULL GROUP BY ALL ORDER BY 1, 2"""):
            out.append(f"{t.qualified} {nid} {year}: {n} row(s) without a core.networks row (no source file)")
    return out


def _twice(con) -> list[str]:
    out = []
    for year, nid, n in _rows(con, "SELECT census_year, network_id, count(*) FROM pub.network_years "
                                   "GROUP BY ALL HAVING count(*) > 1 ORDER BY 1, 2"):
        out.append(f"pub.network_years {year}: network {nid} counted {n} times")
    for year, nid, n in _rows(con, "SELECT census_year, network_id, count(*) FROM core.networks "
                                   "GROUP BY ALL HAVING count(*) > 1 ORDER BY 1, 2"):
        out.append(f"core.networks {year}: network {nid} has {n} rows")
    for year, nid, n in _rows(con, "SELECT census_year, network_id, count(DISTINCT file_sha256) "
                                   "FROM meta.submissions WHERE loaded GROUP BY ALL HAVING count(DISTINCT "
                                   "file_sha256) > 1 ORDER BY 1, 2"):
        out.append(f"meta.submissions {year}: network {nid} has {n} different loaded files")
    for nid, n in _rows(con, "SELECT network_id, count(*) FROM core.register GROUP BY ALL HAVING count(*) > 1"):
        out.append(f"core.register: network {nid} appears {n} times")
    return out


def _pub_counts(con) -> list[str]:
    out = []
    expected = dict(_rows(con, f"""
        SELECT y.census_year, count(DISTINCT r.network_id) FROM pub.census_years y
        LEFT JOIN core.register r ON {COUNT_RULE} GROUP BY 1"""))
    for year, n in _rows(con, "SELECT census_year, networks FROM pub.growth ORDER BY 1"):
        if expected.get(year) != n:
            out.append(f"pub.growth {year}: networks = {n}, recomputed from core.register: {expected.get(year)}")
    if _has(con, "pub", "networks_by_land"):
        by_land = dict(((y, l), n) for y, l, n in _rows(con, f"""
            SELECT y.census_year, r.land_code, count(DISTINCT r.network_id) FROM pub.census_years y
            JOIN core.register r ON {COUNT_RULE} GROUP BY 1, 2"""))
        for year, land, n in _rows(con, "SELECT census_year, land_code, networks FROM pub.networks_by_land"):
            if by_land.get((year, land), 0) != n:
                out.append(f"pub.networks_by_land {year} {land}: networks = {n}, recomputed from core.register: "
                           f"{by_land.get((year, land), 0)}")
    answered = dict(_rows(con, "SELECT census_year, count(*) FROM core.networks GROUP BY 1"))
    surveyed = dict(_rows(con, "SELECT census_year, count(*) FILTER (WHERE has_survey_answers) "
                               "FROM pub.network_years GROUP BY 1"))
    for year, n in answered.items():
        if surveyed.get(year, 0) != n:
            out.append(f"pub.network_years {year}: {surveyed.get(year, 0)} networks with survey answers, "
                       f"core.networks has {n} (answers from networks not counted that year?)")
    return out


def _archive(con, home: Path) -> list[str]:
    out = []
    archive = home / "archive"
    redacted = set()
    if _has(con, "meta", "retention"):
        redacted = {r[0] for r in _rows(con, "SELECT file_sha256 FROM meta.retention")}
    seen: set[str] = set()
    if archive.is_dir():
        for f in sorted(p for p in archive.rglob("*") if p.is_file()):
            name = f.name.split(".")[0]
            if len(name) != 64:
                continue  # temporary or foreign files are not archive entries
            seen.add(name)
            if _file_sha256(f) != name:
                out.append(f"archive {f.relative_to(home).as_posix()}: content does not match its SHA-256 name")
    for sha, rel in _rows(con, "SELECT DISTINCT file_sha256, archive_path FROM meta.submissions ORDER BY 2"):
        if sha in redacted:
            continue
        if rel is None or not archived(home / "archive", rel).is_file():
            out.append(f"meta.submissions: archived file {rel} ({sha[:12]}…) is missing")
        elif Path(rel).name.split(".")[0] != sha:
            out.append(f"meta.submissions: archive path {rel} does not carry the file's hash {sha[:12]}…")
    return out


def personal_values(home: Path) -> set[str]:
    """Every contact name, e-mail address and phone number in private.contacts."""
    con = duckdb.connect(str(warehouse_path(Path(home))), read_only=True)
    try:
        rows = con.execute("SELECT contact_name, contact_email, contact_phone FROM private.contacts").fetchall()
    finally:
        con.close()
    return {str(v) for r in rows for v in r if v is not None and len(str(v)) >= 4}


def scan_published(home: Path, values: set[str] | None = None) -> list[str]:
    """Lines for every place in published/ where a personal value occurs: every table of every
    snapshot database (all columns as text), every Parquet file, and every other file's bytes."""
    home = Path(home)
    values = personal_values(home) if values is None else values
    pub = home / "published"
    if not values or not pub.is_dir():
        return []
    needles = sorted(values)
    pattern = "|".join(re.escape(v) for v in needles)
    out: list[str] = []

    def hits(con, source: str) -> list[str]:
        rows = con.execute(f"SELECT CAST(x AS VARCHAR) FROM {source} x "
                           "WHERE regexp_matches(CAST(x AS VARCHAR), ?)", [pattern]).fetchall()
        return sorted({v for (text,) in rows for v in needles if v in text})

    con = duckdb.connect()
    try:
        for f in sorted(p for p in pub.rglob("*") if p.is_file()):
            rel = f.relative_to(home).as_posix()
            if f.suffix == ".duckdb":
                con.execute(f"ATTACH '{f.as_posix()}' AS s (READ_ONLY)")
                try:
                    tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                                         "WHERE database_name = 's'").fetchall()
                    if any(s == "private" for s, _ in tables):
                        out.append(f"{rel}: has a private schema")
                    for s, t in tables:
                        out += [f"{rel}: {s}.{t} contains {v!r}" for v in hits(con, f's."{s}"."{t}"')]
                finally:
                    con.execute("DETACH s")
            elif f.suffix == ".parquet":
                out += [f"{rel} contains {v!r}" for v in hits(con, f"read_parquet('{f.as_posix()}')")]
            else:
                data = f.read_bytes()
                out += [f"{rel} contains {v!r}" for v in needles if v.encode("utf-8") in data]
    finally:
        con.close()
    return out
