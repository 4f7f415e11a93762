"""Statistical disclosure control (Geheimhaltung) of the publication tables.

The numbers come from SQL; this module only decides which of them may be shown. A table
declares, per group of columns (``Protect``), the hidden column holding the number of
networks the cells of a row rest on and, for magnitudes (budgets, funding, participants),
the hidden column holding the largest single network's share of the cell in percent.

Primary suppression: the cells of a row's group are suppressed when they rest on at least
one but fewer than ``min_networks`` networks, or when one network contributes more than
``dominance_percent`` percent.

Secondary suppression: where a group is additive (the detail rows of a section add up to the
section's total row), a section must never have exactly one suppressed cell: it could be
recovered as total minus the published rest. So while a section has exactly one suppressed
detail row, the non-suppressed detail row resting on the fewest networks (at least one; a row
resting on none is a known zero and protects nothing) is suppressed too; if there is no such
row, the total is suppressed. When a total is suppressed, every non-empty row of the section is
suppressed (shares of the total would otherwise reveal it).

The thresholds are configurable: ``Rule(min_networks=…, dominance_percent=…)`` passed to
``publish``, or the environment variables MINT_CENSUS_SDC_MIN_NETWORKS and
MINT_CENSUS_SDC_DOMINANCE_PERCENT. See docs/publication.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .english import t
from .german import format_number

PRIMARY = "primary"
SECONDARY = "secondary"

ENV_MIN_NETWORKS = "MINT_CENSUS_SDC_MIN_NETWORKS"
ENV_DOMINANCE = "MINT_CENSUS_SDC_DOMINANCE_PERCENT"


@dataclass(frozen=True)
class Rule:
    """The thresholds of the suppression rule."""

    min_networks: int = 3
    dominance_percent: float = 85.0

    def __post_init__(self) -> None:
        if isinstance(self.min_networks, bool) or not isinstance(self.min_networks, int) or self.min_networks < 1:
            raise ValueError(f"min_networks must be a whole number >= 1, not {self.min_networks!r}")
        if not 0 < float(self.dominance_percent) <= 100:
            raise ValueError(f"dominance_percent must lie in (0, 100], not {self.dominance_percent!r}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Rule:
        """The default rule, with thresholds overridden by the environment variables."""
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {}
        try:
            if env.get(ENV_MIN_NETWORKS):
                kwargs["min_networks"] = int(env[ENV_MIN_NETWORKS])
            if env.get(ENV_DOMINANCE):
                kwargs["dominance_percent"] = float(env[ENV_DOMINANCE].replace(",", "."))
        except ValueError:
            raise ValueError(f"{ENV_MIN_NETWORKS} must be a whole number and {ENV_DOMINANCE} a "
                             "number") from None
        return cls(**kwargs)

    @property
    def footnote(self) -> str:
        dominance = format_number(self.dominance_percent, 0 if float(self.dominance_percent).is_integer() else 1)
        return t(". = geheim zu halten: Der Wert beruht auf weniger als {n} "
                 "Netzwerken oder ein Netzwerk trägt mehr als {dominance} % dazu bei; weitere Werte "
                 "sind gesperrt, damit gesperrte Werte nicht aus Summen errechnet werden können."
                 ).format(n=self.min_networks, dominance=dominance)

    def describe(self) -> str:
        return (f"mindestens {self.min_networks} Netzwerke je Tabellenfeld; "
                f"Dominanzgrenze {format_number(self.dominance_percent, 1)} %")


@dataclass(frozen=True)
class Protect:
    """A group of columns suppressed together, row by row."""

    columns: tuple[str, ...]  # the published columns of the group
    networks: str  # column (often hidden) with the number of networks the row's cells rest on
    top_share: str | None = None  # hidden column: largest network's share of the cell in %
    additive: bool = False  # detail rows of a section add up to the section's total row


def _is_primary(record: dict[str, Any], protect: Protect, rule: Rule) -> bool:
    n = record.get(protect.networks) or 0
    if 0 < n < rule.min_networks:
        return True
    if protect.top_share is not None:
        share = record.get(protect.top_share)
        if share is not None and float(share) > float(rule.dominance_percent):
            return True
    return False


def suppress(
    records: list[dict[str, Any]],
    protects: tuple[Protect, ...],
    rule: Rule,
    section: str | None = None,
    is_total: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[tuple[int, str], str]:
    """Return ``{(row index, column): "primary" | "secondary"}`` for every cell to hide."""
    hidden: dict[tuple[int, str], str] = {}
    for protect in protects:
        rows: dict[int, str] = {i: PRIMARY for i, r in enumerate(records) if _is_primary(r, protect, rule)}
        if protect.additive and is_total is not None:
            sections: dict[Any, list[int]] = {}
            for i, r in enumerate(records):
                sections.setdefault(r.get(section) if section else None, []).append(i)
            for members in sections.values():
                totals = [i for i in members if is_total(records[i])]
                if len(totals) != 1:
                    continue  # not an additive section (e.g. multiple answers)
                total = totals[0]
                details = [i for i in members if i != total]

                def weight(i: int) -> int:
                    return records[i].get(protect.networks) or 0

                while True:
                    if total in rows:
                        for i in details:
                            if i not in rows and weight(i) > 0:
                                rows[i] = SECONDARY
                        break
                    gone = [i for i in details if i in rows]
                    if len(gone) != 1:
                        break
                    candidates = [i for i in details if i not in rows and weight(i) > 0]
                    if candidates:
                        rows[min(candidates, key=lambda i: (weight(i), i))] = SECONDARY
                    else:
                        rows[total] = SECONDARY
        for i, reason in rows.items():
            for column in protect.columns:
                if hidden.get((i, column)) != PRIMARY:
                    hidden[(i, column)] = reason
    return hidden
