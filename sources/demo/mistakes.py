"""Typical coordinator mistakes, each with the finding it must provoke (MISTAKES)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc
from mint_census.schemas.findings import ERROR, WARNING
from mint_census.schemas.template import Answers
from .answers import FUNDING_KEYS

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
    Mistake("ca_meetings", "„ca. 6“ statt einer Zahl bei den Netzwerktreffen eingetragen",
            ERROR, "not_an_integer", _set("meetings_per_year", "ca. 6")),
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
