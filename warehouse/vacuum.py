"""Rewriting the warehouse file so that deleted rows are really gone.

DuckDB marks the blocks of deleted rows free but keeps their bytes in the file until they
are reused: after `DELETE FROM private.contacts` a byte search of the file still finds the
contact values. `rewrite_warehouse` copies the live database into a new file
(`COPY FROM DATABASE`), which holds only what is still there, and swaps it in atomically
(write beside, fsync, os.replace), holding the writer lock for the whole time. The old file
and its WAL are gone afterwards.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from .lock import hold
from .sqltext import quote_ident, quote_literal


def rewrite_warehouse(path: Path, lock_file: Path, command: str = "retention") -> int:
    """Copy the warehouse into a fresh file and replace the old one; returns the bytes saved."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.rewrite")
    before = path.stat().st_size
    with hold(lock_file, command):
        con = duckdb.connect(str(path))
        try:
            con.execute("CHECKPOINT")
            src = con.execute("SELECT current_database()").fetchone()[0]
            con.execute(f"ATTACH {quote_literal(tmp.as_posix())} AS _rewrite")
            con.execute(f"COPY FROM DATABASE {quote_ident(src)} TO _rewrite")
            con.execute("DETACH _rewrite")
        except BaseException:
            con.close()
            for t in (tmp, tmp.with_name(tmp.name + ".wal")):
                t.unlink(missing_ok=True)
            raise
        con.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        Path(str(path) + ".wal").unlink(missing_ok=True)
    return before - path.stat().st_size
