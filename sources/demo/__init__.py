"""A fictitious but realistic census (Beispieldaten), seeded and reproducible.

- `register`: `make_register` builds the network register 2013..last_year whose net
  counts per census year are exactly the published figures (COUNTS).
- `answers`: `make_answers` plays one coordinator: plausible answers of one network for
  one survey year, consistent with the register, optionally growing out of last year's.
- `mistakes`: `MISTAKES` are typical coordinator mistakes, each with the finding it must
  provoke.
- `census`: `write_demo_census` writes register.csv and one filled workbook per answering
  network and survey year into <home>/inbox/<year>/, with a few mistakes and non-responders.

Everything is drawn from `random.Random` instances seeded from the seed (no global
state), so the same seed gives the same register (byte-identical CSV) and the same
answers. Every workbook says on its cover that it holds Beispieldaten.
"""

from .answers import make_answers
from .census import DemoSummary, DemoYear, workbook_name, write_demo_census
from .mistakes import MISTAKE_BY_NAME, MISTAKES, Mistake
from .register import COUNTS, END_EVENTS, FALLBACK_KREISE, counts_until, kreis_names, make_register

__all__ = [
    "COUNTS", "END_EVENTS", "FALLBACK_KREISE", "counts_until", "kreis_names", "make_register",
    "make_answers",
    "MISTAKES", "MISTAKE_BY_NAME", "Mistake",
    "DemoSummary", "DemoYear", "workbook_name", "write_demo_census",
]
