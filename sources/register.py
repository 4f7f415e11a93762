"""The register of networks (Netzwerkverzeichnis), maintained by staff as a CSV file.

One row per network ever counted: its stable ID, name, type, Land, founding year,
the first census year in which it was counted, and where it ended the end year
(the first census year in which it is no longer counted), the reason
(aufgelöst/fusioniert) and the successor's ID. It is the source of the growth
series for years without detailed survey data. Location: <home>/register.csv
(German Excel's ';' or ',' as separator; UTF-8 or Windows-1252).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

COLUMNS = ("network_id", "network_name", "network_type", "land_code", "founded_year",
           "first_census_year", "end_year", "end_reason", "successor_id", "kreise")
END_REASONS = ("aufgelöst", "fusioniert")


class RegisterError(ValueError):
    """The register cannot be used; the message lists every problem with its line."""


def counted(register: pd.DataFrame, year: int) -> pd.Series:
    """Boolean mask over `register`: the networks counted in census `year`.

    The counting rule: a network is counted in census year Y when
    first_census_year <= Y and (end_year is empty or Y < end_year). end_year is the
    first census year in which a network is no longer counted, so a network ending in
    2020 is counted in 2019 but not in 2020. A row without first_census_year is never
    counted. This is the one Python statement of the rule; the warehouse states it once in
    SQL (the view pub.network_years). tests/test_counting.py checks that both agree on
    every year of the demo.
    """
    first = register["first_census_year"]
    end = register["end_year"]
    return ((first <= year) & (end.isna() | (end > year))).fillna(False).astype(bool)


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RegisterError("register is neither UTF-8 nor Windows-1252 text")


def read_register(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise RegisterError(f"register file not found: {path}")
    text = _decode(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
        sep = dialect.delimiter
    except (csv.Error, IndexError):
        sep = ","
    df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise RegisterError(f"{path.name}: missing columns: {', '.join(missing)}")
    return normalise_register(df[list(COLUMNS)], path.name)


def normalise_register(df: pd.DataFrame, name: str = "register") -> pd.DataFrame:
    """Type and check the register; raise RegisterError listing every problem."""
    problems: list[str] = []
    out = df.copy()
    for c in out.columns:
        if c != "kreise":
            out[c] = out[c].astype(object).map(lambda v: (v.strip() or None) if isinstance(v, str) else None)
    for col in ("founded_year", "first_census_year", "end_year"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    out["land_code"] = out["land_code"].astype(object).map(lambda v: voc.LAND_BY_TEXT.get(str(v).casefold()) if v else None)
    out["kreise"] = out["kreise"].astype(object).map(
        lambda v: [k.strip().zfill(5) for k in re.split(r"[;, ]+", v) if k.strip()] if isinstance(v, str) else [])
    for i, r in out.iterrows():
        line = i + 2  # header is line 1
        nid = r["network_id"]
        if not nid or not re.match(q.NETWORK_ID_PATTERN, nid):
            problems.append(f"line {line}: network_id {nid!r} does not match {q.NETWORK_ID_PATTERN}")
        if not isinstance(r["land_code"], str):
            problems.append(f"line {line}: land_code {df.at[i, 'land_code']!r} is not a Land")
        if r["network_type"] not in voc.NETWORK_TYPES:
            problems.append(f"line {line}: network_type {r['network_type']!r} not one of {voc.NETWORK_TYPES}")
        fy, first, end = r["founded_year"], r["first_census_year"], r["end_year"]
        if pd.isna(first) or first < q.FIRST_CENSUS_YEAR:
            problems.append(f"line {line}: first_census_year must be a year >= {q.FIRST_CENSUS_YEAR}")
        if not pd.isna(fy) and not pd.isna(first) and fy > first:
            problems.append(f"line {line}: founded_year {fy} after first_census_year {first}")
        if not pd.isna(end) and not pd.isna(first) and end <= first:
            problems.append(f"line {line}: end_year {end} must be after first_census_year {first}")
        if isinstance(r["end_reason"], str) and r["end_reason"] not in END_REASONS:
            problems.append(f"line {line}: end_reason must be one of {END_REASONS}")
        if isinstance(r["successor_id"], str) and r["successor_id"] not in set(out["network_id"]):
            problems.append(f"line {line}: successor_id {r['successor_id']!r} is not in the register")
    dupes = out["network_id"][out["network_id"].duplicated()].unique()
    if len(dupes):
        problems.append(f"duplicate network_id: {', '.join(map(str, dupes))}")
    if problems:
        raise RegisterError(f"{name}: {len(problems)} problem(s):\n  " + "\n  ".join(problems[:50]))
    for c in ("network_name", "network_type", "land_code", "end_reason", "successor_id"):
        out[c] = out[c].astype(object).map(lambda v: v if isinstance(v, str) else None)
    return out.reset_index(drop=True)


def write_register(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    out["kreise"] = out["kreise"].astype(object).map(lambda ks: ";".join(ks))
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, sep=";", encoding="utf-8")
