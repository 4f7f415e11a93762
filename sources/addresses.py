"""Coordinators' e-mail addresses kept by staff in the register's optional `contact_email` column.

The column is personal data: it is read here for the mailings and the staff overview only,
never loaded into the warehouse's register tables (sources.register ignores it). A register
without the column, or a row with an empty cell, simply has no address there; the mailings
then fall back to the last accepted Kontakt sheet (or the other way round, as staff choose).
"""

from __future__ import annotations

import re
from pathlib import Path

from mint_census.schemas import questionnaire as q

from .register import RegisterError, decode, read_csv_text

CONTACT_COLUMN = "contact_email"
_EMAIL = re.compile(q.EMAIL_PATTERN)


def register_emails(path: Path) -> dict[str, str]:
    """network_id -> e-mail address from the register's `contact_email` column (valid addresses only)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".csv":
        return {}
    try:
        df = read_csv_text(decode(path.read_bytes(), path.name))
    except (RegisterError, ValueError):
        return {}
    if CONTACT_COLUMN not in df.columns or "network_id" not in df.columns:
        return {}
    out = {}
    for nid, email in zip(df["network_id"], df[CONTACT_COLUMN]):
        nid, email = str(nid).strip(), str(email).strip()
        if nid and email and _EMAIL.match(email):
            out[nid] = email
    return out
