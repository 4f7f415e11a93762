"""Coordinators' e-mail addresses kept by staff in the register's optional `contact_email` column.

The column is personal data: it is read here for the mailings and the staff overview only,
never loaded into the warehouse's register tables (sources.register ignores it). A register
without the column, or a row with an empty cell, simply has no address there; the mailings
then fall back to the last accepted Kontakt sheet (or the other way round, as staff choose).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from mint_census.schemas import questionnaire as q

from .register import _decode

CONTACT_COLUMN = "contact_email"
_EMAIL = re.compile(q.EMAIL_PATTERN)


def register_emails(path: Path) -> dict[str, str]:
    """network_id -> e-mail address from the register's `contact_email` column (valid addresses only)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".csv":
        return {}
    text = _decode(path.read_bytes())
    lines = text.splitlines()
    if not lines:
        return {}
    try:
        sep = csv.Sniffer().sniff(lines[0], delimiters=";,").delimiter
    except csv.Error:
        sep = ","
    reader = csv.DictReader(io.StringIO(text), delimiter=sep)
    if reader.fieldnames is None:
        return {}
    reader.fieldnames = [f.strip() for f in reader.fieldnames]
    if CONTACT_COLUMN not in reader.fieldnames or "network_id" not in reader.fieldnames:
        return {}
    out = {}
    for row in reader:
        nid = (row.get("network_id") or "").strip()
        email = (row.get(CONTACT_COLUMN) or "").strip()
        if nid and email and _EMAIL.match(email):
            out[nid] = email
    return out
