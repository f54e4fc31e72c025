"""monitor/polls.py and monitor/store/polls.py: the scheduler publishes due polls, poll
workers poll them. Real parts: the session's embedded Redis (in-process tests), a
redis-server started by the test and ``monitor worker --poll`` processes (the SIGKILL
test), feeds served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from conftest import monitor_cmd, subprocess_env
from daemon_proc import free_port, get, get_json, stop, wait_for
from feed_server import RSS, FeedServer, Reply, make_settings
from redis_process import RedisProcess
from test_faults import ROOT

from monitor.config import FeedSettings, Settings
from monitor.daemon import Daemon
from monitor.feeds import parse_feed
from monitor.metrics import Metrics
from monitor.polls import DuePublisher
from monitor.store import Store, connect
from monitor.store.intake import IntakeStore
from monitor.store.lease import Lease
from monitor.store.polls import PollStreamStore, read_poll_queue
from monitor.store.service import ServiceStore

ITEMS = 3


def rss(tag: str, n: int = ITEMS) -> bytes:
    entries = "".join(
        f"<item><title>{tag} story {i}</title><link>http://example.com/{tag}/{i}</link>"
        f"<guid>{tag}-{i}</guid></item>"
        for i in range(n)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{tag}</title>'
            f"<link>http://example.com/</link>{entries}</channel></rss>").encode()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer().start()
    yield s
    s.stop()


def _daemon(tmp_path: Path, store: Store, urls: list[str], **scheduler: Any) -> Daemon:
    """A daemon wired as ``monitor run`` wires it (scheduler, lease, poll worker, intake);
    the pipeline is never run here."""
    base = make_settings(tmp_path, [{"url": u} for u in urls])
    settings = Settings.model_validate(
        {**base.model_dump(mode="json"), "scheduler": scheduler, "health": {"enabled": False}}
    )
    return Daemon(settings, store, SimpleNamespace(metrics=None))  # type: ignore[arg-type]


async def _until(what: Callable[[], Any], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await what():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def _intake_titles(store: Store) -> list[str]:
    return [it.title for it in await IntakeStore(store, max_len=1000).items()]


def _count(metric: Any, label: str) -> float:
    return float(metric.labels(label)._value.get())


async def test_a_due_poll_the_scheduler_publishes_is_polled_by_a_poll_worker_into_the_intake(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    server.routes["/rss"] = Reply(200, rss("a"), {"Content-Type": RSS})
    url = server.url("/rss")
    d = _daemon(tmp_path, store, [url])
    db = PollStreamStore(store, max_len=100)
    await d.leased.start()  # the lease taken, the scheduler started: the feed is due at once
    await _until(lambda: db.length())
    assert server.hits("/rss") == []  # the scheduler publishes, it does not poll
    await d.pollworker.start(loop=False)
    await d.pollworker.drain()
    assert await _intake_titles(store) == [f"a story {i}" for i in range(ITEMS)]
    assert len(server.hits("/rss")) == 1
    assert await db.length() == 0 and not store.redis.hlen(store.keys.polls_queued())
    # polled just now: the same feed is not due again before its next check
    assert d.poller.on_due is not None
    assert await d.poller.on_due(d.settings.feeds[0]) is not None
    m = d.metrics
    assert _count(m.due_polls, "published") == 1 and _count(m.due_polls, "not_due") == 1
    assert _count(m.poll_entries, "polled") == 1
    await d.leased.stop()
    await d.pollworker.stop()
    await store.aclose()


async def test_a_due_poll_with_a_stale_fencing_epoch_is_not_polled(
    store: Store, server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/rss"] = Reply(200, rss("s"), {"Content-Type": RSS})
    feed = FeedSettings(url=server.url("/rss"))
    d = _daemon(tmp_path, store, [feed.url])
    old = Lease(store, "scheduler", "old-holder", 30)
    assert await old.acquire()
    db = PollStreamStore(store, max_len=100)
    published = await db.publish(feed, epoch=old.epoch, due_by_s=time.time())
    assert published.outcome == "published"
    store.redis.delete(store.keys.lease("scheduler"))  # its lease expired (it froze)...
    new = Lease(store, "scheduler", "new-holder", 30)
    assert await new.acquire() and new.epoch == old.epoch + 1  # ...and another took it
    again = await db.publish(feed, epoch=old.epoch, due_by_s=time.time())
    assert again.outcome == "stale"  # the old holder can publish nothing more
    await d.pollworker.start(loop=False)
    with caplog.at_level(logging.WARNING, logger="monitor.polls"):
        await d.pollworker.drain()
    assert server.hits("/rss") == [] and await _intake_titles(store) == []
    assert await db.length() == 0  # dropped, not left pending
    assert _count(d.metrics.poll_entries, "stale") == 1
    assert "dropped 1 due poll(s) of a scheduler that lost its lease" in caplog.text
    await d.pollworker.stop()
    await store.aclose()


async def test_two_schedulers_one_losing_the_lease_make_one_poll_of_a_feed_for_one_due_time(
    store: Store, server: FeedServer, tmp_path: Path
) -> None:
    server.routes["/rss"] = Reply(200, rss("t"), {"Content-Type": RSS})
    url = server.url("/rss")
    # a long lease: no keeper step of A's during the test (it would find its lease gone)
    a, b = (_daemon(tmp_path, store, [url], lease_ttl_s=600) for _ in range(2))
    db = PollStreamStore(store, max_len=100)
    await a.leased.start()
    await _until(lambda: db.length())  # A published the feed's due poll
    store.redis.delete(store.keys.lease("scheduler"))  # A froze past its lease: B takes over
    await b.leased.start()
    await _until(lambda: db.length(), 10.0)
    await _until(lambda: _async(_count(b.metrics.due_polls, "published") == 1))
    feed = a.settings.feeds[0]
    # A still believes it holds the lease (its keeper has not stepped yet): refused
    assert a.leased.epoch() is not None
    assert a.poller.on_due is not None and b.poller.on_due is not None
    assert await a.poller.on_due(feed) is None
    assert _count(a.metrics.due_polls, "stale") == 1
    await b.pollworker.start(loop=False)
    await b.pollworker.drain()
    assert len(server.hits("/rss")) == 1  # A's due poll dropped, B's polled
    assert await _intake_titles(store) == [f"t story {i}" for i in range(ITEMS)]
    assert await b.poller.on_due(feed) is not None  # and not due again before its next check
    await b.pollworker.drain()
    assert len(server.hits("/rss")) == 1
    for d in (a, b):
        await d.leased.stop()
    await b.pollworker.stop()
    await store.aclose()


async def test_a_due_poll_of_the_former_scheduler_being_polled_is_not_published_again(
    store: Store,
) -> None:
    feed = FeedSettings(url="http://127.0.0.1:9/feed.xml")
    db = PollStreamStore(store, max_len=100)
    await db.ensure_group()
    old = Lease(store, "scheduler", "old-holder", 30)
    assert await old.acquire()
    assert (await db.publish(feed, epoch=old.epoch, due_by_s=time.time())).outcome == "published"
    [taken] = await db.read_new("worker-1", count=10, block_ms=None)  # read while current
    store.redis.delete(store.keys.lease("scheduler"))
    new = Lease(store, "scheduler", "new-holder", 30)
    assert await new.acquire()
    res = await db.publish(feed, epoch=new.epoch, due_by_s=time.time())
    assert (res.outcome, res.detail) == ("queued", taken.entry_id)  # it is being polled
    await db.done([taken])
    assert (await db.publish(feed, epoch=new.epoch, due_by_s=time.time())).outcome == "published"
    await db.aclose()
    await store.aclose()


async def _async(value: bool) -> bool:
    return value


async def test_a_feed_whose_due_poll_waits_is_not_published_again_and_it_is_logged_once(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feeds = [FeedSettings(url=f"http://127.0.0.1:9/{i}.xml") for i in range(11)]
    settings = make_settings(tmp_path)
    settings = settings.model_copy(
        update={"scheduler": settings.scheduler.model_copy(update={"due_max_len": 10})}
    )
    lease = Lease(store, "scheduler", "holder", 30)
    assert await lease.acquire()
    metrics = Metrics()
    publish = DuePublisher(store, settings, metrics, lambda: lease.epoch)
    with caplog.at_level(logging.INFO, logger="monitor.polls"):
        for f in feeds[:10]:
            assert await publish(f) is None
        for f in feeds:  # the first ten wait still; the stream is full for the eleventh
            await publish(f)
    assert _count(metrics.due_polls, "published") == 10
    assert _count(metrics.due_polls, "queued") == 10 and _count(metrics.due_polls, "full") == 1
    assert await PollStreamStore(store, max_len=10).length() == 10  # the stream did not grow
    assert caplog.text.count("poll workers falling behind") == 1
    await publish.db.aclose()
    await store.aclose()


def test_status_lists_the_pollers_group_and_its_poll_workers(store: Store) -> None:
    from monitor.cli import _queue_lines

    async def fill() -> None:
        lease = Lease(store, "scheduler", "holder", 30)
        assert await lease.acquire()
        db = PollStreamStore(store, max_len=100)
        await db.ensure_group()
        for i in range(3):
            feed = FeedSettings(url=f"http://127.0.0.1:9/{i}.xml")
            await db.publish(feed, epoch=lease.epoch, due_by_s=time.time())
        await db.read_new("host-7", count=2, block_ms=None)
        await db.aclose()
        await store.aclose()

    asyncio.run(fill())
    depths = ServiceStore(store).queue_depths([])
    lines = _queue_lines(depths)
    assert any(ln.startswith("  due polls pollers: 2 pending, 1 unread, 1 poll worker(s), "
                             "oldest waiting") for ln in lines)
    assert any(ln.startswith("    poll worker host-7: 2 pending, idle") for ln in lines)
    polls = depths.to_dict()["polls"]
    assert polls["pending"] == 2 and polls["consumers"][0]["name"] == "host-7"
    assert read_poll_queue(store).group.unread == 1


# -- processes: a poll worker SIGKILLed mid-poll ------------------------------------------

PREFIX = "polls"


def _config(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    cfg = root / "monitor.toml"
    cfg.write_text(f"""
data_dir = "{(root / "data").as_posix()}"
[redis]
key_prefix = "{PREFIX}"
[[sagas]]
name = "test"
seed_dir = "{(ROOT / "seeds").as_posix()}"
[polling]
allow_private_hosts = true
parse_workers = 0
jitter_s = 0
total_timeout_s = 120
read_timeout_s = 120
[scheduler]
poll_claim_idle_s = 2
[alerts]
console = false
jsonl_path = ""
[health]
enabled = false
""")
    return cfg


def _poll_worker(
    cfg: Path, log: Path, url: str, stack: ExitStack, *extra: str
) -> subprocess.Popen[bytes]:
    err = stack.enter_context(log.open("wb"))
    proc = subprocess.Popen(
        monitor_cmd("--config", str(cfg), "worker", "--poll", "--no-pipeline", *extra),
        cwd=ROOT, env=subprocess_env(REDIS_URL=url), stdout=subprocess.DEVNULL, stderr=err,
    )
    stack.callback(stop, proc)
    return proc


@pytest.mark.slow
def test_a_poll_worker_killed_mid_poll_leaves_its_due_poll_to_another_nothing_lost_or_doubled(
    tmp_path: Path, server: FeedServer
) -> None:
    body = rss("k", 5)
    # the first fetch hangs (the worker is killed meanwhile), the next one answers
    server.routes["/slow"] = [Reply(200, body, {"Content-Type": RSS}, delay_s=60),
                              Reply(200, body, {"Content-Type": RSS})]
    feed = FeedSettings(url=server.url("/slow"))
    expected = [it.title for it in parse_feed(body, feed.url).items]
    cfg = _config(tmp_path / "cfg")
    redis_proc = RedisProcess(tmp_path / "redis").start()
    store = connect(redis_proc.url, tmp_path, prefix=PREFIX, embedded_db="unused")

    async def publish() -> None:  # the scheduler's part: the lease, then one due poll
        lease = Lease(store, "scheduler", "the-scheduler", 60)
        assert await lease.acquire()
        res = await PollStreamStore(store, max_len=100).publish(
            feed, epoch=lease.epoch, due_by_s=time.time()
        )
        assert res.outcome == "published"
        await store.aclose()

    try:
        with ExitStack() as stack:
            first = _poll_worker(cfg, tmp_path / "first.log", redis_proc.url, stack)
            asyncio.run(publish())
            wait_for(lambda: len(server.hits("/slow")) == 1, 60, "the first worker's fetch")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            held = read_poll_queue(store).consumers
            assert [c.pending for c in held] == [1]  # its due poll stays pending
            assert store.redis.xlen(store.keys.intake()) == 0
            port = free_port()
            second = _poll_worker(cfg, tmp_path / "second.log", redis_proc.url, stack,
                                  "--health-port", str(port))
            wait_for(lambda: cast(int, store.redis.xlen(store.keys.intake())) >= len(expected), 60,
                     "the second worker to take the due poll over and poll it")
            wait_for(lambda: read_poll_queue(store).group.depth == 0, 10, "the due poll acked")
            status, health = get_json(f"http://127.0.0.1:{port}/healthz")
            assert status == 200 and health["checks"]["polls"]["ok"] is True, health
            assert "pipeline" not in health["checks"]  # --no-pipeline
            metrics = get(f"http://127.0.0.1:{port}/metrics")[1].decode()
            assert 'monitor_poll_entries_total{outcome="claimed"} 1.0' in metrics
            assert 'monitor_poll_entries_total{outcome="polled"} 1.0' in metrics
            second.send_signal(signal.SIGTERM)
            assert second.wait(15) == 0

        async def intake() -> list[str]:
            titles = await _intake_titles(store)
            await store.aclose()
            return titles

        titles = asyncio.run(intake())
        assert sorted(titles) == sorted(expected)  # each entry once
        assert len(server.hits("/slow")) == 2
        assert "took over 1 due poll(s)" in (tmp_path / "second.log").read_text()
    finally:
        store.close()
        redis_proc.kill()
