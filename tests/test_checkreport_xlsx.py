"""The check report as a workbook (marked copy + findings sheet), its e-mail text, the staff overview."""

from __future__ import annotations

import duckdb
import pytest
from openpyxl import load_workbook

from mint_census.flows import steps
from mint_census.publications.checkreports.report_workbook import ERROR_FILL, WARNING_FILL, ReportInfo, write_report_workbook
from mint_census.publications.checkreports import OVERVIEW_FILE, write_check_reports, write_overview
from mint_census.publications import processes
from mint_census.schemas import questionnaire as q
from mint_census.sources import batch
from mint_census.flows.home import Home

from .conftest import full_answers, process, tweak, archived_in


def _fill(cell) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


@pytest.fixture
def run(home, make_workbook):
    """Three networks: one clean, one with warnings, one rejected with several errors; no reference."""
    make_workbook("ok.xlsx", network_id="MR-001")
    make_workbook("warn.xlsx", tweak(full_answers(network_id="MR-002"), budget_eur="120.000,50 €"),
                  network_id="MR-002")
    make_workbook("bad.xlsx", tweak(full_answers(network_id="MR-003"), founded_year=2031,
                                    volunteers="zwölf", network_type="Verbund"), network_id="MR-003")
    received = process(home, 2025, None)
    con = duckdb.connect(str(Home(home).warehouse))
    run_id = con.execute("SELECT max(run_id) FROM meta.runs").fetchone()[0]
    yield home, con, run_id, received
    con.close()


def test_report_workbook_marks_each_cell_and_lists_every_finding(run):
    home, con, run_id, received = run
    out = home / "reports" / "2025"
    paths = write_check_reports(con, run_id, 2025, out, archived=archived_in(home))
    assert sorted(p.name for p in paths) == ["MR-002_Pruefbericht.txt", "MR-002_Pruefbericht.xlsx",
                                             "MR-003_Pruefbericht.txt", "MR-003_Pruefbericht.xlsx"]
    wb = load_workbook(out / "MR-003_Pruefbericht.xlsx")
    assert wb.sheetnames[0] == q.REPORT_SHEET and wb.active.title == q.REPORT_SHEET
    ws = wb[q.REPORT_SHEET]
    header = [c.value for c in ws[9]]
    assert header == ["Nr.", "Art", "Blatt", "Zelle", "Feld", "Gefunden", "Erwartet", "Problem"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=10) if r[0].value is not None]
    got = {(r[1], r[2], r[3], r[4], r[5]) for r in rows}
    assert got == {("Fehler", "Netzwerk", "B7", "Art des Netzwerks", "Verbund"),
                   ("Fehler", "Netzwerk", "B9", "Gründungsjahr", "2031"),
                   ("Fehler", "Netzwerk", "B14", "Ehrenamtlich Mitwirkende", "zwölf")}
    assert all(r[6] for r in rows)                                  # what is expected, every time
    assert ws["D10"].hyperlink is not None and ws["D10"].hyperlink.location == "'Netzwerk'!B7"
    net = wb["Netzwerk"]
    for cell in ("B7", "B9", "B14"):
        assert _fill(net[cell]) == ERROR_FILL.fgColor.rgb[-6:], cell
        assert net[cell].comment is not None and f"Netzwerk!{cell}" in net[cell].comment.text
    assert net["B6"].comment is None and _fill(net["B6"]) != ERROR_FILL.fgColor.rgb[-6:]
    assert net["B14"].value == "zwölf"                              # the coordinator's value is kept
    assert wb["_meta"].sheet_state == "hidden"
    warn = load_workbook(out / "MR-002_Pruefbericht.xlsx")
    assert _fill(warn["Netzwerk"]["B15"]) == WARNING_FILL.fgColor.rgb[-6:]
    assert "übernommen als" in warn["Netzwerk"]["B15"].comment.text


def test_mail_text_is_short_and_names_the_cells(run):
    home, con, run_id, _ = run
    out = home / "reports" / "2025"
    write_check_reports(con, run_id, 2025, out, archived=archived_in(home))
    text = (out / "MR-003_Pruefbericht.txt").read_text(encoding="utf-8")
    assert "abgelehnt" in text and "3 Fehler" in text
    assert "Netzwerk!B9 – Gründungsjahr" in text and "Netzwerk!B14" in text
    assert "MR-003_Pruefbericht.xlsx" in text
    assert len(text.splitlines()) < 20
    assert "Anna Beispiel" not in text and "anna.beispiel" not in text


def test_corrected_report_copy_can_be_sent_back(run, tmp_path):
    """The coordinator fixes the cells in the report copy and sends it: it is read without a warning."""
    home, con, run_id, _ = run
    out = home / "reports" / "2025"
    write_check_reports(con, run_id, 2025, out, archived=archived_in(home))
    wb = load_workbook(out / "MR-003_Pruefbericht.xlsx")
    wb["Netzwerk"]["B7"], wb["Netzwerk"]["B9"], wb["Netzwerk"]["B14"] = "MINT-Region", 2011, 20
    box = tmp_path / "box"
    box.mkdir()
    wb.save(box / "korrigiert.xlsx")
    from mint_census.schemas.frames import Context

    received = batch.read_all(batch.discover(box), 2025)
    steps.assess(received, 2025, Context())
    assert received[0].findings == [] and received[0].status == "accepted"


def test_report_for_unreadable_file_has_findings_sheet_only(home):
    (home / "inbox" / "2025").mkdir(parents=True)
    (home / "inbox" / "2025" / "kaputt.xlsx").write_bytes(b"%PDF-1.4 nicht wirklich")
    process(home, 2025, None)
    con = duckdb.connect(str(Home(home).warehouse))
    run_id = con.execute("SELECT max(run_id) FROM meta.runs").fetchone()[0]
    paths = write_check_reports(con, run_id, 2025, home / "reports" / "2025", archived=archived_in(home))
    con.close()
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    assert xlsx.name == "kaputt_Pruefbericht.xlsx"
    wb = load_workbook(xlsx)
    assert wb.sheetnames == [q.REPORT_SHEET]
    assert wb[q.REPORT_SHEET]["B10"].value == "Fehler"


def test_report_without_archive_copy_still_written(tmp_path):
    from mint_census.schemas.findings import ERROR, Finding

    f = Finding(ERROR, "required", "Netzwerk!B6 – Name: Pflichtangabe fehlt", "required", "Netzwerk", "B6",
                "network_name", "Name des Netzwerks", None, "ein Text")
    info = ReportInfo(2025, "x.xlsx", "MR-001", "rejected", 1, 0)
    path = write_report_workbook(tmp_path / "r.xlsx", info, [f], tmp_path / "nicht-da.xlsx")
    assert load_workbook(path).sheetnames == [q.REPORT_SHEET]


def test_overview_one_row_per_network_and_who_is_missing(home, make_workbook):
    from mint_census.sources.register import write_register

    from .conftest import register_frame

    write_register(register_frame(("MR-001", "MR-002", "MR-003", "MR-004")), home / "register.csv")
    make_workbook("ok.xlsx", network_id="MR-001")
    make_workbook("warn.xlsx", tweak(full_answers(network_id="MR-002"), volunteers=" 12 "), network_id="MR-002")
    make_workbook("bad.xlsx", tweak(full_answers(network_id="MR-003"), founded_year=2031), network_id="MR-003")
    (home / "inbox" / "2025" / "-cmd.xlsx").write_bytes(b"")
    process(home, 2025, None)
    con = duckdb.connect(str(Home(home).warehouse))
    out = home / "reports" / "2025" / OVERVIEW_FILE
    rows = write_overview(con, 2025, out)
    con.close()
    by_id = {r["Netzwerk-ID"]: r for r in rows}
    assert {k: (r["Status"], r["Fehler"], r["Hinweise"], r["Datei"]) for k, r in by_id.items()} == {
        "MR-001": ("angenommen", 0, 0, "ok.xlsx"),
        "MR-002": ("angenommen mit Hinweisen", 0, 1, "warn.xlsx"),
        "MR-003": ("abgelehnt", 1, 0, "bad.xlsx"),
        "MR-004": ("fehlt", None, None, None),
        None: ("abgelehnt", 1, 0, "-cmd.xlsx"),
    }
    assert by_id["MR-001"]["Eingang"] and by_id["MR-004"]["Eingang"] is None
    wb = load_workbook(out)
    assert wb.sheetnames == ["Übersicht", "Fehlt noch", "Einsendungen", "Zahlen"]
    assert [c.value for c in wb["Fehlt noch"]["A"]][1:] == ["MR-004"]
    values = [c.value for row in wb["Übersicht"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "'-cmd.xlsx" in values and "-cmd.xlsx" not in values     # a file name never becomes a formula
    assert all(c.data_type != "f" for row in wb["Übersicht"].iter_rows() for c in row)
    zahlen = wb["Zahlen"]
    assert [c.value for c in zahlen[4]] == ["Bundesland", "Netzwerke", "angenommen", "angenommen mit Hinweisen",
                                            "abgelehnt", "fehlt", "Rücklaufquote"]
    assert [c.value for c in zahlen[5]] == ["Nordrhein-Westfalen", 4, 1, 1, 1, 1, 0.5]
    assert [c.value for c in zahlen[6]] == ["Insgesamt", 4, 1, 1, 1, 1, 0.5]


def test_overview_is_rewritten_only_when_its_content_changes(run):
    """The overview used to be rewritten on every ingest, also when nothing had changed (~1.5 s at 2,000 files)."""
    home, con, run_id, received = run
    out = home / "reports" / "2025" / OVERVIEW_FILE
    first = write_overview(con, 2025, out)
    stamp = out.stat().st_mtime_ns, out.stat().st_ino
    assert write_overview(con, 2025, out) == first
    assert (out.stat().st_mtime_ns, out.stat().st_ino) == stamp          # same content: the file stays
    write_overview(con, 2025, out, skipped=[{"Datei": "ordner", "Grund": "ein Ordner, keine Datei"}])
    assert (out.stat().st_mtime_ns, out.stat().st_ino) != stamp          # new content: written again
    assert "ordner" in [c.value for c in load_workbook(out)["Übersicht"]["I"]]
    out.write_bytes(b"kaputt")                                            # unreadable: written again
    write_overview(con, 2025, out)
    assert load_workbook(out).sheetnames == ["Übersicht", "Fehlt noch", "Einsendungen", "Zahlen"]


def test_history_lists_a_file_assessed_again_unchanged_once(home, make_workbook):
    """Every ingest records every file of the inbox; the Einsendungen sheet used to list an unchanged
    file once per ingest (2,000 more rows per re-ingest of 2,000 files), so the overview always changed."""
    make_workbook("bad.xlsx", tweak(full_answers(network_id="MR-001"), founded_year=2031), network_id="MR-001")
    process(home, 2025, None)
    process(home, 2025, None)
    out = Home(home).reports(2025) / OVERVIEW_FILE
    stamp = out.stat().st_mtime_ns, out.stat().st_ino
    process(home, 2025, None)
    assert (out.stat().st_mtime_ns, out.stat().st_ino) == stamp          # nothing changed: not rewritten
    make_workbook("good.xlsx", network_id="MR-001")
    process(home, 2025, None)
    history = [r for r in load_workbook(out)["Einsendungen"].iter_rows(min_row=2, values_only=True)]
    assert [(h[0], h[1], h[3]) for h in history] == [          # a new outcome of bad.xlsx is a row of its own
        ("MR-001", "bad.xlsx", "abgelehnt"), ("MR-001", "bad.xlsx", "ersetzt durch neuere Datei"),
        ("MR-001", "good.xlsx", "angenommen")]


def test_overview_digest_is_read_however_the_xml_writer_spells_it(tmp_path):
    """openpyxl with lxml installed writes the namespace on the element: the digest was not found, and the
    overview was written on every ingest again."""
    import zipfile

    from mint_census.publications.checkreports.overview import _written_digest

    dc = "http://purl.org/dc/elements/1.1/"
    for core, expected in (('<cp:coreProperties><dc:identifier>abc</dc:identifier></cp:coreProperties>', "abc"),
                           (f'<cp:coreProperties><dc:identifier xmlns:dc="{dc}">abc</dc:identifier>'
                            '</cp:coreProperties>', "abc"),
                           ('<cp:coreProperties><dc:creator>x</dc:creator></cp:coreProperties>', None)):
        path = tmp_path / "u.xlsx"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("docProps/core.xml", core)
        assert _written_digest(path) == expected
    assert _written_digest(tmp_path / "fehlt.xlsx") is None


def _report_contents(folder) -> dict:
    """Every report file of a folder: the e-mail texts as bytes, the workbooks cell by cell (value,
    fill, comment) - the .xlsx bytes differ in their creation time."""
    out = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".txt":
            out[path.name] = path.read_bytes()
        else:
            wb = load_workbook(path)
            out[path.name] = {ws.title: [(c.coordinate, c.value, _fill(c), c.comment.text if c.comment else None)
                                         for row in ws.iter_rows() for c in row] for ws in wb}
    return out


def test_reports_written_by_a_pool_of_processes_equal_those_written_in_one(run, tmp_path, monkeypatch):
    from mint_census.publications.checkreports import reports

    home, con, run_id, _ = run
    assert reports.report_processes(2) == 1  # a few reports: no processes to start
    one = write_check_reports(con, run_id, 2025, tmp_path / "one", archived=archived_in(home))
    monkeypatch.setattr(reports, "report_processes", lambda jobs: 2)  # as for a large run on 2 cores
    pooled = write_check_reports(con, run_id, 2025, tmp_path / "pool", archived=archived_in(home))
    assert [p.name for p in pooled] == [p.name for p in one] == [
        "MR-002_Pruefbericht.xlsx", "MR-002_Pruefbericht.txt", "MR-003_Pruefbericht.xlsx", "MR-003_Pruefbericht.txt"]
    assert _report_contents(tmp_path / "pool") == _report_contents(tmp_path / "one")


def test_reports_and_overview_side_by_side_equal_those_written_one_after_the_other(run, tmp_path, monkeypatch):
    """An ingest writes the overview in the report pool's process while the reports are written: the
    overview links the reports being written meanwhile, and every file equals what writing the
    reports first and the overview after them gives."""
    from mint_census.publications.checkreports import reports, write_reports_and_overview

    home, con, run_id, _ = run
    apart, together = tmp_path / "apart", tmp_path / "together"
    write_check_reports(con, run_id, 2025, apart, archived=archived_in(home))
    rows = write_overview(con, 2025, apart / OVERVIEW_FILE)
    monkeypatch.setattr(reports, "report_processes", lambda jobs: 2)  # as for a large run on 2 cores
    paths, shown = write_reports_and_overview(con, run_id, 2025, together, together / OVERVIEW_FILE,
                                              archived=archived_in(home))
    assert [p.name for p in paths] == [
        "MR-002_Pruefbericht.xlsx", "MR-002_Pruefbericht.txt", "MR-003_Pruefbericht.xlsx", "MR-003_Pruefbericht.txt"]
    assert shown == rows
    assert {r["Netzwerk-ID"]: r["Prüfbericht"] for r in shown if r["Prüfbericht"]} == {
        "MR-002": "MR-002_Pruefbericht.xlsx", "MR-003": "MR-003_Pruefbericht.xlsx"}
    assert _report_contents(together) == _report_contents(apart)


def test_reports_are_written_one_by_one_when_no_process_can_start(run, tmp_path, monkeypatch, caplog):
    from concurrent.futures.process import BrokenProcessPool

    from mint_census.publications.checkreports import reports

    def broken(jobs, processes, also=None):
        raise BrokenProcessPool("a process in the pool was terminated abruptly")

    home, con, run_id, _ = run
    monkeypatch.setattr(reports, "report_processes", lambda jobs: 2)
    monkeypatch.setattr(reports, "_in_pool", broken)
    with caplog.at_level("WARNING"):
        paths = write_check_reports(con, run_id, 2025, tmp_path, archived=archived_in(home))
    assert len(paths) == 4 and all(p.is_file() for p in paths)
    assert "no process pool (BrokenProcessPool" in caplog.text


def test_a_pool_only_where_the_caller_says_its_main_may_be_imported_again(monkeypatch):
    from mint_census.publications.checkreports import reports

    monkeypatch.setattr(processes.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.delenv(processes.POOL_VARIABLE, raising=False)
    assert reports.report_processes(1000) == 1  # a script of one's own: its main may lack a guard
    monkeypatch.setenv(processes.POOL_VARIABLE, "1")  # as the mint-census command sets it
    assert reports.report_processes(1000) == 4
    assert reports.report_processes(reports.PARALLEL_REPORTS_FROM - 1) == 1
    monkeypatch.setenv(processes.POOL_VARIABLE, "0")
    assert reports.report_processes(1000) == 1


def test_an_error_in_a_report_worker_reaches_the_caller_with_its_traceback(tmp_path, monkeypatch):
    from mint_census.publications.checkreports import reports

    info = ReportInfo(2025, "bad.xlsx", None, "rejected", 1, 0)
    blocked = tmp_path / "a file, not a folder"  # the worker cannot write into it
    blocked.write_text("x")
    # the pool's process gets the first job, this process the second (processes.share)
    jobs = [reports._Job(blocked, "lost", info, [], None, copy=False),
            reports._Job(tmp_path, "ok", info, [], None, copy=False)]
    monkeypatch.setattr(reports, "report_processes", lambda jobs: 2)
    with pytest.raises(OSError) as raised:
        reports._write_all(jobs)
    assert "in a report worker process" in "".join(raised.value.__notes__)
    assert (tmp_path / "ok_Pruefbericht.txt").is_file()  # the other job was written


def test_the_overview_goes_to_a_pool_only_beside_enough_reports(monkeypatch):
    """A re-ingest with one changed file has the overview (large) and a report or none to write: a
    process started for the overview alone would only make this one wait for it. Beside enough
    reports it is written in the pool while this process writes reports."""
    from mint_census.publications.checkreports import reports

    monkeypatch.setattr(processes.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setenv(processes.POOL_VARIABLE, "1")
    monkeypatch.setattr(reports, "spawn_pool", lambda n: pytest.fail("no pool for the overview alone"))
    assert reports._write_all([], lambda: "overview written", weight=50) == ([], "overview written")
    started = []
    monkeypatch.setattr(reports, "_in_pool", lambda jobs, n, also: started.append(n) or ([], (also(), [], None)))
    many = [object()] * (reports.PARALLEL_REPORTS_FROM // 2)
    assert reports._write_all(many, lambda: "overview written", weight=50) == ([], "overview written")
    assert started == [2]  # half the threshold in reports, the overview counting as many more


def _overview_rows():
    """Rows of every kind the overview shows: each status, texts XML must escape or openpyxl must
    neutralise, empty cells with and without a style, dates, numbers, report links."""
    from datetime import datetime

    from mint_census.publications.checkreports.overview import OVERVIEW_COLUMNS
    from mint_census.schemas.findings import ACCEPTED, MISSING, NEW_NETWORK, REJECTED, WITH_WARNINGS

    texts = ["Netz & Partner <Nord> \x07", "  Leerzeichen vorn und hinten  ", "=HYPERLINK(\"http://x\")", "",
             "Zeile 1\nZeile 2", "Steuerzeichen \x07 hier \ufffe", "Ümlaut ß €", "-3", "+49 30", "x" * 40000]
    rows = []
    for i, status in enumerate([ACCEPTED, WITH_WARNINGS, REJECTED, MISSING, NEW_NETWORK, None] * 4):
        row = {head: None for head in OVERVIEW_COLUMNS}
        row.update({"_status": status, "_land": "05", "Netzwerk-ID": f"MR-{i:03d}",
                    "Netzwerk": texts[i % len(texts)], "Bundesland": "Nordrhein-Westfalen",
                    "Status": status or "nicht gelesen", "Fehler": i % 3, "Hinweise": 0.5 * i,
                    "Erstes Problem": texts[(i + 3) % len(texts)] if i % 4 else None,
                    "Prüfbericht": f'MR-{i:03d} & "Co"\t_Pruefbericht.xlsx' if i % 2 else None,
                    "Datei": f"Bogen {i}.xlsx", "Eingang": datetime(2025, 3, 1 + i, 9, 30, 15) if i % 3 else None,
                    "Daten übernommen": "ja" if i % 2 else "nein", "Vorjahr beantwortet": i % 2 == 0,
                    "Letzte Erinnerung": datetime(2025, 4, 2, 8, 0) if i % 5 == 0 else None})
        rows.append(row)
    history = [{"Netzwerk-ID": r["Netzwerk-ID"], "Datei": r["Datei"], "Eingang": r["Eingang"], "Status": r["Status"],
                "Fehler": r["Fehler"], "Hinweise": 2, "_status": r["_status"]} for r in rows]
    return rows, history


def _parts(path) -> dict:
    import zipfile
    with zipfile.ZipFile(path) as z:  # the creation time differs between any two writes
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize("odd", [None, "date", "error code", "late"])
def test_overview_rows_written_as_xml_equal_openpyxl_byte_for_byte(tmp_path, monkeypatch, odd):
    """The overview's table rows are written as XML (1.9 s of openpyxl for 2,000 networks before, 0.2 s
    now): the workbook equals, file for file and byte for byte, what openpyxl writes cell by cell.
    With a value the XML writer does not take (a date outside the date columns, a text that openpyxl
    stores as an error value) that sheet falls back to openpyxl's cells, with the same result,
    wherever in the sheet the value is."""
    from datetime import datetime

    from mint_census.publications.checkreports import overview

    rows, history = _overview_rows()
    if odd == "date":
        rows[5]["Bemerkung"] = datetime(2025, 1, 1)
    elif odd == "error code":
        rows[5]["Bemerkung"] = "#N/A"
    elif odd == "late":  # found in the last row, after every style of the sheet has been numbered
        rows[-1]["Bemerkung"] = datetime(2025, 1, 1)
    as_xml, original = [], overview._sheet_with_rows
    monkeypatch.setattr(overview, "_sheet_with_rows", lambda xml, part: as_xml.append(part.title)
                        or original(xml, part))
    out = tmp_path / OVERVIEW_FILE
    overview._write_workbook(out, 2025, rows, history, "digest")
    assert as_xml == (["Übersicht", "Fehlt noch", "Einsendungen"] if odd is None else ["Fehlt noch", "Einsendungen"])
    cells = overview._workbook(2025, rows, history, "digest")  # every cell made by openpyxl
    cells.save(tmp_path / "cells.xlsx")
    mine, theirs = _parts(out), _parts(tmp_path / "cells.xlsx")
    assert sorted(mine) == sorted(theirs)
    assert "xl/worksheets/_rels/sheet1.xml.rels" in mine and "xl/worksheets/_rels/sheet2.xml.rels" not in mine
    for name in theirs:
        assert mine[name] == theirs[name], name
    # and what staff see, read back
    wb = load_workbook(out)
    ws = wb["Übersicht"]
    assert ws["B2"].value == "Netz & Partner <Nord> \ufffd" and ws["B3"].value == "  Leerzeichen vorn und hinten  "
    assert ws["B4"].value == "'=HYPERLINK(\"http://x\")" and ws["B4"].data_type == "s"   # never a formula
    assert ws["B7"].value == "Steuerzeichen \ufffd hier \ufffd" and len(ws["B11"].value) == 32767
    assert ws["J3"].value == datetime(2025, 3, 2, 9, 30, 15) and ws["J3"].number_format == "DD.MM.YYYY HH:MM"
    assert ws["H3"].hyperlink.target == 'MR-001 & "Co"\t_Pruefbericht.xlsx' and ws["H3"].font.underline == "single"
    assert _fill(ws["D4"]) == "F8B4B4" and _fill(ws["D2"]) == "C6EFCE"
    assert ws.auto_filter.ref == "A1:O25" and ws.freeze_panes == "C2"
    assert [r[0].value for r in wb["Fehlt noch"].iter_rows(min_row=2)] == ["MR-003", "MR-009", "MR-015", "MR-021"]
