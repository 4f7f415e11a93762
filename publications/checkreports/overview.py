"""The staff overview of a census year: `reports/<Y>/uebersicht.xlsx`.

One row per network counted in the year (status accepted, accepted with warnings,
rejected, missing; errors, warnings, file, date) plus files whose network could not be
told, a sheet listing the networks that have not sent anything yet, and the counts.
`write_overview` returns the rows, which the flow also shows as a Prefect table artifact.
No personal data: the register holds none, and the overview shows IDs, names of
networks, counts and file names only.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from mint_census.schemas import vocabularies as voc
from mint_census.schemas.findings import (ACCEPTED, MISSING, REJECTED, STATUS_DE, SUPERSEDED,
                                          WITH_WARNINGS)
from mint_census.schemas.formulas import neutralise

from ..files import atomic_path

OVERVIEW_FILE = "uebersicht.xlsx"

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
        "SELECT network_id, network_name, land_code FROM pub.network_years WHERE census_year = ? "
        "ORDER BY network_id", [year]).fetchall()
    subs = con.execute(
        "SELECT s.network_id, s.file_name, s.status, s.errors, s.warnings, s.received_at, s.loaded "
        "FROM meta.submissions s LEFT JOIN meta.runs r USING (run_id) WHERE s.census_year = ? "
        "AND s.status <> ? ORDER BY r.started_at NULLS FIRST, s.received_at, s.file_name",
        [year, SUPERSEDED]).fetchall()
    loaded_names = dict(con.execute(
        "SELECT network_id, network_name FROM core.networks WHERE census_year = ?", [year]).fetchall())
    loaded = set(loaded_names)
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
        if nid in names and nid in loaded and _same(loaded_names[nid], name) is False:
            note = "; ".join(filter(None, [note, f"Name im Bogen „{loaded_names[nid]}“ weicht vom "
                                                 f"Netzwerkverzeichnis ab (Verzeichnis: „{name}“)"]))
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


HISTORY_COLUMNS = ("Netzwerk-ID", "Datei", "Eingang", "Status", "Fehler", "Hinweise")


def submission_history(con, year: int) -> list[dict]:
    """Every file received for `year`, oldest first: the history of corrections per network."""
    rows = con.execute(
        "SELECT s.network_id, s.file_name, s.received_at, s.status, s.errors, s.warnings "
        "FROM meta.submissions s LEFT JOIN meta.runs r USING (run_id) WHERE s.census_year = ? "
        "ORDER BY s.network_id NULLS LAST, r.started_at NULLS FIRST, s.received_at, s.file_name",
        [year]).fetchall()
    return [{"Netzwerk-ID": nid, "Datei": name,
             "Eingang": received.strftime("%d.%m.%Y %H:%M") if isinstance(received, datetime) else None,
             "Status": STATUS_DE.get(status, status), "_status": status, "Fehler": errors, "Hinweise": warnings}
            for nid, name, received, status, errors, warnings in rows]


def _same(a, b) -> bool | None:
    """Two network names equal after Unicode normalisation, case and spaces; None if one is missing."""
    if not a or not b:
        return None
    key = lambda s: " ".join(unicodedata.normalize("NFC", s).split()).casefold()  # noqa: E731
    return key(a) == key(b)


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
    _sheet(wb.create_sheet("Einsendungen"), submission_history(con, year),
           HISTORY_COLUMNS, {"Datei": 36, "Eingang": 17, "Status": 24})
    counts = wb.create_sheet("Zahlen")
    for i, status in enumerate((ACCEPTED, WITH_WARNINGS, REJECTED, MISSING), start=1):
        counts.cell(i, 1, STATUS_DE[status])
        counts.cell(i, 2, sum(r["_status"] == status for r in rows))
    counts.column_dimensions["A"].width = 28
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
