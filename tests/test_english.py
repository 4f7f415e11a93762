"""The English edition (`publish --lang en`): English texts from the same declarations.

The small hand-made warehouse of test_publication_tables gives the numbers; the expected English
strings are written down here.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import re
from pathlib import Path

import openpyxl
import pytest

from mint_census.flows.cli import build_parser
from mint_census.flows.home import Home
from mint_census.flows.steps import publish_year
from mint_census.publications import english
from mint_census.publications.english import EN, language
from mint_census.publications.figures import FIGURES
from mint_census.publications.german import FICTITIOUS, SOURCE, STAND, format_number
from mint_census.publications.maps import BKG_CREDIT, CLASSES
from mint_census.publications.publish import publish
from mint_census.publications.tables import CATEGORY_COLUMNS, TABLES, category_labels, fill, number_tables
from mint_census.schemas import vocabularies as voc

from .conftest import REFERENCE_DIR, process
from .test_publication_tables import KREISE, REGISTER, build_warehouse

YEAR = 2025
STAND_DAY = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def con():
    c = build_warehouse()
    yield c
    c.close()


@pytest.fixture(scope="module")
def english_edition(con, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("pub") / str(YEAR) / "en"
    files = publish(con, YEAR, outdir, fictitious=True, stand=STAND_DAY, reference=REFERENCE_DIR, lang="en")
    return outdir, files


def declared_german_texts() -> list[str]:
    """Every German text of the declarations that the publication prints."""
    found = [SOURCE, STAND, FICTITIOUS, BKG_CREDIT] + [label for _, _, label in CLASSES]
    for table in TABLES:
        found += [table.title, *table.footnotes]
        for column in table.visible:
            found += [column.header, column.unit]
    for figure in FIGURES:
        found.append(figure.title)
        labels = inspect.getclosurevars(figure.draw).nonlocals
        found += [labels[k] for k in ("xlabel", "ylabel") if k in labels]
    return [text for text in found if text]


def test_every_german_text_of_the_declarations_has_an_english_one():
    missing = [text for text in declared_german_texts() if text not in EN]
    assert missing == []
    assert EN["Finanzierung der MINT-Regionen {year}"] == "Funding of the MINT regions {year}"
    assert EN["Anzahl MINT-Regionen"] == "Number of MINT regions"


def test_every_category_the_tables_print_has_an_english_one(con):
    labels = category_labels(con)
    missing = set()
    for number, table in zip(number_tables(TABLES), TABLES):
        for record in fill(table, number, con, YEAR).published.records():
            for key in CATEGORY_COLUMNS:
                value = record.get(key)
                if isinstance(value, str) and not re.fullmatch(r"[0-9–\s]+", value) and value not in labels:
                    missing.add(value)
    assert missing == set()
    # From ref.vocabulary.label_en:
    assert labels["Stiftung"] == "foundation" and labels["Insgesamt"] == "Total"


def test_language_switch_is_scoped():
    assert format_number(1234.5, 1) == "1.234,5"
    with language("en"):
        assert format_number(1234.5, 1) == "1,234.5"
        assert english.t("Anteil in %") == "Share in %"
    assert format_number(1234.5, 1) == "1.234,5" and english.current() == "de"
    with pytest.raises(ValueError, match="lang must be one of de, en"):
        with language("fr"):
            pass


def test_english_titles_headers_and_numbers_in_html(english_edition):
    outdir, files = english_edition
    page = (outdir / "bericht.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "<title>MINT regions in Germany 2025</title>" in page
    assert ("<caption>Table 7: Funding of the MINT regions 2025<br><span class=\"sub\">Basis: 4 MINT regions "
            "with answers in the survey 2025</span></caption>") in page
    assert ('<thead><tr><th scope="col">Characteristic</th><th scope="col">Size class / statistic / source</th>'
            '<th scope="col">MINT regions</th><th scope="col">Amount</th><th scope="col">Share of the sum in %</th>'
            '</tr>\n<tr><th class="unit"></th><th class="unit"></th><th class="unit">number</th>'
            '<th class="unit">EUR</th><th class="unit">%</th></tr></thead>') in page
    assert "<caption>Table 9a: Districts without a MINT region (blank spots) 2025</caption>" in page
    assert "<strong>From 2 MINT regions in 2013 to 5 in 2025.</strong>" in page
    # Networks per million inhabitants: Nordrhein-Westfalen 3 networks (A, D, G) / 1,600 people;
    # Schleswig-Holstein 1 (C) / 400 people.
    assert ('<td>Nordrhein-Westfalen</td><td class="n">3</td><td class="n">60.0</td><td class="n">1,875.00</td>'
            in page)
    assert '<td>Schleswig-Holstein</td><td class="n">1</td><td class="n">20.0</td><td class="n">2,500.00</td>' in page
    assert "x = cell blocked because a value would not be meaningful<br>" in page
    assert "Source: Survey of MINT regions 2025, own calculations<br>As of: 2025-12-31" in page
    assert "Example data – fictitious numbers, not official statistics" in page
    for heading in ("Contents", "Key messages", "At a glance", "Figures", "Tables", "Chronology",
                    "The MINT regions in portrait", "Notes on methods", "Sources and credits", "Imprint"):
        assert f">{heading}</h2>" in page
    assert '<tr class="total"><td>Source of funding' not in page
    assert '<tr class="total"><td>Type of host</td><td>Total</td>' in page  # totals still bold


def test_english_csv_figures_and_map(english_edition):
    outdir, files = english_edition
    with open(outdir / "tabellen/04_traeger_rechtsform.csv", encoding="utf-8", newline="") as handle:
        data = list(csv.reader(handle))
    assert data[0] == ["section", "category", "networks", "share_percent", "suppressed", "signs"]
    assert ["Type of host", "foundation", "", "", "networks;share_percent", "networks=.;share_percent=."] in data
    assert ["Type of host", "Total", "4", "100.0", "", ""] in data
    svg = (outdir / "abbildungen/wachstum.svg").read_text(encoding="utf-8")
    assert "<title>Development of the MINT regions 2013–2025</title>" in svg
    assert "Number of MINT regions" in svg and "Census year" in svg
    assert "<desc>Source: Survey of MINT regions 2025, own calculations</desc>" in svg
    partners = (outdir / "abbildungen/partnerstruktur.svg").read_text(encoding="utf-8")
    assert "Share of MINT regions with at least one such partner in %" in partners
    assert not (outdir / "vergleich_vorjahr.csv").exists()  # the comparison is a German check for staff
    if REFERENCE_DIR is not None:
        karte = (outdir / "abbildungen/karte_kreise.svg").read_text(encoding="utf-8")
        assert "<title>MINT regions per district 2025</title>" in karte
        assert '<g id="kreis-01002">\n   <title>Kiel, Landeshauptstadt: no MINT region (blank spot)</title>' in karte
        assert "3 and more MINT regions" in karte


def test_english_workbook(english_edition):
    outdir, files = english_edition
    wb = openpyxl.load_workbook(outdir / "MINT-Regionen_2025_Tables.xlsx")
    assert wb.sheetnames == (["Contents"] + [f"Table {n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, "9a", 10)]
                             + ["Portraits", "Methods"])
    ws = wb["Table 7"]
    assert ws["A1"].value == "Table 7: Funding of the MINT regions 2025"
    header = next(r for r in ws.iter_rows() if r[0].value == "Characteristic")
    assert [c.value for c in header] == ["Characteristic", "Size class / statistic / source", "MINT regions",
                                         "Amount", "Share of the sum in %"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Source: Survey of MINT regions 2025, own calculations" in texts and "As of: 2025-12-31" in texts
    assert "back to contents" in texts and "Total" in texts
    contents = [c.value for row in wb["Contents"].iter_rows() for c in row if isinstance(c.value, str)]
    assert contents[:2] == ["Survey of MINT regions 2025: tables",
                            "Example data – fictitious numbers, not official statistics"]
    assert "Explanation of signs" in contents and ". = value unknown or confidential" in contents
    assert wb["Methods"]["A1"].value == "Notes on the methods of the survey of MINT regions 2025"
    assert wb["Portraits"]["A3"].value == "Example data – fictitious numbers, not official statistics"
    assert wb["Table 7"].oddFooter.right.text == "Page &P of &N"


def test_english_pdf_exists(english_edition):
    outdir, files = english_edition
    pdf = outdir / "bericht.pdf"
    assert pdf in files and pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 10_000


GERMAN_WORDS = ("Tabelle", "Quelle", "Stand", "Anzahl", "Insgesamt", "Erhebung", "Erhebungsjahr", "Kreise",
                "Anteil", "Bevölkerung", "Abbildung", "Inhalt", "Seite", "Kernaussagen", "Beispieldaten",
                "Zeichenerklärung", "Impressum", "Methodische", "und", "nach", "mit", "der", "die", "ohne",
                "weiße", "gesperrt", "geheim", "Träger", "Angebote", "Teilnehmende", "Porträt")


def test_no_german_ui_text_in_the_english_html(english_edition):
    outdir, _ = english_edition
    page = (outdir / "bericht.html").read_text(encoding="utf-8")
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    text = re.sub(r"<[^>]+>", "\n", page)
    # Names stay German: Länder, Kreise, networks, the publisher.
    names = ([name for _, _, name in voc.LAENDER] + [k[1] for k in KREISE] + [f"Netz {r[0]}" for r in REGISTER]
             + ["Geschäftsstelle MINT-Regionen", "Deutschland", "Gemeindeverzeichnis", "Bundesland"])
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    leaked = sorted({w for w in GERMAN_WORDS if re.search(rf"\b{w}\b", text)})
    assert leaked == []


def test_german_edition_stays_german(con, tmp_path):
    publish(con, YEAR, tmp_path / "de", stand=STAND_DAY, reference=None)
    page = (tmp_path / "de" / "bericht.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in page and "<caption>Table" not in page
    assert "<caption>Tabelle 7: Finanzierung der MINT-Regionen 2025" in page
    assert '<td>Nordrhein-Westfalen</td><td class="n">3</td><td class="n">60,0</td><td class="n">1.875,00</td>' in page


def test_cli_and_steps_write_the_english_edition_into_en(home, make_workbook, reference):
    args = build_parser().parse_args(["publish", "--year", "2025", "--lang", "en"])
    assert args.lang == "en"
    assert build_parser().parse_args(["publish", "--year", "2025"]).lang == "de"
    make_workbook("a.xlsx", year=2025, network_id="MR-001")
    process(home, 2025, reference)
    published = publish_year(Home(home), 2025, reference=None, lang="en")
    en = Path(home) / "publication" / "2025" / "en"
    assert (en / "bericht.html").is_file() and (en / "bericht.pdf").is_file()
    assert all(Path(p).is_relative_to(en) for p in published.files)
    assert not (Path(home) / "publication" / "2025" / "bericht.html").exists()
    assert all("übersprungen" not in m for m in published.messages)
    assert "<caption>Table 1: Development of the MINT regions 2013–2025" in (en / "bericht.html").read_text(
        encoding="utf-8")


def test_portraits_in_english(con):
    from mint_census.publications.publish import english_portraits
    from mint_census.publications.queries import QueryResult

    portraits = QueryResult(columns=("network_name", "network_type", "host_type", "partners_by_type"),
                            rows=[("MINT-Region Köln", "zdi-Netzwerk", "Verein", "Kitas: 3; Hochschulen: 12"),
                                  ("Netz B", "MINT-Region", None, None)])
    assert english_portraits(portraits, category_labels(con)).rows == [
        ("MINT-Region Köln", "zdi network (NRW)", "association", "day-care centres: 3; universities: 12"),
        ("Netz B", "MINT region (regional STEM network)", None, None)]
    assert all(kind in EN for kind in voc.NETWORK_TYPES)
