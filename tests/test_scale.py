"""Issue 17's acceptance: three ``monitor worker`` processes and one producer on one
redis-server started by the test. A slice of a day of ../shared/rss-dev split across
them gives the same alerts as one worker alone; SIGKILL of one worker mid-run loses
nothing and doubles nothing.

The producer is the test itself: it adds the slice's items to the intake stream in
publication order, exactly as ``Daemon.on_items`` does for a poll (``IntakeStore.publish``)
-- the poller in front of it (and its lease, tests/test_lease_daemon.py) is not what is
under test, and feeding the stream directly keeps the split and the kill deterministic.
The reference is one worker with the same code path (``Intake.drain``), in-process on the
session's analyzer. Every worker starts on the session's seeded model (``preseed``).

The day: every item of 2023-11-18 (1,864 items, 116 prefilter candidates, two new
developments and four new actors after the seeds), in time order. Most candidates are
told far from the saga by their lead's embedding alone, so the whole day costs a worker a
few seconds of NLP: a whole day, not a slice.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import SHARED, monitor_cmd, subprocess_env
from daemon_proc import stop, wait_for
from redis_process import RedisProcess
from test_faults import ROOT, SAGA, preseed

from monitor.alerts import Outbox
from monitor.config import load_settings
from monitor.daemon import Daemon
from monitor.documents import iter_archive
from monitor.metrics import Metrics
from monitor.pipeline import Pipeline
from monitor.store import Store, connect
from monitor.store.intake import IntakeStore, read_intake_queue
from monitor.types import FeedItem

DAY = SHARED / "rss-dev" / "2023-11-18.jsonl.gz"
WORKERS = 3
CLAIM_IDLE_S = 3.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DAY.exists(), reason=f"{DAY} not here (../shared/rss-dev)"),
]


def write_config(root: Path, prefix: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    cfg = root / "monitor.toml"
    cfg.write_text(
        f"""
data_dir = "{(root / "data").as_posix()}"
[redis]
key_prefix = "{prefix}"
[[sagas]]
name = "{SAGA}"
title = "OpenAI leadership crisis"
seed_dir = "{(ROOT / "seeds").as_posix()}"
curation = "{(ROOT / "config" / "sagas" / "openai-leadership-2023.toml").as_posix()}"
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
[pipeline]
claim_idle_s = {CLAIM_IDLE_S}
max_deliveries = 10
""",
        encoding="utf-8",
    )
    return cfg



def the_day() -> list[FeedItem]:
    """The day's items in time order (as the polls of the day would have added them)."""
    return sorted(iter_archive(DAY), key=lambda it: (it.published is None, it.published, it.id))


def alerts(store: Store) -> dict[str, str]:
    """Every alert in the outbox (one entry per alert id: the outbox dedups): id -> kind
    and headline."""
    out = {}
    for _, f in store.redis.xrange(store.keys.outbox()):  # type: ignore[union-attr]
        if f.get(b"type") == b"alert.created":
            a = json.loads(f[b"alert"])
            out[a["id"]] = f"{a['kind']}: {a['headline']}"
    return out


async def one_worker(cfg: Path, store: Store, analyzer: Any, items: list[FeedItem]) -> None:
    """The reference: one pipeline worker, in-process, on the session's analyzer."""
    settings = load_settings(cfg)
    metrics = Metrics()
    outbox = Outbox(store, settings, metrics)
    pipeline = Pipeline(settings, store, emit=outbox.enqueue, metrics=metrics, analyzer=analyzer)
    d = Daemon(settings, store, pipeline, metrics=metrics, outbox=outbox)
    await d.articles.start()
    await d.intake.start(loop=False)
    await d.intake.db.publish(items)
    await d.intake.drain()
    await d.intake.stop()
    await d.articles.stop()
    await store.aclose()


def start_worker(cfg: Path, log: Path, url: str, stack: ExitStack) -> subprocess.Popen[bytes]:
    err = stack.enter_context(log.open("wb"))
    proc = subprocess.Popen(
        monitor_cmd("--config", str(cfg), "worker"),
        # one BLAS thread a worker, as docs/capacity.md says to run them (three workers on
        # two cores: OpenBLAS threads would spin on each other's cores)
        cwd=ROOT, env=subprocess_env(REDIS_URL=url, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"),
        stdout=subprocess.DEVNULL, stderr=err,
    )
    stack.callback(stop, proc)
    return proc


def held_by(store: Store, pid: int) -> int:
    name = f"{socket.gethostname()}-{pid}"
    return sum(c.pending for c in read_intake_queue(store).consumers if c.name == name)


def test_three_workers_give_the_alerts_of_one_and_a_killed_one_loses_and_doubles_nothing(
    tmp_path: Path, redis_proc: RedisProcess, seeded_model_json: dict[Any, bytes],
    analyzer: Any,
) -> None:
    one_cfg = write_config(tmp_path / "one", "one")
    many_cfg = write_config(tmp_path / "many", "many")
    for prefix in ("one", "many"):
        preseed(redis_proc.url, tmp_path, seeded_model_json, prefix=prefix)
    one = connect(redis_proc.url, tmp_path, prefix="one", embedded_db="unused")
    many = connect(redis_proc.url, tmp_path, prefix="many", embedded_db="unused")
    items = the_day()
    started = time.monotonic()
    asyncio.run(one_worker(one_cfg, one, analyzer, items))
    expected = alerts(one)
    one_s = time.monotonic() - started
    assert expected, "the slice must make alerts for the comparison to mean something"

    logs = [tmp_path / f"worker{i}.log" for i in range(WORKERS)]
    with ExitStack() as stack:
        procs = [start_worker(many_cfg, log, redis_proc.url, stack) for log in logs]
        for log in logs:
            wait_for(lambda log=log: "worker running" in log.read_text(), 120, "a worker up")
        asyncio.run(_publish(many, items))
        victim = procs[0]
        # SIGKILL the first worker while it holds a batch it has read and not finished.
        wait_for(lambda: held_by(many, victim.pid) > 0, 60, "the victim holding a batch",
                 step_s=0.01)  # fmt: skip
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed_at = time.monotonic()
        wait_for(lambda: _done(many), 300, "every item processed by the two left")
        took_over = time.monotonic() - killed_at
        for p in procs[1:]:
            p.send_signal(signal.SIGTERM)
            assert p.wait(20) == 0
    texts = [log.read_text() for log in logs]
    assert any("took over" in t for t in texts[1:]), texts[1][-2000:]
    assert all("Traceback" not in t for t in texts), [t[-2000:] for t in texts]
    got = alerts(many)
    # the same alerts, each once: none lost with the killed worker, none doubled by the
    # worker that took its batch over
    assert sorted(got) == sorted(expected), (got, expected, one_s, took_over)
    print(f"{len(items)} items, {len(expected)} alerts; one worker {one_s:.1f}s; "
          f"the killed worker's items done {took_over:.1f}s after the kill")
    queue = read_intake_queue(many)
    assert queue.group.depth == 0 and queue.dead == 0
    assert _seen(one) == _seen(many)
    one.close()
    many.close()


async def _publish(store: Store, items: list[FeedItem]) -> None:
    await IntakeStore(store, max_len=100_000).publish(items)
    await store.aclose()


def _seen(store: Store) -> set[str]:
    """The documents the saga's pipeline has processed."""
    done = cast(list[bytes], store.redis.zrange(store.keys.seen_docs(SAGA), 0, -1))
    return {m.decode() for m in done}


def _done(store: Store) -> bool:
    q = read_intake_queue(store)
    return q.group.depth == 0
