"""The daemon as systemd runs it: a subprocess, a real NOTIFY_SOCKET, real feeds on
127.0.0.1, signals. Plus the intake checkpoint, in-process on the embedded Redis."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import monitor_cmd, subprocess_env
from daemon_proc import (
    READY_TIMEOUT_S,
    FeedServer,
    NotifySocket,
    daemon,
    free_port,
    get,
    get_json,
    wait_for,
    write_config,
)
from prometheus_client.parser import text_string_to_metric_families

from monitor.alerts import Outbox
from monitor.config import FeedSettings, load_settings
from monitor.daemon import Daemon, GracefulStop, lifespan
from monitor.feeds import parse_feed
from monitor.metrics import ITEM_STAGES
from monitor.store import Store, open_store
from monitor.store.intake import IntakeStore
from monitor.store.service import ServiceStore
from monitor.types import (
    Alert,
    AlertKind,
    Document,
    Explanation,
    FeedItem,
    utcnow,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def _metrics(port: int) -> dict[str, float]:
    """/metrics parsed by prometheus_client: {'name{label=value,...}': value}, labels sorted."""
    status, body = get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    return {
        s.name + "{" + ",".join(f"{k}={v}" for k, v in sorted(s.labels.items())) + "}": s.value
        for f in text_string_to_metric_families(body.decode())
        for s in f.samples
        if "le" not in s.labels
    }


def _alert(alert_id: str) -> Alert:
    return Alert(
        id=alert_id,
        saga="test-saga",
        kind=AlertKind.NEW_ACTOR,
        headline=f"new actor {alert_id}",
        actors=("Someone",),
        explanation=Explanation(reason="test"),
        source_title="t",
        source_url=f"http://127.0.0.1/{alert_id}",
        source_feed="http://127.0.0.1/feed.xml",
        published=None,
        created=utcnow(),
        actor_id=alert_id,
    )


def stop_within(proc: subprocess.Popen[bytes], sig: int, timeout_s: float = 10.0) -> float:
    start = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout_s)
    return time.monotonic() - start


def test_ready_watchdog_status_then_sigterm_exits_0(
    tmp_path: Path, notify: NotifySocket, feeds: FeedServer
) -> None:
    port = free_port()
    cfg = write_config(tmp_path, feeds=[feeds.url("alpha")], health_port=port)
    log = tmp_path / "daemon.log"
    with daemon(cfg, notify, log=log) as proc:
        notify.wait_line("READY=1", READY_TIMEOUT_S)
        notify.wait_line("WATCHDOG=1", 5, count=3)  # every 0.1 s with WATCHDOG_USEC=0.2 s
        assert any(ln.startswith("STATUS=") for ln in notify.lines())
        wait_for(lambda: feeds.count("alpha") >= 2, 10, "two polls of the feed")
        status, body = get_json(f"http://127.0.0.1:{port}/healthz")
        assert status == 200, body
        assert body["checks"]["scheduler"]["running"] is True

        # `monitor status` from another process, next to the running daemon (same db file).
        out = subprocess.run(
            monitor_cmd("--config", str(cfg), "status", "--json"),
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        st = json.loads(out.stdout)
        assert st["running"] is True
        assert st["daemon"]["state"] == "running"
        assert st["daemon"]["scheduler_running"] is True
        assert st["feeds"]["configured"] == 1 and st["feeds"]["ok"] == 1
        assert st["queues"]["intake"] == 0 and st["queues"]["dead"] == 0
        assert set(st["queues"]["outbox"]) == {"jsonl"}  # each sink's share of the outbox
        assert st["model_versions"]["test-saga"] >= 1
        assert proc.poll() is None, "status must not disturb the daemon"

        # An alert put in the outbox (as the pipeline does) is delivered by the daemon's
        # Deliverer; the poller's, the deliverer's and the pipeline's counters are the ones
        # /metrics shows (one registry).
        settings = load_settings(cfg)
        with open_store(
            None, settings.data_dir, prefix="svc", embedded_db=settings.redis.embedded_db
        ) as store:
            Outbox(store, settings).enqueue([_alert("alert-1")])
        jsonl = settings.data_dir / "alerts.jsonl"
        wait_for(lambda: jsonl.exists() and "alert-1" in jsonl.read_text(), 10, "delivery")
        delivered = wait_for(
            lambda: _metrics(port).get("monitor_deliveries_total{outcome=delivered,sink=jsonl}"),
            10,
            "the delivery counted",
        )
        assert delivered == 1
        # The timeline pages, on the same bind: the saga with its alert, its seeded event.
        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and b"test-saga" in page and b"new actor alert-1" in page
        status, page = get(f"http://127.0.0.1:{port}/sagas/test-saga")
        assert status == 200 and b'<li class="event seed"' in page
        m = _metrics(port)
        assert m["monitor_polls_total{outcome=ok}"] >= 1
        stages = {
            k.removeprefix("monitor_items_total{stage=").rstrip("}"): v
            for k, v in m.items()
            if k.startswith("monitor_items_total{")
        }
        assert set(stages) == set(ITEM_STAGES)
        # the feed has one item: counted once, where it stopped (seen again: known)
        assert sum(v for stage, v in stages.items() if stage != "known") == 1
        assert m["monitor_delivery_latency_seconds_count{sink=jsonl}"] == 1
        assert m["monitor_model_version{saga=test-saga}"] >= 1
        assert any(k.startswith("monitor_decisions_total{") for k in m)  # by the pipeline
        for queue in ("intake", "alerts:jsonl", "alerts:dead"):
            assert f"monitor_queue_depth{{queue={queue}}}" in m

        assert stop_within(proc, signal.SIGTERM) < 10
        assert proc.returncode == 0
    assert any(ln == "STOPPING=1" for ln in notify.lines())
    text = log.read_text()
    assert f"feed={feeds.url('alpha')}" in text  # log lines carry the feed id
    assert "alert delivered" in text and "alert=alert-1" in text  # ... and the alert id
    assert "Traceback" not in text

    after = subprocess.run(
        monitor_cmd("--config", str(cfg), "status"),
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert after.returncode == 1  # no daemon running any more
    assert "stopped" in after.stdout or "not running" in after.stdout


def test_ctrl_c_in_a_terminal_stops_quietly(
    tmp_path: Path, notify: NotifySocket, feeds: FeedServer
) -> None:
    """Ctrl-C reaches the whole process group (the daemon, its feed parser and NLP
    workers): the daemon stops with exit 0 and no worker prints a traceback."""
    import os

    cfg = write_config(tmp_path, feeds=[feeds.url("alpha")], health_port=free_port())
    log = tmp_path / "daemon.log"
    with daemon(cfg, notify, log=log, new_session=True) as proc:
        notify.wait_line("READY=1", READY_TIMEOUT_S)
        wait_for(lambda: "polled:" in log.read_text(), 10, "a feed parsed by a worker")
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(20)
        assert proc.returncode == 0
    text = log.read_text()
    assert "KeyboardInterrupt" not in text and "Traceback" not in text, text[-2000:]


def test_sigterm_mid_work_loses_nothing_and_the_next_start_finishes_it(
    tmp_path: Path, notify: NotifySocket, feeds: FeedServer
) -> None:
    names = [f"f{i}" for i in range(30)]
    cfg = write_config(
        tmp_path,
        feeds=[feeds.url(n) for n in names],
        health_port=free_port(),
        interval_s=60,
        extra="[nlp]\nbatch_size = 1",
    )
    log = tmp_path / "daemon.log"
    with daemon(cfg, notify, log=log) as proc:
        notify.wait_line("READY=1", READY_TIMEOUT_S)
        wait_for(lambda: "polled: ok" in log.read_text(), 20, "a first feed handed on")
        assert stop_within(proc, signal.SIGTERM) < 10  # polls and pipeline work in flight
        assert proc.returncode == 0
    text = log.read_text()
    assert "Traceback" not in text and "cut short" not in text, text

    # A one-shot run on the same data finishes what the stop left checkpointed.
    burst = subprocess.run(
        monitor_cmd("--config", str(cfg), "run", "--burst"),
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert burst.returncode == 0, burst.stderr
    # (the stop did leave work behind: this is the path under test)
    assert "stay checkpointed" in text and "left by the previous run" in burst.stderr
    settings = load_settings(cfg)
    with open_store(
        None, settings.data_dir, prefix="svc", embedded_db=settings.redis.embedded_db
    ) as store:
        r = store.redis
        queues = ServiceStore(store).queue_depths(settings.alerts.enabled_sinks())
        seen = cast(list[bytes], r.zrange(store.keys.seen_docs("test-saga"), 0, -1))
        processed = {m.decode() for m in seen}
        enqueued = {k.decode().rsplit(":", 1)[1] for k in r.scan_iter(store.keys.alert_id("*"))}
    assert queues.intake == 0 and queues.outbox == {"jsonl": 0} and queues.dead == 0
    # every item of every feed went through the pipeline: none was lost by the stop
    served = {it.id for n in names for it in parse_feed(get(feeds.url(n))[1], feeds.url(n)).items}
    assert len(served) == len(names) and served <= processed
    jsonl = settings.data_dir / "alerts.jsonl"
    lines = [json.loads(ln) for ln in jsonl.read_text().splitlines()] if jsonl.exists() else []
    delivered = [ln["id"] for ln in lines if ln["type"] == "alert.created"]
    assert sorted(delivered) == sorted(enqueued)  # each enqueued alert delivered, once


def test_sighup_adds_and_removes_feeds_and_keeps_config_when_invalid(
    tmp_path: Path, notify: NotifySocket, feeds: FeedServer
) -> None:
    port = free_port()
    cfg = write_config(tmp_path, feeds=[feeds.url("alpha")], health_port=port)
    log = tmp_path / "daemon.log"
    with daemon(cfg, notify, log=log, log_format="json") as proc:
        notify.wait_line("READY=1", READY_TIMEOUT_S)
        wait_for(lambda: feeds.count("alpha") >= 1, 10, "first poll of alpha")
        assert feeds.count("beta") == 0

        # beta and a feed that never answers replace alpha
        write_config(tmp_path, feeds=[feeds.url("beta"), feeds.url("hang")], health_port=port)
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: feeds.count("beta") >= 2, 10, "the added feed polled")
        time.sleep(0.5)  # a poll of alpha in flight at the reload may still land
        alpha = feeds.count("alpha")
        time.sleep(1.5)  # three intervals
        assert feeds.count("alpha") == alpha, "a removed feed is no longer polled"
        assert "config reloaded: 2 feeds (2 added, 1 removed)" in log.read_text()
        assert feeds.count("hang") == 1  # its poll is in flight
        assert notify.lines().count("RELOADING=1") == 1

        # An invalid file is rejected with one log line; the running config stays.
        cfg.write_text(cfg.read_text() + "\nnot_an_option = 1\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "config reload rejected" in log.read_text(), 10, "the rejection")
        beta = feeds.count("beta")
        wait_for(lambda: feeds.count("beta") > beta, 10, "beta still polled")
        assert proc.poll() is None
        assert get_json(f"http://127.0.0.1:{port}/healthz")[0] == 200

        # the poll of "hang" in flight is abandoned after a grace: still 0 within 10 s
        assert stop_within(proc, signal.SIGINT) < 10
        assert proc.returncode == 0
    assert "Traceback" not in log.read_text()
    records = [json.loads(ln) for ln in log.read_text().splitlines()]  # journald-friendly
    rejected = [r for r in records if "config reload rejected" in r["msg"]]
    assert len(rejected) == 1 and rejected[0]["level"] == "ERROR"
    assert "not_an_option" in rejected[0]["msg"]
    assert any("abandoned" in r["msg"] for r in records)  # the hanging poll, at the stop
    polled = [r for r in records if r["msg"].startswith("polled:")]
    assert {r["feed"] for r in polled} == {feeds.url("alpha"), feeds.url("beta")}


# -- intake checkpoint: nothing lost when stopped mid-batch ---------------------------


class SlowPipeline:
    """Stands in for the Pipeline: records what it processed, slowly."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.processed: list[str] = []
        self.started = threading.Event()

    def ensure_seeded(self) -> None:
        pass

    def candidates(self, items: Sequence[FeedItem]) -> list[tuple[FeedItem, tuple[str, ...]]]:
        return [(it, ("test-saga",)) for it in items]

    def observe(self, items: Sequence[FeedItem]) -> None:
        pass

    def process(
        self, docs: Sequence[Document], *, outcomes: list[Any], only: Any = None,
        turn: Any = None,
    ) -> list[Alert]:
        self.started.set()
        time.sleep(self.delay_s)
        self.processed.extend(d.id for d in docs)
        return []


def _items(n: int) -> list[FeedItem]:
    return [
        FeedItem(
            feed="http://127.0.0.1/f.xml",
            title=f"t{i}",
            summary="",
            link=f"http://x/{i}",
            published=None,
            guid=f"g{i}",
        )
        for i in range(n)
    ]


@pytest.fixture
def store(config_file: Path, tmp_path: Path, clean_env: None) -> Iterator[tuple[Store, Path]]:
    settings = load_settings(config_file, data_dir=tmp_path / "data")
    with open_store(None, settings.data_dir, prefix="t", embedded_db="redis.db") as s:
        yield s, config_file


async def test_stop_finishes_the_batch_in_flight_and_checkpoints_the_rest(
    store: tuple[Store, Path], tmp_path: Path
) -> None:
    s, config_file = store
    settings = load_settings(
        config_file, data_dir=tmp_path / "data", overrides={"nlp": {"batch_size": 2}}
    )
    pipeline = SlowPipeline(delay_s=0.5)
    d = Daemon(settings, s, pipeline)  # type: ignore[arg-type]
    run = asyncio.create_task(d.run())
    await asyncio.sleep(0.2)
    items = _items(5)
    handoff = asyncio.create_task(d.on_items(FeedSettings(url=items[0].feed), items))
    await asyncio.to_thread(pipeline.started.wait, 5)
    d.request_stop("test")  # mid-way through the first of three batches
    assert await asyncio.wait_for(run, 10) == 0
    await handoff
    assert pipeline.processed == [it.id for it in items[:2]]  # the batch in flight finished
    assert {it.id for it in await IntakeStore(s, max_len=1000).items()} == {
        it.id for it in items[2:]}

    # The next start processes what was checkpointed (left in the intake stream), then
    # forgets it.
    again = SlowPipeline(delay_s=0)
    assert await Daemon(settings, s, again).run(burst=True) == 0  # type: ignore[arg-type]
    assert sorted(again.processed) == sorted(it.id for it in items[2:])
    assert await IntakeStore(s, max_len=1000).items() == []
    await s.aclose()


# -- lifespan ------------------------------------------------------------------------------


class Recorder:
    def __init__(self, name: str, log: list[str], *, hang: bool = False, fail: bool = False):
        self.name, self.log, self.hang, self.fail = name, log, hang, fail

    async def start(self) -> None:
        if self.fail:
            raise RuntimeError(f"{self.name} cannot start")
        self.log.append(f"start {self.name}")

    async def stop(self) -> None:
        if self.hang:
            await asyncio.sleep(3600)
        self.log.append(f"stop {self.name}")


async def test_lifespan_stops_in_reverse_within_the_budget() -> None:
    log: list[str] = []
    comps = [Recorder("a", log), Recorder("b", log, hang=True), Recorder("c", log)]
    started = time.monotonic()
    async with lifespan(comps, stop_timeout_s=0.3):
        assert log == ["start a", "start b", "start c"]
    assert log[3:] == ["stop c", "stop a"]  # b was cut short, a still stopped
    assert time.monotonic() - started < 2


async def test_lifespan_unwinds_what_started_when_a_start_fails() -> None:
    log: list[str] = []
    comps = [Recorder("a", log), Recorder("b", log, fail=True), Recorder("c", log)]
    with pytest.raises(RuntimeError, match="b cannot start"):
        async with lifespan(comps):
            pass
    assert log == ["start a", "stop a"]


class SlowToStop:
    """Like the poller with a poll in flight: the first stop waits on it, forever."""

    name = "slow"

    def __init__(self) -> None:
        self.stops: list[str] = []

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        if not self.stops:
            self.stops.append("waiting")
            await asyncio.sleep(3600)
        self.stops.append("closed")


async def test_graceful_stop_abandons_slow_work_then_closes() -> None:
    inner = SlowToStop()
    started = time.monotonic()
    await GracefulStop(inner, 0.2).stop()
    assert inner.stops == ["waiting", "closed"]
    assert time.monotonic() - started < 1
