"""From raw cells of many workbooks to one typed DataFrame per sheet type.

All workbooks of a batch become one frame per sheet (column `_wb` says which
workbook, `_row` which sheet row for table sheets), so that validation is one
pandera call per sheet type, not one per workbook. Values are parsed with
`sources.values.parse`; what could not be understood is left empty and reported,
so one bad cell never hides the rule failures of the others.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from mint_census.schemas import questionnaire as q
from mint_census.schemas.findings import ERROR, WARNING
from mint_census.schemas.messages import cell_finding
from mint_census.schemas.frames import SheetFrames
from .values import INTERPRETED, INVALID, parse
from .workbook import RawWorkbook


_LABEL_CODE = re.compile(r"\((\d{5})\)\s*$")


def _kreis_code_from_name(rows: dict, out: SheetFrames, year: int) -> None:
    """The Kreis chosen by name decides (docs/method.md, "Kreis by name or by code").

    A label from the template's dropdown ("Bamberg, kreisfreie Stadt (09461)") carries the
    code. With the code cell empty (the template's lookup formula, never calculated by the
    program that saved the file) the label's code is what the formula gives: read silently.
    When the code cell holds another code, the name the coordinator sees wins, with a hint
    that quotes both.
    """
    spec = q.FIELD_BY_KEY["kreis_code"]
    for (idx, row), rec in rows.items():
        name = rec.get("kreis_name")
        match = _LABEL_CODE.search(name) if isinstance(name, str) else None
        if match is None or (idx, row, "kreis_code") in out.coercion_errors:
            continue
        code, chosen = rec.get("kreis_code"), match.group(1)
        rec["kreis_code"] = chosen
        if code is not None and code != chosen:
            cell = out.cell(idx, row, "kreis_code")
            out.add(idx, cell_finding(WARNING, "kreis_name_wins", spec, q.S_AREA, cell,
                                      out.label(idx, "kreis_code"), code, year, read_as=chosen,
                                      values={"name": name.strip()}))


def build_frames(workbooks: dict[int, RawWorkbook], year: int) -> SheetFrames:
    """Typed frames for the workbooks (by batch index) that belong to survey year `year`."""
    out = SheetFrames(year=year)
    records: dict[str, dict[tuple[int, int | None], dict]] = defaultdict(dict)
    for idx, wb in workbooks.items():
        out.versions[idx] = wb.template_version
        out.network_ids[idx] = wb.network_id
        lay = q.layout(wb.template_version)
        for rc in wb.cells:
            spec = q.FIELD_BY_KEY[rc.field_key]
            label = lay.places[rc.field_key].label
            parsed = parse(spec, rc.value)
            rec = records[rc.sheet].setdefault((idx, rc.row), {"_wb": idx, "_row": rc.row})
            rec[rc.field_key] = parsed.value
            out.cells[(idx, rc.row, rc.field_key)] = rc.cell
            if parsed.status == INVALID:
                out.coercion_errors.add((idx, rc.row, rc.field_key))
                out.add(idx, cell_finding(ERROR, parsed.code, spec, rc.sheet, rc.cell, label,
                                          parsed.shown, year, values=parsed.values))
            elif parsed.status == INTERPRETED:
                out.add(idx, cell_finding(WARNING, parsed.code, spec, rc.sheet, rc.cell, label,
                                          parsed.shown, year, read_as=parsed.value, values=parsed.values))
    _kreis_code_from_name(records.get(q.S_AREA, {}), out, year)
    lay = q.layout_for_year(year)
    for sheet_name in lay.sheets:
        keys = [p.field.key for p in lay.fields_of(sheet_name)]
        rows = list(records.get(sheet_name, {}).values())
        frame = pd.DataFrame(rows, columns=["_wb", "_row", *keys])
        frame["_wb"] = frame["_wb"].astype("int64")
        frame["_row"] = frame["_row"].astype("Int64")
        frame["_census_year"] = pd.array([year] * len(frame), dtype="Int64")
        for key in keys:
            dtype = q.FIELD_BY_KEY[key].pandas_dtype
            if dtype != "object":
                frame[key] = frame[key].astype(dtype)
            else:
                frame[key] = frame[key].astype(object)
        out.frames[sheet_name] = frame.reset_index(drop=True)
    return out
