"""The poller: one APScheduler job per feed, each poll fetch -> parse -> dedup -> on_items.

    Poller(settings, store, on_items, metrics, on_due=None)
      start()          one job per feed (config feeds + imported ones), first run at once
                       (or when a stored backoff / Retry-After ends); without ``on_due``
                       also the HTTP session (aiohttp, pooled per origin)
      reload(feeds)    add / remove / update jobs (SIGHUP)
      poll_all_once()  burst mode: every feed once, then return
      poll_due(f, ms)  a poll worker's poll of a due poll published at ``ms``: the feed's
                       state read fresh from Redis (other workers poll it too), nothing
                       done if it was polled since
      open() / close() the HTTP session and parser processes, shared by the scheduler and
                       a poll worker of the same process (closed when neither uses them)
      stop()           stop scheduling, wait for polls in flight, close the session

A job either polls (``on_due`` None: tests, benchmarks) or hands the due feed to
``on_due`` (the daemon: it publishes a due poll to the stream poll workers consume,
``monitor.polls``); ``on_due`` may answer a later time the feed is due (polled recently by
another worker, or backing off), and the job is moved there.

A poll never raises: its outcome is classified (``feeds.Outcome``), counted, stored as the
feed's health, and decides the feed's next run (``feeds.plan_next_check``), which replaces
the one APScheduler computed. Concurrency: at most ``polling.max_connections`` polls at a
time, at most ``polling.max_per_host`` fetches per host. Parsing runs in a process pool
(``polling.parse_workers``, ``monitor.parse_pool``: stopped after ``parse_idle_stop_s`` with
nothing to parse) so a big feed never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

import aiohttp
import redis
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor import feeds as fd
from monitor import fetcher
from monitor.config import FeedSettings, Settings
from monitor.cycle import CycleCounter
from monitor.metrics import Metrics
from monitor.parse_pool import ParserPool
from monitor.store import Store
from monitor.store.feeds import FeedState, FeedStore
from monitor.store.intake import IntakeFull
from monitor.types import FeedItem, utcnow
from monitor.urls import redact

log = logging.getLogger(__name__)

OnItems = Callable[[FeedSettings, list[FeedItem]], Awaitable[None]]


class OnDue(Protocol):
    """Where a due feed is handed (``monitor.polls.DuePublisher``: the due-poll stream);
    it answers a time when the feed is not due before then. ``aclose``: wait for what it
    has in flight (on stop)."""

    async def __call__(self, feed: FeedSettings) -> datetime | None: ...

    async def aclose(self) -> None: ...

CYCLE_JOB = "cycle-summary"  # never a feed URL


class Poller:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        on_items: OnItems,
        metrics: Metrics | None = None,
        cycle: CycleCounter | None = None,
        on_due: OnDue | None = None,
    ) -> None:
        self.settings = settings
        self.on_due = on_due
        self.cycle = cycle or CycleCounter()  # the daemon adds its batches' counts
        self.polling = settings.polling
        self.feed_store = FeedStore(store, ttl_s=settings.polling.seen_ttl_s)
        self.on_items = on_items
        self.metrics = metrics or Metrics()
        self.last_cycle_at: datetime | None = None
        self.running = False
        self._feeds: dict[str, FeedSettings] = {}
        # the config feeds as the last reload gave them: a poller started again (the
        # scheduler lease moved back to this process) polls those, not the start-up list
        self._configured: Sequence[FeedSettings] = settings.feeds
        self._session: aiohttp.ClientSession | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._parser: ParserPool | None = None
        self._slots = asyncio.Semaphore(self.polling.max_connections)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._busy: dict[str, asyncio.Task[fd.Outcome]] = {}
        # Write-through cache of the feeds' stored state (this poller is its only writer).
        self._states: dict[str, FeedState] = {}
        self._unstored: set[str] = set()  # feeds known to have no stored state yet
        self._rng = random.Random()
        self._outage: Outage | None = None  # since when polls fail on Redis
        self._users = 0  # open() calls not closed yet (the scheduler, a poll worker)
        self._opened = False  # start() opened the engine

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        if self.on_due is None and not self._opened:
            self.open()
            self._opened = True
        self._feeds = self._merge(self._configured)
        await self._load_states()
        states = self._states
        for url, feed in self._feeds.items():  # /metrics knows them before their first poll
            self._publish_success(feed, states.get(url))
        self._scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
        now = utcnow()
        for url, feed in self._feeds.items():
            self._add_job(feed, _resume_at(states.get(url), now))
        self._scheduler.add_job(
            self.log_cycle,
            IntervalTrigger(seconds=self.polling.interval_s, timezone=UTC),
            id=CYCLE_JOB,
            name="cycle summary",
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.start()
        self.running = True
        log.info("poller started: %d feeds", len(self._feeds))

    def failing_feeds(self, max_age_s: float | None) -> tuple[int, int]:
        """(failing, total): a feed fails when its last poll was an error and it has not
        succeeded for ``max_age_s`` (or ever)."""
        now = utcnow()
        failing = 0
        for url in self._feeds:
            st = self._states.get(url)
            if st is None or not st.consecutive_errors:
                continue
            ok_at = st.last_success
            if ok_at is None or max_age_s is None or (now - ok_at).total_seconds() > max_age_s:
                failing += 1
        return failing, len(self._feeds)

    def reload(self, feeds: Sequence[FeedSettings]) -> None:
        """Take a new feed list (config feeds; imported ones are re-read from Redis)."""
        self._configured = list(feeds)
        new = self._merge(feeds)
        old, self._feeds = self._feeds, new
        if self._scheduler is None:
            return
        # A feed removed or renamed loses its last-success series (a renamed one's comes
        # back under its new name).
        for url in old:
            if url not in new or feed_label(new[url]) != feed_label(old[url]):
                with contextlib.suppress(KeyError):
                    self.metrics.feed_last_success.remove(feed_label(old[url]))
                if url in new:
                    self._publish_success(new[url], self._states.get(url))
        for url in old.keys() - new.keys():
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(url)
        for url in new.keys() - old.keys():
            self._add_job(new[url], utcnow())
        for url in new.keys() & old.keys():
            if _interval(new[url], self.polling.interval_s) != _interval(
                old[url], self.polling.interval_s
            ):
                with contextlib.suppress(JobLookupError):
                    self._scheduler.reschedule_job(url, trigger=self._trigger(new[url]))
        log.info(
            "feeds reloaded: %d feeds (%d added, %d removed)",
            len(new), len(new.keys() - old.keys()), len(old.keys() - new.keys()),
        )  # fmt: skip

    async def poll_all_once(self) -> None:
        """Poll every feed once (whatever its next check) and wait for all of them."""
        self._open()
        if not self._feeds:
            self._feeds = self._merge(self._configured)
        await self._load_states()
        await asyncio.gather(*(self._poll_tracked(f) for f in list(self._feeds.values())))
        self.log_cycle()

    def log_cycle(self) -> None:
        """The summary line of the polls since the last one (none when nothing was polled)."""
        summary = self.cycle.take()
        if summary is not None:
            log.info(summary.line())

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.pause()  # no new runs; shutdown would cancel the ones in flight
        if self._busy and self.on_due is None:  # else they are the poll worker's to wait for
            await asyncio.gather(*self._busy.values(), return_exceptions=True)
        await self.feed_store.aclose()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)  # cancels the jobs still running
        if self.on_due is not None:
            await self.on_due.aclose()  # the publishes the cancelled jobs left in flight
            self._scheduler = None
        if self._opened:
            self._opened = False
            await self.close()
        elif not self._users:  # a burst run's poll_all_once opened it
            await self._close_engine()
        self.running = False

    def open(self) -> None:
        """Take a share of the HTTP session and the parser processes (made on first use)."""
        self._users += 1
        self._open()

    async def close(self) -> None:
        """Give the share back: closed once nobody uses them."""
        self._users = max(0, self._users - 1)
        if not self._users:
            await self._close_engine()

    async def _close_engine(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._parser is not None:
            self._parser.shutdown()
            self._parser = None

    def _open(self) -> None:
        if self._session is None:
            self._session = fetcher.make_session(self.polling)
        if self._parser is None and self.polling.parse_workers > 0:
            self._parser = ParserPool(
                self.polling.parse_workers, idle_stop_s=self.polling.parse_idle_stop_s
            )

    async def _load_states(self) -> None:
        missing = [u for u in self._feeds if u not in self._states and u not in self._unstored]
        if missing:
            found = await self.feed_store.aload_many(missing)
            self._states.update(found)
            self._unstored.update(u for u in missing if u not in found)

    def _merge(self, config_feeds: Sequence[FeedSettings]) -> dict[str, FeedSettings]:
        merged = {f.url: f for f in self.feed_store.imported()}
        merged.update({f.url: f for f in config_feeds})  # the config wins
        return merged

    # -- scheduling ----------------------------------------------------------------------
    def _trigger(self, feed: FeedSettings) -> IntervalTrigger:
        return IntervalTrigger(
            seconds=_interval(feed, self.polling.interval_s),
            jitter=self.polling.jitter_s,
            timezone=UTC,
        )

    def _add_job(self, feed: FeedSettings, first_run: datetime) -> None:
        assert self._scheduler is not None
        self._scheduler.add_job(
            self._job,
            self._trigger(feed),
            args=(feed.url,),
            id=feed.url,
            name=feed.name or feed.url,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,  # late is better than never
            next_run_time=first_run,
            replace_existing=True,
        )

    async def _job(self, url: str) -> None:
        feed = self._feeds.get(url)
        if feed is None:
            return
        if self.on_due is None:
            await self._poll_tracked(feed)
            return
        try:
            not_before = await self.on_due(feed)
        except Exception as exc:  # Redis away: the next run tries again
            if redis_unreachable(exc):
                self._store_down(exc)
            else:
                log.exception("publishing a due poll failed", extra={"feed": url})
            return
        self._store_up()
        if not_before is not None:
            self._reschedule(url, not_before)

    async def poll_due(self, feed: FeedSettings, due_ms: int) -> fd.Outcome | None:
        """A poll worker's poll of ``feed``, due since ``due_ms`` (ms since the epoch):
        its state read from Redis first (other workers poll it too, so this process's
        cache may be old); None, without polling, when it was polled since it was due (a
        dead worker polled it and died before acknowledging)."""
        self._open()
        url = feed.url
        stamp = await self.feed_store.alast_attempt(url)  # one field: is our cache current?
        if stamp is not None and float(stamp) * 1000 >= due_ms:
            return None
        cached = self._states.get(url)
        if stamp is None:
            self._states.pop(url, None)
            self._unstored.add(url)
        elif cached is None or cached.last_attempt is None \
                or repr(cached.last_attempt.timestamp()) != stamp.decode():
            state = await self.feed_store.aload_stored(url)  # another worker polled it
            if state is not None:
                self._states[url] = state
                self._unstored.discard(url)
        return await self._poll_tracked(feed)

    def _reschedule(self, url: str, when: datetime) -> None:
        if self._scheduler is not None and self._scheduler.running:
            with contextlib.suppress(JobLookupError):
                self._scheduler.modify_job(url, next_run_time=when)

    # -- one poll ------------------------------------------------------------------------
    async def _poll_tracked(self, feed: FeedSettings) -> fd.Outcome:
        """One poll of a feed at a time: a second request joins the one in flight."""
        task = self._busy.get(feed.url)
        if task is None:
            task = asyncio.create_task(self._poll_guarded(feed), name=f"poll {feed.url}")
            self._busy[feed.url] = task
            task.add_done_callback(lambda _t: self._busy.pop(feed.url, None))
        return await asyncio.shield(task)

    async def _poll_guarded(self, feed: FeedSettings) -> fd.Outcome:
        started = self.cycle.poll_started()
        try:
            outcome = await self.poll(feed)
        except Exception as exc:  # one broken feed (or Redis outage) never takes the others down
            if redis_unreachable(exc):
                self._store_down(exc)
            else:
                log.exception("poll crashed", extra={"feed": feed.url})
        else:
            self._store_up()
            return outcome
        self.cycle.polled(started=started, failed=True, not_modified=False, new=0)
        self._reschedule(feed.url, utcnow() + timedelta(seconds=self.polling.interval_s))
        return fd.Outcome.NETWORK

    def _store_down(self, exc: BaseException) -> None:
        """A poll failed on Redis: one warning per outage, not a traceback per poll."""
        if self._outage is None:
            self._outage = Outage(utcnow())
            log.warning("Redis unreachable, polls fail until it is back: %s", exc)
        self._outage.failed += 1

    def _store_up(self) -> None:
        if self._outage is not None:
            outage, self._outage = self._outage, None
            log.warning(
                "Redis reachable again after %s; %d polls failed meanwhile",
                human_duration((utcnow() - outage.since).total_seconds()), outage.failed,
            )  # fmt: skip

    async def poll(self, feed: FeedSettings) -> fd.Outcome:
        """Fetch, parse, dedup and hand on one feed; store its health; plan its next run."""
        stored = self._states.get(feed.url)  # as in Redis (this poller is its only writer)
        if stored is not None:
            state = stored
        elif feed.url in self._unstored:
            state = FeedState(feed.url)
        else:
            state = await self.feed_store.aload(feed.url)
        url = state.fetch_url or feed.url
        # The host's slot first, then a global one: feeds queued behind a busy host do not
        # hold global slots other hosts could use. The global slot is kept while parsing,
        # which bounds the bodies held in memory.
        async with self._host_slot(url):
            await self._slots.acquire()
            started, cycle_started = utcnow(), self.cycle.poll_started()
            try:
                assert self._session is not None
                result = await fetcher.fetch(
                    self._session,
                    url,
                    polling=self.polling,
                    validators=fd.Validators(state.etag, state.last_modified),
                )
            except BaseException:
                self._slots.release()
                raise
        try:
            outcome, parsed, error, new = result.outcome, None, result.error or "", []
            digest = fd.body_hash(result.content) if outcome is fd.Outcome.OK else None
            if outcome is fd.Outcome.OK and digest == state.body_hash:
                outcome = fd.Outcome.NOT_MODIFIED  # same bytes as last time: nothing to do
            elif outcome is fd.Outcome.OK:
                parsed = await self._parse(result, feed)
                if parsed.error:
                    outcome, error = fd.Outcome.PARSE_ERROR, parsed.error
                else:
                    new = await self.feed_store.afilter_new(parsed.items)
        finally:
            self._slots.release()
        delivered = await self._deliver(feed, new)
        if delivered and parsed is not None and not parsed.error:
            await self.feed_store.amark_seen(parsed.items)  # handed on: now they are seen
        before = state
        state = self._next_state(feed, state, result, outcome, error, parsed, digest, new, started)
        if not delivered:  # keep the old validators: the next poll fetches these again
            state = replace(
                state,
                etag=before.etag,
                last_modified=before.last_modified,
                body_hash=before.body_hash,
                items_seen=before.items_seen,
            )
        await self.feed_store.asave(state, stored)
        self._states[feed.url] = state
        self._unstored.discard(feed.url)
        assert state.next_check is not None
        self._reschedule(feed.url, state.next_check)
        self._count(result, outcome, parsed, len(new))
        self._publish_success(feed, state)
        self.cycle.polled(
            started=cycle_started,
            failed=outcome.is_error,
            not_modified=outcome is fd.Outcome.NOT_MODIFIED,
            new=len(new),
        )
        self._log(feed, state, result, outcome, parsed, len(new))
        self.last_cycle_at = utcnow()
        self.metrics.last_poll_cycle.set(self.last_cycle_at.timestamp())
        return outcome

    async def _parse(self, result: fd.FetchResult, feed: FeedSettings) -> fd.ParsedFeed:
        p = self.polling
        limits = fd.ItemLimits(p.max_items_per_feed, p.max_title_chars, p.max_summary_chars)
        args = (result.content, feed.url, dict(result.headers), feed.language, limits)
        if self._parser is None:
            return await asyncio.to_thread(fd.parse_feed, *args)
        try:
            return await self._parser.run(fd.parse_feed, *args)
        except BrokenProcessPool:  # a worker died (out of memory on a huge feed?)
            return fd.ParsedFeed((), error="the parser process died on this feed")

    async def _deliver(self, feed: FeedSettings, items: list[FeedItem]) -> bool:
        if not items:
            return True
        try:
            await self.on_items(feed, items)
            return True
        except asyncio.CancelledError:
            # Stopped mid-hand-over (shutdown abandons slow polls): the entries are not
            # marked seen, the next poll offers them again; whatever was checkpointed
            # already is deduplicated downstream.
            raise
        except IntakeFull as exc:
            # Backpressure: the pipeline workers are behind (the intake worker says so,
            # once per episode); the entries are not marked seen, the next poll offers them.
            log.debug("%s; offered again at the next poll", exc, extra={"feed": feed.url})
            return False
        except Exception:
            log.exception(
                "processing new items failed; they will be offered again",
                extra={"feed": feed.url},
            )
            return False

    def _next_state(
        self,
        feed: FeedSettings,
        state: FeedState,
        result: fd.FetchResult,
        outcome: fd.Outcome,
        error: str,
        parsed: fd.ParsedFeed | None,
        digest: str | None,
        new: list[FeedItem],
        started: datetime,
    ) -> FeedState:
        errors = state.consecutive_errors + 1 if outcome.is_error else 0
        # The feed's ttl is remembered: a 304 brings no document to read it from.
        ttl_s = parsed.ttl_s if parsed and not parsed.error else state.ttl_s
        delay, why = fd.plan_next_check(
            outcome,
            interval_s=_interval(feed, self.polling.interval_s),
            jitter_s=self.polling.jitter_s,
            cap_s=self.polling.backoff_cap_s,
            errors=errors,
            retry_after_s=result.retry_after_s,
            max_age_s=result.max_age_s,
            ttl_s=ttl_s,
            rng=self._rng,
        )
        ok = not outcome.is_error
        # Validators: a 200 that parsed brings its own (maybe none), a 304 may refresh them,
        # an error keeps the old ones (a broken document must not become "not modified").
        v = fd.Validators(state.etag, state.last_modified)
        if ok and result.status == 304:
            v = fd.Validators(
                result.validators.etag or state.etag,
                result.validators.last_modified or state.last_modified,
            )
        elif ok:
            v = result.validators
        return replace(
            state,
            name=feed.name,
            fetch_url=result.moved_to or state.fetch_url or feed.url,
            etag=v.etag,
            last_modified=v.last_modified,
            body_hash=digest if ok and digest else state.body_hash,
            last_attempt=started,
            last_success=started if ok else state.last_success,
            last_status=outcome.value,
            last_http_status=result.status,
            last_error=error,
            consecutive_errors=errors,
            failing_since=(state.failing_since or started) if outcome.is_error else None,
            items_seen=state.items_seen + len(new),
            last_items=len(parsed.items) if parsed else state.last_items,
            next_check=started + timedelta(seconds=delay),
            next_reason=why,
            ttl_s=ttl_s,
        )

    # -- reporting -----------------------------------------------------------------------
    def _count(
        self,
        result: fd.FetchResult,
        outcome: fd.Outcome,
        parsed: fd.ParsedFeed | None,
        new: int,
    ) -> None:
        m = self.metrics
        m.polls.labels(outcome="error" if outcome.is_error else outcome.value).inc()
        if outcome is fd.Outcome.PARSE_ERROR:
            m.fetch_errors.labels(kind="parse").inc()
        elif outcome.is_error:
            m.fetch_errors.labels(kind=result.error_kind).inc()
        if parsed:  # the new ones are counted where they stop, downstream
            m.items.labels(stage="known").inc(max(0, len(parsed.items) - new))

    def _publish_success(self, feed: FeedSettings, state: FeedState | None) -> None:
        if state is not None and state.last_success is not None:
            gauge = self.metrics.feed_last_success.labels(feed_label(feed))
            gauge.set(state.last_success.timestamp())

    def _log(
        self,
        feed: FeedSettings,
        state: FeedState,
        result: fd.FetchResult,
        outcome: fd.Outcome,
        parsed: fd.ParsedFeed | None,
        new: int,
    ) -> None:
        extra = {"feed": feed.url, "next_check_s": _secs_until(state.next_check)}
        if result.moved_to and result.moved_to != feed.url:
            log.warning(
                "feed moved permanently to %s; polling the new URL (update the config)",
                result.moved_to,
                extra=extra,
            )
        if outcome.is_error:
            failing_s = (utcnow() - (state.failing_since or utcnow())).total_seconds()
            if failing_s >= self.polling.failing_after_s:
                log.error(
                    "FEED FAILING for %s (%d errors in a row): %s: %s",
                    human_duration(failing_s),
                    state.consecutive_errors,
                    outcome.value,
                    state.last_error,
                    extra=extra,
                )
            else:
                log.warning(
                    "poll failed (%d in a row): %s: %s",
                    state.consecutive_errors, outcome.value, state.last_error, extra=extra,
                )  # fmt: skip
            return
        if parsed and parsed.bozo:
            log.warning(
                "feed is malformed, kept %d entries: %s", len(parsed.items), parsed.bozo,
                extra=extra,
            )  # fmt: skip
        level = logging.INFO if new else logging.DEBUG
        log.log(
            level,
            "polled: %s, %d entries, %d new",
            outcome.value,
            len(parsed.items) if parsed else 0,
            new,
            extra=extra,
        )

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).hostname or ""
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.polling.max_per_host)
        return sem


@dataclass(slots=True)
class Outage:
    since: datetime
    failed: int = 0


def redis_unreachable(exc: BaseException) -> bool:
    """Whether a poll failed because Redis could not be reached or answered (the store
    translates redis errors to StoreError), not because of this feed or a bug."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, redis.ConnectionError | redis.TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def feed_label(feed: FeedSettings) -> str:
    """How a feed is named in metrics: its configured name, else its URL, redacted."""
    return feed.name or redact(feed.url)


def _interval(feed: FeedSettings, default_s: float) -> float:
    return feed.interval_s or default_s


def _resume_at(state: FeedState | None, now: datetime) -> datetime:
    """First run: now, unless the feed is backing off or was told to wait (Retry-After)."""
    if state is None or state.next_check is None or not state.consecutive_errors:
        return now
    return max(now, state.next_check)


def _secs_until(when: datetime | None) -> int:
    return round((when - utcnow()).total_seconds()) if when else 0


def human_duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 86400:
        return f"{seconds // 86400}d{(seconds % 86400) // 3600}h"
    if seconds >= 3600:
        return f"{seconds // 3600}h{(seconds % 3600) // 60}m"
    if seconds >= 60:
        return f"{seconds // 60}m"
    return f"{seconds}s"
