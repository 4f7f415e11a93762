"""Retention: remove personal data older than a retention period, keep the statistics.

Personal data (the coordinator's name, e-mail and phone from the Kontakt sheet) is kept
for the last `keep_years` census years (counting the current calendar year) and then removed,
with `apply_retention(warehouse, lock_file, archive_dir, keep_years)`; with keep_years = 3 in
2025, the years 2023-2025 keep their contacts and everything before 2023 loses them:

- `private.contacts`: rows of census years before the cutoff are deleted;
- `meta.findings` and `meta.submissions`: every occurrence of a removed value in their texts
  (found, expected, messages, file names) of those years is replaced by "[entfernt]";
- `archive/`: each received workbook of those years is replaced by a redacted copy
  (warehouse/scrub.py: the Kontakt cells emptied, every statistical cell kept), archived
  under the copy's own SHA-256; meta.submissions.archive_path points to the copy and
  `meta.retention` records the original hash, the copy's key and why. A file that cannot be
  redacted safely (rejected by the safety checks: it has no statistics) is deleted. So the
  archive stays the source of truth for everything but the contact sheet (`rebuild` reads it),
  and `check-warehouse` still traces every core row to its source.
- the warehouse file is then rewritten (warehouse/vacuum.py), so that no deleted value stays
  in freed blocks of the file.
- the removed contact values are returned (`RetentionReport.contact_values`), so that the
  caller can redact other copies (inbox, check reports, e-mails: flows/retention.py).

Everything in the warehouse happens in one transaction; old archive files are removed after it
commits (a crash in between leaves originals that the next retention run removes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from .archive import archive_key, archived, sha256_file
from .connection import connect, transaction
from .scrub import REPLACEMENT, holds_any, redact_workbook, searchable
from .vacuum import rewrite_warehouse

DEFAULT_KEEP_YEARS = 3
FINDING_TEXTS = ("found", "expected", "message_de", "message_en", "field_label")


@dataclass
class RetentionReport:
    keep_years: int
    cutoff_year: int                  # census years < cutoff_year lost their personal data
    contacts_removed: int = 0
    findings_redacted: int = 0
    archive_files_redacted: list[str] = field(default_factory=list)
    archive_files_removed: list[str] = field(default_factory=list)
    reports_redacted: list[str] = field(default_factory=list)
    inbox_redacted: list[str] = field(default_factory=list)
    inbox_removed: list[str] = field(default_factory=list)
    outbox_redacted: list[str] = field(default_factory=list)
    outbox_removed: list[str] = field(default_factory=list)
    warehouse_rewritten: bool = False
    warehouse_files_removed: list[str] = field(default_factory=list)  # old files kept by `rebuild`
    dry_run: bool = False
    contact_values: set[str] = field(default_factory=set, repr=False)  # never printed or logged

    def lines(self) -> list[str]:
        would = self.dry_run
        rm, rd = ("would remove", "would redact") if would else ("removed", "redacted")
        out = [f"retention {self.keep_years} years: personal data of census years before {self.cutoff_year}",
               f"  private.contacts: {rm} {self.contacts_removed} rows",
               f"  meta.findings/meta.submissions: {rd} {self.findings_redacted} texts",
               f"  archive: {rd} {len(self.archive_files_redacted)} received workbooks (Kontakt sheet emptied, "
               f"statistics kept), {rm} {len(self.archive_files_removed)} unreadable files",
               f"  inbox: {rd} {len(self.inbox_redacted)} workbooks, {rm} {len(self.inbox_removed)} other entries",
               f"  reports: {rd} {len(self.reports_redacted)} check-report files",
               f"  outbox: {rd} {len(self.outbox_redacted)} files, {rm} {len(self.outbox_removed)} e-mails",
               "  warehouse file: " + ("would be rewritten" if would else
                                       "rewritten without freed blocks" if self.warehouse_rewritten else
                                       "unchanged")]
        for label, items in (("archive redacted", self.archive_files_redacted),
                             ("archive removed", self.archive_files_removed),
                             ("inbox redacted", self.inbox_redacted), ("inbox removed", self.inbox_removed),
                             ("reports", self.reports_redacted),
                             ("warehouse removed", self.warehouse_files_removed),
                             ("outbox redacted", self.outbox_redacted), ("outbox removed", self.outbox_removed)):
            out += [f"    {label}: {p}" for p in items]
        return out


def cutoff_year(keep_years: int, current_year: int | None = None) -> int:
    if keep_years < 0:
        raise ValueError("keep_years must be 0 or more")
    return (current_year or date.today().year) - keep_years + 1  # keep the last keep_years census years


def apply_retention(warehouse: Path, lock_file: Path, archive_dir: Path, keep_years: int = DEFAULT_KEEP_YEARS,
                    current_year: int | None = None, dry_run: bool = False,
                    personal_in: Callable[[Path], set[str]] | None = None,
                    redactable: Callable[[Path], bool] | None = None) -> RetentionReport:
    """Delete contacts, redact findings and archived workbooks of census years past retention,
    then rewrite the warehouse file.

    `personal_in(path)` returns the personal values held in an archived file (read by the
    caller); `redactable(path)` says whether the file may be opened to redact it (it passed
    the safety checks). Without them, archived files are only searched for the contacts of
    private.contacts, and every archived file is treated as redactable.
    """
    cutoff = cutoff_year(keep_years, current_year)
    report = RetentionReport(keep_years, cutoff, dry_run=dry_run)
    command = f"retention --keep-years {keep_years}"
    con = connect(warehouse, lock_file=lock_file, read_only=dry_run, command=command)
    try:
        contacts = con.execute(
            "SELECT contact_name, contact_email, contact_phone FROM private.contacts "
            "WHERE census_year < ?", [cutoff]).fetchall()
        report.contacts_removed = len(contacts)
        values = {str(v) for row in contacts for v in row if v}
        files = con.execute(
            "SELECT file_sha256, min(archive_path), min(census_year), min(network_id) FROM meta.submissions "
            "WHERE census_year < ? GROUP BY file_sha256 ORDER BY 2", [cutoff]).fetchall()
        try:
            done = {r[0] for r in con.execute("SELECT file_sha256 FROM meta.retention").fetchall()}
        except duckdb.CatalogException:  # dry run on a warehouse created before retention existed
            done = set()
        todo = [f for f in files if f[0] not in done and f[1] and archived(archive_dir, f[1]).is_file()]
        for _sha, rel, _y, _nid in todo:
            if personal_in is not None:
                values |= personal_in(archived(archive_dir, rel))
        needles = searchable(values)
        leftovers = [archived(archive_dir, archive_key(Path(r[1]), r[0])) for r in files if r[0] in done]
        leftovers = [p for p in leftovers if p.is_file()]  # originals a crashed run left behind

        redacted: dict[str, str] = {}   # original sha -> key of the redacted copy
        for sha, rel, _y, _nid in todo:
            src = archived(archive_dir, rel)
            if (redactable is None or redactable(src)) and src.suffix.lower() in (".xlsx", ".xlsm"):
                if not dry_run:
                    key = _redacted_copy(archive_dir, src, needles)
                    if key is not None:
                        redacted[sha] = key
                        report.archive_files_redacted.append(rel)
                        continue
                else:
                    report.archive_files_redacted.append(rel)
                    continue
            report.archive_files_removed.append(rel)

        report.findings_redacted = _count_texts(con, cutoff, needles)
        if not dry_run:
            now = datetime.now(timezone.utc).replace(tzinfo=None)
            with transaction(con):
                con.execute("DELETE FROM private.contacts WHERE census_year < ?", [cutoff])
                # earlier assessments hold findings as written then: the next ingest reads such files again
                con.execute("DELETE FROM meta.assessments WHERE census_year < ?", [cutoff])
                _redact_texts(con, cutoff, needles)
                rows = []
                for sha, rel, y, nid in todo:
                    if sha in redacted:
                        con.execute("UPDATE meta.submissions SET archive_path = ? WHERE file_sha256 = ?",
                                    [redacted[sha], sha])
                        why = (f"retention period {keep_years} years: Kontakt sheet redacted, "
                               f"redacted copy archived as {redacted[sha]}")
                    else:
                        why = f"retention period {keep_years} years: file removed (not a readable workbook)"
                    rows.append((sha, rel, y, nid, now, why))
                for sha, rel, y, nid in files:  # files already gone (earlier runs) are recorded too
                    if sha not in done and not any(r[0] == sha for r in rows):
                        rows.append((sha, rel, y, nid, now, f"retention period {keep_years} years"))
                if rows:
                    con.executemany("INSERT INTO meta.retention VALUES (?, ?, ?, ?, ?, ?)", rows)
            con.execute("CHECKPOINT")
    finally:
        con.close()
    report.contact_values = set(needles)
    if not dry_run:
        for _sha, rel, _y, _nid in todo:
            archived(archive_dir, rel).unlink(missing_ok=True)
        for p in leftovers:
            p.unlink(missing_ok=True)
        rewrite_warehouse(warehouse, lock_file, command)
        report.warehouse_rewritten = True
    return report


def _redacted_copy(archive_dir: Path, src: Path, needles: list[str]) -> str | None:
    """Archive a redacted copy of `src` under its own hash; None when redaction failed."""
    tmp = src.with_name(f".{src.name}.redacted.tmp")
    try:
        redact_workbook(src, tmp, needles)
        if holds_any(tmp, needles):
            return None
        sha = sha256_file(tmp)
        key = archive_key(src, sha)
        dest = archived(archive_dir, key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            tmp.unlink()
        else:
            tmp.replace(dest)
        return key
    except Exception:  # an odd workbook openpyxl cannot rewrite: remove it instead
        return None
    finally:
        tmp.unlink(missing_ok=True)


def _count_texts(con, cutoff: int, needles: list[str]) -> int:
    n = 0
    for v in needles:
        cond = " OR ".join(f"contains({c}, ?)" for c in FINDING_TEXTS)
        n += con.execute(f"SELECT count(*) FROM meta.findings WHERE census_year < ? AND ({cond})",
                         [cutoff, *[v] * len(FINDING_TEXTS)]).fetchone()[0]
        n += con.execute("SELECT count(*) FROM meta.submissions WHERE census_year < ? AND contains(file_name, ?)",
                         [cutoff, v]).fetchone()[0]
    return n


def _redact_texts(con, cutoff: int, needles: list[str]) -> None:
    sets = ", ".join(f"{c} = replace({c}, ?, ?)" for c in FINDING_TEXTS)
    for v in needles:
        con.execute(f"UPDATE meta.findings SET {sets} WHERE census_year < ?",
                    [*[v, REPLACEMENT] * len(FINDING_TEXTS), cutoff])
        con.execute("UPDATE meta.submissions SET file_name = replace(file_name, ?, ?) WHERE census_year < ?",
                    [v, REPLACEMENT, cutoff])
