"""The DuckDB warehouse: creating it, archiving received files, loading a year.

Loading a year is one transaction and idempotent: for every network whose workbook
was accepted, that network's rows of that year are replaced in every core table,
never duplicated; a rejected workbook leaves the earlier accepted rows in place.
Every received file is copied into archive/ under its content hash and recorded in
meta.submissions with its status; meta.runs is written last, so a run without a row
there did not finish (and, being one transaction, changed nothing).

One writer at a time: `connect()` for writing takes the writer lock (warehouse/lock.py),
a second writer gets WarehouseBusy("another run holds the warehouse since ..."). A run
killed in the middle leaves no trace in the warehouse: DuckDB discards the unfinished
transaction when the file is next opened, and the OS frees the lock with the process.
Archived files written before the transaction are content-addressed and harmless.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from mint_census.schemas.findings import ACCEPTED, WITH_WARNINGS
from mint_census.schemas.validation import SheetFrames
from mint_census.sources.batch import Received
from mint_census.sources.reference import Reference
from mint_census.sources.values import raw_text

from . import ddl
from .lock import WarehouseBusy, WriterLock, busy_message, hold  # noqa: F401 (re-exported)
from .views import view_ddl
from .views_research import research_view_ddl

log = logging.getLogger(__name__)

WAREHOUSE_FILE = "mint_census.duckdb"


def warehouse_path(home: Path) -> Path:
    return home / "warehouse" / WAREHOUSE_FILE


class WarehouseConnection:
    """A DuckDB connection to the private warehouse that holds the writer lock until closed.

    Everything else is delegated to the DuckDB connection, so callers use it as one.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, lock: WriterLock | None):
        self._con = con
        self._lock = lock

    def __getattr__(self, name):
        return getattr(self._con, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def duckdb(self) -> duckdb.DuckDBPyConnection:
        return self._con

    def close(self) -> None:
        try:
            self._con.close()
        finally:
            if self._lock is not None:
                lock, self._lock = self._lock, None
                lock.release()

    def __del__(self):  # a connection dropped without close() still releases the lock
        try:
            self.close()
        except Exception:
            pass


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


def connect(home: Path, read_only: bool = False, command: str | None = None) -> WarehouseConnection:
    """Open the private warehouse.

    Writers take the writer lock first (see warehouse/lock.py): a second writer, or a
    reader while a writer works, gets WarehouseBusy("another run holds the warehouse since
    ..."), never DuckDB's raw lock error.
    """
    home = Path(home)
    path = warehouse_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = None if read_only else WriterLock.acquire(home, command)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if lock is not None:
            lock.release()
        if _is_lock_error(exc):
            if lock is None:
                raise WarehouseBusy(busy_message(home)) from None
            m = re.search(r"\(PID (\d+)\)", str(exc))
            raise WarehouseBusy("another process has the warehouse open"
                                + (f" (pid {m.group(1)})" if m else "")
                                + "; try again when it has closed it") from None
        raise
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    wrapped = WarehouseConnection(con, lock)
    if not read_only:
        try:
            init(con)
        except BaseException:
            wrapped.close()
            raise
    return wrapped


def schema_fingerprint() -> str:
    """Fingerprint of every statement init() would run: equal fingerprints, equal schema."""
    text = "\n".join([*ddl.ddl(), *view_ddl(), *research_view_ddl()])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def init(con: duckdb.DuckDBPyConnection) -> None:
    """Create schemas, tables, comments, views and the data dictionary (idempotent).

    Skipped when meta.schema_version holds the current fingerprint: rebuilding costs about
    0.25 s and every writing connection would otherwise pay it.
    """
    fingerprint = schema_fingerprint()
    try:
        row = con.execute("SELECT fingerprint FROM meta.schema_version").fetchone()
        if row is not None and row[0] == fingerprint:
            return
    except duckdb.Error:
        pass  # a new or older warehouse: build it
    con.execute("BEGIN")
    con.execute("DROP TABLE IF EXISTS meta.data_dictionary")  # regenerated below, columns may change
    for stmt in ddl.ddl():
        con.execute(stmt)
    if con.execute("SELECT count(*) FROM ref.laender").fetchone()[0] == 0:
        con.executemany("INSERT INTO ref.laender VALUES (?,?,?)", list(voc.LAENDER))
    for stmt in view_ddl():
        con.execute(stmt)
    for stmt in research_view_ddl():
        con.execute(stmt)
    ddl.inherit_field_comments(con)
    rows = ddl.catalog_dictionary_rows(con)
    con.executemany(f"INSERT INTO meta.data_dictionary VALUES ({','.join('?' * len(rows[0]))})", rows)
    con.execute("DELETE FROM meta.schema_version")
    con.execute("INSERT INTO meta.schema_version VALUES (?, now()::TIMESTAMP)", [fingerprint])
    con.execute("COMMIT")


def load_reference(con, ref: Reference) -> None:
    con.execute("BEGIN")
    con.execute("DELETE FROM ref.laender")
    con.register("_laender", ref.laender)
    con.execute("INSERT INTO ref.laender BY NAME SELECT * FROM _laender")
    con.unregister("_laender")
    if ref.kreise is not None:
        con.execute("DELETE FROM ref.kreise")
        con.register("_kreise", ref.kreise)
        con.execute("INSERT INTO ref.kreise BY NAME SELECT * FROM _kreise")
        con.unregister("_kreise")
    con.execute("COMMIT")


REGISTER_ATTRS = ("network_name", "network_type", "land_code", "kreise", "founded_year", "first_census_year",
                  "end_year", "end_reason", "successor_id")


def load_register(con, register: pd.DataFrame) -> None:
    """Replace core.register by the staff's register and keep its history: every version of a
    network's entry that differs from the last one recorded goes to core.register_history
    (valid from the census year of the next load_year; see record_register_year)."""
    con.execute("BEGIN")
    con.execute("DELETE FROM core.register")
    con.register("_register", register)
    con.execute("INSERT INTO core.register BY NAME SELECT * FROM _register")
    con.unregister("_register")
    attrs = ", ".join(REGISTER_ATTRS)
    changed = " OR ".join(f"r.{a} IS DISTINCT FROM h.{a}" for a in REGISTER_ATTRS)
    con.execute(f"""
        INSERT INTO core.register_history (network_id, valid_from_year, recorded_at, {attrs})
        SELECT r.network_id, NULL, now()::TIMESTAMP, {", ".join("r." + a for a in REGISTER_ATTRS)}
        FROM core.register r
        LEFT JOIN (SELECT * FROM core.register_history
                   QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY recorded_at DESC) = 1) h
          USING (network_id)
        WHERE h.network_id IS NULL OR {changed}
    """)
    con.execute("COMMIT")


def record_register_year(con, year: int) -> None:
    """Register versions recorded since the last loaded year are valid from this census year
    (a version that differs within the same census year replaces the earlier one for it)."""
    con.execute("UPDATE core.register_history SET valid_from_year = ? WHERE valid_from_year IS NULL", [year])


# --- archive -----------------------------------------------------------------------

def archive_file(home: Path, src: Path, sha256: str) -> str:
    """Copy a received file into archive/ under its content hash; never overwrite.

    Returns the path relative to home. The archive keeps the bytes as received; the
    original name is recorded in meta.submissions.
    """
    suffix = "".join(c for c in src.suffix.lower() if c.isalnum() or c == ".")[:8] or ".bin"
    rel = Path("archive") / sha256[:2] / f"{sha256}{suffix}"
    dest = home / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    return rel.as_posix()


# --- from validated frames to core rows --------------------------------------------

def core_frames(frames: SheetFrames, received: list[Received]) -> dict[str, pd.DataFrame]:
    """Rows for each core/private table from the accepted workbooks of the batch."""
    ok = {r.idx: r for r in received if r.status in (ACCEPTED, WITH_WARNINGS)}
    out: dict[str, pd.DataFrame] = {}
    for sheet_name, df in frames.frames.items():
        sheet = q.SHEET_BY_NAME[sheet_name]
        part = df[df["_wb"].isin(list(ok))].copy()
        part["network_id"] = [ok[i].network_id for i in part["_wb"]]
        part["census_year"] = frames.year
        if sheet.kind == "table":
            part["row_no"] = part["_row"].astype("int64")
        if sheet_name == q.S_NET:
            part["template_version"] = [ok[i].wb.template_version for i in part["_wb"]]
            part["source_sha256"] = [ok[i].wb.sha256 for i in part["_wb"]]
        if sheet_name == q.S_AREA:
            part["kreis_code"] = part["kreis_code"].map(lambda c: voc.KREIS_SUCCESSORS.get(c, c))
            part = part.drop_duplicates(["_wb", "kreis_code"], keep="first")
        keys = [f.key for f in sheet.fields_in(frames.year) if f.key != "network_id"]
        lead = ["network_id", "census_year"] + (["row_no"] if sheet.kind == "table" else [])
        if sheet_name == q.S_NET:
            lead += ["template_version", "source_sha256"]
        out[sheet.table] = part[lead + keys].reset_index(drop=True)
    return out


def raw_rows(received: list[Received], year: int) -> pd.DataFrame:
    rows = []
    for r in received:
        for c in r.wb.cells:
            if q.FIELD_BY_KEY[c.field_key].personal:
                continue  # personal data only ever goes to private
            rows.append((year, r.network_id, r.wb.sha256, c.sheet, c.cell, c.field_key,
                         raw_text(c.value) if c.value is not None else None))
    return pd.DataFrame(rows, columns=["census_year", "network_id", "file_sha256", "sheet", "cell",
                                       "field_key", "value_text"])


# --- loading a year ----------------------------------------------------------------

@contextmanager
def transaction(con):
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")


def _insert(con, table: str, df: pd.DataFrame) -> None:
    if df.empty:
        return
    name = "_df_" + table.replace(".", "_")
    con.register(name, df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        con.unregister(name)


def load_year(con, home: Path, year: int, run_id: str, command: str, started_at: datetime,
              received: list[Received], frames: SheetFrames) -> dict:
    """Archive every received file and load the accepted ones, in one transaction."""
    archived = {r.idx: archive_file(home, r.path, r.wb.sha256) for r in received}
    tables = core_frames(frames, received)
    accepted_ids = sorted({r.network_id for r in received if r.status in (ACCEPTED, WITH_WARNINGS)})
    raw = raw_rows([r for r in received if r.network_id], year)
    subs = pd.DataFrame([{
        "run_id": run_id, "census_year": year, "network_id": r.network_id, "file_name": r.file_name,
        "file_sha256": r.wb.sha256, "file_size": r.wb.size, "archive_path": archived[r.idx],
        "received_at": r.received_at.replace(tzinfo=None), "template_version": r.wb.template_version,
        "status": r.status, "errors": r.errors, "warnings": r.warnings,
        "loaded": r.status in (ACCEPTED, WITH_WARNINGS)} for r in received])
    subs = subs.drop_duplicates(["run_id", "file_sha256"]) if not subs.empty else subs
    finds = pd.DataFrame([{
        "run_id": run_id, "census_year": year, "network_id": r.network_id, "file_sha256": r.wb.sha256,
        **{k: getattr(f, k) for k in ("severity", "code", "sheet", "cell", "field_key", "field_label",
                                      "found", "expected", "message_de", "message_en")}}
        for r in received for f in r.findings])
    with transaction(con):
        record_register_year(con, year)
        if accepted_ids:
            con.register("_ids", pd.DataFrame({"network_id": accepted_ids}))
            for t in ddl.sheet_tables():
                con.execute(f"DELETE FROM {t.qualified} WHERE census_year = ? AND network_id IN "
                            "(SELECT network_id FROM _ids)", [year])
            con.execute("UPDATE meta.submissions SET loaded = false WHERE census_year = ? AND network_id IN "
                        "(SELECT network_id FROM _ids)", [year])
            con.unregister("_ids")
        for table, df in tables.items():
            _insert(con, table, df)
        if not raw.empty:
            con.register("_rawkeys", raw[["file_sha256"]].drop_duplicates())
            con.execute("DELETE FROM raw.cells WHERE census_year = ? AND file_sha256 IN "
                        "(SELECT file_sha256 FROM _rawkeys)", [year])
            con.unregister("_rawkeys")
            _insert(con, "raw.cells", raw)
        _insert(con, "meta.submissions", subs)
        _insert(con, "meta.findings", finds)
        summary = {
            "run_id": run_id, "command": command, "census_year": year,
            "started_at": started_at.replace(tzinfo=None),
            "finished_at": datetime.now(timezone.utc).replace(tzinfo=None),
            "files_received": len(received),
            "accepted": sum(r.status in (ACCEPTED, WITH_WARNINGS) for r in received),
            "rejected": sum(r.status == "rejected" for r in received),
            "findings": sum(len(r.findings) for r in received),
        }
        _insert(con, "meta.runs", pd.DataFrame([summary]))
    return summary


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
