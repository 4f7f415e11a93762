"""Core tables keep codes, views offer labels (issue #11, item 5): the coordinator chooses the
German label, core.* stores the vocabulary code, the pub views show code, German and English label,
an older warehouse with labels is migrated on upgrade, and the prefilled workbook shows labels again."""

from __future__ import annotations

import duckdb

from mint_census.flows.home import Home
from mint_census.warehouse import schema
from mint_census.warehouse.answers import last_answers

from .conftest import process


def query(home, sql):
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_ref_vocabulary_holds_code_german_and_english_label_and_order(home, make_workbook, reference):
    make_workbook("a.xlsx")
    process(home, 2025, reference)
    assert query(home, "SELECT vocabulary, key, label, position, label_en FROM ref.vocabulary "
                       "WHERE (vocabulary = 'host_types' AND key = 'verein') OR vocabulary = 'coverage' "
                       "ORDER BY vocabulary, position") == [
        ("coverage", "whole", "ganz", 1, "whole"),
        ("coverage", "partly", "teilweise", 2, "partly"),
        ("host_types", "verein", "Verein", 3, "association"),
    ]
    # partner types and funding sources keep their column-suffix keys
    assert query(home, "SELECT key, label FROM pub.vocabulary WHERE vocabulary = 'funding_sources' "
                       "AND position = 1") == [("land", "Land")]


def test_the_chosen_label_is_stored_as_code_and_the_views_show_code_and_labels(home, make_workbook, reference):
    make_workbook("a.xlsx")  # "Verein", "eingetragener Verein (e. V.)", "MINT-Region", "zdi (Nordrhein-Westfalen)"
    assert process(home, 2025, reference)["a.xlsx"].status in ("accepted", "accepted_with_warnings")
    assert query(home, "SELECT network_type, host_type, host_legal_form, land_programme FROM core.networks") == [
        ("mint_region", "verein", "ev", "zdi_nw")]
    assert query(home, "SELECT kreis_code, coverage FROM core.districts ORDER BY row_no") == [
        ("05315", "whole"), ("05316", "partly")]
    assert query(home, "SELECT offer_format, target_groups, subjects FROM core.offers ORDER BY row_no") == [
        ("course", ["primary", "secondary_1"], ["computer_science", "technology"]),
        ("holiday_programme", ["primary"], ["natural_sciences"])]
    assert query(home, "SELECT host_type, host_type_code, host_type_label_en, host_legal_form, "
                       "host_legal_form_code, network_type, network_type_code, land_programme, "
                       "land_programme_label_en FROM pub.network_answers") == [
        ("Verein", "verein", "association", "eingetragener Verein (e. V.)", "ev", "MINT-Region", "mint_region",
         "zdi (Nordrhein-Westfalen)", "zdi (North Rhine-Westphalia)")]
    assert query(home, "SELECT offer_format, offer_format_code, offer_format_label_en, target_groups, "
                       "target_groups_code, target_groups_label_en, subjects FROM pub.offers "
                       "ORDER BY row_no LIMIT 1") == [
        ("Kurs/AG", "course", "course/club", ["Primarstufe", "Sekundarstufe I"], ["primary", "secondary_1"],
         ["primary level", "lower secondary level"], ["Informatik", "Technik"])]
    assert query(home, "SELECT key, label, label_en FROM pub.offers_long WHERE vocabulary = 'target_groups' "
                       "ORDER BY row_no, position") == [
        ("primary", "Primarstufe", "primary level"), ("secondary_1", "Sekundarstufe I", "lower secondary level"),
        ("primary", "Primarstufe", "primary level")]
    assert query(home, "SELECT network_type FROM pub.network_history WHERE network_id = 'MR-001' "
                       "AND census_year = 2025") == [("MINT-Region",)]
    # the raw cells keep what was typed
    assert query(home, "SELECT value_text FROM raw.cells WHERE field_key = 'host_type'") == [("Verein",)]


def test_schema_upgrade_turns_the_labels_of_an_older_warehouse_into_codes(home, make_workbook, reference):
    make_workbook("a.xlsx")
    process(home, 2025, reference)
    con = duckdb.connect(str(Home(home).warehouse))
    try:
        # the warehouse as an earlier version wrote it: German labels in core, ref.vocabulary keyed by label
        con.execute("UPDATE core.networks SET network_type = 'MINT-Region', host_type = 'Verein', "
                    "host_legal_form = 'eingetragener Verein (e. V.)', land_programme = 'zdi (Nordrhein-Westfalen)'")
        con.execute("UPDATE core.districts SET coverage = CASE coverage WHEN 'whole' THEN 'ganz' ELSE 'teilweise' END")
        con.execute("UPDATE core.offers SET offer_format = 'Kurs/AG', target_groups = ['Primarstufe', 'Eltern'], "
                    "subjects = ['Informatik'] WHERE row_no = 5")
        con.execute("UPDATE ref.vocabulary SET key = label WHERE vocabulary NOT IN ('partner_types', 'funding_sources')")
        con.execute("UPDATE meta.schema_version SET fingerprint = 'older'")
        schema.init(con)
        assert con.execute("SELECT network_type, host_type, host_legal_form, land_programme "
                           "FROM core.networks").fetchall() == [("mint_region", "verein", "ev", "zdi_nw")]
        assert con.execute("SELECT coverage FROM core.districts ORDER BY row_no").fetchall() == [
            ("whole",), ("partly",)]
        assert con.execute("SELECT offer_format, target_groups, subjects FROM core.offers ORDER BY row_no").fetchall() == [
            ("course", ["primary", "parents"], ["computer_science"]),
            ("holiday_programme", ["primary"], ["natural_sciences"])]
        assert con.execute("SELECT host_type, host_type_code, host_type_label_en FROM pub.network_answers").fetchall() == [
            ("Verein", "verein", "association")]
        # the register keeps the labels staff write; a second upgrade changes nothing
        assert con.execute("SELECT DISTINCT network_type FROM core.register").fetchall() == [("MINT-Region",)]
        assert schema.labels_to_codes(con) == {}
    finally:
        con.close()


def test_prefilled_answers_show_the_german_labels_again(home, make_workbook, reference):
    make_workbook("a.xlsx")
    process(home, 2025, reference)
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        answers = last_answers(con, "MR-001", 2026)
    finally:
        con.close()
    assert (answers.form["host_type"], answers.form["host_legal_form"], answers.form["network_type"]) == (
        "Verein", "eingetragener Verein (e. V.)", "MINT-Region")
    assert [r["coverage"] for r in answers.tables["Gebiet"]] == ["ganz", "teilweise"]
    offer = answers.tables["Angebote"][0]
    assert (offer["offer_format"], offer["target_groups"], offer["subjects"]) == (
        "Kurs/AG", ["Primarstufe", "Sekundarstufe I"], ["Informatik", "Technik"])
