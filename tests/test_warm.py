"""Warm processes of `mint-census server` (flows/warm.py): a command run there does what the cold
command does — the same warehouse rows, check reports, console output and exit code — and the
socket is used only when it is the user's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from mint_census.flows import ledger, warm
from mint_census.flows.cli import configure_environment
from mint_census.flows.home import Home

from .conftest import full_answers, needs_reference, register_frame, tweak
from .filler import SOFFICE, libreoffice_save, lo_profile  # noqa: F401
from mint_census.schemas.template import write_workbook
from mint_census.sources.register import write_register

SCRIPT = Path(sys.executable).with_name("mint-census")


@pytest.fixture
def run_dir(monkeypatch):
    """A short private directory for the sockets (a Unix socket path has at most 107 bytes)."""
    d = Path(tempfile.mkdtemp(prefix="mcw"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(d))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _workbooks(folder: Path, profile: Path) -> Path:
    """Three workbooks, one rejected; where LibreOffice is installed (CI) MR-002's is saved again
    through it, as coordinators send them."""
    folder.mkdir(parents=True)
    write_workbook(folder / "Erhebungsbogen_2025_MR-001.xlsx", 2025, "MR-001", full_answers(2025, "MR-001"))
    second = folder.parent / "written" / "Erhebungsbogen_2025_MR-002.xlsx"
    second.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(second, 2025, "MR-002", full_answers(2025, "MR-002"))
    if SOFFICE:
        libreoffice_save([second], folder, profile)
    else:
        shutil.copyfile(second, folder / second.name)
    bad = tweak(full_answers(2025, "MR-003"), meetings_per_year="ca. 6")
    write_workbook(folder / "Erhebungsbogen_2025_MR-003.xlsx", 2025, "MR-003", bad)
    return folder


def _home(root: Path, workbooks: Path) -> Path:
    """A home with the same files (byte for byte: a workbook written a second later differs in its
    timestamps, and so in its SHA-256)."""
    shutil.copytree(workbooks, root / "inbox" / "2025")
    write_register(register_frame(), root / "register.csv")
    return root


def _command(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *argv], capture_output=True, text=True, env=env, timeout=300)


def _rows(home: Path) -> dict:
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        out = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
               for t in ("core.networks", "core.districts", "core.offers", "core.partners", "core.funding")}
        out["meta.submissions"] = con.execute(
            "SELECT network_id, file_name, file_sha256, status, errors, warnings, loaded FROM meta.submissions "
            "ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def _same_text(out: str, home: Path) -> list[str]:
    """Console lines without the home's path and the seconds a run took."""
    import re
    text = out.replace(str(home), "<home>")
    return [re.sub(r"\d+\.\d s\)", "s)", line) for line in text.splitlines()]


@needs_reference
@pytest.mark.skipif(not SCRIPT.exists(), reason="the mint-census console script is not installed")
def test_a_command_in_the_warm_process_does_what_the_cold_one_does(prefect, tmp_path, run_dir, lo_profile):  # noqa: F811
    from prefect.settings import PREFECT_API_URL
    url = PREFECT_API_URL.value()
    env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop(warm.OFF, None)
    own = dict(env)
    configure_environment(Home(tmp_path), False, own)  # what the client computes (PREFECT_HOME is set)
    host = warm.Host(url, tmp_path / "warm.log")
    assert host.start(own) is None
    try:
        deadline = time.monotonic() + 180
        while not warm.ready(url, own):
            assert time.monotonic() < deadline, (tmp_path / "warm.log").read_text()
            time.sleep(0.5)
        workbooks = _workbooks(tmp_path / "workbooks", lo_profile)
        cold_home, warm_home = _home(tmp_path / "cold", workbooks), _home(tmp_path / "warm", workbooks)
        cold = _command(["ingest", "--year", "2025", "--home", str(cold_home)], {**env, warm.OFF: "0"})
        box = Home(warm_home).inbox(2025)  # older than the ledger's margin for coarse clocks (see below)
        time.sleep(max(0.0, max(p.stat().st_ctime for p in [box, *box.iterdir()]) + ledger.RACY_NS / 1e9
                       + 0.2 - time.time()))
        hot = _command(["ingest", "--year", "2025", "--home", str(warm_home)], env)

        assert cold.returncode == hot.returncode == 3, cold.stderr + hot.stderr  # one workbook rejected
        assert "in a warm process of `mint-census server`" in hot.stdout.splitlines()[0]
        assert "warm process" not in cold.stdout
        assert _same_text(hot.stdout, warm_home)[1:] == _same_text(cold.stdout, cold_home)[1:]
        assert "Netzwerk!B19" in hot.stdout  # the rejected file's cell, on the caller's console
        assert hot.stderr == cold.stderr == ""
        assert _rows(warm_home) == _rows(cold_home)
        assert [n for (n, *_rest) in _rows(warm_home)["core.networks"]] == ["MR-001", "MR-002"]
        reports = sorted(p.name for p in (warm_home / "reports" / "2025").rglob("*.xlsx"))
        assert reports == sorted(p.name for p in (cold_home / "reports" / "2025").rglob("*.xlsx"))
        assert any("MR-003" in name for name in reports)
        assert (warm_home / "logs" / "mint-census.log").stat().st_size > 0  # the command's own log

        # The same ingest again: the console script answers from the ledger the warm process wrote
        # (flows/ledger.py; the files were older than its margin for coarse clocks when it listed them).
        again = _command(["ingest", "--year", "2025", "--home", str(warm_home)], env)
        assert again.returncode == 3, again.stderr
        assert again.stdout.startswith("mint-census ingest --year 2025: nothing changed since the ingest of ")
        assert _same_text(again.stdout, warm_home)[3:] == _same_text(hot.stdout, warm_home)[2:]

        # The zygote checked the home's register after the ingest, while idle: the next ingest that
        # runs a flow (here: without the ledger) takes it from there, with the same result.
        ledger.ledger_path(Home(warm_home), 2025).unlink()
        log_size = (warm_home / "logs" / "mint-census.log").stat().st_size
        third = _command(["ingest", "--year", "2025", "--home", str(warm_home)], env)
        assert third.returncode == 3, third.stderr
        assert "unchanged since their last check, not read again (earlier result stands): 3 files" in third.stdout
        with open(warm_home / "logs" / "mint-census.log", encoding="utf-8") as fh:
            fh.seek(log_size)
            assert fh.read().count("checked ahead by the warm process") == 1
        core = lambda rows: {t: v for t, v in rows.items() if t.startswith("core.")}  # noqa: E731
        assert core(_rows(warm_home)) == core(_rows(cold_home))

        # The publication: drawn in a fork of the warm process (publications.drawing.prestart),
        # the same files as the cold command's spawned drawing process draws.
        cold_pub = _command(["publish", "--year", "2025", "--home", str(cold_home)], {**env, warm.OFF: "0"})
        hot_pub = _command(["publish", "--year", "2025", "--home", str(warm_home)], env)
        assert cold_pub.returncode == hot_pub.returncode == 0, cold_pub.stderr + hot_pub.stderr
        assert "in a warm process" in hot_pub.stdout.splitlines()[0]
        assert _same_text(hot_pub.stdout, warm_home)[1:] == _same_text(cold_pub.stdout, cold_home)[1:]
        figures = sorted(p.name for p in (cold_home / "publication" / "2025" / "abbildungen").iterdir())
        assert "karte_kreise.png" in figures and "wachstum.svg" in figures
        for name in figures:
            assert (warm_home / "publication" / "2025" / "abbildungen" / name).read_bytes() == \
                (cold_home / "publication" / "2025" / "abbildungen" / name).read_bytes(), name

        # A usage error: the caller's stderr and exit code 2, from the warm process.
        bad = _command(["ingest", "--year", "1999", "--home", str(warm_home)], env)
        assert bad.returncode == 2, bad.stderr
        assert bad.stderr == "error: --year 1999: expected a census year from 2013\n"
        assert len(bad.stdout.splitlines()) == 1  # the first line only, as from the cold command

        # Never twice: a caller that goes away before its go-ahead leaves nothing run.
        gone_home = _home(tmp_path / "gone", workbooks)
        _handed_over_then_gone(url, own, ["mint-census", "ingest", "--year", "2025", "--home", str(gone_home)])
        assert not (gone_home / "warehouse").exists() and not (gone_home / "logs").exists()

        # Other settings (here the Prefect log level): that command runs cold, and the host starts a
        # warm process for them, ready for the next one.
        verbose_env = {**env, "PREFECT_LOGGING_LEVEL": "ERROR"}
        first = _command(["snapshot", "--year", "2025", "--home", str(warm_home)], verbose_env)
        assert first.returncode == 0, first.stderr
        assert "warm process" not in first.stdout
        deadline = time.monotonic() + 180
        while not warm.ready(url, {**own, "PREFECT_LOGGING_LEVEL": "ERROR"}):
            assert time.monotonic() < deadline, (tmp_path / "warm.log").read_text()
            time.sleep(0.5)
        again = _command(["snapshot", "--year", "2025", "--home", str(warm_home)], verbose_env)
        assert again.returncode == 0, again.stderr
        assert "in a warm process" in again.stdout.splitlines()[0]
    finally:
        host.close()
    assert not host.path.exists()


def _handed_over_then_gone(url: str, env: dict, argv: list[str]) -> None:
    """A caller that hands a command over, gets the child's process id and leaves without the
    go-ahead (as on a timeout or Ctrl+C at that moment): the child must end without running it."""
    import socket
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(warm.socket_path(url, warm.private_dir())))
    data = warm._frame({"op": "run", "fp": warm.fingerprint(env), "executable": sys.executable, "argv": argv,
                        "cwd": os.getcwd(), "env": env, "umask": 0o022, "limits": {}})
    with open(os.devnull, "w") as null:
        socket.send_fds(sock, [data], [null.fileno()] * 3)
    reply = warm._read_frame(sock)
    assert set(reply) == {"pid"}, reply
    sock.close()
    pid = int(reply["pid"])
    deadline = time.monotonic() + 30
    while _running(pid):
        assert time.monotonic() < deadline, "the child went on"
        time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; its parent (the zygote) reaps it later


def test_the_fingerprint_follows_code_and_startup_settings_only(monkeypatch):
    env = {"PREFECT_API_URL": "http://127.0.0.1:4200/api", "HOME": "/home/staff", "PWD": "/a", "TERM": "xterm"}
    fp = warm.fingerprint(env)
    assert warm.fingerprint({**env, "PWD": "/b", "TERM": "dumb", "OLDPWD": "/c", "MINT_CENSUS_HOME": "/srv/census",
                             "MINT_CENSUS_SMTP_PASSWORD": "secret", warm.OFF: "1"}) == fp
    for key, value in (("PREFECT_HOME", "/x"), ("PREFECT_API_URL", "http://127.0.0.1:4300/api"),
                       ("MINT_CENSUS_PROCESS_POOL", "0"), ("LANG", "C"), ("PYTHONPATH", "/y")):
        assert warm.fingerprint({**env, key: value}) != fp, key
    assert warm.fingerprint(env, stamp="other code") != warm.fingerprint(env, stamp=warm.code_stamp())


def test_a_changed_code_file_changes_the_stamp(tmp_path, monkeypatch):
    pkg = tmp_path / "flows"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(warm, "_code_files", lambda: [str(pkg)])
    before = warm.code_stamp()
    assert warm.code_stamp() == before
    (pkg / "a.py").write_text("x = 22\n")
    assert warm.code_stamp() != before


def test_the_socket_directory_must_be_the_users_own(run_dir):
    d = warm.private_dir(create=True)
    assert d == warm.socket_dir() and (os.stat(d).st_mode & 0o777) == 0o700
    os.chmod(d, 0o755)  # others could reach the socket: never used
    assert warm.private_dir() is None
    assert warm.run_warm(["mint-census", "ingest"], {"PREFECT_API_URL": "http://127.0.0.1:1/api"}) is None
    os.chmod(d, 0o700)
    assert warm.private_dir() == d
    os.rmdir(d)
    (run_dir / "elsewhere").mkdir(mode=0o700)
    os.symlink(run_dir / "elsewhere", d)  # a symbolic link: never followed
    assert warm.private_dir() is None
    os.unlink(d)


def test_without_a_listening_server_the_command_runs_itself(run_dir):
    assert warm.run_warm(["mint-census", "ingest"], {"PREFECT_API_URL": "http://127.0.0.1:1/api"}) is None
    d = warm.private_dir(create=True)
    warm.socket_path("http://127.0.0.1:1/api", d).write_text("")  # a stale file, nobody listens
    assert warm.run_warm(["mint-census", "ingest"], {"PREFECT_API_URL": "http://127.0.0.1:1/api"}) is None
    assert not warm.wanted("ingest", {})  # no server named
    assert not warm.wanted("ingest", {"PREFECT_API_URL": "x", warm.OFF: "0"})
    assert not warm.wanted("serve", {"PREFECT_API_URL": "x"})
    assert warm.wanted("publish", {"PREFECT_API_URL": "x"})


def test_settings_files_in_the_working_directory_keep_a_command_cold(tmp_path):
    """Prefect and matplotlib read these when imported; the zygote imported them elsewhere."""
    assert warm.local_settings(str(tmp_path)) is None
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / ".env").write_text("OTHER=1\n")
    assert warm.local_settings(str(tmp_path)) is None
    (tmp_path / ".env").write_text("PREFECT_LOGGING_LEVEL=DEBUG\n")
    assert warm.local_settings(str(tmp_path)) == ".env"
    (tmp_path / ".env").unlink()
    (tmp_path / "pyproject.toml").write_text("[tool.prefect]\nlogging.level = 'DEBUG'\n")
    assert warm.local_settings(str(tmp_path)) == "pyproject.toml"
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "matplotlibrc").write_text("font.size: 20\n")
    assert warm.local_settings(str(tmp_path)) == "matplotlibrc"


def test_the_caller_waits_for_the_exit_code_however_long_the_command_takes():
    """The hand-over has a time limit; the command itself has none (a 60 s ingest once lost its
    exit code to the hand-over's 20 s)."""
    import socket
    import threading
    ours, theirs = socket.socketpair()
    ours.settimeout(0.2)  # as left by the hand-over, here shorter than the command
    threading.Timer(0.6, lambda: theirs.sendall(warm._frame({"exit": 3}))).start()
    assert warm._wait_for(ours, os.getpid(), []) == 3
    theirs.close()


def test_the_zygote_checks_the_register_of_an_ingest_or_run_home_only(tmp_path, capfd):
    def files(argv, cwd=tmp_path, env=None):
        return warm.register_files(warm._frame({"argv": ["mint-census", *argv], "cwd": str(cwd),
                                                "env": env or {}})[4:])

    home = Home(tmp_path / "h")
    assert files(["ingest", "--year", "2025", "--home", str(home.root)]) == (home.register, home.register_events)
    assert files(["run", "--year", "2025", "--home", "h"]) == (home.register, home.register_events)  # the caller's cwd
    assert files(["ingest", "--year", "2025", "--home=h"]) == (home.register, home.register_events)
    # without --home: the caller's MINT_CENSUS_HOME (not the zygote's), else ./data
    assert files(["ingest", "--year", "2025"], env={"MINT_CENSUS_HOME": str(home.root)}) == \
        (home.register, home.register_events)
    assert files(["ingest", "--year", "2025"]) == (Home(tmp_path / "data").register, Home(tmp_path / "data").register_events)
    assert files(["publish", "--year", "2025", "--home", str(home.root)]) is None
    assert files(["ingest", "--help"]) is None  # reads no register
    assert files(["ingest", "--home"]) is None  # a line the command itself refuses
    assert warm.register_files(b"not json") is None
    assert capfd.readouterr() == ("", "")  # never a word on the zygote's streams


def test_a_register_checked_ahead_is_used_while_its_files_are_unchanged(tmp_path, caplog):
    from mint_census.sources import register as registers
    path = tmp_path / "register.csv"
    write_register(register_frame(), path)
    events = registers.events_path(path)
    registers._CHECKED.clear()
    warm.check_register_ahead(path, events)
    assert registers._AHEAD and registers._AHEAD == list(registers._CHECKED)
    with caplog.at_level("INFO", logger="mint_census.sources.register"):
        first = registers.read_register(path)
        second = registers.read_register(path)
    assert caplog.text.count("checked ahead by the warm process") == 1  # said once
    assert first.equals(second) and list(first["network_id"]) == ["MR-001", "MR-002", "MR-003"]
    # a valid edit after the check: read anew, and not as "checked ahead"
    warm.check_register_ahead(path, events)
    renamed = register_frame()
    renamed.loc[1, "network_name"] = "Netz Süd"
    write_register(renamed, path)
    caplog.clear()
    with caplog.at_level("INFO", logger="mint_census.sources.register"):
        assert registers.read_register(path).loc[1, "network_name"] == "Netz Süd"
    assert "checked ahead" not in caplog.text
    # a register with problems is not kept ahead, and the command still sees its problems
    events.write_text(events.read_text(encoding="utf-8") + "MR-999;2020-01-01;aufgenommen;;;\n", encoding="utf-8")
    warm.check_register_ahead(path, events)
    assert registers._CHECKED == {} and registers._AHEAD == []
    with pytest.raises(registers.RegisterError):
        registers.read_register(path)


def test_a_register_replaced_while_it_is_read_is_not_kept(tmp_path, monkeypatch):
    from mint_census.sources import register as registers
    path = tmp_path / "register.csv"
    write_register(register_frame(), path)
    registers._CHECKED.clear()
    original = registers._read_register

    def read_then_replaced(*args):
        checked = original(*args)
        renamed = register_frame()
        renamed.loc[0, "network_name"] = "Netz Neu"
        write_register(renamed, path)  # saved by someone while the check ran
        return checked
    monkeypatch.setattr(registers, "_read_register", read_then_replaced)
    assert registers.read_register(path).loc[0, "network_name"] == "Netz MR-001"
    assert registers._CHECKED == {}  # not kept under either version's hash
    monkeypatch.setattr(registers, "_read_register", original)
    assert registers.read_register(path).loc[0, "network_name"] == "Netz Neu"


def test_the_children_take_prefects_logging_configuration_from_the_zygote(monkeypatch, tmp_path):
    import logging
    import logging.config

    import prefect.context
    from prefect.logging import configuration

    from mint_census.flows import cli
    monkeypatch.setattr(cli, "_PREFECT_LOGGING", None)
    monkeypatch.setattr(configuration, "PROCESS_LOGGING_CONFIG", {})
    monkeypatch.setattr(prefect.context, "GLOBAL_SETTINGS_CONTEXT", prefect.context.GLOBAL_SETTINGS_CONTEXT)
    # as in a child before the set-up: no handler of the command's own on the root logger yet (an
    # earlier test's command may have left its log file's handler there)
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    profiles = tmp_path / "profiles.toml"  # a profiles file outside PREFECT_HOME
    profiles.write_text('active = "census"\n\n[profiles.census]\n', encoding="utf-8")
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(profiles))
    for name in [n for n in os.environ if n.startswith("PREFECT_LOGGING_")]:
        monkeypatch.delenv(name)  # an earlier test's command may have set the level (they win over a profile)

    def settings_read_now():
        """The settings as a process started now reads them (the zygote at its start, a child
        after its refresh), whatever settings context this test process is in."""
        return prefect.context.root_settings_context()

    with settings_read_now():
        cli.prepare_prefect_logging()  # what the zygote does once
        key, prepared = cli._PREFECT_LOGGING
        assert prepared == configuration.load_logging_config(Path(key[0][0]))
    applied, loaded = [], []
    monkeypatch.setattr(logging.config, "dictConfig", applied.append)  # the process's logging stays as it is
    real_load = configuration.load_logging_config
    monkeypatch.setattr(configuration, "load_logging_config", lambda path: loaded.append(path) or real_load(path))

    with settings_read_now():
        cli._prefect_logging_as_cold()  # a child under the same settings: Prefect's set-up, the zygote's dict
    assert loaded == [] and len(applied) == 1
    assert applied[0] == {**prepared, "incremental": False} and applied[0] is not prepared
    assert "incremental" not in prepared  # a copy each time: what dictConfig is given never changes it

    before = prepared["loggers"]["prefect"]["level"]
    other, third = [level for level in ("CRITICAL", "ERROR", "DEBUG") if level != before][:2]
    profiles.write_text(f'active = "census"\n\n[profiles.census]\nPREFECT_LOGGING_LEVEL = "{other}"\n',
                        encoding="utf-8")  # the profile edited (`prefect config set`): computed anew
    with settings_read_now():
        cli._prefect_logging_as_cold()
    assert len(loaded) == 1 and len(applied) == 2
    assert applied[1]["loggers"]["prefect"]["level"] == other

    monkeypatch.setenv("PREFECT_LOGGING_LOGGERS_PREFECT_LEVEL", third)  # other variables: computed anew
    with settings_read_now():
        cli._prefect_logging_as_cold()
    assert len(loaded) == 2 and len(applied) == 3
    assert applied[2]["loggers"]["prefect"]["level"] == third
