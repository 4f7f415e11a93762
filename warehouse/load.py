"""Loading a census year into the warehouse: one transaction, idempotent.

For every network whose workbook was accepted, that network's rows of the year are
replaced in every core table, never duplicated; a rejected workbook leaves the earlier
accepted rows in place. Every received file is recorded in meta.submissions with its
status and archive key, every finding in meta.findings; meta.runs is written last, so a
run without a row there did not finish (and, being one transaction, changed nothing).

The received files arrive as objects of the reading stage (sources.batch.Received); this
module only reads their attributes (see `ReceivedFile`), it does not import that stage.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Protocol, Sequence

import pandas as pd

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from mint_census.schemas.findings import ACCEPTED, NEW_NETWORK, REJECTED, WITH_WARNINGS
from mint_census.schemas.frames import SheetFrames

from . import ddl
from .archive import archive_file
from .assessments import assessment_rows
from .connection import transaction


class ReceivedFile(Protocol):
    """What loading needs of one received file."""
    idx: int
    path: Path
    file_name: str
    received_at: datetime
    status: str | None
    findings: list
    wb: Any          # .sha256, .size, .template_version, .cells (with .sheet/.cell/.field_key/.text)

    @property
    def network_id(self) -> str | None: ...

    @property
    def errors(self) -> int: ...

    @property
    def warnings(self) -> int: ...


def load_reference(con, laender: pd.DataFrame, kreise: pd.DataFrame | None) -> None:
    """Replace ref.laender (and ref.kreise when given) by the official reference data."""
    with transaction(con):
        con.execute("DELETE FROM ref.laender")
        con.register("_laender", laender)
        con.execute("INSERT INTO ref.laender BY NAME SELECT * FROM _laender")
        con.unregister("_laender")
        if kreise is not None:
            con.execute("DELETE FROM ref.kreise")
            con.register("_kreise", kreise)
            con.execute("INSERT INTO ref.kreise BY NAME SELECT * FROM _kreise")
            con.unregister("_kreise")


REGISTER_ATTRS = ("network_name", "network_type", "land_code", "kreise", "founded_year", "first_census_year",
                  "end_year", "end_reason", "successor_id")
EVENT_COLS = ("network_id", "event_no", "event_date", "census_year", "event", "previous", "successor_id", "note")


def loaded_register(con) -> str | None:
    """The digest of the register the warehouse holds (meta.register_loaded), None when unknown."""
    row = con.execute("SELECT max(digest) FROM meta.register_loaded").fetchone()
    return row[0] if row else None


def load_register(con, register: pd.DataFrame, events: pd.DataFrame | None = None,
                  history: pd.DataFrame | None = None, digest: str | None = None) -> None:
    """Replace core.register, core.register_events and core.register_history by the staff's
    register, its dated events and the versions derived from them (sources.register.events_of
    and .history; loading only stores what the reading stage derived). `digest`: what
    meta.register_loaded records for it (None: nothing, the next ingest loads the register again)."""
    with transaction(con):
        con.execute("DELETE FROM meta.register_loaded")
        if digest is not None:
            con.execute("INSERT INTO meta.register_loaded VALUES (?, now()::TIMESTAMP)", [digest])
        con.execute("DELETE FROM core.register")
        insert_frame(con, "core.register", register[list(("network_id",) + REGISTER_ATTRS)])
        con.execute("DELETE FROM core.register_events")
        if events is not None:
            insert_frame(con, "core.register_events", events[list(EVENT_COLS)])
        else:  # a register without events: admitted in first_census_year, ended in end_year
            con.execute("""
                INSERT INTO core.register_events (network_id, event_no, event_date, census_year, event, successor_id)
                SELECT network_id, 1, make_date(first_census_year, 1, 1), first_census_year, 'admitted', NULL
                FROM core.register WHERE first_census_year IS NOT NULL
                UNION ALL
                SELECT network_id, 2, make_date(end_year, 1, 1), end_year,
                       CASE WHEN end_reason = 'fusioniert' THEN 'merged' ELSE 'dissolved' END, successor_id
                FROM core.register WHERE end_year IS NOT NULL""")
        con.execute("DELETE FROM core.register_history")
        if history is not None:
            h = history.copy()
            h["recorded_at"] = datetime.now(timezone.utc).replace(tzinfo=None)
            insert_frame(con, "core.register_history", h)
        else:
            con.execute(f"""
                INSERT INTO core.register_history (network_id, valid_from_year, recorded_at, {", ".join(REGISTER_ATTRS)})
                SELECT network_id, first_census_year, now()::TIMESTAMP, {", ".join(REGISTER_ATTRS)}
                FROM core.register""")


def record_register_year(con, year: int) -> None:
    """Kept for callers of the first register format: versions without a year get this census year."""
    con.execute("UPDATE core.register_history SET valid_from_year = ? WHERE valid_from_year IS NULL", [year])


# --- from validated frames to core rows --------------------------------------------

def _loaded(r: ReceivedFile) -> bool:
    return r.status in (ACCEPTED, WITH_WARNINGS)


def core_frames(frames: SheetFrames, received: Sequence[ReceivedFile]) -> dict[str, pd.DataFrame]:
    """Rows for each core/private table from the accepted workbooks of the batch."""
    return dict(core_tables(frames, received))


def core_tables(frames: SheetFrames, received: Sequence[ReceivedFile]) -> Iterator[tuple[str, pd.DataFrame]]:
    """(table, rows) for each core/private table, one at a time (the load inserts each before the
    next is built, so that only one table's copy of the batch is in memory)."""
    ok = {r.idx: r for r in received if _loaded(r)}
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
        for key in keys:  # validated German labels -> the stable codes core stores (ref.vocabulary.key)
            if key in voc.FIELD_VOCABULARY:
                codes = part[key].map(lambda v, k=key: voc.to_code(k, v), na_action="ignore")
                part[key] = codes.astype(part[key].dtype)
        lead = ["network_id", "census_year"] + (["row_no"] if sheet.kind == "table" else [])
        if sheet_name == q.S_NET:
            lead += ["template_version", "source_sha256"]
        yield sheet.table, part[lead + keys].reset_index(drop=True)


RAW_COLUMNS = ("census_year", "network_id", "file_sha256", "sheet", "cell", "field_key", "value_text")


def raw_rows(received: Sequence[ReceivedFile], year: int) -> pd.DataFrame:
    """Every non-personal cell as read, with file hash and cell address (raw.cells)."""
    rows = []
    for r in received:
        for c in r.wb.cells:
            if q.FIELD_BY_KEY[c.field_key].personal:
                continue  # personal data only ever goes to private
            rows.append((year, r.network_id, r.wb.sha256, c.sheet, c.cell, c.field_key, c.text))
    return pd.DataFrame(rows, columns=list(RAW_COLUMNS))


class RawStaging:
    """The raw.cells rows of a batch, spilled to one Parquet file per chunk as the chunks are read
    (`write_raw_part`, wherever the chunk runs; `files` lists them in chunk order), so that an
    ingest keeps no raw cell in memory until the load (flat memory at any batch size).

    The directory lies in the private warehouse folder (raw cells hold no personal data, but
    they are the coordinators' answers) and is removed after the load (`remove`), also when the
    ingest fails. `load_year` inserts the files' rows in its one transaction.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.files: list[Path] = []

    def remove(self) -> None:
        """Remove this run's staging files, and the staging folder when no other run uses it."""
        import shutil
        shutil.rmtree(self.directory, ignore_errors=True)
        self.files = []
        try:
            self.directory.parent.rmdir()
        except OSError:
            pass  # another ingest's staging is still there (or the folder is gone already)


def write_raw_part(received: Sequence[ReceivedFile], year: int, path: Path) -> Path | None:
    """One Parquet file of a chunk's raw.cells rows (None when the chunk has none). Runs wherever
    the chunk is read (a worker process or a Dask worker, writing to the shared staging area)."""
    import duckdb

    frame = raw_rows(received, year)
    if frame.empty:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.register("_chunk", frame)
        con.execute("COPY (SELECT census_year::INTEGER AS census_year, network_id::VARCHAR AS network_id, "
                    "file_sha256::VARCHAR AS file_sha256, sheet::VARCHAR AS sheet, cell::VARCHAR AS cell, "
                    "field_key::VARCHAR AS field_key, value_text::VARCHAR AS value_text FROM _chunk) "
                    f"TO '{_sql_path(path)}' (FORMAT parquet)")
    finally:
        con.close()
    return path


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _stage_raw(con, received: Sequence[ReceivedFile], year: int, staged: RawStaging | None) -> None:
    """The view `_raw`: the raw.cells rows of this load — of files with a network ID or of a new
    network — from the staging files, or built from the received files' cells (`staged` None)."""
    keep = [r for r in received if r.network_id or r.status == NEW_NETWORK]
    if staged is None or not staged.files:
        frame = raw_rows(keep if staged is None else [], year)
        con.register("_raw_frame", frame)
        con.execute("CREATE OR REPLACE TEMP VIEW _raw AS SELECT * FROM _raw_frame")
        return
    con.register("_raw_files", pd.DataFrame({"file_sha256": sorted({r.wb.sha256 for r in keep})}, dtype=object))
    files = ", ".join(f"'{_sql_path(p)}'" for p in staged.files)
    con.execute(f"CREATE OR REPLACE TEMP VIEW _raw AS SELECT * FROM read_parquet([{files}]) "
                "WHERE file_sha256 IN (SELECT file_sha256 FROM _raw_files)")


def _unstage_raw(con) -> None:
    con.execute("DROP VIEW IF EXISTS _raw")
    for name in ("_raw_frame", "_raw_files"):
        try:
            con.unregister(name)
        except Exception:  # noqa: BLE001 - not registered in this load
            pass


# --- loading a year ----------------------------------------------------------------

def insert_frame(con, table: str, df: pd.DataFrame) -> None:
    """INSERT a DataFrame into a warehouse table by column name (nothing for an empty frame)."""
    if df.empty:
        return
    name = "_df_" + table.replace(".", "_")
    con.register(name, df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        con.unregister(name)


LOAD_MEMORY_LIMIT = "128MB"  # DuckDB's buffer pool during a load (it spills to <warehouse>.tmp beyond)

FINDING_FIELDS = ("severity", "code", "sheet", "cell", "field_key", "field_label", "found", "expected",
                  "message_de", "message_en")


def load_year(con, archive_dir: Path, year: int, run_id: str, command: str, started_at: datetime,
              received: Sequence[ReceivedFile], frames: SheetFrames, staged: RawStaging | None = None) -> dict:
    """Archive every received file and load the accepted ones, in one transaction. The raw cells
    come from `staged` (spilled while reading) or, without it, from the received files' cells."""
    archived = {r.idx: archive_file(archive_dir, r.path, r.wb.sha256) for r in received}
    accepted_ids = sorted({r.network_id for r in received if _loaded(r)})
    # Files unchanged since their last assessment (incremental re-ingest) were not read again: their
    # core rows and raw cells stay as loaded then; only their submission and findings are recorded anew.
    reloaded_ids = sorted({r.network_id for r in received if _loaded(r) and not getattr(r, "unchanged", False)})
    # DuckDB keeps what a transaction inserts in its buffer pool (80 % of RAM by default): 3.25
    # million raw cells of 10,000 workbooks took +230 MiB in one INSERT. A limit makes it write
    # finished blocks out instead, so the load's memory does not grow with the batch.
    con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'")
    _stage_raw(con, received, year, staged)
    raw_counts = dict(con.execute("SELECT file_sha256, count(*) FROM _raw GROUP BY file_sha256").fetchall())
    assessed = assessment_rows(received, year, run_id, raw_counts)
    subs = pd.DataFrame([{
        "run_id": run_id, "census_year": year, "network_id": r.network_id, "file_name": r.file_name,
        "file_sha256": r.wb.sha256, "file_size": r.wb.size, "archive_path": archived[r.idx],
        "received_at": r.received_at.replace(tzinfo=None), "template_version": r.wb.template_version,
        "status": r.status, "errors": r.errors, "warnings": r.warnings,
        "loaded": _loaded(r)} for r in received])
    subs = subs.drop_duplicates(["run_id", "file_sha256"]) if not subs.empty else subs
    finds = pd.DataFrame([{
        "run_id": run_id, "census_year": year, "network_id": r.network_id, "file_sha256": r.wb.sha256,
        **{k: getattr(f, k) for k in FINDING_FIELDS}}
        for r in received for f in r.findings])
    with transaction(con):
        record_register_year(con, year)
        if reloaded_ids:
            con.register("_ids", pd.DataFrame({"network_id": reloaded_ids}))
            for t in ddl.sheet_tables():
                con.execute(f"DELETE FROM {t.qualified} WHERE census_year = ? AND network_id IN "
                            "(SELECT network_id FROM _ids)", [year])
            con.unregister("_ids")
        if accepted_ids:
            con.register("_ids", pd.DataFrame({"network_id": accepted_ids}))
            # only the rows still marked: an ingest repeated all season would otherwise rewrite every
            # earlier run's rows of these networks each time (and DuckDB's checkpoint with them)
            con.execute("UPDATE meta.submissions SET loaded = false WHERE census_year = ? AND loaded AND network_id IN "
                        "(SELECT network_id FROM _ids)", [year])
            con.unregister("_ids")
        for table, df in core_tables(frames, received):
            insert_frame(con, table, df)
        if raw_counts:  # the files with raw cells are known from the count: no second scan of _raw
            con.register("_raw_loaded", pd.DataFrame({"file_sha256": list(raw_counts)}, dtype=object))
            con.execute("DELETE FROM raw.cells WHERE census_year = ? AND file_sha256 IN "
                        "(SELECT file_sha256 FROM _raw_loaded)", [year])
            con.unregister("_raw_loaded")
            if staged is None or not staged.files:
                con.execute("INSERT INTO raw.cells BY NAME SELECT * FROM _raw")
            for part in (staged.files if staged is not None else []):  # one chunk at a time: bounded memory
                con.execute(f"INSERT INTO raw.cells BY NAME SELECT * FROM read_parquet('{_sql_path(part)}') "
                            "WHERE file_sha256 IN (SELECT file_sha256 FROM _raw_files)")
        insert_frame(con, "meta.submissions", subs)
        insert_frame(con, "meta.findings", finds)
        if not assessed.empty:
            con.register("_assessed", assessed[["file_sha256"]])
            con.execute("DELETE FROM meta.assessments WHERE census_year = ? AND file_sha256 IN "
                        "(SELECT file_sha256 FROM _assessed)", [year])
            con.unregister("_assessed")
            insert_frame(con, "meta.assessments", assessed)
        summary = {
            "run_id": run_id, "command": command, "census_year": year,
            "started_at": started_at.replace(tzinfo=None),
            "finished_at": datetime.now(timezone.utc).replace(tzinfo=None),
            "files_received": len(received),
            "accepted": sum(_loaded(r) for r in received),
            "rejected": sum(r.status == REJECTED for r in received),
            "findings": sum(len(r.findings) for r in received),
        }
        insert_frame(con, "meta.runs", pd.DataFrame([summary]))
    _unstage_raw(con)
    con.execute("RESET memory_limit")
    return summary


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
