"""The steps that read the warehouse and write what it publishes: the overview publication and the
researchers' release (flows/pipeline.py runs them as the publish and snapshot flows).

They need nothing of the ingest (pandera, python-calamine, the workbook reading): the publish and
snapshot commands import this module, not flows/steps.py (0.3 s less start-up per command).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from mint_census.sources.reference import boundaries, resolve_reference_dir
from mint_census.warehouse.connection import WarehouseConnection, connect
from mint_census.warehouse.release import write_release

from . import progress
from .home import Home


def open_warehouse(home: Home, read_only: bool = False, command: str | None = None) -> WarehouseConnection:
    """The private warehouse of a home (writers take its writer lock)."""
    return connect(home.warehouse, lock_file=home.writer_lock, read_only=read_only, command=command)


@dataclass
class Published:
    year: int
    files: list[str]
    messages: list[str]
    headline: str


def publish_year(home: Home, year: int, reference: str | Path | None = None, lang: str = "de") -> Published:
    """The overview publication of `year` from the warehouse, into publication/<year>/ (`lang="en"`:
    the English edition, into publication/<year>/en/)."""
    from mint_census.publications.drawing import Drawer, prestarted
    from mint_census.publications.queries import PubSnapshot

    ref_dir = resolve_reference_dir(reference)
    prepared = _take_prepared(home)
    # The drawing process (a second core; maybe started by the command already) imports matplotlib
    # while this one opens the warehouse, queries and writes the tables; DuckDB computes the
    # snapshot of the pub views (maybe since the command prepared it) while Python imports the
    # publication's modules.
    with prestarted() or Drawer() as drawer, contextlib.ExitStack() as stack:
        if prepared is not None:
            con, taken = prepared
            stack.callback(con.close)
            stack.push(taken)
        else:
            con = open_warehouse(home, command=f"publish --year {year}")
            stack.callback(con.close)
            taken = stack.enter_context(PubSnapshot(con))
        stand = con.execute("SELECT max(finished_at) FROM meta.runs WHERE census_year <= ?", [year]).fetchone()[0]
        outdir = home.publication(year) if lang == "de" else home.publication(year) / lang
        from mint_census.publications.publish import headline, publish
        files = publish(con, year, outdir, fictitious=home.is_demo,
                        stand=stand.date() if stand else None, reference=ref_dir, lang=lang,
                        cache_dir=home.cache / "maps", taken=taken, drawer=drawer,
                        on_progress=lambda done, total: progress.report(progress.PUBLISHING, done, total))
        line = headline(taken.connection(), year)
    return Published(year, [str(p) for p in files], list(files.messages), line)


_prepared: tuple[Path, WarehouseConnection, object] | None = None  # prepare_publication's, not yet taken


def prepare_publication(home: Home, year: int) -> None:
    """Open the warehouse of `home` and start the snapshot of its pub views for the next
    ``publish_year`` of that home in this process. The publish command does so before it imports
    Prefect: DuckDB computes the snapshot (~0.3 s) meanwhile. Raises what opening raises."""
    global _prepared
    from mint_census.publications.queries import PubSnapshot

    discard_prepared()
    con = open_warehouse(home, command=f"publish --year {year}")
    try:
        _prepared = (home.root.resolve(), con, PubSnapshot(con))
    except BaseException:
        con.close()
        raise


def _take_prepared(home: Home):
    global _prepared
    if _prepared is None or _prepared[0] != home.root.resolve():
        return None
    (_, con, taken), _prepared = _prepared, None
    return con, taken


def discard_prepared() -> None:
    """Close what ``prepare_publication`` opened if no publication took it over."""
    global _prepared
    if _prepared is not None:
        (_, con, taken), _prepared = _prepared, None
        try:
            taken.close()
        finally:
            con.close()


def snapshot_year(home: Home, year: int, reference: str | Path | None = None) -> list[str]:
    """The research release `published/<year>.<n>/` (no personal data), written atomically; returns
    what the command prints. Boundaries come from the reference directory (default: the packaged one)."""
    release = write_release(home.warehouse, home.published, year, fictitious=home.is_demo,
                            lock_file=home.writer_lock, geometries=boundaries(resolve_reference_dir(reference)))
    return release.lines()


def accepted_networks(home: Home, year: int) -> int:
    """Networks with accepted answers of `year` in the warehouse (0 without a warehouse)."""
    if not home.warehouse.is_file():
        return 0
    con = open_warehouse(home, read_only=True)
    try:
        return con.execute("SELECT count(DISTINCT network_id) FROM core.networks WHERE census_year = ?",
                           [year]).fetchone()[0]
    finally:
        con.close()
