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
from collections.abc import Callable
from pathlib import Path

from mint_census.schemas.findings import Finding
from mint_census.schemas.rules import IDENTITY_RULES

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
    at (`archived` checks the file's safety again).
    """
    with frozen_heap():
        return _write_check_reports(con, run_id, year, outdir, archived, staff_outdir, unchanged)


def _write_check_reports(con, run_id: str, year: int, outdir: Path, archived: Callable[[str], Path] | None,
                         staff_outdir: Path | None, unchanged: set[str]) -> list[Path]:
    subs = con.execute(
        "SELECT file_sha256, file_name, network_id, status, errors, warnings, archive_path "
        "FROM meta.submissions WHERE run_id = ? AND status <> 'accepted' "
        "ORDER BY network_id NULLS LAST, file_name", [run_id]).fetchall()
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    by_file = _findings_by_file(con, run_id, sorted({s[0] for s in subs}))
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
            if _kept(sha in unchanged, staff_outdir, base, written):
                continue
            xlsx = write_report_workbook(staff_outdir / f"{base}_Pruefbericht.xlsx", info, findings, None)
            txt = write_mail_text(staff_outdir / f"{base}_Pruefbericht.txt", mail_text(info, findings, xlsx.name))
            written += [xlsx, txt]
            continue
        if _kept(sha in unchanged, outdir, base, written):
            continue
        source = archived(archive_path) if archived is not None and archive_path else None
        try:
            xlsx = write_report_workbook(outdir / f"{base}_Pruefbericht.xlsx", info, findings, source)
        except Exception as exc:  # noqa: BLE001 - one file's copy never stops the others' reports
            log.warning("check report of %s: the marked copy failed (%s); findings sheet only",
                        base, type(exc).__name__)
            xlsx = write_report_workbook(outdir / f"{base}_Pruefbericht.xlsx", info, findings, None)
        txt = write_mail_text(outdir / f"{base}_Pruefbericht.txt", mail_text(info, findings, xlsx.name))
        written += [xlsx, txt]
    return written


def _kept(unchanged: bool, outdir: Path, base: str, written: list[Path]) -> bool:
    """An unchanged file's report written by an earlier run stays as it is (nothing to redo)."""
    pair = [outdir / f"{base}_Pruefbericht.xlsx", outdir / f"{base}_Pruefbericht.txt"]
    if unchanged and all(p.is_file() for p in pair):
        written += pair
        return True
    return False
