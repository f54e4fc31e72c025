"""Idle memory of the daemon and the cost of an NLP worker's start (issue 15).

Memory: ``monitor run`` as a subprocess in a session of its own, with the project's two
sagas (their real seeds and curation), a few loopback feeds whose items name the saga (so
the first poll makes an NLP batch) and ``[nlp] workers = 1``. The resident set (RSS) of
the daemon and of every process of its session (the NLP worker; the feed parser's fork
server, its worker and the resource tracker) is read from /proc at each step (the embedded
redis-server detaches into a session of its own, and is a separate server: not counted):

    fresh, busy     first start on an empty data dir: the model seeded, the first poll's
                    batch done, the NLP worker still up (what it stayed at until now: the
                    worker never stopped)
    fresh, idle     the same daemon ``--idle-stop-s`` later: the worker stopped
    restart, idle   the daemon started again on that data dir (seeded, items seen), after
                    the first poll and ``--idle-stop-s`` more

``--idle-stop-s`` sets both ``[nlp] idle_stop_s`` and ``[polling] parse_idle_stop_s``;
``--idle-stop-s 0`` is the behaviour before issue 15 (workers never stop).

Worker start: ``Analyzer(...).warm()`` (both spaCy pipelines and the sentence encoder,
what an NLP worker loads) in a fresh process, its CPU and wall time, without the compiled
regex cache and with it (``monitor.nlp.RegexCache``, written by the first run).

    .venv/bin/python benchmarks/idle.py [--runs 3] [--idle-stop-s 5] [--skip-memory]
"""

from __future__ import annotations

import argparse
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from daemon_proc import (  # noqa: E402
    READY_TIMEOUT_S,
    FeedServer,
    NotifySocket,
    daemon,
    wait_for,
)

PY = ROOT / ".venv" / "bin" / "python"
FEEDS = 5


def session_rss(sid: int) -> dict[str, float]:
    """RSS in MB of each live process of session ``sid``, by a short name."""
    out: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[3]) != sid or fields[0] in ("Z", "X"):
                continue
            status = (stat.parent / "status").read_text()
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        kb = next((int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS")), 0)
        name = _short(cmd, int(stat.parent.name) == sid)
        out[name] = out.get(name, 0.0) + kb / 1024
    return out


def _short(cmd: str, leader: bool) -> str:
    if leader:
        return "daemon"
    if "resource_tracker" in cmd:
        return "tracker"
    if "forkserver" in cmd:
        return "forkserver"
    if "spawn_main" in cmd:
        return "worker (NLP)"
    return "other"


def nlp_worker(sid: int) -> bool:
    return "worker (NLP)" in session_rss(sid)


def write_config(root: Path, feeds: list[str], idle_stop_s: float) -> Path:
    feed_tables = "".join(f'\n[[feeds]]\nurl = "{u}"\n' for u in feeds)
    cfg = root / "monitor.toml"
    cfg.write_text(
        f"""
data_dir = "{(root / "data").as_posix()}"
log_level = "INFO"
[redis]
key_prefix = "idle"
[[sagas]]
name = "openai-leadership-2023"
seed_dir = "{(ROOT / "seeds").as_posix()}"
curation = "{(ROOT / "config/sagas/openai-leadership-2023.toml").as_posix()}"
[[sagas]]
name = "svb-2023"
seed_dir = "{(ROOT / "sagas/svb-2023/seeds").as_posix()}"
[polling]
interval_s = 2
jitter_s = 0
allow_private_hosts = true
parse_idle_stop_s = {idle_stop_s}
[nlp]
workers = 1
idle_stop_s = {idle_stop_s}
[alerts]
console = false
jsonl_path = ""
[health]
enabled = false
{feed_tables}
""",
        encoding="utf-8",
    )
    return cfg


def _settle(sid: int, idle_stop_s: float) -> None:
    """Wait until the NLP worker is gone (or, never stopped, ``idle_stop_s`` idle)."""
    if idle_stop_s > 0:
        wait_for(lambda: not nlp_worker(sid), 60 + 2 * idle_stop_s, "the idle stop", 0.2)
        time.sleep(1.0)
    else:
        time.sleep(5.0)


def one_run(idle_stop_s: float) -> dict[str, dict[str, float]]:
    """The three steps of the module docstring, each as RSS by process."""
    steps: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, FeedServer() as server:
        root = Path(tmp)
        cfg = write_config(root, [server.url(f"f{i}") for i in range(FEEDS)], idle_stop_s)
        for start in ("fresh", "restart"):
            notify = NotifySocket()
            try:
                with daemon(
                    cfg, notify, log=root / f"{start}.log", new_session=True,
                    watchdog_usec=10_000_000,
                ) as proc:  # fmt: skip
                    notify.wait_line("READY=1", READY_TIMEOUT_S * 2)
                    # fresh: the poll's batch went through NLP; restart: nothing new
                    batch = r"cycle: .* [1-9]\d* candidates?" if start == "fresh" else "cycle: "
                    _wait_log(root / f"{start}.log", batch, 120)
                    if start == "fresh":
                        steps["fresh, busy"] = session_rss(proc.pid)
                    _settle(proc.pid, idle_stop_s)
                    steps[f"{start}, idle"] = session_rss(proc.pid)
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(30)
            finally:
                notify.close()
    return steps


def _wait_log(log: Path, pattern: str, limit_s: float) -> None:
    found = lambda: re.search(pattern, log.read_text(errors="replace"))  # noqa: E731
    wait_for(found, limit_s, repr(pattern), 0.2)


def _fmt(values: list[float]) -> str:
    return f"{min(values):7.0f} {statistics.median(values):7.0f}"


def memory(runs: int, idle_stop_s: float) -> None:
    results = [one_run(idle_stop_s) for _ in range(runs)]
    print(f"\nidle memory, RSS in MB (min / median of {runs}), [nlp] idle_stop_s = {idle_stop_s}")
    names = ["daemon", "worker (NLP)", "forkserver", "tracker", "other"]
    print(f"{'step':16} {'total':>15}  " + "  ".join(f"{n:>15}" for n in names))
    for step in ("fresh, busy", "fresh, idle", "restart, idle"):
        rows = [r[step] for r in results]
        total = _fmt([sum(r.values()) for r in rows])
        per = "  ".join(_fmt([r.get(n, 0.0) for r in rows]) for n in names)
        print(f"{step:16} {total}  {per}")


WARM = (
    "import sys; from pathlib import Path; from monitor.nlp import Analyzer; "
    "Analyzer(regex_cache=Path(sys.argv[1]) if len(sys.argv) > 1 else None).warm()"
)


def timed(argv: list[str]) -> tuple[float, float]:
    """CPU (user + sys) and wall seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return cpu, wall


def _remove_json(folder: Path) -> None:
    """The regex cache written by an earlier run, removed: the next run writes it."""
    for p in folder.glob("*.json"):
        p.unlink()


def worker_start(runs: int) -> None:
    print(f"\nNLP worker start (both spaCy pipelines + encoder), min / median of {runs}")
    print(f"{'':34} {'CPU s':>15}  {'wall s':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[tuple[str, list[str], Callable[[], None]]] = [
            ("no regex cache (before)", [str(PY), "-c", WARM], lambda: None),
            ("regex cache written (first run)", [str(PY), "-c", WARM, tmp],
             partial(_remove_json, Path(tmp))),
            ("regex cache read (after)", [str(PY), "-c", WARM, tmp], lambda: None),
        ]  # fmt: skip
        for label, argv, prepare in cases:
            figures = []
            for _ in range(runs):
                prepare()
                figures.append(timed(argv))
            cpu, wall = [f[0] for f in figures], [f[1] for f in figures]
            print(f"{label:34} {min(cpu):7.2f} {statistics.median(cpu):7.2f}  "
                  f"{min(wall):7.2f} {statistics.median(wall):7.2f}")  # fmt: skip
    spacy_fr = "import spacy.lang.fr"
    cpu_fr = [timed([str(PY), "-c", spacy_fr])[0] for _ in range(runs)]
    print(f"{'(import spacy.lang.fr alone)':34} {_fmt2(cpu_fr)}")


def _fmt2(values: list[float]) -> str:
    return f"{min(values):7.2f} {statistics.median(values):7.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle-stop-s", type=float, default=5.0)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-start", action="store_true")
    args = ap.parse_args()
    if not args.skip_start:
        worker_start(args.runs)
    if not args.skip_memory:
        memory(args.runs, args.idle_stop_s)


if __name__ == "__main__":
    main()
