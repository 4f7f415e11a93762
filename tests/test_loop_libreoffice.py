"""The correction loop with real files: the template from `mint-census template`, filled by its
German labels, saved by LibreOffice, checked, corrected in the returned report copy, saved by
LibreOffice again, and sent back."""

from __future__ import annotations

import duckdb
from openpyxl import load_workbook

from mint_census.flows.cli import main
from mint_census.flows.home import Home

from .conftest import needs_reference, process
from .filler import fill, kreis_choice, libreoffice_save, lo_profile, needs_soffice  # noqa: F401

ANSWERS = {
    ("Netzwerk", "Art des Trägers"): "Verein",
    ("Netzwerk", "Rechtsform des Trägers"): "eingetragener Verein (e. V.)",
    ("Netzwerk", "Koordinierungsstelle vorhanden"): "ja",
    ("Netzwerk", "Bezahltes Personal"): 1.5,
    ("Netzwerk", "Ehrenamtlich Mitwirkende"): 12,
    ("Netzwerk", "Jahresbudget"): 80000,
    ("Netzwerk", "Mitglied eines Landesprogramms"): "zdi (Nordrhein-Westfalen)",
    ("Netzwerk", "Schriftlich festgelegte gemeinsame Ziele"): "ja",
    ("Netzwerk", "Kooperationsvereinbarung"): "nein",
    ("Netzwerk", "Netzwerktreffen pro Jahr"): 60,          # the one mistake: at most 52
    ("Netzwerk", "Zugleich MINT-Cluster (BMBF)"): "nein",
    ("Kontakt", "Name der Netzwerkkoordination"): "Anna Beispiel",
    ("Kontakt", "E-Mail"): "anna.beispiel@example.org",
    ("Finanzierung", "Land"): 80000,
}


@needs_soffice
@needs_reference
def test_loop_closes_with_libreoffice(home, tmp_path, lo_profile, reference):  # noqa: F811
    out = tmp_path / "versand"
    assert main(["template", "--home", str(home), "--year", "2025", "--out", str(out), "--network", "MR-001"]) == 0
    template = out / "Erhebungsbogen_2025_MR-001.xlsx"
    partners = {("Partner", label): 2 for label in _partner_labels(template)}
    second = kreis_choice(template, "05316")                 # Leverkusen, chosen by name in row 2
    filled = fill(template, {**ANSWERS, **partners, ("Gebiet", "Kreis", 2): second,
                             ("Gebiet", "Abdeckung", 2): "teilweise"}, tmp_path / "filled" / template.name)
    inbox = Home(home).inbox(2025)
    libreoffice_save([filled], inbox, lo_profile)

    first = process(home, 2025, reference)[template.name]
    errors = [(f.sheet, f.cell, f.code) for f in first.findings if f.is_error]
    assert first.status == "rejected"
    assert errors == [("Netzwerk", "B19", "out_of_range")], [f.message_de for f in first.findings]
    assert [f for f in first.findings if not f.is_error] == []

    report = Home(home).reports(2025) / "MR-001_Pruefbericht.xlsx"
    wb = load_workbook(report)
    assert wb["Gebiet"]["A8"].data_type == "f"               # the template's lookup still works
    fixed = fill(report, {("Netzwerk", "Netzwerktreffen pro Jahr"): 6}, tmp_path / "fixed" / "MR-001_Pruefbericht.xlsx")
    for old in inbox.iterdir():
        old.unlink()
    libreoffice_save([fixed], inbox, lo_profile)

    second_run = process(home, 2025, reference)["MR-001_Pruefbericht.xlsx"]
    assert second_run.status == "accepted", [(f.cell, f.message_de) for f in second_run.findings]
    assert second_run.findings == []
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT kreis_code, coverage FROM core.districts ORDER BY row_no").fetchall() == [
        ("05315", "whole"), ("05316", "partly")]  # chosen "ganz", "teilweise": core keeps the codes
    assert con.execute("SELECT meetings_per_year FROM core.networks").fetchone() == (6,)
    con.close()
    overview = load_workbook(Home(home).reports(2025) / "uebersicht.xlsx")
    row = next(r for r in overview["Übersicht"].iter_rows(values_only=True) if r[0] == "MR-001")
    assert row[3] == "angenommen"
    history = [r for r in overview["Einsendungen"].iter_rows(min_row=2, values_only=True)]
    assert [(h[0], h[1], h[3]) for h in history] == [
        ("MR-001", "Erhebungsbogen_2025_MR-001.xlsx", "abgelehnt"),
        ("MR-001", "MR-001_Pruefbericht.xlsx", "angenommen")]


def _partner_labels(path):
    ws = load_workbook(path)["Partner"]
    return [c.value.rstrip(" *") for c in ws["A"][4:] if isinstance(c.value, str) and c.value.endswith("*")]



@needs_soffice
def test_blank_template_and_check_report_print_one_page_per_sheet(home, tmp_path, lo_profile):  # noqa: F811
    """Printed (LibreOffice → PDF) a blank template used to take 18 A4 pages, a check report 21."""
    import subprocess

    from mint_census.schemas.template import write_workbook

    from .conftest import full_answers, tweak
    from .filler import libreoffice_pdf

    blank = write_workbook(tmp_path / "leer" / "Erhebungsbogen_2025_leer.xlsx", 2025)
    write_workbook(Home(home).inbox(2025) / "a.xlsx", 2025, "MR-001",
                   tweak(full_answers(), founded_year=2061, volunteers="zwölf", contact_email="keine"))
    process(home, 2025, None)
    report = Home(home).reports(2025) / "MR-001_Pruefbericht.xlsx"
    pdfs = libreoffice_pdf([blank, report], tmp_path / "pdf", lo_profile)
    pages = []
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout \
            if __import__("shutil").which("pdfinfo") else None
        if info is None:
            pages.append(pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages"))
        else:
            pages.append(int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))))
    assert pages == [7, 8]          # one page per visible sheet (7), plus the findings sheet
