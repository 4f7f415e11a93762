"""What `rebuild` needs of the warehouse: what can be saved from the old file, the rows to
compare, and the swap.

- `salvage(path)`: from an old warehouse that still opens, the history the archive does not
  hold (which files each run loaded, in which order and under which name; the register's
  history; retention records), and the rows to compare; None when it cannot be read.
- `comparable(con)`: every `core` table and `pub` view as sorted rows, without the columns
  that only say when or by which run a row was written (PROVENANCE).
- `differences(old, new)`: one line per table whose rows differ.
- `swap(new, path)`: the new file in place atomically; a previous file is kept beside it as
  `<name>.before-rebuild-<time>` (never deleted by the pipeline).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from .sqltext import quote_ident

PROVENANCE = {"recorded_at", "loaded_at", "run_id", "built_at"}


@dataclass
class Salvage:
    runs: list[tuple]                        # (run_id, census_year, started_at) in order
    submissions: dict[str, list[tuple]]      # run_id -> [(file_sha256, file_name, received_at, archive_path)]
    register_history: list[tuple]
    register_history_columns: list[str]
    retention: list[tuple]
    rows: dict[str, list[tuple]] = field(default_factory=dict)


def comparable(con) -> dict[str, list[tuple]]:
    objs = con.execute("""
        SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name = 'core'
        UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE schema_name = 'pub' AND NOT internal
        ORDER BY 1, 2""").fetchall()
    out = {}
    for schema, name in objs:
        cols = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
            "ORDER BY column_index", [schema, name]).fetchall() if c not in PROVENANCE]
        select = ", ".join(quote_ident((c,)) for c in cols)
        out[f"{schema}.{name}"] = con.execute(
            f"SELECT {select} FROM {quote_ident((schema, name))} ORDER BY ALL").fetchall()
    return out


def salvage(path: Path) -> Salvage | None:
    path = Path(path)
    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        runs = con.execute("SELECT run_id, census_year, started_at FROM meta.runs "
                           "WHERE command NOT LIKE 'retention%' ORDER BY started_at, run_id").fetchall()
        subs: dict[str, list[tuple]] = {}
        for run_id, sha, name, at, rel in con.execute(
                "SELECT run_id, file_sha256, file_name, received_at, archive_path FROM meta.submissions "
                "ORDER BY run_id, received_at, file_name").fetchall():
            subs.setdefault(run_id, []).append((sha, name, at, rel))
        hist = con.execute("SELECT * FROM core.register_history ORDER BY ALL")
        hist_cols = [d[0] for d in hist.description]
        hist_rows = hist.fetchall()
        try:
            retention = con.execute("SELECT * FROM meta.retention ORDER BY ALL").fetchall()
        except duckdb.CatalogException:
            retention = []
        return Salvage(runs, subs, hist_rows, hist_cols, retention, comparable(con))
    except duckdb.Error:
        return None
    finally:
        con.close()


def restore_history(con, old: Salvage) -> None:
    """The register's history and the retention records of the old warehouse, into the new one."""
    cols = ", ".join(quote_ident((c,)) for c in old.register_history_columns)
    marks = ", ".join("?" * len(old.register_history_columns))
    con.execute("DELETE FROM core.register_history")
    if old.register_history:
        con.executemany(f"INSERT INTO core.register_history ({cols}) VALUES ({marks})", old.register_history)
    if old.retention:
        con.execute("DELETE FROM meta.retention")
        con.executemany("INSERT INTO meta.retention VALUES (?, ?, ?, ?, ?, ?)", old.retention)


def export_history(con, out: Path) -> None:
    """core.register_history as JSON beside the warehouse (atomic), so that `rebuild` keeps the
    register's history even when the warehouse file itself is lost. No personal data.

    The file begins and ends with the digest of the register the warehouse holds (meta.register_loaded;
    the three register tables change only with it): a file that begins and ends with the current
    digest holds these rows already and is not written again (0.25 s at 10,000 networks); a cut or
    other file is."""
    from .load import loaded_register  # pandas: only where an ingest or rebuild has it loaded already

    digest = loaded_register(con)
    out = Path(out)
    head, tail = json.dumps({"digest": digest})[:-1] + ", ", ", " + json.dumps({"end": digest})[1:]
    if digest is not None and _framed(out, head, tail):
        return
    cur = con.execute("SELECT * FROM core.register_history ORDER BY ALL")
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps({"digest": digest, "columns": cols, "rows": rows, "end": digest}, default=str,
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out)


def _framed(path: Path, head: str, tail: str) -> bool:
    """Whether the file begins with `head` and ends with `tail`."""
    head_b, tail_b = head.encode(), tail.encode()
    try:
        with open(path, "rb") as f:
            start = f.read(len(head_b))
            f.seek(-len(tail_b), os.SEEK_END)
            return start == head_b and f.read() == tail_b
    except OSError:
        return False


def history_from_export(path: Path) -> tuple[list[str], list[tuple]] | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        cols = data["columns"]
        return cols, [tuple(r.get(c) for c in cols) for r in data["rows"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def differences(old: dict[str, list[tuple]], new: dict[str, list[tuple]]) -> list[str]:
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a is None or b is None:
            out.append(f"{name}: only in the {'new' if a is None else 'old'} warehouse")
        elif a != b:
            gone, added = set(a) - set(b), set(b) - set(a)
            out.append(f"{name}: {len(a)} rows before, {len(b)} after ({len(gone)} differ)"
                       if gone or added else f"{name}: same rows, different multiplicity")
    return out


def swap(new: Path, path: Path) -> Path | None:
    """Put `new` in place of `path`; return where the previous file was kept (None: there was none)."""
    path = Path(path)
    kept = None
    if path.exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        kept = path.with_name(f"{path.name}.before-rebuild-{stamp}")
        os.replace(path, kept)
        wal = Path(str(path) + ".wal")
        if wal.exists():
            os.replace(wal, Path(str(kept) + ".wal"))
    with open(new, "rb") as f:
        os.fsync(f.fileno())
    os.replace(new, path)
    return kept
