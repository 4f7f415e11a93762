"""The whole demo census: register.csv and the filled workbooks of the survey years.

`write_demo_census` writes the register and one filled workbook per answering network
and survey year into that year's inbox, with a few mistakes and
non-responders, all drawn from `random.Random` instances seeded from the seed. Every
workbook says on its cover that it holds Beispieldaten.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from mint_census.schemas.template import Answers, write_workbook
from ..reference import Reference
from ..register import counted, write_register
from .answers import make_answers
from .mistakes import MISTAKE_BY_NAME, MISTAKES
from .register import kreis_names, make_register

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


def write_demo_census(register_path: Path, inbox_of: Callable[[int], Path], reference: Reference | None,
                      seed: int = 2013, years: Iterable[int] = (2023, 2024, 2025), mistakes_per_year: int = 6,
                      workers: int = 1) -> DemoSummary:
    """Write the register to `register_path` and the filled workbooks of `years` into
    `inbox_of(year)`."""
    years = sorted(set(int(y) for y in years))
    if not years:
        raise ValueError("no survey years given")
    register = make_register(seed, reference, last_year=max(years))
    write_register(register, register_path)
    names = kreis_names(reference)
    kinds = [m for m in MISTAKES if reference is not None and reference.available or not m.needs_reference]
    pick = random.Random(f"mint-census-demo-census:{seed}")
    pick.shuffle(kinds)
    cursor = 0
    previous: dict[str, Answers] = {}
    summary = DemoSummary(seed, register_path, len(register))
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
        inbox = inbox_of(year)
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
