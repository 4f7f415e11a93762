"""A fictitious but realistic census (Beispieldaten), seeded and reproducible.

- `make_register` builds the network register 2013..last_year whose net counts per
  census year are exactly the published figures (COUNTS; years not published are
  invented and marked so), spread over the Länder as domain.md describes, with real
  Kreise from the reference data and a few dissolved and merged networks.
- `make_answers` plays one coordinator: plausible answers of one network for one survey
  year, consistent with the register, optionally growing out of last year's answers.
- `MISTAKES` are typical coordinator mistakes, each with the finding it must provoke.
- `write_demo_census` writes register.csv and one filled workbook per answering network
  and survey year into <home>/inbox/<year>/, with a few mistakes and non-responders.

Everything is drawn from `random.Random` instances seeded from the seed (no global
state), so the same seed gives the same register (byte-identical CSV) and the same
answers. Every workbook says on its cover that it holds Beispieldaten. Names, e-mail
addresses and phone numbers of coordinators are invented: e-mails at example.org /
beispiel.de, phone numbers from the blocks the Bundesnetzagentur keeps free for
media productions ("Drama Numbers", Mitteilung 148/2021).
"""

from __future__ import annotations

import copy
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from mint_census.schemas.findings import ERROR, WARNING
from mint_census.schemas.template import Answers, write_workbook
from .reference import Reference
from .register import COLUMNS, counted, normalise_register, write_register

# --- the register ------------------------------------------------------------------

# Networks counted per census year. 2013, 2014, 2015, 2019 and 2020 are the published
# figures; 2017 ("über 100") and 2022 ("über 130") follow the published wording; the
# other years are not published and are invented for the demo (Beispieldaten).
COUNTS = {2013: 39, 2014: 56, 2015: 80, 2016: 92, 2017: 104, 2018: 116, 2019: 127,
          2020: 130, 2021: 131, 2022: 134, 2023: 138, 2024: 144, 2025: 150}
GROWTH_AFTER = 5  # invented net growth per year for census years after max(COUNTS)

# Networks that end: (end_year = first census year in which they are no longer counted, reason).
END_EVENTS = ((2017, "aufgelöst"), (2020, "fusioniert"), (2022, "fusioniert"), (2023, "aufgelöst"))

# Networks per Land over all years (sum = 150 counted in 2025 + 4 ended), following domain.md:
# many in NW, BY, RP, TH, BW; few in SN, ST, BB, BE, MV.
LAND_QUOTA = {"05": 32, "09": 23, "08": 17, "07": 16, "03": 13, "16": 12, "06": 11, "01": 7,
              "14": 4, "12": 4, "10": 3, "15": 3, "11": 3, "02": 2, "04": 2, "13": 2}
# Mean first census year per Land (NW early with zdi; MINT-Netz Bayern from 2017;
# Rheinland-Pfalz adds two MINT-Regionen a year since 2018; Thüringen's regions ~2016).
LAND_ENTRY = {"05": 2013.5, "09": 2016.5, "08": 2014.5, "07": 2018.0, "03": 2014.5, "16": 2016.0,
              "06": 2015.0, "01": 2015.5, "14": 2017.0, "12": 2016.5, "10": 2016.0, "15": 2017.0,
              "11": 2015.0, "02": 2014.0, "04": 2015.0, "13": 2021.0}
# The one Land without a network in 2019 (15 of 16 Länder, Oct 2019); it enters by 2024.
LATE_LAND = "13"
LATE_LAND_FIRST = (2020, 2024)
# Länder from which the ended networks are drawn (many networks, so no Land disappears).
END_LAENDER = ("05", "09", "08", "07", "03", "16", "06")
FIRST_FOUNDED = 2006  # the first network was founded in 2006

# Without reference data: one Kreis per Land, the Landeshauptstadt (Hannover: the Region
# Hannover, Saarbrücken: the Regionalverband). All networks of a Land then share it.
FALLBACK_KREISE = {
    "01": ("01002", "Kiel, Landeshauptstadt", "Kreisfreie Stadt"),
    "02": ("02000", "Hamburg, Freie und Hansestadt", "Kreisfreie Stadt"),
    "03": ("03241", "Region Hannover", "Landkreis"),
    "04": ("04011", "Bremen, Stadt", "Kreisfreie Stadt"),
    "05": ("05111", "Düsseldorf, Stadt", "Kreisfreie Stadt"),
    "06": ("06414", "Wiesbaden, Landeshauptstadt", "Kreisfreie Stadt"),
    "07": ("07315", "Mainz, kreisfreie Stadt", "Kreisfreie Stadt"),
    "08": ("08111", "Stuttgart, Stadtkreis", "Stadtkreis"),
    "09": ("09162", "München, Landeshauptstadt", "Kreisfreie Stadt"),
    "10": ("10041", "Regionalverband Saarbrücken", "Regionalverband"),
    "11": ("11000", "Berlin, Stadt", "Kreisfreie Stadt"),
    "12": ("12054", "Potsdam, Stadt", "Kreisfreie Stadt"),
    "13": ("13004", "Schwerin", "Kreisfreie Stadt"),
    "14": ("14612", "Dresden, Stadt", "Kreisfreie Stadt"),
    "15": ("15003", "Magdeburg, Landeshauptstadt", "Kreisfreie Stadt"),
    "16": ("16051", "Erfurt, Stadt", "Kreisfreie Stadt"),
}


def counts_until(last_year: int) -> dict[int, int]:
    """Networks to be counted per census year 2013..last_year (see COUNTS)."""
    if last_year < q.FIRST_CENSUS_YEAR:
        raise ValueError(f"last_year must be >= {q.FIRST_CENSUS_YEAR}")
    out = {}
    top = max(COUNTS)
    for y in range(q.FIRST_CENSUS_YEAR, last_year + 1):
        out[y] = COUNTS[y] if y in COUNTS else COUNTS[top] + GROWTH_AFTER * (y - top)
    return out


@dataclass(frozen=True)
class _Kreis:
    code: str
    name: str
    typ: str
    population: float


def _kreise_by_land(reference: Reference | None) -> dict[str, list[_Kreis]]:
    out: dict[str, list[_Kreis]] = {code: [] for code, _, _ in voc.LAENDER}
    if reference is not None and reference.kreise is not None:
        k = reference.kreise.sort_values("kreis_code")
        pops = k["population"] if "population" in k.columns else pd.Series(1, index=k.index)
        typs = k["kreis_typ"] if "kreis_typ" in k.columns else pd.Series("", index=k.index)
        for code, name, typ, land, pop in zip(k["kreis_code"], k["kreis_name"], typs,
                                              k["land_code"], pops):
            out.setdefault(str(land), []).append(_Kreis(str(code), str(name), str(typ), float(pop)))
    for land, (code, name, typ) in FALLBACK_KREISE.items():
        if not out.get(land):
            out[land] = [_Kreis(code, name, typ, 1.0)]
    return out


def kreis_names(reference: Reference | None) -> dict[str, str]:
    """Kreis code -> name, from the reference data or the built-in fallback list."""
    return {k.code: k.name for ks in _kreise_by_land(reference).values() for k in ks}


def _short(name: str) -> str:
    return name.split(",")[0].strip()


def _area_name(k: _Kreis) -> str:
    """How a network names its area: 'Köln', 'Landkreis Harburg', 'Kreis Mettmann', 'Hohenlohekreis'."""
    short = _short(k.name)
    if k.typ in ("Landkreis", "Kreis") and not short.lower().endswith("kreis") \
            and not short.startswith(("Region", "Städteregion", "Regionalverband")):
        return f"{k.typ} {short}"
    return short


def _weighted_order(rng: random.Random, items: list[_Kreis]) -> list[_Kreis]:
    """Items in random order, larger populations earlier (Efraimidis–Spirakis keys)."""
    keyed = [(rng.random() ** (1.0 / max(math.sqrt(k.population), 1.0)), k.code, k) for k in items]
    keyed.sort(key=lambda t: (-t[0], t[1]))
    return [k for _, _, k in keyed]


def make_register(seed: int = 2013, reference: Reference | None = None,
                  last_year: int = max(COUNTS)) -> pd.DataFrame:
    """The fictitious register of networks for census years 2013..last_year (normalised)."""
    rng = random.Random(f"mint-census-demo-register:{seed}")
    full_last = max(last_year, max(COUNTS))
    target = counts_until(full_last)
    ends = {y: [r for yy, r in END_EVENTS if yy == y] for y in target}
    # New networks per census year so that the net count hits the target exactly.
    slots: list[int] = []
    prev = 0
    for y, c in target.items():
        new = c - prev + len(ends[y])
        if new < 0:
            raise ValueError(f"counts fall too fast in {y}")
        slots += [y] * new
        prev = c
    total = len(slots)
    quota = dict(LAND_QUOTA)
    extra = total - sum(quota.values())  # later years beyond COUNTS: spread by share
    if extra > 0:
        lands = sorted(quota, key=lambda l: -quota[l])
        for i in range(extra):
            quota[lands[i % 8]] += 1
    # Lands to slots: sort networks by a noisy entry year per Land.
    entries = []
    for land, n in sorted(quota.items()):
        for _ in range(n):
            entries.append((rng.gauss(LAND_ENTRY[land], 2.5), rng.random(), land))
    entries.sort()
    lands = [land for _, _, land in entries]
    _fix_presence(rng, slots, lands)

    n = len(slots)
    rows = []
    kreise_pool = _kreise_by_land(reference)
    order = {land: _weighted_order(rng, ks) for land, ks in kreise_pool.items()}
    used: set[str] = set()
    for i in range(n):
        rows.append({"network_id": f"MR-{i + 1:03d}", "land_code": lands[i],
                     "first_census_year": slots[i]})
    # Network types
    for r in rows:
        land, first = r["land_code"], r["first_census_year"]
        u = rng.random()
        if land == "05" and u < 0.45:
            t = "zdi-Netzwerk"
        elif first >= 2021 and u > 0.80:
            t = "MINT-Cluster"
        elif u > 0.95:
            t = "sonstiges regionales Netzwerk"
        else:
            t = "MINT-Region"
        r["network_type"] = t
    # Founding years: up to a few years before the first census in which a network is counted.
    for r in rows:
        first = r["first_census_year"]
        if first == q.FIRST_CENSUS_YEAR:
            fy = rng.choice([2007, 2008, 2009, 2009, 2010, 2010, 2011, 2011, 2011, 2012, 2012, 2012, 2012])
        else:
            fy = first - rng.choices([0, 1, 2, 3, 4], weights=[40, 33, 15, 8, 4])[0]
        if r["network_type"] == "MINT-Cluster":
            fy = max(fy, 2020)
        r["founded_year"] = max(FIRST_FOUNDED, min(fy, first))
    rows[0]["founded_year"] = FIRST_FOUNDED
    # Kreise and names
    names: set[str] = set()
    for r in rows:
        land = r["land_code"]
        pool = order[land]
        k = 1
        if r["network_type"] != "zdi-Netzwerk" and len(pool) > 3:
            k = rng.choices([1, 2, 3], weights=[78, 17, 5])[0]
        chosen: list[_Kreis] = []
        for kr in pool:
            if kr.code not in used:
                chosen.append(kr)
                break
        if chosen and k > 1:
            # further Kreise from the same Regierungsbezirk/region (same first three digits), so
            # that a network's area hangs together; else any unused Kreis of the Land
            near = [kr for kr in pool if kr.code not in used and kr.code[:3] == chosen[0].code[:3]
                    and kr != chosen[0]]
            rest = [kr for kr in pool if kr.code not in used and kr not in near and kr != chosen[0]]
            chosen += (near + rest)[:k - 1]
        while len(chosen) < k or not chosen:
            kr = rng.choice(pool)
            if kr not in chosen:
                chosen.append(kr)
            elif len(pool) <= len(chosen):
                break
        used.update(kr.code for kr in chosen)
        r["kreise"] = ";".join(kr.code for kr in chosen)
        r["network_name"] = _unique_name(rng, r["network_type"], chosen, names)
        names.add(r["network_name"])
    _add_ends(rng, rows, last_year)
    for r in rows:
        r.setdefault("end_year", None)
        r.setdefault("end_reason", None)
        r.setdefault("successor_id", None)
    rows = [r for r in rows if r["first_census_year"] <= last_year]
    df = pd.DataFrame([{c: _cell(r[c]) for c in COLUMNS} for r in rows], columns=list(COLUMNS))
    out = _normalise(df)
    got = {y: int(counted(out, y).sum()) for y in range(q.FIRST_CENSUS_YEAR, last_year + 1)}
    want = counts_until(last_year)
    if got != want:  # a bug in this module, never bad input
        raise AssertionError(f"demo register counts {got} differ from {want}")
    return out


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    return normalise_register(df, "demo register")


def _cell(v: Any) -> str:
    return "" if v is None else str(v)


def _fix_presence(rng: random.Random, slots: list[int], lands: list[str]) -> None:
    """Swap Länder between slots: LATE_LAND only from 2020 (and by 2024), all others by 2018."""
    def swap(i: int, j: int) -> None:
        lands[i], lands[j] = lands[j], lands[i]

    big = ("05", "09", "08", "03")
    # LATE_LAND never before LATE_LAND_FIRST[0]
    for i in range(len(slots)):
        if lands[i] == LATE_LAND and slots[i] < LATE_LAND_FIRST[0]:
            cands = [j for j in range(len(slots)) if slots[j] >= LATE_LAND_FIRST[0]
                     and lands[j] != LATE_LAND]
            swap(i, rng.choice(cands))
    late = [i for i in range(len(slots)) if lands[i] == LATE_LAND]
    if late and min(slots[i] for i in late) > LATE_LAND_FIRST[1]:
        cands = [j for j in range(len(slots)) if LATE_LAND_FIRST[0] <= slots[j] <= LATE_LAND_FIRST[1]
                 and lands[j] != LATE_LAND]
        swap(late[0], rng.choice(cands))
    # every other Land present by 2018 (so an ending in 2017/2018 cannot hide it in 2019)
    for land in sorted(set(lands) - {LATE_LAND}):
        mine = [i for i in range(len(slots)) if lands[i] == land]
        if min(slots[i] for i in mine) <= 2018:
            continue
        cands = [j for j in range(len(slots)) if slots[j] <= 2016 and lands[j] in big]
        swap(mine[0], rng.choice(cands))


def _add_ends(rng: random.Random, rows: list[dict], last_year: int) -> None:
    taken: set[str] = set()
    for end_year, reason in END_EVENTS:
        if end_year > last_year:
            continue
        cands = [r for r in rows if r["first_census_year"] < end_year and r["land_code"] in END_LAENDER
                 and r["network_id"] not in taken and r.get("end_year") is None]
        victim = rng.choice(cands)
        taken.add(victim["network_id"])
        victim["end_year"] = end_year
        victim["end_reason"] = reason
        if reason == "fusioniert":
            succ = [r for r in rows if r["land_code"] == victim["land_code"]
                    and r["first_census_year"] < end_year and r.get("end_year") is None
                    and r["network_id"] not in taken]
            s = rng.choice(succ)
            taken.add(s["network_id"])
            victim["successor_id"] = s["network_id"]


_PREFIXES = {
    "MINT-Region": (("MINT-Region", 70), ("MINT-Netzwerk", 15), ("MINT-Initiative", 8), ("MINT-Bündnis", 7)),
    "zdi-Netzwerk": (("zdi-Netzwerk", 75), ("zdi-Zentrum", 25)),
    "MINT-Cluster": (("MINT-Cluster", 100),),
    "sonstiges regionales Netzwerk": (("Bildungsnetzwerk MINT", 50), ("MINT-Netzwerk", 50)),
}
_SUFFIXES = (" Nord", " Süd", " Ost", " West", " Mitte")


def _unique_name(rng: random.Random, ntype: str, kreise: list[_Kreis], taken: set[str]) -> str:
    shorts = list(dict.fromkeys(_short(k.name) for k in kreise))  # city and Landkreis may share one
    if len(kreise) == 1:
        area = _area_name(kreise[0])
    elif len(shorts) == 1:
        area = f"Stadt und {'Kreis' if 'Kreis' in {k.typ for k in kreise} else 'Landkreis'} {shorts[0]}"
    else:
        area = " und ".join([", ".join(shorts[:-1]), shorts[-1]])
    prefixes = [p for p, _ in _PREFIXES[ntype]]
    first = rng.choices(prefixes, weights=[w for _, w in _PREFIXES[ntype]])[0]
    candidates = [f"{first} {area}"] + [f"{p} {area}" for p in prefixes if p != first]
    candidates += [f"{first} {area}{s}" for s in _SUFFIXES]
    for c in candidates:
        if c not in taken:
            return c
    i = 2
    while f"{first} {area} {i}" in taken:
        i += 1
    return f"{first} {area} {i}"


# --- answers -----------------------------------------------------------------------

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


# --- typical coordinator mistakes ----------------------------------------------------

@dataclass(frozen=True)
class Mistake:
    name: str
    description_de: str
    severity: str                 # the finding it provokes: ERROR or WARNING
    code: str                     # the finding code it provokes
    apply: Callable[[Answers], Answers]
    applies: Callable[[Answers], bool] = lambda a: True
    needs_reference: bool = False  # only detectable with reference data (Kreise)

    def __call__(self, answers: Answers) -> Answers:
        return self.apply(answers)


def _copy(a: Answers) -> Answers:
    return Answers(copy.deepcopy(a.form), copy.deepcopy(a.tables))


def _set(key: str, value: Any) -> Callable[[Answers], Answers]:
    def f(a: Answers) -> Answers:
        out = _copy(a)
        out.form[key] = value
        return out
    return f


def _swap_digits(year: Any) -> int | None:
    if not isinstance(year, int):
        return None
    s = str(year)
    return int(s[:2] + s[3] + s[2])


def _founded_swapped(a: Answers) -> Answers:
    out = _copy(a)
    out.form["founded_year"] = _swap_digits(a.form.get("founded_year"))
    return out


def _first_kreis(a: Answers, new: Callable[[str], Any], want: Callable[[str], bool] = lambda c: True) -> Answers:
    out = _copy(a)
    for row in out.tables.get(q.S_AREA, []):
        code = row.get("kreis_code")
        if isinstance(code, str) and want(code):
            row["kreis_code"] = new(code)
            break
    return out


def _other_land(a: Answers) -> Answers:
    out = _copy(a)
    codes = [c for c, _, _ in voc.LAENDER]
    land = a.form.get("land_code")
    out.form["land_code"] = codes[(codes.index(land) + 1) % len(codes)] if land in codes else "01"
    return out


def _budget_text(a: Answers) -> Answers:
    out = _copy(a)
    b = float(a.form.get("budget_eur") or 1500.5)
    if b.is_integer():
        b += 0.5  # typed with cents
    text = f"{b:,.2f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    out.form["budget_eur"] = f"{text} €"
    return out


def _funding_zero_too_many(a: Answers) -> Answers:
    out = _copy(a)
    amounts = {k: v for k, v in a.form.items() if k in FUNDING_KEYS and isinstance(v, (int, float)) and v > 0}
    top = max(amounts, key=lambda k: (amounts[k], k))
    out.form[top] = amounts[top] * 10  # one zero too many
    return out


MISTAKES: tuple[Mistake, ...] = (
    Mistake("ca_volunteers", "„ca. 20“ statt einer Zahl bei den Ehrenamtlichen eingetragen",
            ERROR, "not_an_integer", _set("volunteers", "ca. 20")),
    Mistake("founded_after_survey", "Zahlendreher im Gründungsjahr (z. B. 2061 statt 2016): liegt nach dem Erhebungsjahr",
            ERROR, "founded_after_survey", _founded_swapped,
            applies=lambda a: (_swap_digits(a.form.get("founded_year")) or 0) > 2030),
    Mistake("unknown_kreis", "Einen Kreisschlüssel eingetragen, den es nicht gibt („99999“)",
            ERROR, "unknown_kreis", lambda a: _first_kreis(a, lambda c: "99999"),
            applies=lambda a: bool(a.tables.get(q.S_AREA)), needs_reference=True),
    Mistake("land_mismatch", "Falsches Bundesland gewählt: keiner der Kreise liegt darin",
            ERROR, "land_mismatch", _other_land, needs_reference=True),
    Mistake("required_empty", "Pflichtfeld „Rechtsform des Trägers“ leer gelassen",
            ERROR, "required", _set("host_legal_form", None)),
    Mistake("budget_as_text", "Jahresbudget als Text mit Tausenderpunkt und Euro-Zeichen („1.500,50 €“)",
            WARNING, "number_as_text", _budget_text),
    Mistake("kreis_as_number", "Kreisschlüssel als Zahl eingegeben, führende Null fehlt (5315 statt 05315)",
            WARNING, "leading_zero", lambda a: _first_kreis(a, lambda c: int(c), lambda c: c.startswith("0")),
            applies=lambda a: any(str(r.get("kreis_code", "")).startswith("0") for r in a.tables.get(q.S_AREA, []))),
    Mistake("funding_off", "Eine Null zu viel bei einer Finanzierungsquelle: Summe weicht weit vom Budget ab",
            WARNING, "funding_vs_budget", _funding_zero_too_many,
            applies=lambda a: any(isinstance(a.form.get(k), (int, float)) and a.form.get(k) > 0 for k in FUNDING_KEYS)),
    Mistake("unknown_choice", "Eigener Wert statt Auswahlliste bei der Art des Trägers („Landratsamt“)",
            ERROR, "not_allowed", _set("host_type", "Landratsamt")),
)
MISTAKE_BY_NAME = {m.name: m for m in MISTAKES}


# --- the whole demo census -------------------------------------------------------------

@dataclass
class DemoYear:
    year: int
    counted: int                                   # networks counted in the register
    written: int                                   # workbooks written to the inbox
    mistakes: dict[str, str] = field(default_factory=dict)   # network_id -> mistake name
    non_responders: list[str] = field(default_factory=list)
    inbox: Path | None = None


@dataclass
class DemoSummary:
    home: Path
    seed: int
    register_path: Path
    networks: int                                  # rows in the register
    years: dict[int, DemoYear] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return sum(y.written for y in self.years.values())

    def lines(self) -> list[str]:
        out = [f"register: {self.networks} networks (Beispieldaten, seed {self.seed}) -> {self.register_path}"]
        for y in self.years.values():
            out.append(f"{y.year}: {y.written} workbooks of {y.counted} networks, "
                       f"{len(y.non_responders)} not answering, {len(y.mistakes)} with mistakes")
        return out


def workbook_name(year: int, network_id: str) -> str:
    return f"Erhebungsbogen_{year}_{network_id}.xlsx"


def write_demo_census(home: Path, reference: Reference | None, seed: int = 2013,
                      years: Iterable[int] = (2023, 2024, 2025), mistakes_per_year: int = 6,
                      workers: int = 1) -> DemoSummary:
    """Write <home>/register.csv and the filled workbooks of `years` into <home>/inbox/<year>/."""
    home = Path(home)
    years = sorted(set(int(y) for y in years))
    if not years:
        raise ValueError("no survey years given")
    register = make_register(seed, reference, last_year=max(years))
    register_path = home / "register.csv"
    write_register(register, register_path)
    names = kreis_names(reference)
    kinds = [m for m in MISTAKES if reference is not None and reference.available or not m.needs_reference]
    pick = random.Random(f"mint-census-demo-census:{seed}")
    pick.shuffle(kinds)
    cursor = 0
    previous: dict[str, Answers] = {}
    summary = DemoSummary(home, seed, register_path, len(register))
    jobs: list[tuple[Path, int, str, Answers, str]] = []
    for year in years:
        rows = register[counted(register, year)]
        answers: dict[str, Answers] = {}
        for _, row in rows.iterrows():
            nid = row["network_id"]
            rng = random.Random(f"mint-census-demo-answers:{seed}:{nid}:{year}")
            answers[nid] = make_answers(row, year, rng, previous.get(nid), kreis_names=names)
        previous.update(answers)
        ids = sorted(answers)
        n_missing = max(1, round(len(ids) * pick.uniform(0.03, 0.05)))
        missing = sorted(pick.sample(ids, n_missing))
        responders = [i for i in ids if i not in set(missing)]
        chosen: dict[str, str] = {}
        order = responders[:]
        pick.shuffle(order)
        for _ in range(min(mistakes_per_year, len(responders))):
            if not kinds:
                break
            for attempt in range(len(kinds)):
                m = kinds[(cursor + attempt) % len(kinds)]
                target = next((i for i in order if i not in chosen and m.applies(answers[i])), None)
                if target is not None:
                    chosen[target] = m.name
                    cursor = (cursor + attempt + 1) % len(kinds)
                    break
        inbox = home / "inbox" / str(year)
        by_id = rows.set_index("network_id")
        for nid in responders:
            a = answers[nid]
            if nid in chosen:
                a = MISTAKE_BY_NAME[chosen[nid]](a)
            jobs.append((inbox / workbook_name(year, nid), year, nid, a, by_id.at[nid, "network_name"]))
        summary.years[year] = DemoYear(year, len(ids), len(responders), dict(sorted(chosen.items())),
                                       missing, inbox)
        inbox.mkdir(parents=True, exist_ok=True)
    _write_all(jobs, workers)
    return summary


def _write_one(job: tuple[Path, int, str, Answers, str]) -> Path:
    path, year, nid, answers, name = job
    return write_workbook(path, year, nid, answers, network_name=name, fictitious=True)


def _write_all(jobs: list, workers: int) -> None:
    if workers <= 1 or len(jobs) < 20:
        for job in jobs:
            _write_one(job)
        return
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(_write_one, jobs, chunksize=16):
            pass
