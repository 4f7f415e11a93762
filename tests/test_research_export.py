"""Issue 13, case 7: docs/research.md warns about formula-like texts and its safe export works."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

RESEARCH = Path(__file__).resolve().parent.parent / "docs" / "research.md"


def test_the_documented_safe_export_neutralises_formula_like_texts(tmp_path, monkeypatch):
    text = RESEARCH.read_text(encoding="utf-8")
    section = text[text.index("## Exporting to Excel or CSV"):]
    assert "formula" in section.lower() and "=HYPERLINK" in section
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    db = tmp_path / "mint_census_2025.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA core; CREATE TABLE core.offers (offer_title VARCHAR, participants INTEGER)")
    con.execute("INSERT INTO core.offers VALUES ('=HYPERLINK(\"http://x\")', -5), ('@SUM(A1)', 3), "
                "('Robotik-AG', 12), ('\uff1d1+1', 1)")
    con.close()
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "research.md", "exec"), {})
    with open(tmp_path / "angebote.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "-5"]
    assert rows[2] == ["'@SUM(A1)", "3"] and rows[3] == ["Robotik-AG", "12"] and rows[4] == ["'\uff1d1+1", "1"]
