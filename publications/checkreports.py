"""Check reports (Prüfberichte) for coordinators and the overview for staff, from meta.

`write_check_reports(con, run_id, year, outdir, home=None)`: for every workbook of the
run that was rejected or accepted with warnings, `reports/<Y>/` gets
- `<network or file>_Pruefbericht.xlsx`: the coordinator's own workbook (the archived
  copy) with every problem cell highlighted and commented, and a first sheet listing
  every finding (see publications.checkreport_xlsx);
- `<network or file>_Pruefbericht.txt`: the short German text for the e-mail body.

`write_overview(con, year, out)`: `reports/<Y>/uebersicht.xlsx` for staff, one row per
network that is counted in the year (status accepted, accepted with warnings, rejected,
missing; errors, warnings, file, date) plus files whose network could not be told,
and a sheet listing the networks that have not sent anything yet. It returns the rows,
which the flow also publishes as a Prefect table artifact.

No personal data: findings never carry it (schemas.messages.shown_value), the register
holds none, and the overview shows IDs, names of networks, counts and file names only.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from mint_census.schemas import vocabularies as voc
from mint_census.schemas.findings import (ACCEPTED, MISSING, REJECTED, STATUS_DE, SUPERSEDED, WITH_WARNINGS,
                              Finding)

from .checkreport_xlsx import ReportInfo, mail_text, write_mail_text, write_report_workbook
from .files import atomic_path
from .safe import neutralise

OVERVIEW_FILE = "uebersicht.xlsx"
FINDING_COLUMNS = ("severity", "code", "message_de", "message_en", "sheet", "cell", "field_key",
                   "field_label", "found", "expected")


def _name(network_id: str | None, file_name: str) -> str:
    base = network_id or Path(file_name).stem
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in base)[:80]


def home_of(con) -> Path | None:
    """The --home directory of a warehouse connection (<home>/warehouse/<file>), if file-backed."""
    try:
        row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                          ).fetchone()
    except Exception:  # noqa: BLE001 - older DuckDB or in-memory: no archive to copy from
        return None
    if not row or not row[0] or row[0] == ":memory:":
        return None
    return Path(row[0]).resolve().parent.parent


def findings_of(con, run_id: str, sha: str) -> list[Finding]:
    rows = con.execute(f"SELECT {', '.join(FINDING_COLUMNS)} FROM meta.findings WHERE run_id = ? "
                       "AND file_sha256 = ?", [run_id, sha]).fetchall()
    return [Finding(**dict(zip(FINDING_COLUMNS, r))) for r in rows]


def write_check_reports(con, run_id: str, year: int, outdir: Path, home: Path | None = None) -> list[Path]:
    """Write the report workbook and the e-mail text of every rejected or warned file of the run.

    `home` locates the archive (meta.submissions.archive_path is relative to it); by default
    it is derived from the warehouse file. Without the archived copy the workbook holds the
    findings sheet only. Returns the written paths (xlsx and txt of each file).
    """
    home = home or home_of(con)
    subs = con.execute(
        "SELECT file_sha256, file_name, network_id, status, errors, warnings, archive_path "
        "FROM meta.submissions WHERE run_id = ? AND status <> 'accepted' "
        "ORDER BY network_id NULLS LAST, file_name", [run_id]).fetchall()
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    for sha, file_name, network_id, status, errors, warnings, archive_path in subs:
        base = _name(network_id, file_name)
        if base in used:
            base = f"{base}_{sha[:8]}"
        used.add(base)
        info = ReportInfo(year, file_name, network_id, status, errors or 0, warnings or 0)
        findings = findings_of(con, run_id, sha)
        source = (home / archive_path) if home is not None and archive_path else None
        xlsx = write_report_workbook(outdir / f"{base}_Pruefbericht.xlsx", info, findings, source)
        txt = write_mail_text(outdir / f"{base}_Pruefbericht.txt", mail_text(info, findings, xlsx.name))
        written += [xlsx, txt]
    return written


# --- the overview for staff -----------------------------------------------------------

OVERVIEW_COLUMNS = ("Netzwerk-ID", "Netzwerk", "Bundesland", "Status", "Fehler", "Hinweise", "Datei",
                    "Eingang", "Daten übernommen", "Vorjahr beantwortet", "Bemerkung")
STATUS_FILL = {REJECTED: "F8B4B4", WITH_WARNINGS: "FFE699", ACCEPTED: "C6EFCE", MISSING: "D9D9D9"}


def overview_rows(con, year: int) -> list[dict]:
    """One row per network counted in `year` (register), plus files of no known network.

    The status is that of the network's latest file of the year (over all runs; a file
    superseded by a newer one in the same inbox is skipped); "Daten übernommen" says
    whether the warehouse holds accepted answers of the year (perhaps from an earlier file).
    """
    counted = con.execute(
        "SELECT network_id, network_name, land_code FROM core.register WHERE first_census_year <= ? "
        "AND (end_year IS NULL OR end_year > ?) ORDER BY network_id", [year, year]).fetchall()
    subs = con.execute(
        "SELECT s.network_id, s.file_name, s.status, s.errors, s.warnings, s.received_at, s.loaded "
        "FROM meta.submissions s LEFT JOIN meta.runs r USING (run_id) WHERE s.census_year = ? "
        "AND s.status <> ? ORDER BY r.started_at NULLS FIRST, s.received_at, s.file_name",
        [year, SUPERSEDED]).fetchall()
    loaded = {r[0] for r in con.execute(
        "SELECT DISTINCT network_id FROM core.networks WHERE census_year = ?", [year]).fetchall()}
    answered_before = {r[0] for r in con.execute(
        "SELECT DISTINCT network_id FROM core.networks WHERE census_year = ?", [year - 1]).fetchall()}
    latest: dict[str, tuple] = {}
    unknown_files: list[tuple] = []
    for s in subs:
        if s[0]:
            latest[s[0]] = s          # ordered: the last one wins
        else:
            unknown_files.append(s)
    names = {nid: (name, land) for nid, name, land in counted}
    rows = []
    for nid in [n for n, _, _ in counted] + sorted(set(latest) - set(names)):
        name, land = names.get(nid, (None, None))
        s = latest.get(nid)
        note = ""
        if nid not in names:
            note = "nicht im Netzwerkverzeichnis für dieses Jahr"
        if s is None:
            status, errors, warnings, file_name, received = MISSING, None, None, None, None
            if nid in answered_before:
                note = f"hat {year - 1} geantwortet, {year} noch nichts eingesandt"
        else:
            _, file_name, status, errors, warnings, received, _ = s
            if status == REJECTED and nid in loaded:
                note = "frühere angenommene Angaben bleiben gültig"
        rows.append({
            "Netzwerk-ID": nid, "Netzwerk": name, "Bundesland": voc.LAND_NAME.get(land, land),
            "Status": STATUS_DE.get(status, status), "_status": status, "Fehler": errors,
            "Hinweise": warnings, "Datei": file_name,
            "Eingang": received.strftime("%d.%m.%Y %H:%M") if isinstance(received, datetime) else None,
            "Daten übernommen": "ja" if nid in loaded else "nein",
            "Vorjahr beantwortet": "ja" if nid in answered_before else "nein",
            "Bemerkung": note})
    for _, file_name, status, errors, warnings, received, _ in unknown_files:
        rows.append({
            "Netzwerk-ID": None, "Netzwerk": None, "Bundesland": None,
            "Status": STATUS_DE.get(status, status), "_status": status, "Fehler": errors,
            "Hinweise": warnings, "Datei": file_name,
            "Eingang": received.strftime("%d.%m.%Y %H:%M") if isinstance(received, datetime) else None,
            "Daten übernommen": "nein", "Vorjahr beantwortet": None,
            "Bemerkung": "Netzwerk nicht erkennbar (Datei nicht lesbar oder kein Erhebungsbogen)"})
    return rows


def missing_networks(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["_status"] == MISSING]


def _sheet(ws, rows: list[dict], columns: tuple[str, ...], widths: dict[str, int]) -> None:
    for col, head in enumerate(columns, start=1):
        c = ws.cell(1, col, head)
        c.font, c.fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
        ws.column_dimensions[c.column_letter].width = widths.get(head, 14)
    for r, row in enumerate(rows, start=2):
        for col, head in enumerate(columns, start=1):
            v = row.get(head)
            ws.cell(r, col, neutralise(v) if isinstance(v, str) else v)
        fill = STATUS_FILL.get(row.get("_status"))
        if fill and "Status" in columns:
            ws.cell(r, columns.index("Status") + 1).fill = PatternFill("solid", fgColor=fill)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{ws.cell(1, len(columns)).column_letter}{len(rows) + 1}"


def write_overview(con, year: int, out: Path) -> list[dict]:
    """Write reports/<Y>/uebersicht.xlsx; return its rows (for a Prefect table artifact)."""
    rows = overview_rows(con, year)
    wb = Workbook()
    ws = wb.active
    ws.title = "Übersicht"
    widths = {"Netzwerk": 40, "Status": 24, "Datei": 36, "Eingang": 17, "Bemerkung": 50, "Bundesland": 22,
              "Daten übernommen": 10, "Vorjahr beantwortet": 10}
    _sheet(ws, rows, OVERVIEW_COLUMNS, widths)
    missing = missing_networks(rows)
    _sheet(wb.create_sheet("Fehlt noch"), missing,
           ("Netzwerk-ID", "Netzwerk", "Bundesland", "Vorjahr beantwortet", "Bemerkung"), widths)
    counts = wb.create_sheet("Zahlen")
    for i, status in enumerate((ACCEPTED, WITH_WARNINGS, REJECTED, MISSING), start=1):
        counts.cell(i, 1, STATUS_DE[status])
        counts.cell(i, 2, sum(r["_status"] == status for r in rows))
    counts.column_dimensions["A"].width = 28
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
