"""Service state in the embedded Redis: heartbeat with a TTL, intake checkpoint, queue
depths, model versions, feed health -- written async (daemon), read sync (status)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.store import Store, open_store
from monitor.store.service import DaemonState, Heartbeat, ServiceStore
from monitor.types import FeedItem, utcnow


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    with open_store(None, tmp_path / "data", prefix="t", embedded_db="redis.db") as s:
        yield s
        await s.aclose()


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


async def test_heartbeat_round_trips_and_expires(store: Store) -> None:
    svc = ServiceStore(store)
    assert svc.read_heartbeat() is None
    hb = _hb()
    await svc.beat(hb, ttl_s=0.3)
    assert svc.read_heartbeat() == hb
    await asyncio.sleep(0.5)
    assert svc.read_heartbeat() is None  # a dead daemon stops being "running" by itself


async def test_checkpoint_pending_done(store: Store) -> None:
    svc = ServiceStore(store)
    items = [
        FeedItem("f", "late", "", "http://x/2", utcnow(), guid="2"),
        FeedItem("f", "early", "", "http://x/1", utcnow() - timedelta(hours=1), guid="1"),
        FeedItem("f", "undated", "", "http://x/3", None, guid="3"),
    ]
    await svc.checkpoint(items)
    await svc.checkpoint(items[:1])  # the same item twice is one entry
    assert [it.title for it in await svc.pending()] == ["early", "late", "undated"]
    assert svc.queue_depths() == {"pending": 3, "outbox": 0, "dead": 0}
    await svc.done(items[:2])
    assert [it.title for it in await svc.pending()] == ["undated"]
    assert await svc.queue_depths_async() == {"pending": 1, "outbox": 0, "dead": 0}


async def test_queue_depths_model_versions_and_feed_health(store: Store) -> None:
    svc = ServiceStore(store)
    store.redis.xadd(store.keys.outbox(), {"a": "1"})
    store.redis.xadd(store.keys.outbox(), {"a": "2"})
    store.redis.xadd(store.keys.dead_letters(), {"a": "3"})
    assert svc.queue_depths() == {"pending": 0, "outbox": 2, "dead": 1}

    store.redis.set(store.keys.saga_version("s1"), 7)
    assert svc.model_versions(["s1", "s2"]) == {"s1": 7, "s2": None}
    assert await svc.model_versions_async(["s1"]) == {"s1": 7}

    await svc.record_poll("http://a", ok=True, status="ok")
    await svc.record_poll("http://b", ok=True, status="ok")
    await svc.record_poll("http://b", ok=False, status="HTTP 500")
    await svc.record_poll("http://b", ok=False, status="HTTP 503")
    health = {h.url: h for h in svc.feed_health(["http://a", "http://b", "http://c"])}
    assert health["http://a"].state == "ok"
    assert health["http://b"].state == "failing"
    assert health["http://b"].consecutive_errors == 2
    assert health["http://b"].last_status == "HTTP 503"
    assert health["http://b"].last_success is not None
    assert health["http://c"].state == "never_polled"
