"""Incremental re-ingest: which received files need not be read and validated again.

A file is unchanged when its content (SHA-256) and every input of its assessment are the same
as at its last assessment (meta.assessments):

- the rule set: the code that reads, types and validates (the questionnaire declaration, the
  message catalogue, the pandera schemas and rules: every module of `schemas` and `sources`)
  and the package version;
- the reference data validation uses (Kreis -> Land);
- the register: the entry of the file's network, and the IDs and names of all networks (a
  workbook naming another network's name is a finding);
- the previous-year answers of its network (the across-year rules).

Such a file keeps its earlier status and findings and its rows in the warehouse. A file whose
network also has another file in the inbox, or whose earlier status was "superseded", is always
read again (duplicates are decided across files). Everything here is a plain function.
"""

from __future__ import annotations

import hashlib
import importlib
from functools import lru_cache
from pathlib import Path

import pandas as pd

from mint_census.schemas.findings import ACCEPTED, SUPERSEDED, WITH_WARNINGS

RULE_PACKAGES = ("mint_census.schemas", "mint_census.sources")


def _digest(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode("utf-8", "backslashreplace"))
        h.update(b"\x1f")
    return h.hexdigest()


@lru_cache(maxsize=1)
def rule_set_version() -> str:
    """SHA-256 over the package version and the source of every module that reads or validates."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        h = hashlib.sha256(version("mint-census").encode())
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        h = hashlib.sha256(b"source")
    for name in RULE_PACKAGES:
        for folder in importlib.import_module(name).__path__:
            for path in sorted(Path(folder).rglob("*.py")):
                if "demo" in path.relative_to(folder).parts:
                    continue  # the fictitious census generator does not assess anything
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def common_inputs(kreis_land: dict | None, register: pd.DataFrame) -> str:
    """The inputs shared by every file: rule set, reference data, the register's IDs and names."""
    names = sorted(zip(register["network_id"], register["network_name"].astype(str)))
    return _digest(rule_set_version(), sorted((kreis_land or {}).items()), names)


def _value(v: object) -> object:
    """A register cell as its digest sees it: every kind of missing value is None."""
    return None if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else v


def register_entries(register: pd.DataFrame) -> dict[str, str]:
    """network ID -> a digest of its register row (every column: the sorted (column, value) pairs)."""
    columns = sorted(register.columns)  # column by column: a frame's to_dict("records") took half the time
    values = [[_value(v) for v in register[c].tolist()] for c in columns]
    return {nid: _digest(list(zip(columns, row))) for nid, row in zip(register["network_id"].tolist(), zip(*values))}


def register_digest(register: pd.DataFrame, year: int) -> str:
    """The register as an ingest of `year` loads it into the warehouse: every column of its entries
    and of its events (sources.register.events_of), the code that reads it and derives its history
    (the rule set) and loads it (warehouse/load.py), and the census year (versions without a year of
    their own get it)."""
    from mint_census.sources.register import events_of
    from mint_census.warehouse import load as loading

    h = hashlib.sha256(rule_set_version().encode())
    h.update(Path(loading.__file__).read_bytes())
    h.update(str(year).encode())
    for frame in (register, events_of(register)):
        h.update(repr((list(frame.columns), [str(t) for t in frame.dtypes], len(frame))).encode())
        missing = frame.isna()  # "None" as text and a missing value differ
        text = frame.astype(object).where(~missing, None).astype(str)
        h.update(pd.util.hash_pandas_object(text, index=False).values.tobytes())
        h.update(pd.util.hash_pandas_object(missing, index=False).values.tobytes())
    return h.hexdigest()


def file_inputs(common: str, network_id: str | None, entries: dict[str, str], previous: dict | None) -> str:
    """The inputs fingerprint of a file claiming to be from `network_id`."""
    prev = (previous or {}).get(network_id) if network_id else None
    return _digest(common, network_id, entries.get(network_id) if network_id else None,
                   sorted((k, repr(v)) for k, v in prev.items()) if prev else None)


def reusable(earlier: dict, file_name: str, fingerprint: str) -> bool:
    """Whether an earlier assessment of the same content still stands for this file."""
    if earlier["file_name"] != file_name or earlier["inputs_fingerprint"] != fingerprint:
        return False
    if earlier["status"] in (None, SUPERSEDED) or not earlier["raw_ok"]:
        return False
    return earlier["core_ok"] or earlier["status"] not in (ACCEPTED, WITH_WARNINGS)
