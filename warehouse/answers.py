"""A network's last accepted answers, to prefill next year's workbook."""

from __future__ import annotations

import math

from schemas import questionnaire as q
from schemas.template import Answers


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def last_answers(con, network_id: str, year: int) -> Answers | None:
    """Answers of the latest census year before `year` with accepted data, or None."""
    row = con.execute("SELECT max(census_year) FROM core.networks WHERE network_id = ? AND census_year < ?",
                      [network_id, year]).fetchone()
    if row is None or row[0] is None:
        return None
    last = int(row[0])
    answers = Answers()
    for sheet in q.SHEETS:
        if not sheet.exists_in(last):
            continue
        keys = [f.key for f in sheet.fields_in(last) if f.key != "network_id" and f.exists_in(year)]
        if not keys:
            continue
        order = " ORDER BY row_no" if sheet.kind == "table" else ""
        cur = con.execute(f"SELECT {', '.join(keys)} FROM {sheet.table} WHERE network_id = ? AND census_year = ?"
                          + order, [network_id, last])
        rows = [dict(zip(keys, map(_clean, r))) for r in cur.fetchall()]
        if sheet.kind == "form":
            if rows:
                answers.form.update(rows[0])
        else:
            answers.tables[sheet.name] = rows
    answers.form["network_id"] = network_id
    return answers
