"""Warm processes: `mint-census server` runs flow commands without Python's start-up.

A flow command that starts cold spends about 2 s importing Prefect, pandas, pandera, DuckDB and
openpyxl before it reads the first workbook; a one-workbook ingest does 1 s of work after that.
`mint-census server` therefore keeps, beside the Prefect server, a *host* that listens on a Unix
socket, and per set of settings a *zygote*: a process that has imported everything a flow command
needs and then only waits. `ingest`, `publish`, `run` and `snapshot`, with PREFECT_API_URL naming
that server, hand their command line to the host; the zygote forks a child that runs the command
exactly as the cold command would (the same `cli.main`), with the caller's working directory,
environment, umask, resource limits and its very stdin, stdout and stderr (passed over the
socket), and sends back the exit code. Ctrl+C in the caller's terminal is forwarded to the child.
The child sends its process id first and runs the command only after the caller's go-ahead: a
hand-over that fails before that runs the command cold, never twice.

When is a zygote used? Only when it was started under the same settings as the command's own: the
same Python, the same installed code (every file of the package and the site-packages
directories, by size and modification time), the same environment variables that decide how
Prefect and the libraries start (PREFECT_*, MINT_CENSUS_*, PYTHON*, MPL*, LD_*, locale, TZ, HOME,
…) and the same Prefect settings files (`fingerprint`); settings files for Prefect or matplotlib
in the working directory keep a command cold (`local_settings`).
A command whose settings have no ready zygote runs cold, as before, and the host starts one for
them, ready for the next command; `mint-census server` prepares one at once for its own settings.
Changed code therefore never runs stale: the next command runs cold and a new zygote is made.
MINT_CENSUS_WARM=0 keeps a command (or, set for the server, the server) cold.

Safety: the socket lives in a directory of the user's own (mode 0700, not a symbolic link,
checked before every use); host and caller each check that the other is the same user
(SO_PEERCRED).
The zygote runs with the caller's environment and is started with `python -P` (no working
directory on sys.path), in its own session, so that Ctrl+C in the server's window stops the
server, not a command that is running. A zygote ends when the server ends or after an hour
without a command; children that are running go on to their end.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import stat
import struct
import sys
import tempfile
from pathlib import Path

# Commands that may run in a warm process: flow commands that end (not `serve`, which runs until
# stopped; not `demo`, which owns its home and is run once).
WARM_COMMANDS = frozenset({"ingest", "publish", "run", "snapshot"})
OFF = "MINT_CENSUS_WARM"  # "0": never warm
IDLE_SECONDS = 3600  # a zygote without a command for this long ends
MOST_ZYGOTES = 3  # sets of settings kept warm at once (each ~250 MB)
_LIMIT = 200_000  # bytes of one request (the environment is most of it; ~5 KB is usual)
# Environment variables that decide how Prefect and the libraries start; the rest is set anew in
# the child for every command (PATH, PWD, TERM, …).
_STARTUP_VARS = ("PREFECT_", "MINT_CENSUS_", "PYTHON", "MPL", "LC_", "LANG", "LANGUAGE", "TZ", "HOME",
                 "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "DO_NOT_TRACK", "OMP_", "OPENBLAS_", "MKL_",
                 "NUMEXPR_", "TMPDIR", "SSL_CERT_", "REQUESTS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY",
                 "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "ALL_PROXY", "LD_")
# Command options given as variables: read when the command runs, in the child (a server started
# with --home serves the commands of MINT_CENSUS_HOME with the same home).
_NOT_STARTUP = frozenset({OFF, "MINT_CENSUS_HOME", "MINT_CENSUS_REFERENCE", "MINT_CENSUS_SMTP_PASSWORD"})


# --- where the socket is ---------------------------------------------------------------------

def socket_dir() -> Path:
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return Path(base) / f"mint-census-{os.getuid()}"


def private_dir(create: bool = False) -> Path | None:
    """The user's own socket directory, or None when it is missing or anyone else could use it."""
    d = socket_dir()
    if create:
        try:
            d.mkdir(mode=0o700, parents=False)
        except FileExistsError:
            pass
        except OSError:
            return None
    try:
        st = os.lstat(d)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return d


def socket_path(api_url: str, directory: Path) -> Path:
    return directory / f"warm-{hashlib.sha256(api_url.encode()).hexdigest()[:16]}.sock"


# --- which settings a zygote was made under ---------------------------------------------------

def _code_files() -> list[str]:
    import importlib.util
    roots = []
    for name in ("flows", "schemas", "sources", "warehouse", "publications"):
        spec = importlib.util.find_spec(f"mint_census.{name}")
        if spec is not None and spec.submodule_search_locations:
            roots.extend(spec.submodule_search_locations)
    return roots


def code_stamp() -> str:
    """Size and modification time of every file of the package and of the site-packages
    directories (a package installed or removed changes them)."""
    h = hashlib.sha256()
    for root in _code_files():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for f in sorted(filenames):
                try:
                    st = os.stat(os.path.join(dirpath, f))
                except OSError:
                    continue
                h.update(f"{dirpath}/{f}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    import sysconfig
    paths = sysconfig.get_paths()
    for entry in sorted({paths["purelib"], paths["platlib"]}):
        try:
            st = os.stat(entry)
        except OSError:
            continue
        h.update(f"{entry}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def fingerprint(env: dict[str, str], stamp: str | None = None) -> str:
    h = hashlib.sha256()
    h.update(f"{sys.executable}\n{sys.version}\n{stamp or code_stamp()}\n".encode())
    for key in sorted(env):
        if key.startswith(_STARTUP_VARS) and key not in _NOT_STARTUP:
            h.update(f"{key}={env[key]}\0".encode())
    home = env.get("PREFECT_HOME")  # settings files Prefect reads once, at import
    for name in ("profiles.toml", "logging.yml"):
        try:
            st = os.stat(os.path.join(home, name)) if home else None
        except OSError:
            st = None
        h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}\n".encode() if st else f"{name}:-\n".encode())
    return h.hexdigest()


# Files in the working directory that Prefect or matplotlib read when they are imported, and what
# in them concerns them: a command run where one of them lies runs cold (the zygote imported them
# in "/").
LOCAL_SETTINGS = {"prefect.toml": b"", "matplotlibrc": b"", ".env": b"PREFECT_", "pyproject.toml": b"tool.prefect"}


def local_settings(directory: str = ".") -> str | None:
    """The first file of LOCAL_SETTINGS in `directory` that concerns Prefect or matplotlib."""
    for name, marker in LOCAL_SETTINGS.items():
        path = os.path.join(directory, name)
        try:
            if not os.path.isfile(path):
                continue
            if not marker:
                return name
            with open(path, "rb") as fh:
                if marker in fh.read(1_000_000):
                    return name
        except OSError:
            return name
    return None


# --- framing ---------------------------------------------------------------------------------

def _frame(obj: dict) -> bytes:
    data = json.dumps(obj).encode()
    return struct.pack("!I", len(data)) + data


def _read_frame(sock: socket.socket, first: bytes = b"") -> dict | None:
    buf = first
    while len(buf) < 4:
        more = sock.recv(4 - len(buf))
        if not more:
            return None
        buf += more
    (size,) = struct.unpack("!I", buf[:4])
    if size > _LIMIT:
        raise ValueError(f"request of {size} bytes")
    data = buf[4:]
    while len(data) < size:
        more = sock.recv(min(65536, size - len(data)))
        if not more:
            return None
        data += more
    return json.loads(data[:size])


# --- the command's side ----------------------------------------------------------------------

def supported() -> bool:
    """Unix sockets that pass file descriptors and name their peer's user: Linux."""
    return all(hasattr(socket, name) for name in ("AF_UNIX", "SO_PEERCRED", "send_fds", "recv_fds")) \
        and hasattr(os, "fork")


def wanted(command: str, env: dict[str, str]) -> bool:
    return command in WARM_COMMANDS and bool(env.get("PREFECT_API_URL")) and env.get(OFF, "1") != "0" \
        and supported()


def run_warm(argv: list[str], env: dict[str, str]) -> int | None:
    """Run the command line in the server's warm process; its exit code, or None when no warm
    process takes it (then the caller runs it itself).

    The child that would run it first sends its process id and then waits for a go-ahead, which
    this process sends only once it has that id: until then nothing has run, and anything that
    goes wrong (no answer within HANDOVER_SECONDS, a lost connection) leaves the command to run
    cold here. After the go-ahead a broken connection is a failure of the command, never a reason
    to run it a second time."""
    if local_settings() is not None:
        return None
    directory = private_dir()
    if directory is None:
        return None
    fds, opened = [], []
    for fd in (0, 1, 2):  # before any socket is made: a closed stream's number is not taken by it
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:  # a closed standard stream: the child gets /dev/null in its place
            opened.append(os.open(os.devnull, os.O_RDWR))
            fds.append(opened[-1])
    signals: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: signals.append(signum)) for sig in _FORWARDED}
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(HANDOVER_SECONDS)
        sock.connect(str(socket_path(env["PREFECT_API_URL"], directory)))
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        if struct.unpack("3i", creds)[1] != os.getuid():
            raise ConnectionRefusedError("the socket is not this user's")
        data = _frame({"op": "run", "fp": fingerprint(env), "executable": sys.executable, "argv": argv,
                       "cwd": os.getcwd(), "env": env, "umask": _umask(), "limits": _limits()})
        if len(data) > _LIMIT:
            raise ValueError("request too large")
        sent = socket.send_fds(sock, [data], fds)
        if sent < len(data):
            sock.sendall(data[sent:])
        reply = _read_frame(sock)
        started = reply is not None and "pid" in reply and not signals
        if started:
            sock.sendall(b"g")
    except (OSError, ValueError):
        started = False
    finally:
        for fd in opened:
            os.close(fd)
    if not started:
        sock.close()  # nothing has run: the child, if any, sees the end and runs nothing
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if signals:  # Ctrl+C while handing over: stopped before anything ran
            print("interrupted before the command started", file=sys.stderr)
            return 128 + signals[0]
        return None
    try:
        return _wait_for(sock, int(reply["pid"]), signals)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


HANDOVER_SECONDS = 20.0
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def _limits() -> dict:
    """What the caller's process may use: the child runs within the same (flows/warm.py `_child`)."""
    import resource
    limits: dict = {"rlimits": {}, "nice": os.getpriority(os.PRIO_PROCESS, 0)}
    for name in ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_NOFILE", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NPROC"):
        if hasattr(resource, name):
            limits["rlimits"][name] = list(resource.getrlimit(getattr(resource, name)))
    if hasattr(os, "sched_getaffinity"):
        limits["cpus"] = sorted(os.sched_getaffinity(0))
    return limits


def _exit_code(reply: dict | None) -> int:
    if reply is None or not isinstance(reply.get("exit"), int):
        print("error: the command's warm process (mint-census server) ended without an exit code; "
              "its log is in <home>/logs; MINT_CENSUS_WARM=0 runs commands without it", file=sys.stderr)
        return 1
    return reply["exit"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _wait_for(sock: socket.socket, pid: int, pending: list[int]) -> int:
    """The child's exit code; signals to this process go to it meanwhile."""
    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except OSError:
            pass
    for sig in _FORWARDED:
        signal.signal(sig, forward)
    for sig in pending:  # arrived between the go-ahead and now
        forward(sig, None)
    sock.settimeout(None)  # a command takes as long as it takes (the hand-over had a time limit)
    while True:
        try:
            reply = _read_frame(sock)
            break
        except InterruptedError:
            continue
        except (OSError, ValueError):
            reply = None
            break
    sock.close()
    return _exit_code(reply)


def ready(api_url: str, env: dict[str, str]) -> bool:
    """Whether the server's host has a zygote ready for these settings (for tests and the benchmark)."""
    directory = private_dir()
    if directory is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(socket_path(api_url, directory)))
            sock.sendall(_frame({"op": "status", "fp": fingerprint(env)}))
            reply = _read_frame(sock)
    except (OSError, ValueError):
        return False
    return bool(reply and reply.get("ready"))


# --- the host (in `mint-census server`) ------------------------------------------------------

class Host:
    """Listens on the socket of one Prefect server's API URL; keeps up to MOST_ZYGOTES zygotes."""

    def __init__(self, api_url: str, log_path: Path):
        import threading
        self.api_url = api_url
        self.log_path = log_path
        self._lock = threading.Lock()
        self._zygotes: dict[str, _Zygote] = {}
        self._sock: socket.socket | None = None
        self.path: Path | None = None
        self._closing = False
        self._failed: dict[str, float] = {}  # settings whose zygote never became ready: when

    def start(self, own_env: dict[str, str] | None = None) -> str | None:
        """Listen; None when started, else why not (the server goes on without warm processes)."""
        import threading
        if not supported():
            return "warm processes need Linux (Unix sockets that pass file descriptors)"
        directory = private_dir(create=True)
        if directory is None:
            return f"{socket_dir()} is not a directory of this user's own (mode 0700)"
        path = socket_path(self.api_url, directory)
        if path.exists():
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(str(path))
                probe.close()
                return f"another server's warm processes listen on {path}"
            except OSError:
                path.unlink(missing_ok=True)  # left by a server that ended without cleaning up
            finally:
                probe.close()
        if len(os.fsencode(path)) > 100:
            return f"the socket path {path} is too long for a Unix socket (set XDG_RUNTIME_DIR or TMPDIR)"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(str(path))
            sock.listen(16)
        except OSError as exc:
            sock.close()
            return f"cannot listen on {path}: {exc}"
        finally:
            os.umask(old)
        self._sock, self.path = sock, path
        if own_env is not None:
            try:
                with self._lock:
                    self._zygote_for(own_env, fingerprint(own_env))
            except OSError as exc:
                self.close()
                return f"cannot start a warm process: {exc}"
        threading.Thread(target=self._accept, name="warm-host", daemon=True).start()
        return None

    def close(self) -> None:
        self._closing = True
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
            self._sock.close()
            if self.path is not None:
                self.path.unlink(missing_ok=True)
        with self._lock:
            for z in self._zygotes.values():
                z.close()
            self._zygotes.clear()

    def _accept(self) -> None:
        import threading
        import time
        while not self._closing:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                if self._closing:
                    return
                time.sleep(0.1)  # e.g. out of file descriptors for a moment: keep serving
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        fds: list[int] = []
        try:
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            _pid, uid, gid = struct.unpack("3i", creds)
            if uid != os.getuid():
                return  # only the user who runs the server
            if gid != os.getgid():  # `sg`, `newgrp`: a command with other groups runs cold
                conn.sendall(_frame({"cold": "another group"}))
                return
            conn.settimeout(10)
            first, fds, _flags, _addr = socket.recv_fds(conn, 65536, 3)
            for fd in fds:
                os.set_inheritable(fd, False)
            request = _read_frame(conn, first)
            if request is None:
                return
            if request.get("op") == "status":
                with self._lock:
                    z = self._zygotes.get(request.get("fp"))
                conn.sendall(_frame({"ready": bool(z and z.ready())}))
                return
            if request.get("op") != "run" or len(fds) != 3:
                return
            reason = self._forward(conn, request, fds)
            if reason:
                conn.sendall(_frame({"cold": reason}))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        finally:
            for fd in fds:
                os.close(fd)
            conn.close()

    def _forward(self, conn: socket.socket, request: dict, fds: list[int]) -> str | None:
        if request.get("executable") != sys.executable:
            return "another Python installation"
        import time
        fp = str(request["fp"])
        with self._lock:
            z = self._zygotes.get(fp)
            if z is None or z.ended():
                if z is not None and not z.was_ready:
                    self._failed[fp] = time.monotonic()
                if time.monotonic() - self._failed.get(fp, -1e9) < 300:
                    return "no warm process for these settings (its start failed; see the server's log)"
                self._zygote_for(dict(request["env"]), fp)
                return "warming up for these settings"
        if not z.ready():
            return "warming up for these settings"
        payload = json.dumps(request).encode()
        if not z.send(payload, [conn.fileno(), *fds]):
            return "the warm process ended"
        return None

    def _zygote_for(self, env: dict[str, str], fp: str) -> None:
        """Start a zygote (the caller holds the lock, or nobody else runs yet)."""
        for key in [k for k, z in self._zygotes.items() if z.ended()]:
            self._zygotes.pop(key).close()
        while len(self._zygotes) >= MOST_ZYGOTES:
            oldest = min(self._zygotes, key=lambda k: self._zygotes[k].used)
            self._zygotes.pop(oldest).close()
        self._zygotes[fp] = _Zygote(env, fp, self.log_path)


class _Zygote:
    def __init__(self, env: dict[str, str], fp: str, log_path: Path):
        import subprocess
        import threading
        import time
        self.fp = fp
        self.was_ready = False
        self.used = time.monotonic()
        self._ready = threading.Event()
        self._ended = threading.Event()
        self._send_lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 2 * _LIMIT)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "a", encoding="utf-8") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-P", "-m", "mint_census.flows.warm", str(theirs.fileno()), fp],
                pass_fds=[theirs.fileno()], env=env, cwd="/", stdin=subprocess.DEVNULL,
                stdout=log, stderr=log, start_new_session=True)
        theirs.close()
        self._sock = ours
        threading.Thread(target=self._watch, name="warm-zygote", daemon=True).start()

    def _watch(self) -> None:
        try:
            while True:
                msg = self._sock.recv(256)
                if not msg:
                    break
                if msg.startswith(b"ready ") and msg[6:].decode() == self.fp:
                    self.was_ready = True
                    self._ready.set()
                elif msg.startswith(b"ready "):  # the code changed while it imported: never use it
                    break
        except OSError:
            pass
        self._ended.set()
        self._ready.clear()

    def ready(self) -> bool:
        return self._ready.is_set() and not self._ended.is_set()

    def ended(self) -> bool:
        return self._ended.is_set() or self.proc.poll() is not None

    def send(self, payload: bytes, fds: list[int]) -> bool:
        import time
        self.used = time.monotonic()
        try:
            with self._send_lock:
                socket.send_fds(self._sock, [payload], fds)
            return True
        except OSError:
            self._ended.set()
            return False

    def close(self) -> None:
        self._ended.set()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # the zygote sees the end of its socket and ends
        except OSError:
            pass
        try:
            self._sock.close()
        except OSError:
            pass


# --- the zygote ------------------------------------------------------------------------------

# What a flow command imports (the cold command imports them after parsing its command line), and
# what its first flow run imports from Prefect.
PRELOAD = ("mint_census.flows.cli", "mint_census.flows.commands", "mint_census.flows.steps",
           "mint_census.flows.pipeline", "mint_census.flows.outputs", "mint_census.publications.publish",
           "prefect.flow_engine", "prefect.task_engine", "prefect.client.orchestration",
           "prefect.utilities.visualization", "anyio._backends._asyncio", "anyio.streams.memory",
           "mint_census.flows.register_cli", "mint_census.warehouse.schema", "mint_census.warehouse.views",
           "mint_census.warehouse.views_research", "pandas.io.formats.string", "pandas.core.methods.to_dict",
           "stringprep", "jinja2", "typst", "openpyxl.packaging.extended")


def preload() -> None:
    import importlib
    for name in PRELOAD:
        importlib.import_module(name)
    from mint_census.publications import drawing
    drawing._warm_up()  # matplotlib's fonts and caches, for the child and its fork (drawing.WARM)
    import pandas as pd
    import pandera.pandas as pa
    # pandera registers its pandas backends (and imports its strategies) at the first validation.
    pa.DataFrameSchema({"a": pa.Column(int, pa.Check.ge(0))}).validate(pd.DataFrame({"a": [1]}))
    from mint_census.flows.cli import prepare_prefect_logging
    prepare_prefect_logging()


def zygote(fd: int, fp: str) -> None:
    import gc
    import time
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl+C is not for running commands
    sock = socket.socket(fileno=fd)
    stamp = code_stamp()  # before the imports: code changed during them makes the fingerprint differ
    import logging
    # As in a cold command, the root logger has handlers of ours before Prefect is imported, so that
    # Prefect's logging set-up leaves the root logger alone; the child's cli.configure_logging
    # replaces this stand-in with the command's own handlers.
    stand_in = logging.NullHandler()
    stand_in.setFormatter(logging.Formatter("%(message)s"))
    stand_in._mint_census = True
    logging.getLogger().addHandler(stand_in)
    preload()
    gc.collect()
    gc.freeze()  # the imported modules stay shared with the children (no copy on a collection)
    sock.sendall(b"ready " + fingerprint(dict(os.environ), stamp).encode())
    children: set[int] = set()
    last = time.monotonic()
    ahead: tuple[Path, Path] | None = None  # the register to check once no command runs
    while True:
        for pid in list(children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                children.discard(pid)
        if ahead is not None and not children:
            check_register_ahead(*ahead)
            ahead = None
        sock.settimeout(0.1 if ahead is not None else 60)  # soon back to the check once the command ends
        try:
            msg, fds, _flags, _addr = socket.recv_fds(sock, 2 * _LIMIT, 4)
        except TimeoutError:
            if not children and time.monotonic() - last > IDLE_SECONDS:
                return
            continue
        except OSError:
            return
        if not msg:
            return  # the host ended
        last = time.monotonic()
        for f in fds:
            os.set_inheritable(f, False)
        if len(fds) != 4:
            for f in fds:
                os.close(f)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:  # no child started: the caller sees the connection end unanswered
            print(f"warm process: cannot fork ({exc}); the command runs cold", file=sys.stderr, flush=True)
            pid = None
        if pid == 0:
            sock.close()
            _child(msg, fds)  # never returns
        if pid:
            children.add(pid)
            ahead = register_files(msg) or ahead
        for f in fds:
            os.close(f)


# Commands whose run checks the home's network register before anything else (flows/commands.py).
_REGISTER_COMMANDS = ("ingest", "run")


def register_files(msg: bytes) -> tuple[Path, Path] | None:
    """The register and events file of the home a command (a request to the zygote) works in, when
    the command is one that checks the register; None for any other, or when in doubt. The home is
    the command line's --home, else the caller's MINT_CENSUS_HOME, else ./data, relative to the
    caller's directory: as the command finds it. Nothing is printed (not even for a line the
    command will refuse)."""
    import argparse

    from mint_census.flows.home import Home, default_home
    try:
        request = json.loads(msg)
        argv = [str(a) for a in request["argv"]]
        if len(argv) < 2 or argv[1] not in _REGISTER_COMMANDS or {"-h", "--help"} & set(argv):
            return None
        only_home = argparse.ArgumentParser(add_help=False, exit_on_error=False)  # abbreviations as the command takes them
        only_home.add_argument("--home", default=default_home(request.get("env") or {}))  # the caller's, not ours
        args, _rest = only_home.parse_known_args(argv[2:])
        home = Home(Path(str(request["cwd"])) / args.home)
        return home.register, home.register_events
    except (Exception, SystemExit):  # noqa: BLE001 - a request it cannot read: nothing to check ahead
        return None


def check_register_ahead(register: Path, events: Path) -> None:
    """Check the network register of the last command's home here, in the zygote, while no command
    runs: the next command's child inherits the checked register (sources.register.read_register
    keeps it keyed by both files' paths and SHA-256, so a register changed in between is checked
    anew). At 10,000 networks the check takes ~0.5 s of every ingest; a census-sized register ~20 ms.
    A command that arrives meanwhile waits for the check to end. Nothing is reported from here: a
    register with problems is reported by the command that reads it."""
    from mint_census.sources import register as registers
    try:
        registers.check_ahead(register, events)
    except Exception:  # noqa: BLE001 - the command checks it again and says what is wrong
        pass


def _stop_by_signal(signum, frame):
    raise SystemExit(128 + signum)  # the normal end: atexit handlers, the exit code to the caller


def _child(msg: bytes, fds: list[int]) -> None:
    import atexit
    import logging
    import threading
    import time
    # Signals first (the zygote ignores SIGINT): until the go-ahead a signal ends this child with
    # nothing run; after it, Ctrl+C is a KeyboardInterrupt as in a cold command, and SIGTERM or
    # SIGHUP end the command with the atexit handlers run and 128 + the signal as its code.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_by_signal)
    for sig in (signal.SIGQUIT, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    conn = socket.socket(fileno=fds[0])
    try:
        conn.settimeout(HANDOVER_SECONDS)
        conn.sendall(_frame({"pid": os.getpid()}))
        go = conn.recv(1)
        conn.settimeout(None)
    except BaseException:  # noqa: BLE001 - a signal or a lost caller: nothing has run
        go = b""
    if go != b"g":
        os._exit(1)
    # A process forked from here (the drawing process) must not hold the caller's connection: the
    # caller would never see it end.
    os.register_at_fork(after_in_child=conn.close)
    code = 1
    try:
        request = json.loads(msg)
        for target, fd in enumerate(fds[1:]):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.umask(int(request["umask"]))
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        _within(request.get("limits") or {})
        # The encoding is the caller's already (same locale and PYTHON* variables: `fingerprint`);
        # the buffering is what Python chooses for the caller's streams.
        sys.stdout.reconfigure(line_buffering=os.isatty(1))
        sys.stderr.reconfigure(line_buffering=True)
        sys.argv = list(request["argv"])
        from mint_census.publications import drawing
        drawing.WARM = True
        from prefect.context import refresh_global_settings_context
        refresh_global_settings_context()  # the caller's environment (a temporary PREFECT_HOME …)
        from mint_census.flows import cli
        try:
            code = cli.main(sys.argv[1:], warm=True)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except KeyboardInterrupt:
            code = 1
        # What the interpreter does at exit: wait for the threads, then the atexit handlers
        # (Prefect drains its event and log workers there).
        try:
            threading._shutdown()
        except Exception:
            pass
        atexit._run_exitfuncs()
    except SystemExit as exc:  # SIGTERM or SIGHUP outside the command's main
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # noqa: BLE001 - the caller gets an exit code whatever happens
        try:
            print(f"error: the warm process could not run the command: {type(exc).__name__}: {exc}; "
                  f"MINT_CENSUS_WARM=0 runs it without the server's warm process", file=sys.stderr)
        except Exception:
            pass
        code = 1
    finally:
        try:
            logging.shutdown()
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        except Exception:
            pass
        try:
            conn.sendall(_frame({"exit": int(code)}))
        except Exception:
            pass
        os._exit(int(code) if isinstance(code, int) else 1)


def _within(limits: dict) -> None:
    """The caller's resource limits, CPUs and niceness, as far as this process may take them (it
    may lower what the server has, not raise it)."""
    import resource
    for name, (soft, hard) in (limits.get("rlimits") or {}).items():
        which = getattr(resource, name, None)
        if which is None:
            continue
        _, our_hard = resource.getrlimit(which)
        inf = resource.RLIM_INFINITY

        def lower(a, b):
            return b if a == inf else a if b == inf else min(a, b)
        try:
            resource.setrlimit(which, (lower(soft, our_hard), lower(hard, our_hard)))
        except (ValueError, OSError):
            pass
    if limits.get("cpus") and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, limits["cpus"])
        except OSError:
            pass
    try:
        if int(limits.get("nice", 0)) > os.getpriority(os.PRIO_PROCESS, 0):
            os.setpriority(os.PRIO_PROCESS, 0, int(limits["nice"]))
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    zygote(int(sys.argv[1]), sys.argv[2])
