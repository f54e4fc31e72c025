"""The long-running service: components started in order, stopped in reverse.

One asyncio loop. The daemon is a list of components, each with ``start()`` and
``stop()``, entered by :func:`lifespan` (one async context manager, like Starlette's)::

    watchdog   WATCHDOG=1 to systemd from the event loop (first in, last out), never once
               the daemon has failed for good
    health     HTTP /healthz and /metrics, and the timeline pages (monitor.web)
    redis      watches Redis every second: since when it is unreachable (/healthz), the
               embedded redis-server started again if its process died (else: exit 1),
               checkpointed items retried as soon as it answers again
    heartbeat  heartbeat key in Redis (``monitor status``), queue-depth and model gauges
    intake     the pipeline worker (monitor.intake): seeds the saga model, then consumes
               the intake stream (group ``pipeline``), a batch at a time; retries what a
               failed batch left pending (Redis back, or after a backoff), takes over what
               a dead worker left; on stop, waits for the pipeline batch in flight
    deliverer  delivers the alert outbox (monitor.alerts.outbox), drained on stop
    digest     the daily email digest (monitor.digest), when [digest] enabled
    pollworker the poll worker (monitor.polls): consumes the due-poll stream (group
               ``pollers``), polls each feed (fetch, parse, dedup) and hands its new items
               to :meth:`Daemon.on_items`, which adds them to the intake stream; on stop,
               waits for the polls in flight (``POLL_STOP_GRACE_S``, then abandoned:
               their due polls stay pending, taken over)
    scheduler  while this process holds the scheduler lease (one per Redis): one
               APScheduler job per feed, which publishes the feed's due poll, stamped with
               the lease's fencing epoch, to the due-poll stream (last in, first out)

``monitor worker`` is the same daemon with the watchdog, the Redis watch and the roles
asked for: the pipeline worker and the article downloader (unless ``--no-pipeline``),
the deliverer (``--deliver``), a poll worker (``--poll``): any number of them, on any
machine, share the streams with the workers inside ``monitor run``. ``monitor run
--burst`` polls every feed once in-process (no lease, no due-poll stream).

Every stage counts on the daemon's one :class:`~monitor.metrics.Metrics` registry, which
``/metrics`` serves.

New items wait in the intake stream (Redis) until a worker has processed them: a worker
takes one batch at a time, runs it in a thread so polling never stalls, and acknowledges
(deletes) its entries only once its alerts are in the outbox. A crash or a stop timeout
loses nothing: the entries stay pending, taken over by the next start or another worker
(alert ids are idempotent), and a batch that failed (Redis dropped in the middle) is
retried by the running worker. Workers decide on a saga one at a time (a per-saga lock,
``monitor.pipeline``): two of them seeing two reports of one development make one event.

Redis losing its data (restarted without persistence) is repaired as it is met: a saga
without a model is seeded again from its seeds at the start of the next batch, and the
outbox makes its consumer groups again from the start of the stream (``monitor.alerts``).

Signals are handled here and only here: SIGTERM/SIGINT stop (stop scheduling, finish the
batch in flight within ``BATCH_STOP_GRACE_S`` or abandon it -- NLP workers killed, items
left checkpointed --, exit 0 within 10 s); SIGHUP reloads the config
(feeds added or removed without a restart; an invalid file is logged and ignored).
systemd hears about each step through :mod:`monitor.systemd` (READY, STATUS, RELOADING,
STOPPING, WATCHDOG).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from monitor import __version__
from monitor.alerts import Deliverer as OutboxDeliverer
from monitor.alerts import Outbox, build_sinks
from monitor.alerts.message import Source
from monitor.config import Env, FeedSettings, Settings, load_settings, redis_url
from monitor.cycle import CycleCounter
from monitor.digest import DigestSender
from monitor.errors import ConfigError, StoreError
from monitor.extract import Articles
from monitor.health import HealthReport, HealthServer, evaluate, redis_reachable
from monitor.intake import Intake
from monitor.language import _identifier
from monitor.lease import Leased
from monitor.metrics import Metrics
from monitor.nlp_pool import PooledAnalyzer, TextAnalyzer, make_analyzer
from monitor.pipeline import Outcome, Pipeline
from monitor.poller import Poller
from monitor.polls import DuePublisher, PollWorker
from monitor.store import Store, connect
from monitor.store.outbox import OutboxStore
from monitor.store.service import DaemonState, Heartbeat, ServiceStore
from monitor.systemd import Notifier
from monitor.types import Alert, FeedItem, Verdict, utcnow
from monitor.web import Site

log = logging.getLogger(__name__)

# Budget for stopping every component on SIGTERM (finishing the work in flight); with the
# store's own close (the embedded Redis saves its file) the process exits within 10 s.
SHUTDOWN_TIMEOUT_S = 7.0
STOP_GRACE_S = 0.25
# Polls still running this long after SIGTERM (a feed that answers slowly) are abandoned:
# nothing of theirs was handed on yet, or it is checkpointed; the next start polls again.
POLL_STOP_GRACE_S = 3.0
# `monitor run --burst`: how long to wait for the outbox to be delivered before exiting.
BURST_DRAIN_TIMEOUT_S = 30.0
# The heartbeat key outlives this many missed beats.
HEARTBEAT_TTL_BEATS = 3
# How often Redis is checked (and a dead embedded redis-server noticed).
REDIS_WATCH_S = 1.0
# Tries at starting a dead embedded redis-server again before the daemon gives up (exit 1).
REDIS_RESTART_ATTEMPTS = 3


class Component(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Scheduler(Component, Protocol):
    """What the daemon needs from the feed poller (``monitor.poller.Poller`` has this shape)."""

    running: bool
    last_cycle_at: datetime | None

    def reload(self, feeds: Sequence[FeedSettings]) -> None: ...

    async def poll_all_once(self) -> None: ...

    def failing_feeds(self, max_age_s: float | None) -> tuple[int, int]: ...


@dataclass(frozen=True, slots=True)
class Roles:
    """What a ``monitor worker`` process does: the pipeline worker (with the article
    downloader), delivery of the outbox, a poll worker."""

    pipeline: bool = True
    deliver: bool = False
    poll: bool = False
    health_port: int | None = None  # serve /healthz and /metrics on it ([health] bind's host)

    def describe(self) -> str:
        names = [n for n, on in (("pipeline", self.pipeline), ("delivery", self.deliver),
                                 ("polls", self.poll)) if on]
        return ", ".join(names) or "nothing"


class Deliverer(Component, Protocol):
    """What the daemon needs from the alert deliverer (``monitor.alerts.outbox.Deliverer``)."""

    async def drain(self, timeout_s: float) -> Any: ...


def _name(c: Component) -> str:
    return str(getattr(c, "name", type(c).__name__))


@asynccontextmanager
async def lifespan(
    components: Sequence[Component],
    *,
    stop_timeout_s: float | None = None,
    stopping: Callable[[], bool] = lambda: False,
) -> AsyncIterator[None]:
    """Start components in order; on exit (or a failed start) stop the started ones in
    reverse, within ``stop_timeout_s`` in all (once it is spent each still gets a moment to
    close; what a component has not finished by its turn's end is cut short). A component
    that fails to stop is logged and never blocks the others. Once ``stopping()`` (a
    SIGTERM during start-up) the components left are not started."""
    deadline: float | None = None

    async def stop(c: Component) -> None:
        nonlocal deadline
        loop = asyncio.get_running_loop()
        if deadline is None and stop_timeout_s is not None:
            deadline = loop.time() + stop_timeout_s
        timeout = None if deadline is None else max(deadline - loop.time(), STOP_GRACE_S)
        log.debug("stopping %s", _name(c))
        try:
            await asyncio.wait_for(c.stop(), timeout)
        except TimeoutError:
            log.warning("%s did not stop within the shutdown budget; cut short", _name(c))
        except Exception:
            log.exception("%s did not stop cleanly", _name(c))

    async with AsyncExitStack() as stack:
        for c in components:
            if stopping():
                break
            log.debug("starting %s", _name(c))
            await c.start()
            stack.push_async_callback(stop, c)
        yield


class Daemon:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        pipeline: Pipeline,
        *,
        metrics: Metrics | None = None,
        notifier: Notifier | None = None,
        reload_settings: Callable[[], Settings] | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.pipeline = pipeline
        # One registry for every stage: what /metrics shows is what they all count.
        self.metrics = metrics or getattr(pipeline, "metrics", None) or Metrics()
        if getattr(pipeline, "metrics", None) is None:
            pipeline.metrics = self.metrics
        self.notifier = notifier or Notifier(None)
        self.reload_settings = reload_settings or (
            lambda: load_settings(settings.config_path, data_dir=settings.data_dir)
        )
        self.service = ServiceStore(store)
        self.state = DaemonState.STARTING
        self.started_at = utcnow()
        self._stop = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: asyncio.Future[Any] | None = None  # the work off the loop now
        # the pipeline work of the batch being run (None before it reaches the pipeline):
        # only once this one finished are the batch's items done
        self.batch_work: asyncio.Future[Any] | None = None
        self.failure: str | None = None  # why the daemon gave up (exit 1), see fail()

        # -- the stages: the poller feeds on_items; the pipeline's prefilter picks the
        # candidates; their articles are downloaded; the pipeline writes its alerts to the
        # durable outbox (idempotent by alert id); the deliverer sends them to every sink.
        self.cycle = CycleCounter()  # the poller logs it; batches add candidates and alerts
        # The scheduler publishes due polls (with the lease's epoch) to the due-poll stream;
        # the poll worker (this process's, or a `monitor worker --poll`) polls them.
        publisher = DuePublisher(store, settings, self.metrics, lambda: self.leased.epoch())
        self.poller = Poller(
            settings, store, self.on_items, self.metrics, cycle=self.cycle, on_due=publisher
        )
        self.scheduler: Scheduler = self.poller
        # it schedules only while this process holds the scheduler lease (one per Redis)
        self.leased = Leased(self.scheduler, store, settings.scheduler.lease_ttl_s)
        self.pollworker = PollWorker(self.poller, store, settings, self.metrics)
        self.roles = Roles()  # of a `monitor worker` (run_daemon sets them)
        self.outbox = outbox or Outbox(store, settings, self.metrics)
        self.articles = Articles(settings, store, self.metrics)
        env = Env()
        self.deliverer: Deliverer | None = OutboxDeliverer(
            settings, store, build_sinks(settings, env), self.metrics
        )
        # the daily email digest of the alerts, when [digest] enabled
        self.digest = DigestSender(settings, store, env) if settings.digest.enabled else None

        self.intake = Intake(self)
        self.redis_watch = RedisWatch(self)
        site = Site(store, lambda: self.settings)  # the timeline pages, read-only
        self.health = HealthServer(
            settings.health.host_port, self.check_health, self.metrics, site
        )

    def components(self, *, burst: bool = False, worker: bool = False) -> list[Component]:
        """Started in this order, stopped in reverse: the scheduler stops first (no new
        work), the deliverer drains what the last batches enqueued, the watchdog goes last.
        ``worker`` (``monitor worker``): the pipeline worker alone (and delivery when
        ``self.deliverer`` is set): no scheduler, no heartbeat, no HTTP port."""
        delivery: list[Component] = [self.deliverer] if self.deliverer is not None else []
        if burst:  # a one-shot run next to a live daemon must not take its port or heartbeat
            return [self.articles, Started(self.intake, loop=False), *delivery]
        out: list[Component] = [Watchdog(self.notifier, alive=lambda: self.failure is None)]
        polls = GracefulStop(self.pollworker, POLL_STOP_GRACE_S)
        if worker:
            r = self.roles
            if r.health_port is not None:
                host = self.settings.health.host_port[0]
                out.append(HealthServer((host, r.health_port), self.check_worker_health,
                                        self.metrics))
            work: list[Component] = [self.articles, self.intake] if r.pipeline else []
            return [*out, self.redis_watch, *work, *delivery, *([polls] if r.poll else [])]
        if self.settings.health.enabled:
            out.append(self.health)
        scheduler = GracefulStop(self.leased, POLL_STOP_GRACE_S)
        digest: list[Component] = [self.digest] if self.digest is not None else []
        return [
            *out,
            self.redis_watch,
            HeartbeatWriter(self),
            self.articles,
            self.intake,
            *delivery,
            *digest,
            polls,
            scheduler,
        ]

    # -- signals: the one place --------------------------------------------------------
    def request_stop(self, reason: str = "") -> None:
        if not self._stop.is_set():
            log.info("stopping%s", f" ({reason})" if reason else "")
            self._stop.set()

    def fail(self, reason: str) -> None:
        """Give up for good: the watchdog goes quiet, the daemon stops and exits 1, and
        systemd (``Restart=on-failure``) starts it again."""
        if self.failure is None:
            log.critical("giving up: %s; exiting so that the service is restarted", reason)
            self.failure = reason
            self.notifier.status(f"failed: {reason}")
        self.request_stop("failure")

    def request_reload(self) -> None:
        if self.state is DaemonState.RUNNING:
            self._spawn(self.reload())
        else:
            log.warning("SIGHUP ignored while %s", self.state.value)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, *, burst: bool = False, worker: bool = False) -> int:
        loop = asyncio.get_running_loop()
        handlers: dict[signal.Signals, Callable[[], None]] = {
            signal.SIGINT: lambda: self.request_stop("SIGINT"),
            signal.SIGTERM: lambda: self.request_stop("SIGTERM"),
        }
        if not burst:
            handlers[signal.SIGHUP] = self.request_reload
        for sig, handler in handlers.items():
            loop.add_signal_handler(sig, handler)
        try:
            async with lifespan(
                self.components(burst=burst, worker=worker),
                stop_timeout_s=SHUTDOWN_TIMEOUT_S,
                stopping=self._stop.is_set,
            ):
                if not self.store.ping():
                    log.error("Redis does not answer at %s", self.store.location)
                    return 1
                if not self._stop.is_set():  # else a SIGTERM came during start-up
                    await self._serve(burst=burst, worker=worker)
                self._set_state(DaemonState.STOPPING)
                self.notifier.stopping("stopping: finishing the work in flight")
                for t in list(self._tasks):
                    t.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)
            self._set_state(DaemonState.STOPPED)
            return 0 if self.failure is None else 1
        finally:
            for sig in handlers:
                loop.remove_signal_handler(sig)
            await self.store.aclose()

    async def _serve(self, *, burst: bool, worker: bool = False) -> None:
        """Running: until a stop (burst: until every feed was polled once, the intake
        stream processed and the outbox delivered)."""
        self._set_state(DaemonState.RUNNING)
        self.notifier.ready(self.status_line())
        if worker:
            log.info("worker running (%s): consumer %s, store %s",
                     self.roles.describe(), self.intake.consumer, self.store.location)
        else:
            log.info("daemon running: %d feeds, store %s",
                     len(self.settings.feeds), self.store.location)
        if not burst:
            await self._stop.wait()
            return
        try:
            await self._until_stopped(self.scheduler.poll_all_once())
        finally:
            await self.scheduler.stop()
        await self._until_stopped(self.intake.drain())
        if self.deliverer is not None and not self._stop.is_set():
            await self._until_stopped(self.deliverer.drain(BURST_DRAIN_TIMEOUT_S))

    async def _until_stopped(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        for t in (task, stop):
            t.cancel()
        await asyncio.gather(task, stop, return_exceptions=True)

    def _set_state(self, state: DaemonState) -> None:
        self.state = state
        log.debug("state: %s", state.value)

    # -- SIGHUP ------------------------------------------------------------------------
    async def reload(self) -> None:
        self._set_state(DaemonState.RELOADING)
        self.notifier.reloading("reloading the config")
        try:
            try:
                new = await asyncio.to_thread(self.reload_settings)
            except ConfigError as exc:
                log.error("config reload rejected, keeping the running config: %s", exc)
                return
            old = self.settings
            restart_needed = [
                name
                for name in (
                    "data_dir",
                    "redis",
                    "sagas",
                    "polling",
                    "nlp",
                    "novelty",
                    "alerts",
                    "health",
                    "digest",
                    "scheduler",
                    "pipeline",
                    "log_level",
                )
                if getattr(new, name) != getattr(old, name)
            ]
            if restart_needed:
                log.warning(
                    "config reload: %s changed; restart the daemon to apply",
                    ", ".join(restart_needed),
                )
            old_urls = {f.url for f in old.feeds}
            new_urls = {f.url for f in new.feeds}
            self.settings = old.model_copy(update={"feeds": new.feeds})
            self.scheduler.reload(new.feeds)
            log.info(
                "config reloaded: %d feeds (%d added, %d removed)",
                len(new.feeds),
                len(new_urls - old_urls),
                len(old_urls - new_urls),
            )
        finally:
            if self.state is DaemonState.RELOADING:
                self._set_state(DaemonState.RUNNING)
            self.notifier.ready(self.status_line())

    # -- items -> intake stream -> pipeline workers -> alerts ---------------------------
    async def on_items(self, feed: FeedSettings, items: list[FeedItem]) -> None:
        """Called by the scheduler with a feed's new items: added to the intake stream,
        where a pipeline worker (this process's, or a ``monitor worker``) takes them.
        Raises :class:`~monitor.store.intake.IntakeFull` past ``[pipeline] stream_max_len``
        (the poller offers the entries again at its next poll). The entries are marked seen
        in the same step (two polls of one feed never add one entry twice)."""
        if not items:
            return
        for it in items:
            log.debug("new item: %s", it.title, extra={"feed": feed.url, "item": it.id})
        await self.intake.db.publish_new(items, seen_ttl_s=self.settings.polling.seen_ttl_s)

    @property
    def busy(self) -> bool:
        """Whether a batch of items is being processed now."""
        return self.intake.busy

    async def run_batch(
        self, items: list[FeedItem], turn: Callable[[], None] | None = None
    ) -> list[Alert] | None:
        """Prefilter, download the candidates' articles (async), then NLP and matching in
        a worker thread; the pipeline writes the alerts to the outbox itself. None: a stop
        came first (the poll that handed the items on need not wait: they are
        checkpointed; Intake.stop gives the batch a moment, then abandons it)."""
        pipeline = self.pipeline
        self.batch_work = None
        # A saga without a model here means Redis lost its data since the start: seeded
        # again from its seeds, never rebuilt from whatever live items come next.
        seeding = await self.off_loop(pipeline.ensure_seeded)
        if not seeding.done():
            return None
        if reseeded := seeding.result():
            log.warning(
                "saga model missing (Redis lost its data?): seeded again from the seeds: %s",
                ", ".join(reseeded),
            )
            self.metrics.store_recoveries.labels("saga_reseeded").inc(len(reseeded))
        chosen = pipeline.candidates(items)
        docs = await self.articles.documents([it for it, _ in chosen]) if chosen else []
        only = {it.id: sagas for it, sagas in chosen}  # each decided by its own sagas only

        def work() -> list[Alert]:
            pipeline.observe(items)  # who the news at large names (a statistic)
            if not docs:
                return []
            outcomes: list[Outcome] = []
            # turn: decided in the intake stream's order (NLP first, in parallel)
            alerts = pipeline.process(docs, outcomes=outcomes, only=only, turn=turn)
            relevant = {o.doc.id for o in outcomes if o.verdicts - {Verdict.IRRELEVANT}}
            self.metrics.items.labels(stage="relevant").inc(len(relevant))
            irrelevant = {d.id for d in docs} - relevant
            self.metrics.items.labels(stage="irrelevant").inc(len(irrelevant))
            # More sources on a development just alerted: counted on its alert (grouping).
            for o in outcomes:
                for event_id in o.known_events:
                    self.outbox.count_source(o.saga, event_id, Source.of_document(o.doc))
            return alerts

        batch = self.batch_work = await self.off_loop(work)
        if not batch.done():
            return None
        alerts = batch.result()
        self.cycle.batch(candidates=len(chosen), alerts=len(alerts))
        return alerts

    @property
    def stopping(self) -> bool:
        """Whether a stop was requested (:meth:`request_stop`)."""
        return self._stop.is_set()

    @property
    def in_flight(self) -> asyncio.Future[Any] | None:
        """The work off the loop now (the last :meth:`off_loop`)."""
        return self._in_flight

    async def off_loop(self, fn: Callable[[], T]) -> asyncio.Future[T]:
        """``fn()`` (NLP, matching, seeding) in a daemon thread, awaited until it ends or a
        stop comes: its future, not done then. The work goes on; Intake.stop gives it a
        moment, then abandons it (its items are marked done if it finished)."""
        work = _in_daemon_thread(fn)
        self._in_flight = work
        stop = asyncio.ensure_future(self._stop.wait())
        either: set[asyncio.Future[Any]] = {work, stop}
        try:
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        return work

    def abandon_batch(self) -> None:
        """Stop the batch in flight now (the stop cannot wait): the NLP workers are killed,
        the batch fails, its items stay checkpointed. In-process NLP (``workers = 0``)
        cannot be interrupted: its daemon thread is left, the process does not wait for it."""
        analyzer = getattr(self.pipeline, "analyzer", None)
        if isinstance(analyzer, PooledAnalyzer):
            analyzer.terminate()

    # -- health --------------------------------------------------------------------------
    def max_poll_age_s(self) -> float | None:
        s = self.settings
        if s.health.max_poll_age_s:
            return s.health.max_poll_age_s
        if not s.feeds:
            return None
        longest = max(f.interval_s or s.polling.interval_s for f in s.feeds)
        return 3 * longest + s.polling.jitter_s

    async def check_health(self) -> HealthReport:
        redis_ok = await redis_reachable(self.store.aio())
        waiting: float | None = None
        if redis_ok:
            sinks = self.settings.alerts.enabled_sinks()
            try:
                oldest = await asyncio.to_thread(
                    OutboxStore(self.store).oldest_undelivered_ms, sinks
                )
            except StoreError:
                oldest = None  # the redis check says what is wrong
            if oldest is not None:
                waiting = max(0.0, utcnow().timestamp() - oldest / 1000)
        max_age = self.max_poll_age_s()
        return evaluate(
            state=self.state.value,
            redis_ok=redis_ok,
            scheduler_running=self.scheduler.running,
            last_cycle_at=self.scheduler.last_cycle_at,
            since=self.intake.ready_at or self.started_at,
            max_age_s=max_age,
            feeds=self.scheduler.failing_feeds(max_age),
            undelivered_age_s=waiting,
            max_undelivered_s=self.settings.health.max_undelivered_s,
            redis_down_since=self.redis_watch.down_since,
            standby_for=await self.leased.standby_for() if redis_ok else None,
        )

    async def check_worker_health(self) -> HealthReport:
        """``/healthz`` of a ``monitor worker --health-port``: Redis answers and each of
        its roles runs (its streams' lag is in ``/metrics``)."""
        redis_ok = await redis_reachable(self.store.aio())
        checks: dict[str, dict[str, Any]] = {"redis": {"ok": redis_ok}}
        if self.roles.pipeline:
            checks["pipeline"] = {"ok": self.intake.ready_at is not None,
                                  "consumer": self.intake.consumer}
        if self.roles.poll:
            checks["polls"] = {"ok": self.pollworker.running,
                               "consumer": self.pollworker.consumer}
        healthy = all(bool(c["ok"]) for c in checks.values())
        return HealthReport(healthy, {"status": "ok" if healthy else "unhealthy",
                                      "state": self.state.value, "worker": self.roles.describe(),
                                      "checks": checks})

    def heartbeat(self) -> Heartbeat:
        return Heartbeat(
            state=self.state.value,
            pid=os.getpid(),
            host=socket.gethostname(),
            version=__version__,
            started_at=self.started_at,
            scheduler_running=self.scheduler.running,
            last_cycle_at=self.scheduler.last_cycle_at,
            feeds=len(self.settings.feeds),
        )

    def status_line(self) -> str:
        last = self.scheduler.last_cycle_at
        age = f"{(utcnow() - last).total_seconds():.0f}s ago" if last else "none yet"
        return f"{self.state.value}: {len(self.settings.feeds)} feeds, last poll {age}"


# -- components -----------------------------------------------------------------------


class Started:
    """A component started with keyword arguments (the burst run's pipeline worker: no
    loop of its own, drained by the run)."""

    def __init__(self, inner: Intake, **kwargs: bool) -> None:
        self.inner = inner
        self.kwargs = kwargs
        self.name = _name(inner)

    async def start(self) -> None:
        await self.inner.start(**self.kwargs)

    async def stop(self) -> None:
        await self.inner.stop()


class GracefulStop:
    """A component whose stop may wait on slow work (the poller waits for its polls in
    flight): past ``grace_s`` that work is cancelled and ``stop()`` is called again, to
    close what is left, so one slow feed cannot eat the whole shutdown budget."""

    def __init__(self, inner: Component, grace_s: float) -> None:
        self.inner = inner
        self.grace_s = grace_s
        self.name = _name(inner)

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        first = asyncio.ensure_future(self.inner.stop())
        try:
            await asyncio.wait_for(asyncio.shield(first), self.grace_s)
            return
        except TimeoutError:
            log.warning(
                "%s: work still in flight after %.0fs abandoned (polled again at the next start)",
                self.name,
                self.grace_s,
            )
        first.cancel()
        with suppress(asyncio.CancelledError):
            await first
        await self.inner.stop()


async def _cancel(task: asyncio.Task[None] | None) -> None:
    """Cancel a component's background task and wait until it is gone."""
    if task is not None:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


class Watchdog:
    """Sends WATCHDOG=1 at half systemd's interval, from the event loop: a stalled loop
    stops the pings and systemd restarts the service."""

    name = "watchdog"

    def __init__(self, notifier: Notifier, *, alive: Callable[[], bool] = lambda: True) -> None:
        self.notifier = notifier
        self.alive = alive  # False once the daemon gave up: no more pings
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        interval = self.notifier.watchdog_interval_s
        if interval is not None:
            self._task = asyncio.create_task(self._run(interval), name="watchdog")

    async def _run(self, interval_s: float) -> None:
        while self.alive():
            self.notifier.watchdog()
            await asyncio.sleep(interval_s)

    async def stop(self) -> None:
        await _cancel(self._task)
        self._task = None
        self.notifier.close()


class RedisWatch:
    """Every ``REDIS_WATCH_S``: does Redis answer? While it does not, /healthz says since
    when. An embedded redis-server whose process died is started again on the same files
    (``REDIS_RESTART_ATTEMPTS`` tries, backing off); if it cannot be, the daemon gives up
    (exit 1, the watchdog goes quiet) so that systemd restarts it. A server of
    ``REDIS_URL`` is its owner's to restart: the daemon waits for it. Once Redis answers
    again, what a failed batch left checkpointed is retried at once."""

    name = "redis"

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon
        self.down_since: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="redis-watch")

    async def stop(self) -> None:
        await _cancel(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(REDIS_WATCH_S)
            await self.check()

    async def check(self) -> None:
        d = self.daemon
        if await redis_reachable(d.store.aio()):
            if self.down_since is not None:
                log.info("Redis answers again (unreachable since %s)", self.down_since)
                self.down_since = None
                d.intake.retry_soon()
            return
        if self.down_since is None:
            self.down_since = utcnow()
            log.error("Redis at %s does not answer", d.store.location)
        if d.store.embedded and not d.store.embedded_alive():
            await self._restart()

    async def _restart(self) -> None:
        d = self.daemon
        log.error("the embedded redis-server died; starting it again on the same files")
        retrying = AsyncRetrying(
            stop=stop_after_attempt(REDIS_RESTART_ATTEMPTS),
            wait=wait_exponential(multiplier=0.5, max=5),
            retry=retry_if_exception_type(StoreError),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await asyncio.to_thread(d.store.restart_embedded)
        except StoreError as exc:
            d.fail(f"{exc} ({REDIS_RESTART_ATTEMPTS} tries)")
            return
        d.metrics.store_recoveries.labels("redis_restarted").inc()


class HeartbeatWriter:
    """Every ``health.heartbeat_s``: the heartbeat key, queue-depth and model-version gauges,
    and systemd's STATUS line. Redis being away is logged once per outage."""

    name = "heartbeat"

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon
        self.interval_s = daemon.settings.health.heartbeat_s
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    async def start(self) -> None:
        await self.beat()
        self._task = asyncio.create_task(self._run(), name="heartbeat")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.beat()

    async def beat(self) -> None:
        d = self.daemon
        try:
            await d.service.beat(d.heartbeat(), ttl_s=self.interval_s * HEARTBEAT_TTL_BEATS)
            # the intake worker publishes intake and its stream lag; the Deliverer
            # alerts:<sink> and alerts:dead
            sagas = [s.name for s in d.settings.sagas]
            for saga, version in (await d.service.model_versions_async(sagas)).items():
                d.metrics.model_version.labels(saga).set(version or 0)
        except Exception as exc:
            if not self._failing:
                log.warning("heartbeat not written, Redis at %s: %s", d.store.location, exc)
                self._failing = True
        else:
            if self._failing:
                log.info("heartbeat written again, Redis is back")
                self._failing = False
        if d.state is DaemonState.RUNNING:
            d.notifier.status(d.status_line())

    async def stop(self) -> None:
        await _cancel(self._task)
        self._task = None
        self.daemon.state = DaemonState.STOPPED
        await self.beat()


T = TypeVar("T")


def _in_daemon_thread(fn: Callable[[], T]) -> asyncio.Future[T]:
    """``fn()`` in a daemon thread of its own, as a future of the running loop. Unlike
    ``asyncio.to_thread`` the process never waits for it at exit: a pipeline batch that
    outlives the stop budget is abandoned, not waited for (its items stay checkpointed)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, exc: BaseException | None) -> None:
        if future.done():
            return
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = fn()
        except BaseException as exc:
            error = exc
        with suppress(RuntimeError):  # the loop is closed: nobody waits for it any more
            loop.call_soon_threadsafe(settle, result, error)

    # Its result is always awaited, unless a stop abandoned it: no "never retrieved" then.
    future.add_done_callback(lambda f: f.cancelled() or f.exception())
    threading.Thread(target=run, name="pipeline-batch", daemon=True).start()
    return future


def run_daemon(
    settings: Settings,
    *,
    burst: bool = False,
    worker: bool = False,
    deliver: bool = True,
    roles: Roles | None = None,
    reload_settings: Callable[[], Settings] | None = None,
    analyzer: TextAnalyzer | None = None,
) -> int:
    """``monitor run``; ``worker``: ``monitor worker`` (the pipeline worker alone, and
    delivery if ``deliver``; ``roles``: what it runs, else the pipeline worker and
    ``deliver``). ``analyzer``: one already loaded (a process forked from a
    warm one, as the kill-loop test does), else the one ``[nlp]`` asks for, made here."""
    store = connect(
        redis_url(Env()),
        settings.data_dir,
        prefix=settings.redis.key_prefix,
        embedded_db=settings.redis.embedded_db,
    )
    # NLP in `[nlp] workers` processes: a batch being analysed never stalls the loop.
    # Started by the first batch, stopped after `[nlp] idle_stop_s` idle; then the language
    # identifier's model goes too (75 MB; the next batch that needs it loads it in 0.6 s).
    analyzer = analyzer or make_analyzer(
        settings.nlp,
        regex_cache=settings.data_dir / settings.nlp.regex_cache_dir,
        on_idle=_identifier.cache_clear,
    )
    try:
        metrics = Metrics()
        outbox = Outbox(store, settings, metrics)
        pipeline = Pipeline(
            settings, store, emit=outbox.enqueue, metrics=metrics, analyzer=analyzer
        )
        daemon = Daemon(
            settings,
            store,
            pipeline,
            metrics=metrics,
            outbox=outbox,
            notifier=Notifier.from_env(),
            reload_settings=reload_settings,
        )
        daemon.roles = roles or Roles(deliver=deliver)
        if not (daemon.roles.deliver if worker else deliver):
            daemon.deliverer = None
        return asyncio.run(daemon.run(burst=burst, worker=worker))
    finally:
        if isinstance(analyzer, PooledAnalyzer):
            analyzer.close()
        store.close()
        log.info("daemon stopped")
