"""Validation: pandera schemas generated from the declaration, and the rules across fields.

- `schema_for(sheet, year)` builds the pandera DataFrameSchema of a sheet from the
  field declarations (dtype, required, allowed values, bounds, formats) plus the
  rules within one sheet (founding year not after the survey year). Column titles,
  descriptions and metadata come from the declaration.
- `validate(frames, context)` runs one lazy pandera call per sheet type over all
  workbooks of the batch and maps every failure back to workbook, sheet, cell and
  German field label; then it applies the rules that need several sheets or
  reference data (Kreise exist and match the Land; funding vs budget …).
Errors block a workbook's load; warnings are loaded and reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import pandas as pd
import pandera.pandas as pa

from . import questionnaire as q
from . import vocabularies as voc
from .findings import ERROR, WARNING, Finding
from .messages import cell_finding, de_number, rule_finding

PATTERNS = {
    "kreis": q.KREIS_PATTERN,
    "network_id": q.NETWORK_ID_PATTERN,
    "email": q.EMAIL_PATTERN,
    "url": q.URL_PATTERN,
    "phone": q.PHONE_PATTERN,
}
FUNDING_TOLERANCE = 0.10  # funding sum may differ from the budget by 10 % before a warning
JUMP_FACTOR = 3.0         # partners or budget changing by more than this factor vs last year: a warning
PREVIOUS_YEAR = "_year"   # key in Context.previous[network_id]: the census year of those values


@dataclass
class SheetFrames:
    """Typed values of all workbooks in a batch, one frame per sheet type."""
    year: int
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    versions: dict[int, str] = field(default_factory=dict)       # workbook index -> version
    network_ids: dict[int, str | None] = field(default_factory=dict)
    cells: dict[tuple[int, int | None, str], str] = field(default_factory=dict)
    coercion_errors: set[tuple[int, int | None, str]] = field(default_factory=set)
    findings: dict[int, list[Finding]] = field(default_factory=lambda: defaultdict(list))

    def add(self, idx: int, finding: Finding) -> None:
        self.findings[idx].append(finding)

    def label(self, idx: int, key: str) -> str:
        return q.layout(self.versions[idx]).places[key].label

    def cell(self, idx: int, row: int | None, key: str) -> str:
        known = self.cells.get((idx, row, key))
        if known:
            return known
        return q.layout(self.versions[idx]).places[key].cell(row)


@dataclass
class Context:
    """What validation knows beyond the workbooks: reference data and the register."""
    kreis_land: dict[str, str] | None = None       # AGS -> Land code; None: no reference data
    kreis_successor: dict[str, str] = field(default_factory=lambda: dict(voc.KREIS_SUCCESSORS))
    register_ids: set[str] | None = None          # network IDs in the register
    # Across years: network ID -> field key -> the network's accepted value in its latest
    # earlier census year (key PREVIOUS_YEAR holds that year). None: no across-year rules.
    # Built from the warehouse by warehouse.answers.previous_values.
    previous: dict[str, dict[str, Any]] | None = None


# --- the pandera schemas -----------------------------------------------------------

def _checks(spec: q.FieldSpec) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if spec.kind in ("int", "year", "decimal"):
        checks.append(pa.Check.in_range(spec.min, spec.max))
    elif spec.kind == "choice":
        checks.append(pa.Check.isin(list(spec.choices)))
    elif spec.kind == "land":
        checks.append(pa.Check.isin([code for code, _, _ in voc.LAENDER]))
    elif spec.kind == "multichoice":
        allowed = frozenset(spec.choices or ())
        checks.append(pa.Check(lambda v: all(x in allowed for x in v), element_wise=True,
                               name="allowed", ignore_na=True))
        if spec.required:
            checks.append(pa.Check(lambda v: len(v) > 0, element_wise=True, name="nonempty",
                                   ignore_na=True))
    if spec.kind in PATTERNS:
        checks.append(pa.Check.str_matches(PATTERNS[spec.kind]))
    if spec.max_length and spec.kind not in ("int", "year", "decimal", "bool", "multichoice"):
        checks.append(pa.Check.str_length(max_value=spec.max_length))
    return checks


def column_for(spec: q.FieldSpec) -> pa.Column:
    dtype = object if spec.pandas_dtype == "object" else spec.pandas_dtype
    return pa.Column(
        dtype, checks=_checks(spec), nullable=not spec.required, required=True,
        title=spec.label, description=spec.description,
        metadata={"sheet": spec.sheet, "unit": spec.unit, "kind": spec.kind,
                  "since": spec.since, "personal": spec.personal},
    )


@dataclass(frozen=True)
class FrameRule:
    """A rule across fields of one sheet; points at `field_key` when it fails."""
    name: str
    sheet: str
    field_key: str
    check: Callable[[pd.DataFrame], pd.Series]
    detail_de: Callable[[int], str]


FRAME_RULES = (
    FrameRule("founded_after_survey", q.S_NET, "founded_year",
              lambda df: df["founded_year"].isna() | (df["founded_year"] <= df["_census_year"]),
              lambda year: f"ein Gründungsjahr nicht später als das Erhebungsjahr {year}"),
)


@lru_cache(maxsize=None)
def schema_for(sheet_name: str, year: int) -> pa.DataFrameSchema:
    sheet = q.SHEET_BY_NAME[sheet_name]
    columns = {f.key: column_for(f) for f in sheet.fields_in(year)}
    columns["_census_year"] = pa.Column("Int64", nullable=False)
    rules = [pa.Check(r.check, name=r.name) for r in FRAME_RULES if r.sheet == sheet_name]
    return pa.DataFrameSchema(columns, checks=rules, name=f"{sheet_name} {year}",
                              title=sheet.title, description=sheet.description)


# --- running the schemas and mapping failures back to cells ------------------------

def _code(check: str) -> str:
    if check == "not_nullable" or check == "nonempty":
        return "required"
    if check.startswith(("in_range", "greater_than", "less_than")):
        return "out_of_range"
    if check.startswith("isin") or check == "allowed":
        return "not_allowed"
    if check.startswith("str_matches"):
        return "bad_format"
    if check.startswith("str_length"):
        return "too_long"
    return re.sub(r"\W+", "_", check)


def run_schemas(frames: SheetFrames) -> None:
    year = frames.year
    rules = {r.name: r for r in FRAME_RULES}
    for sheet_name, df in frames.frames.items():
        if df.empty:
            continue
        try:
            schema_for(sheet_name, year).validate(df, lazy=True)
            continue
        except pa.errors.SchemaErrors as exc:
            failures = exc.failure_cases
        seen = set()
        for fc in failures.itertuples(index=False):
            if fc.index is None or pd.isna(fc.index):
                continue
            pos = int(fc.index)
            idx = int(df.at[pos, "_wb"])
            row = df.at[pos, "_row"]
            row = None if pd.isna(row) else int(row)
            check = str(fc.check)
            if check in rules:
                rule = rules[check]
                key, code = rule.field_key, rule.name
                detail = rule.detail_de(year)
            else:
                key, code, detail = str(fc.column), _code(check), None
            if key not in q.FIELD_BY_KEY or (idx, row, key) in frames.coercion_errors:
                continue
            if (idx, row, key, code) in seen:
                continue
            seen.add((idx, row, key, code))
            spec = q.FIELD_BY_KEY[key]
            value = df.at[pos, key]
            value = None if value is None or (not isinstance(value, list) and pd.isna(value)) else value
            if spec.kind == "land" and isinstance(value, str):
                value = voc.LAND_NAME.get(value, value)
            frames.add(idx, cell_finding(ERROR, code, spec, sheet_name, frames.cell(idx, row, key),
                                         frames.label(idx, key), value, year, detail_de=detail))


# --- rules across sheets and sources -----------------------------------------------

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
        return cls(net, area, totals, partners)

    def value(self, idx: int, key: str):
        return _value(self.net.get(idx, {}).get(key))


def cross_rules(frames: SheetFrames, ctx: Context) -> None:
    index = _Index.of(frames)
    spec_land = q.FIELD_BY_KEY["land_code"]
    spec_kreis = q.FIELD_BY_KEY["kreis_code"]
    spec_budget = q.FIELD_BY_KEY["budget_eur"]
    spec_id = q.FIELD_BY_KEY["network_id"]
    for idx in frames.versions:
        has_net = idx in index.net
        # Netzwerk-ID in the sheet must be the one the template was made for, and registered.
        sheet_id = index.value(idx, "network_id")
        meta_id = frames.network_ids.get(idx)
        if has_net and sheet_id and meta_id and sheet_id != meta_id:
            frames.add(idx, rule_finding(
                ERROR, "network_id_mismatch",
                f"Die Netzwerk-ID „{sheet_id}“ passt nicht zu diesem Erhebungsbogen (ausgestellt für "
                f"„{meta_id}“). Bitte die vorausgefüllte ID nicht ändern.",
                f"network id {sheet_id!r} differs from the template's {meta_id!r}",
                spec_id, q.S_NET, frames.cell(idx, None, "network_id"), frames.label(idx, "network_id"),
                sheet_id, meta_id))
        the_id = sheet_id or meta_id
        if ctx.register_ids is not None and has_net and the_id and the_id not in ctx.register_ids:
            frames.add(idx, rule_finding(
                ERROR, "unknown_network",
                f"Die Netzwerk-ID „{the_id}“ ist im Netzwerkverzeichnis nicht bekannt. Bitte "
                "wenden Sie sich an die Geschäftsstelle der Erhebung.",
                f"network id {the_id!r} not in the register",
                spec_id, q.S_NET, frames.cell(idx, None, "network_id"), frames.label(idx, "network_id"),
                the_id))
        _kreis_rules(frames, ctx, idx, index, has_net, spec_land, spec_kreis)
        if has_net:
            _budget_rules(frames, idx, index, spec_budget)
        if ctx.previous is not None and the_id in ctx.previous:
            _year_rules(frames, idx, index, ctx.previous[the_id], has_net)
    _offer_kreis_rules(frames, ctx)


def _known_kreis(ctx: Context, code: str) -> tuple[str | None, bool]:
    """(current code, was an old code) or (None, False) for an unknown code."""
    if ctx.kreis_land is None:
        return code, False
    if code in ctx.kreis_land:
        return code, False
    if code in ctx.kreis_successor:
        return ctx.kreis_successor[code], True
    return None, False


def _kreis_rules(frames, ctx, idx, index: _Index, has_net, spec_land, spec_kreis) -> None:
    rows = index.area.get(idx, [])
    if q.S_AREA in frames.frames and not rows and has_net:
        frames.add(idx, rule_finding(
            ERROR, "no_kreis",
            "Es ist kein Kreis angegeben. Bitte mindestens einen Kreis oder eine kreisfreie "
            "Stadt eintragen, in dem das Netzwerk aktiv ist.",
            "no Kreis given", spec_kreis, q.S_AREA,
            f"{q.layout(frames.versions[idx]).places['kreis_code'].column_letter}{q.FIRST_DATA_ROW}",
            frames.label(idx, "kreis_code"), None, "mindestens ein Kreisschlüssel"))
        return
    lands, seen = set(), {}
    for row, code in rows:
        if code is None or not re.match(q.KREIS_PATTERN, str(code)):
            continue
        cell = frames.cell(idx, row, "kreis_code")
        current, old = _known_kreis(ctx, code)
        if current is None:
            frames.add(idx, rule_finding(
                ERROR, "unknown_kreis",
                f"Den Kreisschlüssel „{code}“ gibt es nicht (Gebietsstand 31.12.2023).",
                f"unknown Kreis code {code}", spec_kreis, q.S_AREA, cell,
                frames.label(idx, "kreis_code"), code, "ein gültiger fünfstelliger Kreisschlüssel"))
            continue
        if old:
            frames.add(idx, rule_finding(
                WARNING, "old_kreis",
                f"Der Kreisschlüssel „{code}“ ist nicht mehr gültig; er wird als „{current}“ "
                "(heutiger Kreis) geführt. Bitte künftig den neuen Schlüssel verwenden.",
                f"old Kreis code {code} mapped to {current}", spec_kreis, q.S_AREA, cell,
                frames.label(idx, "kreis_code"), code, current))
        if current in seen:
            frames.add(idx, rule_finding(
                WARNING, "duplicate_kreis",
                f"Der Kreis „{current}“ ist mehrfach eingetragen (zuerst in {seen[current]}); er "
                "wird einmal gezählt.",
                f"Kreis {current} listed twice", spec_kreis, q.S_AREA, cell,
                frames.label(idx, "kreis_code"), code))
        seen.setdefault(current, cell)
        if ctx.kreis_land is not None:
            lands.add(ctx.kreis_land.get(current, current[:2]))
    land = index.value(idx, "land_code")
    if ctx.kreis_land is not None and land and lands and land not in lands:
        names = ", ".join(sorted(voc.LAND_NAME.get(x, x) for x in lands))
        frames.add(idx, rule_finding(
            ERROR, "land_mismatch",
            f"Keiner der eingetragenen Kreise liegt in {voc.LAND_NAME.get(land, land)} (die Kreise "
            f"liegen in: {names}). Bitte Bundesland oder Kreise prüfen.",
            f"no Kreis lies in the stated Land {land}", spec_land, q.S_NET,
            frames.cell(idx, None, "land_code"), frames.label(idx, "land_code"),
            voc.LAND_NAME.get(land, land), "ein Bundesland, in dem mindestens einer der Kreise liegt"))


def _offer_kreis_rules(frames: SheetFrames, ctx: Context) -> None:
    offers = frames.frames.get(q.S_OFFER)
    if offers is None or offers.empty or ctx.kreis_land is None:
        return
    spec = q.FIELD_BY_KEY["offer_kreis_code"]
    for idx, row, code in zip(offers["_wb"], offers["_row"], offers["offer_kreis_code"]):
        if code is None or pd.isna(code) or not re.match(q.KREIS_PATTERN, str(code)):
            continue
        if _known_kreis(ctx, code)[0] is None:
            idx, row = int(idx), int(row)
            frames.add(idx, rule_finding(
                ERROR, "unknown_kreis",
                f"Den Kreisschlüssel „{code}“ gibt es nicht (Gebietsstand 31.12.2023).",
                f"unknown Kreis code {code}", spec, q.S_OFFER, frames.cell(idx, row, spec.key),
                frames.label(idx, spec.key), code, "ein gültiger fünfstelliger Kreisschlüssel"))


def _budget_rules(frames: SheetFrames, idx: int, index: _Index, spec_budget: q.FieldSpec) -> None:
    budget = index.value(idx, "budget_eur")
    staff = index.value(idx, "paid_staff_fte")
    cell = frames.cell(idx, None, "budget_eur")
    label = frames.label(idx, "budget_eur")
    total = index.funding_total.get(idx)
    if budget is not None and total and abs(total - budget) > FUNDING_TOLERANCE * max(budget, 1):
        frames.add(idx, rule_finding(
            WARNING, "funding_vs_budget",
            f"Die Summe der Finanzierungsquellen ({de_number(total)} EUR) weicht um mehr als "
            f"{int(FUNDING_TOLERANCE * 100)} % vom Jahresbudget ({de_number(budget)} EUR) ab. Bitte prüfen.",
            f"funding sum {total:.2f} differs from budget {budget:.2f} by more than "
            f"{FUNDING_TOLERANCE:.0%}", spec_budget, q.S_NET, cell, label, budget,
            f"etwa {de_number(total)} EUR"))
    if budget == 0 and staff and staff > 0:
        frames.add(idx, rule_finding(
            WARNING, "staff_without_budget",
            f"Es ist bezahltes Personal angegeben ({de_number(staff)} VZÄ), aber ein Jahresbudget "
            "von 0 EUR. Bitte prüfen.",
            "paid staff but zero budget", spec_budget, q.S_NET, cell, label, budget))


# --- rules across years --------------------------------------------------------------

def _jumped(now: float, before: float) -> bool:
    """True when `now` is more than JUMP_FACTOR times `before` or less than a JUMP_FACTOR-th of it."""
    a, b = max(float(now), 1.0), max(float(before), 1.0)
    return a > JUMP_FACTOR * b or b > JUMP_FACTOR * a


def partner_total(values: dict, year: int | None = None) -> tuple[int | None, dict[str, int]]:
    """Sum of the partner counts given (None when none is given) and the counts by field key."""
    keys = [f.key for f in q.PARTNER_FIELDS if year is None or f.exists_in(year)]
    counts = {k: int(v) for k in keys if (v := _value(values.get(k))) is not None}
    return (sum(counts.values()) if counts else None), counts


def _year_rules(frames: SheetFrames, idx: int, index: _Index, prev: dict, has_net: bool) -> None:
    """Founding year changed; partners or budget jumped by more than JUMP_FACTOR vs the last answers."""
    then = prev.get(PREVIOUS_YEAR)
    when = f"im Jahr {then}" if then else "im Vorjahr"
    if has_net:
        spec = q.FIELD_BY_KEY["founded_year"]
        now, before = index.value(idx, "founded_year"), _value(prev.get("founded_year"))
        if now is not None and before is not None and int(now) != int(before):
            frames.add(idx, rule_finding(
                WARNING, "founded_year_changed",
                f"Das Gründungsjahr {int(now)} weicht von der Angabe {when} ab ({int(before)}). "
                "Bitte prüfen; ist die neue Angabe richtig, ist nichts weiter zu tun.",
                f"founding year {int(now)} differs from {int(before)} reported for {then}",
                spec, q.S_NET, frames.cell(idx, None, spec.key), frames.label(idx, spec.key),
                int(now), f"wie {when}: {int(before)}, oder eine Korrektur"))
        spec = q.FIELD_BY_KEY["budget_eur"]
        now, before = index.value(idx, "budget_eur"), _value(prev.get("budget_eur"))
        if now is not None and before is not None and _jumped(now, before):
            frames.add(idx, rule_finding(
                WARNING, "budget_jump",
                f"Das Jahresbudget ({de_number(now)} EUR) hat sich gegenüber der Angabe {when} "
                f"({de_number(before)} EUR) um mehr als das {int(JUMP_FACTOR)}-Fache verändert. "
                "Bitte prüfen (z. B. Tausenderpunkt oder Cent-Angabe).",
                f"budget {now:.2f} vs {before:.2f} in {then}: more than x{JUMP_FACTOR:g}",
                spec, q.S_NET, frames.cell(idx, None, spec.key), frames.label(idx, spec.key),
                now, f"etwa {de_number(before)} EUR wie {when}, oder eine bestätigte Änderung"))
    if idx in index.partners:
        now_total, now_counts = partner_total(index.partners[idx], frames.year)
        before_total, before_counts = partner_total(prev)
        if now_total is not None and before_total is not None and _jumped(now_total, before_total):
            # point at the partner type that changed most
            key = max(now_counts, key=lambda k: (abs(now_counts[k] - before_counts.get(k, 0)), -list(now_counts).index(k)))
            spec = q.FIELD_BY_KEY[key]
            frames.add(idx, rule_finding(
                WARNING, "partners_jump",
                f"Die Zahl der Partner insgesamt ({de_number(now_total)}) hat sich gegenüber der Angabe "
                f"{when} ({de_number(before_total)}) um mehr als das {int(JUMP_FACTOR)}-Fache verändert; "
                f"am stärksten bei „{frames.label(idx, key)}“ ({de_number(before_counts.get(key, 0))} → "
                f"{de_number(now_counts[key])}). Bitte prüfen.",
                f"partners total {now_total} vs {before_total} in {then}: more than x{JUMP_FACTOR:g}",
                spec, q.S_PART, frames.cell(idx, None, key), frames.label(idx, key), now_counts[key],
                f"etwa {de_number(before_counts.get(key, 0))} wie {when}, oder eine bestätigte Änderung"))


def missing_since_last_year(ctx: Context, year: int, received_ids: set[str]) -> list[str]:
    """Networks with accepted answers for `year - 1` that have sent nothing for `year` (sorted)."""
    if ctx.previous is None:
        return []
    return sorted(nid for nid, prev in ctx.previous.items()
                  if prev.get(PREVIOUS_YEAR) == year - 1 and nid not in received_ids)


def validate(frames: SheetFrames, ctx: Context) -> dict[int, list[Finding]]:
    """Run schemas and rules; return the findings of every workbook of the batch."""
    run_schemas(frames)
    cross_rules(frames, ctx)
    return frames.findings
