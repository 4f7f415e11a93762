"""The wiring of `retention`: every place under the home that holds personal data of the
census years past the retention period (steps.retention calls this).

The warehouse and the archive: warehouse/retention.py (contacts deleted, findings redacted,
archived workbooks replaced by redacted copies, the file rewritten). Then, with every contact
value of those years (from private.contacts and from the Kontakt cells of the archived and
inbox workbooks themselves, so that rejected workbooks count too):

- inbox/<Y>/: each workbook redacted in place (Kontakt sheet emptied); files that are not a
  safe workbook are removed (the archive keeps what was read of them); links are removed,
  never followed;
- reports/<Y>/: check-report workbooks (copies of the coordinators' workbooks, the overview)
  and e-mail texts redacted;
- outbox/<Y>/: e-mails (.eml) removed, other files redacted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mint_census.schemas import questionnaire as q
from mint_census.sources.safety import inspect_file
from mint_census.sources.workbook import read_workbook
from mint_census.warehouse.retention import RetentionReport, apply_retention, cutoff_year
from mint_census.warehouse.scrub import holds_any, redact_text, redact_workbook, searchable

from .home import Home

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def personal_in(path: Path) -> set[str]:
    """The personal values (Kontakt cells) a received workbook holds, as read by the pipeline."""
    try:
        wb = read_workbook(path)
    except Exception:  # read_workbook never raises for a bad file; be safe anyway
        return set()
    return {c.text for c in wb.cells if c.text and q.FIELD_BY_KEY[c.field_key].personal}


def redactable(path: Path) -> bool:
    """A workbook openpyxl may open: it passed every safety check."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES and not inspect_file(path)


def _years(root: Path, cutoff: int) -> list[Path]:
    if not root.is_dir():
        return []
    return [d for d in sorted(root.iterdir()) if d.name.isdigit() and int(d.name) < cutoff and d.is_dir()
            and not d.is_symlink()]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_symlink() or p.is_file())


def run_retention(home: Home, keep_years: int, current_year: int | None = None,
                  dry_run: bool = False) -> RetentionReport:
    cutoff = cutoff_year(keep_years, current_year)
    report = apply_retention(home.warehouse, home.writer_lock, home.archive, keep_years=keep_years,
                             current_year=current_year, dry_run=dry_run, personal_in=personal_in,
                             redactable=redactable)
    inbox_years = _years(home.root / "inbox", cutoff)
    values = set(report.contact_values)
    for d in inbox_years:
        for p in _files(d):
            if not p.is_symlink() and redactable(p):
                values |= personal_in(p)
    needles = searchable(values)
    rel = lambda p: p.relative_to(home.root).as_posix()  # noqa: E731

    for d in inbox_years:
        for p in _files(d):
            if not p.is_symlink() and redactable(p):
                if holds_any(p, needles):
                    if not dry_run:
                        redact_workbook(p, p, needles)
                    report.inbox_redacted.append(rel(p))
            elif p.is_symlink() or p.suffix.lower() in WORKBOOK_SUFFIXES or holds_any(p, needles):
                if not dry_run:
                    p.unlink()
                report.inbox_removed.append(rel(p))

    for d in _years(home.reports_root, cutoff):
        for p in _files(d):
            if p.is_symlink():
                continue
            if _redact_output(p, needles, dry_run):
                report.reports_redacted.append(rel(p))

    for d in _years(home.root / "outbox", cutoff):
        for p in _files(d):
            if p.is_symlink() or p.suffix.lower() == ".eml":
                if not dry_run:
                    p.unlink()
                report.outbox_removed.append(rel(p))
            elif _redact_output(p, needles, dry_run):
                report.outbox_redacted.append(rel(p))
    for p in sorted(home.warehouse_dir.glob(f"{home.warehouse.name}.before-rebuild-*")):
        if not dry_run:  # earlier warehouse files kept by `rebuild` hold every contact
            p.unlink()
        report.warehouse_files_removed.append(rel(p))
    report.contact_values = set(needles)
    return report


def _redact_output(p: Path, needles: list[str], dry_run: bool) -> bool:
    """Redact one file we wrote ourselves (report, overview, mail text); True when it held a value."""
    if p.suffix.lower() in WORKBOOK_SUFFIXES:
        if holds_any(p, needles) or (p.name.endswith("_Pruefbericht.xlsx") and _has_personal_cells(p)):
            if not dry_run:
                redact_workbook(p, p, needles)
            return True
        return False
    if holds_any(p, needles):
        if not redact_text(p, needles, dry_run) and not dry_run:
            p.unlink()  # a value inside a packed file that is not a workbook: remove the file
        return True
    return False


def _has_personal_cells(p: Path) -> bool:
    from mint_census.publications.checkreports.redact import redact_report
    return redact_report(p, set(), dry_run=True)
