"""The researchers' snapshot: a read-only copy of the warehouse without personal data.

`write_snapshot(warehouse, out_dir, year)` writes, into the researchers' directory `out_dir`
(`<home>/published/`):

- `mint_census_<Y>.duckdb`: every table of `core` and `ref`, every view of `pub` (as a table,
  with the view's comments), `meta.data_dictionary` (without the private schema's rows),
  `meta.runs` and `meta.snapshot` (this manifest); rows up to census year Y. No `private`
  schema, no `raw` schema, no column flagged personal in the data dictionary.
- `parquet/<schema>.<table>.parquet` for every core, pub and ref table.
- `mint_census_<Y>.manifest.json`: tables, row counts, SHA-256 checksums, census year,
  build time, questionnaire versions, reference data dates, DuckDB storage version.

Everything is written under a temporary name in the same directory and then renamed
(os.replace), so a researcher never opens a half-written file; the previous snapshot stays
valid until the new one is in place, and a process that has the old file open keeps
reading it (POSIX; on Windows the rename waits for nobody and fails while the old file is
open: close it first).

The private warehouse is opened read-only (DuckDB ATTACH ... READ_ONLY): the snapshot is
built from committed data only.
"""

from __future__ import annotations

import json
import os
import stat
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

from . import lock
from .archive import sha256_file
from .sqltext import quote_ident as _ident
from .sqltext import quote_literal as _q

# Storage format of the snapshot file. v1.0.0 is DuckDB's storage format 64, read by every
# DuckDB from 0.10.3 through 1.5 and 2.0 (CLI, Python, R, JDBC/DBeaver). 0.10.0-0.10.2 use the
# same storage format but cannot read the column comments ("Failed to deserialize: field id
# mismatch"; tests/test_release.py opens a release with 0.10.3). A newer format would compress
# a little better but lock out researchers on an older DuckDB.
STORAGE_VERSION = "v1.0.0"
READABLE_BY = "DuckDB 0.10.3 or newer (every 1.x release, and 2.x)"
EXPORT_SCHEMAS = ("core", "ref", "pub")
META_TABLES = ("data_dictionary", "runs")
FICTITIOUS_NOTICE = "Beispieldaten — fiktiv"


class SnapshotError(ValueError):
    """The snapshot cannot be written (no warehouse, unknown census year)."""


@dataclass
class TableInfo:
    name: str          # schema.table
    kind: str          # table or view (in the warehouse)
    rows: int
    columns: int
    parquet: str | None = None
    parquet_sha256: str | None = None


@dataclass
class Manifest:
    census_year: int
    database: str
    database_sha256: str
    database_bytes: int
    storage_version: str
    readable_by: str
    built_at: str
    build_seconds: float
    duckdb_version: str
    questionnaire_versions: dict[str, list[str]]
    reference: dict[str, str]
    dropped_personal_columns: list[str]
    tables: list[TableInfo] = field(default_factory=list)
    release: str | None = None     # release id <census year>.<edition> (warehouse/release.py)
    fictitious: bool = False       # the demo census: every value invented
    notice: str = ""               # "Beispieldaten — fiktiv" for the demo

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    def lines(self, out_dir: Path | None = None) -> list[str]:
        """What the CLI prints (paths in `out_dir`, the directory the snapshot was written to)."""
        where = Path(out_dir) if out_dir is not None else Path("published")
        return [f"snapshot {self.census_year}: {where / self.database} ({self.database_bytes / 1e6:.1f} MB, "
                f"{len(self.tables)} tables, storage {self.storage_version}: {self.readable_by}, "
                f"{self.build_seconds:.1f} s)",
                f"  parquet: {where / 'parquet'} ({sum(1 for t in self.tables if t.parquet)} files)",
                f"  manifest: {where / f'mint_census_{self.census_year}.manifest.json'}"]

    @property
    def row_counts(self) -> dict[str, int]:
        return {t.name: t.rows for t in self.tables}


def snapshot_path(out_dir: Path, year: int) -> Path:
    return Path(out_dir) / f"mint_census_{year}.duckdb"


def manifest_path(out_dir: Path, year: int) -> Path:
    return Path(out_dir) / f"mint_census_{year}.manifest.json"



def _replace(tmp: Path, final: Path) -> None:
    """Atomic rename over a previous (read-only) file."""
    if os.name == "nt" and final.exists():  # pragma: no cover - Windows refuses to replace read-only files
        os.chmod(final, stat.S_IWRITE | stat.S_IREAD)
    os.replace(tmp, final)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _remove_stale_temporaries(out: Path, older_than_s: float = 3600) -> None:
    """Temporary files left by a snapshot that was killed (not those of one running now)."""
    now = time.time()
    for t in [*out.glob(".*.tmp"), *out.glob(".*.tmp.wal"), *out.glob("parquet/.*.tmp")]:
        try:
            if now - t.stat().st_mtime > older_than_s:
                if os.name == "nt":  # pragma: no cover
                    os.chmod(t, stat.S_IWRITE | stat.S_IREAD)
                t.unlink()
        except OSError:
            pass


def _objects(con) -> list[tuple[str, str, str, str | None]]:
    schemas = ", ".join(_q(s) for s in EXPORT_SCHEMAS)
    return con.execute(f"""
        SELECT schema_name, table_name, 'table', comment FROM duckdb_tables()
         WHERE database_name = 'w' AND schema_name IN ({schemas})
        UNION ALL
        SELECT schema_name, view_name, 'view', comment FROM duckdb_views()
         WHERE database_name = 'w' AND schema_name IN ({schemas}) AND NOT internal
        UNION ALL
        SELECT schema_name, table_name, 'table', comment FROM duckdb_tables()
         WHERE database_name = 'w' AND schema_name = 'meta' AND table_name IN ({", ".join(map(_q, META_TABLES))})
        ORDER BY 1, 2
    """).fetchall()


def _personal_columns(con) -> set[str]:
    keys = {f.key for f in q.FIELDS if f.personal}
    try:
        keys |= {r[0] for r in con.execute(
            "SELECT DISTINCT column_name FROM w.meta.data_dictionary WHERE is_personal").fetchall()}
    except duckdb.Error:
        pass
    return keys


def _row_filter(schema: str, table: str, cols: list[str], year: int) -> tuple[str, list]:
    """WHERE clause (with its parameters) keeping the rows up to census year `year`."""
    if "census_year" in cols:
        return " WHERE census_year <= ?", [int(year)]
    if (schema, table) == ("core", "register"):
        return " WHERE first_census_year <= ?", [int(year)]
    if (schema, table) == ("core", "register_history"):
        return " WHERE valid_from_year <= ?", [int(year)]
    if (schema, table) == ("meta", "data_dictionary"):
        return " WHERE table_schema IN ('core', 'ref', 'pub', 'meta') AND NOT is_personal", []
    return "", []


def _parquet_metadata(schema: str, name: str, comment: str | None, cols: list[tuple[str, str | None]],
                      year: int, release: str | None, notice: str) -> str:
    """KV_METADATA of a Parquet file: table and column descriptions, release, the demo notice."""
    kv = {"mint_census.table": f"{schema}.{name}", "mint_census.description": comment or "",
          "mint_census.columns": json.dumps({c: cm or "" for c, cm in cols}, ensure_ascii=False),
          "mint_census.census_year": str(year), "mint_census.release": release or "",
          "mint_census.notice": notice}
    return "{" + ", ".join(f"{_q(k)}: {_q(v)}" for k, v in kv.items()) + "}"


def write_snapshot(warehouse: Path, out_dir: Path, year: int, *, lock_file: Path | None = None,
                   storage_version: str = STORAGE_VERSION, parquet: bool = True,
                   release: str | None = None, fictitious: bool = False) -> Manifest:
    """Build the researchers' snapshot of census year `year` from the private `warehouse`
    into `out_dir`; return its manifest. `lock_file` names the writer lock (for the message
    when a writer holds the warehouse). `release` is the release id, `fictitious` marks the
    demo census ("Beispieldaten — fiktiv" in the manifest, meta.snapshot and every Parquet file)."""
    notice = FICTITIOUS_NOTICE if fictitious else ""
    t0 = time.perf_counter()
    src = Path(warehouse)
    if not src.is_file():
        raise SnapshotError(f"no warehouse at {src}: run `mint-census ingest` first")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out)
    final = snapshot_path(out, year)
    tmp = out / f".{final.name}.{uuid.uuid4().hex}.tmp"
    pq_dir = out / "parquet"
    pq_tmp: dict[Path, Path] = {}
    con = duckdb.connect()
    try:
        try:
            con.execute(f"ATTACH {_q(str(src))} AS w (READ_ONLY)")
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise lock.WarehouseBusy(lock.busy_message(lock_file) if lock_file else
                                         "another run holds the warehouse; try again when it has finished") from None
            raise
        years = {r[0] for r in con.execute("SELECT census_year FROM w.pub.census_years").fetchall()}
        if year not in years:
            raise SnapshotError(f"census year {year} is not in the warehouse (years: "
                                f"{min(years) if years else '-'}..{max(years) if years else '-'})")
        personal = _personal_columns(con)
        con.execute(f"ATTACH {_q(str(tmp))} AS snap (STORAGE_VERSION {_q(storage_version)})")
        tables: list[TableInfo] = []
        dropped: list[str] = []
        for schema in ("core", "ref", "pub", "meta"):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS snap.{schema}")
        for schema, name, kind, comment in _objects(con):
            cols = con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'w' AND schema_name = ? "
                "AND table_name = ? ORDER BY column_index", [schema, name]).fetchall()
            keep = [(c, cm) for c, cm in cols if c not in personal]
            dropped += [f"{schema}.{name}.{c}" for c, _ in cols if c in personal]
            select = ", ".join(_ident((c,)) for c, _ in keep)
            where, params = _row_filter(schema, name, [c for c, _ in keep], year)
            con.execute(f"CREATE TABLE snap.{schema}.{name} AS SELECT {select} FROM w.{schema}.{name}{where}",
                        params)
            if comment:
                con.execute(f"COMMENT ON TABLE snap.{schema}.{name} IS {_q(comment)}")
            for c, cm in keep:
                if cm:
                    con.execute(f"COMMENT ON COLUMN snap.{schema}.{name}.{_ident((c,))} IS {_q(cm)}")
            rows = con.execute(f"SELECT count(*) FROM snap.{schema}.{name}").fetchone()[0]
            info = TableInfo(f"{schema}.{name}", kind, rows, len(keep))
            if parquet and schema in EXPORT_SCHEMAS:
                pq_dir.mkdir(exist_ok=True)
                target = pq_dir / f"{schema}.{name}.parquet"
                t = pq_dir / f".{target.name}.{uuid.uuid4().hex}.tmp"
                kv = _parquet_metadata(schema, name, comment, keep, year, release, notice)
                con.execute(f"COPY snap.{schema}.{name} TO {_q(str(t))} "
                            f"(FORMAT parquet, COMPRESSION zstd, KV_METADATA {kv})")
                pq_tmp[t] = target
                info.parquet = f"parquet/{target.name}"
                info.parquet_sha256 = sha256_file(t)
            tables.append(info)
        versions = {str(y): sorted(v) for y, v in con.execute(
            "SELECT census_year, list(DISTINCT template_version) FROM snap.core.networks GROUP BY 1 ORDER BY 1"
        ).fetchall()}
        reference = _reference_info(con)
        manifest = Manifest(
            census_year=year, database=final.name, database_sha256="", database_bytes=0,
            storage_version=storage_version, readable_by=READABLE_BY,
            built_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), build_seconds=0.0,
            duckdb_version=duckdb.__version__, questionnaire_versions=versions, reference=reference,
            dropped_personal_columns=sorted(set(dropped)), tables=tables,
            release=release, fictitious=fictitious, notice=notice)
        con.execute("CREATE TABLE snap.meta.snapshot (key VARCHAR, value VARCHAR)")
        con.execute("COMMENT ON TABLE snap.meta.snapshot IS "
                    "'One row per manifest entry of this snapshot (census year, build time, versions, tables).'")
        con.execute("COMMENT ON COLUMN snap.meta.snapshot.key IS 'Manifest entry.'")
        con.execute("COMMENT ON COLUMN snap.meta.snapshot.value IS 'Its value (JSON for lists and objects).'")
        entries = {k: v for k, v in asdict(manifest).items() if k not in ("database_sha256", "database_bytes",
                                                                         "build_seconds")}
        n_dict = len(con.execute("SELECT * FROM snap.meta.data_dictionary LIMIT 0").description)
        con.executemany(f"INSERT INTO snap.meta.data_dictionary VALUES ({', '.join('?' * n_dict)})", [
            ("meta", "snapshot", "table", "One row per manifest entry of this snapshot.", i, c, "VARCHAR", None, d,
             None, None, None, None, False, "nie NULL")[:n_dict]
            for i, (c, d) in enumerate((("key", "Manifest entry (census_year, release, notice, tables, …)."),
                                        ("value", "Its value (JSON for lists and objects).")), 1)])
        con.executemany("INSERT INTO snap.meta.snapshot VALUES (?, ?)",
                        [(k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                         for k, v in entries.items()])
        con.execute("DETACH snap")
        con.execute("DETACH w")
    except BaseException:
        con.close()
        for t in [tmp, *pq_tmp]:
            t.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    _fsync(tmp)
    os.chmod(tmp, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
    _replace(tmp, final)
    for t, target in pq_tmp.items():
        os.chmod(t, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
        _replace(t, target)
    if parquet:  # parquet files of tables that no longer exist
        for old in pq_dir.glob("*.parquet"):
            if old not in pq_tmp.values():
                if os.name == "nt":  # pragma: no cover
                    os.chmod(old, stat.S_IWRITE | stat.S_IREAD)
                old.unlink()
    manifest.database_sha256 = sha256_file(final)
    manifest.database_bytes = final.stat().st_size
    manifest.build_seconds = round(time.perf_counter() - t0, 2)
    mtmp = out / f".{manifest_path(out, year).name}.{uuid.uuid4().hex}.tmp"
    mtmp.write_text(manifest.to_json() + "\n", encoding="utf-8")
    _replace(mtmp, manifest_path(out, year))
    return manifest


def _reference_info(con) -> dict[str, str]:
    kreise = con.execute("SELECT count(*) FROM snap.ref.kreise").fetchone()[0]
    info = {"laender": f"{con.execute('SELECT count(*) FROM snap.ref.laender').fetchone()[0]} Länder (ref.laender)"}
    if kreise:
        info.update({"kreise": f"{kreise} Kreise, Gebietsstand {voc.GEBIETSSTAND}",
                     "population": f"Destatis, {voc.POPULATION_DATE}; Zensus 2022 (15.05.2022)",
                     "credits": "; ".join(voc.REFERENCE_CREDITS)})
    else:
        info["kreise"] = "not loaded (no reference data at ingest)"
    return info
