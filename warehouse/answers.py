"""A network's last accepted answers, to prefill next year's workbook."""

from __future__ import annotations

import math

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from mint_census.schemas.template import Answers


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def last_answers(con, network_id: str, year: int) -> Answers | None:
    """Answers of the latest census year before `year` with accepted data, or None.

    Personal fields (the coordinator's contact) are never prefilled: a template may reach
    another person than last year's, and last year's row may not be this network's own
    coordinator's; the coordinator enters them each year."""
    row = con.execute("SELECT max(census_year) FROM core.networks WHERE network_id = ? AND census_year < ?",
                      [network_id, year]).fetchone()
    if row is None or row[0] is None:
        return None
    last = int(row[0])
    answers = Answers()
    for sheet in q.SHEETS:
        if not sheet.exists_in(last):
            continue
        keys = [f.key for f in sheet.fields_in(last) if f.key != "network_id" and f.exists_in(year)
                and not f.personal]
        if not keys:
            continue
        order = " ORDER BY row_no" if sheet.kind == "table" else ""
        cur = con.execute(f"SELECT {', '.join(keys)} FROM {sheet.table} WHERE network_id = ? AND census_year = ?"
                          + order, [network_id, last])
        rows = [{k: voc.to_label(k, v) if k in voc.FIELD_VOCABULARY else v  # codes -> German labels
                 for k, v in zip(keys, map(_clean, r))} for r in cur.fetchall()]
        if sheet.kind == "form":
            if rows:
                answers.form.update(rows[0])
        else:
            answers.tables[sheet.name] = rows
    answers.form["network_id"] = network_id
    return answers


PREVIOUS_KEYS = ("founded_year", "budget_eur", *(f.key for f in q.PARTNER_FIELDS))


def previous_values(con, year: int) -> dict[str, dict]:
    """For the across-year rules: each network's accepted values of its latest census year before `year`.

    Returns network_id -> {field key: value, "_year": that census year} for the fields the
    rules compare (founding year, budget, partner counts); this is what
    `schemas.frames.Context(previous=...)` expects.
    """
    from mint_census.schemas.frames import PREVIOUS_YEAR

    partner_keys = [f.key for f in q.PARTNER_FIELDS]
    sql = (
        "WITH last AS (SELECT network_id, max(census_year) AS y FROM core.networks WHERE census_year < ? "
        "GROUP BY network_id) "
        "SELECT n.network_id, n.census_year, n.founded_year, n.budget_eur, "
        + ", ".join(f"p.{k}" for k in partner_keys)
        + " FROM core.networks n JOIN last ON n.network_id = last.network_id AND n.census_year = last.y "
        "LEFT JOIN core.partners p ON p.network_id = n.network_id AND p.census_year = n.census_year")
    out: dict[str, dict] = {}
    for row in con.execute(sql, [year]).fetchall():
        nid, census_year, *values = row
        rec = {k: _clean(v) for k, v in zip(PREVIOUS_KEYS, values)}
        rec[PREVIOUS_YEAR] = int(census_year)
        out[nid] = rec
    return out
