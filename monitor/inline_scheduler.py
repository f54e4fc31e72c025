"""Interim feed scheduler: main's first inline one, behind the shape the daemon expects
(``start / stop / reload / poll_all_once``, ``running``, ``last_cycle_at``).

Replaced by ``monitor.poller.Poller`` (issue #5): delete this module when it lands, with
``ServiceStore.record_poll`` (the Poller saves the feed state itself).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import httpx
import redis
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor import feeds
from monitor.config import FeedSettings, Settings
from monitor.errors import MonitorError
from monitor.metrics import Metrics
from monitor.store import Store
from monitor.store.feeds import FeedStore
from monitor.store.service import ServiceStore
from monitor.types import FeedItem, utcnow

log = logging.getLogger(__name__)

OnItems = Callable[[FeedSettings, list[FeedItem]], Awaitable[None]]
# How long stop() lets polls that already handed items over finish.
STOP_WAIT_S = 3.0


class InlineScheduler:
    """One APScheduler job per feed; each poll runs as a tracked task (never two at once
    for one feed). ``stop`` stops scheduling, cancels fetches, and lets polls that already
    handed items over finish (bounded)."""

    name = "scheduler"

    def __init__(
        self,
        settings: Settings,
        store: Store,
        on_items: OnItems,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.on_items = on_items
        self.metrics = metrics or Metrics()
        self.feed_store = FeedStore(store, ttl_s=settings.polling.seen_ttl_s)
        self.service = ServiceStore(store)
        self.feeds: dict[str, FeedSettings] = {f.url: f for f in settings.feeds}
        self.last_cycle_at: datetime | None = None
        self.running = False
        self._client: httpx.AsyncClient | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._polls: dict[str, asyncio.Task[None]] = {}
        self._handing: set[asyncio.Task[None]] = set()

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = feeds.make_client(self.settings.polling)
        return self._client

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        for feed in self.feeds.values():
            self._add_job(feed)
        self._scheduler.start()
        self.running = True

    def _add_job(self, feed: FeedSettings) -> None:
        assert self._scheduler is not None
        self._scheduler.add_job(
            self._tick,
            IntervalTrigger(
                seconds=feed.interval_s or self.settings.polling.interval_s,
                jitter=self.settings.polling.jitter_s,
            ),
            args=(feed.url,),
            id=feed.url,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )

    def reload(self, feeds: Sequence[FeedSettings]) -> None:
        new = {f.url: f for f in feeds}
        for url in self.feeds.keys() - new.keys():
            if self._scheduler is not None:
                self._scheduler.remove_job(url)
            log.info("feed removed", extra={"feed": url})
        for url, feed in new.items():
            if self.feeds.get(url) != feed:
                log.info(
                    "feed %s", "changed" if url in self.feeds else "added", extra={"feed": url}
                )
                if self._scheduler is not None:
                    self._add_job(feed)
        self.feeds = new

    async def _tick(self, url: str) -> None:
        feed = self.feeds.get(url)
        running = self._polls.get(url)
        if feed is None or (running is not None and not running.done()):
            return
        task = asyncio.create_task(self.poll(feed), name=f"poll {url}")
        self._polls[url] = task
        task.add_done_callback(
            lambda t: self._polls.pop(url, None) if self._polls.get(url) is t else None
        )

    async def poll_all_once(self) -> None:
        await asyncio.gather(*(self.poll(f) for f in list(self.feeds.values())))

    async def poll(self, feed: FeedSettings) -> None:
        try:
            await self._poll(feed)
        except (redis.RedisError, MonitorError) as exc:
            log.warning("poll failed: %s", exc, extra={"feed": feed.url})
        except Exception:  # a bug: keep the traceback, keep the daemon
            log.exception("poll failed", extra={"feed": feed.url})
        finally:
            self.last_cycle_at = utcnow()
            self.metrics.last_poll_cycle.set(self.last_cycle_at.timestamp())

    async def _poll(self, feed: FeedSettings) -> None:
        result = await feeds.poll(self.client(), feed)
        self.metrics.polls.labels(result.status.value).inc()
        if result.status is feeds.PollStatus.ERROR:
            code = result.http_status
            kind = "network" if code is None else f"http_{code // 100}xx"
            self.metrics.fetch_errors.labels(kind).inc()
            log.warning("poll failed: %s", result.error, extra={"feed": feed.url})
            await self.service.record_poll(feed.url, ok=False, status=result.error or "error")
            return
        await self.service.record_poll(feed.url, ok=True, status=result.status.value)
        if result.bozo:
            log.info(
                "feed is malformed, kept %d entries: %s",
                len(result.items),
                result.bozo,
                extra={"feed": feed.url},
            )
        new_items = await asyncio.to_thread(self.feed_store.filter_new, result.items)
        self.metrics.items.labels("seen").inc(len(result.items))
        self.metrics.items.labels("new").inc(len(new_items))
        log.info(
            "polled: %s, %d items, %d new",
            result.status.value,
            len(result.items),
            len(new_items),
            extra={"feed": feed.url},
        )
        if new_items:
            task = asyncio.current_task()
            assert task is not None
            self._handing.add(task)  # from here on, stop() lets it finish
            try:
                await self.on_items(feed, new_items)
            finally:
                self._handing.discard(task)

    async def stop(self) -> None:
        self.running = False
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        polls = set(self._polls.values())
        for t in polls - self._handing:
            t.cancel()  # still fetching: nothing handed over yet, nothing lost
        if polls:
            _, late = await asyncio.wait(polls, timeout=STOP_WAIT_S)
            for t in late:
                t.cancel()  # its items stay checkpointed for the next start
            await asyncio.gather(*polls, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
