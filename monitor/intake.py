"""The pipeline worker: one consumer of the intake stream's ``pipeline`` group.

Every ``monitor worker`` runs one, and so does ``monitor run`` (beside its scheduler and
delivery): the same code. One step of a worker takes, in this order,

    1. its own pending entries, when their retry is due (a batch of it failed: Redis
       dropped in the middle, or an item that makes the pipeline fail) -- one at a time
       after a failure, so one poison item never drags the others to the dead letters;
    2. entries another worker left idle for ``[pipeline] claim_idle_s`` (it died, or
       hangs): XAUTOCLAIM, every half of that;
    3. new entries: XREADGROUP ``>``, ``nlp.batch_size`` at most, waiting up to a second;

runs them through its host's ``run_batch`` (:meth:`Daemon.run_batch`: prefilter, articles,
NLP, decisions; the alerts go to the outbox from the pipeline thread), and only then
acknowledges and deletes them: at least once. An entry handed out more than
``max_deliveries`` times goes to the intake dead letters instead (logged). A stop lets the
batch in flight finish within ``BATCH_STOP_GRACE_S`` or abandons it: its entries stay
pending, taken over at the next start on this host at once (their consumer's pid is gone)
or by another worker after ``claim_idle_s``.

The worker also watches the backlog (XLEN of the stream: entries are deleted once done):
``monitor_stream_lag{stream="intake",group="pipeline"}`` and the oldest entry's age;
the process that runs the scheduler logs once when it passes ``behind_len``, and once
when it is back under half of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from monitor.consumers import Trouble, dead_local_consumer, default_consumer, step_or_recover
from monitor.errors import MonitorError, StoreError
from monitor.store.groups import entry_key
from monitor.store.intake import IntakeEntry, IntakeOrder, IntakeStore
from monitor.types import Alert, FeedItem, utcnow

if TYPE_CHECKING:
    from monitor.config import Settings
    from monitor.metrics import Metrics
    from monitor.pipeline import Pipeline
    from monitor.store import Store
    from monitor.systemd import Notifier

log = logging.getLogger(__name__)

# A read of new entries waits this long for one (then the step ends: retries, claims and
# the backlog gauges get their turn).
READ_BLOCK_MS = 1000
# Own pending entries of a failed batch are retried after this long, doubling while the
# retries fail, up to PENDING_RETRY_MAX_S; at once when Redis answers again.
PENDING_RETRY_S = 60.0
PENDING_RETRY_MAX_S = 1800.0
# The backlog gauges are read this often.
WATCH_S = 5.0
# A pipeline batch still running this long into the stop is abandoned (NLP workers killed).
BATCH_STOP_GRACE_S = 2.5
STOP_GRACE_S = 0.25
# A batch waiting for its turn asks again this often.
TURN_POLL_S = 0.005


T = TypeVar("T")


class _Scheduling(Protocol):
    @property
    def running(self) -> bool:
        """Whether this process runs the feed scheduler."""
        ...


class IntakeHost(Protocol):
    """What :class:`Intake` needs from the process it runs in (``monitor.daemon.Daemon``
    has this shape): read-only here."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def metrics(self) -> Metrics: ...

    @property
    def notifier(self) -> Notifier: ...

    @property
    def pipeline(self) -> Pipeline: ...

    @property
    def scheduler(self) -> _Scheduling: ...

    @property
    def stopping(self) -> bool:
        """Whether a stop was requested."""
        ...

    @property
    def in_flight(self) -> asyncio.Future[Any] | None:
        """The work off the loop now (the last :meth:`off_loop`)."""
        ...

    @property
    def batch_work(self) -> asyncio.Future[Any] | None:
        """The pipeline work of the batch being run (None before it reaches the pipeline)."""
        ...

    async def off_loop(self, fn: Callable[[], T]) -> asyncio.Future[T]: ...

    async def run_batch(
        self, items: list[FeedItem], turn: Callable[[], None] | None = None
    ) -> list[Alert] | None: ...

    def abandon_batch(self) -> None: ...


class OutOfTurn(MonitorError):
    """A batch cannot be decided yet and its worker must do something else first: an
    older entry is its own (a failed batch's), or was left by a dead worker (idle past
    ``claim_idle_s``). The batch stays pending; the worker takes the older one first."""


class Intake:
    """Start: seed the saga models, make the group, take over what a dead process of this
    host left pending. Running: :meth:`step` in a loop (not in burst runs: :meth:`drain`).
    Stop: wait (bounded) for the batch in flight."""

    name = "intake"

    def __init__(self, daemon: IntakeHost, *, consumer: str | None = None) -> None:
        self.d = daemon
        self.settings = daemon.settings.pipeline
        self.db = IntakeStore(daemon.store, max_len=self.settings.stream_max_len)
        self.consumer = consumer or default_consumer()
        self.ready_at: datetime | None = None
        self.held: list[IntakeEntry] = []  # the batch in flight
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._own = True  # some of our own entries may be pending (start, failed batch)
        self._one_at_a_time = False  # after a failure: retried singly
        self._retry_at = 0.0  # monotonic: when our own pending entries are due
        self._retry_s = PENDING_RETRY_S
        self._next_claim = 0.0  # monotonic
        self._claim_first = False  # a batch was put back for an abandoned older entry
        self._next_watch = 0.0  # monotonic
        self.order = IntakeOrder(daemon.store)
        self._behind = False
        self._trouble = Trouble("intake worker", {"consumer": self.consumer}, logger=log)

    @property
    def busy(self) -> bool:
        """Whether a batch is being processed now."""
        return bool(self.held)

    def retry_soon(self) -> None:
        """Redis answers again: our pending entries are due now."""
        self._retry_at = 0.0
        self._wake.set()

    # -- life --------------------------------------------------------------------------
    async def start(self, *, loop: bool = True) -> None:
        d = self.d
        d.notifier.status("starting: seeding the saga model")
        seeding = await d.off_loop(d.pipeline.ensure_seeded)
        if not seeding.done():
            log.info("stopped while seeding the saga model: seeded at the next start")
            # its NLP workers are killed: a first start's seeding (spaCy and the encoder
            # loading, then every seed) can take longer than a stop may
            await asyncio.to_thread(d.abandon_batch)
            return
        seeding.result()  # its failure stops the start
        await self.db.ensure_group()
        if moved := await self.db.migrate_checkpoint():
            log.info("%d item(s) an older version checkpointed moved to the intake stream", moved)
        await self._adopt_orphans()
        if backlog := await self.db.length():
            log.info("processing %d item(s) left by the previous run (intake stream)", backlog)
        self.ready_at = utcnow()
        if loop:
            self._task = asyncio.create_task(self._run(), name="intake-worker")
        log.info("pipeline worker %s started", self.consumer)

    async def _adopt_orphans(self) -> None:
        """Take over at once what an earlier process on this host left pending (its pid
        is gone), rather than waiting ``claim_idle_s`` for XAUTOCLAIM."""
        for c in await self.db.consumers():
            if c.name != self.consumer and dead_local_consumer(c.name):
                n = await self.db.claim_all(self.consumer, from_consumer=c.name)
                if n:
                    log.info("took over %d item(s) %s left pending", n, c.name)
                    self.d.metrics.intake_claims.labels("claimed").inc(n)

    async def _run(self) -> None:
        recovery = self.d.metrics.store_recoveries.labels("intake_group")
        while not self.d.stopping:
            await step_or_recover(lambda: self.step(block_ms=READ_BLOCK_MS),
                                  trouble=self._trouble, ensure_group=self.db.ensure_group,
                                  group="intake", sleep=self._sleep,
                                  recreated=recovery.inc)

    async def drain(self) -> None:
        """Burst runs: steps until nothing is left to do now (failed items wait for the
        next run)."""
        while not self.d.stopping and await self.step(block_ms=None):
            pass

    async def _sleep(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not self.held:
            task.cancel()  # waiting for entries: a read cut short leaves them pending
        batch = self.d.in_flight
        if self.held and batch is not None and not batch.done():
            log.info("waiting for the pipeline work in flight")
            try:
                await asyncio.wait_for(asyncio.shield(batch), BATCH_STOP_GRACE_S)
            except TimeoutError:
                log.warning("pipeline work still running after %.1fs: abandoned, its items "
                            "stay checkpointed", BATCH_STOP_GRACE_S)
                await asyncio.to_thread(self.d.abandon_batch)
                with suppress(Exception):  # it fails now (NLP workers killed), or is left
                    await asyncio.wait_for(asyncio.shield(batch), STOP_GRACE_S)
            except Exception:
                pass  # its failure is logged by the step
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task
        work = self.d.batch_work  # not the seeding check before it, nor a former batch
        if self.held and work is not None and work.done() and not work.cancelled() \
                and not work.exception():
            # Finished, maybe after the stop made the step let go: its items are done.
            with suppress(Exception):
                await self.db.done(e.entry_id for e in self.held)
        self.held = []
        with suppress(Exception):  # Redis away: nothing to report
            if left := await self.db.length():
                log.info("%d item(s) stay checkpointed in the intake stream for the next "
                         "start (or another worker)", left)
            await self.db.forget(self.consumer)

    # -- one step ----------------------------------------------------------------------
    async def step(self, *, block_ms: int | None) -> int:
        """Take one batch (own retries, then taken over, then new) and process it;
        returns how many entries it took (0: nothing to do)."""
        await self._watch()
        entries = await self._claim_due(force=True) if self._claim_first else []
        self._claim_first = False
        if not entries:
            entries = await self._own_due()
        if not entries:
            entries = await self._claim_due()
        if not entries:
            if self.d.stopping:
                return 0
            entries = await self.db.read_new(
                self.consumer, count=self.d.settings.nlp.batch_size, block_ms=block_ms
            )
        if entries:
            await self._handle(entries)
        return len(entries)

    async def _own_due(self) -> list[IntakeEntry]:
        if not self._own or time.monotonic() < self._retry_at:
            return []
        count = 1 if self._one_at_a_time else self.d.settings.nlp.batch_size
        entries = await self.db.read_mine(self.consumer, count=count)
        if not entries:
            self._own = self._one_at_a_time = False
            self._retry_s = PENDING_RETRY_S
        elif self._one_at_a_time:
            log.info("retrying checkpointed item(s) a failed batch left, one at a time")
        else:
            log.info("retrying %d checkpointed item(s) a failed batch left", len(entries))
        return entries

    async def _claim_due(self, *, force: bool = False) -> list[IntakeEntry]:
        if not force and time.monotonic() < self._next_claim:
            return []
        idle_s = self.settings.claim_idle_s
        self._next_claim = time.monotonic() + max(idle_s / 2, 0.1)
        entries = await self.db.autoclaim(
            self.consumer, min_idle_ms=int(idle_s * 1000), count=self.d.settings.nlp.batch_size
        )
        if entries:
            log.info("took over %d item(s) another worker left idle for %.0fs or more",
                     len(entries), idle_s)
            self.d.metrics.intake_claims.labels("claimed").inc(len(entries))
            self._next_claim = 0.0  # there may be more
        return entries

    async def _handle(self, entries: list[IntakeEntry]) -> None:
        """Dead-letter the unusable and poison entries, process the others, then mark
        them done -- unless the batch failed (they stay pending, retried) or a stop came
        first (``stop()`` decides)."""
        good: list[IntakeEntry] = []
        for e in entries:
            why = e.problem or (
                f"handed out {e.deliveries} times without success"
                if e.deliveries > self.settings.max_deliveries else ""
            )
            if why:
                await self.db.dead_letter(e, why)
                self.d.metrics.intake_claims.labels("dead").inc()
                log.error("intake entry %s moved to the dead letters: %s", e.entry_id, why,
                          extra={"item": e.item.id if e.item else ""})
            else:
                good.append(e)
        if not good:
            return
        items: list[FeedItem] = [e.item for e in good if e.item is not None]
        self.held = good
        waiting = self.d.metrics.queue_depth.labels("pipeline")
        waiting.inc(len(items))
        toucher = asyncio.create_task(self._touch([e.entry_id for e in good]))
        try:
            alerts = await self.d.run_batch(items, self._turn(good))
        except OutOfTurn as exc:
            log.info("batch of %d item(s) put back: %s", len(good), exc)
            self._own, self._retry_at, self.held = True, 0.0, []
            return
        except Exception as exc:
            self._failed(len(good), exc)
            self.held = []
            return
        finally:
            waiting.dec(len(items))
            toucher.cancel()
            with suppress(asyncio.CancelledError):
                await toucher
        if alerts is None:
            return  # a stop came first: the batch is stop()'s now
        self.held = []
        await self.db.done(e.entry_id for e in good)
        if self._one_at_a_time:
            self._retry_at = 0.0  # that one went through: the next at once
        for a in alerts:  # counted by kind in the pipeline
            log.info("alert: %s", a.headline,
                     extra={"alert": a.id, "kind": a.kind.value, "feed": a.source_feed or ""})

    async def _touch(self, entry_ids: Sequence[str]) -> None:
        """While the batch runs: its entries' idle time reset every third of
        ``claim_idle_s``, so that no other worker takes a live batch over."""
        every = self.settings.claim_idle_s / 3
        while True:
            await asyncio.sleep(every)
            with suppress(StoreError):
                await asyncio.to_thread(self.order.touch, self.consumer, entry_ids)

    def _turn(self, batch: Sequence[IntakeEntry]) -> Callable[[], None] | None:
        """The wait, in the pipeline thread between NLP and decisions, for the entries
        older than ``batch`` to be decided (see :class:`~monitor.store.intake.IntakeOrder`).
        Raises :class:`OutOfTurn` when one of them is ours or abandoned; gives up waiting
        after ``order_wait_s`` (logged): an older item that keeps failing stalls nothing."""
        limit_s = self.settings.order_wait_s
        if limit_s <= 0 or not batch:
            return None
        first = min((e.entry_id for e in batch), key=entry_key)
        claim_ms = int(self.settings.claim_idle_s * 1000)

        def turn() -> None:
            start = time.monotonic()
            try:
                wait(start + limit_s)
            finally:
                log.debug("waited %.3fs for the turn of entry %s", time.monotonic() - start,
                          first)

        def wait(deadline: float) -> None:
            while (b := self.order.blocker(first)) is not None:
                if b.consumer == self.consumer:
                    raise OutOfTurn(f"older entry {b.entry_id} is ours: done first")
                if b.consumer is not None and b.idle_ms >= claim_ms:
                    self._claim_first = True
                    raise OutOfTurn(f"older entry {b.entry_id} left by {b.consumer}: "
                                    f"taken over first")
                if self.d.stopping:
                    return
                if time.monotonic() > deadline:
                    log.warning("decided out of order: entry %s (%s) still not done after "
                                "%.0fs ([pipeline] order_wait_s)", b.entry_id,
                                b.consumer or "unread", limit_s)
                    return
                time.sleep(TURN_POLL_S)

        return turn

    def _failed(self, n: int, exc: BaseException) -> None:
        self._own = self._one_at_a_time = True
        self._retry_at = time.monotonic() + self._retry_s
        log.warning("processing %d item(s) failed (%s); they stay checkpointed, retried in "
                    "%.0fs (at once when Redis answers again)", n, exc, self._retry_s)
        self._retry_s = min(self._retry_s * 2, PENDING_RETRY_MAX_S)

    async def _watch(self) -> None:
        """The backlog gauges every ``WATCH_S``; the falling-behind log line (once per
        episode) in the process that runs the scheduler."""
        if time.monotonic() < self._next_watch:
            return
        self._next_watch = time.monotonic() + WATCH_S
        backlog, age_s = await self.db.backlog()
        m = self.d.metrics
        m.stream_lag.labels("intake", "pipeline").set(backlog)
        m.stream_oldest.labels("intake", "pipeline").set(age_s)
        m.queue_depth.labels("intake").set(backlog)
        if not self.d.scheduler.running:
            return
        limit = self.settings.behind_len
        if not self._behind and backlog > limit:
            self._behind = True
            log.warning(
                "intake falling behind: %d item(s) waiting for the pipeline workers (over "
                "[pipeline] behind_len %d), the oldest for %.0fs; add `monitor worker` "
                "processes (not repeated until it is back under %d)",
                backlog, limit, age_s, limit // 2,
            )
        elif self._behind and backlog < limit // 2:
            self._behind = False
            log.info("intake caught up: %d item(s) waiting", backlog)
