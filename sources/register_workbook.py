"""register.xlsx: the register as staff edit it in Excel or LibreOffice.

Sheet *Netzwerke*: one row per network as it is now (Netzwerk-ID, Name, Art, Bundesland,
Kreis 1 … Kreis 8), with dropdowns for Art, Bundesland and each Kreis (by name, „Köln, Stadt
(05315)“). Sheet *Ereignisse*: the dated history (Netzwerk-ID, Datum, Ereignis, vorher,
Nachfolger, Bemerkung) with a dropdown of the events. Sheet *Hinweise* explains both; a
hidden sheet *Listen* feeds the dropdowns. Reading (python-calamine) gives the string
tables that sources.register.build_register checks; nothing is loaded from a workbook with
a problem.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mint_census.schemas import vocabularies as voc
from mint_census.schemas.formulas import neutralise

from .register import EVENT_COLUMNS, HEADERS_DE, RegisterError, _err, register_tables

S_NETWORKS, S_EVENTS, S_HELP, S_LISTS = "Netzwerke", "Ereignisse", "Hinweise", "Listen"
KREIS_COLUMNS = 8
NETWORK_HEADERS = ("Netzwerk-ID", "Name", "Art", "Bundesland") + tuple(f"Kreis {i}" for i in range(1, KREIS_COLUMNS + 1))
EVENT_HEADERS = ("Netzwerk-ID", "Datum", "Ereignis", "vorher", "Nachfolger (Netzwerk-ID)", "Bemerkung")
ROWS = 1000  # rows with dropdowns (room for new networks and events)
HELP = (
    "Netzwerkverzeichnis der MINT-Regionen",
    "",
    "Blatt „Netzwerke“: jedes Netzwerk, das je gezählt wurde, mit seinem heutigen Namen, seiner Art, seinem "
    "Bundesland und seinen Kreisen (Auswahlliste nach Namen). Die Netzwerk-ID bleibt für immer dieselbe.",
    "Blatt „Ereignisse“: die Geschichte jedes Netzwerks, ein Ereignis je Zeile mit Datum (TT.MM.JJJJ):",
    "  gegründet – Gründung; aufgenommen – ab diesem Jahr wird das Netzwerk gezählt;",
    "  umbenannt – in „vorher“ den bisherigen Namen eintragen (der neue steht im Blatt Netzwerke);",
    "  Gebiet geändert – in „vorher“ die bisherigen Kreise (durch „;“ getrennt);",
    "  Land geändert – in „vorher“ das bisherige Bundesland;",
    "  pausiert / wieder aufgenommen – in den Jahren dazwischen wird das Netzwerk nicht gezählt, es behält seine ID;",
    "  fusioniert – in „Nachfolger“ die Netzwerk-ID des Netzwerks, in dem es aufgegangen ist; aufgelöst – Ende.",
    "Ein Ereignis gilt ab dem Erhebungsjahr seines Datums.",
    "Einlesen: mint-census register import --file register.xlsx (ein Verzeichnis mit Fehlern wird nicht "
    "übernommen; jede Meldung nennt Blatt und Zeile).",
)


def kreis_label(code: str, name: str) -> str:
    return f"{name} ({code})"


def write_register_workbook(register: pd.DataFrame, path: Path,
                            kreise: list[tuple[str, str]] | None = None) -> Path:
    """register.xlsx with the networks, the events and dropdowns (Kreise by name when `kreise`
    — (code, name) pairs of the reference data — is given)."""
    nets, ev = register_tables(register)
    names = dict(kreise or [])
    wb = Workbook()
    ws = wb.active
    ws.title = S_NETWORKS
    bold, head = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    ws.append(list(NETWORK_HEADERS))
    for r in nets.itertuples(index=False):
        ks = [k for k in r.kreise.split(";") if k]
        labels = [kreis_label(k, names[k]) if k in names else k for k in ks]
        if len(labels) > KREIS_COLUMNS:
            labels = labels[:KREIS_COLUMNS - 1] + ["; ".join(labels[KREIS_COLUMNS - 1:])]
        ws.append([neutralise(v) for v in (r.network_id, r.network_name, r.network_type,
                                           voc.LAND_NAME.get(r.land_code, r.land_code), *labels)])
    es = wb.create_sheet(S_EVENTS)
    es.append(list(EVENT_HEADERS))
    for r in ev.itertuples(index=False):
        d = date.fromisoformat(r.event_date)
        prev = r.previous
        if r.event == voc.REGISTER_EVENT_LABEL["land_changed"]:
            prev = voc.LAND_NAME.get(prev, prev)
        elif r.event == voc.REGISTER_EVENT_LABEL["area_changed"]:
            prev = "; ".join(kreis_label(k, names[k]) if k in names else k for k in prev.split(";") if k)
        es.append([neutralise(v) for v in (r.network_id, d, r.event, prev, r.successor_id, r.note)])
        es.cell(es.max_row, 2).number_format = "DD.MM.YYYY"
    hs = wb.create_sheet(S_HELP)
    for line in HELP:
        hs.append([line])
    hs["A1"].font = Font(bold=True, size=13)
    hs.column_dimensions["A"].width = 120
    ls = wb.create_sheet(S_LISTS)
    lists = {"A": list(voc.NETWORK_TYPES), "B": [n for _, _, n in voc.LAENDER],
             "C": [lbl for _, lbl in voc.REGISTER_EVENTS],
             "D": [kreis_label(c, n) for c, n in sorted(kreise or [], key=lambda t: t[1])]}
    for col, values in lists.items():
        for i, v in enumerate(values, start=1):
            ls[f"{col}{i}"] = v
    ls.sheet_state = "hidden"

    def dropdown(sheet, col_range: str, list_col: str, n: int) -> None:
        if n == 0:
            return
        dv = DataValidation(type="list", formula1=f"={S_LISTS}!${list_col}$1:${list_col}${n}", allow_blank=True)
        dv.error, dv.errorTitle, dv.showErrorMessage = "Bitte einen Wert aus der Liste wählen.", "Ungültiger Wert", True
        sheet.add_data_validation(dv)
        dv.add(col_range)

    dropdown(ws, f"C2:C{ROWS}", "A", len(lists["A"]))
    dropdown(ws, f"D2:D{ROWS}", "B", len(lists["B"]))
    if lists["D"]:
        dropdown(ws, f"E2:{get_column_letter(4 + KREIS_COLUMNS)}{ROWS}", "D", len(lists["D"]))
    dropdown(es, f"C2:C{ROWS}", "C", len(lists["C"]))
    for sheet, widths in ((ws, [12, 48, 26, 22] + [30] * KREIS_COLUMNS), (es, [12, 12, 20, 48, 22, 40])):
        for i, w in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = w
        for c in sheet[1]:
            c.font, c.fill = bold, head
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _sheet(book, name: str, where: str) -> pd.DataFrame:
    if name not in book.sheet_names:
        raise RegisterError([_err("register_columns", where=where, columns=f"Blatt „{name}“",
                                  expected=f"die Blätter „{S_NETWORKS}“ und „{S_EVENTS}“")])
    rows = book.get_sheet_by_name(name).to_python()
    if not rows:
        return pd.DataFrame()
    header = [_cell_text(h).strip() for h in rows[0]]
    body = [[_cell_text(v) for v in r] + [""] * (len(header) - len(r)) for r in rows[1:]]
    df = pd.DataFrame([r[:len(header)] for r in body], columns=header, dtype=object)
    df = df[[c for c in df.columns if c]]
    return df[(df != "").any(axis=1)] if not df.empty else df


def read_register_workbook(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(networks, events) of a register.xlsx as strings, Kreis columns joined into `kreise`
    (row numbers kept: index i is sheet row i + 2)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one message
        raise RegisterError(f"{path.name}: keine lesbare Excel-Arbeitsmappe ({exc})") from None
    nets = _sheet(book, S_NETWORKS, path.name)
    kcols = [c for c in nets.columns if c.startswith("Kreis ")]
    if kcols:
        nets["Kreise"] = nets[kcols].apply(lambda r: ";".join(v for v in r if v.strip()), axis=1)
        nets = nets.drop(columns=kcols)
    ev = _sheet(book, S_EVENTS, path.name)
    ev = ev.rename(columns={h: HEADERS_DE.get(h, h) for h in ev.columns})
    for c in EVENT_COLUMNS:
        if c not in ev.columns and not ev.empty:
            ev[c] = ""
    if ev.empty:
        ev = pd.DataFrame(columns=list(EVENT_COLUMNS))
    return nets, ev
