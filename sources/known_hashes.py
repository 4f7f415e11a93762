"""The content hashes of an inbox's files, remembered from one ingest to the next (as git's index
remembers the hashes of a work tree's files).

An incremental re-ingest decides by content (SHA-256) whether a file was assessed before; hashing
every file of an inbox costs ~0.5 s at 10,000 files, most of a re-ingest that reads one changed file.
After an ingest, `<home>/.cache/hashes-<year>.json` keeps, for every file of the inbox, what `lstat`
said when the ingest listed it (size, modification and change time in ns, inode, device) and the
SHA-256 of its content. The next ingest takes a hash from there only when the file's `lstat` is the
same and the file was last modified or changed more than RACY_NS before the listing that recorded
it; every other file is hashed as before.

Why a hash so taken is the file's content hash: the recorded hash was read after the recorded listing.
Content written after that listing changes the change time to a time after the listing (later than
the recorded one, which lies RACY_NS before the listing), so the `lstat` differs; content written
before it is what was hashed. RACY_NS covers file systems with coarse time stamps (FAT: 2 s) - git's
"racily clean" rule. The change time cannot be set by hand; only the clock can be set back.
(flows/ledger.py, which may skip a whole ingest, rests on the same rule.)

Where that argument does not hold, nothing is remembered and every file is hashed, as without a
cache (`clock` returns None):
- the change time must be a change time: on Windows Python's is the creation time, and FAT, exFAT
  and NTFS mounted on Linux keep none (a copy-over with the old size and modification time restored
  would pass); the cache is used on Linux on the file systems listed in POSIX_FILE_SYSTEMS, and on
  macOS (APFS, HFS+);
- the times compared must come from one clock: "now" is the modification time of a probe file written
  into `<home>/.cache`, on the inbox's own device (an inbox on another device, such as a share with
  a clock of its own, is hashed every time).

A cache: a missing, damaged or foreign file costs one hashing of the inbox, nothing else; it holds
file names, sizes, times and hashes only. Plain functions, no pandas.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
from pathlib import Path

log = logging.getLogger(__name__)

VERSION = 1
RACY_NS = 3_000_000_000  # a file changed this close to the recorded listing is hashed again


# Linux file systems whose change time (ctime) is set by the kernel on every change of content or
# metadata and cannot be set by hand
POSIX_FILE_SYSTEMS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "f2fs",
                                "jfs", "reiserfs", "nfs", "nfs4"})


def _mounts() -> list[tuple[str, str]]:
    """(mount point, file system type) of every mount (Linux)."""
    out = []
    with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                out.append((parts[1].replace("\\040", " ").replace("\\011", "\t"), parts[2]))
    return out


def trusted(folder: Path) -> bool:
    """Whether a file's change time in `folder` tells every change of its content (see above)."""
    if sys.platform == "darwin":
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        real = os.path.realpath(folder)
        best, kind = "", ""
        for point, fstype in _mounts():
            inside = real == point or real.startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, kind = point, fstype
        return kind in POSIX_FILE_SYSTEMS
    except OSError:
        return False


def clock(cache_dir: Path, inbox: Path) -> int | None:
    """The file system's time now (ns: the modification time of a probe file written into
    `cache_dir`), taken before an ingest lists the inbox; None where hashes must not be remembered:
    the inbox on another device than `cache_dir`, or not `trusted`. Never raises."""
    try:
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        if os.stat(inbox).st_dev != os.stat(cache_dir).st_dev or not trusted(Path(inbox)):
            return None
        probe = cache_dir / f".clock-{os.getpid()}"
        try:
            with open(probe, "wb") as f:
                f.write(b"0")
                f.flush()
                now = os.fstat(f.fileno()).st_mtime_ns
        finally:
            probe.unlink(missing_ok=True)
        return now
    except OSError:
        log.debug("hash cache: no clock for %s", inbox, exc_info=True)
        return None


def cache_file(cache_dir: Path, year: int) -> Path:
    return Path(cache_dir) / f"hashes-{year}.json"


def stats(paths: list[Path]) -> dict[Path, list[int]]:
    """`lstat` of every path (size, mtime_ns, ctime_ns, inode, device; regular files only): what a
    later ingest compares. A path that is gone or not a regular file is left out."""
    out = {}
    for p in paths:
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            out[p] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    return out


def known(path: Path, inbox: Path, listed: dict[Path, list[int]], now: int | None) -> dict[Path, str]:
    """The recorded hashes that still hold: path -> SHA-256 for every file in `listed` (this ingest's
    `stats`) whose `lstat` equals the recorded one and lies RACY_NS before the recorded listing.
    `now`: this ingest's `clock` (None: nothing is taken). Never raises ({} for a missing or unusable
    cache)."""
    if now is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("version") != VERSION or data.get("inbox") != os.path.abspath(inbox):
            return {}
        limit = int(data["listed_at_ns"]) - RACY_NS
        files = data["files"]
        out = {}
        for p, st in listed.items():
            entry = files.get(p.name)
            if (entry is not None and entry[:5] == st and max(st[1], st[2]) < limit
                    and isinstance(entry[5], str) and len(entry[5]) == 64):
                out[p] = entry[5]
        return out
    except FileNotFoundError:
        return {}
    except Exception:  # noqa: BLE001 - a damaged cache: hash every file, as without one
        log.debug("hash cache %s not usable", path, exc_info=True)
        return {}


def record(path: Path, inbox: Path, listed_at_ns: int | None, listed: dict[Path, list[int]],
           hashes: dict[Path, str]) -> None:
    """After an ingest: the hash of every listed file (`listed`: its `stats`, taken after `listed_at_ns`,
    the `clock`, and before any file was hashed or read; `hashes`: the SHA-256 the ingest found for it).
    With no clock nothing is recorded (and an earlier record removed). Never raises."""
    if listed_at_ns is None:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            pass
        return
    try:
        files = {p.name: [*st, hashes[p]] for p, st in listed.items() if hashes.get(p)}
        data = {"version": VERSION, "inbox": os.path.abspath(inbox), "listed_at_ns": listed_at_ns, "files": files}
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - a cache: the next ingest hashes every file
        log.debug("hash cache %s not written", path, exc_info=True)

