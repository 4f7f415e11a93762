"""Issue 13, case 1: after `retention` no personal value of the affected years is recoverable
from any byte of any file under the home (warehouse file, archive, inbox, reports, outbox)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from mint_census.flows.home import Home
from mint_census.flows.steps import check, retention
from mint_census.sources.workbook import read_workbook

from .test_research_census import REGISTER, census_home, contact, query


def demo_values() -> set[str]:
    """Every contact value written into the small census (accepted and rejected workbooks)."""
    values = set()
    for nid, *_ in REGISTER:
        for year in (2024, 2025):
            values |= set(contact(nid, year).values())
    for year in (2024, 2025):
        values |= {f"Rita Abgelehnt{year}", f"rita.{year}@abgelehnt.example"}
    return values


def byte_hits(root: Path, values: set[str]) -> dict[str, set[str]]:
    """Every file under root (raw bytes, and unpacked members of zip files) holding a value."""
    out: dict[str, set[str]] = {}
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        blobs = [f.read_bytes()]
        if blobs[0][:2] == b"PK":
            with zipfile.ZipFile(f) as z:
                blobs += [z.read(i) for i in z.infolist()]
        found = {v for v in values if any(v.encode() in b for b in blobs)}
        if found:
            out[f.relative_to(root).as_posix()] = found
    return out


def test_retention_keep_0_leaves_no_contact_value_in_any_byte_of_the_home(tmp_path):
    home = census_home(tmp_path)
    values = demo_values()
    outbox = home / "outbox" / "2025"
    outbox.mkdir(parents=True)
    (outbox / "MR-001.eml").write_text(f"To: {contact('MR-001', 2025)['contact_email']}\n\nHallo\n")
    (outbox / "versand.csv").write_text(f"MR-001;{contact('MR-001', 2025)['contact_name']};gesendet\n")
    before = byte_hits(home, values)
    assert "warehouse/mint_census.duckdb" in before and any(k.startswith("archive/") for k in before)
    assert any(k.startswith("inbox/") for k in before)
    networks = query(home, "SELECT * FROM core.networks ORDER BY ALL")

    received = len(list(home.glob("inbox/*/*.xlsx")))  # every one was archived
    done = retention(Home(home), keep_years=0, current_year=2025)

    assert byte_hits(home, values) == {}
    assert "outbox/2025/MR-001.eml" in done.outbox_removed
    assert "outbox/2025/versand.csv" in done.outbox_redacted
    assert len(done.archive_files_redacted) == received == 11 and done.archive_files_removed == []
    assert "inbox/2025/kaputt_2025.xlsx" in done.inbox_redacted
    assert "\n".join(done.lines()).count("Geheim") == 0  # the output names places, never values
    # the statistics stay: core rows unchanged, the redacted archive still reads, invariants hold
    assert query(home, "SELECT * FROM core.networks ORDER BY ALL") == networks
    assert query(home, "SELECT count(*) FROM private.contacts") == [(0,)]
    key = query(home, "SELECT archive_path FROM meta.submissions WHERE network_id = 'MR-001' "
                      "AND census_year = 2025 AND loaded")[0][0]
    wb = read_workbook(Home(home).archive / key)
    cells = {c.field_key: c.text for c in wb.cells}
    assert cells["network_name"] == "MINT-Region Köln" and cells.get("contact_name") is None
    assert check(Home(home)) == []


def test_dry_run_lists_every_place_and_changes_nothing(tmp_path):
    home = census_home(tmp_path)
    values = demo_values()
    before = byte_hits(home, values)
    dry = retention(Home(home), keep_years=0, current_year=2025, dry_run=True)
    assert dry.contacts_removed == 9  # the accepted workbooks of 2024 and 2025
    assert len(dry.archive_files_redacted) == 11 and len(dry.inbox_redacted) == 11
    assert any(p.startswith("reports/2025/") for p in dry.reports_redacted)
    assert byte_hits(home, values) == before
