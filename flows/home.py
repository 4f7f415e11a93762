"""The layout of a census home directory (`--home`): the only code that knows it.

Everything below flows/ takes explicit paths; this module turns a home directory into
those paths. DESIGN.md ("The command line") describes the layout:

    register.csv            the staff's register of networks (as they are now)
    register_events.csv     its history: dated events (admitted, renamed, paused, merged, …)
    register.xlsx           the register as staff edit it (`register export` / `register import`)
    inbox/<Y>/              incoming workbooks of census year Y
    archive/                every received file, by content hash (never changed by a run)
    reports/<Y>/            check reports and the staff overview of year Y
    reports/<Y>/nur-geschaeftsstelle/   staff only: reports of files whose identity is in doubt
    warehouse/              the private DuckDB file, its writer lock, register_history.json
    published/              researcher snapshots (DuckDB + Parquet), no personal data
    publication/<Y>/        tables, figures and report of the overview publication
    outbox/<Y>/             e-mails prepared or sent (<kind>/ per send-out, remind, answer; versand.xlsx)
    vorlagen/               staff's own e-mail templates (override the shipped ones)
    versand.ini             sender and SMTP settings (never a password)
    logs/                   the full log
    .prefect/               Prefect's local state (when no server is configured)
    .demo                   marks a home that holds the fictitious demo census
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "data"
HOME_ENV = "MINT_CENSUS_HOME"


def default_home(env: Mapping[str, str] | None = None) -> str:
    """`$MINT_CENSUS_HOME` of `env` (default: this process's environment), else ./data."""
    return (os.environ if env is None else env).get(HOME_ENV) or DEFAULT_HOME


@dataclass(frozen=True)
class Home:
    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    # --- what staff put in -----------------------------------------------------------
    @property
    def register(self) -> Path:
        return self.root / "register.csv"

    @property
    def register_events(self) -> Path:
        return self.root / "register_events.csv"

    @property
    def register_workbook(self) -> Path:
        return self.root / "register.xlsx"

    def inbox(self, year: int) -> Path:
        return self.root / "inbox" / str(year)

    # --- what runs keep ----------------------------------------------------------------
    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def warehouse(self) -> Path:
        """The private DuckDB file (written only by flows)."""
        return self.warehouse_dir / "mint_census.duckdb"

    @property
    def register_history(self) -> Path:
        """A copy of core.register_history beside the warehouse (for `rebuild` when the file is lost)."""
        return self.warehouse_dir / "register_history.json"

    @property
    def cache(self) -> Path:
        """What can be made again at any time: the prepared base map per version of the reference
        boundaries, and per census year the ingest ledger (flows/ledger.py) and the inbox's content
        hashes (sources/known_hashes.py: file names, sizes, times, hashes); safe to delete."""
        return self.root / ".cache"

    @property
    def writer_lock(self) -> Path:
        return self.warehouse_dir / "writer.lock"

    # --- what runs give out ------------------------------------------------------------
    def reports(self, year: int) -> Path:
        return self.root / "reports" / str(year)

    def reports_staff(self, year: int) -> Path:
        """Staff only, never sent out: reports of files whose network identity is in doubt."""
        return self.reports(year) / "nur-geschaeftsstelle"

    @property
    def reports_root(self) -> Path:
        return self.root / "reports"

    @property
    def published(self) -> Path:
        return self.root / "published"

    def publication(self, year: int) -> Path:
        return self.root / "publication" / str(year)

    def outbox(self, year: int) -> Path:
        return self.root / "outbox" / str(year)

    def outbox_kind(self, year: int, kind: str) -> Path:
        """outbox/<Y>/<kind>/: the .eml files, attachments and versand.xlsx of one kind of mailing."""
        return self.outbox(year) / kind

    def deadline_file(self, year: int) -> Path:
        """The Einsendeschluss given to `send-out --deadline` (reminders repeat it)."""
        return self.outbox(year) / "einsendeschluss.txt"

    @property
    def mail_templates(self) -> Path:
        """Staff's e-mail templates (<kind>.txt); a missing file falls back to the shipped default."""
        return self.root / "vorlagen"

    @property
    def mail_settings(self) -> Path:
        return self.root / "versand.ini"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "mint-census.log"

    @property
    def prefect(self) -> Path:
        return self.root / ".prefect"

    # --- the demo ------------------------------------------------------------------------
    @property
    def demo_marker(self) -> Path:
        return self.root / ".demo"

    @property
    def is_demo(self) -> bool:
        return self.demo_marker.exists()
