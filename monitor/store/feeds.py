"""Feed state in Redis: per-feed health and HTTP validators, the seen-entry set, imports.

    P:feed:<hash>      hash    one :class:`FeedState` (ETag / Last-Modified kept as raw bytes)
    P:feeds            set     URLs of every feed ever polled (what ``monitor feeds`` lists)
    P:feeds:imported   hash    url -> JSON of a feed added from OPML
    P:entry:<hash>     string  content hash of a seen entry, with a TTL refreshed on each sight

Sync methods serve the CLI; ``a``-prefixed ones the poller (``Store.aio()``). The poller's
per-poll commands (``afilter_new``, ``amark_seen``, ``asave``) are group-committed
(``store.batch``): the concurrent polls' commands share one pipeline, each poll still
waits for its own to be executed, so the order the poller relies on holds: entries are
marked seen only after they were handed on (checkpointed), never before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import redis
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript

from monitor.config import FeedSettings
from monitor.errors import StoreError
from monitor.feeds import content_hash, entry_identity
from monitor.store import Store
from monitor.store.batch import GroupCommit
from monitor.types import FeedItem

_BYTES = ("etag", "last_modified")
_INTS = ("last_http_status", "consecutive_errors", "items_seen", "last_items")
_TIMES = ("last_attempt", "last_success", "failing_since", "next_check")
_FLOATS = ("ttl_s",)

# KEYS: entry keys; ARGV: ttl, then one content hash per key. Returns 1 per new or changed
# entry, 0 per entry seen before with the same hash.
_MARK_SEEN = """
local out = {}
for i, key in ipairs(KEYS) do
  local old = redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1], 'GET')
  if old == ARGV[i + 1] then out[i] = 0 else out[i] = 1 end
end
return out
"""


@dataclass(frozen=True, slots=True)
class FeedState:
    """What we remember about one feed between polls (and show in ``monitor feeds``)."""

    url: str  # the feed's identity, as configured
    name: str = ""
    fetch_url: str = ""  # where it is fetched from now (updated by permanent redirects)
    etag: bytes | None = None
    last_modified: bytes | None = None
    body_hash: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_status: str = ""  # an Outcome value
    last_http_status: int | None = None
    last_error: str = ""
    consecutive_errors: int = 0
    failing_since: datetime | None = None
    items_seen: int = 0  # entries found new or updated, all time
    last_items: int = 0  # entries in the last document parsed
    next_check: datetime | None = None
    next_reason: str = ""
    ttl_s: float | None = None  # the feed's own <ttl> / sy:updatePeriod, as last parsed

    def encode(self) -> dict[str, bytes | str]:
        out: dict[str, bytes | str] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None or v == "":
                continue
            if isinstance(v, datetime):
                out[f.name] = repr(v.timestamp())
            elif isinstance(v, bytes):
                out[f.name] = v
            else:
                out[f.name] = str(v)
        return out

    @classmethod
    def decode(cls, url: str, raw: dict[bytes, bytes]) -> FeedState:
        d: dict[str, Any] = {"url": url}
        try:
            for k, v in raw.items():
                name = k.decode()
                if name in _BYTES:
                    d[name] = v
                elif name in _INTS:
                    d[name] = int(v)
                elif name in _TIMES:
                    d[name] = datetime.fromtimestamp(float(v), UTC)
                elif name in _FLOATS:
                    d[name] = float(v)
                elif name in cls.__dataclass_fields__ and name != "url":
                    d[name] = v.decode("utf-8", "replace")
        except ValueError as exc:
            raise StoreError(f"corrupt feed state for {url}: {exc}") from exc
        return cls(**d)


class FeedStore:
    def __init__(self, store: Store, *, ttl_s: int) -> None:
        self.store = store
        self.keys = store.keys
        self.ttl_s = ttl_s
        self._script: AsyncScript | None = None
        self._batch = GroupCommit(store.aio)

    # -- state -----------------------------------------------------------------------
    def load(self, url: str) -> FeedState:
        return FeedState.decode(url, self._call(self.store.redis.hgetall, self.keys.feed(url)))

    async def aload(self, url: str) -> FeedState:
        try:
            raw = await self.store.aio().hgetall(self.keys.feed(url))  # type: ignore[misc]
        except redis.RedisError as exc:
            raise StoreError(f"cannot read feed state: {exc}") from exc
        return FeedState.decode(url, raw)

    async def alast_attempt(self, url: str) -> bytes | None:
        """The stored ``last_attempt`` field as stored (every poll writes a new one: a
        cached state with the same value is the stored state); group-committed."""
        key = self.keys.feed(url)

        def queue(pipe: Pipeline) -> None:
            pipe.hget(key, "last_attempt")

        replies = await self._one(queue, "cannot read feed state")
        raw = replies[0]
        return raw.encode() if isinstance(raw, str) else raw

    async def aload_stored(self, url: str) -> FeedState | None:
        """The feed's stored state, None if it has none; group-committed (the many polls of
        a poll worker share a round trip)."""
        key = self.keys.feed(url)

        def queue(pipe: Pipeline) -> None:
            pipe.hgetall(key)

        replies = await self._one(queue, "cannot read feed state")
        return FeedState.decode(url, replies[0]) if replies[0] else None

    async def asave(self, state: FeedState, before: FeedState | None = None) -> None:
        """Store a feed's state. ``before`` is what is stored now (the poller caches it): then
        only what changed is written, one HSET (and an HDEL of fields that became empty).
        Without it the hash is replaced whole, atomically (DEL + HSET in one transaction)."""
        key, fields_ = self.keys.feed(state.url), state.encode()
        old = before.encode() if before else {}
        gone = [f for f in old if f not in fields_]
        changed = {k: v for k, v in fields_.items() if old.get(k) != v}
        if before is not None and not gone and not changed:
            return

        def queue(pipe: Pipeline) -> None:
            if before is None:
                pipe.delete(key)
                pipe.sadd(self.keys.feeds(), state.url)
            elif gone:
                pipe.hdel(key, *gone)
            if changed:
                pipe.hset(key, mapping=changed)  # type: ignore[arg-type]

        count = (2 if before is None else bool(gone)) + bool(changed)
        try:
            replies = await self._batch.run(queue, count=count, atomic=before is None or bool(gone))
        except redis.RedisError as exc:
            raise StoreError(f"cannot save feed state: {exc}") from exc
        _raise_first(replies, "cannot save feed state")

    def all_states(self) -> list[FeedState]:
        """Every feed ever polled, sorted by URL."""
        r = self.store.redis
        urls = sorted(u.decode() for u in self._call(r.smembers, self.keys.feeds()))
        pipe = r.pipeline(transaction=False)
        for u in urls:
            pipe.hgetall(self.keys.feed(u))
        raws = self._call(pipe.execute)
        return [FeedState.decode(u, raw) for u, raw in zip(urls, raws, strict=True)]

    async def aload_many(self, urls: Sequence[str]) -> dict[str, FeedState]:
        """The stored state of many feeds in one round trip (those with none are left out)."""
        try:
            async with self.store.aio().pipeline(transaction=False) as pipe:
                for u in urls:
                    pipe.hgetall(self.keys.feed(u))
                raws = await pipe.execute()
        except redis.RedisError as exc:
            raise StoreError(f"cannot read feed states: {exc}") from exc
        return {u: FeedState.decode(u, raw) for u, raw in zip(urls, raws, strict=True) if raw}

    # -- seen entries ------------------------------------------------------------------
    def filter_new(self, items: Sequence[FeedItem]) -> list[FeedItem]:
        """Mark items as seen; return those new or changed since last seen.

        Per entry, ``SET key content-hash GET EX ttl``: atomic, refreshes the TTL of entries
        a feed still lists, and tells new (no old value) from updated (old hash differs)
        from already seen. All of a feed's entries go in one script call (one command to
        encode and one reply to parse instead of one per entry).
        """
        if not items:
            return []
        keys, hashes = self._marks(items)
        flags = self._call(self.store.redis.eval, _MARK_SEEN, len(keys), *keys, self.ttl_s, *hashes)
        return [it for it, fresh in zip(items, flags, strict=True) if fresh]

    async def afilter_new(self, items: Sequence[FeedItem]) -> list[FeedItem]:
        """The entries not seen yet, or changed since (read only: nothing is marked; the
        poller marks them with ``amark_seen`` once they are handed on, so a process killed
        in between offers them again instead of losing them)."""
        if not items:
            return []
        keys, hashes = self._marks(items)

        def queue(pipe: Pipeline) -> None:
            pipe.mget(keys)

        replies = await self._one(queue, "cannot read seen entries")
        seen = [v.decode() if isinstance(v, bytes) else v for v in replies[0]]
        return [it for it, h, old in zip(items, hashes, seen, strict=True) if old != h]

    async def amark_seen(self, items: Sequence[FeedItem]) -> None:
        """Remember the entries as seen (their content hash, with a TTL refreshed on each
        sight): after they were handed on, or when they were not new."""
        if not items:
            return
        keys, hashes = self._marks(items)
        if self._script is None:
            self._script = self.store.aio().register_script(_MARK_SEEN)
        script = self._script

        def queue(pipe: Pipeline) -> None:
            pipe.scripts.add(script)  # type: ignore[arg-type]  # loaded first if Redis lost it
            pipe.evalsha(script.sha, len(keys), *keys, str(self.ttl_s), *hashes)

        await self._one(queue, "cannot mark entries seen")

    async def _one(self, queue: Callable[[Pipeline], None], what: str) -> list[Any]:
        """One command group-committed with the concurrent polls', its error raised."""
        try:
            replies = await self._batch.run(queue, count=1)
        except redis.RedisError as exc:
            raise StoreError(f"{what}: {exc}") from exc
        _raise_first(replies, what)
        return list(replies)

    async def aclose(self) -> None:
        """Wait for the writes queued by polls (a poll abandoned at shutdown may have left
        its own in flight)."""
        await self._batch.aclose()

    def _marks(self, items: Sequence[FeedItem]) -> tuple[list[str], list[str]]:
        return [self.keys.entry(entry_identity(it)) for it in items], [
            content_hash(it) for it in items
        ]

    # -- imported feeds -------------------------------------------------------------------
    def import_feeds(self, feeds: Sequence[FeedSettings]) -> int:
        """Add feeds (from OPML); returns how many were not there yet."""
        if not feeds:
            return 0
        key = self.keys.feeds_imported()
        pipe = self.store.redis.pipeline(transaction=True)
        for f in feeds:
            pipe.hsetnx(key, f.url, json.dumps(f.model_dump(mode="json", exclude_none=True)))
        return sum(1 for added in self._call(pipe.execute) if added)

    def imported(self) -> list[FeedSettings]:
        raw = self._call(self.store.redis.hgetall, self.keys.feeds_imported())
        try:
            return [FeedSettings.model_validate_json(v) for _, v in sorted(raw.items())]
        except ValueError as exc:
            raise StoreError(f"corrupt imported feed list: {exc}") from exc

    @staticmethod
    def _call(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except redis.RedisError as exc:
            raise StoreError(f"Redis error: {exc}") from exc


def _raise_first(replies: Sequence[Any], what: str) -> None:
    for r in replies:
        if isinstance(r, redis.RedisError):
            raise StoreError(f"{what}: {r}") from r
