"""The register of networks (Netzwerkverzeichnis), kept by staff, and its history as dated events.

Two tables (CSV files in the home, or two sheets of register.xlsx, see register_workbook):

- the networks (`register.csv`): one row per network ever admitted, as it is *now*: stable
  ID, name, type, Land, Kreise;
- the events (`register_events.csv`): one row per dated event of a network's history:
  gegründet, aufgenommen, umbenannt, Gebiet geändert, Land geändert, pausiert,
  wieder aufgenommen, fusioniert (in a successor), aufgelöst. A change event carries the
  value *before* the change (`previous`), so every earlier version of an entry follows from
  the current row and the events.

An event takes effect in the census year of its date. From the events follow the counts
per year (`counted`), the derived columns of core.register (founded_year,
first_census_year, end_year, end_reason, successor_id) and core.register_history
(`history`). A register.csv of the first format (columns first_census_year, end_year, …
and no events file) still loads: its events are derived from those columns.

The normalised register is a DataFrame with COLUMNS; its events travel with it in
`df.attrs["events"]` (`events_of`). Reading never returns a register with a problem:
RegisterError lists every problem with its line, in German (str) and English (`.english`).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable

import pandas as pd
import pandera.pandas as pa

from mint_census.schemas import catalogue
from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

log = logging.getLogger(__name__)

# core.register: the networks with the columns derived from their events
COLUMNS = ("network_id", "network_name", "network_type", "land_code", "founded_year",
           "first_census_year", "end_year", "end_reason", "successor_id", "kreise")
NETWORK_COLUMNS = ("network_id", "network_name", "network_type", "land_code", "kreise")
LEGACY_COLUMNS = ("founded_year", "first_census_year", "end_year", "end_reason", "successor_id")
EVENT_COLUMNS = ("network_id", "event_date", "event", "previous", "successor_id", "note")
END_REASONS = ("aufgelöst", "fusioniert")
END_REASON = {"dissolved": "aufgelöst", "merged": "fusioniert"}
EVENT_BY_TEXT = {t.casefold(): code for code, label in voc.REGISTER_EVENTS for t in (code, label)}
EVENT_BY_TEXT.update({"fusioniert in": "merged", "beendet": "dissolved", "pausiert/ruht": "paused"})
CHANGES = {"renamed": "network_name", "area_changed": "kreise", "land_changed": "land_code"}

# German headers (register.xlsx, and accepted in CSV files) -> column
HEADERS_DE = {
    "Netzwerk-ID": "network_id", "Name": "network_name", "Art": "network_type", "Bundesland": "land_code",
    "Kreise": "kreise", "Datum": "event_date", "Ereignis": "event", "vorher": "previous",
    "Nachfolger (Netzwerk-ID)": "successor_id", "Nachfolger": "successor_id", "Bemerkung": "note",
    "Gründungsjahr": "founded_year", "Erstes Erhebungsjahr": "first_census_year", "Endjahr": "end_year",
    "Grund des Endes": "end_reason",
}
COLUMN_DE = {"network_id": "Netzwerk-ID", "network_name": "Name", "network_type": "Art",
             "land_code": "Bundesland", "kreise": "Kreise", "event_date": "Datum", "event": "Ereignis",
             "previous": "vorher", "successor_id": "Nachfolger", "note": "Bemerkung",
             "founded_year": "Gründungsjahr", "first_census_year": "Erstes Erhebungsjahr",
             "end_year": "Endjahr", "end_reason": "Grund des Endes"}
EXPECTED = {  # column -> (German, English) of what a cell may hold
    "network_id": ("eine Netzwerk-ID der Form MR-001", "an ID like MR-001"),
    "network_name": ("ein Name", "a name"),
    "network_type": ("eine dieser Arten: " + ", ".join(voc.NETWORK_TYPES), "a network type"),
    "land_code": ("ein Bundesland (Name, Kürzel wie NW oder Schlüssel 01–16)", "a Land"),
    "kreise": ("Kreisschlüssel (5 Ziffern) oder Kreisnamen, mehrere durch „;“ getrennt", "Kreis codes"),
    "event_date": ("ein Datum (TT.MM.JJJJ oder JJJJ-MM-TT) oder ein Jahr ab 2000", "a date"),
    "event": ("eines dieser Ereignisse: " + ", ".join(label for _, label in voc.REGISTER_EVENTS), "an event"),
    "founded_year": ("ein Jahr ab 2000", "a year"),
    "first_census_year": (f"ein Erhebungsjahr ab {q.FIRST_CENSUS_YEAR}", "a census year"),
    "end_year": ("ein Jahr nach dem ersten Erhebungsjahr", "a year"),
    "end_reason": ("aufgelöst oder fusioniert", "aufgelöst or fusioniert"),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_KREIS_IN_TEXT = re.compile(r"\((\d{5})\)\s*$")


@dataclass(frozen=True)
class Problem:
    key: str
    de: str
    en: str


class RegisterError(ValueError):
    """The register cannot be used; lists every problem with its line (German; `.english` for logs)."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("register_value", problems, problems)]
        self.problems = problems
        shown = problems[:50]
        more = f"\n  … und {len(problems) - 50} weitere" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} Problem(e) im Netzwerkverzeichnis:\n  "
                         + "\n  ".join(p.de for p in shown) + more)

    @property
    def english(self) -> str:
        return "; ".join(p.en for p in self.problems[:50])


def _err(key: str, **values) -> Problem:
    de, en = catalogue.render(key, **{k: v for k, v in values.items()})
    return Problem(key, de, en)


class _Events:
    """The events of a register in df.attrs: compared by identity, never deep-copied (pandas
    copies attrs on every operation)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def __deepcopy__(self, memo):
        return self

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__


# --- the counting rule -------------------------------------------------------------------

def counted(register: pd.DataFrame, year: int) -> pd.Series:
    """Boolean mask over `register`: the networks counted in census `year`.

    The counting rule: a network is counted in census year Y when its last status event
    (aufgenommen, pausiert, wieder aufgenommen, fusioniert, aufgelöst) dated in a year <= Y is
    aufgenommen or wieder aufgenommen (events of one network in date order, same date in the
    order recorded). So a network ending in 2020 is counted in 2019 but not in 2020; one
    paused in 2018 and resumed in 2020 is not counted in 2018 and 2019 and keeps its ID. This is
    the one Python statement of the rule; the warehouse states it once in SQL (the view
    pub.network_years). tests/test_counting.py checks that both agree on every demo year.
    """
    ev = events_of(register)
    st = ev[ev["event"].isin(voc.STATUS_EVENTS) & (ev["census_year"] <= year)]
    last = st.sort_values(["network_id", "event_no"]).groupby("network_id").tail(1)
    ids = set(last.loc[last["event"].isin(voc.COUNTING_EVENTS), "network_id"])
    return register["network_id"].isin(ids).astype(bool)


def events_of(register: pd.DataFrame) -> pd.DataFrame:
    """The events of a register (from its attrs, else derived from the first format's columns)."""
    held = register.attrs.get("events")
    if isinstance(held, _Events):
        return held.frame
    return _number(_legacy_events(register, [], "register"))


# --- reading -------------------------------------------------------------------------------

def events_path(path: Path) -> Path:
    """The events file that belongs to a register CSV: register.csv -> register_events.csv."""
    return path.with_name(f"{path.stem}_events.csv")


def decode(data: bytes, where: str) -> str:
    """Text of a CSV as Excel or an editor saves it: UTF-8 (with or without BOM), UTF-16 (BOM, or
    without BOM when every other byte is zero), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] and data[2]:
        return data.decode("utf-16-le")
    if len(data) >= 4 and data[0:4:2] == b"\x00\x00" and data[1] and data[3]:
        return data.decode("utf-16-be")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RegisterError([_err("register_encoding", where=where)])


def read_csv_text(text: str) -> pd.DataFrame:
    """A CSV text as strings, with ';' or ',' (or tab) as separator, headers mapped to columns."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    sep = max((";", ",", "\t"), key=first.count) if first else ","
    df = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=sep, dtype=str, keep_default_na=False,
                     quoting=csv.QUOTE_MINIMAL)
    return _rename(df)


def _rename(df: pd.DataFrame) -> pd.DataFrame:
    df.columns = [HEADERS_DE.get(str(c).strip(), str(c).strip()) for c in df.columns]
    return df


_CHECKED: dict[tuple, pd.DataFrame] = {}  # file identities -> the checked register (this process)
_AHEAD: list[tuple] = []  # the identities checked by check_ahead (a warm process, before the command)


def _identity(path: Path) -> tuple:
    """The file's path and the SHA-256 of its bytes (None when it does not exist)."""
    import hashlib
    try:
        return (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError:
        return (str(path), None)


def read_register(path: Path, events: Path | None = None,
                  kreis_by_name: dict[str, str] | None = None) -> pd.DataFrame:
    """Read and check the register: a CSV with its events file beside it (`events_path`), or a
    register.xlsx (sheets Netzwerke and Ereignisse). Raises RegisterError (every problem).

    A register checked before in this process whose files are unchanged (path and SHA-256 of
    both files) is not checked again: a command checks it before its flow starts, the flow reads it."""
    path = Path(path)
    if kreis_by_name is None and path.is_file():
        ev_file = Path(events) if events is not None else events_path(path)
        key = (_identity(path), _identity(ev_file))
        if key not in _CHECKED:
            _CHECKED.clear()  # one register at a time
            checked = _read_register(path, events, None)
            if (_identity(path), _identity(ev_file)) != key:  # replaced while it was read: not kept
                return checked
            _CHECKED[key] = checked
        elif key in _AHEAD:
            _AHEAD.clear()  # said once per command
            log.info("network register %s: checked ahead by the warm process (files unchanged since)", path)
        return _CHECKED[key].copy()
    return _read_register(path, events, kreis_by_name)


def check_ahead(path: Path, events: Path) -> None:
    """Check the register in this process for a later command (flows/warm.py: the zygote, whose
    children inherit it); a register with problems raises RegisterError and is not kept."""
    _AHEAD.clear()
    read_register(path, events)
    _AHEAD[:] = list(_CHECKED)


def _read_register(path: Path, events: Path | None, kreis_by_name: dict[str, str] | None) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise RegisterError(f"Netzwerkverzeichnis nicht gefunden: {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from .register_workbook import read_register_workbook
        networks, ev = read_register_workbook(path)
        return build_register(networks, ev, f"{path.name}, Blatt Netzwerke", f"{path.name}, Blatt Ereignisse",
                              kreis_by_name)
    networks = read_csv_text(decode(path.read_bytes(), path.name))
    events = Path(events) if events is not None else events_path(path)
    ev = read_csv_text(decode(events.read_bytes(), events.name)) if events.is_file() else None
    return build_register(networks, ev, path.name, events.name, kreis_by_name)


def normalise_register(df: pd.DataFrame, name: str = "register", events: pd.DataFrame | None = None,
                       kreis_by_name: dict[str, str] | None = None) -> pd.DataFrame:
    """Type and check a register given as strings (first format, or networks plus `events`)."""
    return build_register(df, events, name, f"{name} (Ereignisse)", kreis_by_name)


def _text(v) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    s = str(v).strip()
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    return s or None


def _control_problems(df: pd.DataFrame, where: str) -> list[Problem]:
    out = []
    for col in df.columns:
        # one search over the column's text first: joined without a separator, it holds a control
        # character exactly when one of its values does (almost never; 0.1 s at 10,000 networks)
        if not _CONTROL.search("".join(v for v in df[col].tolist() if isinstance(v, str))):
            continue
        for i, v in df[col].items():
            if isinstance(v, str) and _CONTROL.search(v):
                ch = _CONTROL.search(v).group(0)
                out.append(_err("register_control", where=where, line=_line(i), column=COLUMN_DE.get(col, col),
                                char=f"U+{ord(ch):04X}", found=_CONTROL.sub("·", v)[:60]))
    return out


def _line(i) -> int:
    return int(i) + 2  # line 1 is the header


def _land(v) -> str | None:
    return voc.LAND_BY_TEXT.get(v.casefold()) if isinstance(v, str) else None


def parse_kreise(v, kreis_by_name: dict[str, str] | None = None) -> list[str] | None:
    """'05315;05316', 'Köln, Stadt (05315); Leverkusen' -> codes; None when a part is not a Kreis."""
    if v is None or (not isinstance(v, (str, list)) and pd.isna(v)):
        return []
    parts = v if isinstance(v, list) else [p for p in re.split(r"[;|\n]+", str(v)) if p.strip()]
    if not isinstance(v, list) and len(parts) == 1 and re.fullmatch(r"[\d ,]+", parts[0]):
        parts = [p for p in re.split(r"[ ,]+", parts[0]) if p]
    codes = []
    names = {k.casefold(): c for k, c in (kreis_by_name or {}).items()}
    for p in parts:
        p = str(p).strip()
        m = _KREIS_IN_TEXT.search(p)
        if m:
            codes.append(m.group(1))
        elif p.isdigit() and len(p) <= 5:
            codes.append(p.zfill(5))
        elif p.casefold() in names:
            codes.append(names[p.casefold()])
        else:
            return None
    return list(dict.fromkeys(codes))


def _date(v) -> date | None:
    if isinstance(v, date):
        return v
    if not isinstance(v, str):
        return None
    s = v.strip()
    for pat, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", "ymd"), (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"),
                       (r"(\d{4})", "y")):
        m = re.fullmatch(pat, s)
        if m:
            try:
                if order == "ymd":
                    d = date(int(m[1]), int(m[2]), int(m[3]))
                elif order == "dmy":
                    d = date(int(m[3]), int(m[2]), int(m[1]))
                else:
                    d = date(int(m[1]), 1, 1)
            except ValueError:
                return None
            return d if 2000 <= d.year <= 2100 else None
    return None


def _year(v) -> int | None:
    """A year from a cell; None when empty, -1 when not a year."""
    if v is None:
        return None
    try:
        y = int(float(v))
    except (TypeError, ValueError):
        return -1
    return y


def _schema_problems(df: pd.DataFrame, schema: pa.DataFrameSchema, where: str, raw: pd.DataFrame) -> list[Problem]:
    """Run a pandera schema lazily; one German message per failing cell, with its line."""
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    out, seen = [], set()
    for _, r in fc.iterrows():
        col, idx = r["column"], r["index"]
        if col is None or idx is None or (col, idx) in seen or pd.isna(idx):
            continue
        seen.add((col, idx))
        found = raw.at[idx, col] if col in raw.columns and idx in raw.index else r["failure_case"]
        de, en = EXPECTED.get(col, ("ein gültiger Wert", "a valid value"))
        out.append(_err("register_value", where=where, line=_line(idx), column=COLUMN_DE.get(col, col),
                        found="" if found is None else str(found), expected=de, expected_en=en))
    return sorted(out, key=lambda p: (int(re.search(r"Zeile (\d+)", p.de).group(1)), p.de))


_NETWORK_SCHEMA = pa.DataFrameSchema({
    "network_id": pa.Column(object, pa.Check(lambda s: s.map(lambda v: isinstance(v, str)
                                                              and re.match(q.NETWORK_ID_PATTERN, v) is not None),
                                             element_wise=False), nullable=False),
    "network_name": pa.Column(object, pa.Check(lambda s: s.map(lambda v: isinstance(v, str) and v != "")),
                              nullable=False),
    "network_type": pa.Column(object, pa.Check(lambda s: s.map(lambda v: v in voc.NETWORK_TYPES)), nullable=False),
    "land_code": pa.Column(object, pa.Check(lambda s: s.map(lambda v: isinstance(v, str))), nullable=False),
    "kreise": pa.Column(object, pa.Check(lambda s: s.map(lambda v: isinstance(v, list)
                                                          and all(re.fullmatch(r"\d{5}", k) for k in v))),
                        nullable=False),
}, strict=False, coerce=False)

_EVENT_SCHEMA = pa.DataFrameSchema({
    "network_id": _NETWORK_SCHEMA.columns["network_id"],
    "event_date": pa.Column(object, pa.Check(lambda s: s.map(lambda v: isinstance(v, date))), nullable=False),
    "event": pa.Column(object, pa.Check(lambda s: s.map(lambda v: v in voc.REGISTER_EVENT_LABEL)), nullable=False),
}, strict=False, coerce=False)

_LEGACY_SCHEMA = pa.DataFrameSchema({
    "founded_year": pa.Column(object, pa.Check(lambda s: s.map(lambda v: v is None or 2000 <= v <= 2100)),
                              nullable=True),
    "first_census_year": pa.Column(object, pa.Check(lambda s: s.map(
        lambda v: v is not None and q.FIRST_CENSUS_YEAR <= v <= 2100)), nullable=True),
    "end_year": pa.Column(object, pa.Check(lambda s: s.map(lambda v: v is None or 2000 <= v <= 2100)),
                          nullable=True),
    "end_reason": pa.Column(object, pa.Check(lambda s: s.map(lambda v: v is None or v in END_REASONS)),
                            nullable=True),
}, strict=False, coerce=False)


def build_register(networks: pd.DataFrame, events: pd.DataFrame | None, where: str = "register.csv",
                   events_where: str = "register_events.csv",
                   kreis_by_name: dict[str, str] | None = None) -> pd.DataFrame:
    """The checked register (COLUMNS, events in attrs) from string tables; RegisterError lists
    every problem with its file and line."""
    networks = _rename(networks.copy())  # the index gives the line: i + 2
    problems: list[Problem] = []
    legacy = events is None
    need = NETWORK_COLUMNS + (("first_census_year",) if legacy else ())
    missing = [c for c in need if c not in networks.columns]
    if missing:
        expected = ", ".join(need)
        if legacy and [c for c in NETWORK_COLUMNS if c not in networks.columns] == []:
            expected += f" (oder eine Ereignisdatei {events_where})"
        raise RegisterError([_err("register_columns", where=where, columns=", ".join(missing), expected=expected)])
    problems += _control_problems(networks, where)
    raw = networks.copy()
    nets = pd.DataFrame(index=networks.index)
    for c in ("network_id", "network_name", "network_type"):
        nets[c] = networks[c].map(_text).astype(object)
    nets["land_code"] = networks["land_code"].map(_text).map(_land).astype(object)
    nets["kreise"] = networks["kreise"].map(lambda v: parse_kreise(_text(v) if not isinstance(v, list) else v,
                                                                   kreis_by_name)).astype(object)
    problems += _schema_problems(nets, _NETWORK_SCHEMA, where, raw)
    first_line: dict[str, int] = {}
    for i, nid in nets["network_id"].items():
        if isinstance(nid, str):
            if nid in first_line:
                problems.append(_err("register_duplicate", where=where, line=_line(i), found=nid,
                                     first=first_line[nid]))
            else:
                first_line[nid] = _line(i)
    ids = set(first_line)
    if legacy:
        ev = _legacy_events(networks, problems, where)
    else:
        events = _rename(events.copy())
        missing = [c for c in ("network_id", "event_date", "event") if c not in events.columns]
        if missing:
            raise RegisterError(problems + [_err("register_columns", where=events_where, columns=", ".join(missing),
                                                 expected=", ".join(EVENT_COLUMNS))])
        for c in EVENT_COLUMNS:
            if c not in events.columns:
                events[c] = ""
        problems += _control_problems(events[list(EVENT_COLUMNS)], events_where)
        ev = pd.DataFrame(index=events.index)
        ev["network_id"] = events["network_id"].map(_text).astype(object)
        ev["event_date"] = events["event_date"].map(lambda v: _date(_text(v)) if not isinstance(v, date) else v
                                                    ).astype(object)
        ev["event"] = events["event"].map(lambda v: EVENT_BY_TEXT.get((_text(v) or "").casefold())).astype(object)
        for c in ("previous", "successor_id", "note"):
            ev[c] = events[c].map(_text).astype(object)
        ev["line"] = [_line(i) for i in events.index]
        problems += _schema_problems(ev, _EVENT_SCHEMA, events_where, events)
        for i, nid in ev["network_id"].items():
            if isinstance(nid, str) and re.match(q.NETWORK_ID_PATTERN, nid) and nid not in ids:
                problems.append(_err("register_unknown_id", where=events_where, line=_line(i), found=nid))
        ev = ev[ev["network_id"].isin(ids) & ev["event_date"].map(lambda v: isinstance(v, date))
                & ev["event"].notna()]
    ev = _number(ev)
    ev["previous"] = [_canonical_previous(e, p, kreis_by_name) for e, p in zip(ev["event"], ev["previous"])]
    current = nets.set_index("network_id", drop=False)
    derived = _check_histories(ev, current, ids, problems, events_where if not legacy else where, kreis_by_name)
    if problems:
        raise RegisterError(problems)
    out = nets.copy()
    for c in LEGACY_COLUMNS:
        out[c] = out["network_id"].map(lambda nid, c=c: derived.get(nid, {}).get(c))
    for c in ("founded_year", "first_census_year", "end_year"):
        out[c] = pd.array(out[c].tolist(), dtype="Int64")
    for c in ("network_id", "network_name", "network_type", "land_code", "end_reason", "successor_id"):
        out[c] = pd.Series([v if isinstance(v, str) else None for v in out[c]], index=out.index, dtype=object)
    out = out[list(COLUMNS)].reset_index(drop=True)
    ev = ev[["network_id", "event_no", "event_date", "census_year", "event", "previous", "successor_id", "note"]]
    ev = ev.sort_values(["network_id", "event_no"]).reset_index(drop=True)
    out.attrs["events"] = _Events(ev)
    return out


def _legacy_events(df: pd.DataFrame, problems: list[Problem], where: str) -> pd.DataFrame:
    """Events of a register of the first format: founded, admitted in first_census_year, and
    dissolved or merged in end_year."""
    typed = pd.DataFrame(index=df.index)
    for c in ("founded_year", "first_census_year", "end_year"):
        col = df[c] if c in df.columns else pd.Series(None, index=df.index, dtype=object)
        typed[c] = pd.Series([_year(_text(v)) for v in col], index=df.index, dtype=object)
    for c in ("end_reason", "successor_id"):
        typed[c] = (df[c] if c in df.columns else pd.Series(None, index=df.index)).map(_text).astype(object)
    raw = df.copy()
    for c in ("founded_year", "first_census_year", "end_year", "end_reason", "successor_id"):
        if c not in raw.columns:
            raw[c] = None
    problems += _schema_problems(typed, _LEGACY_SCHEMA, where, raw)
    rows = []
    for i in df.index:
        nid = _text(df.at[i, "network_id"])
        fy, first, end = typed.at[i, "founded_year"], typed.at[i, "first_census_year"], typed.at[i, "end_year"]
        reason, succ = typed.at[i, "end_reason"], typed.at[i, "successor_id"]
        line = _line(i)
        if isinstance(fy, int) and fy > 0:
            rows.append((nid, date(fy, 1, 1), "founded", None, None, None, line))
        if isinstance(first, int) and first > 0:
            rows.append((nid, date(first, 1, 1), "admitted", None, None, None, line))
        if isinstance(end, int) and end > 0:
            code = "merged" if reason == "fusioniert" else "dissolved"
            rows.append((nid, date(end, 1, 1), code, None, succ if code == "merged" else None, None, line))
    return pd.DataFrame(rows, columns=["network_id", "event_date", "event", "previous", "successor_id", "note",
                                       "line"])


def _canonical_previous(event: str, previous, kreis_by_name) -> str | None:
    """The value before a change as stored: Kreis codes joined by ';', a Land's key, a name."""
    if not isinstance(previous, str):
        return None
    if event == "area_changed":
        ks = parse_kreise(previous, kreis_by_name)
        return ";".join(ks) if ks else previous
    if event == "land_changed":
        return _land(previous) or previous
    return previous


def _number(ev: pd.DataFrame) -> pd.DataFrame:
    """Order each network's events by date (same date: as recorded) and number them 1, 2, …"""
    ev = ev.copy()
    if "line" not in ev.columns:
        ev["line"] = range(len(ev))
    ev["_pos"] = range(len(ev))
    ev = ev.sort_values(["network_id", "event_date", "_pos"], kind="stable")
    ev["event_no"] = ev.groupby("network_id").cumcount() + 1
    ev["census_year"] = ev["event_date"].map(lambda d: d.year)
    return ev.drop(columns="_pos").reset_index(drop=True)


_STATE_AFTER = {"admitted": ("before", "active"), "paused": ("active", "paused"), "resumed": ("paused", "active"),
                "merged": ("active|paused", "ended"), "dissolved": ("active|paused", "ended")}
_WHY = {  # (German, English) why an event does not fit
    ("admitted", "active"): ("das Netzwerk ist bereits aufgenommen (Rückkehr: „wieder aufgenommen“)",
                             "already admitted"),
    ("admitted", "paused"): ("das Netzwerk pausiert (Rückkehr: „wieder aufgenommen“)", "paused"),
    ("paused", "before"): ("das Netzwerk ist noch nicht aufgenommen", "not admitted yet"),
    ("paused", "paused"): ("das Netzwerk pausiert bereits", "already paused"),
    ("resumed", "before"): ("das Netzwerk ist noch nicht aufgenommen", "not admitted yet"),
    ("resumed", "active"): ("das Netzwerk pausiert nicht", "not paused"),
    ("merged", "before"): ("das Netzwerk ist noch nicht aufgenommen", "not admitted yet"),
    ("dissolved", "before"): ("das Netzwerk ist noch nicht aufgenommen", "not admitted yet"),
}


def _seq(problems, where, e, why_de, why_en) -> None:
    problems.append(_err("register_sequence", where=where, line=e["line"],
                         event=voc.REGISTER_EVENT_LABEL.get(e["event"], e["event"]), event_en=e["event"],
                         date=e["event_date"].strftime("%d.%m.%Y"), network_id=e["network_id"],
                         why=why_de, why_en=why_en))


def _check_histories(ev: pd.DataFrame, current: pd.DataFrame, ids: set[str], problems: list[Problem],
                     where: str, kreis_by_name) -> dict[str, dict]:
    """Walk every network's events in order: they must form a possible history. Returns the
    derived columns per network."""
    derived: dict[str, dict] = {}
    by_net: dict[str, list[dict]] = {}  # one pass over all events (a frame per network cost ~1 ms each)
    for e in ev.sort_values(["network_id", "event_no"]).to_dict("records"):
        by_net.setdefault(e["network_id"], []).append(e)
    for nid in sorted(ids):
        rows = by_net.get(nid, [])
        state, out = "before", {}
        admitted_year = None
        for e in rows:
            code = e["event"]
            if state == "ended":
                _seq(problems, where, e, "das Netzwerk ist bereits beendet (fusioniert oder aufgelöst)", "ended")
                continue
            if code == "founded":
                if "founded_year" in out or state != "before":
                    _seq(problems, where, e, "die Gründung muss vor der Aufnahme stehen und nur einmal",
                         "founded twice or after admission")
                out["founded_year"] = e["census_year"]
            elif code in _STATE_AFTER:
                allowed, after = _STATE_AFTER[code]
                if state not in allowed.split("|"):
                    why = _WHY.get((code, state), ("nicht möglich", "not possible"))
                    _seq(problems, where, e, *why)
                    continue
                if code == "admitted":
                    admitted_year = e["census_year"]
                    out["first_census_year"] = max(admitted_year, q.FIRST_CENSUS_YEAR)
                if code in ("merged", "dissolved"):
                    if admitted_year is not None and e["census_year"] <= max(admitted_year, q.FIRST_CENSUS_YEAR):
                        _seq(problems, where, e, "das Ende muss in einem späteren Erhebungsjahr liegen als die "
                             "Aufnahme", "ends in the year it was admitted")
                    out["end_year"] = e["census_year"]
                    out["end_reason"] = END_REASON[code]
                    if code == "merged":
                        succ = e["successor_id"]
                        if not succ or succ not in ids or succ == nid:
                            _seq(problems, where, e, f"als Nachfolger wird die Netzwerk-ID eines anderen Netzwerks "
                                 f"im Verzeichnis erwartet (gefunden „{succ or ''}“)", "successor missing or unknown")
                        out["successor_id"] = succ
                state = after
            else:  # a change: the value before it must be given and readable
                prev = e["previous"]
                ok = prev is not None and (
                    code == "renamed"
                    or (code == "land_changed" and _land(prev) is not None)
                    or (code == "area_changed" and parse_kreise(prev, kreis_by_name)))
                if not ok:
                    what = {"renamed": "der bisherige Name", "land_changed": "das bisherige Bundesland",
                            "area_changed": "die bisherigen Kreise (Schlüssel oder Namen, durch „;“ getrennt)"}[code]
                    _seq(problems, where, e, f"in der Spalte „vorher“ fehlt {what}", "previous value missing")
        if state == "before" and not any(e["event"] == "admitted" for e in rows):
            problems.append(_err("register_no_admission", where=where, network_id=nid))
        if out.get("founded_year") and out.get("first_census_year") and admitted_year is not None \
                and out["founded_year"] > admitted_year:
            pass  # order by date already makes this a sequence problem
        derived[nid] = out
    return derived


# --- the history of the entries -------------------------------------------------------------

HISTORY_ATTRS = ("network_name", "network_type", "land_code", "kreise")


def history(register: pd.DataFrame) -> pd.DataFrame:
    """core.register_history: one row per network and version of its entry, valid from the
    census year of the change (the first version from its admission). Each change event
    holds the value before it, so the versions are rebuilt from the current entry backwards."""
    ev = events_of(register)
    changes = ev[ev["event"].isin(list(CHANGES))]
    by_net: dict[str, list[dict]] = {}  # each network's changes, latest first, from one pass
    for e in changes.sort_values(["network_id", "event_no"], ascending=[True, False]).to_dict("records"):
        by_net.setdefault(e["network_id"], []).append(e)
    start = ev[ev["event"] == "admitted"].groupby("network_id")["census_year"].min().to_dict()
    rows = []
    for r in register.to_dict("records"):
        nid = r["network_id"]
        state = {a: r[a] for a in HISTORY_ATTRS}
        versions: dict[int, dict] = {}
        years = []
        for e in by_net.get(nid, []):
            versions.setdefault(e["census_year"], dict(state))
            years.append(e["census_year"])
            attr = CHANGES[e["event"]]
            prev = e["previous"]
            state[attr] = (parse_kreise(prev) or [] if attr == "kreise"
                           else _land(prev) if attr == "land_code" else prev)
        first = start.get(nid, r["first_census_year"])
        first = int(first) if first is not None and not pd.isna(first) else q.FIRST_CENSUS_YEAR
        if years and min(years) <= first:
            first = min(years) - 1
        versions.setdefault(first, dict(state))
        for y, s in sorted(versions.items()):
            rows.append({"network_id": nid, "valid_from_year": y, **s,
                         **{c: r[c] for c in LEGACY_COLUMNS}})
    out = pd.DataFrame(rows, columns=["network_id", "valid_from_year", *HISTORY_ATTRS, *LEGACY_COLUMNS])
    for c in ("valid_from_year", "founded_year", "first_census_year", "end_year"):
        out[c] = pd.array([None if v is None or pd.isna(v) else int(v) for v in out[c]], dtype="Int64")
    return out


# --- writing ---------------------------------------------------------------------------------

def _kreise_text(ks) -> str:
    return ";".join(ks) if isinstance(ks, list) else ""


def register_tables(register: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(networks, events) as staff keep them: strings, German event labels, dates as YYYY-MM-DD."""
    nets = register[list(NETWORK_COLUMNS)].copy()
    nets["kreise"] = nets["kreise"].map(_kreise_text)
    ev = events_of(register).sort_values(["network_id", "event_no"])
    out = pd.DataFrame({
        "network_id": ev["network_id"],
        "event_date": ev["event_date"].map(lambda d: d.isoformat()),
        "event": ev["event"].map(voc.REGISTER_EVENT_LABEL),
        "previous": ev["previous"].map(lambda v: v if isinstance(v, str) else ""),
        "successor_id": ev["successor_id"].map(lambda v: v if isinstance(v, str) else ""),
        "note": ev["note"].map(lambda v: v if isinstance(v, str) else ""),
    })
    return nets.fillna(""), out.reset_index(drop=True)


def write_register(df: pd.DataFrame, path: Path, events: Path | None = None) -> None:
    """Write register.csv (the networks as they are now) and its events file (`events_path`),
    ';'-separated UTF-8 as German Excel opens it."""
    path = Path(path)
    nets, ev = register_tables(df)
    path.parent.mkdir(parents=True, exist_ok=True)
    nets.to_csv(path, index=False, sep=";", encoding="utf-8")
    ev.to_csv(events if events is not None else events_path(path), index=False, sep=";", encoding="utf-8")


def with_events(register: pd.DataFrame, new: Iterable[dict], current: dict[str, dict] | None = None) -> pd.DataFrame:
    """The register with events appended (dicts with EVENT_COLUMNS; event as code, event_date a
    date) and entries changed (`current`: network_id -> new values, a new id adds a network),
    checked again as a whole (RegisterError when the result is not a possible history)."""
    nets, ev = register_tables(register)
    nets = nets.set_index("network_id", drop=False)
    for nid, vals in (current or {}).items():
        row = {c: nets.at[nid, c] if nid in nets.index else "" for c in NETWORK_COLUMNS}
        row.update({k: (_kreise_text(v) if k == "kreise" else ("" if v is None else str(v))) for k, v in vals.items()})
        row["network_id"] = nid
        nets.loc[nid] = row
    add = pd.DataFrame([{c: ("" if e.get(c) is None else (e[c].isoformat() if isinstance(e[c], date)
                        else voc.REGISTER_EVENT_LABEL.get(e[c], e[c]) if c == "event" else str(e[c])))
                         for c in EVENT_COLUMNS} for e in new], columns=list(EVENT_COLUMNS))
    ev = pd.concat([ev, add], ignore_index=True)
    return build_register(nets.reset_index(drop=True), ev, "register.csv", "register_events.csv")


def strip_control(text: str) -> str:
    """A text without control characters (for display)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
