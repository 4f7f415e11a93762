"""Check reports (Prüfberichte) of one run, from meta.findings and meta.submissions.

For every workbook of the run that was rejected or accepted with warnings, the reports
directory gets
- `<network or file>_Pruefbericht.xlsx`: the coordinator's own workbook (the archived
  copy) with every problem cell highlighted and commented, and a first sheet listing
  every finding (report_workbook.py);
- `<network or file>_Pruefbericht.txt`: the short German text for the e-mail body (mail.py).

No personal data: findings never carry it (schemas.messages.shown_value).
"""

from __future__ import annotations

import logging
import pickle
import traceback
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from mint_census.schemas.findings import Finding
from mint_census.schemas.rules import IDENTITY_RULES

from ..processes import pool_allowed, share, spawn_pool, usable_cores
from .heap import frozen_heap
from .mail import mail_text, write_mail_text
from .report_workbook import ReportInfo, write_report_workbook

log = logging.getLogger(__name__)

FINDING_COLUMNS = ("severity", "code", "message_de", "message_en", "sheet", "cell", "field_key",
                   "field_label", "found", "expected")


def _name(network_id: str | None, file_name: str) -> str:
    base = network_id or Path(file_name).stem
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in base)[:80]


report_base = _name  # the stem of a network's report files (<stem>_Pruefbericht.xlsx); the mailings attach it


def findings_of(con, run_id: str, sha: str) -> list[Finding]:
    rows = con.execute(f"SELECT {', '.join(FINDING_COLUMNS)} FROM meta.findings WHERE run_id = ? "
                       "AND file_sha256 = ?", [run_id, sha]).fetchall()
    return [Finding(**dict(zip(FINDING_COLUMNS, r))) for r in rows]


def _findings_by_file(con, run_id: str, shas: list[str]) -> dict[str, list[Finding]]:
    """findings_of for many files of a run in one query: the same filtered scan, so each file's
    findings come in the same order (no join that could reorder them)."""
    out: dict[str, list[Finding]] = {sha: [] for sha in shas}
    if not shas:
        return out
    rows = con.execute(f"SELECT file_sha256, {', '.join(FINDING_COLUMNS)} FROM meta.findings WHERE run_id = ?",
                       [run_id]).fetchall()
    for sha, *values in rows:
        if sha in out:
            out[sha].append(Finding(**dict(zip(FINDING_COLUMNS, values))))
    return out


def write_check_reports(con, run_id: str, year: int, outdir: Path,
                        archived: Callable[[str], Path] | None = None,
                        staff_outdir: Path | None = None, unchanged: set[str] = frozenset()) -> list[Path]:
    """Write the report workbook and the e-mail text of every rejected or warned file of the run.

    `archived` turns an archive key (meta.submissions.archive_path) into the archived file;
    without it (or without the file) the workbook holds the findings sheet only. A file whose
    identity is in doubt (schemas.rules.IDENTITY_RULES: the IDs disagree, or the name is another
    network's) gets a findings-only report named after the file, in `staff_outdir` (staff only,
    never named after or holding the answers of a network it may not belong to). Returns the
    written paths (xlsx and txt of each file). A file in `unchanged` (SHA-256: not read again since
    its last assessment) whose report is there already keeps it: its archived copy is not looked
    at (`archived` checks the file's safety again). From PARALLEL_REPORTS_FROM reports on, a pool
    of processes (one per core but one) and this process write them; the files are the same.
    """
    with frozen_heap():
        return plan_reports(con, run_id, year, outdir, archived, staff_outdir, unchanged).write()[0]


@dataclass(frozen=True)
class _Job:
    """One file's report: the workbook (a marked copy of `source`, or the findings sheet only)
    and the e-mail text beside it."""
    outdir: Path
    base: str
    info: ReportInfo
    findings: list[Finding]
    source: Path | None  # the archived workbook, checked for safety again by the caller
    copy: bool = True    # False: findings sheet only (identity in doubt, staff only)


def _write_one(job: _Job) -> list[Path]:
    xlsx_path = job.outdir / f"{job.base}_Pruefbericht.xlsx"
    try:
        xlsx = write_report_workbook(xlsx_path, job.info, job.findings, job.source if job.copy else None)
    except Exception as exc:  # noqa: BLE001 - one file's copy never stops the others' reports
        if not job.copy:
            raise
        log.warning("check report of %s: the marked copy failed (%s); findings sheet only",
                    job.base, type(exc).__name__)
        xlsx = write_report_workbook(xlsx_path, job.info, job.findings, None)
    txt = write_mail_text(job.outdir / f"{job.base}_Pruefbericht.txt", mail_text(job.info, job.findings, xlsx.name))
    return [xlsx, txt]


class _Collected(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


def _write_in_worker(job: _Job) -> tuple[list[Path], list[tuple[int, str]], Exception | None]:
    """`_write_one` in a pool process. What it logs goes back to the caller, who logs it where the
    command logs (a spawned process has no handlers of its own); so does what it raises."""
    return _call_in_worker(_write_one, job)


def _call_in_worker(fn: Callable, *args) -> tuple[object, list[tuple[int, str]], Exception | None]:
    """`fn(*args)` in a pool process, with what it logs and raises (see `_write_in_worker`)."""
    collected = _Collected()
    package = logging.getLogger("mint_census")
    package.addHandler(collected)
    package.setLevel(logging.INFO)
    package.propagate = False
    try:
        return fn(*args), collected.records, None
    except Exception as exc:  # noqa: BLE001 - raised again by the caller, as in one process
        where = f"in a report worker process:\n{traceback.format_exc()}"
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot travel: its type and text do
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        exc.add_note(where)  # the worker's traceback goes with it into the command's log file
        return [], collected.records, exc
    finally:
        package.removeHandler(collected)


# Reports are written by a pool of processes and this one from this many on, one process per core: a report
# takes ~0.1 s (openpyxl reads and writes the whole workbook), a process ~0.75 s to start
# (Python, openpyxl and these modules). Measured: 60 reports 7.4 s in one process.
PARALLEL_REPORTS_FROM = 24
# The pool's processes are spawned, only where POOL_VARIABLE allows it (publications.processes).


def report_processes(jobs: int) -> int:
    """Processes that write `jobs` reports: every core the process may use for a large run where
    POOL_VARIABLE allows it, else 1."""
    if jobs < PARALLEL_REPORTS_FROM or not pool_allowed():
        return 1
    return max(1, min(usable_cores(), jobs // 12))


def _write_all(jobs: list[_Job], also: Callable[[], object] | None = None,
               weight: int = 0) -> tuple[list[list[Path]], object]:
    """Every job's files, in the order of `jobs`, and what `also` returned (a picklable call run beside
    them, None: nothing; `weight`: what it costs, in reports): in a pool of processes for many
    reports, else (or when no process can be started) one after another here. `also` counts only as
    far as there are reports to write beside it: alone, it would wait for a process to start."""
    processes = report_processes(len(jobs) + (min(weight, len(jobs)) if also is not None else 0))
    if processes > 1:
        try:
            results, extra = _in_pool(jobs, processes, also)
        except (OSError, BrokenProcessPool, NotImplementedError, ValueError) as exc:
            # the pool itself failed (a worker's own error comes back as a value): write them here
            log.warning("check reports: no process pool (%s: %s); writing them one by one",
                        type(exc).__name__, exc)
        else:
            done = []
            for paths, records, error in results + ([extra] if also is not None else []):
                for level, message in records:
                    log.log(level, "%s", message)
                if error is not None:
                    raise error
                done.append(paths)
            return (done[:-1], done[-1]) if also is not None else (done, None)
    return [_write_one(job) for job in jobs], (also() if also is not None else None)


def _write_here(job: _Job) -> tuple[list[Path], list[tuple[int, str]], Exception | None]:
    """`_write_one` in this process, its result as `_write_in_worker` gives it (it logs directly)."""
    try:
        return _write_one(job), [], None
    except Exception as exc:  # noqa: BLE001 - raised again by the caller in the order of the jobs
        return [], [], exc


def _in_pool(jobs: list[_Job], processes: int, also: Callable[[], object] | None = None) -> tuple[list, object]:
    """`processes` write the reports: a pool of all but one, and this process (processes.share).
    `also` goes to the pool first (the longest job), while this process starts on the reports."""
    with spawn_pool(processes - 1) as pool:
        extra = pool.submit(_call_in_worker, also) if also is not None else None
        results = list(share([(job,) for job in jobs], lambda job: pool.submit(_write_in_worker, job),
                             _write_here, slots=2 * (processes - 1)))
        return results, (extra.result() if extra is not None else None)


@dataclass
class ReportPlan:
    """The reports of a run, before they are written: per file its kept files (an unchanged file's
    report stays) or the job that writes them."""
    parts: list[list[Path] | _Job]

    def to_write(self, outdir: Path) -> set[str]:
        """The names of the report workbooks this plan writes into `outdir`."""
        return {f"{p.base}_Pruefbericht.xlsx" for p in self.parts if isinstance(p, _Job) and p.outdir == outdir}

    def write(self, also: Callable[[], object] | None = None, weight: int = 0) -> tuple[list[Path], object]:
        """Write the reports (see `write_check_reports`); returns the paths of all, in the plan's order,
        and what `also` returned (run beside them, maybe in the pool; `weight`: what it costs, counted
        in reports of ~0.1 s, for the decision on a pool)."""
        written, extra = _write_all([p for p in self.parts if isinstance(p, _Job)], also, weight)
        jobs = iter(written)
        return [path for part in self.parts for path in (next(jobs) if isinstance(part, _Job) else part)], extra


def plan_reports(con, run_id: str, year: int, outdir: Path, archived: Callable[[str], Path] | None = None,
                 staff_outdir: Path | None = None, unchanged: set[str] = frozenset()) -> ReportPlan:
    """What `write_check_reports` writes (its arguments), as a plan; creates the folders."""
    subs = con.execute(
        "SELECT file_sha256, file_name, network_id, status, errors, warnings, archive_path "
        "FROM meta.submissions WHERE run_id = ? AND status <> 'accepted' "
        "ORDER BY network_id NULLS LAST, file_name", [run_id]).fetchall()
    outdir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    by_file = _findings_by_file(con, run_id, sorted({s[0] for s in subs}))
    parts: list[list[Path] | _Job] = []  # in the order of `subs`: reports kept as they are, or to write
    for sha, file_name, network_id, status, errors, warnings, archive_path in subs:
        base = _name(network_id, file_name)
        if base in used:
            base = f"{base}_{sha[:8]}"
        used.add(base)
        info = ReportInfo(year, file_name, network_id, status, errors or 0, warnings or 0)
        findings = by_file[sha]
        if staff_outdir is not None and any(f.code in IDENTITY_RULES for f in findings):
            base, info = f"{_name(None, file_name)}_{sha[:8]}", ReportInfo(
                year, file_name, None, status, errors or 0, warnings or 0)
            staff_outdir.mkdir(parents=True, exist_ok=True)
            kept = _kept(sha in unchanged, staff_outdir, base)
            parts.append(kept if kept else _Job(staff_outdir, base, info, findings, None, copy=False))
            continue
        kept = _kept(sha in unchanged, outdir, base)
        if kept:
            parts.append(kept)
            continue
        source = archived(archive_path) if archived is not None and archive_path else None
        parts.append(_Job(outdir, base, info, findings, source))
    return ReportPlan(parts)


def _kept(unchanged: bool, outdir: Path, base: str) -> list[Path]:
    """An unchanged file's report written by an earlier run stays as it is (nothing to redo):
    its two files, or [] when there is something to write."""
    pair = [outdir / f"{base}_Pruefbericht.xlsx", outdir / f"{base}_Pruefbericht.txt"]
    return pair if unchanged and all(p.is_file() for p in pair) else []
