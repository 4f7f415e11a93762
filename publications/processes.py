"""When the publications may start processes of their own, and how many cores they may use.

The check reports (``checkreports.reports``) and the figures (``drawing``) can run in spawned
processes. Each spawned process imports the caller's ``__main__`` again, which runs a script that
lacks an ``if __name__ == "__main__"`` guard once more. Only a process whose main is known to be
guarded says so in POOL_VARIABLE: the `mint-census` command sets it (its Prefect runs served by
`serve` inherit it); a script of one's own does everything in one process unless it sets it.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

POOL_VARIABLE = "MINT_CENSUS_PROCESS_POOL"


def pool_allowed() -> bool:
    """The caller's main may be imported again by a spawned process (see POOL_VARIABLE)."""
    return os.environ.get(POOL_VARIABLE) == "1"


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the system has one)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if sys.platform == "win32":
        cores = min(cores, 61)  # the most worker processes Windows allows
    return max(1, cores)


def spawn_pool(processes: int) -> ProcessPoolExecutor:
    """A pool of spawned processes (a fork of a process with threads could hang) that end without
    the interpreter's teardown (``end_without_teardown``)."""
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=end_without_teardown)


def fork_pool() -> ProcessPoolExecutor:
    """A pool of one forked process: only for a process that has no thread yet and whose modules
    are imported already (a warm process of `mint-census server`: publications.drawing.prestart).
    With the fork start method the pool starts its process at the first submit, before its own
    management thread."""
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                               initializer=end_without_teardown)


def end_without_teardown() -> None:
    """In a pool's process (its initializer): once the pool lets it go, end it without clearing every
    module (matplotlib, openpyxl, Prefect, pandas …), which the pool's shutdown waited for: 0.2-0.3 s
    for a report or drawing process, 0.5 s for a Prefect process-pool worker.

    By then every result is sent and multiprocessing has run its finalizers (its queues flushed:
    ``BaseProcess._bootstrap`` does that when the worker's loop ends); a pool's process keeps no
    files of its own open. The handler runs after every atexit handler registered later (Prefect's
    services drain that way) and closes the log handlers itself, as the logging module's own
    handler (registered earlier, so not run) would."""
    atexit.register(_exit_now)


def _exit_now() -> None:
    logging.shutdown()
    os._exit(0)


def share(jobs: Sequence[tuple], submit: Callable, here: Callable, slots: int) -> Iterator:
    """Each job's result, in the order of `jobs`, the work shared between a pool and this process.

    Up to `slots` jobs at a time are in the pool (`submit(*job)` returns a future with `done()` and
    `result()`); meanwhile this process does the next job itself (`here(*job)`) instead of waiting.
    On n cores, a pool of n - 1 processes and this one: this process would otherwise only wait, and
    a pool process takes a while to start (~0.75 s for a report writer, ~2.5 s for a Prefect worker
    that reads workbooks), in which this one gets jobs done. Two slots per pool process keep it busy
    while this one is in the middle of a job; once no more than `slots` jobs are left, the pool
    gets half as many, so that it is not left with a queue while this process has run out of jobs
    (this process notices a free slot only between its own jobs). What a job raises reaches the
    caller: one done here at once, one in the pool when its result is due."""
    results: dict[int, object] = {}
    pending: dict = {}  # future -> job index
    taken = emitted = 0
    while emitted < len(jobs):
        while taken < len(jobs) and len(pending) < (slots if len(jobs) - taken > slots else max(1, slots // 2)):
            pending[submit(*jobs[taken])] = taken
            taken += 1
        if taken < len(jobs):
            results[taken] = here(*jobs[taken])
            taken += 1
        elif emitted not in results:  # nothing left to do here: wait for the next one due
            future = next(f for f, i in pending.items() if i == emitted)
            results[pending.pop(future)] = future.result()
        for future in [f for f in pending if f.done()]:
            results[pending.pop(future)] = future.result()
        while emitted in results:
            yield results.pop(emitted)
            emitted += 1
