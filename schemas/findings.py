"""Findings: one problem found in one received file, pointing at one cell where possible.

A finding carries both the German text for the coordinator's check report and the
English text for staff logs. It never carries personal data: for fields declared
personal, the found value is replaced by a placeholder before it is stored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR, WARNING = "error", "warning"
SEVERITY_DE = {ERROR: "Fehler", WARNING: "Hinweis"}

# What became of a received workbook.
ACCEPTED, WITH_WARNINGS, REJECTED, SUPERSEDED, MISSING = (
    "accepted", "accepted_with_warnings", "rejected", "superseded", "missing")
NEW_NETWORK = "new_network"   # a valid blank template of a network not yet in the register (not loaded)
STATUS_DE = {ACCEPTED: "angenommen", WITH_WARNINGS: "angenommen mit Hinweisen",
             REJECTED: "abgelehnt", SUPERSEDED: "ersetzt durch neuere Datei", MISSING: "fehlt",
             NEW_NETWORK: "neues Netzwerk (Aufnahme ins Verzeichnis)"}


@dataclass(frozen=True)
class Finding:
    severity: str                 # ERROR (blocks the load) or WARNING (loaded, reported)
    code: str                     # stable machine code, e.g. "required", "not_an_integer", "zip_bomb"
    message_de: str               # German, for the coordinator: what was found, what is expected
    message_en: str               # English, for staff logs
    sheet: str | None = None      # sheet name in the workbook, None for file-level findings
    cell: str | None = None       # A1 address, None for sheet- or file-level findings
    field_key: str | None = None
    field_label: str | None = None
    found: str | None = None      # the value as read (never personal data)
    expected: str | None = None   # German description of what is expected

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict:
        return asdict(self)
