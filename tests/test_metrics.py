"""monitor/metrics.py: what a Prometheus user scrapes from /metrics (a real HealthServer on
127.0.0.1, and a real poller against a loopback feed server and the embedded Redis)."""

from __future__ import annotations

import asyncio
import platform
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from feed_server import FeedServer, Reply, fixture, make_settings
from prometheus_client.parser import text_string_to_metric_families

from monitor import __version__
from monitor.config import FeedSettings
from monitor.health import HealthReport, HealthServer, evaluate
from monitor.metrics import ITEM_STAGES, Metrics
from monitor.poller import Poller
from monitor.store import Store
from monitor.types import FeedItem, utcnow
from monitor.urls import redact


@pytest.fixture
async def store(redis_server: Store) -> AsyncIterator[Store]:
    """The session's embedded Redis (tests/conftest.py) under a prefix of this test's own:
    a server of its own per test cost ~2 s to stop."""
    s = redis_server.scoped(f"metrics-{uuid.uuid4().hex[:10]}")
    yield s
    await s.aclose()
    s.drop_namespace()


async def _scrape(metrics: Metrics) -> str:
    async def check() -> HealthReport:
        now = utcnow()
        return evaluate(
            state="running", redis_ok=True, scheduler_running=True,
            last_cycle_at=now, since=now, max_age_s=None,
        )  # fmt: skip

    server = HealthServer(("127.0.0.1", 0), check, metrics)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await writer.drain()
        raw = await reader.read()
        writer.close()
        await writer.wait_closed()
    finally:
        await server.stop()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.split()[1] == b"200"
    return body.decode()


async def test_conventions_no_created_build_info_process_and_long_buckets() -> None:
    metrics = Metrics()
    metrics.polls.labels("ok").inc()
    metrics.pipeline_seconds.observe(240.0)  # seeding a saga: four minutes
    text = await _scrape(metrics)
    assert "_created" not in text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    (info,) = families["monitor_build_info"].samples
    assert info.value == 1
    assert info.labels == {"version": __version__, "python": platform.python_version()}
    assert families["process_resident_memory_bytes"].samples[0].value > 0
    assert "process_cpu_seconds" in families
    buckets = {
        float(s.labels["le"]): s.value
        for s in families["monitor_pipeline_seconds"].samples
        if s.name.endswith("_bucket")
    }
    assert buckets[300.0] == 1 and buckets[120.0] == 0  # four minutes lands in a real bucket
    stages = {s.labels["stage"] for s in families["monitor_items"].samples}
    assert stages == set(ITEM_STAGES)  # every stage shows from the start, at 0


def rss(*guids: str) -> bytes:
    items = "".join(
        f"<item><title>Entry {g}</title><guid isPermaLink='false'>{g}</guid>"
        f"<link>https://n.example/{g}</link></item>"
        for g in guids
    )
    channel = f"<channel><title>T</title>{items}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()


async def test_feeds_report_their_last_success_and_known_entries_are_counted(
    store: Store, tmp_path: Path
) -> None:
    handed_on: list[FeedItem] = []

    async def pipeline(feed: FeedSettings, items: list[FeedItem]) -> None:
        handed_on.extend(items)

    server = FeedServer().start()
    try:
        server.routes["/rss"] = Reply(200, fixture("rss2.xml"))
        server.routes["/down"] = Reply(500)
        server.routes["/other?token=abc"] = [
            Reply(200, rss("a", "b")),
            Reply(200, rss("a", "b", "c")),
        ]
        unnamed = server.url("/other?token=abc").replace("//", "//user:s3cret@", 1)
        feeds = [{"url": server.url("/rss"), "name": "Wire"}, {"url": server.url("/down")}]
        settings = make_settings(tmp_path, [*feeds, {"url": unnamed}])
        metrics = Metrics()
        poller = Poller(settings, store, pipeline, metrics)
        await poller.poll_all_once()
        await poller.poll_all_once()  # /rss: the same bytes; /other: one entry more
        await poller.stop()
    finally:
        server.stop()
    text = await _scrape(metrics)
    assert "s3cret" not in text and "abc" not in text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    success = {
        s.labels["feed"]: s.value
        for s in families["monitor_feed_last_success_timestamp_seconds"].samples
    }
    assert set(success) == {"Wire", redact(unnamed)}  # /down never succeeded: no series
    assert all(v > utcnow().timestamp() - 3600 for v in success.values())
    # Counted once each: 2 entries seen again are known; the new ones stop downstream.
    items = {s.labels["stage"]: s.value for s in families["monitor_items"].samples}
    assert items["known"] == 2
    assert len(handed_on) == len({i.id for i in handed_on}) >= 3


async def test_a_renamed_or_removed_feed_changes_its_series(store: Store, tmp_path: Path) -> None:
    async def pipeline(feed: FeedSettings, items: list[FeedItem]) -> None:
        pass

    server = FeedServer().start()
    try:
        server.routes["/a"] = Reply(200, fixture("rss2.xml"))
        server.routes["/b"] = Reply(200, fixture("atom.xml"))
        a, b = server.url("/a"), server.url("/b")
        settings = make_settings(tmp_path, [{"url": a, "name": "Old"}, {"url": b, "name": "B"}])
        metrics = Metrics()
        poller = Poller(settings, store, pipeline, metrics)
        await poller.poll_all_once()
        await poller.start()
        poller.reload([FeedSettings(url=a, name="New")])  # renamed; B removed
        await poller.stop()
    finally:
        server.stop()
    families = {f.name: f for f in text_string_to_metric_families(await _scrape(metrics))}
    samples = families["monitor_feed_last_success_timestamp_seconds"].samples
    assert [s.labels["feed"] for s in samples] == ["New"]
