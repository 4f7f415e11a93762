"""Packaged reference data and the self-describing research release (issue 11)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from mint_census.flows import steps
from mint_census.flows.home import Home
from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import write_workbook
from mint_census.sources.reference import load_reference, resolve_reference_dir

from .conftest import process
from .test_research_census import answers_for, census_home, write_small_register, write_year

ROOT = Path(__file__).resolve().parent.parent


# --- 1. reference data inside the project --------------------------------------------------------

def test_pipeline_without_a_reference_directory_uses_the_packaged_data(tmp_path, monkeypatch):
    """No --reference, no MINT_CENSUS_REFERENCE, and the working directory has no ../shared."""
    monkeypatch.delenv("MINT_CENSUS_REFERENCE", raising=False)
    work = tmp_path / "clone" / "x"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    found = resolve_reference_dir()
    assert found is not None and found.parts[-2:] == ("sources", "reference_data")
    assert not (tmp_path / "clone" / "shared").exists()
    ref = load_reference(found)
    assert len(ref.kreise) == 400 and int(ref.kreise["population"].sum()) == 84_669_326

    home = work / "data"
    (home / "inbox").mkdir(parents=True)
    write_small_register(home)
    write_year(home, 2025)
    # a Kreis that does not exist is found (only possible with the Kreis list)
    answers = answers_for("MR-007", 2025, "MINT-Region Ohne Antwort")
    answers.tables[q.S_AREA] = [{"kreis_code": "05999", "kreis_name": "Nirgendwo", "coverage": "ganz"}]
    write_workbook(home / "inbox" / "2025" / "Erhebungsbogen_2025_MR-007.xlsx", 2025, "MR-007", answers)
    summary, received = steps.ingest_batch(Home(home), 2025)
    assert (summary.accepted, summary.rejected, summary.superseded) == (4, 1, 1)
    bad = next(r for r in received if r.file_name == "Erhebungsbogen_2025_MR-007.xlsx")
    assert {f.code for f in bad.findings if f.is_error} == {"unknown_kreis"}
    published = steps.publish_year(Home(home), 2025)
    out = home / "publication" / "2025"
    assert (out / "abbildungen" / "karte_kreise.svg").is_file()
    assert (out / "abbildungen" / "karte_kreise.png").is_file()
    with open(out / "tabellen" / "09_abdeckung.csv", encoding="utf-8-sig") as fh:
        text = fh.read()
    assert "Nordrhein-Westfalen" in text
    assert (out / "tabellen" / "09a_weisse_flecken.csv").is_file()

    # The publish command prepares the warehouse and the snapshot before Prefect loads; the
    # publication that takes them over is the same, and what nobody takes over is closed again.
    from mint_census.flows import outputs
    tables = {p.name: p.read_bytes() for p in (out / "tabellen").iterdir()}
    outputs.prepare_publication(Home(home), 2025)
    assert steps.publish_year(Home(home), 2025).files == published.files
    assert {p.name: p.read_bytes() for p in (out / "tabellen").iterdir()} == tables
    outputs.prepare_publication(Home(home), 2025)
    outputs.discard_prepared()
    steps.open_warehouse(Home(home), command="test").close()  # the writer lock is free again
    assert not any("übersprungen" in m for m in published.messages)
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        # every workbook names Köln and Leverkusen: the other 398 Kreise are weiße Flecken
        assert con.execute("SELECT count(*) FROM pub.kreis_coverage WHERE census_year = 2025 AND networks = 0"
                           ).fetchone()[0] == 398
    finally:
        con.close()


def test_packaged_reference_carries_credits_and_licence():
    data = ROOT / "sources" / "reference_data"
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "© GeoBasis-DE / BKG (2024) (Daten verändert)" in readme
    assert "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Gebietsstand 31.12.2023" in readme
    licence = (data / "LICENSE-dl-de-by-2-0.txt").read_text(encoding="utf-8")
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in licence
    assert "Data licence Germany – attribution – version 2.0" in licence
    size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    assert size < 3_000_000
    kreise = json.loads((data / "bkg" / "kreise_vg2500_2023.geojson").read_text(encoding="utf-8"))
    assert len(kreise["features"]) == 400


# --- 2. the release ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def release_home(tmp_path_factory):
    home = census_home(tmp_path_factory.mktemp("release"))
    Home(home).demo_marker.write_text("demo\n", encoding="utf-8")
    steps.snapshot_year(Home(home), 2025)
    return home


def test_release_describes_itself(release_home):
    rel = release_home / "published" / "2025.1"
    assert (release_home / "published" / "LATEST").read_text(encoding="utf-8").strip() == "2025.1"
    for name in ("mint_census_2025.duckdb", "mint_census_2025.manifest.json", "README.md", "LICENSE.md",
                 "CITATION.cff", "CHANGELOG.md", "changes.csv", "data_dictionary.csv", "data_dictionary.md",
                 "questionnaire.csv", "datapackage.json", "release.json", "method.md",
                 "csv/pub.growth.csv", "csv/pub.quality_flags.csv", "parquet/core.networks.parquet",
                 "geo/kreise.geojson", "geo/laender.geojson"):
        assert (rel / name).is_file(), name
    readme = (rel / "README.md").read_text(encoding="utf-8")
    assert "Beispieldaten — fiktiv" in readme and "## Deutsch" in readme and "## English" in readme
    assert "DuckDB 0.10.3 or newer" in readme
    cff = (rel / "CITATION.cff").read_text(encoding="utf-8")
    assert 'version: "2025.1"' in cff and "license: CC-BY-4.0" in cff
    licence = (rel / "LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "dl-de/by-2-0" in licence
    assert "Erstes Release" in (rel / "CHANGELOG.md").read_text(encoding="utf-8")
    manifest = json.loads((rel / "mint_census_2025.manifest.json").read_text(encoding="utf-8"))
    assert manifest["release"] == "2025.1" and manifest["notice"] == "Beispieldaten — fiktiv"
    con = duckdb.connect(str(rel / "mint_census_2025.duckdb"), read_only=True)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta.snapshot").fetchall())
    finally:
        con.close()
    assert meta["notice"] == "Beispieldaten — fiktiv" and meta["release"] == "2025.1" and meta["fictitious"] == "true"
    kv = dict(duckdb.connect().execute(
        "SELECT decode(key), decode(value) FROM parquet_kv_metadata(?)",
        [(rel / "parquet" / "pub.growth.parquet").as_posix()]).fetchall())
    assert kv["mint_census.notice"] == "Beispieldaten — fiktiv"
    assert kv["mint_census.release"] == "2025.1"
    assert kv["mint_census.description"].startswith("One row per census year: networks counted")
    assert json.loads(kv["mint_census.columns"])["networks"].startswith("Networks counted in the census year")
    geo = json.loads((rel / "geo" / "kreise.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == 400
    with open(rel / "questionnaire.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["template_version"] for r in rows} == {"2023.1", "2024.1", "2025.1"}
    budget = [r for r in rows if r["field_key"] == "budget_eur" and r["template_version"] == "2025.1"]
    assert budget[0]["label_de"] == "Jahresbudget" and budget[0]["unit"] == "EUR"
    assert not any(r["field_key"] == "contact_email" and r["personal"] == "nein" for r in rows)


def test_datapackage_is_valid_frictionless(release_home):
    frictionless = pytest.importorskip("frictionless")
    rel = release_home / "published" / "2025.1"
    report = frictionless.validate(str(rel / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]
    package = json.loads((rel / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"] == "2025.1" and package["fictitious"] is True
    by_path = {r["path"]: r for r in package["resources"]}
    # every file of the release is described (except the package itself)
    files = {p.relative_to(rel).as_posix() for p in rel.rglob("*") if p.is_file()} - {"datapackage.json"}
    assert files == set(by_path)
    growth = {f["name"]: f for f in by_path["csv/pub.growth.csv"]["schema"]["fields"]}
    assert growth["networks"]["type"] == "integer" and growth["networks"]["unit"] == "Anzahl"
    funding = {f["name"]: f for f in by_path["parquet/pub.funding_long.parquet"]["schema"]["fields"]}
    assert funding["amount_eur"]["unit"] == "EUR" and funding["amount_eur"]["type"] == "number"


def test_corrected_earlier_year_gives_release_2_with_the_change_in_its_changelog(tmp_path):
    home = census_home(tmp_path)
    h = Home(home)
    assert steps.snapshot_year(h, 2025)[0].startswith("snapshot 2025: release 2025.1 in")
    # nothing changed: 2025.1 stays the current release
    assert steps.snapshot_year(h, 2025) == [f"snapshot 2025: release 2025.1 unchanged ({h.published / '2025.1'})"]
    # … also after the same workbooks were ingested again (the register is reloaded, new timestamps)
    process(home, 2025, load_reference(resolve_reference_dir()))
    assert steps.snapshot_year(h, 2025) == [f"snapshot 2025: release 2025.1 unchanged ({h.published / '2025.1'})"]
    # MR-003 corrects its 2024 budget and Land funding
    write_workbook(home / "inbox" / "2024" / "Erhebungsbogen_2024_MR-003.xlsx", 2024, "MR-003",
                   answers_for("MR-003", 2024, "MINT-Region Bonn", budget_eur=150000.5, funding_land_eur=90000.0))
    process(home, 2024, load_reference(resolve_reference_dir()))
    lines = steps.snapshot_year(h, 2025)
    assert lines[0].startswith("snapshot 2025: release 2025.2 in")
    rel = h.published / "2025.2"
    assert (h.published / "LATEST").read_text(encoding="utf-8").strip() == "2025.2"
    assert (h.published / "2025.1" / "mint_census_2025.duckdb").is_file()  # the old release stays
    log = (rel / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "| core.networks | 2024 MR-003 | budget_eur | 120000.5 | 150000.5 | Wert geändert |" in log
    assert "| pub.funding_long | 2024 MR-003 land | amount_eur | 60000.0 | 90000.0 | Wert geändert |" in log
    assert "## 2025.1" in log  # the history of earlier releases follows
    with open(rel / "changes.csv", encoding="utf-8") as fh:
        changes = list(csv.DictReader(fh))
    assert {(c["table"], c["key"], c["column"]) for c in changes} == {
        ("core.networks", "2024 MR-003", "budget_eur"), ("core.funding", "2024 MR-003", "funding_land_eur"),
        ("pub.funding_long", "2024 MR-003 land", "amount_eur")}
    assert json.loads((rel / "release.json").read_text(encoding="utf-8"))["previous"] == "2025.1"
    assert 'version: "2025.2"' in (rel / "CITATION.cff").read_text(encoding="utf-8")


# --- 3. quality flags ------------------------------------------------------------------------------

def test_values_accepted_with_a_warning_are_flagged(tmp_path):
    home = census_home(tmp_path)
    write_workbook(home / "inbox" / "2025" / "Erhebungsbogen_2025_MR-003.xlsx", 2025, "MR-003",
                   answers_for("MR-003", 2025, "MINT-Region Bonn", funding_land_eur=900000.0))
    process(home, 2025, load_reference(resolve_reference_dir()))
    steps.snapshot_year(Home(home), 2025)
    con = duckdb.connect(str(Home(home).published / "2025.1" / "mint_census_2025.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT census_year, network_id, field_key, cell, value_found, rule, message_de "
                           "FROM pub.quality_flags").fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    year, nid, key, cell, value, rule, text = rows[0]
    assert (year, nid, key, cell, rule) == (2025, "MR-003", "budget_eur", "B15", "funding_vs_budget")
    assert value == "120.000,5"
    assert "960.000,5" in text


# --- oldest DuckDB the README promises -------------------------------------------------------------

@pytest.fixture(scope="session")
def old_duckdb():
    """DuckDB 0.10.3, installed beside the test environment by `make test` (the Makefile's
    old-duckdb step), so that no test downloads anything itself."""
    root = Path(__file__).resolve().parent.parent
    target = Path(os.environ.get("MINT_CENSUS_OLD_DUCKDB") or root / ".venv" / "old-duckdb")
    if not (target / "duckdb").is_dir():
        pytest.skip(f"DuckDB 0.10.3 not installed at {target} (`make test` installs it)")
    return target


def test_release_opens_with_the_oldest_promised_duckdb(release_home, old_duckdb):
    """The README promises DuckDB 0.10.3 or newer (0.10.0-0.10.2 fail on the column comments)."""
    db = release_home / "published" / "2025.1" / "mint_census_2025.duckdb"
    script = ("import duckdb, sys; assert duckdb.__version__ == '0.10.3', duckdb.__version__; "
              f"con = duckdb.connect({str(db)!r}, read_only=True); "
              "print(con.execute('SELECT census_year, networks FROM pub.growth ORDER BY 1').fetchall()); "
              "print(con.execute(\"SELECT value FROM meta.snapshot WHERE key = 'notice'\").fetchone()[0])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(old_duckdb), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("[(2013, 4), (2014, 5)") and lines[0].endswith("(2025, 5)]")
    assert lines[1] == "Beispieldaten — fiktiv"


# --- 4. every pub column: a unit and what NULL means ------------------------------------------------

def test_every_pub_column_has_a_unit_and_a_null_meaning_that_holds(release_home):
    con = duckdb.connect(str(release_home / "published" / "2025.1" / "mint_census_2025.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT table_name, column_name, unit, null_meaning FROM meta.data_dictionary "
                           "WHERE table_schema = 'pub' ORDER BY 1, 2").fetchall()
        assert len(rows) > 100
        assert [r for r in rows if not r[2] or not r[3]] == []
        units = {(t, c): u for t, c, u, _ in rows}
        assert units[("growth", "networks")] == "Anzahl"
        assert units[("funding_long", "amount_eur")] == "EUR"
        assert units[("kreis_coverage", "population")] == "Personen"
        assert units[("network_answers", "budget_eur")] == "EUR"
        # "nie NULL" is a promise: no such column holds a NULL in this census
        broken = [(t, c) for t, c, _, null in rows if null == "nie NULL" and con.execute(
            f'SELECT count(*) FROM pub."{t}" WHERE "{c}" IS NULL').fetchone()[0]]
        assert broken == []
    finally:
        con.close()


def test_data_dictionary_states_sources_codes_and_years_correctly(release_home):
    con = duckdb.connect(str(release_home / "published" / "2025.1" / "mint_census_2025.duckdb"), read_only=True)
    try:
        def row(schema, table, column):
            return con.execute("SELECT source_field, first_year, allowed_values FROM meta.data_dictionary "
                               "WHERE table_schema = ? AND table_name = ? AND column_name = ?",
                               [schema, table, column]).fetchone()
        assert row("core", "offers", "participants")[:2] == ("Angebote/participants", 2024)  # offers since 2024
        assert row("pub", "kreis_coverage", "kreis_name") == (None, None, None)      # from ref.kreise
        assert row("pub", "networks_by_land", "land_code") == (None, None, None)
        assert row("core", "register", "end_year")[0] == "Register (register.csv)/end_year"
        allowed = row("core", "networks", "land_code")[2]
        assert allowed.startswith("01 = Schleswig-Holstein; 02 = Hamburg;") and allowed.endswith("16 = Thüringen")
        assert con.execute("SELECT count(*) FROM meta.data_dictionary WHERE table_schema = 'meta' "
                           "AND table_name = 'snapshot'").fetchone()[0] == 2
    finally:
        con.close()


# --- 5. codes and labels ------------------------------------------------------------------------

def test_vocabularies_carry_codes_german_and_english_labels_and_offers_come_in_long_form(release_home):
    con = duckdb.connect(str(release_home / "published" / "2025.1" / "mint_census_2025.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM ref.vocabulary WHERE label_en IS NULL OR label_en = ''"
                           ).fetchone()[0] == 0
        assert con.execute("SELECT key, label, label_en, position FROM pub.vocabulary WHERE vocabulary = "
                           "'funding_sources' AND key = 'eigenmittel'").fetchone() == (
            "eigenmittel", "Eigenmittel", "own funds", 8)
        # 9 accepted workbooks with offers (5 in 2024, 4 in 2025), 2 offers each: 2+2 and 1+1 answers
        assert con.execute("SELECT count(*) FROM pub.offers").fetchone()[0] == 18
        assert con.execute("SELECT count(*) FROM pub.offers_long").fetchone()[0] == 54
        rows = con.execute("SELECT vocabulary, key, label_en, position FROM pub.offers_long "
                           "WHERE census_year = 2025 AND network_id = 'MR-001' ORDER BY row_no, vocabulary, position"
                           ).fetchall()
        # key: the code core stores (issue #11: core keeps codes, views offer labels)
        assert rows == [("subjects", "computer_science", "computer science", 2), ("subjects", "technology", "technology", 7),
                        ("target_groups", "primary", "primary level", 2),
                        ("target_groups", "secondary_1", "lower secondary level", 3),
                        ("subjects", "natural_sciences", "natural sciences", 8),
                        ("target_groups", "primary", "primary level", 2)]
    finally:
        con.close()


def test_the_quality_flag_query_of_research_md_runs_on_the_release(tmp_path):
    text = (ROOT / "docs" / "research.md").read_text(encoding="utf-8")
    section = text.split("## Quality flags", 1)[1]
    sql = section.split("```sql", 1)[1].split("```", 1)[0]
    home = census_home(tmp_path)
    write_workbook(home / "inbox" / "2025" / "Erhebungsbogen_2025_MR-003.xlsx", 2025, "MR-003",
                   answers_for("MR-003", 2025, "MINT-Region Bonn", funding_land_eur=900000.0))
    process(home, 2025, load_reference(resolve_reference_dir()))
    steps.snapshot_year(Home(home), 2025)
    con = duckdb.connect(str(Home(home).published / "2025.1" / "mint_census_2025.duckdb"), read_only=True)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    assert len(rows) == 9  # every network answer of 2024 and 2025
    assert [r[:2] for r in rows if r[3]] == [(2025, "MR-003")]
