"""The intake stream (monitor/store/intake.py) and the pipeline worker (monitor/intake.py)
on the session's embedded Redis; the per-saga decision lock with two pipelines deciding at
the same moment."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import NEW_CHAIR, SAME_CHAIR

from monitor.config import Settings
from monitor.daemon import Daemon
from monitor.errors import StoreError
from monitor.pipeline import Pipeline
from monitor.store import Store
from monitor.store.intake import (
    PIPELINE_GROUP,
    IntakeEntry,
    IntakeFull,
    IntakeStore,
    read_intake_queue,
)
from monitor.store.lease import SagaLock
from monitor.store.sagas import SagaStore
from monitor.store.service import ServiceStore
from monitor.types import Alert, AlertKind, Document, FeedItem, utcnow


def _items(n: int, tag: str = "i") -> list[FeedItem]:
    return [FeedItem("http://f/x.xml", f"{tag}{i}", "", f"http://x/{tag}{i}", None,
                     guid=f"{tag}{i}") for i in range(n)]


def test_entries_encode_and_decode_and_say_why_they_are_unusable() -> None:
    item = _items(1)[0]
    entry = IntakeEntry.decode("1-0", IntakeEntry.encode(item))
    assert entry.item == item and not entry.problem
    assert IntakeEntry.decode("1-1", {}).problem == "entry data gone (trimmed)"
    assert "version" in IntakeEntry.decode("1-2", {"v": "9", "item": "{}"}).problem
    assert "undecodable" in IntakeEntry.decode("1-3", {"v": "1", "item": "{"}).problem


async def test_publish_read_done_and_the_length_is_the_backlog(store: Store) -> None:
    db = IntakeStore(store, max_len=100)
    assert await db.ensure_group() and not await db.ensure_group()
    assert await db.publish(_items(5)) == 5
    got = await db.read_new("w1", count=2, block_ms=None)
    assert [e.item.title for e in got if e.item] == ["i0", "i1"]
    assert await db.length() == 5  # read, not done: still waiting
    await db.done(e.entry_id for e in got)
    assert await db.length() == 3
    assert [it.title for it in await db.items()] == ["i2", "i3", "i4"]
    q = read_intake_queue(store)
    assert (q.group.sink, q.group.pending, q.group.unread) == (PIPELINE_GROUP, 0, 3)
    assert ServiceStore(store).queue_depths([]).intake == 3
    await store.aclose()


async def test_a_polls_hand_over_marks_its_entries_seen_so_a_second_poll_adds_none_twice(
    store: Store,
) -> None:
    from dataclasses import replace

    from monitor.store.feeds import FeedStore

    db = IntakeStore(store, max_len=100)
    items = _items(3)
    assert await db.publish_new(items, seen_ttl_s=60) == 3
    assert await FeedStore(store, ttl_s=60).afilter_new(items) == []  # seen, in the same step
    edited = replace(items[1], summary="corrected")
    assert await db.publish_new([*items, edited], seen_ttl_s=60) == 1  # only what changed
    assert [it.summary for it in await db.items()] == ["", "", "", "corrected"]
    await store.aclose()


async def test_a_full_stream_refuses_the_whole_hand_over(store: Store) -> None:
    db = IntakeStore(store, max_len=100)
    await db.publish(_items(98))
    with pytest.raises(IntakeFull):
        await db.publish(_items(3, "late"))  # all or none: the poller offers them again
    assert await db.length() == 98
    assert await db.publish(_items(2, "fits")) == 2
    await store.aclose()


async def test_entries_of_a_dead_worker_are_taken_over_with_their_delivery_count(
    store: Store,
) -> None:
    db = IntakeStore(store, max_len=100)
    await db.ensure_group()
    await db.publish(_items(3))
    await db.read_new("dead-worker", count=3, block_ms=None)  # then it dies
    assert await db.autoclaim("w2", min_idle_ms=60_000, count=10) == []  # not idle long
    await asyncio.sleep(0.05)
    taken = await db.autoclaim("w2", min_idle_ms=10, count=10)
    assert [e.deliveries for e in taken] == [2, 2, 2]
    again = await db.read_mine("w2", count=10)  # a retry of w2's own counts one more
    assert [e.deliveries for e in again] == [3, 3, 3]
    await store.aclose()


class _Recorder:
    """Stands in for the Pipeline: records the items it is given; fails on ``poison``."""

    def __init__(self, poison: str = "") -> None:
        self.poison = poison
        self.processed: list[str] = []

    def ensure_seeded(self) -> list[str]:
        return []

    def candidates(self, items: Sequence[FeedItem]) -> list[tuple[FeedItem, tuple[str, ...]]]:
        return [(it, ("openai",)) for it in items]

    def observe(self, items: Sequence[FeedItem]) -> None:
        pass

    def process(self, docs: Sequence[Document], *, outcomes: list[Any], only: Any = None,
                turn: Any = None) -> list[Alert]:
        if any(d.title == self.poison for d in docs):
            raise RuntimeError("this item breaks the pipeline")
        self.processed.extend(d.title for d in docs)
        return []


def _daemon(settings_factory: Any, tmp_path: Path, store: Store, pipeline: Any) -> Daemon:
    settings: Settings = settings_factory(
        tmp_path, extract={"enabled": False}, nlp={"batch_size": 4},
        pipeline={"max_deliveries": 2, "claim_idle_s": 0.05},
    )
    return Daemon(settings, store, pipeline)


async def test_a_poison_item_goes_to_the_dead_letters_and_the_others_through(
    store: Store, settings_factory: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    rec = _Recorder(poison="i2")
    d = _daemon(settings_factory, tmp_path, store, rec)
    intake = d.intake
    await intake.start(loop=False)
    await intake.db.publish(_items(4))
    await intake.step(block_ms=None)  # the batch fails on i2: all four stay pending
    assert rec.processed == [] and await intake.db.length() == 4
    for _ in range(10):  # retried one at a time (the retry wait skipped here)
        intake.retry_soon()
        await intake.step(block_ms=None)
    assert sorted(rec.processed) == ["i0", "i1", "i3"]
    assert await intake.db.length() == 0 and await intake.db.dead_count() == 1
    assert "moved to the dead letters: handed out 3 times without success" in caplog.text
    await intake.stop()
    await store.aclose()


async def test_a_worker_takes_over_what_a_crashed_one_left_and_stops_cleanly(
    store: Store, settings_factory: Any, tmp_path: Path,
) -> None:
    rec = _Recorder()
    d = _daemon(settings_factory, tmp_path, store, rec)
    await d.intake.start(loop=False)
    await d.intake.db.publish(_items(3))
    await d.intake.db.read_new("crashed-worker-on-another-host", count=3, block_ms=None)
    await asyncio.sleep(0.1)  # idle longer than claim_idle_s
    assert await d.intake.step(block_ms=None) == 3
    assert sorted(rec.processed) == ["i0", "i1", "i2"] and await d.intake.db.length() == 0
    await d.intake.stop()
    names = [c.name for c in read_intake_queue(store).consumers]
    assert d.intake.consumer not in names  # it held nothing: it left the group
    await store.aclose()


def test_the_saga_lock_is_held_by_one_worker_at_a_time(store: Store) -> None:
    spans: list[tuple[float, float]] = []

    def work() -> None:
        with SagaLock(store, "openai", ttl_s=5).held():
            start = time.monotonic()
            time.sleep(0.1)
            spans.append((start, time.monotonic()))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spans.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans
    waiting = SagaLock(store, "openai", ttl_s=5).held(wait_s=0.1)
    with SagaLock(store, "openai", ttl_s=5).held(), pytest.raises(StoreError, match="still held"):
        waiting.__enter__()


def test_a_saga_lock_left_by_a_killed_process_is_taken_at_once(store: Store) -> None:
    """A worker killed mid-decision leaves the saga's lock for its TTL; its restart (same
    machine, the killed pid gone) takes it at once. A live holder's lock is waited for."""
    lock = SagaLock(store, "saga", ttl_s=60)
    with subprocess.Popen(["sleep", "30"]) as alive:
        try:
            for pid in (alive.pid, os.getpid()):  # another process, alive; this one
                store.redis.set(lock.key, f"{socket.gethostname()}:{pid}:0a1b", px=60_000)
                with pytest.raises(StoreError, match="still held"):
                    lock.held(wait_s=0).__enter__()
        finally:
            alive.kill()
        alive.wait()
        store.redis.set(lock.key, f"{socket.gethostname()}:{alive.pid}:0a1b", px=60_000)
    with lock.held(wait_s=0):  # no wait: its holder is gone
        assert store.redis.get(lock.key) != f"{socket.gethostname()}:{alive.pid}:0a1b".encode()
    store.redis.set(lock.key, f"another-host:{alive.pid}:0a1b", px=60_000)
    with pytest.raises(StoreError, match="still held"):  # another machine's: never broken
        lock.held(wait_s=0).__enter__()


class _TogetherAnalyzer:
    """The session's analyzer, one call at a time (spaCy is not shared across threads),
    each caller then waiting for the other: both pipelines decide at the same moment."""

    def __init__(self, inner: Any, parties: int) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(parties, timeout=60)

    def leads(self, docs: Any) -> Any:
        with self.lock:
            return self.inner.leads(docs)

    def analyze(self, docs: Any) -> Any:
        with self.lock:
            out = self.inner.analyze(docs)
        self.barrier.wait()
        return out

    def embed(self, texts: Any) -> Any:
        with self.lock:
            return self.inner.embed(texts)

    def vector(self, text: str) -> Any:
        with self.lock:
            return self.inner.vector(text)


@pytest.mark.slow
def test_two_workers_seeing_two_reports_of_one_development_at_once_make_one_event(
    seeded_store: Store, settings_factory: Any, analyzer: Any, tmp_path: Path,
) -> None:
    settings = settings_factory(tmp_path)
    together = _TogetherAnalyzer(analyzer, 2)
    emitted: list[Alert] = []
    before = SagaStore(seeded_store).load("openai")
    reports = [
        FeedItem(f"http://{name}.example/feed.xml", title, text, f"http://{name}.example/1",
                 utcnow(), guid=f"{name}-1")
        for name, (title, text) in (("verge", NEW_CHAIR), ("ars", SAME_CHAIR))
    ]

    def worker(item: FeedItem) -> None:
        p = Pipeline(settings, seeded_store, analyzer=together, emit=emitted.extend)
        p.process_items([item])

    threads = [threading.Thread(target=worker, args=(it,)) for it in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    after = SagaStore(seeded_store).load("openai")
    new_events = set(after.events) - set(before.events)
    developments = [a for a in emitted if a.kind is AlertKind.NEW_DEVELOPMENT]
    assert len(new_events) == 1, [after.events[e].statement for e in new_events]
    assert len(developments) == 1 and "Bret Taylor" in developments[0].headline, emitted


async def test_falling_behind_is_logged_once_per_episode_and_the_lag_is_a_metric(
    store: Store, settings_factory: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("monitor.intake.WATCH_S", 0.0)
    caplog.set_level(logging.INFO, logger="monitor")
    settings: Settings = settings_factory(tmp_path, pipeline={"behind_len": 10})
    d = Daemon(settings, store, cast(Any, _Recorder()))
    d.scheduler.running = True  # the process that polls says it
    db = d.intake.db
    await db.ensure_group()
    await db.publish(_items(12))
    for _ in range(3):
        await d.intake._watch()
    assert caplog.text.count("intake falling behind: 12 item(s) waiting") == 1
    lag = d.metrics.stream_lag.labels("intake", "pipeline")._value.get()
    assert lag == 12
    got = await db.read_new("w", count=12, block_ms=None)
    await db.done(e.entry_id for e in got[:8])  # 4 left: under half of behind_len
    await d.intake._watch()
    await db.publish(_items(12, "again"))
    await d.intake._watch()
    assert "intake caught up: 4 item(s) waiting" in caplog.text
    assert caplog.text.count("intake falling behind") == 2  # a second episode
    await store.aclose()


def test_status_lists_the_pipeline_group_and_its_workers(store: Store) -> None:
    from monitor.cli import _queue_lines

    async def fill() -> None:
        db = IntakeStore(store, max_len=100)
        await db.ensure_group()
        await db.publish(_items(3))
        await db.read_new("host-1", count=2, block_ms=None)
        await store.aclose()

    asyncio.run(fill())
    lines = _queue_lines(ServiceStore(store).queue_depths([]))
    assert lines[0].startswith("queues:    intake 3,")
    assert lines[1].startswith("  intake pipeline: 2 pending, 1 unread, 1 worker(s), oldest")
    assert lines[2].startswith("    worker host-1: 2 pending, idle")
    as_json = ServiceStore(store).queue_depths([]).to_dict()["pipeline"]
    assert as_json["pending"] == 2 and as_json["consumers"][0]["name"] == "host-1"


async def test_a_stop_while_the_batch_downloads_its_articles_leaves_its_items_waiting(
    store: Store, settings_factory: Any, tmp_path: Path,
) -> None:
    rec = _Recorder()
    d = _daemon(settings_factory, tmp_path, store, rec)
    downloading = asyncio.Event()

    async def stuck(items: Sequence[FeedItem]) -> list[Document]:
        downloading.set()
        await asyncio.sleep(3600)  # a slow article site: the stop comes first
        return []

    d.articles.documents = stuck  # type: ignore[method-assign]
    run = asyncio.create_task(d.run(worker=True))
    await asyncio.wait_for(d.intake.db.ensure_group(), 10)
    await IntakeStore(store, max_len=100).publish(_items(3))
    await asyncio.wait_for(downloading.wait(), 20)
    d.request_stop("test")
    assert await asyncio.wait_for(run, 15) == 0
    # not marked done for the seeding check that ran before the download: still waiting
    assert [it.title for it in await IntakeStore(store, max_len=100).items()] == [
        "i0", "i1", "i2"]
    assert rec.processed == []
    await store.aclose()
