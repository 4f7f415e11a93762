"""The writer lock: one process at a time writes the private warehouse.

DuckDB itself lets one process hold a database file for writing, but its error when a
second one tries is raw ("Could not set lock on file ..."). Writers therefore also take
an operating-system lock on a lock file beside the warehouse (the caller names it; the
census home keeps it at `warehouse/writer.lock`) and write into it who holds it (pid, host, start time, command). A second writer, or a reader of the private file
while a writer works, gets "another run holds the warehouse since ...".

The lock is an advisory OS lock (fcntl.flock on POSIX, msvcrt.locking on Windows): when
the holder exits or is killed, the OS releases it, so a crashed run never blocks the next
one; the stale text left in the file is simply overwritten by the next holder. Within
one process the lock is re-entrant (a flow that holds it for the whole run can open
connections inside it).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

_LOCK_OFFSET = 1 << 20  # Windows locks byte ranges mandatorily: lock a byte far past the text


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse."""


def _try_os_lock(fd: int) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _os_unlock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl
    fcntl.flock(fd, fcntl.LOCK_UN)


def holder(lock_file: Path) -> dict | None:
    """Who holds (or last held) the writer lock, as recorded in the lock file."""
    try:
        text = Path(lock_file).read_text(encoding="utf-8")
        return json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None


def busy_message(lock_file: Path, what: str = "the warehouse") -> str:
    info = holder(lock_file)
    if info:
        cmd = f", `{info['command']}`" if info.get("command") else ""
        return (f"another run holds {what} since {info.get('started_at', '?')} "
                f"(pid {info.get('pid', '?')} on {info.get('host', '?')}{cmd}); "
                "try again when it has finished")
    return f"another run holds {what}; try again when it has finished"


def default_command() -> str:
    args = [os.path.basename(sys.argv[0])] + sys.argv[1:] if sys.argv and sys.argv[0] else []
    return " ".join(args)[:200]


class WriterLock:
    """Process-wide, re-entrant writer lock of one warehouse (one lock file)."""

    _held: dict[Path, "WriterLock"] = {}
    _guard = threading.Lock()

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None
        self.count = 0
        self.info: dict = {}

    @classmethod
    def acquire(cls, lock_file: Path, command: str | None = None) -> "WriterLock":
        path = Path(lock_file).resolve()
        with cls._guard:
            lock = cls._held.get(path)
            if lock is not None:
                lock.count += 1
                return lock
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_os_lock(fd):
                os.close(fd)
                raise WarehouseBusy(busy_message(path))
            lock = cls(path)
            lock.fd, lock.count = fd, 1
            lock.info = {"pid": os.getpid(), "host": socket.gethostname(),
                         "started_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
                         "command": command or default_command()}
            data = json.dumps(lock.info).encode("utf-8") + b"\n"
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, data)
            os.fsync(fd)
            cls._held[path] = lock
            return lock

    def release(self) -> None:
        with self._guard:
            self.count -= 1
            if self.count > 0 or self.fd is None:
                return
            try:
                os.lseek(self.fd, 0, os.SEEK_SET)
                os.ftruncate(self.fd, 0)  # nobody holds it now
            except OSError:
                pass
            _os_unlock(self.fd)
            os.close(self.fd)
            self.fd = None
            self._held.pop(self.path, None)


def held_here(lock_file: Path) -> bool:
    return Path(lock_file).resolve() in WriterLock._held


@contextmanager
def hold(lock_file: Path, command: str | None = None):
    """Hold the writer lock for a whole run (re-entrant within the process)."""
    lock = WriterLock.acquire(Path(lock_file), command)
    try:
        yield lock
    finally:
        lock.release()
