"""The census office's e-mails to coordinators: German text from editable templates, the message
itself (.eml) and the dispatch list versand.xlsx.

Templates are plain text files with `string.Template` placeholders (`$netzwerk`, `$frist` …):
the first line is `Betreff: …`, then an empty line, then the body. The shipped defaults live in
`mailtexts/<kind>.txt`; a file of the same name in the staff's template directory wins
(flows/home.py says where that is). `placeholders()` lists what a template may use.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from importlib import resources
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from mint_census.schemas.formulas import neutralise

from .files import atomic_path

KINDS = ("send-out", "remind", "answer")
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DISPATCH_FILE = "versand.xlsx"

# Placeholders every template may use, with what they hold (for docs/staff.md and errors).
PLACEHOLDERS = {
    "anrede": "Anrede mit Komma, z. B. „Guten Tag Anna Beispiel,“",
    "netzwerk": "Name des Netzwerks (Netzwerkverzeichnis)",
    "netzwerk_id": "Netzwerk-ID, z. B. MR-012",
    "jahr": "Erhebungsjahr",
    "frist": "Einsendeschluss (TT.MM.JJJJ)",
    "anhang": "Dateiname des Anhangs",
    "absender_name": "Name der Erhebungsstelle (versand.ini)",
    "absender_adresse": "E-Mail-Adresse der Erhebungsstelle (versand.ini)",
    "absender_telefon": "Telefon der Erhebungsstelle (versand.ini), in Klammern",
    "stand": "remind: was bisher eingegangen ist",
    "datei": "answer: Name der eingesandten Datei",
    "ergebnis": "answer: Ergebnis der Prüfung in Worten",
    "auftrag": "answer: was zu tun ist",
    "befunde": "answer: die Befunde, einer je Zeile",
}


class LetterError(ValueError):
    """A template cannot be used (unknown placeholder, no subject line)."""


@dataclass(frozen=True)
class Sender:
    address: str
    name: str = "Erhebungsstelle MINT-Regionen"
    phone: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "mint-census.invalid"


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


@dataclass
class Dispatch:
    """One row of versand.xlsx: one message to one network."""
    network_id: str
    network_name: str
    address: str | None
    address_source: str
    subject: str
    attachment: str | None
    eml: str | None
    status: str
    extra: dict = field(default_factory=dict)


def template_text(kind: str, override_dir: Path | None = None) -> str:
    if kind not in KINDS:
        raise LetterError(f"unknown mailing kind {kind!r}")
    if override_dir is not None:
        own = Path(override_dir) / f"{kind}.txt"
        if own.is_file():
            return own.read_text(encoding="utf-8-sig")
    return resources.files("mint_census.publications").joinpath("mailtexts", f"{kind}.txt").read_text(encoding="utf-8")


def salutation(name: str | None) -> str:
    name = " ".join((name or "").split())
    return f"Guten Tag {name}," if name else "Sehr geehrte Damen und Herren,"


def de_date(d: date | datetime | None) -> str:
    return d.strftime("%d.%m.%Y") if d else "(bitte Einsendeschluss eintragen)"


def render(kind: str, values: dict[str, str], override_dir: Path | None = None) -> Letter:
    """Fill the template of `kind`; a placeholder the template uses but nobody knows is an error."""
    text = template_text(kind, override_dir).replace("\r\n", "\n")
    head, _, body = text.partition("\n")
    if not head.lower().startswith("betreff:"):
        raise LetterError(f"e-mail template {kind}.txt: the first line must be 'Betreff: ...'")
    known = {k: "" for k in PLACEHOLDERS} | {k: str(v) for k, v in values.items()}
    try:
        subject = string.Template(head.partition(":")[2].strip()).substitute(known)
        body = string.Template(body.lstrip("\n")).substitute(known)
    except KeyError as exc:
        raise LetterError(f"e-mail template {kind}.txt uses an unknown placeholder ${exc.args[0]} "
                          f"(known: {', '.join('$' + k for k in PLACEHOLDERS)})") from None
    except ValueError as exc:
        raise LetterError(f"e-mail template {kind}.txt: {exc} (write $$ for a dollar sign)") from None
    subject = re.sub(r"[\x00-\x1f\x7f]+", " ", subject).strip()
    body = re.sub(r"\n{3,}", "\n\n", body).rstrip() + "\n"
    return Letter(subject, body)


def message_id(key: str, sender: Sender) -> str:
    """The same message (same key) always gets the same Message-ID: that is how nothing goes twice."""
    import hashlib

    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{sender.domain}>"


def compose(letter: Letter, sender: Sender, to: str, msg_id: str, attachment: Path | None = None,
            when: datetime | None = None) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((sender.name, sender.address))
    msg["To"] = to
    msg["Subject"] = letter.subject
    msg["Date"] = format_datetime(when or datetime.now(timezone.utc))
    msg["Message-ID"] = msg_id
    msg.set_content(letter.body, charset="utf-8")
    if attachment is not None:
        msg.add_attachment(Path(attachment).read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                           filename=Path(attachment).name)
    return msg


def write_eml(msg: EmailMessage, out: Path) -> Path:
    with atomic_path(out) as tmp:
        tmp.write_bytes(msg.as_bytes(policy=SMTP))
    return out


DISPATCH_COLUMNS = (("Netzwerk-ID", 12), ("Netzwerk", 40), ("E-Mail", 34), ("Adressquelle", 16),
                    ("Betreff", 60), ("Anhang", 36), ("E-Mail-Datei", 30), ("Status", 30))


def write_dispatch_list(rows: list[Dispatch], out: Path, title: str) -> Path:
    """versand.xlsx: one row per message (network, address, subject, attachment, status) for staff,
    a mail program or a mail merge. Holds addresses: a staff file, never published."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Versand"
    for col, (head, width) in enumerate(DISPATCH_COLUMNS, start=1):
        c = ws.cell(1, col, head)
        c.font, c.fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
        ws.column_dimensions[c.column_letter].width = width
    for r, d in enumerate(rows, start=2):
        values = (d.network_id, d.network_name, d.address, d.address_source, d.subject, d.attachment, d.eml,
                  d.status)
        for col, v in enumerate(values, start=1):
            c = ws.cell(r, col, neutralise(v) if isinstance(v, str) else v)
            c.alignment = Alignment(vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:H{max(len(rows), 1) + 1}"
    ws.oddHeader.center.text = neutralise(title)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
