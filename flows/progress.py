"""Progress of a long step, told to whoever listens: the console (rich) and the Prefect UI.

The wiring (steps.py) and the commands call `report(stage, done, total)`; it knows nothing
of consoles or Prefect. The command line subscribes a rich progress bar (`console()`), the
flows a Prefect progress artifact (pipeline.py). Listeners never see data, only counts.
Nothing here imports Prefect.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, int, int], None]

# German stage names as staff read them in the console and the Prefect UI.
READING, CHECKING, TEMPLATES, PUBLISHING = "Lesen", "Prüfen", "Erhebungsbögen", "Veröffentlichen"
MAILS = "E-Mails"  # send-out, remind, answer: messages prepared (and sent) per network

_listeners: list[Listener] = []


def report(stage: str, done: int, total: int) -> None:
    """`done` of `total` items of `stage` are finished."""
    for listener in list(_listeners):
        try:
            listener(stage, done, total)
        except Exception:  # a broken progress display never stops the pipeline
            pass


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    _listeners.append(listener)
    try:
        yield listener
    finally:
        _listeners.remove(listener)


@contextmanager
def console(stream=None) -> Iterator[None]:
    """A rich progress bar per stage (counts, elapsed, time left) on stderr, while it runs.

    On a terminal the bars update in place; elsewhere (logs, pipes, tests) rich prints
    nothing, so that captured output stays the command's own lines."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        yield
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    bars = Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("Rest"), TimeRemainingColumn(),
                    console=Console(file=stream), transient=False)
    tasks: dict[str, int] = {}

    def show(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=max(total, 1))
        bars.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

    with bars, listening(show):
        yield
