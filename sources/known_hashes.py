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

A cache: a missing, damaged or foreign file costs one hashing of the inbox, nothing else; it holds
file names, sizes, times and hashes only. Plain functions, no pandas.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

VERSION = 1
RACY_NS = 3_000_000_000  # a file changed this close to the recorded listing is hashed again


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


def known(path: Path, inbox: Path, listed: dict[Path, list[int]]) -> dict[Path, str]:
    """The recorded hashes that still hold: path -> SHA-256 for every file in `listed` (this ingest's
    `stats`) whose `lstat` equals the recorded one and lies RACY_NS before the recorded listing.
    Never raises ({} for a missing or unusable cache)."""
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


def record(path: Path, inbox: Path, listed_at_ns: int, listed: dict[Path, list[int]],
           hashes: dict[Path, str]) -> None:
    """After an ingest: the hash of every listed file (`listed`: its `stats`, taken at `listed_at_ns`,
    before any file was hashed or read; `hashes`: the SHA-256 the ingest found for it). Never raises."""
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

