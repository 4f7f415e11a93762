"""The warehouse's SQL, kept as .sql files under warehouse/sql/ (package data).

``load("views/growth")`` returns the text of ``sql/views/growth.sql``. Each file starts with
a header comment: what it answers, its parameters, what it reads.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The text of ``sql/<name>.sql`` of this package (``name`` may contain ``/``)."""
    resource = files(__package__).joinpath("sql")
    for part in f"{name}.sql".split("/"):
        resource = resource.joinpath(part)
    return resource.read_text(encoding="utf-8")
