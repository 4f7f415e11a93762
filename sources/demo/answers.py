"""One coordinator's answers (Beispieldaten).

`make_answers` plays one coordinator: plausible answers of one network for one survey
year, consistent with the register, optionally growing out of last year's answers;
its helpers draw partners, budget, funding, contact and offers. Names, e-mail addresses
and phone numbers of coordinators are invented: e-mails at example.org / beispiel.de,
phone numbers from the blocks the Bundesnetzagentur keeps free for media productions
("Drama Numbers", Mitteilung 148/2021).
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from typing import Any, Iterable, Mapping

import pandas as pd

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from mint_census.schemas.template import Answers

# Partner types: (share of networks with any, low, high) after the 2013 census where
# published (schools 3–200, companies 95 % 2–70, universities 80 % 1–7, Kitas 64 % 1–450,
# authorities 95 %, associations 82 %, foundations 66 %); the rest is invented.
PARTNER_SHAPE = {
    "kitas": (0.64, 1, 450),
    "grundschulen": (0.85, 1, 60),
    "weiterfuehrende_schulen": (0.99, 2, 90),
    "berufliche_schulen": (0.60, 1, 12),
    "hochschulen": (0.80, 1, 7),
    "forschungseinrichtungen": (0.40, 1, 6),
    "unternehmen": (0.95, 2, 70),
    "kammern": (0.85, 1, 4),
    "verbaende": (0.82, 1, 12),
    "stiftungen": (0.66, 1, 8),
    "kommunen": (0.95, 1, 12),
    "lernorte": (0.60, 1, 15),
    "vereine": (0.70, 1, 25),
    "sonstige": (0.30, 1, 6),
}
HOST_LEGAL = {
    "Kommune/Kreisverwaltung": (("Körperschaft des öffentlichen Rechts", 80), ("ohne eigene Rechtsform", 20)),
    "Wirtschaftsförderung": (("GmbH", 70), ("Körperschaft des öffentlichen Rechts", 20), ("eingetragener Verein (e. V.)", 10)),
    "Verein": (("eingetragener Verein (e. V.)", 100),),
    "Stiftung": (("Stiftung", 85), ("gemeinnützige GmbH (gGmbH)", 15)),
    "Unternehmen": (("GmbH", 75), ("Sonstige", 25)),
    "Kammer/Verband": (("Körperschaft des öffentlichen Rechts", 70), ("eingetragener Verein (e. V.)", 30)),
    "Hochschule": (("Körperschaft des öffentlichen Rechts", 100),),
    "Bildungseinrichtung": (("gemeinnützige GmbH (gGmbH)", 40), ("eingetragener Verein (e. V.)", 30), ("Körperschaft des öffentlichen Rechts", 30)),
    "Sonstige": (("ohne eigene Rechtsform", 60), ("Sonstige", 40)),
}
HOST_WEIGHTS = {"Kommune/Kreisverwaltung": 25, "Wirtschaftsförderung": 14, "Verein": 20, "Stiftung": 8,
                "Unternehmen": 5, "Kammer/Verband": 10, "Hochschule": 10, "Bildungseinrichtung": 6,
                "Sonstige": 2}
# Land programme per Land: (programme, share of the Land's networks in it).
LAND_PROGRAMME = {"05": ("zdi (Nordrhein-Westfalen)", 0.55), "09": ("MINT-Netz Bayern", 0.50),
                  "07": ("MINT-Regionen Rheinland-Pfalz", 0.75), "16": ("MINT-Regionen Thüringen", 0.60)}
OTHER_PROGRAMME_SHARE = 0.10

FIRST_NAMES = ("Anna", "Lena", "Julia", "Sarah", "Katrin", "Sabine", "Miriam", "Jana", "Laura", "Petra",
               "Thomas", "Michael", "Stefan", "Andreas", "Jan", "Tobias", "Markus", "Christian",
               "Daniel", "Florian")
LAST_NAMES = ("Beispiel", "Muster", "Mustermann", "Musterfrau", "Exempel", "Probe", "Platzhalter",
              "Modell", "Vorlage", "Schablone")
MAIL_DOMAINS = ("example.org", "beispiel.de")
# Bundesnetzagentur "Drama Numbers" (never assigned): Berlin, Frankfurt, Hamburg, Köln, München.
DRAMA_PREFIXES = ("030 23125", "069 90009", "040 66969", "0221 4710", "089 99998")

OFFER_TITLES = {
    "Kurs/AG": ("Roboter-AG", "Programmier-AG", "Forscher-AG", "Coding-Club", "{s}-AG", "Technik-AG"),
    "Workshop": ("Workshop {s} zum Anfassen", "3D-Druck-Workshop", "Löt-Workshop", "Experimentierwerkstatt {s}"),
    "Wettbewerb": ("Regionaler Schülerwettbewerb {s}", "Mathe-Olympiade der Region", "Roboterwettbewerb",
                   "Erfinderpreis der Region"),
    "Ferienprogramm": ("MINT-Ferienakademie", "Forscherferien", "Sommercamp Technik", "Herbstferien-Uni {s}"),
    "Exkursion/Betriebserkundung": ("Betriebserkundung Technik", "Tag der offenen Labore",
                                    "MINT-Exkursion {s}", "Berufe-Tour MINT"),
    "Schülerlabor": ("Schülerlabor {s}", "Mobiles Labor", "Lernlabor {s}"),
    "Fortbildung": ("Fortbildung {s} für Lehrkräfte", "Forschen in der Kita – Fortbildung",
                    "Fortbildungsreihe Digitale Bildung"),
    "Aktionstag/Veranstaltung": ("MINT-Tag der Region", "Mädchen-Technik-Tag", "Tag der kleinen Forscher",
                                 "MINT-Messe", "Lange Nacht der Wissenschaft"),
    "Digitales Angebot": ("Online-Kurs {s}", "Digitale MINT-Sprechstunde", "MINT-Podcast"),
    "Sonstiges": ("MINT-Mentoring", "MINT-Botschafterinnen", "MINT-Lesekiste"),
}
FORMAT_WEIGHTS = {"Kurs/AG": 20, "Workshop": 18, "Wettbewerb": 8, "Ferienprogramm": 10,
                  "Exkursion/Betriebserkundung": 8, "Schülerlabor": 8, "Fortbildung": 10,
                  "Aktionstag/Veranstaltung": 10, "Digitales Angebot": 6, "Sonstiges": 2}
FORMAT_PARTICIPANTS = {"Kurs/AG": (10, 80), "Workshop": (12, 250), "Wettbewerb": (40, 1500),
                       "Ferienprogramm": (15, 200), "Exkursion/Betriebserkundung": (15, 400),
                       "Schülerlabor": (50, 2000), "Fortbildung": (10, 120),
                       "Aktionstag/Veranstaltung": (80, 2000), "Digitales Angebot": (20, 900),
                       "Sonstiges": (10, 150)}
PUPIL_GROUPS = {"Kita/Vorschule": 6, "Primarstufe": 18, "Sekundarstufe I": 30, "Sekundarstufe II": 16,
                "junge Erwachsene": 3, "Auszubildende": 3, "Eltern": 2, "Studierende": 1}
STAFF_GROUPS = {"Lehrkräfte": 10, "Erzieher:innen": 4, "Lehramtsstudierende": 1,
                "Koordinator:innen/Multiplikator:innen": 2, "Wissenschaftler:innen": 1}
SUBJECT_WEIGHTS = {"Mathematik": 10, "Informatik": 16, "Biologie": 8, "Chemie": 8, "Physik": 9,
                   "Astronomie": 2, "Technik": 18, "Naturwissenschaften": 10, "MINT gesamt": 14}
FUNDING_KEYS = [f"funding_{s}_eur" for s, _ in voc.FUNDING_SOURCES]


def _pick(rng: random.Random, weights: Mapping[str, float] | Iterable[tuple[str, float]]) -> str:
    items = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _sample(rng: random.Random, weights: Mapping[str, float], k: int) -> list[str]:
    pool = dict(weights)
    out = []
    for _ in range(min(k, len(pool))):
        c = _pick(rng, pool)
        out.append(c)
        del pool[c]
    return out


def _ordered(values: Iterable[str], vocabulary: tuple[str, ...]) -> list[str]:
    """Vocabulary order, as the reader canonicalises multiple choices."""
    order = {v: i for i, v in enumerate(vocabulary)}
    return sorted(set(values), key=lambda v: order[v])


def _quarter(x: float) -> float:
    return max(0.0, min(5.0, round(x * 4) / 4))


def _ascii(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")[:60].strip("-")


def _row_get(row: Any, key: str) -> Any:
    v = row[key]
    if isinstance(v, list):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def _partners(rng: random.Random, size: float) -> dict[str, int]:
    out = {}
    for suffix, (share, low, high) in PARTNER_SHAPE.items():
        if rng.random() >= share:
            out[f"partners_{suffix}"] = 0
            continue
        # between low and high on a log scale, most networks small, larger ones bigger
        u = min(1.0, rng.betavariate(1.2, 2.2) * (0.75 + 0.25 * size))
        out[f"partners_{suffix}"] = int(round(low * (high / low) ** u))
    schools = sum(out[f"partners_{s}"] for s in ("grundschulen", "weiterfuehrende_schulen", "berufliche_schulen"))
    if schools < 3:
        out["partners_weiterfuehrende_schulen"] += 3 - schools
    return out


def _grow_partners(rng: random.Random, prev: Mapping[str, Any]) -> dict[str, int]:
    out = {}
    for suffix, (share, low, high) in PARTNER_SHAPE.items():
        key = f"partners_{suffix}"
        old = prev.get(key)
        old = old if isinstance(old, int) else 0
        if old == 0:
            new = 1 if rng.random() < 0.08 else 0
        else:
            new = int(round(old * rng.uniform(0.96, 1.14)))
            if rng.random() < 0.3:
                new += rng.choice((-1, 1, 1, 2))
        out[key] = max(min(old, low), min(int(high * 1.5) + 5, new))
    return out


def _budget(rng: random.Random, fte: float) -> float:
    if fte == 0:
        b = rng.uniform(3000, 25000)
    else:
        b = fte * rng.uniform(45000, 58000) + rng.uniform(2000, 20000)
    return float(min(320000, round(b / 100) * 100))


def _funding(rng: random.Random, budget: float, programme: str, ntype: str,
             sources: list[str] | None = None) -> dict[str, float | None]:
    """Amounts per funding source that sum to the budget within a few percent."""
    if not sources:
        weights = {"funding_kommune_eur": 30, "funding_unternehmen_eur": 25, "funding_stiftungen_eur": 15,
                   "funding_eigenmittel_eur": 15, "funding_kammern_verbaende_eur": 8,
                   "funding_land_eur": 10, "funding_bund_eur": 4, "funding_eu_eur": 4,
                   "funding_sonstige_eur": 3}
        must = []
        if programme != "keins":
            must.append("funding_land_eur")
        if ntype == "MINT-Cluster":
            must.append("funding_bund_eur")
        k = rng.choices([1, 2, 3, 4, 5], weights=[10, 25, 30, 22, 13])[0]
        for m in must:
            weights.pop(m, None)
        sources = must + _sample(rng, weights, max(0, k - len(must)))
    shares = {s: rng.gammavariate(2.0, 1.0) * (2.5 if s in ("funding_land_eur", "funding_bund_eur") else 1.0)
              for s in sources}
    total_share = sum(shares.values())
    off = 1.0 if rng.random() < 0.6 else rng.uniform(0.97, 1.03)
    amounts = {s: round(budget * off * w / total_share / 50) * 50 for s, w in shares.items()}
    if off == 1.0:  # reported exactly: the biggest source takes the rounding difference
        top = max(amounts, key=lambda s: (amounts[s], s))
        amounts[top] += budget - sum(amounts.values())
    out: dict[str, float | None] = {k: None for k in FUNDING_KEYS}
    for s, a in amounts.items():
        out[s] = float(max(0, a))
    return out


def _contact(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{_ascii(first).lower()}.{_ascii(last).lower()}@{rng.choice(MAIL_DOMAINS)}"
    phone = f"{rng.choice(DRAMA_PREFIXES)} {rng.randrange(1000):03d}"
    return {"contact_name": f"{first} {last}", "contact_email": email, "contact_phone": phone}


def _offer(rng: random.Random, kreise: list[str], taken: set[str]) -> dict[str, Any]:
    fmt = _pick(rng, FORMAT_WEIGHTS)
    subjects = _sample(rng, SUBJECT_WEIGHTS, rng.choices([1, 2, 3], weights=[55, 35, 10])[0])
    if "MINT gesamt" in subjects:
        subjects = ["MINT gesamt"]
    title = rng.choice(OFFER_TITLES[fmt]).format(s=subjects[0] if subjects[0] != "MINT gesamt" else "MINT")
    base, i = title, 2
    while title in taken:
        title = f"{base} ({i})"
        i += 1
    taken.add(title)
    if fmt == "Fortbildung":
        groups = _sample(rng, STAFF_GROUPS, rng.choice([1, 1, 2]))
    else:
        groups = _sample(rng, PUPIL_GROUPS, rng.choices([1, 2, 3], weights=[40, 45, 15])[0])
        if rng.random() < 0.1:
            groups.append("Lehrkräfte")
    low, high = FORMAT_PARTICIPANTS[fmt]
    participants = int(round(low * (high / low) ** rng.random()))
    regular = rng.random() < (0.9 if fmt in ("Kurs/AG", "Schülerlabor") else 0.55)
    return {
        "offer_title": title,
        "offer_format": fmt,
        "target_groups": _ordered(groups, voc.TARGET_GROUPS),
        "subjects": _ordered(subjects, voc.SUBJECTS),
        "participants": max(10, min(2000, participants)),
        "is_regular": regular,
        "offer_kreis_code": rng.choice(kreise) if kreise and rng.random() < 0.93 else None,
    }


def make_answers(register_row: Mapping[str, Any] | pd.Series, year: int, rng: random.Random,
                 previous: Answers | None = None, *,
                 kreis_names: Mapping[str, str] | None = None) -> Answers:
    """Plausible answers of one network (a register row) for survey `year`.

    With `previous` (the same network's answers of an earlier year), stable traits are
    kept and numbers change moderately. `kreis_names` (code -> name, e.g. from
    `sources.demo.kreis_names(reference)`) fills the informative Kreis name column.
    """
    lay = q.layout_for_year(year)
    nid = str(_row_get(register_row, "network_id"))
    name = str(_row_get(register_row, "network_name"))
    ntype = str(_row_get(register_row, "network_type"))
    land = str(_row_get(register_row, "land_code"))
    founded = _row_get(register_row, "founded_year")
    kreise = list(_row_get(register_row, "kreise") or [])
    prev = previous.form if previous is not None else {}
    names = kreis_names or {}

    form: dict[str, Any] = {"network_id": nid, "network_name": name, "network_type": ntype,
                            "land_code": land, "founded_year": int(founded) if founded is not None else None}
    if prev:
        for key in ("host_type", "host_legal_form", "website", "land_programme",
                    "has_coordination_office", "has_written_goals", "has_cooperation_agreement"):
            form[key] = prev.get(key)
        for key in ("has_coordination_office", "has_written_goals", "has_cooperation_agreement"):
            if form[key] is False and rng.random() < 0.2:
                form[key] = True
        if form["land_programme"] == "keins" and land in LAND_PROGRAMME and rng.random() < 0.08:
            form["land_programme"] = LAND_PROGRAMME[land][0]
        prev_fte = prev.get("paid_staff_fte")
        fte = float(prev_fte) if isinstance(prev_fte, (int, float)) else 1.0
        if rng.random() < 0.25:
            fte = _quarter(fte + rng.choice((-0.25, 0.25, 0.25, 0.5)))
        prev_budget = prev.get("budget_eur")
        budget = float(prev_budget) if isinstance(prev_budget, (int, float)) else _budget(rng, fte)
        budget *= rng.uniform(0.94, 1.08)
        if isinstance(prev_fte, (int, float)) and fte != prev_fte:
            budget += (fte - float(prev_fte)) * 50000
        budget = float(max(2000, min(330000, round(budget / 100) * 100)))
        vol = prev.get("volunteers")
        vol = int(round(vol * rng.uniform(0.9, 1.15))) if isinstance(vol, int) else 0
        meetings = prev.get("meetings_per_year")
        meetings = meetings if isinstance(meetings, int) else 4
        meetings = max(2, min(12, meetings + rng.choice((-1, 0, 0, 0, 1))))
        partners = _grow_partners(rng, prev)
        sources = [k for k in FUNDING_KEYS if isinstance(prev.get(k), (int, float)) and prev.get(k) > 0]
        contact = ({k: prev[k] for k in ("contact_name", "contact_email", "contact_phone") if k in prev}
                   if rng.random() < 0.9 else _contact(rng))
    else:
        size = min(4.0, max(0.3, rng.lognormvariate(0.0, 0.6)))
        if ntype == "zdi-Netzwerk":
            size = min(4.0, size * 1.3)
        host = _pick(rng, HOST_WEIGHTS)
        form["host_type"] = host
        form["host_legal_form"] = _pick(rng, HOST_LEGAL[host])
        form["has_coordination_office"] = rng.random() < 0.93
        form["has_written_goals"] = rng.random() < 0.85
        form["has_cooperation_agreement"] = rng.random() < 0.6
        if ntype == "zdi-Netzwerk":
            programme = "zdi (Nordrhein-Westfalen)"
        elif land in LAND_PROGRAMME:
            prog, share = LAND_PROGRAMME[land]
            programme = prog if rng.random() < share else "keins"
        else:
            programme = "sonstiges Landesprogramm" if rng.random() < OTHER_PROGRAMME_SHARE else "keins"
        form["land_programme"] = programme
        form["website"] = None
        if rng.random() < 0.9:
            slug = _slug(name)
            form["website"] = (f"https://www.{slug}.example.org" if rng.random() < 0.7
                               else f"{slug}.beispiel.de")
        fte = 0.0 if rng.random() < 0.1 else _quarter(rng.gauss(0.9 * size, 0.5) + 0.25)
        budget = _budget(rng, fte)
        vol = 0 if rng.random() < 0.25 else int(round(rng.lognormvariate(math.log(8 * size), 0.8)))
        meetings = rng.choices(range(2, 13), weights=[12, 10, 20, 8, 12, 5, 4, 3, 3, 2, 6])[0]
        partners = _partners(rng, size)
        sources = None
        contact = _contact(rng)
    form["paid_staff_fte"] = fte
    form["volunteers"] = max(0, min(2000, vol))
    form["budget_eur"] = budget
    form["meetings_per_year"] = meetings
    if "is_mint_cluster" in lay.places:
        if isinstance(prev.get("is_mint_cluster"), bool):
            form["is_mint_cluster"] = prev["is_mint_cluster"]
        else:
            form["is_mint_cluster"] = ntype == "MINT-Cluster" or rng.random() < 0.22
    form.update(partners)
    form.update(_funding(rng, budget, form["land_programme"], ntype, sources))
    form.update(contact)

    # Gebiet
    prev_cov = {r.get("kreis_code"): r.get("coverage") for r in (previous.tables.get(q.S_AREA, [])
                                                                  if previous else [])}
    area = []
    for code in kreise:
        if code in prev_cov and prev_cov[code] in voc.COVERAGE:
            cov = prev_cov[code]
        else:
            partial = 0.5 if code in ("11000", "02000") else 0.1
            cov = "teilweise" if rng.random() < partial else "ganz"
        area.append({"kreis_code": code, "kreis_name": names.get(code), "coverage": cov})
    tables: dict[str, list[dict[str, Any]]] = {q.S_AREA: area}

    # Angebote (asked since 2024)
    if q.S_OFFER in lay.sheets:
        offers: list[dict[str, Any]] = []
        taken: set[str] = set()
        for o in (previous.tables.get(q.S_OFFER, []) if previous else []):
            if rng.random() < 0.8 and len(offers) < 8:
                o = dict(o)
                p = o.get("participants")
                if isinstance(p, int):
                    o["participants"] = max(10, min(2000, int(round(p * rng.uniform(0.85, 1.2)))))
                taken.add(o.get("offer_title"))
                offers.append(o)
        want = rng.randint(2, 8) if not offers else max(2, min(8, len(offers) + rng.choice((0, 0, 1, 1, 2))))
        while len(offers) < want:
            offers.append(_offer(rng, kreise, taken))
        tables[q.S_OFFER] = offers

    # only the fields of this year's questionnaire
    form = {k: v for k, v in form.items() if k in lay.places}
    return Answers(form, tables)
