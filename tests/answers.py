"""A complete, valid set of survey answers, and a changed copy of it: for the tests and for
scripts/bench_hostile.py. No pytest here, so that the benchmark runs where only what staff
install is installed (`make bench`)."""

from __future__ import annotations

import copy

from mint_census.schemas import questionnaire as q
from mint_census.schemas.template import Answers


def full_answers(year: int = 2025, network_id: str = "MR-001") -> Answers:
    """A complete, valid set of answers touching every field kind."""
    form = {
        "network_id": network_id, "network_name": "MINT-Region Köln", "network_type": "MINT-Region",
        "land_code": "05", "founded_year": 2011, "host_type": "Verein",
        "host_legal_form": "eingetragener Verein (e. V.)", "has_coordination_office": True,
        "paid_staff_fte": 1.75, "volunteers": 12, "budget_eur": 120000.5, "land_programme": "zdi (Nordrhein-Westfalen)",
        "has_written_goals": True, "has_cooperation_agreement": False, "meetings_per_year": 6,
        "website": "https://www.mint-koeln.example.org", "is_mint_cluster": False,
        "contact_name": "Anna Beispiel", "contact_email": "anna.beispiel@example.org",
        "contact_phone": "0221 123456",
    }
    for i, f in enumerate(q.PARTNER_FIELDS):
        form[f.key] = i * 3
    form.update({"funding_land_eur": 60000.0, "funding_kommune_eur": 40000.5, "funding_unternehmen_eur": 20000.0})
    tables = {
        q.S_AREA: [{"kreis_code": "05315", "kreis_name": "Köln", "coverage": "ganz"},
                   {"kreis_code": "05316", "kreis_name": "Leverkusen", "coverage": "teilweise"}],
        q.S_OFFER: [{"offer_title": "Robotik-AG", "offer_format": "Kurs/AG",
                     "target_groups": ["Primarstufe", "Sekundarstufe I"], "subjects": ["Informatik", "Technik"],
                     "participants": 35, "is_regular": True, "offer_kreis_code": "05315"},
                    {"offer_title": "Forscherferien", "offer_format": "Ferienprogramm",
                     "target_groups": ["Primarstufe"], "subjects": ["Naturwissenschaften"],
                     "participants": None, "is_regular": False, "offer_kreis_code": None}],
    }
    answers = Answers(form, tables)
    lay = q.layout_for_year(year)
    answers.form = {k: v for k, v in answers.form.items() if k in lay.places}
    answers.tables = {k: v for k, v in answers.tables.items() if k in lay.sheets}
    return answers


def tweak(answers: Answers, **form) -> Answers:
    out = copy.deepcopy(answers)
    out.form.update(form)
    return out
