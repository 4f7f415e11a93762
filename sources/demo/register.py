"""The fictitious register of networks (Beispieldaten).

`make_register` builds the network register 2013..last_year whose net counts per census
year are exactly the published figures (COUNTS; years not published are invented and
marked so), spread over the Länder as domain.md describes (LAND_QUOTA, LAND_ENTRY), with
real Kreise from the reference data (or one Landeshauptstadt per Land without them) and a
history of dated events that exercises every kind: founded and admitted (every network),
dissolved and merged networks (END_EVENTS), a pause and return (PAUSES), renames (RENAMES),
an area change (AREA_CHANGES) and a Land change (LAND_CHANGES). Counting uses the register's own rule,
`sources.register.counted`. Everything is drawn from a `random.Random` seeded from the
seed, so the same seed gives the same register (byte-identical CSV).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from ..reference import Reference
from datetime import date

from ..register import NETWORK_COLUMNS, counted, normalise_register

# Networks counted per census year. 2013, 2014, 2015, 2019 and 2020 are the published
# figures; 2017 ("über 100") and 2022 ("über 130") follow the published wording; the
# other years are not published and are invented for the demo (Beispieldaten).
COUNTS = {2013: 39, 2014: 56, 2015: 80, 2016: 92, 2017: 104, 2018: 116, 2019: 127,
          2020: 130, 2021: 131, 2022: 134, 2023: 138, 2024: 144, 2025: 150}
GROWTH_AFTER = 5  # invented net growth per year for census years after max(COUNTS)

# Networks that end: (end_year = first census year in which they are no longer counted, reason).
END_EVENTS = ((2017, "aufgelöst"), (2020, "fusioniert"), (2022, "fusioniert"), (2023, "aufgelöst"))

# A network that pauses in the first year and is counted again from the second (same ID).
PAUSES = ((2018, 2020),)
# Census years of renames, of an area change (the network grew from one Kreis to its area now) and
# of a Land change (the network's office and area moved to the neighbouring Land).
RENAMES = (2016, 2021)
AREA_CHANGES = (2019,)
LAND_CHANGES = (2017,)

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
    paused = {y: sum(p == y for p, _ in PAUSES) - sum(r == y for _, r in PAUSES) for y in target}
    # New networks per census year so that the net count hits the target exactly.
    slots: list[int] = []
    prev = 0
    for y, c in target.items():
        new = c - prev + len(ends[y]) + paused[y]
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
    events = _history(rng, rows, kreise_pool, used, names)
    rows = [r for r in rows if r["first_census_year"] <= last_year]
    keep = {r["network_id"] for r in rows}
    events = [e for e in events if e["network_id"] in keep and e["event_date"].year <= last_year]
    df = pd.DataFrame([{c: _cell(r[c]) for c in NETWORK_COLUMNS} for r in rows], columns=list(NETWORK_COLUMNS))
    ev = pd.DataFrame([{k: _cell(v.isoformat() if isinstance(v, date) else v) for k, v in e.items()}
                       for e in events])
    out = normalise_register(df, "demo register", events=ev)
    got = {y: int(counted(out, y).sum()) for y in range(q.FIRST_CENSUS_YEAR, last_year + 1)}
    want = counts_until(last_year)
    if got != want:  # a bug in this module, never bad input
        raise AssertionError(f"demo register counts {got} differ from {want}")
    return out


def _day(rng: random.Random, year: int) -> date:
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _history(rng: random.Random, rows: list[dict], pool: dict[str, list[_Kreis]], used: set[str],
             names: set[str]) -> list[dict]:
    """The dated events of every network: founded, admitted, ended (from _add_ends), and the
    pause, renames, area and Land change, each given to a different network that is counted
    before and after the event."""
    def ev(nid, when, event, previous=None, successor=None):
        return {"network_id": nid, "event_date": when, "event": event, "previous": previous,
                "successor_id": successor, "note": None}

    events = []
    for r in rows:
        founded = _day(rng, r["founded_year"])
        events.append(ev(r["network_id"], founded, "founded"))
        admitted = max(_day(rng, r["first_census_year"]), founded)
        events.append(ev(r["network_id"], admitted, "admitted"))
        if r.get("end_year"):
            code = "merged" if r["end_reason"] == "fusioniert" else "dissolved"
            events.append(ev(r["network_id"], _day(rng, r["end_year"]), code,
                             successor=r.get("successor_id")))
    taken = {r["network_id"] for r in rows if r.get("end_year")} | {r["successor_id"] for r in rows
                                                                     if r.get("successor_id")}

    def pick(year: int, ok=lambda r: True) -> dict:
        cands = [r for r in rows if r["first_census_year"] < year and r["network_id"] not in taken
                 and r["land_code"] in END_LAENDER and ok(r)]
        r = rng.choice(cands)
        taken.add(r["network_id"])
        return r

    for start, back in PAUSES:
        r = pick(start)
        events.append(ev(r["network_id"], _day(rng, start), "paused"))
        events.append(ev(r["network_id"], _day(rng, back), "resumed"))
    for year in RENAMES:
        r = pick(year)
        prefixes = [p for p, _ in _PREFIXES[r["network_type"]]] + ["Bildungsnetzwerk MINT", "MINT-Initiative",
                                                                   "MINT-Bündnis", "MINT-Forum", "MINT-Verbund"]
        now = next(p for p in prefixes if r["network_name"].startswith(p + " "))
        old = next(p for p in prefixes if p != now and f"{p}{r['network_name'][len(now):]}" not in names)
        events.append(ev(r["network_id"], _day(rng, year), "renamed", f"{old}{r['network_name'][len(now):]}"))
    for year in AREA_CHANGES:
        wide = any(len(r["kreise"].split(";")) >= 2 for r in rows)  # not so without reference data
        r = pick(year, lambda r: len(r["kreise"].split(";")) >= 2 or not wide)
        events.append(ev(r["network_id"], _day(rng, year), "area_changed", r["kreise"].split(";")[0]))
    for year in LAND_CHANGES:
        r = pick(year, lambda r: r["land_code"] in ("05", "09", "08", "03", "06", "16", "07"))
        neighbour = {"05": "06", "06": "07", "07": "08", "08": "09", "09": "08", "03": "05", "16": "09"}
        old_land = neighbour[r["land_code"]]
        free = [k for k in pool[old_land] if k.code not in used] or pool[old_land]
        old_kreis = rng.choice(free)
        used.add(old_kreis.code)
        when = _day(rng, year)
        events.append(ev(r["network_id"], when, "land_changed", old_land))
        events.append(ev(r["network_id"], when, "area_changed", old_kreis.code))
    return events


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
