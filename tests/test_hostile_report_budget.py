"""Issue 13, case 4: the check-report copy of a rejected workbook is built only within a size
budget; above it the report is the findings sheet alone, with a sentence saying why."""

from __future__ import annotations

import random

from openpyxl import load_workbook

from mint_census.flows.home import Home
from mint_census.flows.steps import ingest_batch
from mint_census.sources.reference import load_reference

from .conftest import full_answers, tweak


def _inflate(path, mb: float) -> None:
    wb = load_workbook(path)
    ws = wb.create_sheet("Anlage")
    rnd = random.Random(13)
    for _ in range(int(mb * 1e6 / 37 / 50)):
        ws.append([rnd.randint(0, 99999) for _ in range(50)])
    wb.save(path)


def test_a_huge_rejected_workbook_gets_the_findings_sheet_only_with_the_reason(home, make_workbook):
    big = make_workbook("gross.xlsx", tweak(full_answers(2025, "MR-001"), founded_year="irgendwann"),
                        network_id="MR-001")
    _inflate(big, 1.2)
    make_workbook("klein.xlsx", tweak(full_answers(2025, "MR-002"), founded_year="irgendwann"),
                  network_id="MR-002")
    summary, received = ingest_batch(Home(home), 2025, None, load_reference(None))
    assert summary.rejected == 2
    reports = home / "reports" / "2025"
    huge = load_workbook(reports / "MR-001_Pruefbericht.xlsx")
    assert huge.sheetnames == ["Prüfbericht"]
    texts = [c.value for row in huge["Prüfbericht"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("ungewöhnlich groß" in t and "nur die Liste der Befunde" in t for t in texts)
    assert any("Gründungsjahr" in t for t in texts)          # the findings are there
    small = load_workbook(reports / "MR-002_Pruefbericht.xlsx")
    assert "Netzwerk" in small.sheetnames                      # a normal workbook keeps its marked copy
