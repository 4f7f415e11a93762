"""Check reports (Prüfberichte) for coordinators, built from meta.findings of one run.

For every workbook of the run that was rejected or accepted with warnings, a German
text report `<network or file>_Pruefbericht.txt` lists every finding with sheet,
cell, field, what was found and what is expected; it can be pasted into an e-mail.
No personal data: findings never carry it (see schemas.messages.shown_value).
"""

from __future__ import annotations

from pathlib import Path

from schemas.findings import STATUS_DE

from .files import atomic_path
from .safe import neutralise


def _name(network_id: str | None, file_name: str) -> str:
    base = network_id or Path(file_name).stem
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in base)[:80]


def write_check_reports(con, run_id: str, year: int, outdir: Path) -> list[Path]:
    subs = con.execute(
        "SELECT file_sha256, file_name, network_id, status, errors, warnings FROM meta.submissions "
        "WHERE run_id = ? AND status <> 'accepted' ORDER BY network_id NULLS LAST, file_name",
        [run_id]).fetchall()
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for sha, file_name, network_id, status, errors, warnings in subs:
        rows = con.execute(
            "SELECT severity, message_de FROM meta.findings WHERE run_id = ? AND file_sha256 = ? "
            "ORDER BY severity, sheet NULLS FIRST, cell", [run_id, sha]).fetchall()
        lines = [
            f"Prüfbericht – Erhebung MINT-Regionen {year}",
            f"Datei: {file_name}",
            f"Netzwerk-ID: {network_id or 'nicht erkennbar'}",
            f"Ergebnis: {STATUS_DE.get(status, status)} ({errors} Fehler, {warnings} Hinweise)",
            "",
        ]
        if errors:
            lines.append("Bitte korrigieren Sie die Fehler im Erhebungsbogen und senden Sie ihn erneut. "
                         "Solange Fehler bestehen, werden Ihre Angaben nicht übernommen.")
        else:
            lines.append("Ihre Angaben wurden übernommen. Bitte prüfen Sie die folgenden Hinweise.")
        lines.append("")
        for severity, message in rows:
            lines.append(f"- {'FEHLER' if severity == 'error' else 'Hinweis'}: {neutralise(message)}")
        path = outdir / f"{_name(network_id, file_name)}_Pruefbericht.txt"
        if path in written:
            path = outdir / f"{_name(network_id, file_name)}_{sha[:8]}_Pruefbericht.txt"
        with atomic_path(path) as tmp:
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written
