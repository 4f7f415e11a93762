"""Issue 13, case 5: every inbox entry is accounted for. Links, folders and FIFOs are never
followed or read, and appear with their reason on the console and in the staff overview."""

from __future__ import annotations

import os

from openpyxl import load_workbook

from mint_census.flows.home import Home
from mint_census.flows.steps import ingest_batch
from mint_census.sources.reference import load_reference


def test_links_folders_and_fifos_are_listed_with_the_reason_and_never_followed(home, make_workbook, capsys):
    from mint_census.flows.commands import _print_ingest

    make_workbook("MR-001.xlsx", network_id="MR-001")
    elsewhere = make_workbook("MR-002.xlsx", network_id="MR-002", folder=home / "outside")
    inbox = home / "inbox" / "2025"
    (inbox / "MR-002.xlsx").symlink_to(elsewhere)
    (inbox / "x.xlsx").mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(inbox / "pipe.xlsx")
    summary, received = ingest_batch(Home(home), 2025, None, load_reference(None))
    assert [r.file_name for r in received] == ["MR-001.xlsx"]          # the link was not followed
    reasons = {e["Datei"]: e["Grund"] for e in summary.skipped}
    assert reasons["MR-002.xlsx"].startswith("Verknüpfung – bitte die Datei selbst ablegen")
    assert reasons["x.xlsx"].startswith("Ordner – bitte die Datei selbst ablegen")
    if hasattr(os, "mkfifo"):
        assert reasons["pipe.xlsx"].startswith("Keine gewöhnliche Datei")

    ws = load_workbook(home / "reports" / "2025" / "uebersicht.xlsx")["Übersicht"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    link_rows = [r for r in rows if r["Datei"] == "MR-002.xlsx"]
    assert link_rows and link_rows[0]["Status"] == "nicht gelesen"
    assert link_rows[0]["Bemerkung"].startswith("Verknüpfung – bitte die Datei selbst ablegen")
    assert any(r["Datei"] == "x.xlsx" for r in rows)

    capsys.readouterr()
    _print_ingest(Home(home), summary, 0.1)
    out = capsys.readouterr().out
    assert "not read: MR-002.xlsx: Verknüpfung – bitte die Datei selbst ablegen" in out
    assert "not read: x.xlsx: Ordner" in out
