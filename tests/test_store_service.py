"""Service state in the embedded Redis: heartbeat with a TTL, intake checkpoint, queue
depths (intake, each sink's share of the alert outbox, dead letters), model versions, feed
health from the poller's stored state -- written async (daemon), read sync (status)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.alerts import Outbox
from monitor.config import Settings
from monitor.store import Store
from monitor.store.feeds import FeedState, FeedStore
from monitor.store.outbox import AsyncOutboxStore
from monitor.store.service import DaemonState, Heartbeat, QueueDepths, ServiceStore
from monitor.types import Alert, AlertKind, Explanation, utcnow


@pytest.fixture
async def store(redis_server: Store) -> AsyncIterator[Store]:
    """The session's embedded Redis (tests/conftest.py) under a prefix of this test's own:
    a server of its own per test cost ~2 s to stop."""
    s = redis_server.scoped(f"svc-{uuid.uuid4().hex[:10]}")
    yield s
    await s.aclose()
    s.drop_namespace()


def _hb(state: str = DaemonState.RUNNING) -> Heartbeat:
    now = utcnow()
    return Heartbeat(
        state=state,
        pid=42,
        host="h",
        version="0.1.0",
        started_at=now - timedelta(minutes=5),
        scheduler_running=True,
        last_cycle_at=now - timedelta(seconds=3),
        feeds=6,
    )


def _alert(alert_id: str) -> Alert:
    return Alert(
        id=alert_id,
        saga="s1",
        kind=AlertKind.NEW_ACTOR,
        headline=f"new actor {alert_id}",
        actors=(alert_id,),
        explanation=Explanation(reason="test"),
        source_title="t",
        source_url=f"http://x/{alert_id}",
        source_feed="http://x/feed",
        published=None,
        created=utcnow(),
        actor_id=alert_id,
    )


async def test_heartbeat_round_trips_and_expires(store: Store) -> None:
    svc = ServiceStore(store)
    assert svc.read_heartbeat() is None
    hb = _hb()
    await svc.beat(hb, ttl_s=0.3)
    assert svc.read_heartbeat() == hb
    await asyncio.sleep(0.5)
    assert svc.read_heartbeat() is None  # a dead daemon stops being "running" by itself


async def test_queue_depths_per_sink_and_dead_letters(store: Store, tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "sagas": [{"name": "s1", "seed_dir": str(tmp_path)}],
            "alerts": {"sinks": ["console", "jsonl"], "grouping_window_s": 0},
        }
    )
    outbox = Outbox(store, settings)
    outbox.enqueue([_alert("a1"), _alert("a2")])
    store.redis.xadd(store.keys.dead_letters(), {"a": "3"})
    svc = ServiceStore(store)
    first = svc.queue_depths(["console", "jsonl"])
    assert (first.intake, first.outbox, first.dead) == (0, {"console": 2, "jsonl": 2}, 1)
    # The console sink takes one: its share shrinks, the other sink's does not.
    deliverer = AsyncOutboxStore(store)
    (entry, *_) = await deliverer.read_new("console", "c1", count=1, block_ms=1)
    await deliverer.ack("console", entry.entry_id)
    depths = svc.queue_depths(["console", "jsonl"])
    assert depths.outbox == {"console": 1, "jsonl": 2}
    # each group: what a consumer holds (pending), what none read yet, who reads, the lag
    (await deliverer.read_new("console", "c2", count=1, block_ms=1))  # read, not acked
    depths = svc.queue_depths(["console", "jsonl"])
    console, jsonl = depths.groups
    assert (console.pending, console.unread, console.consumers) == (1, 0, 2)
    assert (jsonl.pending, jsonl.unread, jsonl.consumers) == (0, 2, 0)
    queued = console.oldest_ms
    assert queued is not None and jsonl.oldest_ms is not None and jsonl.oldest_ms <= queued
    as_dict = depths.to_dict(now_ms=queued + 90_000)
    assert as_dict["outbox"] == {"console": 1, "jsonl": 2} and as_dict["dead"] == 1
    assert as_dict["groups"]["console"] == {"pending": 1, "unread": 0, "consumers": 2,
                                            "lag_s": 90.0}
    assert QueueDepths(0, {}, 0).to_dict()["groups"] == {}


async def test_model_versions_and_feed_health_from_the_poller_state(store: Store) -> None:
    svc = ServiceStore(store)
    store.redis.set(store.keys.saga_version("s1"), 7)
    assert svc.model_versions(["s1", "s2"]) == {"s1": 7, "s2": None}
    assert await svc.model_versions_async(["s1"]) == {"s1": 7}

    now = utcnow()
    feeds = FeedStore(store, ttl_s=60)
    await feeds.asave(FeedState("http://a", last_attempt=now, last_success=now, last_status="ok"))
    await feeds.asave(
        FeedState(
            "http://b",
            name="B",
            last_attempt=now,
            last_success=now - timedelta(days=3),
            last_status="http_error",
            last_error="HTTP 503",
            consecutive_errors=40,
            failing_since=now - timedelta(days=2),
        )
    )
    health = {h.url: h for h in svc.feed_health(["http://a", "http://b", "http://c"])}
    assert health["http://a"].state == "ok" and health["http://a"].failing_for_s() == 0
    b = health["http://b"]
    assert (b.state, b.name, b.consecutive_errors, b.last_error) == ("failing", "B", 40, "HTTP 503")
    assert 2 * 86400 - 5 < b.failing_for_s(now) <= 2 * 86400
    assert health["http://c"].state == "never_polled"
