"""send-out, remind and answer: the census office's e-mails to coordinators.

- `send-out --year Y --deadline D`: every network counted in Y gets its prefilled workbook;
- `remind --year Y`: every network counted in Y with nothing received, or whose latest file
  was rejected, gets a reminder (the check report attached, else a fresh workbook);
- `answer --year Y`: every network whose latest file has a check report (rejected or
  accepted with hints) gets that report, the findings in the body.

Each writes one `.eml` per network, the attachments and `versand.xlsx` into
`<home>/outbox/<Y>/<kind>/` (flows/home.py). With `--send` the messages go through the SMTP
server of `<home>/versand.ini` (password only from $MINT_CENSUS_SMTP_PASSWORD); each one is
recorded in `meta.mailings` (time, network, kind, Message-ID, result — no body, no address).
A message has a Message-ID derived from what makes it the same message (kind, year,
network, address, and the file answered or the day of the reminder); an ID the server has
accepted before is never sent again. A refused address is recorded and the others go on.

Addresses come from the register's `contact_email` column and the last accepted Kontakt
sheet, in the order `versand.ini` gives (`[adressen] reihenfolge = register, kontakt`).
Nothing personal reaches the log or the console: network IDs, counts and SMTP codes only.
"""

from __future__ import annotations

import configparser
import logging
import os
import shutil
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from mint_census.publications.checkreports.reports import report_base
from mint_census.publications.letters import (DISPATCH_FILE, Dispatch, LetterError, Sender, compose, de_date,
                                              message_id, render, salutation, write_dispatch_list, write_eml)
from mint_census.schemas import questionnaire as q
from mint_census.schemas.findings import REJECTED, WITH_WARNINGS
from mint_census.schemas.template import Answers, write_workbook
from mint_census.sources.addresses import register_emails
from mint_census.sources.reference import load_reference
from mint_census.sources.register import RegisterError, counted, read_register
from mint_census.warehouse import mailings as store
from mint_census.warehouse.answers import last_answers

from . import progress
from .errors import EXIT_FAILURE, EXIT_OK, UsageError
from .home import Home
from .steps import open_warehouse

log = logging.getLogger(__name__)

PASSWORD_ENV = "MINT_CENSUS_SMTP_PASSWORD"
SOURCES = ("register", "kontakt")
SOURCE_DE = {"register": "Verzeichnis", "kontakt": "Kontaktblatt"}
DEFAULT_SENDER = "erhebung@example.org"
TRUE = {"ja", "yes", "true", "1", "on"}


# --- settings ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    sender: Sender
    order: tuple[str, ...] = SOURCES
    host: str | None = None
    port: int = 587
    starttls: bool = True
    user: str | None = None
    configured: bool = False


def read_settings(home: Home) -> Settings:
    """versand.ini of the home (sections [absender], [smtp], [adressen]); defaults without it."""
    path = home.mail_settings
    cp = configparser.ConfigParser()
    if path.is_file():
        try:
            cp.read_string(path.read_text(encoding="utf-8-sig"))
        except (configparser.Error, UnicodeDecodeError) as exc:
            raise UsageError(f"{path.name}: cannot read: {exc}") from None
    for section in cp.sections():
        for key in cp[section]:
            if "pass" in key.lower() or "kennwort" in key.lower():
                raise UsageError(f"{path.name}: [{section}] {key}: a password never goes into a file; "
                                 f"set the environment variable {PASSWORD_ENV} instead")
    a, s, ad = (cp[x] if cp.has_section(x) else {} for x in ("absender", "smtp", "adressen"))
    order = tuple(x.strip().lower() for x in ad.get("reihenfolge", ", ".join(SOURCES)).split(",") if x.strip())
    wrong = [x for x in order if x not in SOURCES]
    if wrong or not order:
        raise UsageError(f"{path.name}: [adressen] reihenfolge: expected a list of {', '.join(SOURCES)}, "
                         f"found {', '.join(wrong) or 'nothing'}")
    try:
        port = int(s.get("port", "587"))
    except ValueError:
        raise UsageError(f"{path.name}: [smtp] port must be a number") from None
    sender = Sender(a.get("adresse", DEFAULT_SENDER).strip(), a.get("name", Sender.name).strip(),
                    a.get("telefon", "").strip())
    return Settings(sender, order, (s.get("host") or "").strip() or None, port,
                    str(s.get("starttls", "ja")).strip().lower() in TRUE, (s.get("benutzer") or "").strip() or None,
                    path.is_file())


# --- what goes out ----------------------------------------------------------------------------

@dataclass
class Outgoing:
    network_id: str
    network_name: str
    values: dict            # template placeholders (besides the common ones)
    key: str                # what makes it the same message (without the address)
    attachment: Path | None


def _deadline(home: Home, year: int, given: str | None, required: bool) -> date | None:
    if given:
        try:
            d = date.fromisoformat(given)
        except ValueError:
            raise UsageError(f"--deadline {given}: expected a date YYYY-MM-DD") from None
        return d
    f = home.deadline_file(year)
    if f.is_file():
        try:
            return date.fromisoformat(f.read_text(encoding="utf-8").strip())
        except ValueError:
            pass
    if required:
        raise UsageError(f"no deadline for {year}: give --deadline YYYY-MM-DD (send-out stores it)")
    return None


def _register(home: Home) -> pd.DataFrame:
    try:
        return read_register(home.register)
    except RegisterError as exc:
        raise UsageError(f"network register: {exc}") from None


def _kreise(reference: str | None):
    ref = load_reference(Path(reference) if reference else None)
    return list(zip(ref.kreise["kreis_code"], ref.kreise["kreis_name"])) if ref.available else None


def prefilled_workbook(con, row, year: int, deadline: date | None, out: Path, fictitious: bool,
                       kreise) -> Path:
    """The network's workbook for `year`: last accepted answers, else the register's data."""
    answers = last_answers(con, row.network_id, year) if con is not None else None
    if answers is None:
        answers = Answers(form={
            "network_name": row.network_name, "network_type": row.network_type, "land_code": row.land_code,
            "founded_year": None if pd.isna(row.founded_year) else int(row.founded_year)},
            tables={q.S_AREA: [{"kreis_code": k, "coverage": "ganz"} for k in row.kreise]})
    return write_workbook(out / f"Erhebungsbogen_{year}_{row.network_id}.xlsx", year, row.network_id, answers,
                          network_name=row.network_name, deadline=deadline, fictitious=fictitious, kreise=kreise)


def _send_out_items(home, con, year, deadline, outdir, reference) -> list[Outgoing]:
    reg = _register(home)
    kreise = _kreise(reference)
    items = []
    chosen = reg[counted(reg, year)]
    progress.report(progress.TEMPLATES, 0, len(chosen))
    for row in chosen.itertuples(index=False):
        wb = prefilled_workbook(con, row, year, deadline, outdir, home.is_demo, kreise)
        items.append(Outgoing(row.network_id, row.network_name, {}, f"send-out|{year}|{row.network_id}", wb))
        progress.report(progress.TEMPLATES, len(items), len(chosen))
    return items


def _remind_items(home, con, year, deadline, outdir, reference) -> list[Outgoing]:
    reg = _register(home)
    subs = store.latest_submissions(con, year) if con is not None else {}
    kreise = None
    items = []
    today = datetime.now(timezone.utc).date().isoformat()
    chosen = reg[counted(reg, year)]
    for done, row in enumerate(chosen.itertuples(index=False)):
        progress.report(progress.TEMPLATES, done, len(chosen))
        s = subs.get(row.network_id)
        if s is not None and s.status != REJECTED:
            continue
        attachment = None
        if s is None:
            stand = f"zur Erhebung {year} ist für Ihr Netzwerk bei uns noch kein Erhebungsbogen eingegangen."
        else:
            when = f" vom {s.received_at.strftime('%d.%m.%Y')}" if s.received_at else ""
            stand = (f"Ihr Erhebungsbogen „{s.file_name}“{when} enthält noch Fehler und konnte deshalb nicht "
                     "übernommen werden. Der Prüfbericht im Anhang zeigt die markierten Zellen; bitte "
                     "korrigieren Sie sie direkt in dieser Datei und senden Sie sie erneut.")
            report = home.reports(year) / f"{report_base(row.network_id, s.file_name)}_Pruefbericht.xlsx"
            if report.is_file():
                attachment = shutil.copyfile(report, outdir / report.name)
        if attachment is None:
            if kreise is None:
                kreise = _kreise(reference)
            attachment = prefilled_workbook(con, row, year, deadline, outdir, home.is_demo, kreise)
        items.append(Outgoing(row.network_id, row.network_name, {"stand": stand},
                              f"remind|{year}|{row.network_id}|{today}", attachment))
    progress.report(progress.TEMPLATES, len(chosen), len(chosen))
    return items


def _findings_text(txt: Path) -> list[str]:
    if not txt.is_file():
        return []
    return [line for line in txt.read_text(encoding="utf-8").splitlines() if line.startswith("•")]


def _answer_items(home, con, year, deadline, outdir, reference) -> list[Outgoing]:
    if con is None:
        return []
    reg = _register(home)
    names = dict(zip(reg["network_id"], reg["network_name"]))
    items = []
    for nid, s in sorted(store.latest_submissions(con, year).items()):
        if s.status not in (REJECTED, WITH_WARNINGS) or nid not in names:
            continue
        base = report_base(nid, s.file_name)
        report = home.reports(year) / f"{base}_Pruefbericht.xlsx"
        if not report.is_file():
            continue
        findings = _findings_text(home.reports(year) / f"{base}_Pruefbericht.txt")
        errors = sum(line.startswith("• FEHLER") for line in findings)
        if s.status == REJECTED:
            result = "Er enthält noch Fehler; Ihre Angaben konnten deshalb noch nicht übernommen werden."
            todo = "Bitte korrigieren Sie die folgenden Fehler und senden Sie den Bogen erneut:"
        else:
            result = "Ihre Angaben wurden übernommen – vielen Dank!"
            todo = ("Bitte prüfen Sie die folgenden Hinweise; eine Korrektur ist nur nötig, wenn ein "
                    "übernommener Wert nicht stimmt:")
        log.info("answer %s: %s, %d error lines", nid, s.status, errors)
        items.append(Outgoing(nid, names[nid], {
            "datei": s.file_name, "ergebnis": result, "auftrag": todo, "befunde": "\n".join(findings)},
            f"answer|{year}|{nid}|{s.file_sha256}", shutil.copyfile(report, outdir / report.name)))
    return items


ITEMS = {"send-out": _send_out_items, "remind": _remind_items, "answer": _answer_items}
DESCRIPTION = {"send-out": "Versand der Erhebungsbögen", "remind": "Erinnerungen", "answer": "Prüfberichte"}


def _address(nid: str, order: tuple[str, ...], reg: dict[str, str],
             kontakt: dict[str, tuple]) -> tuple[str | None, str, str | None]:
    """(address, source, name for the salutation) in the staff's order."""
    name, k_email = kontakt.get(nid, (None, None))
    for source in order:
        email = reg.get(nid) if source == "register" else k_email
        if email:
            same_person = k_email is not None and email.casefold() == k_email.casefold()
            return email, source, name if same_person else None
    return None, "", None


# --- sending ---------------------------------------------------------------------------------

class Smtp:
    """One SMTP session, reopened once when the server drops it; every failure becomes a result."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.password = os.environ.get(PASSWORD_ENV)
        if settings.user and not self.password:
            raise UsageError(f"[smtp] benutzer is set: the password comes from ${PASSWORD_ENV}, which is empty")
        self.conn: smtplib.SMTP | None = None
        self.broken: str | None = None   # the server could not be reached twice: the rest is not tried

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        conn = smtplib.SMTP(s.host, s.port, timeout=30)
        conn.ehlo()
        if s.starttls:
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if s.user:
            conn.login(s.user, self.password)
        return conn

    def send(self, msg) -> str:
        if self.broken:
            return f"failed: {self.broken}"
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = self._open()
                self.conn.send_message(msg)
                return store.SENT
            except smtplib.SMTPRecipientsRefused as exc:
                codes = sorted({str(code) for code, _ in exc.recipients.values()})
                return f"failed: recipient refused ({', '.join(codes)})"
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                return f"failed: {type(exc).__name__} ({exc.smtp_code})"
            except smtplib.SMTPAuthenticationError as exc:
                raise UsageError(f"SMTP login refused ({exc.smtp_code}): check [smtp] benutzer and "
                                 f"${PASSWORD_ENV}") from None
            except smtplib.SMTPNotSupportedError:
                raise UsageError("the SMTP server offers no STARTTLS (or no login); nothing was sent. "
                                 "Use its STARTTLS port, or starttls = nein only for a relay on this computer") from None
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
                    OSError) as exc:
                self.close()
                if attempt == 2:
                    self.broken = f"server not reachable ({type(exc).__name__})"
                    return f"failed: {self.broken}"
        return "failed"

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.conn = None


@dataclass
class MailingResult:
    kind: str
    year: int
    outdir: Path
    rows: list[Dispatch]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def failed(self) -> list[Dispatch]:
        return [r for r in self.rows if r.status.startswith("nicht gesendet")]


def _clear(outdir: Path) -> None:
    """The kind's folder holds what this call prepares: earlier .eml files and attachments go."""
    if outdir.is_dir():
        for p in outdir.iterdir():
            if p.is_file() and p.suffix.lower() in (".eml", ".xlsx"):
                p.unlink()
    outdir.mkdir(parents=True, exist_ok=True)


def mailing(home: Home, kind: str, year: int, deadline: str | None = None, send: bool = False,
            reference: str | None = None) -> MailingResult:
    """Prepare (and with `send` send) one mailing of `year`; the plain function the command runs."""
    if not q.FIRST_SURVEY_YEAR <= year <= 2100:
        raise UsageError(f"--year {year}: expected a survey year from {q.FIRST_SURVEY_YEAR}")
    settings = read_settings(home)
    if send and not settings.host:
        raise UsageError(f"--send needs an SMTP server: [smtp] host in {home.mail_settings}")
    due = _deadline(home, year, deadline, required=(kind == "send-out"))
    if kind == "send-out":
        home.deadline_file(year).parent.mkdir(parents=True, exist_ok=True)
        home.deadline_file(year).write_text(due.isoformat() + "\n", encoding="utf-8")
    outdir = home.outbox_kind(year, kind)
    _clear(outdir)
    smtp = Smtp(settings) if send else None
    con = None
    if send:
        con = open_warehouse(home, command=f"{kind} --year {year} --send")
    elif home.warehouse.is_file():
        con = open_warehouse(home, read_only=True)
    rows: list[Dispatch] = []
    records = []
    try:
        items = ITEMS[kind](home, con, year, due, outdir, reference)
        kontakt = store.contacts(con, year) if con is not None else {}
        reg_emails = register_emails(home.register)
        already = store.sent_message_ids(con) if send else set()
        progress.report(progress.MAILS, 0, len(items))
        for done, it in enumerate(items, 1):
            if done > 1:
                progress.report(progress.MAILS, done - 1, len(items))
            to, source, name = _address(it.network_id, settings.order, reg_emails, kontakt)
            letter = render(kind, {
                "anrede": salutation(name), "netzwerk": it.network_name, "netzwerk_id": it.network_id,
                "jahr": year, "frist": de_date(due), "anhang": it.attachment.name if it.attachment else "",
                "absender_name": settings.sender.name, "absender_adresse": settings.sender.address,
                "absender_telefon": f"(Tel. {settings.sender.phone})" if settings.sender.phone else "",
                **it.values}, home.mail_templates)
            d = Dispatch(it.network_id, it.network_name, to, SOURCE_DE.get(source, ""), letter.subject,
                         it.attachment.name if it.attachment else None, None, "vorbereitet")
            rows.append(d)
            if to is None:
                d.status = "keine Adresse"
                continue
            msg_id = message_id(f"{it.key}|{to.casefold()}", settings.sender)
            msg = compose(letter, settings.sender, to, msg_id, it.attachment)
            d.eml = write_eml(msg, outdir / f"{it.network_id}.eml").name
            if smtp is None:
                continue
            if msg_id in already:
                d.status = "bereits gesendet"
                continue
            result = smtp.send(msg)
            records.append((msg_id, year, it.network_id, kind, datetime.now(timezone.utc).replace(tzinfo=None),
                            result))
            if result == store.SENT:
                already.add(msg_id)
            d.status = "gesendet" if result == store.SENT else f"nicht gesendet: {result.removeprefix('failed: ')}"
            log.info("%s %s: %s", kind, it.network_id, result)
        if items:
            progress.report(progress.MAILS, len(items), len(items))
    except LetterError as exc:
        raise UsageError(str(exc)) from None
    finally:
        if smtp is not None:
            smtp.close()
        if con is not None:
            try:
                if records:
                    store.record_mailings(con, records)
            finally:
                con.close()
    write_dispatch_list(rows, outdir / DISPATCH_FILE, f"Erhebung MINT-Regionen {year}: {DESCRIPTION[kind]}")
    return MailingResult(kind, year, outdir, rows)


def run_mailing(home: Home, kind: str, year: int, deadline: str | None, send: bool,
                reference: str | None) -> int:
    """The command: prepare or send, print what happened (no addresses), exit 1 when a message failed."""
    with progress.console():
        res = mailing(home, kind, year, deadline, send, reference)
    prepared = sum(r.eml is not None for r in res.rows)
    print(f"{kind} {year}: {len(res.rows)} networks, {prepared} e-mails in {res.outdir} "
          f"(list: {DISPATCH_FILE})")
    no_address = [r.network_id for r in res.rows if r.status == "keine Adresse"]
    if no_address:
        print(f"  no address (register contact_email or Kontakt sheet): {', '.join(no_address)}")
    if send:
        print(f"  sent {res.count('gesendet')}, sent before {res.count('bereits gesendet')}, "
              f"failed {len(res.failed)}")
        for r in res.failed:
            print(f"  failed: {r.network_id}: {r.status.removeprefix('nicht gesendet: ')}")
    return EXIT_FAILURE if res.failed else EXIT_OK
