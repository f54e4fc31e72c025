"""Service state in Redis: the daemon's heartbeat, queue depths (the intake stream's too),
feed health and model versions for ``monitor status``.

Written by the daemon on its event loop (``redis.asyncio``), read by ``monitor status``
from another process (sync client) while the daemon runs. The commands are queued on a
pipeline by small helpers shared by both sides; only the ``execute`` differs.

    P:health:daemon     JSON :class:`Heartbeat`, expires ``ttl_s`` after the last beat
    P:intake            (read only) the intake stream and its ``pipeline`` group, for
                        ``monitor status`` (store/intake.py writes it)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import redis

from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.feeds import FeedState
from monitor.store.intake import IntakeQueue, read_intake_queue
from monitor.store.outbox import OutboxStore, SinkQueue
from monitor.store.polls import read_poll_queue
from monitor.types import parse_dt, utcnow


class DaemonState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RELOADING = "reloading"
    STOPPING = "stopping"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """What the daemon says about itself every few seconds."""

    state: str
    pid: int
    host: str
    version: str
    started_at: datetime
    scheduler_running: bool
    last_cycle_at: datetime | None
    feeds: int
    at: datetime = field(default_factory=utcnow)

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "pid": self.pid,
            "host": self.host,
            "version": self.version,
            "started_at": self.started_at.isoformat(),
            "scheduler_running": self.scheduler_running,
            "last_cycle_at": self.last_cycle_at.isoformat() if self.last_cycle_at else None,
            "feeds": self.feeds,
            "at": self.at.isoformat(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Heartbeat:
        return cls(
            state=str(d.get("state") or "unknown"),
            pid=int(d.get("pid") or 0),
            host=str(d.get("host") or ""),
            version=str(d.get("version") or ""),
            started_at=parse_dt(d.get("started_at")) or utcnow(),
            scheduler_running=bool(d.get("scheduler_running")),
            last_cycle_at=parse_dt(d.get("last_cycle_at")),
            feeds=int(d.get("feeds") or 0),
            at=parse_dt(d.get("at")) or utcnow(),
        )


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A feed as ``monitor status`` sums it up (from the poller's :class:`FeedState`)."""

    url: str
    name: str
    last_attempt: datetime | None
    last_success: datetime | None
    last_status: str
    last_error: str
    consecutive_errors: int
    failing_since: datetime | None = None

    @classmethod
    def of(cls, st: FeedState) -> FeedHealth:
        return cls(
            url=st.url,
            name=st.name,
            last_attempt=st.last_attempt,
            last_success=st.last_success,
            last_status=st.last_status,
            last_error=st.last_error,
            consecutive_errors=st.consecutive_errors,
            failing_since=st.failing_since,
        )

    @property
    def state(self) -> str:
        if self.last_attempt is None:
            return "never_polled"
        return "failing" if self.consecutive_errors else "ok"

    def failing_for_s(self, now: datetime | None = None) -> float:
        if not self.consecutive_errors or self.failing_since is None:
            return 0.0
        return max(0.0, ((now or utcnow()) - self.failing_since).total_seconds())


@dataclass(frozen=True, slots=True)
class QueueDepths:
    """What waits where: feed items in the intake stream (not processed yet), each sink's
    share of the alert outbox (read and not acknowledged, plus not read yet), and the dead
    letters."""

    intake: int
    outbox: dict[str, int]
    dead: int
    # each sink's consumer group: pending, unread, consumers, oldest undelivered
    groups: tuple[SinkQueue, ...] = ()
    # the intake stream's ``pipeline`` group: its workers, pending, unread, dead letters
    pipeline: IntakeQueue | None = None
    # the due-poll stream's ``pollers`` group: its poll workers, pending, unread
    polls: IntakeQueue | None = None

    def to_dict(self, now_ms: int | None = None) -> dict[str, Any]:
        now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
        groups = {
            q.sink: {"pending": q.pending, "unread": q.unread, "consumers": q.consumers,
                     "lag_s": round(q.lag_s(now_ms), 1)}
            for q in self.groups
        }
        return {"intake": self.intake, "outbox": dict(self.outbox), "dead": self.dead,
                "groups": groups,
                "pipeline": self.pipeline.to_dict(now_ms) if self.pipeline else None,
                "polls": self.polls.to_dict(now_ms) if self.polls else None}


class ServiceStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.keys = store.keys

    # -- heartbeat -----------------------------------------------------------
    async def beat(self, hb: Heartbeat, *, ttl_s: float) -> None:
        await self.store.aio().set(
            self.keys.heartbeat(), json.dumps(hb.to_dict()), px=max(1, int(ttl_s * 1000))
        )

    def read_heartbeat(self) -> Heartbeat | None:
        raw = self._sync(lambda r: r.get(self.keys.heartbeat()))
        if raw is None:
            return None
        try:
            return Heartbeat.from_dict(json.loads(raw))
        except (ValueError, TypeError) as exc:
            raise StoreError(f"unreadable heartbeat in {self.keys.heartbeat()}: {exc}") from exc

    # -- queue depths, model versions ----------------------------------------
    def queue_depths(self, sinks: Sequence[str]) -> QueueDepths:
        """For ``monitor status`` (the daemon's Deliverer publishes the outbox gauges)."""
        outbox = OutboxStore(self.store)
        try:
            dead = outbox.dead_count()
        except redis.RedisError as exc:
            raise StoreError(f"Redis at {self.store.location} failed: {exc}") from exc
        groups = tuple(outbox.queues(sinks))
        depths = {q.sink: q.depth for q in groups}
        pipeline = read_intake_queue(self.store)
        return QueueDepths(intake=pipeline.group.depth, outbox=depths, dead=dead, groups=groups,
                           pipeline=pipeline, polls=read_poll_queue(self.store))

    async def model_versions_async(self, sagas: Sequence[str]) -> dict[str, int | None]:
        values = await self.store.aio().mget([self.keys.saga_version(s) for s in sagas])
        return {s: int(v) if v is not None else None for s, v in zip(sagas, values, strict=True)}

    def model_versions(self, sagas: Sequence[str]) -> dict[str, int | None]:
        values = self._sync(lambda r: r.mget([self.keys.saga_version(s) for s in sagas]))
        return {s: int(v) if v is not None else None for s, v in zip(sagas, values, strict=True)}

    # -- feed health ---------------------------------------------------------------
    def feed_health(self, urls: Iterable[str]) -> list[FeedHealth]:
        """The poller's stored state of these feeds (``never_polled`` when it has none)."""
        urls = list(urls)

        def run(r: redis.Redis) -> list[Any]:
            pipe = r.pipeline(transaction=False)
            for u in urls:
                pipe.hgetall(self.keys.feed(u))
            return list(pipe.execute())

        raws = self._sync(run)
        return [FeedHealth.of(FeedState.decode(u, raw)) for u, raw in zip(urls, raws, strict=True)]

    def _sync(self, op: Any) -> Any:
        try:
            return op(self.store.redis)
        except redis.RedisError as exc:
            raise StoreError(f"Redis at {self.store.location} failed: {exc}") from exc
