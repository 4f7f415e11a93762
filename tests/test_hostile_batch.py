"""Every kind of hostile or broken file through the whole path: read -> assess -> load -> reports.

One inbox holds two good workbooks and one file of every bad kind (each built here). The
batch is processed once (module fixture); each test then checks one kind: its specific
finding, a rejected status, nothing of it loaded, its bytes archived, a check report
written; and that the good workbooks were accepted all the same.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from mint_census.publications.checkreports import write_check_reports, write_overview
from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import write_workbook
from mint_census.sources.register import write_register
from mint_census.sources.safety import OLE2_MAGIC
from mint_census.flows.home import Home

from mint_census.warehouse.archive import archived

from .conftest import full_answers, process, register_frame, tweak, archived_in
from .test_safety import BILLION_LAUGHS, XXE_SHEET, rezip

YEAR = 2025
GOOD = ("MR-001", "MR-002")


def _template(path: Path, network_id: str = "MR-003", answers=None, year: int = YEAR) -> Path:
    return write_workbook(path, year, network_id, answers or full_answers(year, network_id))


def _edit(path: Path, fn) -> Path:
    wb = load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _rezip_in_place(path: Path, **kw) -> Path:
    tmp = path.with_name("src_" + path.name)
    os.replace(path, tmp)
    rezip(tmp, path, **kw)
    tmp.unlink()
    return path


def _too_many_rows(wb):
    ws = wb[q.S_AREA]
    for r in range(q.FIRST_DATA_ROW, q.FIRST_DATA_ROW + q.MAX_TABLE_ROWS + 5):
        ws.cell(r, 1, "05315")


# name -> (builder(inbox) -> path, expected finding code)
KINDS = {
    "renamed_xls": (lambda d: _bytes(d / "alt.xlsx", OLE2_MAGIC + b"\x00" * 1016
                                     + "Workbook".encode("utf-16-le") + b"\x00" * 1000), "legacy_xls"),
    "ods": (lambda d: _ods(d / "libre.xlsx"), "ods"),
    "csv": (lambda d: _bytes(d / "tabelle.xlsx", "Netzwerk;Schulen\nSüd;12\n".encode()), "not_xlsx"),
    "pdf": (lambda d: _bytes(d / "scan.xlsx", b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n"), "pdf"),
    "encrypted": (lambda d: _bytes(d / "kennwort.xlsx", OLE2_MAGIC + b"\x00" * 1016
                                   + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50
                                   + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 900), "encrypted"),
    "xlsm_name": (lambda d: _template(d / "mit_makro.xlsm"), "macro"),
    "vba_project": (lambda d: _rezip_in_place(_template(d / "vba.xlsx"),
                                              add={"xl/vbaProject.bin": OLE2_MAGIC + b"\x00" * 100}), "macro"),
    "zip_bomb": (lambda d: _rezip_in_place(_template(d / "bombe.xlsx"),
                                           add={"xl/media/zeros.bin": b"\x00" * (4 << 20)}), "zip_bomb"),
    "xml_bomb": (lambda d: _rezip_in_place(_template(d / "lol.xlsx"),
                                           replace={"xl/workbook.xml": BILLION_LAUGHS}), "xml_entities"),
    "xxe": (lambda d: _rezip_in_place(_template(d / "xxe.xlsx"),
                                      replace={"xl/worksheets/sheet2.xml": XXE_SHEET}), "xml_entities"),
    "truncated": (lambda d: _bytes(d / "abgebrochen.xlsx", _template(d / "t.tmp").read_bytes()[:5000]),
                  "corrupt_zip"),
    "empty": (lambda d: _bytes(d / "leer.xlsx", b""), "empty_file"),
    "not_our_template": (lambda d: _edit(_template(d / "eigene.xlsx"), lambda wb: wb.remove(wb["_meta"])),
                         "meta_missing"),
    "unknown_version": (lambda d: _edit(_template(d / "version.xlsx"),
                                        lambda wb: wb["_meta"].__setitem__("B1", "2019.7")), "unknown_version"),
    "wrong_year": (lambda d: _template(d / "vorjahr.xlsx", year=2024), "wrong_year"),
    "other_network": (lambda d: _template(d / "fremd.xlsx", answers=tweak(full_answers(), network_id="MR-002")),
                      "network_id_mismatch"),
    "sheet_missing": (lambda d: _edit(_template(d / "ohne_partner.xlsx"), lambda wb: wb.remove(wb[q.S_PART])),
                      "sheet_missing"),
    "column_missing": (lambda d: _edit(_template(d / "ohne_spalte.xlsx"),
                                       lambda wb: wb[q.S_AREA].delete_cols(2)), "layout_changed"),
    "too_many_rows": (lambda d: _edit(_template(d / "lang.xlsx"), _too_many_rows), "too_many_rows"),
}


def _ods(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest/>')
    return path


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("hostile") / "home"
    inbox = home / "inbox" / str(YEAR)
    inbox.mkdir(parents=True)
    write_register(register_frame(("MR-001", "MR-002", "MR-003", "MR-004")), home / "register.csv")
    names = {}
    # The bad files carry network MR-003 (or none): none of them may disturb MR-001 and MR-002.
    for kind, (build, _) in KINDS.items():
        sub = inbox / f".build_{kind}"
        sub.mkdir()
        path = build(sub)
        target = inbox / path.name
        assert not target.exists(), kind
        os.replace(path, target)
        for leftover in sub.iterdir():
            leftover.unlink()
        sub.rmdir()
        names[kind] = target.name
    for nid in GOOD:
        _template(inbox / f"gut_{nid}.xlsx", nid)
    # a good workbook under an odd name: path separator look-alikes, quotes, a leading formula sign
    odd = "-Bogen \\..\\ \"MR-004\" ?*<>|.xlsx"
    _template(inbox / odd, "MR-004")
    # two files for MR-002 in one inbox: the newer wins, the older is reported as superseded
    older = _template(inbox / "gut_MR-002_alt.xlsx", "MR-002", tweak(full_answers(network_id="MR-002"), volunteers=3))
    os.utime(older, (1_600_000_000, 1_600_000_000))
    received = process(home, YEAR, None)
    con = duckdb.connect(str(Home(home).warehouse))
    run_id = con.execute("SELECT max(run_id) FROM meta.runs").fetchone()[0]
    reports = write_check_reports(con, run_id, YEAR, home / "reports" / str(YEAR), archived=archived_in(home))
    overview = write_overview(con, YEAR, home / "reports" / str(YEAR) / "uebersicht.xlsx")
    yield {"home": home, "received": received, "names": names, "con": con, "run_id": run_id,
           "reports": reports, "overview": overview}
    con.close()


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_bad_file_gets_its_finding_and_nothing_else_suffers(batch_run, kind):
    rec = batch_run["received"][batch_run["names"][kind]]
    code = KINDS[kind][1]
    assert rec.status == "rejected", (kind, rec.status)
    errors = [f for f in rec.findings if f.is_error]
    assert code in {f.code for f in errors}, [(f.code, f.message_en) for f in rec.findings]
    f = next(f for f in errors if f.code == code)
    assert f.message_de.strip() and f.message_en.strip() and f.message_de != f.message_en
    # archived as received, recorded, and a report written for it
    con = batch_run["con"]
    sha, archive_path, loaded = con.execute(
        "SELECT file_sha256, archive_path, loaded FROM meta.submissions WHERE run_id = ? AND file_name = ?",
        [batch_run["run_id"], rec.file_name]).fetchone()
    assert loaded is False
    assert archived(Home(batch_run["home"]).archive, archive_path).read_bytes() == rec.path.read_bytes()
    assert con.execute("SELECT count(*) FROM meta.findings WHERE run_id = ? AND file_sha256 = ? AND code = ?",
                       [batch_run["run_id"], sha, code]).fetchone()[0] >= 1
    reports = [p for p in batch_run["reports"] if p.suffix == ".xlsx"]
    # the findings sheet shows the problem without repeating cell, field, found and expected
    from mint_census.publications.checkreports.report_workbook import problem_text
    assert any(problem_text(f) in _report_text(p) for p in reports), kind


def _report_text(path: Path) -> str:
    wb = load_workbook(path, read_only=True)
    text = "\n".join(str(v) for row in wb[q.REPORT_SHEET].iter_rows(values_only=True) for v in row if v)
    wb.close()
    return text


def test_good_workbooks_still_loaded(batch_run):
    received = batch_run["received"]
    for nid in GOOD:
        assert received[f"gut_{nid}.xlsx"].status == "accepted", received[f"gut_{nid}.xlsx"].findings
    con = batch_run["con"]
    ids = [r[0] for r in con.execute("SELECT network_id FROM core.networks ORDER BY 1").fetchall()]
    assert ids == ["MR-001", "MR-002", "MR-004"]          # nothing from MR-003's bad files
    assert con.execute("SELECT count(*) FROM core.districts WHERE network_id = 'MR-003'").fetchone()[0] == 0


def test_every_received_file_archived(batch_run):
    con = batch_run["con"]
    n = con.execute("SELECT count(*) FROM meta.submissions WHERE run_id = ?", [batch_run["run_id"]]).fetchone()[0]
    assert n == len(batch_run["received"]) == len(KINDS) + 4


def test_odd_file_name_is_made_safe_and_accepted(batch_run):
    recs = [r for r in batch_run["received"].values() if r.network_id == "MR-004"]
    assert len(recs) == 1 and recs[0].status == "accepted"
    name = recs[0].file_name
    assert "/" not in name and "\\" not in name and ".." not in name.replace(".xlsx", "")
    assert name.endswith(".xlsx") and not any(c in name for c in '"?*<>|')


def test_two_files_for_one_network_newer_wins(batch_run):
    received = batch_run["received"]
    assert received["gut_MR-002_alt.xlsx"].status == "superseded"
    assert [f.code for f in received["gut_MR-002_alt.xlsx"].findings] == ["superseded"]
    assert received["gut_MR-002.xlsx"].status == "accepted"


def test_overview_lists_every_network(batch_run):
    rows = {r["Netzwerk-ID"]: r for r in batch_run["overview"]}
    assert rows["MR-001"]["Status"] == "angenommen" and rows["MR-004"]["Status"] == "angenommen"
    assert rows["MR-003"]["Status"] == "abgelehnt"
    assert rows[None]["Status"] == "abgelehnt"            # files of no recognisable network


def test_findings_carry_no_personal_data(batch_run):
    con = batch_run["con"]
    text = " ".join(str(v) for row in con.execute("SELECT * FROM meta.findings").fetchall() for v in row)
    assert "Anna Beispiel" not in text and "anna.beispiel@example.org" not in text
    for p in batch_run["reports"]:
        if p.suffix == ".txt":
            assert "Anna Beispiel" not in p.read_text(encoding="utf-8")
