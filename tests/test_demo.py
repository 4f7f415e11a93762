"""sources.demo: the fictitious census is exact where it follows published figures,
valid against the questionnaire's own declaration, reproducible, and its mistakes
provoke exactly the findings they are meant to."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pandas as pd
import pytest

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from mint_census.schemas.findings import ERROR, WARNING
from mint_census.schemas.frames import Context
from mint_census.schemas.rules import FUNDING_TOLERANCE
from mint_census.schemas.validation import validate
from mint_census.sources import demo
from mint_census.sources.batch import frames_for, read_all
from mint_census.sources.reference import Reference, builtin_laender, load_reference, resolve_reference_dir
from mint_census.sources.register import counted, events_of, normalise_register, read_register, write_register
from mint_census.sources.workbook import read_workbook

EXPECTED = {2013: 39, 2014: 56, 2015: 80, 2016: 92, 2017: 104, 2018: 116, 2019: 127,
            2020: 130, 2021: 131, 2022: 134, 2023: 138, 2024: 144, 2025: 150}
# Each kind of coordinator mistake and the finding (severity, code) it must provoke.
EXPECTED_MISTAKES = {
    "ca_meetings": (ERROR, "not_an_integer"),
    "founded_after_survey": (ERROR, "founded_after_survey"),
    "unknown_kreis": (ERROR, "unknown_kreis"),
    "land_mismatch": (ERROR, "land_mismatch"),
    "required_empty": (ERROR, "required"),
    "budget_as_text": (WARNING, "number_as_text"),
    "kreis_as_number": (WARNING, "leading_zero"),
    "funding_off": (WARNING, "funding_vs_budget"),
    "unknown_choice": (ERROR, "not_allowed"),
}
# Without reference data every network lies in its Land's capital (Region Hannover,
# Regionalverband Saarbrücken).
LANDESHAUPTSTAEDTE = {"01002", "02000", "03241", "04011", "05111", "06414", "07315", "08111",
                      "09162", "10041", "11000", "12054", "13004", "14612", "15003", "16051"}
PATTERNS = {"kreis": q.KREIS_PATTERN, "network_id": q.NETWORK_ID_PATTERN, "email": q.EMAIL_PATTERN,
            "url": q.URL_PATTERN, "phone": q.PHONE_PATTERN}


def tiny_reference() -> Reference:
    """A few real Kreise per Land, for machines without ../shared/reference."""
    extra = {"05": [("05315", "Köln, Stadt", "Kreisfreie Stadt"), ("05158", "Mettmann", "Kreis")],
             "09": [("09184", "München", "Landkreis"), ("09564", "Nürnberg", "Kreisfreie Stadt")],
             "03": [("03353", "Harburg", "Landkreis")],
             "16": [("16063", "Wartburgkreis", "Landkreis")]}
    rows = []
    for land, (code, name, typ) in demo.FALLBACK_KREISE.items():
        for c, n, t in [(code, name, typ), *extra.get(land, [])]:
            rows.append({"kreis_code": c, "kreis_name": n, "kreis_typ": t, "land_code": land,
                         "area_km2": 100.0, "population": 100_000, "population_zensus_2022": 100_000})
    return Reference(None, builtin_laender(), pd.DataFrame(rows))


@pytest.fixture(scope="module")
def reference() -> Reference:
    directory = resolve_reference_dir()
    return load_reference(directory) if directory is not None else tiny_reference()


@pytest.fixture(scope="module")
def register(reference) -> pd.DataFrame:
    return demo.make_register(2013, reference)


def in_census(df: pd.DataFrame, y: int) -> pd.Series:
    """The test's own statement of the counting rule (not the code under test):
    counted in Y when first_census_year <= Y and (no end_year or Y < end_year), and not in a
    year from a pause (pausiert) up to the return (wieder aufgenommen)."""
    first, end = df["first_census_year"], df["end_year"]
    out = ((first <= y) & (end.isna() | (end > y))).fillna(False).astype(bool)
    ev = events_of(df)
    pauses = {nid: (int(g.loc[g["event"] == "paused", "census_year"].min()),
                    int(g.loc[g["event"] == "resumed", "census_year"].max()) if (g["event"] == "resumed").any()
                    else 9999)
              for nid, g in ev[ev["event"].isin(["paused", "resumed"])].groupby("network_id")}
    away = df["network_id"].map(lambda nid: nid in pauses and pauses[nid][0] <= y < pauses[nid][1])
    return out & ~away.astype(bool)


def counts(df: pd.DataFrame) -> dict[int, int]:
    return {y: int(in_census(df, y).sum()) for y in EXPECTED}


# --- the counting rule (sources.register.counted) ------------------------------------------

def test_counted_follows_the_rule_on_a_hand_made_register():
    rows = [  # network_id, first_census_year, end_year
        ("MR-001", "2013", ""),       # counted from 2013 on
        ("MR-002", "2013", "2020"),   # ends 2020: counted in 2019, not in 2020
        ("MR-003", "2015", ""),       # starts 2015: not counted in 2014
        ("MR-004", "2016", "2017"),   # counted in 2016 only
    ]
    df = normalise_register(pd.DataFrame(
        [{"network_id": nid, "network_name": f"MINT-Region {nid}", "network_type": "MINT-Region",
          "land_code": "05", "founded_year": "2010", "first_census_year": first, "end_year": end,
          "end_reason": "aufgelöst" if end else "", "successor_id": "", "kreise": "05315"}
         for nid, first, end in rows]))
    expected = {
        2013: ["MR-001", "MR-002"],
        2014: ["MR-001", "MR-002"],
        2015: ["MR-001", "MR-002", "MR-003"],
        2016: ["MR-001", "MR-002", "MR-003", "MR-004"],
        2017: ["MR-001", "MR-002", "MR-003"],
        2019: ["MR-001", "MR-002", "MR-003"],
        2020: ["MR-001", "MR-003"],
        2025: ["MR-001", "MR-003"],
    }
    for year, ids in expected.items():
        mask = counted(df, year)
        assert mask.dtype == bool and list(mask.index) == list(df.index)
        assert list(df.loc[mask, "network_id"]) == ids, year
    assert list(counted(df, 2012)) == [False, False, False, False]
    # on a slice the mask keeps the slice's index
    tail = df.iloc[2:]
    assert counted(tail, 2014).to_dict() == {2: False, 3: False}
    assert counted(tail, 2016).to_dict() == {2: True, 3: True}


# --- the register ----------------------------------------------------------------------

@pytest.mark.parametrize("with_reference", [True, False])
def test_register_counts_follow_the_published_series_exactly(reference, with_reference):
    df = demo.make_register(2013, reference if with_reference else None)
    assert counts(df) == EXPECTED
    assert {y: int(counted(df, y).sum()) for y in EXPECTED} == EXPECTED
    assert df["end_year"].notna().sum() >= 4  # the ended ones are part of the net count


def test_register_spread_over_the_laender(register):
    def laender(y):
        return set(register.loc[in_census(register, y), "land_code"])
    assert len(laender(2019)) == 15
    assert len(laender(2024)) == 16
    per_land = register.loc[in_census(register, 2025), "land_code"].value_counts()
    many, few = ("05", "09", "07", "16", "08"), ("14", "15", "12", "11", "13")
    assert min(per_land[m] for m in many) > max(per_land[f] for f in few)
    assert per_land.idxmax() == "05"


def test_register_rows_are_consistent(register, reference):
    assert register["network_id"].str.match(q.NETWORK_ID_PATTERN).all()
    assert register["network_id"].is_unique and register["network_name"].is_unique
    assert (register["founded_year"] <= register["first_census_year"]).all()
    assert register["founded_year"].between(2006, 2025).all() and register["founded_year"].min() == 2006
    assert (register["first_census_year"] >= 2013).all()
    assert set(register["network_type"]) <= set(voc.NETWORK_TYPES)
    assert (register["network_type"] == "MINT-Region").mean() > 0.6
    zdi = register[register["network_type"] == "zdi-Netzwerk"]
    assert len(zdi) > 0 and (zdi["land_code"] == "05").all()
    assert zdi["network_name"].str.startswith("zdi-").all()
    # ends: two dissolved, two merged into a network that is still counted in the end year
    ended = register[register["end_year"].notna()]
    assert sorted(ended["end_reason"]) == ["aufgelöst", "aufgelöst", "fusioniert", "fusioniert"]
    assert (ended["end_year"] > ended["first_census_year"]).all()
    ids = set(register["network_id"])
    for _, r in ended.iterrows():
        if r["end_reason"] == "fusioniert":
            assert r["successor_id"] in ids and r["successor_id"] != r["network_id"]
            succ = register[register["network_id"] == r["successor_id"]]
            assert in_census(succ, int(r["end_year"])).all()
        else:
            assert pd.isna(r["successor_id"])
    # Kreise: 1-3 real ones of the network's Land, mostly one, white spots remain
    kreis_land = reference.kreis_land()
    assert register["kreise"].map(len).between(1, 3).all()
    assert (register["kreise"].map(len) == 1).mean() > 0.6
    for land, ks in zip(register["land_code"], register["kreise"]):
        assert all(kreis_land[k] == land for k in ks)
    covered = {k for ks in register["kreise"] for k in ks}
    if len(kreis_land) == 400:  # with the real reference data, white spots remain
        assert len(covered) < len(kreis_land)


def test_register_without_reference_uses_the_landeshauptstaedte():
    df = demo.make_register(2013, None)
    assert {k for ks in df["kreise"] for k in ks} <= LANDESHAUPTSTAEDTE
    assert df["network_name"].is_unique


def test_register_until_an_earlier_year_is_the_same_history(reference, register):
    early = demo.make_register(2013, reference, last_year=2019)
    assert early["first_census_year"].max() == 2019
    assert all(counts(early)[y] == EXPECTED[y] for y in range(2013, 2020))
    same = register.set_index("network_id").loc[early["network_id"], ["network_name", "kreise"]]
    assert list(same["network_name"]) == list(early["network_name"])


def test_same_seed_same_register_other_seed_other_register(reference, register, tmp_path):
    again = demo.make_register(2013, reference)
    pd.testing.assert_frame_equal(register, again)
    write_register(register, tmp_path / "a.csv")
    write_register(again, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    other = demo.make_register(7, reference)
    assert counts(other) == EXPECTED
    assert not register.equals(other)


def test_register_csv_reads_back(register, tmp_path):
    write_register(register, tmp_path / "register.csv")
    back = read_register(tmp_path / "register.csv")
    assert counts(back) == EXPECTED


# --- answers ---------------------------------------------------------------------------

def check_value(spec: q.FieldSpec, value) -> str | None:
    """None if `value` fits the declaration, else what is wrong."""
    if value is None or value == [] or value == "":
        return "required but empty" if spec.required else None
    kind = spec.kind
    if kind in ("int", "year"):
        if not isinstance(value, int) or isinstance(value, bool):
            return f"not an int: {value!r}"
    elif kind == "decimal":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return f"not a number: {value!r}"
    elif kind == "bool":
        return None if isinstance(value, bool) else f"not a bool: {value!r}"
    elif kind == "land":
        return None if value in voc.LAND_NAME else f"not a Land code: {value!r}"
    elif kind == "choice":
        return None if value in spec.choices else f"not allowed: {value!r}"
    elif kind == "multichoice":
        if not isinstance(value, list) or not set(value) <= set(spec.choices):
            return f"not allowed: {value!r}"
        order = [spec.choices.index(v) for v in value]
        return None if order == sorted(set(order)) else f"not in vocabulary order: {value!r}"
    elif not isinstance(value, str):
        return f"not text: {value!r}"
    if kind in ("int", "year", "decimal"):
        if spec.min is not None and value < spec.min or spec.max is not None and value > spec.max:
            return f"out of range: {value!r}"
    if kind in PATTERNS and not re.match(PATTERNS[kind], value):
        return f"bad format: {value!r}"
    if spec.max_length and isinstance(value, str) and len(value) > spec.max_length:
        return "too long"
    return None


def answers_of(register, years, n=30, seed=1):
    rows = register[in_census(register, max(years))].iloc[::max(1, len(register) // n)]
    out = {}
    for _, row in rows.iterrows():
        prev = None
        for y in years:
            if not in_census(register[register["network_id"] == row["network_id"]], y).all():
                continue
            prev = demo.make_answers(row, y, random.Random(f"{seed}{row['network_id']}{y}"), prev)
            out[(row["network_id"], y)] = (row, prev)
    return out


def test_answers_fit_the_declaration_of_every_field(register):
    for (nid, year), (row, a) in answers_of(register, (2023, 2024, 2025)).items():
        lay = q.layout_for_year(year)
        assert set(a.form) <= set(lay.places)
        for sheet_name in lay.sheets:
            sheet = q.SHEET_BY_NAME[sheet_name]
            fields = sheet.fields_in(year)
            rows = [a.form] if sheet.kind == "form" else a.tables.get(sheet_name, [])
            if sheet.kind == "table":
                assert rows, (nid, year, sheet_name)
            for r in rows:
                for spec in fields:
                    problem = check_value(spec, r.get(spec.key))
                    assert problem is None, (nid, year, spec.key, problem)
        assert (q.S_OFFER in a.tables) == (year >= 2024)
        assert ("is_mint_cluster" in a.form) == (year >= 2025)


def test_answers_are_plausible_and_consistent_with_the_register(register):
    for (nid, year), (row, a) in answers_of(register, (2024, 2025)).items():
        f = a.form
        assert (f["network_id"], f["network_name"], f["network_type"], f["land_code"], f["founded_year"]) == \
            (row["network_id"], row["network_name"], row["network_type"], row["land_code"], row["founded_year"])
        assert [r["kreis_code"] for r in a.tables[q.S_AREA]] == list(row["kreise"])
        assert 0 <= f["paid_staff_fte"] <= 5 and (f["paid_staff_fte"] * 4).is_integer()
        assert 2_000 <= f["budget_eur"] <= 330_000
        funding = sum(v for k, v in f.items() if k.startswith("funding_") and v)
        assert abs(funding - f["budget_eur"]) <= FUNDING_TOLERANCE * f["budget_eur"]
        assert 2 <= f["meetings_per_year"] <= 12
        assert f["contact_email"].endswith(("@example.org", "@beispiel.de"))
        if f["network_type"] == "zdi-Netzwerk":
            assert f["land_programme"] == "zdi (Nordrhein-Westfalen)"
        programme_land = {"zdi (Nordrhein-Westfalen)": "05", "MINT-Netz Bayern": "09",
                          "MINT-Regionen Rheinland-Pfalz": "07", "MINT-Regionen Thüringen": "16"}
        assert programme_land.get(f["land_programme"], f["land_code"]) == f["land_code"]
        offers = a.tables[q.S_OFFER]
        assert 2 <= len(offers) <= 8
        for o in offers:
            assert 10 <= o["participants"] <= 2000
            assert o["offer_kreis_code"] is None or o["offer_kreis_code"] in row["kreise"]
        schools = f["partners_grundschulen"] + f["partners_weiterfuehrende_schulen"] + f["partners_berufliche_schulen"]
        assert 3 <= schools <= 300


def test_answers_share_of_partner_types_follows_2013(register):
    rows = register[in_census(register, 2025)]
    forms = [demo.make_answers(r, 2025, random.Random(r["network_id"])).form for _, r in rows.iterrows()]
    share = {k: sum(f[f"partners_{k}"] > 0 for f in forms) / len(forms)
             for k in ("unternehmen", "hochschulen", "kitas", "weiterfuehrende_schulen")}
    assert share["unternehmen"] > 0.85 and share["weiterfuehrende_schulen"] > 0.9
    assert 0.6 < share["hochschulen"] < 0.95 and 0.45 < share["kitas"] < 0.8
    cluster = sum(f["is_mint_cluster"] for f in forms) / len(forms)
    assert 0.12 < cluster < 0.4


def test_answers_change_moderately_year_over_year(register):
    row = register.iloc[0]
    a23 = demo.make_answers(row, 2023, random.Random(1))
    a24 = demo.make_answers(row, 2024, random.Random(2), a23)
    assert a24.form["host_type"] == a23.form["host_type"]
    assert a24.form["website"] == a23.form["website"]
    assert 0.8 < a24.form["budget_eur"] / a23.form["budget_eur"] < 1.4
    for k in (f"partners_{s}" for s, _ in voc.PARTNER_TYPES):
        assert abs(a24.form[k] - a23.form[k]) <= 0.2 * a23.form[k] + 3
    # same inputs, same answers
    again = demo.make_answers(row, 2024, random.Random(2), a23)
    assert again == a24


# --- mistakes and the whole demo --------------------------------------------------------

def validate_dir(files: list[Path], year: int, reference, register):
    received = read_all(files, year)
    ctx = Context(kreis_land=reference.kreis_land(), register_ids=set(register["network_id"]))
    findings = validate(frames_for(received, year), ctx)
    return {r.network_id: list(r.findings) + list(findings.get(r.idx, [])) for r in received}


def test_write_demo_census_one_year(tmp_path, reference, register):
    year = 2025
    summary = demo.write_demo_census(tmp_path / "register.csv", lambda y: tmp_path / "inbox" / str(y), reference,
                                     seed=2013, years=(year,), mistakes_per_year=len(demo.MISTAKES))
    info = summary.years[year]
    files = sorted((tmp_path / "inbox" / str(year)).glob("*.xlsx"))
    assert len(files) == info.written == EXPECTED[year] - len(info.non_responders)
    assert info.counted == EXPECTED[year]
    assert 0.03 * EXPECTED[year] - 1 <= len(info.non_responders) <= 0.05 * EXPECTED[year] + 1
    names = {p.name for p in files}
    assert all(f"Erhebungsbogen_{year}_{nid}.xlsx" not in names for nid in info.non_responders)
    assert "Erhebungsbogen_2025_MR-001.xlsx" in names or "MR-001" in info.non_responders
    # the register on disk is the seeded one, byte for byte
    write_register(demo.make_register(2013, reference, last_year=year), tmp_path / "expected.csv")
    assert (tmp_path / "register.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()
    assert counts(read_register(tmp_path / "register.csv")) == EXPECTED
    # every kind of mistake once, each provoking its finding; untouched workbooks are clean
    assert {m.name: (m.severity, m.code) for m in demo.MISTAKES} == EXPECTED_MISTAKES
    assert sorted(info.mistakes.values()) == sorted(EXPECTED_MISTAKES)
    by_network = validate_dir(files, year, reference, register)
    for p in files:
        nid = p.stem.split("_")[-1]
        assert not [f for f in read_workbook(p).findings if f.is_error], p.name
        found = {(f.severity, f.code) for f in by_network[nid]}
        if nid in info.mistakes:
            name = info.mistakes[nid]
            severity, code = EXPECTED_MISTAKES[name]
            assert (severity, code) in found, (nid, name, found)
            assert all(c == code for _, c in found), (nid, name, found)
        else:
            assert found == set(), (nid, found)
    # the cover says it is fictitious
    from openpyxl import load_workbook
    cover = load_workbook(files[0], read_only=True)[q.COVER_SHEET]
    assert any("Beispieldaten" in str(c.value) for row in cover.iter_rows() for c in row)


def test_mistakes_are_described_and_change_a_copy(register):
    row = register[register["kreise"].map(lambda ks: ks[0].startswith("0"))].iloc[0]
    a = demo.make_answers(row, 2025, random.Random(3))
    before = repr(a)
    for m in demo.MISTAKES:
        assert m.name and len(m.description_de) > 10 and m.severity in ("error", "warning")
        if m.applies(a):
            assert m(a) != a, m.name
    assert repr(a) == before
    assert sum(m.severity == ERROR for m in demo.MISTAKES) >= 5
