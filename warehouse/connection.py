"""Opening the private DuckDB warehouse: one writer at a time, clear messages when busy.

`connect(path, lock_file=...)` for writing takes the writer lock (warehouse/lock.py)
first; a second writer gets WarehouseBusy("another run holds the warehouse since ..."),
never DuckDB's raw lock error. A writing connection also brings the schema up to date
(warehouse/schema.py). A run killed in the middle leaves no trace: DuckDB discards the
unfinished transaction when the file is next opened, and the OS frees the lock with the
process.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import duckdb

from .damage import WarehouseDamaged, damaged_message
from .lock import WarehouseBusy, WriterLock, busy_message


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


def connect(path: Path, *, lock_file: Path | None = None, read_only: bool = False,
            command: str | None = None) -> WarehouseConnection:
    """Open the warehouse file `path`.

    Writers name the writer lock file (`lock_file`) and take it first; a second writer,
    or a reader while a writer works, gets WarehouseBusy, never DuckDB's raw lock error.
    """
    from .schema import init

    path = Path(path)
    if not read_only and lock_file is None:
        raise ValueError("a writing connection needs the writer lock file")
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = None if read_only else WriterLock.acquire(lock_file, command)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if lock is not None:
            lock.release()
        if _is_lock_error(exc):
            if lock is None:
                raise WarehouseBusy(busy_message(lock_file) if lock_file else
                                    "another run holds the warehouse; try again when it has finished") from None
            m = re.search(r"\(PID (\d+)\)", str(exc))
            raise WarehouseBusy("another process has the warehouse open"
                                + (f" (pid {m.group(1)})" if m else "")
                                + "; try again when it has closed it") from None
        if path.is_file():
            raise WarehouseDamaged(damaged_message(path, exc)) from None
        raise
    except duckdb.Error as exc:
        if lock is not None:
            lock.release()
        if path.is_file():
            raise WarehouseDamaged(damaged_message(path, exc)) from None
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


@contextmanager
def transaction(con):
    """BEGIN … COMMIT, or ROLLBACK on any error: all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
