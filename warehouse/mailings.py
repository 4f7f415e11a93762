"""What the mailings (send-out, remind, answer) need from the warehouse, and their record.

- `latest_submissions`: each network's latest file of a year (status, file hash, when);
- `contacts`: each network's coordinator from its last accepted Kontakt sheet (private);
- `sent_message_ids` / `record_mailings`: `meta.mailings`, one row per message handed to
  the SMTP server (time, network, kind, message-id, result) — never the body or address;
- `last_reminders`: when each network was last reminded (for the staff overview).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from .sqltext import insert_rows

SENT = "sent"


@dataclass(frozen=True)
class Submission:
    network_id: str
    file_name: str
    file_sha256: str
    status: str
    received_at: datetime | None
    loaded_any: bool          # the warehouse holds accepted answers of the year (perhaps an earlier file)


def latest_submissions(con, year: int) -> dict[str, Submission]:
    """network_id -> its latest (non-superseded) file of `year`, over all runs."""
    rows = con.execute(
        "SELECT s.network_id, s.file_name, s.file_sha256, s.status, s.received_at "
        "FROM meta.submissions s LEFT JOIN meta.runs r USING (run_id) "
        "WHERE s.census_year = ? AND s.network_id IS NOT NULL AND s.status <> 'superseded' "
        "ORDER BY r.started_at NULLS FIRST, s.received_at, s.file_name", [year]).fetchall()
    loaded = {r[0] for r in con.execute(
        "SELECT DISTINCT network_id FROM core.networks WHERE census_year = ?", [year]).fetchall()}
    out: dict[str, Submission] = {}
    for nid, name, sha, status, received in rows:
        out[nid] = Submission(nid, name, sha, status, received, nid in loaded)
    return out


def contacts(con, year: int) -> dict[str, tuple[str | None, str | None]]:
    """network_id -> (name, e-mail) of the coordinator from the latest accepted Kontakt sheet up to `year`."""
    rows = con.execute(
        "SELECT network_id, contact_name, contact_email FROM private.contacts WHERE census_year <= ? "
        "QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY census_year DESC) = 1", [year]).fetchall()
    return {nid: (name, email) for nid, name, email in rows}


def sent_message_ids(con) -> set[str]:
    """Message-IDs the SMTP server has accepted before: never sent again."""
    return {r[0] for r in con.execute("SELECT message_id FROM meta.mailings WHERE result = ?", [SENT]).fetchall()}


def record_mailings(con, rows: list[tuple[str, int, str, str, datetime, str]]) -> None:
    """Append (message_id, census_year, network_id, kind, sent_at, result) rows in one transaction."""
    if not rows:
        return
    con.execute("BEGIN")
    insert_rows(con, "meta.mailings", rows)
    con.execute("COMMIT")


def last_reminders(con, year: int) -> dict[str, datetime]:
    """network_id -> when it was last sent a reminder for `year` (empty before any mailing)."""
    try:
        rows = con.execute("SELECT network_id, max(sent_at) FROM meta.mailings WHERE census_year = ? "
                           "AND kind = 'remind' AND result = ? GROUP BY network_id", [year, SENT]).fetchall()
    except duckdb.CatalogException:  # a warehouse built before meta.mailings existed, opened read-only
        return {}
    return {nid: at for nid, at in rows}
