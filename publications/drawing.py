"""Drawing the publication's figures and map: here, or in a process of its own while the
publication writes its tables.

What a figure shows is queried before anything is drawn (``publish``); what is handed over here
is the query result, so a drawing needs no warehouse. At the demo's size, drawing the three
figures and the map costs ~1.6 s and importing matplotlib ~0.8 s of a 6-7 s ``publish`` on two
cores. ``Drawer(separate=True)`` starts one spawned process that imports matplotlib at once (while
the command still opens the warehouse and queries) and draws what it is handed while this process
writes the workbook, the CSV files and the comparison; the report waits for the drawings it needs.
Without it (one core, or a caller whose main may not be imported again: see
``publications.processes``), everything is drawn here, at the same point, by the same code: the
files are byte-identical either way (tested).

The `publish` command starts that process before it imports Prefect (``prestart``), so that both
imports run side by side; the publication takes it over (``prestarted``).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .english import language
from .figures import FIGURES, render
from .german import Edition
from .maps import MAP_NAME, render_map
from .processes import fork_pool, pool_allowed, spawn_pool, usable_cores
from .queries import QueryResult

log = logging.getLogger(__name__)

FIGURE_BY_NAME = {figure.name: figure for figure in FIGURES}

Drawn = tuple[list[Path], list[str]]  # files written, Kreise drawn (the map's; else empty)


@dataclass(frozen=True)
class Drawing:
    """One figure to draw: a name of ``figures.FIGURES`` or ``maps.MAP_NAME``, and its data."""

    name: str
    result: QueryResult
    edition: Edition
    outdir: Path
    lang: str = "de"
    extra_notes: tuple[str, ...] = ()
    boundaries: tuple[Path, Path] | None = None  # the map's GeoJSON files (Kreise, Länder)
    cache_dir: Path | None = None  # the map's base-map cache


def draw(drawing: Drawing) -> Drawn:
    """Draw `drawing` into its folder (PNG and SVG); returns (files written, Kreise drawn)."""
    with language(drawing.lang):
        if drawing.name == MAP_NAME:
            if drawing.boundaries is None:
                raise ValueError("the map needs its boundary files")
            return render_map(drawing.result, drawing.edition, drawing.outdir, drawing.boundaries,
                              drawing.cache_dir)
        figure = FIGURE_BY_NAME[drawing.name]
        return render(figure, drawing.result, drawing.edition, drawing.outdir, drawing.extra_notes), []


def _warm_up() -> None:
    """The drawing process's first job, while nothing is to draw yet: import matplotlib and draw a
    small figure with the publication's font to PNG and SVG, so that the font cache, the text layout
    and both backends are ready (the first figure of a fresh process took ~0.4 s longer)."""
    import io

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath
    from matplotlib.ticker import FuncFormatter

    from .figures import RC

    with matplotlib.rc_context(RC):
        fig = MplFigure(figsize=(2, 1))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
        ax.bar_label(ax.bar([0, 1], [1, 2]), labels=["1", "2"], fontsize=8)
        ax.barh([0], [1])
        ax.add_artist(PathPatch(MplPath([(0, 0), (1, 0), (1, 1), (0, 0)], [1, 2, 2, 79])))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: str(value)))
        ax.legend(handles=[PathPatch(MplPath([(0, 0), (1, 1)]), label="Ä")], fontsize=8)
        fig.text(0.01, 0.9, "Ü ß", fontsize=13, fontweight="bold")
        for suffix in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=suffix, dpi=50)


# True in a warm process of `mint-census server` (flows/warm.py): matplotlib is imported and has
# drawn once already. A spawned process would start Python and matplotlib first, which takes longer
# than the drawing itself; so `prestart` forks this process instead while it has no thread yet,
# and a Drawer made later draws here.
WARM = False


def drawing_process() -> bool:
    """Whether to draw in a (spawned) process of its own: a second core, a main that allows it, and
    a process that would have to import matplotlib first."""
    return pool_allowed() and usable_cores() >= 2 and not WARM


def _single_threaded() -> bool:
    """No other thread in this process, native ones included (Linux; elsewhere: unknown, False)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


class Drawer:
    """Draws what ``submit`` is given, in a spawned process (``separate``; default: where
    ``drawing_process()``) or here when its results are asked for. A context manager: leaving it
    ends the process. Should the process fail to start or die, the drawings are made here."""

    def __init__(self, separate: bool | None = None, fork: bool = False) -> None:
        self._pool = None
        self._lock = threading.Lock()
        self._queue: list[tuple[Future, Drawing]] = []  # not yet given to the drawing process
        self._feeder = None
        if separate if separate is not None else drawing_process():
            try:
                self._pool = fork_pool() if fork else spawn_pool(1)
                self._pool.submit(_warm_up)  # starts the process now
            except (OSError, NotImplementedError, ValueError, RuntimeError) as exc:
                log.warning("figures: no drawing process (%s: %s); drawing them here", type(exc).__name__, exc)
                self.close()

    @property
    def separate(self) -> bool:
        return self._pool is not None

    def submit(self, drawings: list[Drawing]) -> list[Callable[[], Drawn]]:
        """Start drawing `drawings`; returns for each a function that waits for its result (and
        raises what drawing raised).

        The drawing process gets one drawing at a time, in order (a thread here hands it the next
        when the last is done), so that the rest stays here to take back (``draw_rest_here``)."""
        if self._pool is None:
            return [functools.partial(draw, d) for d in drawings]
        proxies = [Future() for _ in drawings]
        self._queue = list(zip(proxies, drawings))
        self._feeder = threading.Thread(target=self._feed, name="drawing-feeder", daemon=True)
        self._feeder.start()
        return [functools.partial(self._result, f, d) for f, d in zip(proxies, drawings)]

    def _feed(self) -> None:
        """Hand the drawing process the next drawing once it has drawn the last."""
        while True:
            with self._lock:
                if not self._queue:
                    return
                proxy, drawing = self._queue.pop(0)
                proxy.set_running_or_notify_cancel()
            try:
                future = self._pool.submit(draw, drawing)
            except (BrokenProcessPool, RuntimeError) as exc:  # the process is gone: drawn here
                proxy.set_exception(BrokenProcessPool(f"the drawing process is gone: {exc}"))
                continue
            try:
                proxy.set_result(future.result())
            except BaseException as exc:  # noqa: BLE001 - raised where its result is asked for
                proxy.set_exception(exc)

    def draw_rest_here(self) -> None:
        """Draw here what the drawing process has not been given yet, from the last one back: the
        caller has done its own work and would otherwise only wait for it."""
        while True:
            with self._lock:
                if not self._queue:
                    return
                proxy, drawing = self._queue.pop()
                proxy.set_running_or_notify_cancel()
            try:
                proxy.set_result(draw(drawing))
            except BaseException as exc:  # noqa: BLE001
                proxy.set_exception(exc)

    @staticmethod
    def _result(future: Future, drawing: Drawing) -> Drawn:
        try:
            return future.result()
        except BrokenProcessPool as exc:
            log.warning("figures: the drawing process ended (%s); drawing %s here", exc, drawing.name)
            return draw(drawing)

    def close(self) -> None:
        with self._lock:
            left, self._queue = self._queue, []
        for proxy, _drawing in left:  # never asked for (the publication failed before)
            proxy.cancel()
        if self._feeder is not None:
            self._feeder.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Drawer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_waiting: Drawer | None = None  # started by prestart(), not yet taken over


def prestart() -> None:
    """Start the drawing process now (spawned where ``drawing_process()``; in a warm process a fork
    of it, while it has no thread), for the next publication of
    this process to take over; a second call keeps the first process."""
    global _waiting
    if _waiting is not None or not (pool_allowed() and usable_cores() >= 2):
        return
    if not WARM:
        _waiting = Drawer(separate=True)
    elif _single_threaded():
        _waiting = Drawer(separate=True, fork=True)  # a fork of this warm process, at once ready


def prestarted() -> Drawer | None:
    """The drawer ``prestart`` started, now the caller's to close; None if there is none."""
    global _waiting
    drawer, _waiting = _waiting, None
    return drawer


def discard_prestarted() -> None:
    """End a prestarted drawing process nobody took over (e.g. the command stopped before)."""
    drawer = prestarted()
    if drawer is not None:
        drawer.close()
