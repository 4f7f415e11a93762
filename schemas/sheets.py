"""The pandera schemas of the questionnaire's sheets, generated from the declaration.

`schema_for(sheet, year)` builds the DataFrameSchema of a sheet: dtype, required, allowed
values, bounds and formats per field, plus the rules within one sheet (FRAME_RULES, e.g.
the founding year not after the survey year). Titles, descriptions and metadata come
from the declaration (pandera's own `title=`, `description=`, `metadata=`).

`run_schemas(frames)` validates every sheet type of a batch in one lazy pandera call and
maps each failure case back to its workbook, cell and German field label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import pandas as pd
import pandera.pandas as pa

from . import questionnaire as q
from . import vocabularies as voc
from .findings import ERROR
from .frames import SheetFrames
from .messages import cell_finding

PATTERNS = {
    "kreis": q.KREIS_PATTERN,
    "network_id": q.NETWORK_ID_PATTERN,
    "email": q.EMAIL_PATTERN,
    "url": q.URL_PATTERN,
    "phone": q.PHONE_PATTERN,
}


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
