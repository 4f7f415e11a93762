"""The publication's SQL, kept as .sql files under publications/sql/ (package data).

``load("01_entwicklung")`` returns the text of ``sql/01_entwicklung.sql``. Each file starts
with a header comment: what it answers, its parameters (``$year``, ``$base_year``), what it
reads (only ``pub`` views of the warehouse).
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The text of ``sql/<name>.sql`` of this package."""
    return files(__package__).joinpath("sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")
