"""The ingest ledger: what the last ingest of a year saw, so that an ingest that finds nothing
changed answers at once, without a flow run (as `make` says "nothing to be done").

A re-ingest already reads and validates only the files whose content or inputs changed
(flows/incremental.py), but even with nothing to read it starts a Prefect flow run, hashes every
file, asks the warehouse for every earlier assessment and writes the run's register, artifacts and
overview: 1.9 s for 2,000 unchanged files, where the work itself is nil. After an ingest through the
command line, `<home>/.cache/ingest-<year>.json` records

- the inbox as the command listed it before the flow started: every entry's name, type, size,
  modification and change time (ns), inode and device (lstat: links and folders are never followed,
  and are reported as such by the ingest), and the inbox folder's own times (a file that came and
  went during the ingest changed them);
- the register files' SHA-256 (register.csv, register_events.csv);
- the reference directory and the size and times of its files;
- the code: Python's executable and version, `warm.code_stamp()` (every file of the package, the
  site-packages directories), PYTHONPATH's directories and the user's site-packages;
- the warehouse file (and its write-ahead log) as the ingest left it: size, times, inode; every other
  writer (an ingest of another year, rebuild, retention, register import …) changes it;
- what a re-ingest would repair: the register's history beside the warehouse, and the archive (the
  times of its folders: a file removed from it is copied back by the next ingest);
- every check report and the overview the ingest wrote or kept (size, modification time);
- what the command printed, and so its exit code.

The next `ingest` of that year compares all of these (holding the writer lock) and, when every one is
the same, prints the earlier result with every file reported as unchanged and exits with the earlier
exit code: no flow run, no run in the warehouse (nothing in it changed), one line in the log file.
Anything else - a file touched, added or removed, a changed register, other reference data, a
report deleted, another version of mint-census - runs the ingest as usual (which then reads only what
changed) and records the ledger again.

A statistician's reading of "unchanged": the same bytes. The ledger stands in for the content hash
with the file's metadata, as git's index, make and rsync do. Content cannot change without the change
time changing (only the clock can be set back); to be safe against file systems with coarse
timestamps (FAT: 2 s), an entry modified less than RACY_NS before the listing - or after it - is
never taken as unchanged (git's "racily clean" rule), and the ledger is written only when the
inputs listed after the ingest are the same as before it. (Where the change time is no change time -
Windows, where Python's is the creation time, and FAT, exFAT or NTFS on Linux - a new content with
the old size and a modification time set back would pass: there the ledger is never used, see
sources.known_hashes.trusted. A network share's client may show another machine's change
only after its attribute cache expires, seconds to a minute: an ingest run right after a colleague
replaced a file on such a share may still answer "nothing changed" - run it again a minute later.)
The ledger is a cache: deleting
`<home>/.cache` only costs one full re-ingest check. Plain functions, light imports (no Prefect,
pandas, DuckDB): the command line asks before it starts anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import sys
import time
from pathlib import Path

from mint_census.sources.known_hashes import RACY_NS, trusted  # the hash cache's rule, the same here

from .home import Home

log = logging.getLogger(__name__)

VERSION = 2


def ledger_path(home: Home, year: int) -> Path:
    return home.cache / f"ingest-{year}.json"


def _entry(st: os.stat_result) -> list[int]:
    return [stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def listing(box: Path) -> dict[str, list[int]]:
    """Every entry of the inbox (not recursing, nothing followed): name -> type, size, times, inode;
    and the inbox itself as ".": a file that came and went while an ingest ran changed its times."""
    out = {".": _entry(os.lstat(box))}
    with os.scandir(box) as entries:
        for e in entries:
            out[e.name] = _entry(e.stat(follow_symlinks=False))
    return out


def _tree(root: Path | None) -> dict[str, list[int]]:
    """Every file under `root` (reference data): relative path -> type, size, times, inode."""
    if root is None:
        return {}
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for f in sorted(filenames):
            p = os.path.join(dirpath, f)
            try:
                out[os.path.relpath(p, root)] = _entry(os.stat(p))
            except OSError:
                continue
    return out


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _stat_or_none(path: Path) -> list[int] | None:
    try:
        return _entry(os.stat(path))
    except OSError:
        return None


def _code() -> str:
    """Python, every file of the package and the site-packages directories (warm.code_stamp), and the
    other places packages come from: PYTHONPATH's directories and the user's site-packages (a package
    installed or removed there changes the directory). Not sys.path itself: the console script puts its
    own directory first, the server's warm process (python -P) does not, and the one writes the ledger
    that the other reads."""
    import site

    from .warm import code_stamp  # light: no Prefect, pandas …
    dirs = [d for d in os.environ.get("PYTHONPATH", "").split(os.pathsep) if d] + [site.getusersitepackages()]
    return "\n".join([sys.executable, sys.version, code_stamp(), *(f"{d}:{_stat_or_none(Path(d))}" for d in dirs)])


def inputs(home: Home, year: int, box: Path, reference_dir: Path | None) -> dict:
    """What an ingest of `year` reads besides the warehouse: inbox, register, reference data, code."""
    return {
        "version": VERSION,
        "year": year,
        "inbox": os.path.abspath(box),
        "listing": listing(box),
        "register": [_sha256(home.register), _sha256(home.register_events)],
        "reference": os.path.abspath(reference_dir) if reference_dir is not None else None,
        "reference_files": _tree(reference_dir),
        "code": _code(),
    }


def outputs(home: Home, year: int, reports: list[str]) -> dict:
    """What the ingest left that a re-ingest would write or repair: the warehouse, the register's
    history beside it (rebuild reads it), the archive (a re-ingest copies a missing file back: every
    folder's times tell a file added or removed), the check reports and the overview."""
    overview = home.reports(year) / "uebersicht.xlsx"
    files = sorted({*reports, str(overview)})
    return {
        "warehouse": [_stat_or_none(home.warehouse), _stat_or_none(Path(f"{home.warehouse}.wal")),
                      _stat_or_none(home.register_history)],
        "archive": _folders(home.archive),
        "reports": {p: _file(Path(p)) for p in files},
    }


def _folders(root: Path) -> dict[str, list[int] | None]:
    """The archive's folder and its subfolders (ab/ by the first two hex digits of the hash): times."""
    out = {".": _stat_or_none(root)}
    try:
        with os.scandir(root) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    out[e.name] = _entry(e.stat(follow_symlinks=False))
    except OSError:
        pass
    return out


def _file(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def forget(home: Home, year: int) -> None:
    """Before an ingest changes anything: no ledger of the year until it has ended (a failed ingest
    leaves none behind)."""
    try:
        ledger_path(home, year).unlink(missing_ok=True)
    except OSError:
        log.debug("ingest ledger %s not removed", year, exc_info=True)


def _racy(listed: dict[str, list[int]], at_ns: int) -> list[str]:
    """Entries modified so close to the listing that a later change might not show in their times."""
    return [name for name, e in listed.items() if max(e[2], e[3]) >= at_ns - RACY_NS]


def record(home: Home, year: int, before: dict, listed_at_ns: int, printed: dict, reports: list[str]) -> bool:
    """After an ingest: write the ledger when its inputs are still as listed before it (else remove
    it: the next ingest runs as usual). Returns whether it was written. Never raises."""
    path = ledger_path(home, year)
    try:
        after = inputs(home, year, Path(before["inbox"]), Path(before["reference"]) if before["reference"] else None)
        if after != before:
            log.info("ingest ledger %s not written: the inbox, register or reference data changed during the ingest",
                     year)
            path.unlink(missing_ok=True)
            return False
        data = {**before, "listed_at_ns": listed_at_ns, "printed": printed, **outputs(home, year, reports)}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
        return True
    except Exception:  # noqa: BLE001 - a cache: a failure costs the next ingest its shortcut, nothing else
        log.debug("ingest ledger %s not written", year, exc_info=True)
        return False


def unchanged(home: Home, year: int, box: Path, reference_dir: Path | None) -> dict | None:
    """The ledger of the last ingest of `year` when nothing it depends on changed since, else None.
    The caller holds the writer lock. Never raises (a damaged ledger is a miss)."""
    path = ledger_path(home, year)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        if not trusted(box):  # a change time that is no change time (Windows, FAT): always run the ingest
            return None
        now = inputs(home, year, box, reference_dir)
        if any(data.get(k) != v for k, v in now.items()):
            return None
        if _racy(now["listing"], int(data["listed_at_ns"])):
            return None
        left = outputs(home, year, list(data["reports"]))
        if any(data.get(k) != v for k, v in left.items()):
            return None
        if not isinstance(data.get("printed"), dict):
            return None
        return data
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged or foreign ledger: run the ingest as usual
        log.debug("ingest ledger %s not usable", year, exc_info=True)
        return None


# --- what an ingest prints --------------------------------------------------------------------

def printed(summary) -> dict:
    """What `ingest_lines` needs of an IngestSummary (flows/steps.py): counts, and the rows the
    console names (rejected files, new networks); no personal data."""
    return {
        "year": summary.year, "run_id": summary.run_id, "files": summary.files, "accepted": summary.accepted,
        "with_warnings": summary.with_warnings, "rejected": summary.rejected, "superseded": summary.superseded,
        "findings": summary.findings, "unchanged": summary.unchanged,
        "rejected_rows": [[r["Datei"], r["Netzwerk-ID"], r["Fehler"], r["Erster Fehler"]]
                          for r in summary.rows if r["Status"] == "rejected"],
        "new": [r["Datei"] for r in summary.rows if r["Status"] == "new_network"],
        "skipped": [[e["Datei"], e["Grund"], e.get("reason", "")] for e in summary.skipped],
        "missing": list(summary.missing), "reports": len(summary.reports),
    }


def ingest_lines(home: Home, s: dict, seconds: float) -> list[str]:
    """The console's account of an ingest (English, as every console line; names and the first error
    as the check reports give them)."""
    year = s["year"]
    lines = [f"ingest {year}: {s['files']} files: {s['accepted']} accepted, "
             f"{s['with_warnings']} accepted with warnings, {s['rejected']} rejected, "
             f"{s['superseded']} superseded ({s['findings']} findings, {seconds:.1f} s)"]
    if s["unchanged"]:
        lines.append(f"  unchanged since their last check, not read again (earlier result stands): "
                     f"{s['unchanged']} files")
    for name, nid, errors, first in s["rejected_rows"]:
        lines.append(f"  rejected: {name} ({nid or 'no network ID'}): {errors} error(s), first: {first}")
    if s["new"]:
        lines.append(f"  new networks (blank workbook, not in the register; see the overview): {', '.join(s['new'])}")
    for name, reason, *_ in s["skipped"]:
        lines.append(f"  not read: {name}: {reason}")
    if s["missing"]:
        lines.append(f"  answered last year, nothing received yet: {', '.join(s['missing'])}")
    if s["reports"]:
        lines.append(f"  check reports: {home.reports(year)} ({s['reports']} files; overview: uebersicht.xlsx)")
    lines.append(f"  warehouse: {home.warehouse}")
    return lines


def answer(home: Home, year: int, data: dict, seconds: float) -> list[str]:
    """The console lines of an ingest that found nothing changed: the earlier result, every file
    unchanged (none read again). Raises on a ledger that does not hold what `printed` writes."""
    s = {**data["printed"], "unchanged": data["printed"]["files"]}
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(data["listed_at_ns"]) / 1e9))
    return ([f"mint-census ingest --year {year}: nothing changed since the ingest of {when} "
             f"(run {s['run_id']}): the inbox, register, reference data, warehouse and reports are as it left "
             "them; no flow run"] + ingest_lines(home, s, seconds))


def skipped_reasons(data: dict) -> list[str]:
    """The English reasons of the inbox entries that are not regular files (the ingest logs them)."""
    return [entry[2] for entry in data["printed"]["skipped"] if len(entry) > 2 and entry[2]]
