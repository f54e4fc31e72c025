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

from monitor.config import Env, FeedSettings, Settings, redis_url
from monitor.errors import MonitorError
from monitor.pipeline import Pipeline
from monitor.poller import Poller
from monitor.store import Store, connect
from monitor.types import FeedItem

log = logging.getLogger(__name__)


class Daemon:
    def __init__(self, settings: Settings, store: Store, pipeline: Pipeline) -> None:
        self.settings = settings
        self.store = store
        self.pipeline = pipeline
        self._stop = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()  # one pipeline run at a time (it mutates the model)

    def request_stop(self, reason: str = "") -> None:
        if not self._stop.is_set():
            log.info("stopping%s", f" ({reason})" if reason else "")
            self._stop.set()

    async def on_items(self, feed: FeedSettings, items: list[FeedItem]) -> None:
        """New entries of one feed (the poller deduplicated them) through the pipeline."""
        async with self._lock:
            await asyncio.to_thread(self.pipeline.process_items, items)

    async def run(self, *, burst: bool = False) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_stop, sig.name)
        await asyncio.to_thread(self.pipeline.ensure_seeded)
        poller = Poller(self.settings, self.store, self.on_items)
        try:
            if burst:
                await poller.poll_all_once()
                return 0
            await poller.start()
            log.info("daemon started, store %s", self.store.location)
            await self._stop.wait()
            return 0
        finally:
            await poller.stop()
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
