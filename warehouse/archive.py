"""The archive: every received file, kept as received under its content hash.

Runs only ever add to it (retention is the one operation that removes files, and only
past the retention period). meta.submissions.archive_path holds each file's key relative
to the archive directory (`ab/ab12….xlsx`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

_LEGACY_PREFIX = "archive/"  # keys written before the home layout moved to flows/home.py


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archive_key(src: Path, sha256: str) -> str:
    suffix = "".join(c for c in src.suffix.lower() if c.isalnum() or c == ".")[:8] or ".bin"
    return f"{sha256[:2]}/{sha256}{suffix}"


def archived(archive_dir: Path, key: str) -> Path:
    """The file behind an archive key (also for keys recorded with the old `archive/` prefix)."""
    if key.startswith(_LEGACY_PREFIX):
        key = key[len(_LEGACY_PREFIX):]
    return Path(archive_dir) / key


def archive_file(archive_dir: Path, src: Path, sha256: str) -> str:
    """Copy a received file into the archive under its content hash; never overwrite.

    Returns the archive key (relative to `archive_dir`).
    """
    key = archive_key(src, sha256)
    if os.path.exists(os.path.join(archive_dir, key)):  # nearly always on a re-ingest: no Path objects
        return key
    dest = Path(archive_dir) / key
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)
    return key
