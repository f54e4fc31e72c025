"""The long-running service: schedule feed polls, run new items through the pipeline.

One asyncio loop. APScheduler's AsyncIOScheduler runs one job per feed (coalesced, never
overlapping itself); the CPU-bound pipeline runs in a worker thread so polling never
stalls. SIGINT/SIGTERM are handled here, in one place: stop scheduling, let the job in
flight finish, close the store.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor import feeds
from monitor.config import Env, FeedSettings, Settings, redis_url
from monitor.errors import MonitorError
from monitor.pipeline import Pipeline
from monitor.store import Store, connect
from monitor.store.feeds import FeedStore

log = logging.getLogger(__name__)


class Daemon:
    def __init__(self, settings: Settings, store: Store, pipeline: Pipeline) -> None:
        self.settings = settings
        self.store = store
        self.pipeline = pipeline
        self.store_feeds = FeedStore(store, ttl_s=settings.polling.seen_ttl_s)
        self._stop = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()  # one pipeline run at a time (it mutates the model)

    def request_stop(self, reason: str = "") -> None:
        if not self._stop.is_set():
            log.info("stopping%s", f" ({reason})" if reason else "")
            self._stop.set()

    async def poll_feed(self, client: object, feed: FeedSettings) -> int:
        """Poll one feed and process its new items; returns the number of alerts."""
        result = await feeds.poll(client, feed)  # type: ignore[arg-type]
        if result.status is feeds.PollStatus.ERROR:
            log.warning("poll failed: %s", result.error, extra={"feed": feed.url})
            return 0
        if result.bozo:
            log.info(
                "feed is malformed, kept %d entries: %s",
                len(result.items),
                result.bozo,
                extra={"feed": feed.url},
            )
        new_items = self.store_feeds.filter_new(result.items)
        log.info(
            "polled: %s, %d items, %d new",
            result.status.value,
            len(result.items),
            len(new_items),
            extra={"feed": feed.url},
        )
        if not new_items:
            return 0
        async with self._lock:
            alerts = await asyncio.to_thread(self.pipeline.process_items, new_items)
        return len(alerts)

    async def run(self, *, burst: bool = False) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_stop, sig.name)
        await asyncio.to_thread(self.pipeline.ensure_seeded)
        client = feeds.make_client(self.settings.polling)
        try:
            if burst:
                await asyncio.gather(*(self.poll_feed(client, f) for f in self.settings.feeds))
                return 0
            scheduler = AsyncIOScheduler(timezone=UTC)
            for feed in self.settings.feeds:
                scheduler.add_job(
                    self.poll_feed,
                    IntervalTrigger(
                        seconds=feed.interval_s or self.settings.polling.interval_s,
                        jitter=self.settings.polling.jitter_s,
                    ),
                    args=(client, feed),
                    id=feed.url,
                    coalesce=True,
                    max_instances=1,
                    next_run_time=datetime.now(UTC),
                )
            scheduler.start()
            log.info(
                "daemon started: %d feeds, store %s", len(self.settings.feeds), self.store.location
            )
            await self._stop.wait()
            scheduler.shutdown(wait=False)
            return 0
        finally:
            await client.aclose()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def run_daemon(settings: Settings, *, burst: bool = False) -> int:
    store = connect(
        redis_url(Env()),
        settings.data_dir,
        prefix=settings.redis.key_prefix,
        embedded_db=settings.redis.embedded_db,
    )
    try:
        pipeline = Pipeline(settings, store)
        return asyncio.run(Daemon(settings, store, pipeline).run(burst=burst))
    except MonitorError:
        raise
    finally:
        store.close()
        log.info("daemon stopped")
