"""Due polls through a stream: the scheduler publishes them, poll workers poll.

    scheduler (the lease holder)    APScheduler job of a feed -> :class:`DuePublisher`
                                    -> P:polls (a due poll: the feed + the lease's epoch)
    poll workers (:class:`PollWorker`, group ``pollers``: the one in ``monitor run`` and
    every ``monitor worker --poll``)  XREADGROUP -> epoch checked -> ``Poller.poll_due``
                                    (fetch, parse, dedup, the new items to the intake
                                    stream) -> XACK + XDEL

Exactly one poll per feed and due time. The scheduler is fenced twice: the publish
script refuses an epoch that is not the lease's current one, and a worker drops a due poll
whose epoch is not the current one when it reads it (a scheduler that lost the lease, or
published just before) -- logged and counted (``monitor_poll_entries_total{outcome=
"stale"}``). A feed's due poll is not published again while the previous one waits, nor
while the feed's stored next check is ahead (another worker polled it); a worker that
takes over a dead worker's due poll and finds the feed polled since only acknowledges it.
A repeated poll makes no duplicate intake entries anyway: the intake hand-over and the
entries' seen marks are one Lua step (``IntakeStore.publish``).

Backpressure: a feed whose previous due poll still waits is skipped (``queued``), and the
stream is bounded by ``[scheduler] due_max_len`` (``full``): "poll workers falling behind"
logged once per episode, ``monitor_due_polls_total{outcome}`` and
``monitor_stream_lag{stream="polls",group="pollers"}``.

A worker holds at most ``2 x [polling] max_connections`` due polls at a time; a stop waits
for the polls in flight (bounded by the daemon's grace), the others stay pending and are
taken over at the next start on this host at once (their consumer's pid is gone), or by
another worker after ``[scheduler] poll_claim_idle_s``. While polls run, their entries'
idle time is reset every third of it, so a slow feed is never taken over from a live worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.config import FeedSettings, Settings
from monitor.consumers import Trouble, dead_local_consumer, default_consumer, step_or_recover
from monitor.errors import StoreError
from monitor.metrics import Metrics
from monitor.store import Store
from monitor.store.polls import DuePoll, PollStreamStore

if TYPE_CHECKING:
    from monitor.poller import Poller

log = logging.getLogger(__name__)

# A due poll counts as due this long before the feed's stored next check (the scheduler's
# job and the poll worker's plan of the next check use two jitters).
DUE_SLACK_S = 1.0
# A read of new due polls waits this long for one.
READ_BLOCK_MS = 1000
# A due poll handed out more than this many times (its workers keep dying on it) is dropped:
# the scheduler publishes the feed again at its next interval.
MAX_DELIVERIES = 3
# The backlog gauges are read this often.
WATCH_S = 5.0


class DuePublisher:
    """The scheduler's side: the poller's ``on_due``. Publishes a feed's due poll with the
    lease's epoch (nothing while the lease is not surely held); returns when the feed is
    due instead, if it is not yet."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        metrics: Metrics,
        epoch: Callable[[], int | None],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = PollStreamStore(store, max_len=settings.scheduler.due_max_len)
        self.metrics = metrics
        self.epoch = epoch
        self.clock = clock  # wall clock, as the poller writes the feeds' next checks
        self._wire: dict[str, tuple[FeedSettings, str]] = {}  # encoded once per feed
        self._behind = False
        self._stale_logged = 0

    async def __call__(self, feed: FeedSettings) -> datetime | None:
        epoch = self.epoch()
        if epoch is None:
            return None  # not surely the scheduler now: the keeper decides what follows
        cached = self._wire.get(feed.url)
        if cached is None or cached[0] is not feed:
            cached = self._wire[feed.url] = (feed, DuePoll.encode_feed(feed))
        res = await self.db.publish(
            feed, epoch=epoch, due_by_s=self.clock() + DUE_SLACK_S, wire=cached[1]
        )
        self.metrics.due_polls.labels(res.outcome).inc()
        if res.outcome == "stale" and self._stale_logged != epoch:
            self._stale_logged = epoch
            log.warning("due polls refused: the scheduler lease moved on (epoch %s, ours %d); "
                        "this process stops scheduling at the lease's next step",
                        res.detail, epoch)
        self._backpressure(res.outcome)
        return res.not_before

    async def aclose(self) -> None:
        """Wait for the publishes in flight (their pipeline released)."""
        await self.db.aclose()

    def _backpressure(self, outcome: str) -> None:
        if outcome in ("queued", "full") and not self._behind:
            self._behind = True
            why = ("the due-poll stream is full ([scheduler] due_max_len)" if outcome == "full"
                   else "a feed's previous due poll is still waiting")
            log.warning("poll workers falling behind: %s; feeds are skipped until their due "
                        "poll is taken; add `monitor worker --poll` processes (not repeated "
                        "until they catch up)", why)
        elif outcome == "published" and self._behind:
            self._behind = False
            log.info("poll workers caught up: due polls published again")


class PollWorker:
    """One consumer of the ``pollers`` group. Start: make the group, take over what a dead
    process of this host left; running: :meth:`step` in a loop; stop: wait for the polls
    in flight (the daemon bounds it), leave the rest pending."""

    name = "pollworker"

    def __init__(
        self,
        poller: Poller,
        store: Store,
        settings: Settings,
        metrics: Metrics,
        *,
        consumer: str | None = None,
    ) -> None:
        self.poller = poller
        self.db = PollStreamStore(store, max_len=settings.scheduler.due_max_len)
        self.metrics = metrics
        self.claim_idle_s = settings.scheduler.poll_claim_idle_s
        self.capacity = 2 * settings.polling.max_connections
        self.consumer = consumer or default_consumer()
        self.running = False
        self._opened = False  # holds a share of the poller's HTTP session
        self._polls: dict[str, asyncio.Task[None]] = {}  # entry id -> its poll
        self._task: asyncio.Task[None] | None = None
        self._toucher: asyncio.Task[None] | None = None
        self._next_claim = 0.0
        self._next_watch = 0.0
        self._own = False
        self._trouble = Trouble("poll worker", {"consumer": self.consumer}, logger=log)

    async def start(self, *, loop: bool = True) -> None:
        self.poller.open()
        self._opened = True
        await self.db.ensure_group()
        dead = [c.name for c in await self.db.consumers()
                if c.name != self.consumer and dead_local_consumer(c.name)]
        for name in dead:
            if n := await self.db.claim_all(self.consumer, from_consumer=name):
                log.info("took over %d due poll(s) %s left pending", n, name)
                self.metrics.poll_entries.labels("claimed").inc(n)
        self._own = True  # what we took over (or a former us left) is read first
        self.running = True
        if loop:
            self._task = asyncio.create_task(self._run(), name="poll-worker")
            self._toucher = asyncio.create_task(self._touch(), name="poll-worker-touch")
        log.info("poll worker %s started", self.consumer)

    async def stop(self) -> None:
        self.running = False
        for t in (self._task, self._toucher):
            if t is not None:
                t.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await t
        self._task = self._toucher = None
        try:  # the daemon cuts this short past its grace: the rest stays pending
            await asyncio.gather(*self._polls.values(), return_exceptions=True)
        finally:
            for t in self._polls.values():
                t.cancel()
            await self.db.aclose()
            await self.poller.feed_store.aclose()  # the writes the polls queued
            if self._opened:  # a second stop (past the daemon's grace) closes nothing twice
                self._opened = False
                await self.poller.close()
            with suppress(Exception):  # Redis away: nothing to report
                await self.db.forget(self.consumer)

    async def _run(self) -> None:
        while True:
            await step_or_recover(lambda: self.step(block_ms=READ_BLOCK_MS),
                                  trouble=self._trouble, ensure_group=self.db.ensure_group,
                                  group="pollers", sleep=asyncio.sleep)

    async def drain(self) -> None:
        """Steps until nothing is left to read now, then waits for the polls (tests)."""
        while await self.step(block_ms=None):
            pass
        await asyncio.gather(*self._polls.values(), return_exceptions=True)

    async def step(self, *, block_ms: int | None) -> int:
        """Take due polls (taken over from a dead worker first, then new ones) up to the
        free capacity and start their polls; returns how many were taken."""
        await self._watch()
        free = self.capacity - len(self._polls)
        if free < self.capacity // 2:  # read in batches: not one entry per poll finished
            await asyncio.wait(set(self._polls.values()), timeout=1.0,
                               return_when=asyncio.FIRST_COMPLETED)
            return 0
        entries = await self._own_pending(free)
        if not entries:
            entries = await self._claim_due(free)
        if not entries:
            entries = await self.db.read_new(self.consumer, count=free, block_ms=block_ms)
        if entries:
            await self._dispatch(entries)
        return len(entries)

    async def _own_pending(self, count: int) -> list[DuePoll]:
        if not self._own:
            return []
        entries = [e for e in await self.db.read_mine(self.consumer, count=count + len(self._polls))
                   if e.entry_id not in self._polls][:count]
        self._own = bool(entries)
        return entries

    async def _claim_due(self, count: int) -> list[DuePoll]:
        if time.monotonic() < self._next_claim:
            return []
        self._next_claim = time.monotonic() + max(self.claim_idle_s / 2, 0.1)
        entries = await self.db.autoclaim(
            self.consumer, min_idle_ms=int(self.claim_idle_s * 1000), count=count
        )
        entries = [e for e in entries if e.entry_id not in self._polls]  # ours, in flight
        if entries:
            log.info("took over %d due poll(s) another worker left idle for %.0fs or more",
                     len(entries), self.claim_idle_s)
            self.metrics.poll_entries.labels("claimed").inc(len(entries))
            self._next_claim = 0.0  # there may be more
        return entries

    async def _dispatch(self, entries: list[DuePoll]) -> None:
        """Drop what must not be polled (unusable, handed out too often, stale epoch),
        start a poll for each of the others."""
        epoch = await self.db.epoch()
        drop: list[DuePoll] = []
        stale: list[DuePoll] = []
        for e in entries:
            why = e.problem or (
                f"handed out {e.deliveries} times" if e.deliveries > MAX_DELIVERIES else "")
            if why or e.feed is None:
                log.error("due poll %s dropped: %s", e.entry_id, why,
                          extra={"feed": e.feed.url if e.feed else ""})
                self.metrics.poll_entries.labels("dropped").inc()
                drop.append(e)
            elif e.epoch != epoch:
                stale.append(e)
            else:
                self._polls[e.entry_id] = asyncio.create_task(
                    self._poll(e, e.feed), name=f"due poll {e.feed.url}")
        if stale:
            self.metrics.poll_entries.labels("stale").inc(len(stale))
            log.warning("dropped %d due poll(s) of a scheduler that lost its lease (epoch %s, "
                        "current %d): not polled", len(stale),
                        ", ".join(sorted({str(e.epoch) for e in stale})), epoch)
        await self.db.done([*drop, *stale])

    async def _poll(self, entry: DuePoll, feed: FeedSettings) -> None:
        try:
            outcome = await self.poller.poll_due(feed, entry.due_ms)
            await self.db.done([entry])
        except Exception as exc:  # Redis away: the entry stays pending, claimed later
            self._trouble.failed(exc)
            return
        finally:
            self._polls.pop(entry.entry_id, None)
        polled = outcome is not None
        self.metrics.poll_entries.labels("polled" if polled else "already_polled").inc()

    async def _touch(self) -> None:
        """The entries of the polls in flight kept from looking abandoned."""
        while True:
            await asyncio.sleep(self.claim_idle_s / 3)
            if self._polls:
                with suppress(StoreError):
                    await self.db.touch(self.consumer, list(self._polls))

    async def _watch(self) -> None:
        if time.monotonic() < self._next_watch:
            return
        self._next_watch = time.monotonic() + WATCH_S
        backlog, age_s = await self.db.backlog()
        self.metrics.stream_lag.labels("polls", "pollers").set(backlog)
        self.metrics.stream_oldest.labels("polls", "pollers").set(age_s)
