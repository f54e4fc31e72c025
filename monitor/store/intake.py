"""The intake stream: new feed items waiting for a pipeline worker.

    P:intake        stream  one entry per new feed item (:class:`IntakeEntry`); read by the
                            consumer group ``pipeline`` (every ``monitor worker``, and the
                            one inside ``monitor run``); an entry is acknowledged *and
                            deleted* once its alerts are in the outbox, so the stream's
                            length is the backlog (unread + pending), read with one XLEN
    P:intake:dead   stream  entries delivered ``max_deliveries`` times without success
                            (poison items), with the last error; kept for an operator

Life of an item::

    publish   Lua: refused when XLEN + n > max_len (backpressure: the poller offers the
              entries again at its next poll), else XADD ... MAXLEN ~ max_len each;
              a poll's hand-over (``publish_new``) also marks the entries seen in the same
              step and skips those marked already, so two polls of one feed (a poll
              worker died after the hand-over, before its ack) add each entry once
    worker    XREADGROUP pipeline <consumer> COUNT batch ">"  -> pipeline -> outbox
              -> XACK + XDEL (one MULTI)
    failure   the entries stay pending for their consumer, which reads them again
              (XREADGROUP ... 0) after a backoff; each read counts one delivery
    crash     entries idle longer than claim_idle_s are taken by another consumer
              (XAUTOCLAIM, one delivery more); past max_deliveries: the dead-letter stream
    Redis back empty: no group (NOGROUP): made again from the start of the stream

The group is read from id 0, never ``$``: entries added while no group existed (Redis came
back empty, the first poll before the first worker) are for the pipeline too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis

from monitor.errors import StoreError
from monitor.feeds import content_hash, entry_identity
from monitor.store import Store
from monitor.store.groups import GroupConsumer, GroupStream, entry_key, read_group, text
from monitor.store.outbox import SinkQueue
from monitor.types import FeedItem

# The one consumer group of the intake stream.
PIPELINE_GROUP = "pipeline"
# Version of the entry layout (``v`` field).
ENTRY_VERSION = "1"

# KEYS: 1 intake stream; ARGV: 1 max_len, 2 entry version, then one item JSON per entry.
# Refuses the whole hand-over (returns -1) rather than trimming entries nobody processed.
_PUBLISH = """
local max = tonumber(ARGV[1])
local n = #ARGV - 2
if redis.call('XLEN', KEYS[1]) + n > max then return -1 end
for i = 3, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', max, '*', 'v', ARGV[2], 'item', ARGV[i])
end
return n
"""

# KEYS: 1 intake stream, then one seen-entry key (P:entry:<hash>) per item; ARGV: 1 max_len,
# 2 entry version, 3 seen TTL s, then (content hash, item JSON) per item. All or none as
# _PUBLISH; an item whose seen mark holds its content hash already is skipped, the others
# added and marked seen in the same step. Returns how many were added.
_PUBLISH_NEW = """
local max = tonumber(ARGV[1])
local n = #KEYS - 1
if redis.call('XLEN', KEYS[1]) + n > max then return -1 end
local added = 0
for i = 1, n do
  local h = ARGV[2 + 2 * i]
  if redis.call('GET', KEYS[i + 1]) ~= h then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', max, '*', 'v', ARGV[2], 'item', ARGV[3 + 2 * i])
    redis.call('SET', KEYS[i + 1], h, 'EX', ARGV[3])
    added = added + 1
  end
end
return added
"""


class IntakeFull(StoreError):
    """The intake stream holds ``max_len`` entries: the hand-over is refused (the poller
    offers the entries again at its next poll)."""


@dataclass(frozen=True, slots=True)
class IntakeEntry:
    """One entry of the intake stream: a feed item, as a worker reads it.

    ``item`` is None when the entry cannot be used (its data trimmed away, or it does
    not decode): ``problem`` says why, and the worker dead-letters it."""

    entry_id: str
    item: FeedItem | None
    deliveries: int = 1  # how many times the group handed it out (XPENDING), this one included
    problem: str = ""

    @staticmethod
    def encode(item: FeedItem) -> dict[str, str]:
        """The stream fields of a new entry for ``item``."""
        return {"v": ENTRY_VERSION, "item": json.dumps(item.to_dict(), ensure_ascii=False)}

    @classmethod
    def decode(cls, entry_id: bytes | str, raw: Mapping[Any, Any] | None) -> IntakeEntry:
        fields = {text(k): text(v) for k, v in (raw or {}).items()}
        eid = text(entry_id)
        if not fields:
            return cls(eid, None, problem="entry data gone (trimmed)")
        if fields.get("v") != ENTRY_VERSION:
            return cls(eid, None, problem=f"unknown entry version {fields.get('v')!r}")
        try:
            item = FeedItem.from_dict(json.loads(fields["item"]))
        except (KeyError, ValueError, TypeError) as exc:
            return cls(eid, None, problem=f"undecodable item: {exc!r}")
        return cls(eid, item)

    def with_deliveries(self, n: int) -> IntakeEntry:
        return IntakeEntry(self.entry_id, self.item, n, self.problem)


class IntakeStore(GroupStream):
    """The intake stream, async side: the poller's hand-over and the pipeline workers."""

    def __init__(self, store: Store, *, max_len: int) -> None:
        super().__init__(store.aio(), store.keys.intake(), PIPELINE_GROUP, "intake stream")
        self.keys = store.keys
        self.dead = store.keys.intake_dead()
        self.max_len = max_len
        self._publish = self.r.register_script(_PUBLISH)
        self._publish_new = self.r.register_script(_PUBLISH_NEW)

    async def publish(self, items: Sequence[FeedItem]) -> int:
        """Add ``items`` (one entry each), all or none; raises :class:`IntakeFull`."""
        if not items:
            return 0
        args: list[str | int] = [self.max_len, ENTRY_VERSION]
        args += [IntakeEntry.encode(it)["item"] for it in items]
        try:
            n = int(await self._publish(keys=[self.stream], args=args))
        except redis.RedisError as exc:
            raise self._error("add items", exc) from exc
        return self._added(n, items)

    def _added(self, n: int, items: Sequence[FeedItem]) -> int:
        if n < 0:
            raise IntakeFull(
                f"intake stream {self.stream} holds {self.max_len} entries or more "
                f"([pipeline] stream_max_len): {len(items)} item(s) refused"
            )
        return n

    async def publish_new(self, items: Sequence[FeedItem], *, seen_ttl_s: int) -> int:
        """A poll's hand-over: ``items`` added (all or none, :class:`IntakeFull`) and marked
        seen (``P:entry:<hash>``, ``seen_ttl_s``) in one step, skipping those seen with the
        same content already; returns how many were added."""
        if not items:
            return 0
        keys = [self.stream, *(self.keys.entry(entry_identity(it)) for it in items)]
        args: list[str | int] = [self.max_len, ENTRY_VERSION, seen_ttl_s]
        for it in items:
            args += [content_hash(it), IntakeEntry.encode(it)["item"]]
        try:
            n = int(await self._publish_new(keys=keys, args=args))
        except redis.RedisError as exc:
            raise self._error("add items", exc) from exc
        return self._added(n, items)

    async def read_new(
        self, consumer: str, *, count: int, block_ms: int | None
    ) -> list[IntakeEntry]:
        """Up to ``count`` entries no consumer read yet (waits ``block_ms`` for one)."""
        res = await self.r.xreadgroup(
            PIPELINE_GROUP, consumer, {self.stream: ">"}, count=count, block=block_ms
        )
        return [IntakeEntry.decode(i, f) for _, rows in res or [] for i, f in rows]

    async def read_mine(self, consumer: str, *, count: int) -> list[IntakeEntry]:
        """The oldest ``count`` entries pending for ``consumer`` (a failed batch's), with
        their delivery counts (this read counts one more)."""
        res = await self.r.xreadgroup(PIPELINE_GROUP, consumer, {self.stream: "0"}, count=count)
        entries = [IntakeEntry.decode(i, f) for _, rows in res or [] for i, f in rows]
        return await self._with_deliveries(entries)

    async def _with_deliveries(self, entries: list[IntakeEntry]) -> list[IntakeEntry]:
        if not entries:
            return entries
        rows = await self.r.xpending_range(
            self.stream, PIPELINE_GROUP, min=entries[0].entry_id, max=entries[-1].entry_id,
            count=len(entries) + 100,
        )
        counts = {text(r["message_id"]): int(r["times_delivered"]) for r in rows}
        return [e.with_deliveries(counts.get(e.entry_id, e.deliveries)) for e in entries]

    async def autoclaim(self, consumer: str, *, min_idle_ms: int, count: int) -> list[IntakeEntry]:
        """Take over up to ``count`` entries idle for ``min_idle_ms`` (their consumer died
        or hangs), with their delivery counts (the claim counts one more)."""
        res = await self.r.xautoclaim(
            self.stream, PIPELINE_GROUP, consumer, min_idle_ms, start_id="0-0", count=count
        )
        rows = res[1] if len(res) > 1 else []
        entries = sorted(
            (IntakeEntry.decode(i, f) for i, f in rows), key=lambda e: entry_key(e.entry_id)
        )
        return await self._with_deliveries(entries)

    async def done(self, entry_ids: Iterable[str]) -> None:
        """The entries' alerts are in the outbox: acknowledged and deleted (one MULTI)."""
        ids = list(entry_ids)
        if not ids:
            return
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, PIPELINE_GROUP, *ids)
            pipe.xdel(self.stream, *ids)
            await pipe.execute()

    async def dead_letter(self, entry: IntakeEntry, error: str) -> None:
        """Move a poison entry to the dead letters (with why), acknowledged and deleted."""
        fields = {
            "entry": entry.entry_id,
            "deliveries": str(entry.deliveries),
            "error": error[:500],
            "item": IntakeEntry.encode(entry.item)["item"] if entry.item else "",
        }
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.xadd(self.dead, fields, maxlen=self.max_len, approximate=True)
            pipe.xack(self.stream, PIPELINE_GROUP, entry.entry_id)
            pipe.xdel(self.stream, entry.entry_id)
            await pipe.execute()

    async def migrate_checkpoint(self) -> int:
        """Items an older version left in its checkpoint hash (``P:intake:pending``),
        moved into the stream (unbounded: they were taken already); returns how many."""
        old = self.keys.intake_pending()
        raw = await self.r.hvals(old)
        if not raw:
            return 0
        items = sorted((FeedItem.from_dict(json.loads(v)) for v in raw), key=lambda it: it.id)
        async with self.r.pipeline(transaction=True) as pipe:
            for it in items:
                pipe.xadd(self.stream, IntakeEntry.encode(it))  # type: ignore[arg-type]
            pipe.delete(old)
            await pipe.execute()
        return len(items)

    async def items(self) -> list[FeedItem]:
        """Every item not done yet, oldest first (tests, the burst drain)."""
        rows = await self.r.xrange(self.stream)
        return [e.item for i, f in rows if (e := IntakeEntry.decode(i, f)).item is not None]

    async def dead_count(self) -> int:
        return int(await self.r.xlen(self.dead))


# Reset the idle time of entries still held by ARGV[2] (a live worker's batch in flight), so
# that nobody takes them over; an entry another consumer took meanwhile is left alone. No
# delivery is counted (JUSTID). KEYS: 1 stream; ARGV: 1 group, 2 consumer, 3.. entry ids
_TOUCH = """
local n = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #p > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    n = n + 1
  end
end
return n
"""


@dataclass(frozen=True, slots=True)
class Blocker:
    """The oldest entry not done, older than a batch about to be decided: who holds it
    (None: nobody read it yet) and for how long it has been idle."""

    entry_id: str
    consumer: str | None
    idle_ms: int


class IntakeOrder:
    """Sync side, for the pipeline thread: is it this batch's turn to be decided?

    Decisions follow the stream's order (the order the polls added the items): a batch
    is decided once no older entry is left in the stream (entries are deleted once done).
    Its NLP runs before, in parallel with the other workers'."""

    def __init__(self, store: Store) -> None:
        self.r: Any = store.redis
        self.stream = store.keys.intake()
        self._touch = self.r.register_script(_TOUCH)

    def blocker(self, first_id: str) -> Blocker | None:
        """The oldest entry older than ``first_id`` still in the stream, or None."""
        try:
            rows = self.r.xrange(self.stream, count=1)
            if not rows or entry_key(text(rows[0][0])) >= entry_key(first_id):
                return None
            oldest = text(rows[0][0])
            held = self.r.xpending_range(self.stream, PIPELINE_GROUP, oldest, oldest, 1)
        except redis.RedisError as exc:
            raise StoreError(f"intake stream {self.stream}: cannot read its order: {exc}") from exc
        if not held:
            return Blocker(oldest, None, 0)
        return Blocker(oldest, text(held[0]["consumer"]), int(held[0]["time_since_delivered"]))

    def touch(self, consumer: str, entry_ids: Sequence[str]) -> int:
        """Keep ``consumer``'s entries from looking abandoned (idle reset); returns how many
        it still held."""
        if not entry_ids:
            return 0
        try:
            return int(self._touch(keys=[self.stream], args=[PIPELINE_GROUP, consumer, *entry_ids]))
        except redis.RedisError as exc:
            raise StoreError(f"intake stream {self.stream}: cannot touch entries: {exc}") from exc


@dataclass(frozen=True, slots=True)
class IntakeQueue:
    """Where the intake stands, for ``monitor status``: the ``pipeline`` group as a
    :class:`SinkQueue` view (pending, unread, consumers, oldest waiting), each consumer,
    and the dead letters."""

    group: SinkQueue
    consumers: tuple[GroupConsumer, ...] = ()
    dead: int = 0

    def to_dict(self, now_ms: int) -> dict[str, Any]:
        q = self.group
        return {"group": q.sink, "pending": q.pending, "unread": q.unread,
                "lag_s": round(q.lag_s(now_ms), 1), "dead": self.dead,
                "consumers": [c.to_dict() for c in self.consumers]}


def read_intake_queue(store: Store) -> IntakeQueue:
    """The intake's consumer group, with the sync client (``monitor status``)."""
    r: Any = store.redis
    group, consumers = read_group(r, store.keys.intake(), PIPELINE_GROUP, "intake stream")
    try:
        dead = int(r.xlen(store.keys.intake_dead()))
    except redis.RedisError as exc:
        raise StoreError(f"cannot read the intake's dead letters: {exc}") from exc
    return IntakeQueue(group, consumers, dead)


__all__ = [
    "PIPELINE_GROUP",
    "Blocker",
    "IntakeEntry",
    "IntakeFull",
    "IntakeOrder",
    "IntakeQueue",
    "IntakeStore",
    "read_intake_queue",
]
