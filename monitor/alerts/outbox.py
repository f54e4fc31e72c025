"""Alerts that are never lost or doubled: the durable outbox and its delivery workers.

The pipeline's worker thread calls :meth:`Outbox.enqueue`: each alert is written to a Redis
stream *before* any delivery, once (its id is remembered: enqueuing it again is a no-op),
and more sources on a development already alerted within the grouping window are counted
on the first alert instead of making new ones (see ``monitor/store/outbox.py``);
:meth:`Outbox.count_source` does the same for a later document the pipeline matched to the
alert's event.

The daemon runs one :class:`Deliverer` in its loop: one worker per sink, each reading the
stream through the sink's own consumer group. An entry is acknowledged only once the sink
took it (HTTP 2xx). Failures are retried with exponential backoff and jitter, never before
the server's ``Retry-After``, until the retry horizon; then the entry moves to the
dead-letter stream (``monitor alerts dead`` / ``monitor alerts retry``). Entries a crashed
process left pending are taken over after ``claim_idle_s`` (XAUTOCLAIM). Delivery is at
least once per sink; the stable message id (``webhook-id``) lets receivers drop the rare
repeat a crash between a 2xx and its acknowledgement can cause.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import signal
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any

import httpx
import redis

from monitor.alerts.delivery import AsyncSink, Delivery, Outcome
from monitor.alerts.message import Message, MessageType, Source
from monitor.config import Settings
from monitor.consumers import Trouble, dead_local_consumer, default_consumer
from monitor.errors import StoreError
from monitor.metrics import Metrics
from monitor.store import Store
from monitor.store.alertlog import AlertLog
from monitor.store.outbox import (
    AsyncOutboxStore,
    OutboxEntry,
    OutboxStore,
    RetryState,
    is_nogroup,
    now_ms,
)
from monitor.types import Alert, AlertKind, utcnow

log = logging.getLogger(__name__)

__all__ = ["Deliverer", "Outbox", "backoff_s", "default_consumer"]


def backoff_s(
    attempts: int, *, initial_s: float, max_s: float, rng: Callable[[], float] = random.random
) -> float:
    """Wait after the ``attempts``-th failure: doubling from ``initial_s``, capped at
    ``max_s``, with "equal jitter" (between half and all of it) so retries spread out."""
    # Not tenacity (a dependency, used for the store ping in daemon.py): there is no retry
    # loop around a call here. The wait is stored in Redis (RetryState.next_at_ms) so it
    # survives a restart and a takeover by another consumer, and is combined with the
    # server's Retry-After and the retry horizon. tenacity's wait strategies take a
    # RetryCallState of an in-process loop; what we need of them is this one line.
    base = min(max_s, initial_s * 2 ** max(0, attempts - 1))
    return base / 2 + rng() * base / 2


def grouping_key(alert: Alert) -> str | None:
    """Alerts on the same new development (same saga, kind and event) share a window."""
    if not alert.event_id:
        return None
    return _group(alert.saga, alert.kind, alert.event_id)


def _group(saga: str, kind: AlertKind, event_id: str) -> str:
    return f"{saga}\x00{kind.value}\x00{event_id}"


class Outbox:
    """Sync, called from the pipeline's worker thread."""

    def __init__(self, store: Store, settings: Settings, metrics: Metrics | None = None) -> None:
        self.settings = settings.alerts
        self.db = OutboxStore(store)
        self.log = AlertLog(store)  # what the timeline pages show, kept after delivery
        self.metrics = metrics  # deliveries are counted by the Deliverer; kept for symmetry
        self.sinks = list(self.settings.enabled_sinks())
        self._groups_ready = False

    def _ready(self) -> None:
        if not self._groups_ready:
            # Groups exist before the first XADD, so no sink misses an entry (and should
            # Redis lose its data later, the enqueue script makes them again).
            self.db.ensure_groups(self.sinks)
            self._groups_ready = True

    def enqueue(self, alerts: Sequence[Alert], *, now: datetime | None = None) -> list[str]:
        """Write alerts to the outbox; returns the ids actually enqueued (new ones)."""
        self._ready()
        at_ms = int((now or utcnow()).timestamp() * 1000)
        window_ms = int(self.settings.grouping_window_s * 1000)
        self.db.flush_due_groups(now_ms=at_ms)
        enqueued: list[str] = []
        for alert in alerts:
            fields = Message(MessageType.ALERT, alert).to_fields()
            source = Source.of(alert)
            group = grouping_key(alert) if window_ms > 0 else None
            res = self.db.enqueue(
                alert_id=alert.id,
                alert_json=fields["alert"],
                fields=fields,
                group=group,
                source_fingerprint=source.fingerprint,
                source_json=source_json(source),
                now_ms=at_ms,
                window_ms=window_ms,
                id_ttl_s=self.settings.idempotency_ttl_s,
                sinks=self.sinks,
            )
            extra = {"alert": alert.id}
            if res.status == "enqueued":
                enqueued.append(alert.id)
                log.info("alert queued: %s", alert.headline, extra=extra)
                self._keep(alert, fields["alert"])
            elif res.status == "grouped":
                log.info("alert counted on %s (same development)", res.first_alert_id, extra=extra)
            else:
                log.debug("alert already queued", extra=extra)
        return enqueued

    def _keep(self, alert: Alert, alert_json: str) -> None:
        """Keep the alert for the pages; failing that loses no alert, only its page row."""
        try:
            self.log.append(alert.saga, alert.id, alert_json)
        except StoreError as exc:
            log.warning("alert not kept for the pages: %s", exc, extra={"alert": alert.id})

    def count_source(
        self, saga: str, event_id: str, source: Source, *, now: datetime | None = None
    ) -> str | None:
        """Another report of a known development (a document the pipeline matched to event
        ``event_id``): while the window of the alert that announced it is open, the source
        is counted on that alert (sent in the follow-up when the window closes). Returns
        the alert id it was counted on, or None (no open window, or counted already)."""
        if self.settings.grouping_window_s <= 0:
            return None
        at_ms = int((now or utcnow()).timestamp() * 1000)
        first = self.db.count_source(
            _group(saga, AlertKind.NEW_DEVELOPMENT, event_id),
            source_fingerprint=source.fingerprint,
            source_json=source_json(source),
            now_ms=at_ms,
        )
        if first:
            log.info(
                "source counted on %s (same development): %s",
                first,
                source.title,
                extra={"alert": first},
            )
        return first

    def flush_groups(self, *, now: datetime | None = None) -> list[str]:
        """Close the grouping windows that have ended; returns the follow-up entry ids."""
        self._ready()
        return self.db.flush_due_groups(now_ms=int((now or utcnow()).timestamp() * 1000))


def source_json(source: Source) -> str:
    return json.dumps(source.to_dict(), ensure_ascii=False)


class _Outage:
    """One sink's failed deliveries, rolled up: a warning when the sink starts failing, debug
    lines while it goes on (counted), one line when it delivers again. A receiver down for an
    hour with alerts waiting is one warning and one recovery line, not one per retry."""

    def __init__(self, sink: str) -> None:
        self.sink = sink
        self.failures = 0  # failed attempts in this outage
        self.since: float | None = None  # monotonic

    def failed(self, attempts: int, next_in_s: float, why: str, extra: dict[str, str]) -> None:
        self.failures += 1
        if self.since is None:
            self.since = time.monotonic()
            log.warning(
                "sink %s is failing: %s (retried with backoff, next in %.1fs; failures not "
                "repeated until it delivers again)",
                self.sink,
                why,
                next_in_s,
                extra=extra,
            )
        else:
            log.debug(
                "alert delivery failed (attempt %d, next in %.1fs): %s",
                attempts,
                next_in_s,
                why,
                extra=extra,
            )

    def delivered(self, extra: dict[str, str]) -> None:
        if self.since is None:
            return
        log.info(
            "sink %s delivers again after %d failed attempt(s) in %.1fs",
            self.sink,
            self.failures,
            time.monotonic() - self.since,
            extra=extra,
        )
        self.failures, self.since = 0, None


class _SinkWorker:
    """Delivers one sink's share of the outbox, one entry at a time, in order."""

    def __init__(self, owner: Deliverer, sink: AsyncSink) -> None:
        self.o = owner
        self.sink = sink
        self.name = sink.name
        self.min_interval_s = 1.0 / sink.rate_per_s if sink.rate_per_s > 0 else 0.0
        self._last_send = -1e9  # monotonic
        self._paused_until_ms = 0  # wall clock ms: a 429 with Retry-After pauses the sink
        self._next_claim = 0.0  # monotonic
        self._trouble = Trouble("outbox worker", {"sink": self.name}, logger=log)
        self._outage = _Outage(self.name)

    @property
    def _stopping(self) -> bool:
        return self.o._stopping.is_set()

    async def run(self) -> None:
        db = self.o.db
        while not self._stopping:
            try:
                block_ms = await self._pending()
                if self._stopping:
                    break
                entries = await db.read_new(self.name, self.o.consumer, count=10, block_ms=block_ms)
                for entry in entries:
                    if self._stopping:
                        break  # left pending for us: the next start takes it over
                    await self._attempt(entry, None)
                self._trouble.ok()
            except (redis.RedisError, StoreError, OSError) as exc:
                if is_nogroup(exc) and await self.o.recreate_groups():
                    continue
                self._trouble.failed(exc)
                await self.o._sleep(self.o.settings.poll_s)

    async def _pending(self) -> int:
        """Retry what is due among our pending entries; returns ms until the next is due."""
        db, s = self.o.db, self.o.settings
        if time.monotonic() >= self._next_claim:
            self._next_claim = time.monotonic() + max(s.claim_idle_s / 2, s.poll_s)
            n = await db.autoclaim(
                self.name, self.o.consumer, min_idle_ms=int(s.claim_idle_s * 1000)
            )
            if n:
                log.info("took over %d pending alert(s)", n, extra={"sink": self.name})
        mine = await db.read_mine(self.name, self.o.consumer)
        states = await db.retry_states(self.name, [e.entry_id for e in mine])
        wait_ms = int(s.poll_s * 1000)
        for entry in mine:
            if self._stopping:
                break
            st = states.get(entry.entry_id)
            due_in = (st.next_at_ms if st else 0) - now_ms()
            if due_in <= 0:
                await self._attempt(entry, st)
            else:
                wait_ms = min(wait_ms, due_in)
        return max(1, wait_ms)

    async def _attempt(self, entry: OutboxEntry, state: RetryState | None) -> None:
        db, metrics = self.o.db, self.o.metrics
        extra = {"sink": self.name, "entry": entry.entry_id, "alert": entry.message_id}
        if entry.deleted or (entry.only and entry.only != self.name):
            await db.ack(self.name, entry.entry_id)
            return
        try:
            message = Message.from_fields(entry.fields)
        except StoreError as exc:
            log.error("dropping undecodable outbox entry: %s", exc, extra=extra)
            await db.dead_letter(self.name, entry, attempts=0, error=str(exc))
            return
        if message.id and await db.delivered(self.name, message.id):
            # Sent already (a group made again over a stream that kept the entry).
            log.info("alert already delivered to this sink; not sent again", extra=extra)
            await db.ack(self.name, entry.entry_id)
            return
        attempts = state.attempts if state else 0
        if self._paused_until_ms > now_ms():
            await db.set_retry(
                self.name,
                entry.entry_id,
                RetryState(attempts, self._paused_until_ms, state.error if state else ""),
            )
            return
        await self._pace()
        if not await db.claim_mine(self.name, self.o.consumer, entry.entry_id):
            return  # another consumer took it over meanwhile
        try:
            result = await self.sink.deliver(message, self.o.client)
        except Exception as exc:  # a broken sink is logged, never takes the others down
            log.exception("alert sink %s failed", self.name, extra=extra)
            result = Delivery(Outcome.RETRY, detail=f"sink error: {exc!r}")
        if result.ok:
            ttl_s = self.o.settings.idempotency_ttl_s
            await db.ack(self.name, entry.entry_id, delivered=message.id, delivered_ttl_s=ttl_s)
            latency_s = max(0.0, now_ms() - entry.enqueued_ms) / 1000
            if metrics:
                metrics.deliveries.labels(self.name, "delivered").inc()
                metrics.delivery_latency.labels(self.name).observe(latency_s)
            log.info("alert delivered (%s)", result.describe(), extra=extra)
            self._outage.delivered(extra)
            return
        attempts += 1
        horizon_ms = entry.enqueued_ms + int(self.o.settings.retry_horizon_s * 1000)
        now = now_ms()
        if result.outcome is Outcome.REJECTED or now >= horizon_ms:
            why = "rejected" if result.outcome is Outcome.REJECTED else "retry horizon passed"
            await db.dead_letter(self.name, entry, attempts=attempts, error=result.describe())
            if metrics:
                metrics.deliveries.labels(self.name, "dead").inc()
            log.error(
                "alert moved to dead letters after %d attempt(s), %s: %s",
                attempts,
                why,
                result.describe(),
                extra=extra,
            )
            return
        s = self.o.settings
        delay_s = backoff_s(attempts, initial_s=s.retry_initial_s, max_s=s.retry_max_s)
        if result.retry_after_s is not None:
            delay_s = max(delay_s, result.retry_after_s)
            self._paused_until_ms = now + int(result.retry_after_s * 1000)
        next_at = min(now + int(delay_s * 1000), horizon_ms)
        state = RetryState(attempts, next_at, result.describe())
        await db.set_retry(self.name, entry.entry_id, state)
        if metrics:
            metrics.deliveries.labels(self.name, "failed").inc()
        self._outage.failed(attempts, (next_at - now) / 1000, result.describe(), extra)

    async def _pace(self) -> None:
        """Per-sink rate limit: at most ``rate_per_s`` sends per second."""
        # Not aiolimiter: each sink has exactly one worker sending one entry at a time, so
        # there is no concurrency to arbitrate and pacing is this one subtraction. A leaky
        # bucket would add a burst allowance we do not want (Slack: 1 message/s per hook),
        # and the 429 pause (_paused_until_ms) is separate and must outlive the bucket.
        wait = self._last_send + self.min_interval_s - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_send = time.monotonic()


class Deliverer:
    """Async, runs in the daemon loop: one worker (and consumer group) per sink.

    States: created -> started (:meth:`start`) -> stopped (:meth:`stop`, idempotent).
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        sinks: Sequence[AsyncSink],
        metrics: Metrics | None = None,
        consumer: str | None = None,
    ) -> None:
        self.settings = settings.alerts
        self.user_agent = settings.polling.user_agent
        self.store = store
        self.sinks = list(sinks)
        self.metrics = metrics
        self.consumer = consumer or default_consumer()
        self._stopping = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._db: AsyncOutboxStore | None = None
        self._groups_lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        return bool(self._tasks)

    @property
    def client(self) -> httpx.AsyncClient:
        assert self._client is not None, "Deliverer not started"
        return self._client

    @property
    def db(self) -> AsyncOutboxStore:
        assert self._db is not None, "Deliverer not started"
        return self._db

    async def start(self) -> None:
        if self.started:
            return
        self._stopping.clear()
        self._db = AsyncOutboxStore(self.store)
        try:
            await self._db.ensure_groups([s.name for s in self.sinks])
            for sink in self.sinks:
                await self._adopt_orphans(sink.name)
        except redis.RedisError as exc:
            raise StoreError(f"cannot prepare the alert outbox: {exc}") from exc
        # One client for every HTTP sink: pooled connections, our User-Agent, no redirects
        # (a webhook that redirects is misconfigured; Standard Webhooks says not to follow).
        self._client = httpx.AsyncClient(
            headers={"user-agent": self.user_agent}, follow_redirects=False
        )
        for sink in self.sinks:
            use_store = getattr(sink, "use_store", None)
            if use_store is not None:  # a sink with state of its own (Slack's thread ts)
                use_store(self.store)
            self._spawn(_SinkWorker(self, sink).run(), f"deliver-{sink.name}")
        self._spawn(self._housekeeping(), "outbox-housekeeping")
        log.info(
            "alert delivery started: %s (consumer %s)",
            ", ".join(s.name for s in self.sinks) or "no sinks",
            self.consumer,
        )

    async def _adopt_orphans(self, sink: str) -> None:
        """Take over at once what an earlier process on this host left pending (its pid is
        gone), rather than waiting ``claim_idle_s`` for XAUTOCLAIM."""
        for name, held in await self.db.consumers(sink):
            if held and name != self.consumer and dead_local_consumer(name):
                n = await self.db.claim_all(sink, self.consumer, from_consumer=name)
                log.info("took over %d pending alert(s) from %s", n, name, extra={"sink": sink})

    async def recreate_groups(self) -> bool:
        """A sink's consumer group is gone (NOGROUP: Redis came back empty): make every
        missing group again, from the start of the stream, so the alerts queued since are
        delivered; returns whether any was made (False: another worker just did)."""
        async with self._groups_lock:
            made = await self.db.ensure_groups([s.name for s in self.sinks])
        if made:
            log.warning(
                "outbox consumer groups were missing (Redis lost its data?); made again "
                "from the start of the stream: %s",
                ", ".join(made),
            )
            if self.metrics:
                self.metrics.store_recoveries.labels("outbox_groups").inc()
        return bool(made)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)

    async def stop(self) -> None:
        """Finish the delivery in flight; what is not acknowledged stays pending."""
        if not self.started:
            return
        self._stopping.set()
        longest = max((getattr(s, "timeout_s", 0.0) for s in self.sinks), default=0.0)
        done, pending = await asyncio.wait(
            self._tasks, timeout=longest + 2 * self.settings.poll_s + 5
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("delivery task %s failed: %r", task.get_name(), task.exception())
        self._tasks.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        log.info("alert delivery stopped")

    async def drain(self, timeout_s: float) -> None:
        """Deliver what is in the outbox now (burst mode, tests), for at most ``timeout_s``.

        Returns when every sink's queue is empty (delivered or dead-lettered) or on timeout;
        a Deliverer started here is stopped again.
        """
        started_here = not self.started
        await self.start()
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                await self.db.flush_due_groups(now_ms=now_ms())
                queues = [await self.db.queue(s.name, count_max=1) for s in self.sinks]
                if all(q.depth == 0 for q in queues):
                    return
                await asyncio.sleep(min(0.05, self.settings.poll_s))
            log.warning("alert drain timed out after %.1fs", timeout_s)
        finally:
            if started_here:
                await self.stop()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, waking early when stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _housekeeping(self) -> None:
        """Close grouping windows, publish queue depths, trim the stream, forget old consumers."""
        last_trim = last_depth = 0.0
        trouble = Trouble("outbox housekeeping", logger=log)
        while not self._stopping.is_set():
            try:
                await self.db.flush_due_groups(now_ms=now_ms())
                if self.metrics and time.monotonic() - last_depth > 5:
                    last_depth = time.monotonic()
                    for sink in self.sinks:
                        q = await self.db.queue(sink.name)
                        self.metrics.queue_depth.labels(f"alerts:{sink.name}").set(q.depth)
                    self.metrics.queue_depth.labels("alerts:dead").set(await self.db.dead_count())
                if time.monotonic() - last_trim > 60:
                    last_trim = time.monotonic()
                    await self.db.trim([s.name for s in self.sinks])
                    for sink in self.sinks:
                        await self.db.forget_idle_consumers(
                            sink.name, idle_ms=86_400_000, keep=self.consumer
                        )
            except (redis.RedisError, StoreError, OSError) as exc:
                trouble.failed(exc)
            else:
                trouble.ok()
            await self._sleep(self.settings.poll_s)


async def run_delivery(
    settings: Settings,
    store: Store,
    sinks: Sequence[AsyncSink],
    *,
    burst: bool,
    timeout_s: float,
    metrics: Metrics | None = None,
) -> int:
    """``monitor alerts deliver``: deliver until SIGINT/SIGTERM, or (burst) until the
    outbox is empty or ``timeout_s`` passed. Returns how many deliveries are still queued."""
    deliverer = Deliverer(settings, store, sinks, metrics)
    try:
        if burst:
            await deliverer.drain(timeout_s)
        else:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            try:
                await deliverer.start()
                await stop.wait()
            finally:
                await deliverer.stop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
        db = AsyncOutboxStore(store)
        return sum([(await db.queue(s.name)).depth for s in sinks])
    finally:
        await store.aclose()
