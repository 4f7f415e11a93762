"""Rules that look beyond one cell: across sheets, against the register and reference data,
and against last year's answers. Declared as a table (CROSS_RULES) of rule objects.

Each rule has a catalogue key (its code and texts, schemas/catalogue.py), a severity and a
check. A check gets one workbook of the batch (`Workbook`: its values, the batch index,
the context) and yields `Hit`s: which field (and table row) the finding points at, the
value found, what is expected, and the values that fill the catalogue text. The engine
(`cross_rules`) turns hits into findings with the sheet, cell and label of that
workbook's template version.

Errors block a workbook's load; warnings are loaded and reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import questionnaire as q
from . import vocabularies as voc
from .findings import ERROR, WARNING
from .frames import PREVIOUS_YEAR, Context, SheetFrames
from .messages import de_number, rule_finding

FUNDING_TOLERANCE = 0.10  # funding sum may differ from the budget by 10 % before a warning
JUMP_FACTOR = 3.0         # partners or budget changing by more than this factor vs last year: a warning


def _value(v):
    """None for missing values (None, NA, NaN), else the value."""
    if v is None or (not isinstance(v, (list, str)) and pd.isna(v)):
        return None
    return v


@dataclass
class _Index:
    """Per-workbook views of the batch's frames, built once (not one pandas filter per workbook)."""
    net: dict[int, dict]
    area: dict[int, list[tuple[int, str]]]
    funding_total: dict[int, float]
    partners: dict[int, dict] = field(default_factory=dict)
    offers: dict[int, list[tuple[int, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, frames: SheetFrames) -> "_Index":
        net_df = frames.frames.get(q.S_NET)
        net = {int(r["_wb"]): r for r in net_df.to_dict("records")} if net_df is not None else {}
        area: dict[int, list[tuple[int, str]]] = defaultdict(list)
        area_df = frames.frames.get(q.S_AREA)
        if area_df is not None:
            for idx, row, code in zip(area_df["_wb"], area_df["_row"], area_df["kreis_code"]):
                area[int(idx)].append((int(row), _value(code)))
        totals: dict[int, float] = {}
        fund = frames.frames.get(q.S_FUND)
        if fund is not None and not fund.empty:
            keys = [f.key for f in q.SHEET_BY_NAME[q.S_FUND].fields_in(frames.year)]
            sums = fund[keys].astype("Float64").fillna(0).sum(axis=1)
            totals = {int(i): float(v) for i, v in zip(fund["_wb"], sums)}
        part_df = frames.frames.get(q.S_PART)
        partners = {int(r["_wb"]): r for r in part_df.to_dict("records")} if part_df is not None else {}
        offers: dict[int, list[tuple[int, str]]] = defaultdict(list)
        off_df = frames.frames.get(q.S_OFFER)
        if off_df is not None:
            for idx, row, code in zip(off_df["_wb"], off_df["_row"], off_df["offer_kreis_code"]):
                offers[int(idx)].append((int(row), _value(code)))
        return cls(net, area, totals, partners, offers)


@dataclass(frozen=True)
class Workbook:
    """One workbook of the batch as the rules see it."""
    idx: int
    frames: SheetFrames
    ctx: Context
    index: _Index

    @property
    def has_net(self) -> bool:
        return self.idx in self.index.net

    def value(self, key: str):
        return _value(self.index.net.get(self.idx, {}).get(key))

    @property
    def sheet_id(self) -> str | None:
        return self.value("network_id")

    @property
    def meta_id(self) -> str | None:
        return self.frames.network_ids.get(self.idx)

    @property
    def network_id(self) -> str | None:
        return self.sheet_id or self.meta_id

    @property
    def previous(self) -> dict | None:
        if self.ctx.previous is None:
            return None
        return self.ctx.previous.get(self.network_id)

    def label(self, key: str) -> str:
        return self.frames.label(self.idx, key)

    def cell(self, row: int | None, key: str) -> str:
        return self.frames.cell(self.idx, row, key)


@dataclass(frozen=True)
class Hit:
    """Where a rule fails in one workbook, and with what."""
    field: str                     # field key the finding points at (its sheet, cell and label)
    row: int | None = None         # table sheets: the sheet row
    found: Any = None              # the value found (shown in the report; never personal data)
    expected: str | None = None    # German: what is expected
    values: dict = field(default_factory=dict)  # fill the catalogue text


@dataclass(frozen=True)
class CrossRule:
    key: str                                   # catalogue key: code and texts
    severity: str
    check: Callable[[Workbook], Iterable[Hit]]
    explains: str                              # English, one line, for docs and reviewers


# --- identity ------------------------------------------------------------------------------

def _id_mismatch(wb: Workbook) -> Iterator[Hit]:
    if wb.has_net and wb.sheet_id and wb.meta_id and wb.sheet_id != wb.meta_id:
        yield Hit("network_id", found=wb.sheet_id, expected=wb.meta_id, values={"meta_id": wb.meta_id})


def _unknown_network(wb: Workbook) -> Iterator[Hit]:
    ids = wb.ctx.register_ids
    if ids is not None and wb.has_net and wb.network_id and wb.network_id not in ids:
        yield Hit("network_id", found=wb.network_id)


def _name_key(name) -> str:
    return " ".join(unicodedata.normalize("NFC", str(name)).split()).casefold()


def _name_of_other_network(wb: Workbook) -> Iterator[Hit]:
    """The workbook's network name is, in the register, another network's name: a network that
    filled in its neighbour's workbook (the neighbour's IDs, its own name and contact)."""
    names = wb.ctx.register_names
    name, own = wb.value("network_name"), wb.network_id
    if not names or not wb.has_net or not name or not own or own not in names:
        return
    key = _name_key(name)
    if key == _name_key(names[own]):
        return
    others = sorted(nid for nid, n in names.items() if nid != own and _name_key(n) == key)
    if others:
        yield Hit("network_name", found=name, expected=f"„{names[own]}“ ({own})",
                  values={"other_id": others[0], "own_id": own, "own_name": names[own]})


IDENTITY_RULES = ("network_id_mismatch", "network_name_other")   # their files' reports go to staff only


# --- the area (Gebiet) -----------------------------------------------------------------------

def known_kreis(ctx: Context, code: str) -> tuple[str | None, bool]:
    """(current code, was an old code) or (None, False) for an unknown code."""
    if ctx.kreis_land is None:
        return code, False
    if code in ctx.kreis_land:
        return code, False
    if code in ctx.kreis_successor:
        return ctx.kreis_successor[code], True
    return None, False


def _kreis_codes(rows: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Rows whose code has the right format (format errors are the schema's findings)."""
    for row, code in rows:
        if code is not None and re.match(q.KREIS_PATTERN, str(code)):
            yield row, code


def _no_kreis(wb: Workbook) -> Iterator[Hit]:
    if q.S_AREA in wb.frames.frames and wb.has_net and not wb.index.area.get(wb.idx):
        yield Hit("kreis_code", row=q.FIRST_DATA_ROW, expected="mindestens ein Kreisschlüssel")


def _unknown_kreis(wb: Workbook) -> Iterator[Hit]:
    for key, rows in (("kreis_code", wb.index.area.get(wb.idx, [])),
                      ("offer_kreis_code", wb.index.offers.get(wb.idx, []))):
        for row, code in _kreis_codes(rows):
            if known_kreis(wb.ctx, code)[0] is None:
                yield Hit(key, row=row, found=code, expected="ein gültiger fünfstelliger Kreisschlüssel")


def _old_kreis(wb: Workbook) -> Iterator[Hit]:
    for row, code in _kreis_codes(wb.index.area.get(wb.idx, [])):
        current, old = known_kreis(wb.ctx, code)
        if old:
            yield Hit("kreis_code", row=row, found=code, expected=current, values={"current": current})


def _duplicate_kreis(wb: Workbook) -> Iterator[Hit]:
    first: dict[str, str] = {}
    for row, code in _kreis_codes(wb.index.area.get(wb.idx, [])):
        current = known_kreis(wb.ctx, code)[0]
        if current is None:
            continue
        if current in first:
            yield Hit("kreis_code", row=row, found=code, values={"current": current, "first": first[current]})
        first.setdefault(current, wb.cell(row, "kreis_code"))


def _land_mismatch(wb: Workbook) -> Iterator[Hit]:
    if wb.ctx.kreis_land is None:
        return
    lands = set()
    for _row, code in _kreis_codes(wb.index.area.get(wb.idx, [])):
        current = known_kreis(wb.ctx, code)[0]
        if current is not None:
            lands.add(wb.ctx.kreis_land.get(current, current[:2]))
    land = wb.value("land_code")
    if land and lands and land not in lands:
        yield Hit("land_code", found=voc.LAND_NAME.get(land, land),
                  expected="ein Bundesland, in dem mindestens einer der Kreise liegt",
                  values={"lands": ", ".join(sorted(voc.LAND_NAME.get(x, x) for x in lands)),
                          "land_code": land})


# --- money -----------------------------------------------------------------------------------

def _funding_vs_budget(wb: Workbook) -> Iterator[Hit]:
    budget = wb.value("budget_eur")
    total = wb.index.funding_total.get(wb.idx)
    if wb.has_net and budget is not None and total and abs(total - budget) > FUNDING_TOLERANCE * max(budget, 1):
        yield Hit("budget_eur", found=budget, expected=f"etwa {de_number(total)} EUR",
                  values={"total": de_number(total), "budget": de_number(budget),
                          "tolerance": int(FUNDING_TOLERANCE * 100),
                          "total_en": f"{total:.2f}", "budget_en": f"{budget:.2f}"})


def _staff_without_budget(wb: Workbook) -> Iterator[Hit]:
    staff = wb.value("paid_staff_fte")
    if wb.has_net and wb.value("budget_eur") == 0 and staff and staff > 0:
        yield Hit("budget_eur", found=0, values={"staff": de_number(staff)})


# --- across years ------------------------------------------------------------------------------

def _jumped(now: float, before: float) -> bool:
    """True when `now` is more than JUMP_FACTOR times `before` or less than a JUMP_FACTOR-th of it."""
    a, b = max(float(now), 1.0), max(float(before), 1.0)
    return a > JUMP_FACTOR * b or b > JUMP_FACTOR * a


def _when(prev: dict) -> tuple[Any, str]:
    then = prev.get(PREVIOUS_YEAR)
    return then, (f"im Jahr {then}" if then else "im Vorjahr")


def partner_total(values: dict, year: int | None = None) -> tuple[int | None, dict[str, int]]:
    """Sum of the partner counts given (None when none is given) and the counts by field key."""
    keys = [f.key for f in q.PARTNER_FIELDS if year is None or f.exists_in(year)]
    counts = {k: int(v) for k in keys if (v := _value(values.get(k))) is not None}
    return (sum(counts.values()) if counts else None), counts


def _founded_year_changed(wb: Workbook) -> Iterator[Hit]:
    prev = wb.previous
    if prev is None or not wb.has_net:
        return
    now, before = wb.value("founded_year"), _value(prev.get("founded_year"))
    if now is not None and before is not None and int(now) != int(before):
        then, when = _when(prev)
        yield Hit("founded_year", found=int(now), expected=f"wie {when}: {int(before)}, oder eine Korrektur",
                  values={"now": int(now), "when": when, "then": then, "before": int(before)})


def _budget_jump(wb: Workbook) -> Iterator[Hit]:
    prev = wb.previous
    if prev is None or not wb.has_net:
        return
    now, before = wb.value("budget_eur"), _value(prev.get("budget_eur"))
    if now is not None and before is not None and _jumped(now, before):
        then, when = _when(prev)
        yield Hit("budget_eur", found=now,
                  expected=f"etwa {de_number(before)} EUR wie {when}, oder eine bestätigte Änderung",
                  values={"now": de_number(now), "before": de_number(before), "when": when, "then": then,
                          "factor": f"{JUMP_FACTOR:g}", "now_en": f"{now:.2f}", "before_en": f"{before:.2f}"})


def _partners_jump(wb: Workbook) -> Iterator[Hit]:
    prev = wb.previous
    if prev is None or wb.idx not in wb.index.partners:
        return
    now_total, now_counts = partner_total(wb.index.partners[wb.idx], wb.frames.year)
    before_total, before_counts = partner_total(prev)
    if now_total is None or before_total is None or not _jumped(now_total, before_total):
        return
    # point at the partner type that changed most
    order = list(now_counts)
    key = max(now_counts, key=lambda k: (abs(now_counts[k] - before_counts.get(k, 0)), -order.index(k)))
    then, when = _when(prev)
    yield Hit(key, found=now_counts[key],
              expected=f"etwa {de_number(before_counts.get(key, 0))} wie {when}, oder eine bestätigte Änderung",
              values={"now": de_number(now_total), "before": de_number(before_total), "when": when,
                      "then": then, "factor": f"{JUMP_FACTOR:g}", "type_label": wb.label(key),
                      "key_before": de_number(before_counts.get(key, 0)), "key_now": de_number(now_counts[key])})


CROSS_RULES: tuple[CrossRule, ...] = (
    CrossRule("network_id_mismatch", ERROR, _id_mismatch,
              "the Netzwerk-ID in the sheet differs from the one the template was made for"),
    CrossRule("unknown_network", ERROR, _unknown_network, "the Netzwerk-ID is not in the register"),
    CrossRule("network_name_other", ERROR, _name_of_other_network,
              "the network name is another network's name in the register"),
    CrossRule("no_kreis", ERROR, _no_kreis, "the Gebiet sheet names no Kreis"),
    CrossRule("unknown_kreis", ERROR, _unknown_kreis,
              "a Kreis code (area or offer) exists neither now nor as an old code (reference data)"),
    CrossRule("old_kreis", WARNING, _old_kreis, "an old Kreis code is mapped to today's Kreis"),
    CrossRule("duplicate_kreis", WARNING, _duplicate_kreis, "a Kreis is listed twice; it counts once"),
    CrossRule("land_mismatch", ERROR, _land_mismatch, "no listed Kreis lies in the stated Land"),
    CrossRule("funding_vs_budget", WARNING, _funding_vs_budget,
              f"funding sources add up to more than {FUNDING_TOLERANCE:.0%} off the budget"),
    CrossRule("staff_without_budget", WARNING, _staff_without_budget, "paid staff with a budget of 0"),
    CrossRule("founded_year_changed", WARNING, _founded_year_changed,
              "the founding year differs from the network's last accepted answer"),
    CrossRule("budget_jump", WARNING, _budget_jump,
              f"the budget changed by more than x{JUMP_FACTOR:g} against the last accepted answer"),
    CrossRule("partners_jump", WARNING, _partners_jump,
              f"the partner total changed by more than x{JUMP_FACTOR:g} against the last accepted answer"),
)


def cross_rules(frames: SheetFrames, ctx: Context, rules: tuple[CrossRule, ...] = CROSS_RULES) -> None:
    """Apply every rule to every workbook of the batch; add the findings to `frames`."""
    index = _Index.of(frames)
    for idx in frames.versions:
        wb = Workbook(idx, frames, ctx, index)
        for rule in rules:
            for hit in rule.check(wb):
                spec = q.FIELD_BY_KEY[hit.field]
                frames.add(idx, rule_finding(
                    rule.severity, rule.key, spec=spec, sheet=spec.sheet, cell=wb.cell(hit.row, hit.field),
                    label=wb.label(hit.field), found=hit.found, expected=hit.expected, **hit.values))


def missing_since_last_year(ctx: Context, year: int, received_ids: set[str]) -> list[str]:
    """Networks with accepted answers for `year - 1` that have sent nothing for `year` (sorted)."""
    if ctx.previous is None:
        return []
    return sorted(nid for nid, prev in ctx.previous.items()
                  if prev.get(PREVIOUS_YEAR) == year - 1 and nid not in received_ids)
