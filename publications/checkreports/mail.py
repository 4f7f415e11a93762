"""The short German text that staff paste into the e-mail to the coordinator, with the
check report workbook attached."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from mint_census.schemas.findings import STATUS_DE, Finding
from mint_census.schemas.formulas import neutralise
from mint_census.schemas.messages import count_de

from ..files import atomic_path
from .report_workbook import ReportInfo, sorted_findings


def mail_text(info: ReportInfo, findings: Sequence[Finding], attachment: str | None = None,
              max_items: int = 12) -> str:
    """A short German text for the e-mail to the coordinator (the workbook goes as attachment)."""
    findings = sorted_findings(findings, errors_first=True)
    lines = [
        f"Prüfbericht – Erhebung MINT-Regionen {info.year}",
        f"Datei: {info.file_name}",
        f"Netzwerk-ID: {info.network_id or 'nicht erkennbar'}",
        f"Ergebnis: {STATUS_DE.get(info.status, info.status)} ({count_de(info.errors, 'Fehler', 'Fehler')}, "
        f"{count_de(info.warnings, 'Hinweis', 'Hinweise')})",
        "",
    ]
    if info.errors:
        lines.append("Bitte korrigieren Sie die Fehler im Erhebungsbogen und senden Sie ihn erneut. "
                     "Solange Fehler bestehen, werden Ihre Angaben nicht übernommen.")
    else:
        lines.append("Ihre Angaben wurden übernommen. Bitte prüfen Sie die folgenden Hinweise.")
    if attachment:
        lines.append(f"Im Anhang („{neutralise(attachment)}“) finden Sie Ihren Erhebungsbogen mit allen "
                     "markierten Zellen; Sie können ihn direkt korrigieren und zurücksenden.")
    lines.append("")
    for f in findings[:max_items]:
        lines.append(f"• {'FEHLER' if f.is_error else 'Hinweis'}: {neutralise(f.message_de)}")
    if len(findings) > max_items:
        lines.append(f"• … und {len(findings) - max_items} weitere (siehe Anhang).")
    return "\n".join(lines) + "\n"


def write_mail_text(out: Path, text: str) -> Path:
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out
