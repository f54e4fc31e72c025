"""monitor/poller.py while Redis is down: one warning per outage, one line when it is back,
no traceback per poll. The real embedded redis-server is killed (SIGKILL) and started again."""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from feed_server import RSS, FeedServer, Reply, fixture, make_settings

from monitor.config import FeedSettings
from monitor.poller import Poller
from monitor.store import Store, connect
from monitor.types import FeedItem


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer().start()
    yield s
    s.stop()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = connect(None, tmp_path / "redis", prefix="o", embedded_db="r.db")
    yield s
    await s.aclose()
    s.close()


def kill_embedded(store: Store) -> None:
    pid = store._embedded.pid
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the kill is asynchronous: wait until it is gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    raise AssertionError(f"redis-server {pid} still alive")


async def test_a_redis_outage_is_logged_once_and_its_end_once(
    server: FeedServer, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/a"] = Reply(200, fixture("rss2.xml"), {"Content-Type": RSS, "ETag": '"a"'})
    server.routes["/b"] = Reply(200, fixture("atom.xml"), {"ETag": '"b"'})
    urls = [server.url("/a"), server.url("/b")]
    settings = make_settings(tmp_path, [{"url": u} for u in urls])

    async def on_items(feed: FeedSettings, items: list[FeedItem]) -> None:
        pass

    poller = Poller(settings, store, on_items)
    await poller.poll_all_once()  # Redis up: states stored
    kill_embedded(store)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="monitor.poller"):
        await poller.poll_all_once()
        await poller.poll_all_once()  # 2 feeds x 2 cycles: 4 failed polls
        down = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
        assert len(down) == 1 and down[0].levelno == logging.WARNING
        assert not any(r.exc_info for r in caplog.records), "a traceback was logged"
        assert not any("poll crashed" in r.getMessage() for r in caplog.records)

        store.restart_embedded()
        caplog.clear()
        await poller.poll_all_once()
        await poller.poll_all_once()
    await poller.stop()
    back = [r.getMessage() for r in caplog.records if "reachable again" in r.getMessage()]
    assert len(back) == 1 and "4 polls failed meanwhile" in back[0]
    assert not any("Redis unreachable" in r.getMessage() for r in caplog.records)


async def test_a_bug_in_a_poll_still_logs_its_traceback(
    server: FeedServer, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Only Redis being unreachable is quieted: any other crash keeps its traceback."""
    server.routes["/a"] = Reply(200, fixture("rss2.xml"), {"Content-Type": RSS})
    settings = make_settings(tmp_path, [{"url": server.url("/a")}])

    async def on_items(feed: FeedSettings, items: list[FeedItem]) -> None:
        pass

    async def buggy(items: object) -> list[FeedItem]:
        raise RuntimeError("a bug")

    poller = Poller(settings, store, on_items)
    poller.feed_store.afilter_new = buggy  # type: ignore[method-assign,assignment]
    with caplog.at_level(logging.INFO, logger="monitor.poller"):
        await poller.poll_all_once()
    await poller.stop()
    crashed = [r for r in caplog.records if "poll crashed" in r.getMessage()]
    assert crashed and crashed[0].exc_info
