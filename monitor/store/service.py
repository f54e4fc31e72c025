"""Service state in Redis: the daemon's heartbeat, the intake checkpoint, queue depths.

Written by the daemon on its event loop (``redis.asyncio``), read by ``monitor status``
from another process (sync client) while the daemon runs. The commands are queued on a
pipeline by small helpers shared by both sides; only the ``execute`` differs.

    P:health:daemon     JSON :class:`Heartbeat`, expires ``ttl_s`` after the last beat
    P:intake:pending    item id -> FeedItem JSON: items handed to the pipeline and not done,
                        processed again at the next start (nothing is lost by a crash)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import redis

from monitor.errors import StoreError
from monitor.store import Store
from monitor.types import FeedItem, parse_dt, utcnow


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
    url: str
    last_attempt: datetime | None
    last_success: datetime | None
    last_status: str | None
    consecutive_errors: int
    failing_since: datetime | None = None

    @property
    def state(self) -> str:
        if self.last_attempt is None:
            return "never_polled"
        return "failing" if self.consecutive_errors else "ok"


def _s(v: bytes | str | None) -> str | None:
    if v is None:
        return None
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def _time(v: str | None) -> datetime | None:
    """Feed state times are Unix timestamps (``repr(float)``), as the feeds stage writes them."""
    if not v:
        return None
    try:
        return datetime.fromtimestamp(float(v), UTC)
    except ValueError:
        return parse_dt(v)


class ServiceStore:
    QUEUES = ("pending", "outbox", "dead")

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

    # -- intake checkpoint ---------------------------------------------------
    async def checkpoint(self, items: Sequence[FeedItem]) -> None:
        """Remember items before the pipeline sees them; :meth:`done` forgets them."""
        if items:
            mapping = {it.id: json.dumps(it.to_dict(), ensure_ascii=False) for it in items}
            await self.store.aio().hset(self.keys.intake_pending(), mapping=mapping)  # type: ignore[misc]

    async def done(self, items: Sequence[FeedItem]) -> None:
        if items:
            pending = self.keys.intake_pending()
            await self.store.aio().hdel(pending, *(it.id for it in items))  # type: ignore[misc]

    async def pending(self) -> list[FeedItem]:
        """Items checkpointed by an earlier run, oldest publication first."""
        raw = await self.store.aio().hvals(self.keys.intake_pending())  # type: ignore[misc]
        items = [FeedItem.from_dict(json.loads(v)) for v in raw]
        return sorted(items, key=lambda it: (it.published is None, it.published or utcnow()))

    # -- queue depths, model versions ----------------------------------------
    def _queue_cmds(self, pipe: Any) -> None:
        pipe.hlen(self.keys.intake_pending())
        pipe.xlen(self.keys.outbox())
        pipe.xlen(self.keys.dead_letters())

    async def queue_depths_async(self) -> dict[str, int]:
        pipe = self.store.aio().pipeline(transaction=False)
        self._queue_cmds(pipe)
        return dict(zip(self.QUEUES, map(int, await pipe.execute()), strict=True))

    def queue_depths(self) -> dict[str, int]:
        def run(r: redis.Redis) -> list[Any]:
            pipe = r.pipeline(transaction=False)
            self._queue_cmds(pipe)
            return list(pipe.execute())

        return dict(zip(self.QUEUES, map(int, self._sync(run)), strict=True))

    async def model_versions_async(self, sagas: Sequence[str]) -> dict[str, int | None]:
        values = await self.store.aio().mget([self.keys.saga_version(s) for s in sagas])
        return {s: int(v) if v is not None else None for s, v in zip(sagas, values, strict=True)}

    def model_versions(self, sagas: Sequence[str]) -> dict[str, int | None]:
        values = self._sync(lambda r: r.mget([self.keys.saga_version(s) for s in sagas]))
        return {s: int(v) if v is not None else None for s, v in zip(sagas, values, strict=True)}

    # -- feed health ---------------------------------------------------------------
    # The per-feed hash of the feeds stage (store/feeds.py FeedState): this reads the fields
    # the status summary needs. record_poll writes them the same way for the daemon's
    # interim scheduler, until monitor.poller.Poller (which saves the whole state) lands.
    async def record_poll(self, url: str, *, ok: bool, status: str) -> None:
        key = self.keys.feed(url)
        now = repr(utcnow().timestamp())
        pipe = self.store.aio().pipeline(transaction=True)
        pipe.hset(key, mapping={"last_attempt": now, "last_status": status})
        if ok:
            pipe.hset(key, mapping={"last_success": now, "consecutive_errors": 0})
            pipe.hdel(key, "failing_since")
        else:
            pipe.hincrby(key, "consecutive_errors", 1)
            pipe.hsetnx(key, "failing_since", now)
        pipe.sadd(self.keys.feeds(), url)
        await pipe.execute()

    def feed_health(self, urls: Iterable[str]) -> list[FeedHealth]:
        urls = list(urls)

        def run(r: redis.Redis) -> list[Any]:
            pipe = r.pipeline(transaction=False)
            for u in urls:
                pipe.hgetall(self.keys.feed(u))
            return list(pipe.execute())

        out = []
        for url, h in zip(urls, self._sync(run), strict=True):
            d = {_s(k): _s(v) for k, v in h.items()}
            try:
                out.append(
                    FeedHealth(
                        url=url,
                        last_attempt=_time(d.get("last_attempt")),
                        last_success=_time(d.get("last_success")),
                        last_status=d.get("last_status"),
                        consecutive_errors=int(d.get("consecutive_errors") or 0),
                        failing_since=_time(d.get("failing_since")),
                    )
                )
            except ValueError as exc:
                raise StoreError(f"corrupt feed state for {url}: {exc}") from exc
        return out

    def _sync(self, op: Any) -> Any:
        try:
            return op(self.store.redis)
        except redis.RedisError as exc:
            raise StoreError(f"Redis at {self.store.location} failed: {exc}") from exc
