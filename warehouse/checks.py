"""`check-warehouse`: invariants of the private warehouse and the archive.

`check_warehouse(warehouse, archive_dir, published_dir)` opens the warehouse read-only and
returns one line per breach (an empty list means every invariant holds):

1. every `core` row traces to an archived file (core.networks.source_sha256 -> a loaded
   submission whose archived file exists, or a retention record) or, for the register,
   is the register; every detail row has its core.networks row;
2. no network is counted twice in a year (pub.network_years, core.networks, loaded
   submissions);
3. counts in `pub` equal a recount of the counted network-years (pub.network_years, where the
   counting rule lives): growth, per Land, and networks with survey answers;
4. the archive's hashes match its files (every file named by its SHA-256, and every
   submission's archive_path; files removed by retention are recorded in meta.retention);
5. no personal value of private.contacts occurs anywhere in published/ (snapshots,
   Parquet files, manifests).

The queries are warehouse/sql/checks/<name>.sql; values go in as parameters.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from . import ddl
from .archive import archived, sha256_file
from .damage import WarehouseDamaged, damaged_message
from .lock import WarehouseBusy, busy_message
from .sqlfiles import load
from .sqltext import quote_literal, with_identifiers


def _check(name: str) -> str:
    return load(f"checks/{name}")


def _has(con, schema: str, name: str) -> bool:
    return bool(con.execute(_check("object_exists"), [schema, name]).fetchone()[0])


def check_warehouse(warehouse: Path, archive_dir: Path, published_dir: Path | None = None,
                    lock_file: Path | None = None) -> list[str]:
    """One line per breached invariant (empty: all hold). With `published_dir`, also scan the
    researchers' directory for any personal value held in private.contacts."""
    path = Path(warehouse)
    if not path.is_file():
        return [f"no warehouse at {path}"]
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(busy_message(lock_file) if lock_file else
                                "another run holds the warehouse; try again when it has finished") from None
        raise WarehouseDamaged(damaged_message(path, exc)) from None
    except duckdb.Error as exc:
        raise WarehouseDamaged(damaged_message(path, exc)) from None
    archive_dir = Path(archive_dir)
    try:
        problems = _trace(con, archive_dir) + _twice(con) + _pub_counts(con) + _archive(con, archive_dir)
    except (duckdb.IOException, duckdb.InternalException, duckdb.SerializationException) as exc:
        raise WarehouseDamaged(damaged_message(path, exc)) from None
    finally:
        con.close()
    if published_dir is not None:
        problems += [f"personal data in {Path(published_dir).name}/: {p}"
                     for p in scan_published(published_dir, personal_values(path))]
    return problems


def _rows(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def _redacted(con) -> set[str]:
    if not _has(con, "meta", "retention"):
        return set()
    return {r[0] for r in _rows(con, _check("retained_files"))}


def _trace(con, archive_dir: Path) -> list[str]:
    out = []
    redacted = _redacted(con)
    for nid, year, sha in _rows(con, _check("networks_without_submission")):
        out.append(f"core.networks {nid} {year}: source file {sha} is not a loaded submission")
    for nid, year, sha, rel in _rows(con, _check("networks_archive_paths")):
        if sha not in redacted and (rel is None or not archived(archive_dir, rel).is_file()):
            out.append(f"core.networks {nid} {year}: archived file {rel} is missing")
    for nid, year in _rows(con, _check("networks_not_in_register")):
        out.append(f"core.networks {nid} {year}: network is not in the register")
    for t in ddl.sheet_tables():
        if t.qualified == "core.networks":
            continue
        sql = with_identifiers(_check("detail_rows_without_network"), detail_table=t.qualified)
        for nid, year, n in _rows(con, sql):
            out.append(f"{t.qualified} {nid} {year}: {n} row(s) without a core.networks row (no source file)")
    return out


def _twice(con) -> list[str]:
    out = []
    for year, nid, n in _rows(con, _check("network_years_twice")):
        out.append(f"pub.network_years {year}: network {nid} counted {n} times")
    for year, nid, n in _rows(con, _check("networks_twice")):
        out.append(f"core.networks {year}: network {nid} has {n} rows")
    for year, nid, n in _rows(con, _check("loaded_files_twice")):
        out.append(f"meta.submissions {year}: network {nid} has {n} different loaded files")
    for nid, n in _rows(con, _check("register_twice")):
        out.append(f"core.register: network {nid} appears {n} times")
    return out


def _pub_counts(con) -> list[str]:
    """Counts in pub against a recount of pub.network_years, the one place of the counting rule."""
    out = []
    for year, n, recounted in _rows(con, _check("growth_recounted")):
        out.append(f"pub.growth {year}: networks = {n}, recounted from pub.network_years: {recounted}")
    if _has(con, "pub", "networks_by_land"):
        for year, land, n, recounted in _rows(con, _check("networks_by_land_recounted")):
            out.append(f"pub.networks_by_land {year} {land}: networks = {n}, recounted from pub.network_years: "
                       f"{recounted}")
    for year, n, surveyed in _rows(con, _check("survey_answers_recounted")):
        out.append(f"pub.network_years {year}: {surveyed} networks with survey answers, "
                   f"core.networks has {n} (answers from networks not counted that year?)")
    return out


def _archive(con, archive: Path) -> list[str]:
    out = []
    redacted = _redacted(con)
    seen: set[str] = set()
    if archive.is_dir():
        for f in sorted(p for p in archive.rglob("*") if p.is_file()):
            name = f.name.split(".")[0]
            if len(name) != 64:
                continue  # temporary or foreign files are not archive entries
            seen.add(name)
            if sha256_file(f) != name:
                out.append(f"archive {archive.name}/{f.relative_to(archive).as_posix()}: "
                           "content does not match its SHA-256 name")
    for sha, rel in _rows(con, _check("submission_archive_paths")):
        if sha in redacted:
            continue
        if rel is None or not archived(archive, rel).is_file():
            out.append(f"meta.submissions: archived file {rel} ({sha[:12]}…) is missing")
        elif Path(rel).name.split(".")[0] != sha:
            out.append(f"meta.submissions: archive path {rel} does not carry the file's hash {sha[:12]}…")
    return out


def personal_values(warehouse: Path) -> set[str]:
    """Every contact name, e-mail address and phone number in private.contacts."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(_check("personal_values")).fetchall()
    finally:
        con.close()
    return {str(v) for r in rows for v in r if v is not None and len(str(v)) >= 4}


def scan_published(published_dir: Path, values: set[str]) -> list[str]:
    """Lines for every place in the researchers' directory where a personal value occurs: every
    table of every snapshot database (all columns as text), every Parquet file, and every other
    file's bytes. Paths are shown from the directory's own name on (`published/…`)."""
    pub = Path(published_dir)
    if not values or not pub.is_dir():
        return []
    needles = sorted(values)
    pattern = "|".join(re.escape(v) for v in needles)
    out: list[str] = []

    def hits(rows: list[tuple]) -> list[str]:
        return sorted({v for (text,) in rows for v in needles if v in text})

    con = duckdb.connect()
    try:
        for f in sorted(p for p in pub.rglob("*") if p.is_file()):
            rel = f"{pub.name}/{f.relative_to(pub).as_posix()}"
            if f.suffix == ".duckdb":
                con.execute(f"ATTACH {quote_literal(f.as_posix())} AS s (READ_ONLY)")
                try:
                    tables = con.execute(_check("snapshot_tables")).fetchall()
                    if any(s == "private" for s, _ in tables):
                        out.append(f"{rel}: has a private schema")
                    for s, t in tables:
                        sql = with_identifiers(_check("snapshot_table_hits"), snapshot_table=("s", s, t))
                        out += [f"{rel}: {s}.{t} contains {v!r}" for v in hits(_rows(con, sql, [pattern]))]
                finally:
                    con.execute("DETACH s")
            elif f.suffix == ".parquet":
                rows = _rows(con, _check("parquet_hits"), [f.as_posix(), pattern])
                out += [f"{rel} contains {v!r}" for v in hits(rows)]
            else:
                data = f.read_bytes()
                out += [f"{rel} contains {v!r}" for v in needles if v.encode("utf-8") in data]
    finally:
        con.close()
    return out
