"""send-out, remind and answer through a real SMTP server on 127.0.0.1 (aiosmtpd), and a census
year through the real commands: every message arrives once, at the right address, with the right
attachment, and nothing personal reaches the log or meta.mailings."""

from __future__ import annotations

import email
import io
import json
import logging
import os
import socket
import time
from datetime import datetime
from email import policy
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from mint_census.flows.cli import main
from mint_census.flows.home import Home
from mint_census.schemas.template import write_workbook

from .conftest import REFERENCE_DIR, full_answers, tweak

aiosmtpd = pytest.importorskip("aiosmtpd")

REFUSED = "refused@example.net"


class Mailbox:
    """An aiosmtpd handler keeping every message that arrived; refuses one address with 550."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if rcpt == [address]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


REGISTER = (
    "network_id;network_name;network_type;land_code;founded_year;first_census_year;end_year;end_reason;"
    "successor_id;kreise;contact_email\n"
    "MR-001;MINT-Region Köln;MINT-Region;05;2010;2013;;;;05315;koeln@example.org\n"
    "MR-002;MINT-Netz Bonn;MINT-Region;05;2012;2014;;;;05314;bonn@example.org\n"
    "MR-003;zdi-Zentrum Aachen;zdi-Netzwerk;05;2011;2015;;;;05334;" + REFUSED + "\n"
    "MR-004;MINT-Region Düren;MINT-Region;05;2016;2017;;;;05358;\n"
    "MR-005;MINT-Region Alt;MINT-Region;05;2010;2013;2020;aufgelöst;;05366;alt@example.org\n"
)


def _home(tmp_path: Path, port: int) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "register.csv").write_text(REGISTER, encoding="utf-8")
    (home / "versand.ini").write_text(
        "[absender]\nadresse = erhebung@census.example\nname = Erhebungsstelle MINT-Regionen\n"
        "telefon = 030 123456\n\n[smtp]\nhost = 127.0.0.1\nport = %d\nstarttls = nein\n\n"
        "[adressen]\nreihenfolge = register, kontakt\n" % port, encoding="utf-8")
    return home


def _cmd(*args, home: Path) -> int:
    ref = ["--reference", str(REFERENCE_DIR)] if REFERENCE_DIR else []
    return main([*args, "--home", str(home), *ref])


def _attachment(msg) -> tuple[str, bytes]:
    parts = [p for p in msg.iter_attachments()]
    assert len(parts) == 1
    return parts[0].get_filename(), parts[0].get_payload(decode=True)


def _meta(wb) -> dict:
    ws = wb["_meta"]
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 4)}


def _all_text(wb) -> str:
    """Every value of the workbook except the shared lists (which hold every Kreis name)."""
    return "\n".join(str(c.value) for ws in wb.worksheets if ws.title != "_listen" for row in ws.iter_rows()
                     for c in row if c.value is not None)


def _answers(nid: str, name: str, email_addr: str, kreis: str, **form):
    a = full_answers(2025, nid)
    a = tweak(a, network_name=name, contact_name=f"Koordination {nid}", contact_email=email_addr, **form)
    a.tables["Gebiet"] = [{"kreis_code": kreis, "coverage": "ganz"}]
    a.tables["Angebote"] = [{**r, "offer_kreis_code": None} for r in a.tables["Angebote"]]
    return a


def _return(home: Path, name: str, nid: str, answers, mtime: float) -> Path:
    path = write_workbook(home / "inbox" / "2025" / name, 2025, nid, answers)
    os.utime(path, (mtime, mtime))
    return path


def test_a_census_year_through_the_real_commands(prefect, tmp_path, smtp, capsys):
    home = _home(tmp_path, smtp.port)
    names = {"MR-001": "MINT-Region Köln", "MR-002": "MINT-Netz Bonn", "MR-003": "zdi-Zentrum Aachen",
             "MR-004": "MINT-Region Düren"}
    logging.getLogger("mail.log").setLevel(logging.WARNING)   # the test server's own log names addresses

    # --- send-out: the workbook to every network counted in 2025 (MR-005 ended in 2020) ------------
    assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", "--send", home=home) == 1
    out = capsys.readouterr().out
    assert "no address (register contact_email or Kontakt sheet): MR-004" in out
    assert "sent 2, sent before 0, failed 1" in out and "failed: MR-003: recipient refused (550)" in out
    assert sorted(r for r, _ in smtp.messages) == [["bonn@example.org"], ["koeln@example.org"]]
    for nid, address in (("MR-001", "koeln@example.org"), ("MR-002", "bonn@example.org")):
        [msg] = smtp.to(address)
        assert msg["Subject"] == f"Erhebung MINT-Regionen 2025 – Ihr Erhebungsbogen ({names[nid]})"
        assert msg["From"] == "Erhebungsstelle MINT-Regionen <erhebung@census.example>"
        body = msg.get_body(("plain",)).get_content()
        assert body.startswith("Sehr geehrte Damen und Herren,")
        assert "bis zum 30.06.2025" in body and f"Netzwerk-ID {nid}" in body and "Datenschutz" in body
        name, data = _attachment(msg)
        assert name == f"Erhebungsbogen_2025_{nid}.xlsx"
        wb = load_workbook(io.BytesIO(data))
        assert _meta(wb) == {"template_version": "2025.1", "census_year": 2025, "network_id": nid}
        assert "Einsendeschluss: 30.06.2025" in _all_text(wb)
        text = _all_text(wb)
        assert names[nid] in text and not any(v in text for n, name in names.items() if n != nid for v in (n, name))
    eml = home / "outbox" / "2025" / "send-out"
    assert sorted(p.name for p in eml.glob("*.eml")) == ["MR-001.eml", "MR-002.eml", "MR-003.eml"]
    ws = load_workbook(eml / "versand.xlsx")["Versand"]
    status = {ws.cell(r, 1).value: (ws.cell(r, 3).value, ws.cell(r, 8).value) for r in range(2, ws.max_row + 1)}
    assert status == {"MR-001": ("koeln@example.org", "gesendet"), "MR-002": ("bonn@example.org", "gesendet"),
                      "MR-003": (REFUSED, "nicht gesendet: recipient refused (550)"),
                      "MR-004": (None, "keine Adresse")}

    # the same send-out again: nothing arrives twice
    assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", "--send", home=home) == 1
    assert "sent 0, sent before 2, failed 1" in capsys.readouterr().out
    assert len(smtp.messages) == 2

    # --- the workbooks come back: Köln fine, Bonn wrong, Düren with a hint; Aachen silent ---------------
    t0 = time.time() - 3600
    _return(home, "koeln.xlsx", "MR-001", _answers("MR-001", "MINT-Region Köln", "koeln@example.org", "05315"), t0)
    _return(home, "bonn.xlsx", "MR-002",
            _answers("MR-002", "MINT-Netz Bonn", "bonn@example.org", "05314", founded_year=2061), t0)
    _return(home, "dueren.xlsx", "MR-004",
            _answers("MR-004", "MINT-Region Düren", "dueren@example.org", "05358", budget_eur="120.000,50 €"), t0)
    assert _cmd("ingest", "--year", "2025", home=home) == 3
    capsys.readouterr()

    # --- answer: the check reports go out (Bonn rejected, Düren with a hint via its Kontakt sheet) -------
    assert _cmd("answer", "--year", "2025", "--send", home=home) == 0
    assert "sent 2, sent before 0, failed 0" in capsys.readouterr().out
    [bonn] = [m for m in smtp.to("bonn@example.org") if m["Subject"].startswith("Prüfbericht")]
    body = bonn.get_body(("plain",)).get_content()
    assert body.startswith("Sehr geehrte Damen und Herren,")   # rejected: no accepted Kontakt sheet yet
    assert "noch nicht übernommen" in body and "FEHLER: Netzwerk!B9 – Gründungsjahr" in body
    name, data = _attachment(bonn)
    assert name == "MR-002_Pruefbericht.xlsx"
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "Prüfbericht" and _meta(wb)["network_id"] == "MR-002"
    assert not any(t in _all_text(wb) for t in ("MR-001", "MR-004", "MINT-Region Köln", "MINT-Region Düren",
                                                 "koeln@", "dueren@"))
    [dueren] = smtp.to("dueren@example.org")
    assert dueren["Subject"] == "Prüfbericht zur Erhebung MINT-Regionen 2025 (MINT-Region Düren)"
    dbody = dueren.get_body(("plain",)).get_content()
    assert dbody.startswith("Guten Tag Koordination MR-004,")          # address and name: its Kontakt sheet
    assert "Ihre Angaben wurden übernommen" in dbody and "Hinweis: Netzwerk!B15 – Jahresbudget" in dbody
    assert _meta(load_workbook(io.BytesIO(_attachment(dueren)[1])))["network_id"] == "MR-004"
    assert _cmd("answer", "--year", "2025", "--send", home=home) == 0   # nothing new to answer
    assert "sent 0, sent before 2" in capsys.readouterr().out

    # --- remind: Bonn (rejected: its report again) and Aachen (nothing received: refused again) ---------
    assert _cmd("remind", "--year", "2025", "--send", home=home) == 1
    assert "sent 1, sent before 0, failed 1" in capsys.readouterr().out
    [reminder] = [m for m in smtp.to("bonn@example.org") if m["Subject"].startswith("Erinnerung")]
    assert reminder["Subject"] == "Erinnerung: Erhebung MINT-Regionen 2025 (MINT-Netz Bonn)"
    rbody = reminder.get_body(("plain",)).get_content()
    assert "bis zum 30.06.2025" in rbody and "enthält noch Fehler" in rbody
    assert _attachment(reminder)[0] == "MR-002_Pruefbericht.xlsx"

    # --- Bonn corrects; ingest; nothing more to answer; publish -------------------------------------
    _return(home, "bonn_korrigiert.xlsx", "MR-002",
            _answers("MR-002", "MINT-Netz Bonn", "bonn@example.org", "05314"), t0 + 600)
    assert _cmd("ingest", "--year", "2025", home=home) == 0
    assert _cmd("answer", "--year", "2025", "--send", home=home) == 0
    assert _cmd("publish", "--year", "2025", home=home) == 0
    assert (home / "publication" / "2025" / "MINT-Regionen_2025_Tabellen.xlsx").is_file()
    capsys.readouterr()

    # every message arrived once, at the right address
    arrived = sorted((rcpt[0], m["Subject"].split(" ")[0]) for rcpt, m in smtp.messages)
    assert arrived == [("bonn@example.org", "Erhebung"), ("bonn@example.org", "Erinnerung:"),
                       ("bonn@example.org", "Prüfbericht"), ("dueren@example.org", "Prüfbericht"),
                       ("koeln@example.org", "Erhebung")]
    ids = [m["Message-ID"] for _, m in smtp.messages]
    assert len(set(ids)) == 5
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    rows = con.execute("SELECT network_id, kind, result, message_id FROM meta.mailings ORDER BY sent_at").fetchall()
    con.close()
    assert sorted((n, k) for n, k, r, _ in rows if r == "sent") == [
        ("MR-001", "send-out"), ("MR-002", "answer"), ("MR-002", "remind"), ("MR-002", "send-out"),
        ("MR-004", "answer")]
    assert sorted(m for n, k, r, m in rows if r == "sent") == sorted(ids)
    assert {(n, k) for n, k, r, _ in rows if r != "sent"} == {("MR-003", "send-out"), ("MR-003", "remind")}
    assert "@" not in " ".join(str(v) for r in rows for v in r[:3])
    log = Home(home).log_file.read_text(encoding="utf-8")
    assert "@example" not in log and REFUSED not in log

    # the staff overview: the work list knows the coordinators' addresses and the last reminder
    ov = load_workbook(home / "reports" / "2025" / "uebersicht.xlsx")["Übersicht"]
    head = [c.value for c in ov[1]]
    by_id = {r[0]: dict(zip(head, r)) for r in ov.iter_rows(min_row=2, values_only=True) if r[0]}
    assert by_id["MR-002"]["E-Mail"] == "bonn@example.org"
    assert by_id["MR-003"]["E-Mail"] == REFUSED and by_id["MR-003"]["Letzte Erinnerung"] is None
    assert by_id["MR-004"]["E-Mail"] == "dueren@example.org"
    assert isinstance(by_id["MR-002"]["Letzte Erinnerung"], datetime) and by_id["MR-001"]["Letzte Erinnerung"] is None
    # … but the Prefect artifacts of the runs carry no address
    from .test_flows import _artifacts

    artifacts = _artifacts("overview-2025") + _artifacts("ingest-2025")
    assert artifacts and "@" not in json.dumps([a.data for a in artifacts], default=str)


def test_prepared_mails_without_smtp_and_the_staffs_own_template(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    (home / "register.csv").write_text(REGISTER, encoding="utf-8")
    (home / "vorlagen").mkdir()
    (home / "vorlagen" / "send-out.txt").write_text(
        "Betreff: Bogen $jahr für $netzwerk_id\n\n$anrede\nbitte bis $frist zurück.\n", encoding="utf-8")
    assert _cmd("send-out", "--year", "2027", "--deadline", "2027-05-31", home=home) == 0
    out = capsys.readouterr().out
    assert "send-out 2027: 4 networks, 3 e-mails" in out
    msg = email.message_from_bytes((home / "outbox" / "2027" / "send-out" / "MR-001.eml").read_bytes(),
                                   policy=policy.default)
    assert msg["To"] == "koeln@example.org" and msg["Subject"] == "Bogen 2027 für MR-001"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Sehr geehrte Damen und Herren,\nbitte bis 31.05.2027 zurück.\n"
    wb = load_workbook(io.BytesIO(_attachment(msg)[1]))
    assert _meta(wb) == {"template_version": "2026.1", "census_year": 2027, "network_id": "MR-001"}
    assert wb["Hinweise"]["A1"].value == "Erhebung MINT-Regionen 2027 – Erhebungsbogen"
    # the remind command repeats the stored deadline
    assert _cmd("remind", "--year", "2027", home=home) == 0
    r = email.message_from_bytes((home / "outbox" / "2027" / "remind" / "MR-002.eml").read_bytes(),
                                 policy=policy.default)
    assert "bis zum 31.05.2027" in r.get_body(("plain",)).get_content()


def test_mail_settings_refuse_a_password_and_templates_an_unknown_placeholder(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    (home / "register.csv").write_text(REGISTER, encoding="utf-8")
    (home / "versand.ini").write_text("[smtp]\nhost = 127.0.0.1\npasswort = geheim\n", encoding="utf-8")
    assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", home=home) == 2
    assert "MINT_CENSUS_SMTP_PASSWORD" in capsys.readouterr().err
    (home / "versand.ini").unlink()
    assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", "--send", home=home) == 2
    assert "[smtp] host" in capsys.readouterr().err
    (home / "vorlagen").mkdir()
    (home / "vorlagen" / "remind.txt").write_text("Betreff: x\n\n$frist $gruss\n", encoding="utf-8")
    assert _cmd("remind", "--year", "2025", "--deadline", "2025-07-15", home=home) == 2
    assert "unknown placeholder $gruss" in capsys.readouterr().err
    assert _cmd("send-out", "--year", "2025", "--deadline", "30.06.2025", home=home) == 2


def test_smtp_login_with_the_password_from_the_environment(tmp_path, capsys, monkeypatch):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"erhebung" and auth_data.password == b"s3cret")

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        home = _home(tmp_path, controller.port)
        ini = home / "versand.ini"
        ini.write_text(ini.read_text(encoding="utf-8").replace("starttls = nein", "starttls = nein\nbenutzer = erhebung"),
                       encoding="utf-8")
        monkeypatch.delenv("MINT_CENSUS_SMTP_PASSWORD", raising=False)
        assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", "--send", home=home) == 2
        assert "MINT_CENSUS_SMTP_PASSWORD" in capsys.readouterr().err
        monkeypatch.setenv("MINT_CENSUS_SMTP_PASSWORD", "s3cret")
        assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", "--send", home=home) == 1
        assert seen == [(b"erhebung", b"s3cret")]
        assert sorted(r[0] for r, _ in box.messages) == ["bonn@example.org", "koeln@example.org"]
        assert "s3cret" not in Home(home).log_file.read_text(encoding="utf-8")
    finally:
        controller.stop()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that the test trusts through SSL_CERT_FILE."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    crt, pem = tmp_path / "server.crt", tmp_path / "server.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


def test_starttls_is_used_and_the_certificate_checked(tmp_path, capsys, monkeypatch):
    import ssl

    from aiosmtpd.controller import Controller

    pytest.importorskip("cryptography")
    crt, pem = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(crt, pem)
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port(), tls_context=context,
                            require_starttls=True)
    controller.start()
    try:
        home = _home(tmp_path, controller.port)
        ini = home / "versand.ini"
        ini.write_text(ini.read_text(encoding="utf-8").replace("starttls = nein", "starttls = ja"), encoding="utf-8")
        # an untrusted certificate: nothing is sent in the clear, every message fails
        assert _cmd("answer", "--year", "2025", home=home) == 0     # nothing to answer yet, nothing sent
        assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", "--send", home=home) == 1
        assert "failed 3" in capsys.readouterr().out and box.messages == []
        # trusted: sent over TLS
        monkeypatch.setenv("SSL_CERT_FILE", str(crt))
        assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", "--send", home=home) == 1
        assert "sent 2, sent before 0, failed 1" in capsys.readouterr().out
        assert sorted(r[0] for r, _ in box.messages) == ["bonn@example.org", "koeln@example.org"]
    finally:
        controller.stop()


def test_an_unreachable_server_is_tried_once_and_reported(tmp_path, capsys):
    home = _home(tmp_path, _free_port())        # nothing listens there
    assert _cmd("send-out", "--year", "2025", "--deadline", "2025-06-30", "--send", home=home) == 1
    out = capsys.readouterr().out
    assert "sent 0, sent before 0, failed 3" in out and "server not reachable (ConnectionRefusedError)" in out
    ws = load_workbook(home / "outbox" / "2025" / "send-out" / "versand.xlsx")["Versand"]
    assert [ws.cell(r, 8).value for r in range(2, 6)] == [
        "nicht gesendet: server not reachable (ConnectionRefusedError)"] * 3 + ["keine Adresse"]
    # the prepared messages stay for a mail program
    assert len(list((home / "outbox" / "2025" / "send-out").glob("*.eml"))) == 3


def test_send_out_and_remind_report_progress_with_counts(tmp_path, capsys):
    from mint_census.flows import progress
    home = tmp_path / "home"
    home.mkdir()
    (home / "register.csv").write_text(REGISTER, encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    with progress.listening(lambda stage, done, total: seen.append((stage, done, total))):
        assert _cmd("send-out", "--year", "2027", "--deadline", "2027-05-31", home=home) == 0
        assert _cmd("remind", "--year", "2027", home=home) == 0
    workbooks = [s for s in seen if s[0] == "Erhebungsbögen"]
    mails = [s for s in seen if s[0] == "E-Mails"]
    assert workbooks == [("Erhebungsbögen", n, 4) for n in range(5)] * 2      # send-out, then remind
    assert mails == [("E-Mails", n, 4) for n in range(5)] * 2                # send-out, then remind
