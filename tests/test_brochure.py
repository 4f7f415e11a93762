"""The publication as a brochure: official table signs, portraits with consent, the typeset PDF.

The demo census of 2025 (its register and its workbooks, ingested through flows.steps) gives the
tables; expected signs and counts are written down here, not taken from the code under test.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from mint_census.flows.home import Home
from mint_census.flows.steps import open_warehouse
from mint_census.publications.publish import publish
from mint_census.publications.queries import fetch, parameters
from mint_census.publications.report import cell_text, portrait_data
from mint_census.publications.signs import Blocked, sign_of
from mint_census.publications.sqlfiles import load
from mint_census.publications.tables import TABLES, fill, number_tables
from mint_census.sources import demo
from mint_census.sources.register import read_register, write_register

from .conftest import full_answers, process, register_frame, tweak

YEAR = 2025


# --- the sign rule on its own ----------------------------------------------------------------

def sign(value, record=None, *, percent=False, secret=False, blocked=(), count="networks"):
    return sign_of(value, "v", record or {"networks": 5}, is_text=False, is_percent=percent, secret=secret,
                   blocked=blocked, count=count)


def test_sign_rule_per_cell():
    assert sign(None, secret=True) == "."                      # geheim
    assert sign(12, secret=True) == "."
    assert sign(None, blocked=(Blocked(("v",)),)) == "x"        # nicht sinnvoll
    assert sign(None, blocked=(Blocked(("v",), lambda r: False),)) == "."  # unbekannt
    assert sign(None, {"networks": 0}) == "–"                  # rests on no network: nichts vorhanden
    assert sign(0) == "–"                                      # genau null
    assert sign(0.0, {"networks": 0}, percent=True) == "–"
    assert sign(0.0, {"networks": 2}, percent=True) is None    # rounded to 0,0: more than nothing
    assert sign(3) is None


# --- the demo census 2025 --------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_home(tmp_path_factory, request):
    from mint_census.sources.reference import load_reference, resolve_reference_dir

    directory = resolve_reference_dir()
    reference = load_reference(directory) if directory is not None else None
    home = tmp_path_factory.mktemp("brochure") / "home"
    demo.write_demo_census(home / "register.csv", lambda y: home / "inbox" / str(y), reference,
                           seed=2013, years=(YEAR,))
    process(home, YEAR, reference)
    return home, directory


@pytest.fixture(scope="module")
def demo_con(demo_home):
    con = open_warehouse(Home(demo_home[0]))
    yield con
    con.close()


@pytest.fixture(scope="module")
def demo_tables(demo_con):
    return {t.table.name: t for t in (fill(table, number, demo_con, YEAR)
                                      for number, table in zip(number_tables(TABLES), TABLES))}


def printed(filled):
    """Every numeric cell as printed in the report: {(row, column): text}."""
    out = {}
    for i, record in enumerate(filled.published.records()):
        for c in filled.table.visible:
            if not c.is_text:
                out[(i, c.key)] = cell_text(record[c.key], c, filled.signs.get((i, c.key)))
    return out


def test_no_dot_for_a_cell_that_is_not_unknown_or_secret(demo_tables):
    """Over every table of the demo: "." only where disclosure control hid the value; with the
    reference data present nothing is unknown. The cells that are not sensible are "x": Table 6
    has 21 (15 size classes without a value, 6 key figures without a share), Table 7 has 4
    (quartiles and mean without a share), Table 3 has 2 (no cumulation of "Insgesamt")."""
    x_cells = {}
    for name, filled in demo_tables.items():
        texts = printed(filled)
        dots = {cell for cell, text in texts.items() if text == "."}
        assert dots == set(filled.suppressed), name
        x_cells[name] = sum(1 for text in texts.values() if text == "x")
        assert all("." != note[0] for note in filled.legend if not filled.suppressed), name
    assert x_cells["06_koordination_personal"] == 21
    assert x_cells["07_finanzierung"] == 4
    assert x_cells["03_gruendungsjahre"] == 2
    assert sum(x_cells.values()) == 27


def test_signs_in_demo_cells_and_legend(demo_tables):
    staff = demo_tables["06_koordination_personal"]
    rows = {(r["section"], r["category"]): i for i, r in enumerate(staff.published.records())}
    texts = printed(staff)
    assert texts[(rows[("Kennzahlen", "Bezahltes Personal: Median (VZÄ)")], "share_percent")] == "x"
    assert texts[(rows[("Koordinierungsstelle", "Insgesamt")], "value")] == "x"
    assert "x = Tabellenfach gesperrt, weil Aussage nicht sinnvoll" in staff.legend
    founding = demo_tables["03_gruendungsjahre"]
    last = len(founding.published.rows) - 1
    assert founding.published.rows[last][0] == "Insgesamt"
    assert printed(founding)[(last, "networks_cumulative")] == "x"
    # A Land without any network: a true zero prints "–", never "0" or ".".
    by_land = demo_tables["02_bundeslaender"]
    zero = [i for i, r in enumerate(by_land.published.records()) if r["networks"] == 0]
    for i in zero:
        assert printed(by_land)[(i, "networks")] == "–"
    # Table 1: no network ended in 2013, a true zero; the legend names only the sign used.
    growth = demo_tables["01_entwicklung"]
    assert growth.published.rows[0][:4] == (2013, 39, 39, 0)
    assert printed(growth)[(0, "ended_networks")] == "–"
    assert growth.legend == ("– = nichts vorhanden (genau null)",)
    assert demo_tables["09a_weisse_flecken"].legend == ()


def test_first_census_year_has_no_change_against_a_previous_year(demo_con):
    filled = fill(TABLES[1], 2, demo_con, 2013)
    texts = printed(filled)
    assert {texts[(i, "change_previous_year")] for i in range(len(filled.published.rows))} == {"x"}
    assert filled.machine.records()[0]["signs"] == "change_previous_year=x"


def counted_2025(register):
    """The test's own statement of the counting rule."""
    first, end = register["first_census_year"], register["end_year"]
    return set(register.loc[(first <= YEAR) & (end.isna() | (end > YEAR)), "network_id"])


def test_every_network_counted_in_2025_appears_exactly_once(demo_home, demo_con):
    register = read_register(demo_home[0] / "register.csv")
    expected = counted_2025(register)
    assert len(expected) == 150
    portraits = fetch(demo_con, load("portraits"), parameters(YEAR))
    ids = portraits.column("network_id")
    assert len(ids) == 150 and set(ids) == expected
    # Grouped by Land: each Land's networks come in one block.
    lands = portraits.column("land_code")
    assert lands == sorted(lands)
    # Nobody was asked for consent in 2025 (the question exists since 2026): register data only.
    for record in portraits.records():
        assert record["consent"] is False
        assert all(record[k] is None for k in ("host_type", "website", "partners_total", "offers"))
        assert record["network_name"] and record["founded_year"]
        assert record["kreise"]  # names of the Kreise it covers


def test_portrait_shows_survey_figures_only_with_consent(home, make_workbook, reference):
    make_workbook("a.xlsx", tweak(full_answers(2026, "MR-001"), portrait_consent=True), year=2026,
                  network_id="MR-001")
    make_workbook("b.xlsx", tweak(full_answers(2026, "MR-002"), portrait_consent=False), year=2026,
                  network_id="MR-002")
    make_workbook("c.xlsx", full_answers(2026, "MR-003"), year=2026, network_id="MR-003")  # left empty
    received = process(home, 2026, reference)
    assert {r.status for r in received.values()} <= {"accepted", "accepted_with_warnings"}
    con = open_warehouse(Home(home))
    try:
        portraits = fetch(con, load("portraits"), parameters(2026))
    finally:
        con.close()
    by_id = {r["network_id"]: r for r in portraits.records()}
    assert sorted(by_id) == ["MR-001", "MR-002", "MR-003"]
    one = by_id["MR-001"]
    assert one["consent"] is True and one["host_type"] == "Verein"
    assert one["website"] == "https://www.mint-koeln.example.org"
    assert one["offers"] == 2 and one["participants"] == 35
    # full_answers gives partner type i the count 3 * i.
    assert one["partners_total"] == sum(3 * i for i in range(len(__import__(
        "mint_census.schemas.questionnaire", fromlist=["PARTNER_FIELDS"]).PARTNER_FIELDS)))
    for nid in ("MR-002", "MR-003"):
        r = by_id[nid]
        assert r["consent"] is False
        assert [r[k] for k in ("host_type", "website", "partners_total", "partners_by_type", "offers",
                               "participants")] == [None] * 6
        assert r["network_name"] == f"Netz {nid}" and r["founded_year"] == 2010
    groups = portrait_data(portraits)
    facts = {p["id"]: {f["label"] for f in p["facts"]} for g in groups for p in g["networks"]}
    assert {"Träger", "Internetseite", "Partner", "Angebote"} <= facts["MR-001"]
    assert facts["MR-002"] == facts["MR-003"] == {"Art", "Gegründet", "Kreise"}


# --- the PDF --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_publication(demo_home, demo_con, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("pub") / str(YEAR)
    files = publish(demo_con, YEAR, outdir, fictitious=True, stand="2025-11-30", reference=demo_home[1])
    return outdir, files


def test_figures_drawn_in_a_process_of_their_own_equal_those_drawn_here(demo_home, demo_con, demo_publication,
                                                                        tmp_path):
    from mint_census.publications.drawing import Drawer

    outdir, files = demo_publication
    with Drawer(separate=True) as drawer:
        assert drawer.separate
        again = publish(demo_con, YEAR, tmp_path, fictitious=True, stand="2025-11-30", reference=demo_home[1],
                        drawer=drawer)
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(outdir) for p in files]
    drawn = sorted(p.name for p in (outdir / "abbildungen").iterdir())
    assert drawn == ["bundeslaender.png", "bundeslaender.svg", "karte_kreise.png", "karte_kreise.svg",
                     "partnerstruktur.png", "partnerstruktur.svg", "wachstum.png", "wachstum.svg"]
    for name in drawn:
        assert (tmp_path / "abbildungen" / name).read_bytes() == (outdir / "abbildungen" / name).read_bytes(), name
    assert (tmp_path / "bericht.pdf").read_bytes() == (outdir / "bericht.pdf").read_bytes()
    assert again.kreise_drawn == files.kreise_drawn and len(files.kreise_drawn) == 400


def test_figures_are_drawn_here_when_the_drawing_process_dies(tmp_path, caplog):
    import datetime as dt

    from mint_census.publications.drawing import Drawer, Drawing
    from mint_census.publications.german import Edition
    from mint_census.publications.queries import QueryResult

    growth = QueryResult(columns=["census_year", "networks"], rows=[(2013, 39), (2014, 52)])
    edition = Edition(year=2014, stand=dt.date(2014, 12, 31), fictitious=False)
    with Drawer(separate=False) as here:
        expected, _ = here.submit([Drawing("wachstum", growth, edition, tmp_path / "here")])[0]()
    with Drawer(separate=True) as drawer, caplog.at_level("WARNING"):
        for process in list(drawer._pool._processes.values()):
            process.kill()
            process.join()
        paths, drawn = drawer.submit([Drawing("wachstum", growth, edition, tmp_path / "there")])[0]()
    assert [p.name for p in paths] == [p.name for p in expected] == ["wachstum.png", "wachstum.svg"]
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in expected] and drawn == []
    assert "drawing" in caplog.text and "here" in caplog.text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdf_has_cover_imprint_contents_and_every_table(demo_publication):
    outdir, _ = demo_publication
    pdf = outdir / "bericht.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    assert "MINT-Regionen in\n      Deutschland 2025" in pages[0] and "Stand: 30.11.2025" in pages[0]
    assert "Von 39 MINT-Regionen im Jahr 2013 auf 150 im Jahr 2025" in pages[0]
    assert "Beispieldaten" in pages[0]
    assert "Zitiervorschlag" in pages[1] and "CC BY 4.0" in pages[1]
    assert "Inhalt" in pages[2] and "Seite 3" in pages[2]
    for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, "9a", 10):
        assert f"Tabelle {n}:" in text
    assert "x = Tabellenfach gesperrt, weil Aussage nicht sinnvoll" in text
    assert "Die MINT-Regionen im Porträt" in text and "Chronik" in text and "Kernaussagen" in text
    assert "Die Zahl der MINT-Regionen ist von 39 im Jahr 2013 auf 150 im Jahr 2025 gestiegen" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Page size:      595.276 x 841.89 pts (A4)" in info or "A4" in info


def test_html_is_a_template_render_with_contents_and_escaping(demo_publication):
    outdir, _ = demo_publication
    page = (outdir / "bericht.html").read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    import re

    targets = re.findall(r'href="#([^"]+)"', page)
    assert len(targets) >= 20
    for target in targets:
        assert f'id="{target}"' in page, target
    assert page.count('<article id="portrait-') == 150


# --- a real browser at 400 px ----------------------------------------------------------------

def chromium_driver():
    """Headless system Chromium through Selenium, or a skip with the reason."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium not installed (pip install -e '.[test]')")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("no system Chromium with chromedriver (Debian: chromium, chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=options)


def test_report_reflows_at_400_px_in_chromium(demo_publication):
    outdir, _ = demo_publication
    browser = chromium_driver()
    try:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": 400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        browser.get((outdir / "bericht.html").as_uri())
        client, scroll = browser.execute_script(
            "return [document.documentElement.clientWidth, document.documentElement.scrollWidth]")
        assert client <= 400 and scroll <= client  # no horizontal overflow of the page
        missing = browser.execute_script(
            "return Array.from(document.querySelectorAll('nav a[href^=\"#\"]'))"
            ".map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))")
        assert missing == []
        links = browser.execute_script("return document.querySelectorAll('nav a').length")
        assert links == 9 + 11  # sections + tables
        smallest = browser.execute_script(
            "return Math.min(...Array.from(document.querySelectorAll('p, li, td, dd'))"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
        assert smallest >= 13.3  # 10 pt
    finally:
        browser.quit()


# --- the workbook printed through LibreOffice ------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext not installed")
def test_workbook_prints_every_table_on_at_most_two_pages(demo_publication, tmp_path):
    outdir, _ = demo_publication
    workbook = outdir / "MINT-Regionen_2025_Tabellen.xlsx"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
                   capture_output=True, check=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / (workbook.stem + ".pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages: dict[str, int] = {}
    for page in text.split("\f"):
        footer = [line.split() for line in page.splitlines() if "Seite" in line]
        if footer:  # the footer: sheet name left, "Seite n von N" right
            words = footer[-1]
            sheet = " ".join(words[:words.index("Seite")])
            pages[sheet] = pages.get(sheet, 0) + 1
    tables = {k: v for k, v in pages.items() if k.startswith("Tabelle")}
    assert len(tables) == 11
    assert max(tables.values()) <= 2, tables
    assert pages["Inhalt"] == 1 and pages["Methodik"] == 1
