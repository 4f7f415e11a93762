"""The real Prefect flows and the command line (one Prefect test harness per session)."""

from __future__ import annotations

import asyncio
import json

import duckdb
import pytest

from mint_census.flows.cli import main
from mint_census.flows.home import Home

from .conftest import REFERENCE_DIR, full_answers, tweak


def _artifacts(key: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def read():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

    return asyncio.run(read())


def _progress_artifacts() -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterType

    async def read():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(type=ArtifactFilterType(any_=["progress"])))

    return asyncio.run(read())


def test_run_flow_end_to_end(prefect, home, make_workbook, capsys, monkeypatch):
    import prefect.futures

    from mint_census.flows import pipeline
    monkeypatch.setattr(pipeline.ProgressArtifacts, "SHOW_AFTER", 0.0)  # every stage, however short

    walked = []  # what each finishing flow run hands Prefect to search for futures
    original = prefect.futures.visit_collection
    monkeypatch.setattr(prefect.futures, "visit_collection",
                        lambda expr, *a, **k: walked.append(type(expr).__name__) or original(expr, *a, **k))
    make_workbook("a.xlsx", network_id="MR-001")
    make_workbook("b.xlsx", full_answers(network_id="MR-002"), network_id="MR-002")
    make_workbook("c.xlsx", tweak(full_answers(network_id="MR-003"), founded_year=2031), network_id="MR-003")
    ref = ["--reference", str(REFERENCE_DIR)] if REFERENCE_DIR else []
    code = main(["run", "--year", "2025", "--home", str(home), *ref])
    out = capsys.readouterr().out
    assert code == 3, out  # finished, one workbook rejected
    assert out.startswith("mint-census run --year 2025: starting")  # printed before Prefect starts
    assert "3 files: 2 accepted, 0 accepted with warnings, 1 rejected" in out
    # one line per rejected file naming its first error in German, as the check report says it
    assert "rejected: c.xlsx (MR-003): 1 error(s), first: Netzwerk!B9 – Gründungsjahr" in out
    # the ingest's summary (a row per file and per network) goes back quoted: Prefect does not walk it
    assert "IngestSummary" not in walked and "tuple" not in walked and walked.count("quote") == 2, walked
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT network_id FROM core.networks ORDER BY 1").fetchall() == [("MR-001",), ("MR-002",)]
    assert con.execute("SELECT networks FROM pub.growth WHERE census_year = 2025").fetchone() == (3,)
    con.close()
    report = (home / "reports" / "2025" / "MR-003_Pruefbericht.txt").read_text(encoding="utf-8")
    assert "Netzwerk!B9 – Gründungsjahr" in report and "abgelehnt" in report
    pub = home / "publication" / "2025"
    assert (pub / "MINT-Regionen_2025_Tabellen.xlsx").is_file()
    assert (pub / "abbildungen" / "wachstum.svg").is_file()
    # the run's artifacts: one row per file, and never personal data
    table = sorted(_artifacts("ingest-2025"), key=lambda a: a.created, reverse=True)  # this run's: the newest
    assert table, "table artifact missing"
    rows = json.loads(table[0].data) if isinstance(table[0].data, str) else table[0].data
    assert sorted((r["Datei"], r["Status"]) for r in rows) == [
        ("a.xlsx", "accepted"), ("b.xlsx", "accepted"), ("c.xlsx", "rejected")]
    everything = json.dumps([a.data for a in table + _artifacts("ingest-summary-2025")], default=str)
    # the console's progress also as Prefect progress artifacts (reading and checking, 3 of 3)
    assert {"Lesen 2025: 3/3", "Prüfen 2025: 3/3"} <= {a.description for a in _progress_artifacts()}
    # and publishing, part by part (tables, 3 figures, map, comparison, report, PDF)
    assert "Veröffentlichen 2025: 8/8" in {a.description for a in _progress_artifacts()}
    assert "Anna Beispiel" not in everything and "anna.beispiel@example.org" not in everything
    # run = ingest + publish + snapshot: the researchers' copy exists and the invariants hold
    assert (home / "published" / "2025.1" / "mint_census_2025.duckdb").is_file()
    assert (home / "published" / "LATEST").read_text(encoding="utf-8").strip() == "2025.1"
    assert main(["check-warehouse", "--home", str(home)]) == 0
    assert "all invariants hold" in capsys.readouterr().out
    log = (home / "logs" / "mint-census.log").read_text(encoding="utf-8")
    assert "Anna Beispiel" not in log and "anna.beispiel" not in log


def test_exit_codes_for_bad_usage_and_configuration(tmp_path, capsys):
    home = tmp_path / "h"
    assert main(["ingest", "--home", str(home)]) == 2                       # --year missing
    assert main(["frobnicate"]) == 2
    assert main(["ingest", "--year", "2025", "--home", str(home)]) == 2     # no register
    assert "register" in capsys.readouterr().err
    (home / "register.csv").write_text("network_id;network_name\nMR-1;x\n", encoding="utf-8")
    assert main(["ingest", "--year", "2025", "--home", str(home)]) == 2     # broken register
    assert "Es fehlen die Spalten network_type, land_code, kreise" in capsys.readouterr().err
    assert main(["publish", "--year", "2025", "--home", str(home)]) == 2    # no warehouse
    assert main(["ingest", "--year", "2019", "--home", str(home)]) == 2     # no survey that year
    assert main(["ingest", "--year", "2025", "--home", str(home), "--reference", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_second_writer_gets_a_clear_message(home, capsys):
    """Another process holds the warehouse: a second staff member's ingest stops at once, clearly."""
    import subprocess
    import sys

    (home / "inbox" / "2025").mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from mint_census.warehouse.lock import hold\n"
         "from mint_census.flows.home import Home\n"
         "with hold(Home(Path(sys.argv[1])).writer_lock, 'ingest --year 2025'):\n"
         "    print('ready', flush=True); time.sleep(60)", str(home)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert main(["ingest", "--year", "2025", "--home", str(home)]) == 1
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert "another run holds the warehouse since" in err and "Traceback" not in err


def test_every_command_is_documented_in_the_readme():
    from pathlib import Path

    from mint_census.flows.cli import build_parser

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"demo", "template", "ingest", "publish", "snapshot", "run", "check-warehouse",
                             "retention", "server", "serve", "register", "send-out", "remind", "answer",
                             "rebuild"}
    for name in commands:
        assert f"mint-census {name}" in readme, name


def test_template_command_writes_one_workbook_per_network(home, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["template", "--year", "2025", "--out", str(out), "--home", str(home)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "Erhebungsbogen_2025_MR-001.xlsx", "Erhebungsbogen_2025_MR-002.xlsx", "Erhebungsbogen_2025_MR-003.xlsx"]
    assert main(["template", "--year", "2025", "--out", str(out), "--home", str(home), "--blank"]) == 0
    assert (out / "Erhebungsbogen_2025_leer.xlsx").is_file()
    assert main(["template", "--year", "2025", "--out", str(out), "--home", str(home), "--network", "MR-999"]) == 2


def test_serve_registers_the_deployments_of_a_year(prefect, home):
    """`mint-census serve` registers ingest (on a schedule), run and publish; the Prefect client
    lists them on the server, with their parameters and the ingest schedule."""
    from prefect.client.orchestration import get_client

    from mint_census.flows.pipeline import register_deployments

    names = register_deployments(2025, str(home), None, schedule="0 7 * * 1-5")
    assert names == ["mint-census-ingest/ingest-2025", "mint-census-run/run-2025", "mint-census-publish/publish-2025"]

    async def read():
        async with get_client() as client:
            return {d.name: d for d in await client.read_deployments()}

    found = asyncio.run(read())
    assert {"ingest-2025", "run-2025", "publish-2025"} <= set(found)
    ingest = found["ingest-2025"]
    assert ingest.parameters["year"] == 2025 and ingest.parameters["home"] == str(home)
    assert [s.schedule.cron for s in ingest.schedules] == ["0 7 * * 1-5"]
    assert not found["run-2025"].schedules and not found["publish-2025"].schedules
    assert ingest.entrypoint == "mint_census.flows.pipeline.ingest_flow"


def test_serve_without_a_server_is_a_usage_error(home, monkeypatch, capsys):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert main(["serve", "--year", "2025", "--home", str(home)]) == 2
    assert "PREFECT_API_URL" in capsys.readouterr().err


def test_run_of_a_year_with_nothing_accepted_stops_before_publishing(prefect, home, make_workbook, capsys):
    make_workbook("c.xlsx", tweak(full_answers(network_id="MR-003"), founded_year=2031), network_id="MR-003")
    code = main(["run", "--year", "2025", "--home", str(home)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "1 files: 0 accepted, 0 accepted with warnings, 1 rejected" in out   # the ingest ran
    assert ("run --year 2025: no workbook of 2025 has been accepted, so nothing was published and no "
            "snapshot written") in err and "--allow-empty" in err
    assert (home / "reports" / "2025" / "MR-003_Pruefbericht.xlsx").is_file()
    assert not (home / "publication" / "2025").exists()
    assert not (home / "published" / "LATEST").exists()
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT file_name, status FROM meta.submissions").fetchall() == [("c.xlsx", "rejected")]
    con.close()


def test_flow_parameters_go_to_the_server_as_they_are():
    from pathlib import Path

    from mint_census.flows.pipeline import CensusFlow, ingest_flow, publish_flow, run_flow, snapshot_flow

    assert all(isinstance(f, CensusFlow) for f in (ingest_flow, publish_flow, run_flow, snapshot_flow))
    assert isinstance(publish_flow.with_options(name="other"), CensusFlow)
    plain = {"year": 2025, "home": "/census", "reference": None, "lang": "de", "allow_empty": False}
    assert publish_flow.serialize_parameters(plain) == plain
    # Any other value takes Prefect's own way (FastAPI's encoder): a path becomes its text.
    assert publish_flow.serialize_parameters({"year": 2025, "home": Path("/census")}) == {"year": 2025,
                                                                                          "home": "/census"}


def test_command_flow_runs_send_no_heartbeats_unless_staff_ask(monkeypatch):
    import contextlib

    from prefect.settings import get_current_settings

    from mint_census.flows.cli import _no_heartbeats

    for name in ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY"):
        monkeypatch.delenv(name, raising=False)
    before = get_current_settings().flows.heartbeat_frequency
    assert before is not None  # Prefect's default: every 180 s, and ending a run waits up to 1 s for it
    with contextlib.ExitStack() as settings:
        _no_heartbeats(settings)
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == before
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 90}), contextlib.ExitStack() as settings:
        _no_heartbeats(settings)  # set in a profile: kept
        assert get_current_settings().flows.heartbeat_frequency == 90
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")  # staff who want them keep them
    with contextlib.ExitStack() as settings:
        _no_heartbeats(settings)
        assert get_current_settings().flows.heartbeat_frequency == before


def test_a_stage_gets_a_progress_artifact_only_once_it_has_run_a_second(monkeypatch):
    from mint_census.flows import pipeline
    calls = []
    monkeypatch.setattr(pipeline, "create_progress_artifact",
                        lambda progress, description: calls.append(("create", progress, description)) or "id")
    monkeypatch.setattr(pipeline, "update_progress_artifact",
                        lambda artifact_id, progress, description: calls.append(("update", progress, description)))
    now = [100.0]
    bars = pipeline.ProgressArtifacts(2025, clock=lambda: now[0])
    bars("Lesen", 0, 1)
    now[0] += 0.4
    bars("Lesen", 1, 1)  # over within 0.4 s: no artifact
    bars("Prüfen", 0, 500)
    now[0] += 0.99
    bars("Prüfen", 250, 500)
    assert calls == []
    now[0] += 0.02  # 1.01 s after its first report
    bars("Prüfen", 260, 500)
    now[0] += 5
    bars("Prüfen", 262, 500)  # less than 1 % more: not sent
    bars("Prüfen", 500, 500)
    assert calls == [("create", 52.0, "Prüfen 2025: 260/500"), ("update", 100.0, "Prüfen 2025: 500/500")]
