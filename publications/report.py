"""bericht.html: the whole publication on one self-contained, printable page.

Key figures ("Auf einen Blick"), every table (as published, after disclosure control), every
figure (embedded as base64 SVG, so the file needs nothing else and prints sharply), the
method notes and the sources and credits. Numbers are only formatted here, never computed:
they come from the filled tables and from ``queries.key_figures`` (SQL). Every text from
the warehouse is HTML-escaped. Print to PDF from any browser (A4, tables do not split rows).
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

from .files import atomic_path
from .german import MISSING_LEGEND, POPULATION_DATE, Edition, format_number
from .maps import BKG_CREDIT
from .sdc import Rule
from .tables import DECIMAL_1, DECIMAL_2, YEAR, Column, FilledTable

REPORT_NAME = "bericht.html"

CSS = """
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10pt; color: #111;
       max-width: 60em; margin: 1.5em auto; padding: 0 1em; line-height: 1.35; }
h1 { font-size: 18pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; margin-top: 1.6em; }
.warning { color: #C00000; font-weight: bold; }
.meta { color: #444; }
.glance { display: grid; grid-template-columns: repeat(auto-fit, minmax(12em, 1fr)); gap: 0.6em; }
.glance div { border: 1px solid #BBB; padding: 0.5em; }
.glance b { display: block; font-size: 15pt; color: #1F5A96; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 8.5pt; width: 100%; }
th { background: #DDEBF7; border: 1px solid #999; padding: 2px 4px; vertical-align: bottom; }
td { border: 1px solid #CCC; padding: 2px 4px; }
td.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 1.5px solid #555; }
th.unit { font-weight: normal; font-style: italic; background: #EEF4FB; }
caption { text-align: left; font-weight: bold; font-size: 10.5pt; padding-bottom: 0.3em; }
.notes { font-size: 8pt; color: #333; margin: 0.2em 0 1em; }
figure { margin: 1em 0; } figure img { width: 100%; height: auto; border: 0; }
figure.map img { width: 75%; }
section.table, figure { page-break-inside: avoid; break-inside: avoid; }
@page { size: A4; margin: 15mm; }
@media print { body { max-width: none; margin: 0; } h2 { page-break-before: always; break-before: page; }
               h2.first { page-break-before: avoid; break-before: avoid; } tr { break-inside: avoid; } }
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def cell_text(value: Any, column: Column) -> str:
    """A value as printed: German number format per column, "." for suppressed or missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "." if not column.is_text else ""
    if column.is_text:
        return str(value)
    if column.number_format == YEAR:
        return str(int(value))
    decimals = 2 if column.number_format == DECIMAL_2 else 1 if column.number_format == DECIMAL_1 else 0
    return format_number(value, decimals)


def table_html(filled: FilledTable, edition: Edition) -> str:
    columns = filled.table.visible
    parts = [f'<section class="table" id="{esc(filled.table.name)}"><table>',
             f"<caption>{esc(filled.label)}: {esc(filled.title)}"]
    if filled.subtitle:
        parts.append(f"<br><span style='font-weight:normal'>{esc(filled.subtitle)}</span>")
    parts.append("</caption><thead><tr>")
    parts += [f"<th>{esc(c.header)}</th>" for c in columns]
    parts.append("</tr><tr>")
    parts += [f'<th class="unit">{esc(c.unit)}</th>' for c in columns]
    parts.append("</tr></thead><tbody>")
    records = filled.published.records()
    if not records:
        parts.append(f'<tr><td colspan="{len(columns)}">Keine Angaben für {edition.year}.</td></tr>')
    for record in records:
        total = bool(filled.table.is_total and filled.table.is_total(record))
        parts.append('<tr class="total">' if total else "<tr>")
        for c in columns:
            css = "" if c.is_text else ' class="n"'
            parts.append(f"<td{css}>{esc(cell_text(record[c.key], c))}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table><div class='notes'>")
    for note in filled.footnotes:
        parts.append(f"{esc(note)}<br>")
    parts.append(f"{esc(edition.source_line)}<br>{esc(edition.stand_line)}</div></section>")
    return "".join(parts)


def figure_html(image: Path, caption: str, css_class: str = "") -> str:
    mime = "image/svg+xml" if image.suffix == ".svg" else "image/png"
    data = base64.b64encode(image.read_bytes()).decode("ascii")
    cls = f' class="{css_class}"' if css_class else ""
    return (f'<figure{cls}><img alt="{esc(caption)}" src="data:{mime};base64,{data}">'
            f"<figcaption class='notes'>{esc(caption)}</figcaption></figure>")


def glance_html(key: dict[str, Any], headline_text: str, edition: Edition) -> str:
    def n(value: Any, decimals: int = 0, suffix: str = "") -> str:
        return "." if value is None else format_number(value, decimals) + suffix

    items = [
        (n(key["networks"]), f"MINT-Regionen im Jahr {edition.year}"),
        (f"{n(key['laender_with_networks'])} von {n(key['laender'])}", "Ländern mit mindestens einer MINT-Region"),
        (n(key["kreise_covered_percent"], 1, " %"), "der 400 Kreise sind von einer MINT-Region abgedeckt"),
        (n(key["kreise_uncovered"]), "Kreise ohne MINT-Region (weiße Flecken)"),
        (n(key["population_covered_percent"], 1, " %"),
         f"der Bevölkerung (Stand {POPULATION_DATE}) leben in einem abgedeckten Kreis"),
        (n(key["response_percent"], 1, " %"), f"Rücklauf der Erhebung {edition.year}"),
    ]
    boxes = "".join(f"<div><b>{esc(v)}</b>{esc(t)}</div>" for v, t in items)
    return f"<p><strong>{esc(headline_text)}.</strong></p><div class='glance'>{boxes}</div>"


def method_html(rule: Rule) -> str:
    return f"""
<h2 id="methode">Methodische Hinweise</h2>
<p><b>Wer gezählt wird.</b> Grundlage ist das von der Geschäftsstelle geführte Register der
MINT-Regionen. Ein Netzwerk wird im Erhebungsjahr Y gezählt, wenn es spätestens in Y in das Register
aufgenommen wurde und nicht vor Y geendet hat. zdi-Netzwerke (Nordrhein-Westfalen), MINT-Cluster (BMBF)
und andere regionale Netzwerke werden gezählt, wenn sie nach den Kriterien einer MINT-Region (echtes
Netzwerk, abgegrenztes Gebiet, gemeinsame Ziele, Koordinierungsstelle) in das Register aufgenommen
wurden; ein MINT-Cluster, das nicht im Register steht, wird nicht gezählt. Umbenennungen sind keine
neuen Netzwerke; bei Zusammenschlüssen endet das aufgenommene Netzwerk, das fortgeführte zählt weiter.
Zahlen bis 2022 beruhen allein auf dem Register, seit 2023 zusätzlich auf dem Erhebungsbogen.</p>
<p><b>Bundesland.</b> Ein Netzwerk zählt in dem Land, in dem seine Koordinierungsstelle sitzt (Register).</p>
<p><b>Abdeckung und weiße Flecken.</b> Ein Kreis gilt im Jahr Y als abgedeckt, wenn mindestens ein in Y
gezähltes Netzwerk ihn ganz oder teilweise umfasst. Maßgeblich sind die Kreise, die das Netzwerk im
Erhebungsbogen des Jahres Y angegeben hat; hat es keine angegeben (oder vor 2023), die Kreise laut
Register. Alte Kreisschlüssel werden dem heutigen Kreis zugeordnet. Gebietsstand: 31.12.2023, 400 Kreise.</p>
<p><b>Bevölkerung.</b> Alle Angaben je Einwohner und zur Bevölkerung beruhen auf der Fortschreibung des
Bevölkerungsstandes des Statistischen Bundesamtes zum {POPULATION_DATE} (nicht auf dem Zensus 2022,
dessen Zahlen rund 2 % niedriger liegen).</p>
<p><b>Angaben aus dem Erhebungsbogen</b> (Tabellen 4 bis 8) beruhen auf den MINT-Regionen, deren
Erhebungsbogen fehlerfrei geprüft und übernommen wurde (Tabelle 10).</p>
<p><b>Geheimhaltung.</b> Ein Tabellenfeld mit Angaben aus dem Erhebungsbogen wird nicht veröffentlicht
(Zeichen „.“), wenn es auf weniger als {rule.min_networks} Netzwerken beruht oder – bei Beträgen und
Summen (Budget, Finanzierung, Personal, Teilnehmende) – ein einzelnes Netzwerk mehr als
{format_number(rule.dominance_percent, 0)} % des Wertes beiträgt (primäre Sperrung). Damit kein gesperrter
Wert aus einer Summe errechnet werden kann, wird in jeder Summenzeile mit genau einem gesperrten Feld ein
weiteres Feld gesperrt (sekundäre Sperrung: das Feld mit den wenigsten beitragenden Netzwerken).
Zählungen aus dem öffentlichen Register (Zahl der MINT-Regionen, Länder, Gründungsjahre, Gebiete) und der
Rücklauf werden nicht gesperrt. {esc(MISSING_LEGEND)}.</p>
"""


def sources_html(edition: Edition) -> str:
    credits = [
        edition.source_line,
        "Kreise und Bevölkerung: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Gebietsstand "
        "31.12.2023, Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
        f"Karte: {BKG_CREDIT}, VG2500, Stand 31.12.2023, dl-de/by-2-0",
        "Länderschlüssel: XRepository, Codeliste Bundesland (Destatis), dl-de/zero-2-0",
    ]
    return "<h2 id='quellen'>Quellen und Nachweise</h2><ul>" + "".join(f"<li>{esc(c)}</li>" for c in credits) + "</ul>"


def write_report(path: Path, *, edition: Edition, headline_text: str, key: dict[str, Any],
                 tables: list[FilledTable], figures: list[tuple[Path, str, str]], messages: list[str],
                 rule: Rule) -> Path:
    """Write bericht.html; ``figures`` are (svg path, caption, css class)."""
    title = f"MINT-Regionen in Deutschland {edition.year}"
    body = [f"<h1>{esc(title)}</h1>",
            f"<p class='meta'>Ergebnisse der Erhebung MINT-Regionen {edition.year} · {esc(edition.stand_line)}</p>"]
    if edition.fictitious_note:
        body.append(f"<p class='warning'>{esc(edition.fictitious_note)}</p>")
    for message in messages:
        body.append(f"<p class='warning'>{esc(message)}</p>")
    body.append("<h2 class='first' id='auf-einen-blick'>Auf einen Blick</h2>")
    body.append(glance_html(key, headline_text, edition))
    body.append("<h2 id='abbildungen'>Abbildungen</h2>")
    body += [figure_html(svg, caption, css) for svg, caption, css in figures]
    body.append("<h2 id='tabellen'>Tabellen</h2>")
    body += [table_html(t, edition) for t in tables]
    body.append(method_html(rule))
    body.append(sources_html(edition))
    page = ("<!DOCTYPE html>\n<html lang='de'><head><meta charset='utf-8'>"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
