"""Two versions of mint-census side by side: a re-ingest with one changed file, through the command.

    python scripts/side_by_side.py OLD_CHECKOUT NEW_CHECKOUT --files DIR --n 2000 [--rounds 6] [--work DIR]

Each checkout needs its environment (`make install` in it) and the benchmark's files
(`scripts/bench.py --n N --keep DIR` writes DIR/inbox-N and DIR/register-N.csv). Each version gets
its own `mint-census server` (and so its own warm process) and its own home on the same inbox;
after a full ingest with each, every round edits one workbook, ingests with both (the order
alternates), restores the file and lets both take it in again. Prints each run and the medians.
A development tool for before/after figures (docs/scaling.md); `make bench` is the benchmark.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path, help="checkout of the version before")
    ap.add_argument("new", type=Path, help="checkout of the version after")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--files", type=Path, required=True,
                    help="where scripts/bench.py --keep DIR left its workbooks and register (DIR)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "mint-census-side-by-side")
    args = ap.parse_args()
    kept, register = args.files / f"inbox-{args.n}", args.files / f"register-{args.n}.csv"
    work = args.work / str(args.n)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # the rounds edit workbooks: in an inbox of links to the kept files, each edit a new file that
    # replaces its link (os.replace), so that the kept workbooks stay as the benchmark wrote them
    inbox = work / "inbox"
    inbox.mkdir()
    for f in sorted(kept.iterdir()):
        os.link(f, inbox / f.name)
    sides = {"old": (args.old / ".venv/bin/mint-census", 4311), "new": (args.new / ".venv/bin/mint-census", 4312)}
    procs, envs, homes = {}, {}, {}
    try:
        for name, (exe, port) in sides.items():
            server_home = work / f"server-{name}"
            server_home.mkdir()
            env = {**os.environ, "PREFECT_HOME": str(server_home / ".prefect")}
            with open(work / f"server-{name}.log", "w") as log:
                procs[name] = subprocess.Popen([str(exe), "server", "--home", str(server_home), "--port", str(port)],
                                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
            envs[name] = {**env, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
            home = homes[name] = work / f"home-{name}"
            home.mkdir()
            shutil.copyfile(register, home / "register.csv")
            shutil.copyfile(register.with_name(register.stem + "_events.csv"), home / "register_events.csv")
        for name in sides:
            deadline = time.monotonic() + 180
            while True:
                try:
                    urllib.request.urlopen(envs[name]["PREFECT_API_URL"] + "/health", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"the {name} server did not start: {work / f'server-{name}.log'}")
                    time.sleep(0.5)

        def ingest(name: str) -> tuple[float, bool]:
            t = time.perf_counter()
            r = subprocess.run([str(sides[name][0]), "ingest", "--year", "2025", "--home", str(homes[name]),
                                "--inbox", str(inbox)], env=envs[name], capture_output=True, text=True)
            return time.perf_counter() - t, "warm process" in (r.stdout.splitlines() or [""])[0]

        for name in sides:
            print(f"{name}: full ingest {ingest(name)[0]:.1f} s", flush=True)
        time.sleep(5)
        files = sorted(inbox.iterdir())
        times: dict[str, list[float]] = {name: [] for name in sides}
        for k in range(args.rounds):
            changed = files[(args.n // 2 + 10 + k) % len(files)]
            original = changed.read_bytes()
            try:
                with zipfile.ZipFile(changed) as z, zipfile.ZipFile(work / "changed.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
                    for info in z.infolist():
                        data = z.read(info)
                        if info.filename == "docProps/core.xml":
                            data = data.replace(b"</cp:coreProperties>", b"<!-- edited --></cp:coreProperties>")
                        dst.writestr(info, data)
                os.replace(work / "changed.xlsx", changed)
                time.sleep(1)
                for name in (["old", "new"] if k % 2 == 0 else ["new", "old"]):
                    wall, warm = ingest(name)
                    times[name].append(wall)
                    print(f"round {k}: {name} {wall:.2f} s{'' if warm else ' (cold)'}", flush=True)
                    time.sleep(1)
            finally:
                (work / "original.xlsx").write_bytes(original)
                os.replace(work / "original.xlsx", changed)
            time.sleep(3.5)  # the restored file older than the ledger's margin when listed
            for name in sides:
                ingest(name)
            time.sleep(1)
        for name in sides:
            ordered = sorted(times[name])
            print(f"{name}: median {ordered[len(ordered) // 2]:.2f} s of " + ", ".join(f"{t:.2f}" for t in times[name]))
    finally:
        for proc in procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:  # a server that ended by itself (its log says why)
                pass


if __name__ == "__main__":
    main()
