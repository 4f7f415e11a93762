"""`mint-census register export | import | add | rename | merge | end | pause | resume`.

The register lives in the home as register.csv (the networks as they are now) and
register_events.csv (their dated history); staff edit it as register.xlsx (`export`, then
`import`) or append one event per command. Every change is checked as a whole
(sources.register.build_register) before anything is written: a register with a problem is
never stored, and the German messages name file and line. No flow runs, no Prefect server
starts.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from mint_census.sources.reference import load_reference
from mint_census.sources.register import (RegisterError, _date, counted, events_of, read_register, with_events,
                                          write_register)
from mint_census.sources.register_workbook import write_register_workbook

from .errors import EXIT_OK, UsageError
from .home import Home
from .register_cli import ACTIONS, add_parser  # noqa: F401  (the parser: flows/register_cli.py)


def run_register(args, home: Home, reference: str | None) -> int:
    try:
        if args.action == "export":
            return export(home, Path(args.out) if args.out else home.register_workbook, reference)
        if args.action == "import":
            return import_(home, Path(args.file), Path(args.events) if args.events else None, reference)
        return change(home, args)
    except RegisterError as exc:
        raise UsageError(f"register: {exc}") from None


def _kreise(reference: str | None) -> list[tuple[str, str]] | None:
    ref = load_reference(Path(reference) if reference else None)
    if not ref.available:
        return None
    return list(zip(ref.kreise["kreis_code"], ref.kreise["kreis_name"]))


def _current(home: Home) -> pd.DataFrame:
    if not home.register.is_file():
        raise UsageError(f"no register at {home.register}: `mint-census register import --file …` first")
    return read_register(home.register, home.register_events)


def _store(home: Home, register: pd.DataFrame) -> None:
    """Write register.csv and register_events.csv, each under a temporary name first."""
    tmp_r = home.register.with_name(home.register.name + ".tmp")
    tmp_e = home.register_events.with_name(home.register_events.name + ".tmp")
    write_register(register, tmp_r, tmp_e)
    os.replace(tmp_e, home.register_events)
    os.replace(tmp_r, home.register)


def _summary(register: pd.DataFrame) -> str:
    ev = events_of(register)
    year = int(ev["census_year"].max()) if len(ev) else date.today().year
    return (f"{len(register)} networks, {len(ev)} events; counted in {year}: "
            f"{int(counted(register, year).sum())}")


def export(home: Home, out: Path, reference: str | None) -> int:
    register = _current(home)
    write_register_workbook(register, out, _kreise(reference))
    print(f"register export: {out} ({_summary(register)})")
    return EXIT_OK


def import_(home: Home, file: Path, events: Path | None, reference: str | None) -> int:
    kreise = _kreise(reference)
    by_name = {n: c for c, n in kreise} if kreise else None
    register = read_register(file, events, kreis_by_name=by_name)
    _store(home, register)
    print(f"register import: {file} -> {home.register} ({_summary(register)})")
    return EXIT_OK


def from_workbook(path: Path) -> dict:
    """Name, type, Land, founding year and Kreise as a network wrote them into its workbook (read and
    typed as the ingest does; a file that is unsafe or unreadable is refused)."""
    from mint_census.sources.frames import build_frames
    from mint_census.sources.workbook import read_workbook
    if not path.is_file():
        raise UsageError(f"--from-file {path}: no such file")
    wb = read_workbook(path)
    errors = [f for f in wb.findings if f.is_error]
    if errors or wb.census_year is None:
        first = errors[0].message_en if errors else "no census year in its meta sheet"
        raise UsageError(f"--from-file {path.name}: cannot be read: {first}")
    frames = build_frames({0: wb}, wb.census_year).frames
    net = frames[q.S_NET].iloc[0] if len(frames[q.S_NET]) else {}

    def value(key):
        v = net.get(key) if len(net) else None
        return None if v is None or pd.isna(v) else v

    area = frames[q.S_AREA]
    kreise = [str(k) for k in area["kreis_code"] if k is not None and not pd.isna(k)] if len(area) else []
    founded = value("founded_year")
    return {"network_name": value("network_name"), "network_type": value("network_type"),
            "land_code": value("land_code"), "founded_year": int(founded) if founded is not None else None,
            "kreise": list(dict.fromkeys(kreise))}


def change(home: Home, args) -> int:
    register = _current(home)
    when = _date(args.date)
    if when is None:
        raise UsageError(f"--date {args.date!r}: expected YYYY-MM-DD or DD.MM.YYYY")
    nid = args.id
    known = set(register["network_id"])
    if args.action == "add":
        if nid in known:
            raise UsageError(f"--id {nid}: already in the register")
        given = from_workbook(Path(args.from_file)) if args.from_file else {}
        name = args.name or given.get("network_name")
        land_text = args.land or given.get("land_code")
        if not name or not land_text:
            raise UsageError("register add: --name and --land are required (or --from-file with both filled in)")
        land = voc.LAND_BY_TEXT.get(str(land_text).casefold())
        if land is None:
            raise UsageError(f"--land {land_text!r}: not a Land")
        founded = args.founded or given.get("founded_year")
        kreise = ([k.strip() for k in args.kreise.replace(",", ";").split(";") if k.strip()]
                  if args.kreise is not None else given.get("kreise", []))
        events = []
        if founded:
            events.append({"network_id": nid, "event_date": date(founded, 1, 1), "event": "founded"})
        events.append({"network_id": nid, "event_date": when, "event": "admitted", "note": args.note})
        current = {nid: {"network_name": name, "network_type": args.type or given.get("network_type") or "MINT-Region",
                         "land_code": land, "kreise": kreise}}
    else:
        if nid not in known:
            raise UsageError(f"--id {nid}: not in the register")
        row = register.set_index("network_id").loc[nid]
        current = {}
        event = {"network_id": nid, "event_date": when, "note": args.note}
        if args.action == "rename":
            event.update(event="renamed", previous=row["network_name"])
            current = {nid: {"network_name": args.name}}
        elif args.action == "merge":
            event.update(event="merged", successor_id=args.into)
        else:
            event["event"] = {"end": "dissolved", "pause": "paused", "resume": "resumed"}[args.action]
        events = [event]
    updated = with_events(register, events, current)
    _store(home, updated)
    print(f"register {args.action} {nid} ({when.isoformat()}): {_summary(updated)}")
    return EXIT_OK
