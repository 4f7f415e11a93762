"""The ingest with its read chunks on a Dask cluster (prefect-dask's DaskTaskRunner) loads exactly
the rows of the serial ingest."""

from __future__ import annotations

import shutil

import pytest

from mint_census.flows import steps
from mint_census.flows.home import Home

from .conftest import full_answers, needs_reference, tweak
from .filler import fill, kreis_choice, libreoffice_save, lo_profile, needs_soffice  # noqa: F401
from .test_incremental import contents

pytest.importorskip("prefect_dask")
distributed = pytest.importorskip("distributed")

YEAR = 2024


def test_ingest_on_a_two_worker_dask_cluster_equals_the_serial_ingest(prefect, home, make_workbook, reference,
                                                                      tmp_path, monkeypatch):
    from mint_census.flows.pipeline import ingest_flow

    # census 2024: the flow's artifacts (keyed by year) stay apart from other tests' 2025 runs
    make_workbook("a.xlsx", full_answers(YEAR, "MR-001"), year=YEAR, network_id="MR-001")
    make_workbook("b.xlsx", tweak(full_answers(YEAR, "MR-002"), network_id="MR-002", budget_eur=1.0),
                  year=YEAR, network_id="MR-002")
    make_workbook("c.xlsx", tweak(full_answers(YEAR, "MR-003"), network_id="MR-003", founded_year=2061),
                  year=YEAR, network_id="MR-003")
    serial = tmp_path / "serial"
    shutil.copytree(home, serial)
    steps.ingest_year(Home(serial), YEAR, None, reference)

    monkeypatch.setattr(steps, "CHUNK", 1)  # three chunks, spread over the two workers
    # processes=False: the workers are threads of this process, so they reach the test's Prefect
    # server (the harness's settings live in this process); a scheduler address as with --dask
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        summary = ingest_flow(YEAR, str(home), None, None, dask=cluster.scheduler_address)
        with distributed.Client(cluster.scheduler_address) as client:
            assert len(client.scheduler_info()["workers"]) == 2
    assert (summary.files, summary.accepted, summary.with_warnings, summary.rejected) == (3, 1, 1, 1)
    mine, theirs = contents(home), contents(serial)
    assert mine["core.networks"] and mine["raw.cells"]
    assert mine == theirs


def test_ingest_on_a_two_process_pool_equals_the_serial_ingest(prefect, home, make_workbook, reference, tmp_path,
                                                               monkeypatch):
    """`--workers 2`: the chunks are read by Prefect's ProcessPoolTaskRunner in a spawned process that
    reports to the flow's (here: the test's) Prefect server, and by the flow's own process while that
    one is busy, each chunk a read-and-check task; the warehouse equals the serial one."""
    from mint_census.flows.pipeline import ingest_flow

    year = 2023  # the flow's artifacts (keyed by year) stay apart from the other tests' runs
    for i, (nid, change) in enumerate((("MR-001", {}), ("MR-002", {"budget_eur": 1.0}),
                                       ("MR-003", {"founded_year": 2061}))):
        make_workbook(f"{'abc'[i]}.xlsx", tweak(full_answers(year, nid), network_id=nid, **change), year=year,
                      network_id=nid)
    serial = tmp_path / "serial"
    shutil.copytree(home, serial)
    steps.ingest_year(Home(serial), year, None, reference)

    monkeypatch.setattr(steps, "CHUNK", 1)  # three chunks: two to the pool's process, one read here
    state = ingest_flow(year, str(home), None, None, workers=2, return_state=True)
    summary = state.result().unwrap()  # the flow returns its summary quoted (pipeline.CensusFlow)
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(
            any_=[state.state_details.flow_run_id])))
    reads = [r for r in runs if r.name.startswith("read-and-check")]
    assert len(reads) == 3 and all(r.state.is_completed() for r in reads)
    assert (summary.files, summary.accepted, summary.with_warnings, summary.rejected) == (3, 1, 1, 1)
    mine, theirs = contents(home), contents(serial)
    assert mine["core.networks"] and mine["raw.cells"]
    assert mine == theirs


def test_large_inbox_is_read_by_all_cores_by_default(tmp_path, monkeypatch):
    """Without --workers/--dask an ingest of PARALLEL_FROM files or more uses a process pool of all
    cores; a smaller inbox, or a machine with one core, is read serially."""
    from mint_census.flows import pipeline

    box = tmp_path / "inbox"
    box.mkdir()
    for i in range(3):
        (box / f"f{i}.xlsx").write_bytes(b"x")
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 3)
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 4)
    assert pipeline.default_workers(str(tmp_path), 2025, str(box)) == 4
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 4)
    (box / "~$f0.xlsx").write_bytes(b"x")  # what the ingest does not read does not count
    (box / ".f1.xlsx").write_bytes(b"x")
    (box / "folder.xlsx").mkdir()
    assert pipeline.default_workers(str(tmp_path), 2025, str(box)) is None
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 3)
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 1)
    assert pipeline.default_workers(str(tmp_path), 2025, str(box)) is None


def test_a_few_files_to_read_are_read_by_the_flow_itself():
    """The processes read only what is worth starting them for: never a single chunk, and by default
    (no --workers/--dask) not fewer than PARALLEL_FROM files, e.g. the changed files of a re-ingest."""
    import types

    from mint_census.flows import pipeline

    runner = types.SimpleNamespace(submit=lambda *a, **k: pytest.fail("nothing may be submitted"))
    one_chunk = [([f"f{i}.xlsx" for i in range(250)], 0)]
    two_chunks = [(["a.xlsx"], 0), (["b.xlsx"], 1)]
    assert pipeline._submitting(runner)(one_chunk, 2025, None, "/tmp") is None
    assert pipeline._submitting(runner, pipeline.PARALLEL_FROM)(two_chunks, 2025, None, "/tmp") is None
    chosen = pipeline._submitting(runner, 0, pool=1)(two_chunks, 2025, None, "/tmp")  # --workers 2
    assert chosen is not None and not isinstance(chosen, list)


def test_the_flow_process_shares_the_work_with_the_pool_and_keeps_the_order():
    """processes.share: while the pool's process starts (here: its first job is slow) the calling
    process does the next jobs itself; every job is done once, results come in the order of the jobs,
    and what a job raises, in the pool or here, reaches the caller."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from mint_census.publications.processes import share

    done_by: dict[int, str] = {}
    lock = threading.Lock()

    def work(i, where):
        if where == "pool" and i == 0:
            time.sleep(0.3)  # a pool process starting
        with lock:
            assert i not in done_by
            done_by[i] = where
        return i * i

    jobs = [(i,) for i in range(12)]
    with ThreadPoolExecutor(1) as pool:
        results = list(share(jobs, lambda i: pool.submit(work, i, "pool"), lambda i: work(i, "here"), slots=2))
    assert results == [i * i for i in range(12)]
    assert sorted(done_by) == list(range(12))
    assert done_by[0] == done_by[1] == "pool" and done_by[2] == "here"  # two slots, then this process
    assert {"pool", "here"} == set(done_by.values())

    def failing(i, where):
        if i == 3:
            raise ValueError(f"job {i} failed {where}")
        return i

    for slots in (2, 4):  # job 3 done here, then in the pool
        got = []
        with ThreadPoolExecutor(1) as pool, pytest.raises(ValueError, match="job 3 failed"):
            for r in share(jobs, lambda i: pool.submit(failing, i, "pool"), lambda i: failing(i, "here"), slots):
                got.append(r)
        assert got == list(range(len(got))) and len(got) <= 3


def test_the_pool_is_not_left_with_a_queue_when_this_process_runs_out_of_jobs():
    """processes.share near the end: the flow's process notices a free slot only between its own
    chunks, so two queued chunks per pool process would leave it waiting for the pool's last two
    (measured: 2.8 s idle at 2,000 files). With no more jobs left than slots, the pool gets one."""
    from mint_census.publications.processes import share

    done_by: dict[int, str] = {}

    class Later:  # a pool job that is done once this process has done four jobs
        def __init__(self, i):
            self.i = i

        def done(self):
            return sum(w == "here" for w in done_by.values()) >= 4

        def result(self):
            done_by[self.i] = "pool"
            return self.i

    def here(i):
        done_by[i] = "here"
        return i

    assert list(share([(i,) for i in range(8)], Later, here, slots=2)) == list(range(8))
    assert done_by == {0: "pool", 1: "pool", 2: "here", 3: "here", 4: "here", 5: "here", 6: "pool", 7: "here"}


@needs_soffice
@needs_reference
def test_libreoffice_files_through_the_shared_reading_and_the_report_pool_equal_the_serial_ingest(
        prefect, home, tmp_path, reference, lo_profile, monkeypatch):  # noqa: F811
    """Files as coordinators send them (the real template filled by its German labels, saved by
    LibreOffice) through `--workers 2` (a pool process and the flow's own read the chunks) and the
    report pool (the overview written in its process beside the reports): the warehouse, the check
    reports and the overview equal those of the serial ingest."""
    from mint_census.flows.cli import main
    from mint_census.flows.pipeline import ingest_flow
    from mint_census.publications.checkreports import reports

    from .test_checkreport_xlsx import _report_contents
    from .test_loop_libreoffice import ANSWERS, _partner_labels

    year = 2024  # not 2025: tests/test_flows.py reads the 2025 artifacts of the session's server
    answers = {k: v for k, v in ANSWERS.items()  # the 2024 form: "Hauptamtliches Personal", no MINT-Cluster
               if k not in {("Netzwerk", "Bezahltes Personal"), ("Netzwerk", "Zugleich MINT-Cluster (BMBF)")}}
    answers[("Netzwerk", "Hauptamtliches Personal")] = 1.5
    out = tmp_path / "versand"
    ids = ("MR-001", "MR-002", "MR-003")
    assert main(["template", "--home", str(home), "--year", str(year), "--out", str(out),
                 *[a for nid in ids for a in ("--network", nid)]]) == 0
    filled = []
    for nid, meetings in zip(ids, (6, 60, 12)):  # MR-002: one error (at most 52 meetings)
        template = out / f"Erhebungsbogen_{year}_{nid}.xlsx"
        partners = {("Partner", label): 2 for label in _partner_labels(template)}
        filled.append(fill(template, {**answers, **partners, ("Netzwerk", "Netzwerktreffen pro Jahr"): meetings,
                                      ("Gebiet", "Kreis", 2): kreis_choice(template, "05316"),
                                      ("Gebiet", "Abdeckung", 2): "teilweise"},
                           tmp_path / "filled" / template.name))
    libreoffice_save(filled, Home(home).inbox(year), lo_profile)
    serial = tmp_path / "serial"
    shutil.copytree(home, serial)
    steps.ingest_year(Home(serial), year, None, reference)

    monkeypatch.setattr(steps, "CHUNK", 1)  # three chunks: two to the pool's process, one read here
    monkeypatch.setattr(reports, "report_processes", lambda jobs: 2)  # the report pool, as for a large run
    summary = ingest_flow(year, str(home), None, None, workers=2)
    assert (summary.files, summary.rejected) == (3, 1)
    mine, theirs = contents(home), contents(serial)
    assert mine["core.networks"] and mine == theirs
    shared, alone = Home(home).reports(year), Home(serial).reports(year)
    assert sorted(p.name for p in shared.iterdir()) == sorted(p.name for p in alone.iterdir())
    assert "MR-002_Pruefbericht.xlsx" in {p.name for p in shared.iterdir()}
    assert _report_contents(shared) == _report_contents(alone)
