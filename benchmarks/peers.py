"""Monitor side by side with newsboat: the same N loopback feeds, a cold cycle then a cycle
where every feed answers 304, wall time and CPU seconds of each, and the ratios.

    .venv/bin/python benchmarks/peers.py [--feeds 1000] [--runs 3] [--threads 50]

Both poll the feed server of ``benchmarks/poll.py`` (a separate process, HTTP/1.1 keep-alive,
an ETag per feed answered with 304, feeds spread over 16 loopback addresses). Monitor runs as
``poll.py`` runs it (the daemon's poller, parser process, embedded Redis; its CPU counts all
three); newsboat runs ``newsboat -x reload`` on a fresh cache (``reload-threads`` =
--threads, the poller's max_connections; its CPU is the process's own, from wait4): the
first reload is its cold cycle, the third its 304 cycle (newsboat 2.21 sends a feed's
validators only once it has downloaded it twice).
The runs alternate monitor, newsboat, monitor, ...; each figure is the min and median of
--runs. Newsboat is Debian's package: installed with apt-get when missing and we are root,
otherwise the benchmark says so and skips.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from poll import PORT, serve  # noqa: E402

HOSTS = 16
GOALS = {"cold": 0.3, "304": 0.15}  # issue 15: monitor's wall time / newsboat's


def newsboat_available() -> str | None:
    """The newsboat binary, installed from Debian's packages when missing (root only)."""
    found = shutil.which("newsboat")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("installing Debian's newsboat package", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "newsboat"]
    if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
        subprocess.run(cmd, env=env, capture_output=True)
    return shutil.which("newsboat")


def run_monitor(feeds: int, threads: int) -> dict[str, dict[str, float]]:
    cmd = [sys.executable, str(HERE / "poll.py"), "--feeds", str(feeds), "--hosts", str(HOSTS),
           "--max-connections", str(threads), "--json"]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return {k: {"wall_s": v["wall_s"], "cpu_s": v["cpu_s"]} for k, v in json.loads(
        out.strip().splitlines()[-1]).items()}  # fmt: skip


def timed(cmd: list[str]) -> dict[str, float]:
    """Wall and CPU seconds (user + system, from wait4) of one command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime}


def run_newsboat(binary: str, feeds: int, threads: int) -> dict[str, dict[str, float]]:
    ctx = multiprocessing.get_context("spawn")
    ready, connects = ctx.Event(), ctx.Value("q", 0)  # both referenced until the child has them
    server = ctx.Process(target=serve, args=(HOSTS, 20, ready, connects), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("feed server did not start")
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            urls, config, cache = home / "urls", home / "config", home / "cache.db"
            urls.write_text("".join(
                f"http://127.0.0.{n % HOSTS + 1}:{PORT}/feeds/{n}.xml\n" for n in range(feeds)))
            config.write_text(f"reload-threads {threads}\nshow-read-feeds yes\n")
            cmd = [binary, "-u", str(urls), "-c", str(cache), "-C", str(config), "-x", "reload"]
            cold = timed(cmd)
            # newsboat 2.21 keeps a feed's ETag / Last-Modified only from its second
            # download on: the third reload is the one that gets 304s
            timed(cmd)
            return {"cold": cold, "304": timed(cmd)}
    finally:
        server.terminate()
        server.join()


def summary(runs: list[dict[str, dict[str, float]]], label: str, key: str) -> tuple[float, float]:
    values = [r[label][key] for r in runs]
    return min(values), statistics.median(values)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", type=int, default=50, help="newsboat reload-threads, and "
                   "monitor's max_connections")  # fmt: skip
    args = p.parse_args()
    binary = newsboat_available()
    if not binary:
        print("skipped: newsboat is not installed, and cannot be here (needs root and apt-get)")
        return
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    print(f"{args.feeds} loopback feeds x 20 items on {HOSTS} addresses, {args.runs} runs each; "
          f"{version.splitlines()[0] if version else binary}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    ours: list[dict[str, dict[str, float]]] = []
    theirs: list[dict[str, dict[str, float]]] = []
    for _ in range(args.runs):
        ours.append(run_monitor(args.feeds, args.threads))
        theirs.append(run_newsboat(binary, args.feeds, args.threads))
    for label in ("cold", "304"):
        for key in ("wall_s", "cpu_s"):
            (m_min, m_med), (n_min, n_med) = summary(ours, label, key), summary(theirs, label, key)
            ratios = [o[label][key] / t[label][key] for o, t in zip(ours, theirs, strict=True)]
            goal = f" (goal <= {GOALS[label]}x)" if key == "wall_s" else ""
            print(f"{label:>4} {key[:-2]:>4}: monitor min {m_min:6.2f} s median {m_med:6.2f} s; "
                  f"newsboat min {n_min:6.2f} s median {n_med:6.2f} s; monitor/newsboat "
                  f"median {statistics.median(ratios):.2f}x, min {min(ratios):.2f}x{goal}")
    print(f"machine load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
