"""The report: bericht.html (Jinja2 template) and bericht.pdf (Typst template), from one set of data.

``report_data`` gathers what both print: key messages, figures, every table as published (cell
texts with the official signs, legend), the chronology, the portraits, the method notes and the
imprint. Numbers are only formatted here, never computed: they come from the filled tables and
from the publication's SQL (``queries``). The layout lives in ``templates/bericht.html.j2``
(Jinja2 with autoescape: every text from the warehouse is escaped) and ``templates/bericht.typ``
(Typst reads the data as JSON, so no text is ever spliced into Typst markup).
"""

from __future__ import annotations

import base64
import json
import math
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from .english import english, t
from .files import atomic_path
from .german import POPULATION_DATE, Edition, format_number
from .queries import QueryResult
from .sdc import Rule
from .signs import LEGEND, LEGEND_EN, ORDER, is_empty
from .tables import DECIMAL_1, DECIMAL_2, YEAR, Column, FilledTable
from . import texts

REPORT_NAME = "bericht.html"
PDF_NAME = "bericht.pdf"
TEMPLATES = "templates"


def cell_text(value: Any, column: Column, sign: str | None = None) -> str:
    """A value as printed: German number format per column, or its official sign."""
    if column.is_text:
        return "" if is_empty(value) else str(value)
    if sign is not None:
        return sign
    if is_empty(value):
        return "."
    if column.number_format == YEAR:
        return str(int(value))
    decimals = 2 if column.number_format == DECIMAL_2 else 1 if column.number_format == DECIMAL_1 else 0
    return format_number(value, decimals)


def table_data(filled: FilledTable, edition: Edition) -> dict[str, Any]:
    columns = filled.table.visible
    signs = filled.signs or {}
    rows = []
    for i, record in enumerate(filled.published.records()):
        rows.append({
            "total": bool(filled.table.is_total and filled.table.is_total(record)),
            "cells": [cell_text(record[c.key], c, signs.get((i, c.key))) for c in columns],
        })
    return {
        "id": filled.table.name,
        "label": filled.label,
        "title": filled.title,
        "subtitle": filled.subtitle,
        "headers": [c.header for c in columns],
        "units": [c.unit for c in columns],
        "numeric": [not c.is_text for c in columns],
        "rows": rows,
        "empty": f"No data for {edition.year}." if english() else f"Keine Angaben für {edition.year}.",
        "notes": list(filled.footnotes),
        "legend": list(filled.legend),
        "source": edition.source_line,
        "stand": edition.stand_line,
    }


def _n(value: Any, decimals: int = 0) -> str:
    return "." if value is None else format_number(value, decimals)


KEY_MESSAGE_TEXTS = {
    "de": {
        "growth": "Die Zahl der MINT-Regionen ist von {base} im Jahr {base_year} auf {now} im Jahr {year} "
                  "gestiegen; das ist das {factor}-Fache.",
        "more": "{n} mehr als", "fewer": "{n} weniger als", "same": "ebenso viele wie",
        "new": "{new} MINT-Regionen kamen {year} neu hinzu; insgesamt sind es {change} im Vorjahr.",
        "laender": "MINT-Regionen gibt es in {laender} von 16 Ländern; die meisten in {top} ({top_n}).",
        "change_land": "Die größte Veränderung gegenüber dem Vorjahr hat {land}: {sign}{n} MINT-Regionen.",
        "coverage": "{pct} % der {kreise} Kreise sind von mindestens einer MINT-Region abgedeckt; {uncovered} "
                    "Kreise sind weiße Flecken ohne MINT-Region.",
        "partners": "{kind} sind bei {share} % der MINT-Regionen mit Angaben in der Erhebung {year} beteiligt – "
                    "häufiger als jede andere Art von Partnern.",
    },
    "en": {
        "growth": "The number of MINT regions has grown from {base} in {base_year} to {now} in {year}, "
                  "{factor} times as many.",
        "more": "{n} more than", "fewer": "{n} fewer than", "same": "as many as",
        "new": "{new} MINT regions were new in {year}; in total there are {change} in the previous year.",
        "laender": "There are MINT regions in {laender} of the 16 Länder; most of them in {top} ({top_n}).",
        "change_land": "The largest change on the previous year is in {land}: {sign}{n} MINT regions.",
        "coverage": "{pct} % of the {kreise} districts are covered by at least one MINT region; {uncovered} "
                    "districts are blank spots without a MINT region.",
        "partners": "{kind} take part in {share} % of the MINT regions with answers in the survey {year} – "
                    "more often than any other type of partner.",
    },
}


def key_messages(numbers: dict[str, Any], tables: list[FilledTable], year: int, base_year: int) -> list[str]:
    """Sentences with the edition's main numbers (from ``kernaussagen.sql`` and Table 5), in the
    edition's language: one logic, the wording per language in KEY_MESSAGE_TEXTS."""
    text = KEY_MESSAGE_TEXTS["en" if english() else "de"]
    messages = []
    base, now, before = numbers.get("base_networks"), numbers.get("networks"), numbers.get("previous_networks")
    if base and now:
        messages.append(text["growth"].format(base=_n(base), base_year=base_year, now=_n(now), year=year,
                                              factor=format_number(now / base, 1)))
    if before is not None and now is not None and year > base_year:
        diff = now - before
        change = (text["more"] if diff > 0 else text["fewer"] if diff < 0 else text["same"]).format(n=_n(abs(diff)))
        messages.append(text["new"].format(new=_n(numbers.get("new_networks")), year=year, change=change))
    if numbers.get("laender_with_networks") is not None:
        messages.append(text["laender"].format(laender=_n(numbers["laender_with_networks"]), top=numbers["top_land"],
                                               top_n=_n(numbers["top_land_networks"])))
    if numbers.get("change_land") and numbers.get("change_land_networks"):
        d = numbers["change_land_networks"]
        messages.append(text["change_land"].format(land=numbers["change_land"], sign="+" if d > 0 else "−",
                                                   n=_n(abs(d))))
    if numbers.get("kreise"):
        messages.append(text["coverage"].format(pct=_n(numbers["covered_percent"], 1), kreise=_n(numbers["kreise"]),
                                                uncovered=_n(numbers["uncovered"])))
    partners = next((t for t in tables if t.table.name == "05_partnerstruktur"), None)
    if partners is not None:
        shares = [(r["share_percent"], r["partner_type"]) for r in partners.published.records()
                  if r.get("share_percent") is not None]
        if shares:
            share, kind = max(shares, key=lambda s: (s[0], s[1]))
            messages.append(text["partners"].format(kind=kind, share=format_number(share, 0), year=year))
    return messages


def chronology_data(result: QueryResult) -> list[dict[str, Any]]:
    return [{"year": r["census_year"], "networks": _n(r["networks"]), "new": _n(r["new_networks"]),
             "ended": _n(r["ended_networks"]), "names": r["new_names"] or ""} for r in result.records()]


def portrait_data(result: QueryResult) -> list[dict[str, Any]]:
    """The portraits grouped by Land (in the query's order)."""
    groups: list[dict[str, Any]] = []
    for r in result.records():
        land = r["land_name"] or r["land_code"] or t("ohne Land")
        if not groups or groups[-1]["land"] != land:
            groups.append({"land": land, "networks": []})
        facts = [(t("Art"), r["network_type"]),
                 (t("Gegründet"), "" if r["founded_year"] is None else str(r["founded_year"])),
                 (t("Kreise"), r["kreise"] or "")]
        if r["consent"]:
            facts += [(t("Träger"), r["host_type"] or ""), (t("Internetseite"), r["website"] or ""),
                      (t("Partner"), f"{_n(r['partners_total'])} ({r['partners_by_type']})" if r["partners_total"]
                       else "–"),
                      (t("Angebote"), f"{_n(r['offers'])}" + (t(" mit {n} Teilnehmenden").format(
                          n=_n(r['participants'])) if r["participants"] else ""))]
        groups[-1]["networks"].append({"id": r["network_id"], "name": r["network_name"], "consent": bool(r["consent"]),
                                       "facts": [{"label": k, "value": v} for k, v in facts if v != ""]})
    return groups


# The fixed texts of the report templates (``ui`` in the template data).
UI = {
    "contents": "Inhalt", "key_messages": "Kernaussagen", "glance": "Auf einen Blick", "figures": "Abbildungen",
    "tables": "Tabellen", "chronology": "Chronik", "portraits": "Die MINT-Regionen im Porträt",
    "methods": "Methodische Hinweise", "sources": "Quellen und Nachweise", "imprint": "Impressum",
    "page": "Seite", "census_year": "Erhebungsjahr", "year": "Jahr", "networks": "MINT-Regionen", "new": "neu",
    "ended": "beendet", "new_names": "neu hinzugekommen",
    "portrait_intro": "MINT-Regionen, nach Ländern. Angaben aus dem Erhebungsbogen nur mit Zustimmung des "
                      "Netzwerks, sonst die Angaben des Registers.",
}
UI_EN = {
    "contents": "Contents", "key_messages": "Key messages", "glance": "At a glance", "figures": "Figures",
    "tables": "Tables", "chronology": "Chronology", "portraits": "The MINT regions in portrait",
    "methods": "Notes on methods", "sources": "Sources and credits", "imprint": "Imprint",
    "page": "Page", "census_year": "Census year", "year": "Year", "networks": "MINT regions", "new": "new",
    "ended": "ended", "new_names": "new networks",
    "portrait_intro": "MINT regions, by Land. Answers from the questionnaire only with the network's consent, "
                      "otherwise the register's entries.",
}


def _report_texts(edition: Edition, rule: Rule) -> dict[str, Any]:
    """The texts of the report that differ by language (German, or English in the English edition)."""
    y = edition.year
    if english():
        return {
            "lang": "en", "title": f"MINT regions in Germany {y}",
            "subtitle": f"Results of the survey of MINT regions {y}", "example": " · Example data",
            "glance": (f"MINT regions in {y}", "{n} of {m}", "Länder with at least one MINT region",
                       "of the 400 districts are covered by a MINT region",
                       "districts without a MINT region (blank spots)",
                       f"of the population (as of {texts.POPULATION_DATE_EN}) live in a covered district",
                       f"response to the survey {y}"),
            "publisher": texts.PUBLISHER_EN, "imprint": texts.imprint_en(edition),
            "legend": [LEGEND_EN[s] for s in ORDER], "methods": texts.method_notes_en(rule),
            "sources": texts.sources_en(edition), "ui": UI_EN}
    return {
        "lang": "de", "title": f"MINT-Regionen in Deutschland {y}",
        "subtitle": f"Ergebnisse der Erhebung MINT-Regionen {y}", "example": " · Beispieldaten",
        "glance": (f"MINT-Regionen im Jahr {y}", "{n} von {m}", "Ländern mit mindestens einer MINT-Region",
                   "der 400 Kreise sind von einer MINT-Region abgedeckt", "Kreise ohne MINT-Region (weiße Flecken)",
                   f"der Bevölkerung (Stand {POPULATION_DATE}) leben in einem abgedeckten Kreis",
                   f"Rücklauf der Erhebung {y}"),
        "publisher": texts.PUBLISHER, "imprint": texts.imprint(edition),
        "legend": [LEGEND[s] for s in ORDER], "methods": texts.method_notes(rule),
        "sources": texts.sources(edition), "ui": UI}


def report_data(*, edition: Edition, headline_text: str, key: dict[str, Any], numbers: dict[str, Any],
                tables: list[FilledTable], figures: list[dict[str, Any]], chronology: QueryResult,
                portraits: QueryResult, messages: list[str], rule: Rule, base_year: int) -> dict[str, Any]:
    """What bericht.html and bericht.pdf print, in the edition's language (one structure, the
    texts from `_report_texts`)."""
    tx = _report_texts(edition, rule)
    g = tx["glance"]
    glance = [
        (_n(key["networks"]), g[0]),
        (g[1].format(n=_n(key["laender_with_networks"]), m=_n(key["laender"])), g[2]),
        (_n(key["kreise_covered_percent"], 1) + " %", g[3]),
        (_n(key["kreise_uncovered"]), g[4]),
        (_n(key["population_covered_percent"], 1) + " %", g[5]),
        (_n(key["response_percent"], 1) + " %", g[6]),
    ]
    return {
        "lang": tx["lang"],
        "title": tx["title"],
        "subtitle": tx["subtitle"],
        "headline": headline_text,
        "stand_line": edition.stand_line,
        "stand": {"year": edition.stand.year, "month": edition.stand.month, "day": edition.stand.day},
        "fictitious": edition.fictitious_note,
        "footer": f"{tx['title']} · {edition.stand_line}" + (tx["example"] if edition.fictitious else ""),
        "publisher": tx["publisher"],
        "imprint": [{"label": k, "text": v} for k, v in tx["imprint"]],
        "warnings": list(messages),
        "glance": [{"value": v, "text": t} for v, t in glance],
        "key_messages": key_messages(numbers, tables, edition.year, base_year),
        "figures": figures,
        "tables": [table_data(t, edition) for t in tables],
        "legend": tx["legend"],
        "chronology": chronology_data(chronology),
        "portraits": portrait_data(portraits),
        "portrait_count": len(portraits.rows),
        "methods": [{"title": k, "text": v} for k, v in tx["methods"]],
        "sources": tx["sources"],
        "ui": tx["ui"],
    }



def _template_text(name: str) -> str:
    return resources.files(__package__).joinpath(TEMPLATES, name).read_text(encoding="utf-8")


def render_html(data: dict[str, Any], outdir: Path) -> str:
    """bericht.html from ``templates/bericht.html.j2`` (autoescape on)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)

    def embed(path: str) -> str:
        file = outdir / path
        mime = "image/svg+xml" if file.suffix == ".svg" else "image/png"
        return f"data:{mime};base64," + base64.b64encode(file.read_bytes()).decode("ascii")

    env.filters["embed"] = embed
    return env.from_string(_template_text("bericht.html.j2")).render(**data)


def write_report(path: Path, data: dict[str, Any]) -> Path:
    """Write bericht.html next to the figures it embeds; return ``path``."""
    page = render_html(data, path.parent)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path


def write_pdf(path: Path, data: dict[str, Any]) -> Path:
    """Typeset bericht.pdf with Typst from ``templates/bericht.typ`` and the data as JSON.

    The figures are read from the publication folder (Typst's root); the document date is the
    edition's Stand, so the same data gives the same PDF.
    """
    import typst

    outdir = path.parent
    build = Path(tempfile.mkdtemp(prefix=".bericht-", dir=outdir))
    try:
        (build / "bericht.typ").write_text(_template_text("bericht.typ"), encoding="utf-8")
        (build / "data.json").write_text(json.dumps(data, ensure_ascii=False, default=_json_default),
                                         encoding="utf-8")
        pdf = typst.compile(str(build / "bericht.typ"), root=str(outdir))
    finally:
        shutil.rmtree(build, ignore_errors=True)
    with atomic_path(path) as tmp:
        tmp.write_bytes(pdf)
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
