"""One inbox of one census year: discover, read, settle duplicates, frame for validation.

Plain functions; flows/steps.py wires them with validation (schemas) and loading
(warehouse). Nothing here raises for a bad file: each problem becomes a finding of that
file, and the other files go on.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path

from mint_census.schemas import questionnaire as q
from mint_census.schemas.findings import (ACCEPTED, NEW_NETWORK, REJECTED, SUPERSEDED, WARNING, WITH_WARNINGS,
                                          Finding)
from mint_census.schemas.frames import SheetFrames
from mint_census.schemas.catalogue import render
from mint_census.schemas.messages import file_finding
from .frames import build_frames
from .safety import safe_filename
from .workbook import RawWorkbook, read_workbook

log = logging.getLogger(__name__)



@dataclass
class Received:
    idx: int
    path: Path
    file_name: str                # made safe for reports and the archive
    received_at: datetime
    wb: RawWorkbook
    findings: list[Finding] = field(default_factory=list)
    status: str | None = None
    unchanged: bool = False                 # not read again: content and inputs as at its last assessment
    inputs_fingerprint: str | None = None   # what its assessment depended on (set once assessed)
    pending: list[Finding] = field(default_factory=list)  # validation findings until the batch is settled

    @property
    def network_id(self) -> str | None:
        return self.wb.network_id

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(not f.is_error for f in self.findings)


def _entries(inbox: Path) -> list[tuple[str, str]]:
    """Every entry of the inbox, sorted by name, with its kind ("file": a regular file, "link",
    "folder", "special"), from one directory scan: nothing is followed (a link is a link, whatever
    it points to). 10,000 entries in ~15 ms; a stat per entry and per question took 0.3 s."""
    if not inbox.is_dir():
        return []
    out = []
    with os.scandir(inbox) as scan:
        for e in scan:
            if e.is_symlink():
                kind = "link"
            elif e.is_file(follow_symlinks=False):
                kind = "file"
            elif e.is_dir(follow_symlinks=False):
                kind = "folder"
            else:
                kind = "special"
            out.append((e.name, kind))
    return sorted(out)


def discover(inbox: Path) -> list[Path]:
    """Every regular file in the inbox (not recursing), except office lock files and dotfiles."""
    files = []
    for name, kind in _entries(inbox):
        if kind != "file":
            continue
        if name.startswith(("~$", ".")):
            log.info("skipping lock/hidden file %s", name)
            continue
        files.append(inbox / name)
    return files


def count_files(inbox: Path) -> int:
    """How many files `discover` finds, without making their paths (the flow decides on a pool by it)."""
    return sum(kind == "file" and not name.startswith(("~$", ".")) for name, kind in _entries(inbox))


def _code(kind: str) -> str:
    """The catalogue key of an inbox entry that is not a regular file."""
    if kind == "link":
        return "not_a_file:link"
    if kind == "folder":
        return "not_a_file:folder"
    return "not_a_file:special"


def skipped_entries(inbox: Path) -> list[dict]:
    """Every inbox entry that is not a regular file (link, folder, FIFO …): never followed or read,
    but reported with its reason ({"Datei", "Grund", "reason"}) for the console and the overview."""
    out = []
    for name, kind in _entries(inbox):
        if name.startswith(("~$", ".")) or kind == "file":
            continue
        name = safe_filename(name)
        de, en = render(_code(kind), name=name)
        out.append({"Datei": name, "Grund": de, "reason": en})
    return out


def read_one(idx: int, path: Path, year: int) -> Received:
    wb = read_workbook(path, file_name=safe_filename(path.name))
    stat = path.stat()
    rec = Received(idx, path, wb.file_name, datetime.fromtimestamp(stat.st_mtime, timezone.utc), wb,
                   list(wb.findings))
    if wb.readable and wb.census_year is not None and wb.census_year != year:
        rec.findings.append(file_finding("wrong_year", sheet=q.META_SHEET, cell="B2",
                                         found=str(wb.census_year), expected=str(year), year=year))
    elif wb.readable and wb.census_year is None:
        rec.findings.append(file_finding("no_year", sheet=q.META_SHEET, cell="B2", expected=str(year)))
    return rec


def _seconds(ns: int) -> float:
    """A time in ns as os.stat's float seconds (st_mtime: seconds + nanoseconds * 1e-9, in C doubles)."""
    return float(ns // 1_000_000_000) + (ns % 1_000_000_000) * 1e-9


def earlier_result(idx: int, path: Path, sha256: str, earlier: dict, listed: list[int] | None = None) -> Received:
    """A file unchanged since its last assessment, not read again: its earlier status and findings
    (`earlier`: network_id, template_version, status, findings, inputs_fingerprint) stand. `listed`: the
    file's size and modification time (ns) as the ingest listed it (sources.known_hashes.stats)."""
    if listed is None:
        st = path.stat()
        listed = [st.st_size, st.st_mtime_ns]
    wb = RawWorkbook(path=path, file_name=safe_filename(path.name), sha256=sha256, size=listed[0],
                     template_version=earlier["template_version"], network_id=earlier["network_id"])
    return Received(idx, path, wb.file_name, datetime.fromtimestamp(_seconds(listed[1]), timezone.utc), wb,
                    list(earlier["findings"]), earlier["status"], unchanged=True,
                    inputs_fingerprint=earlier["inputs_fingerprint"])


def read_all(paths: list[Path], year: int, start: int = 0) -> list[Received]:
    return [read_one(start + i, p, year) for i, p in enumerate(paths)]


def resolve_duplicates(received: list[Received]) -> None:
    """Two files for the same network in one inbox: the newer one wins, the other is reported."""
    by_network: dict[str, list[Received]] = {}
    for r in received:
        if r.network_id and not any(f.is_error for f in r.findings):
            by_network.setdefault(r.network_id, []).append(r)
    for network_id, recs in by_network.items():
        if len(recs) < 2:
            continue
        recs.sort(key=lambda r: (r.received_at, r.file_name))
        newest = recs[-1]
        for old in recs[:-1]:
            old.status = SUPERSEDED
            old.findings.append(file_finding("superseded", severity=WARNING, network_id=network_id,
                                             newer=newest.file_name))


def frames_for(received: list[Received], year: int) -> SheetFrames:
    """Frames of the files that can be validated (layout readable, right year, not superseded)."""
    usable = {r.idx: r.wb for r in received
              if r.status != SUPERSEDED and not any(f.is_error for f in r.findings)}
    return build_frames(usable, year)


def _blank_template(r: Received) -> bool:
    """A readable workbook issued without a network (`template --blank`) whose Netzwerk-ID cell is
    still empty: a network that is not in the register yet."""
    if r.wb.template_version is None or r.wb.network_id or any(f.is_error for f in r.wb.findings):
        return False
    ids = [c for c in r.wb.cells if c.field_key == "network_id"]
    return bool(ids) and all(c.text in (None, "") for c in ids)


def _new_network(r: Received) -> None:
    """The missing Netzwerk-ID of a blank template is no error: staff give the network its ID."""
    name = next((c.text for c in r.wb.cells if c.field_key == "network_name" and c.text), None)
    r.findings = [f for f in r.findings if f.field_key != "network_id"]
    r.findings.append(file_finding("new_network", severity=WARNING, sheet=q.S_NET,
                                   name=name or "ohne Namen"))


def hold(received: list[Received], findings: dict[int, list[Finding]]) -> None:
    """Keep a chunk's validation findings with each file until the whole batch is settled (a file
    superseded by a newer one of its network, which may sit in a later chunk, gets none)."""
    for r in received:
        r.pending = list(findings.get(r.idx, []))


# What a file keeps of its cells once they are typed and spilled (`release_cells`): the identity
# cells that `settle` looks at to recognise a blank template of a new network.
IDENTITY_KEYS = ("network_id", "network_name")


def release_cells(received: list[Received]) -> None:
    """Drop a chunk's raw cells once they are typed and written to the staging area (flat memory:
    only identity cells stay, for `settle`), and give the freed heap back to the system."""
    for r in received:
        r.wb.cells = [c for c in r.wb.cells if c.field_key in IDENTITY_KEYS]
    _trim_heap()


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, None where there is no glibc (macOS, Windows, musl)."""
    try:
        import ctypes
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _trim_heap() -> None:
    """glibc keeps freed memory of a chunk's many small objects in its heap; malloc_trim returns it,
    so that the peak does not grow with the number of chunks (no-op elsewhere)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def settle(received: list[Received], findings: dict[int, list[Finding]] | None = None) -> None:
    """Attach validation findings (`findings`, else each file's pending ones) and decide each
    file's status; a superseded file keeps its status and gets no validation findings."""
    for r in received:
        found, r.pending = (r.pending if findings is None else findings.get(r.idx, [])), []
        if r.status == SUPERSEDED:
            continue
        r.findings.extend(found)
        if _blank_template(r):
            _new_network(r)
            if not r.errors:
                r.status = NEW_NETWORK
                continue
        if r.errors:
            r.status = REJECTED
        elif r.warnings:
            r.status = WITH_WARNINGS
        else:
            r.status = ACCEPTED
