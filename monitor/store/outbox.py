"""The alert outbox in Redis: one stream, one consumer group per sink, a dead-letter stream.

Life of an alert (keys in ``keys.py``)::

    enqueue  --SET NX alert id--> XADD P:alerts:outbox          (one Lua script: atomic)
    sink worker  XREADGROUP group=<sink>  -> deliver -> 2xx -> XACK
                                                     -> retry state in P:alerts:retry:<sink>
                                                     -> past the horizon: XADD P:alerts:dead + XACK
    crash: entries stay pending in the group; another consumer takes them over (XAUTOCLAIM)
    Redis back empty: no stream, no groups; the enqueue script and the workers (NOGROUP)
           make the groups again from the start of the stream, never ``$``
    delivered marker: P:alerts:sent:<sink>:<h>, set with the XACK, checked before a send

Grouping: the first alert on a new development opens a window (``P:alerts:group:<h>``);
later alerts on it only add their source there. When the window closes one
``alert.sources_added`` entry is added to the outbox, if there were other sources.

Sync methods (:class:`OutboxStore`) serve the pipeline thread and the CLI; the async ones
(:class:`AsyncOutboxStore`) serve the delivery workers in the daemon's loop.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import redis

from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.keys import Keys

EnqueueStatus = Literal["enqueued", "grouped", "duplicate", "stale"]

# KEYS: 1 alert id key, 2 outbox, 3 group, 4 group sources, 5 groups zset
# ARGV: 1 now ms, 2 id ttl s, 3 window ms, 4 grouping 1/0, 5 source fingerprint,
#       6 source JSON, 7 alert id, 8 alert JSON, 9 number of sinks n, 10..9+n the sinks,
#       then the stream entry fields
# No outbox stream means Redis lost its data (or none was ever queued): the sinks' groups
# are made, from the start, before the first XADD, so no sink misses the entry.
_ENQUEUE = """
local now = tonumber(ARGV[1])
local nsinks = tonumber(ARGV[9])
local grouping = ARGV[4] == '1'
if grouping then
  local closes = redis.call('HGET', KEYS[3], 'closes_at')
  if closes then
    if tonumber(closes) <= now then return {'stale', ''} end
    redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2])
    local src = cjson.decode(ARGV[6])
    src['n'] = redis.call('HLEN', KEYS[4])
    if redis.call('HSETNX', KEYS[4], ARGV[5], cjson.encode(src)) == 1 then
      return {'grouped', redis.call('HGET', KEYS[3], 'alert_id')}
    end
    return {'duplicate', ''}
  end
end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then return {'duplicate', ''} end
local fields = {}
for i = 10 + nsinks, #ARGV do fields[#fields + 1] = ARGV[i] end
if redis.call('EXISTS', KEYS[2]) == 0 then
  for i = 10, 9 + nsinks do
    redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[i], '0', 'MKSTREAM')
  end
end
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
if grouping then
  local closes = now + tonumber(ARGV[3])
  redis.call('DEL', KEYS[3], KEYS[4])
  redis.call('HSET', KEYS[3], 'closes_at', closes, 'alert_id', ARGV[7], 'alert', ARGV[8],
             'first_source', ARGV[5])
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
  -- Safety net only: windows are closed by the flush below, on the caller's clock.
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[3]) + 86400000)
  redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[3]) + 86400000)
  redis.call('ZADD', KEYS[5], closes, KEYS[3])
end
return {'enqueued', id}
"""

# KEYS: 1 groups zset, 2 group, 3 group sources, 4 outbox; ARGV: 1 now ms
_FLUSH_GROUP = """
local score = redis.call('ZSCORE', KEYS[1], KEYS[2])
if not score or tonumber(score) > tonumber(ARGV[1]) then return false end
redis.call('ZREM', KEYS[1], KEYS[2])
local first = redis.call('HGET', KEYS[2], 'first_source')
local alert_id = redis.call('HGET', KEYS[2], 'alert_id')
local alert = redis.call('HGET', KEYS[2], 'alert')
local all = redis.call('HGETALL', KEYS[3])
redis.call('DEL', KEYS[2], KEYS[3])
local others = {}
for i = 1, #all, 2 do
  if all[i] ~= first then others[#others + 1] = all[i + 1] end
end
if #others == 0 or not alert then return false end
return redis.call('XADD', KEYS[4], '*', 'v', '1', 'type', 'alert.sources_added',
                  'id', alert_id .. '.more', 'alert', alert,
                  'sources', '[' .. table.concat(others, ',') .. ']')
"""

# Another report of a development already alerted: counted on its alert while the alert's
# grouping window is open (nothing otherwise). Returns the alert id it was counted on.
# KEYS: 1 group, 2 group sources; ARGV: 1 now ms, 2 source fingerprint, 3 source JSON
_COUNT_SOURCE = """
local closes = redis.call('HGET', KEYS[1], 'closes_at')
if not closes or tonumber(closes) <= tonumber(ARGV[1]) then return false end
local src = cjson.decode(ARGV[3])
src['n'] = redis.call('HLEN', KEYS[2])
if redis.call('HSETNX', KEYS[2], ARGV[2], cjson.encode(src)) == 1 then
  return redis.call('HGET', KEYS[1], 'alert_id')
end
return false
"""

# Take ownership of an entry (reset its idle time) only if it is still ours, so that an
# entry another consumer took over in the meantime is never sent by both.
# KEYS: 1 outbox; ARGV: 1 group, 2 consumer, 3 entry id
_CLAIM_MINE = """
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
"""


def _s(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def now_ms() -> int:
    return int(time.time() * 1000)


def _id_ms(entry_id: str) -> int:
    return int(entry_id.partition("-")[0])


def _next_id(entry_id: str) -> str:
    ms, _, seq = entry_id.partition("-")
    return f"{ms}-{int(seq or 0) + 1}"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One entry of the outbox stream as a consumer reads it."""

    entry_id: str
    fields: dict[str, str]

    @classmethod
    def from_redis(cls, entry_id: bytes | str, raw: Mapping[Any, Any] | None) -> OutboxEntry:
        def s(v: Any) -> str:
            return v.decode("utf-8") if isinstance(v, bytes) else str(v)

        return cls(s(entry_id), {s(k): s(v) for k, v in (raw or {}).items()})

    @property
    def deleted(self) -> bool:
        """The entry id is still pending but its data was trimmed away."""
        return not self.fields

    @property
    def only(self) -> str | None:
        """Set on entries re-sent from the dead letters: the one sink they are for."""
        return self.fields.get("only") or None

    @property
    def message_id(self) -> str:
        return self.fields.get("id", "")

    @property
    def enqueued_ms(self) -> int:
        return int(self.entry_id.split("-", 1)[0])


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    status: EnqueueStatus
    entry_id: str | None = None  # enqueued: the stream entry id
    first_alert_id: str | None = None  # grouped: the alert it was counted on


@dataclass(frozen=True, slots=True)
class RetryState:
    """Delivery attempts of one entry to one sink."""

    attempts: int
    next_at_ms: int
    error: str = ""

    def encode(self) -> str:
        return json.dumps({"a": self.attempts, "t": self.next_at_ms, "e": self.error})

    @classmethod
    def decode(cls, raw: bytes | str) -> RetryState:
        d = json.loads(raw)
        return cls(int(d["a"]), int(d["t"]), str(d.get("e") or ""))


@dataclass(frozen=True, slots=True)
class DeadLetter:
    dead_id: str
    sink: str
    entry_id: str
    attempts: int
    error: str
    failed_at_ms: int
    entry: OutboxEntry  # the original outbox entry (its fields), to be sent again

    @classmethod
    def from_redis(cls, dead_id: bytes | str, raw: dict[Any, Any]) -> DeadLetter:
        f = {_s(k): _s(v) for k, v in raw.items()}
        meta = {k: f.pop(k, "") for k in ("sink", "entry", "attempts", "error", "failed_at")}
        return cls(
            dead_id=_s(dead_id),
            sink=meta["sink"],
            entry_id=meta["entry"],
            attempts=int(meta["attempts"] or 0),
            error=meta["error"],
            failed_at_ms=int(meta["failed_at"] or 0),
            entry=OutboxEntry(meta["entry"] or _s(dead_id), f),
        )


@dataclass(frozen=True, slots=True)
class SinkQueue:
    """Where one sink's consumer group stands."""

    sink: str
    pending: int  # read by a consumer, not acknowledged yet (in flight or waiting to retry)
    unread: int  # not read by any consumer of the group yet
    consumers: int = 0  # delivery workers the group has seen (one per daemon run or burst)
    oldest_ms: int | None = None  # when its oldest undelivered entry was queued (epoch ms)

    @property
    def depth(self) -> int:
        return self.pending + self.unread

    def lag_s(self, now_ms: int) -> float:
        """How long its oldest undelivered alert has waited (0 when none waits)."""
        return max(0.0, (now_ms - self.oldest_ms) / 1000) if self.oldest_ms else 0.0


class _Base:
    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self.stream = keys.outbox()

    def group_keys(self, group: str) -> tuple[str, str]:
        return self.keys.alert_group(group), self.keys.alert_group_sources(group)


class OutboxStore(_Base):
    """Sync side: enqueue, close grouping windows, dead letters, queue depth."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.keys)
        # redis-py annotates replies as "value | Awaitable"; we know which client this is.
        self.r: Any = store.redis
        self._enqueue = self.r.register_script(_ENQUEUE)
        self._flush = self.r.register_script(_FLUSH_GROUP)
        self._count_source = self.r.register_script(_COUNT_SOURCE)

    def ensure_groups(self, sinks: Iterable[str]) -> list[str]:
        """Create the consumer groups missing among ``sinks`` (see :func:`_create_group`);
        returns the sinks whose group was made."""
        try:
            return [sink for sink in sinks if _create_group(self.r, self.stream, sink)]
        except redis.RedisError as exc:
            raise StoreError(f"cannot create outbox consumer groups: {exc}") from exc

    def enqueue(
        self,
        *,
        alert_id: str,
        alert_json: str,
        fields: dict[str, str],
        group: str | None,
        source_fingerprint: str,
        source_json: str,
        now_ms: int,
        window_ms: int,
        id_ttl_s: int,
        sinks: Sequence[str] = (),
    ) -> EnqueueResult:
        args: list[str | int] = [
            now_ms,
            id_ttl_s,
            window_ms,
            "1" if group else "0",
            source_fingerprint,
            source_json,
            alert_id,
            alert_json,
            len(sinks),
            *sinks,
        ]
        for k, v in fields.items():
            args += [k, v]
        gkey, gsrc = self.group_keys(group or "-")
        keys = [self.keys.alert_id(alert_id), self.stream, gkey, gsrc, self.keys.alert_groups()]
        try:
            status, value = self._enqueue(keys=keys, args=args)
            if _s(status) == "stale" and group:
                self.flush_group(group, now_ms=now_ms)
                status, value = self._enqueue(keys=keys, args=args)
        except redis.RedisError as exc:
            raise StoreError(f"cannot enqueue alert {alert_id}: {exc}") from exc
        st: EnqueueStatus = _s(status)  # type: ignore[assignment]
        if st == "enqueued":
            return EnqueueResult(st, entry_id=_s(value))
        if st == "grouped":
            return EnqueueResult(st, first_alert_id=_s(value))
        return EnqueueResult(st)

    def count_source(
        self, group: str, *, source_fingerprint: str, source_json: str, now_ms: int
    ) -> str | None:
        """Count a source on the alert whose grouping window ``group`` is open; returns that
        alert's id, or None (no open window, or this source was counted already)."""
        gkey, gsrc = self.group_keys(group)
        try:
            res = self._count_source(
                keys=[gkey, gsrc], args=[now_ms, source_fingerprint, source_json]
            )
        except redis.RedisError as exc:
            raise StoreError(f"cannot count a source on an alert: {exc}") from exc
        return _s(res) if res else None

    def flush_group(self, group: str, *, now_ms: int) -> str | None:
        gkey, gsrc = self.group_keys(group)
        return self._flush_key(gkey, gsrc, now_ms)

    def _flush_key(self, gkey: str, gsrc: str, now_ms: int) -> str | None:
        res = self._flush(keys=[self.keys.alert_groups(), gkey, gsrc, self.stream], args=[now_ms])
        return _s(res) if res else None

    def flush_due_groups(self, *, now_ms: int) -> list[str]:
        """Close every grouping window that has ended; returns follow-up entry ids added."""
        try:
            due = self.r.zrangebyscore(self.keys.alert_groups(), "-inf", now_ms)
            added = [self._flush_key(_s(k), f"{_s(k)}:src", now_ms) for k in due]
        except redis.RedisError as exc:
            raise StoreError(f"cannot close alert grouping windows: {exc}") from exc
        return [a for a in added if a]

    # -- dead letters -------------------------------------------------------
    def recent(self, *, since_ms: int = 0, count: int = 100) -> list[OutboxEntry]:
        """The newest ``count`` entries of the outbox queued at or after ``since_ms``,
        oldest first (the stream keeps what its length cap allows)."""
        try:
            rows = self.r.xrevrange(self.stream, max="+", min=f"{since_ms}-0", count=count)
        except redis.RedisError as exc:
            raise StoreError(f"cannot read the outbox: {exc}") from exc
        return [OutboxEntry.from_redis(i, f) for i, f in reversed(rows)]

    def dead_letters(self, *, count: int = 1000) -> list[DeadLetter]:
        try:
            rows = self.r.xrange(self.keys.dead_letters(), count=count)
        except redis.RedisError as exc:
            raise StoreError(f"cannot read dead letters: {exc}") from exc
        return [DeadLetter.from_redis(i, f) for i, f in rows]

    def resend_dead(self, letters: Sequence[DeadLetter]) -> list[str]:
        """Put dead letters back in the outbox for their sink only; returns new entry ids."""
        if not letters:
            return []
        pipe = self.r.pipeline(transaction=True)
        for d in letters:
            fields = {k: v for k, v in d.entry.fields.items() if k != "only"}
            fields["only"] = d.sink
            pipe.xadd(self.stream, fields)  # type: ignore[arg-type]
            pipe.xdel(self.keys.dead_letters(), d.dead_id)
        try:
            res = pipe.execute()
        except redis.RedisError as exc:
            raise StoreError(f"cannot re-send dead letters: {exc}") from exc
        return [_s(x) for x in res[::2]]

    # -- depth --------------------------------------------------------------
    def queues(self, sinks: Iterable[str]) -> list[SinkQueue]:
        try:
            return [_queue(self.r, self.stream, s) for s in sinks]
        except redis.RedisError as exc:
            raise StoreError(f"cannot read the outbox: {exc}") from exc

    def oldest_undelivered_ms(self, sinks: Iterable[str]) -> int | None:
        """When the oldest message not yet delivered to one of ``sinks`` was queued (ms
        since the epoch, from its stream id), None when every sink is up to date."""
        try:
            groups = _groups(self.r, self.stream)
            oldest = [_oldest_ms(self.r, self.stream, s, groups[s]) for s in sinks if s in groups]
        except redis.RedisError as exc:
            raise StoreError(f"cannot read the outbox: {exc}") from exc
        return min((ms for ms in oldest if ms is not None), default=None)

    def dead_count(self) -> int:
        return int(self.r.xlen(self.keys.dead_letters()))


def _create_group(r: Any, stream: str, group: str) -> bool:
    """Create ``group`` reading the stream from its start (id 0), if it does not exist;
    returns whether it was made.

    From the start, never ``$``: a group is missing when Redis lost its data (or no sink
    ever read the stream), and every entry still in the stream was queued since, for
    nobody yet; ``$`` would skip them. A group that exists is left as it is (BUSYGROUP),
    so what a sink acknowledged is never read again; should a group vanish beside a stream
    that kept entries it had acknowledged, the sink's delivered markers (set by
    :meth:`AsyncOutboxStore.ack`, read by :meth:`AsyncOutboxStore.delivered`) keep them
    from being sent twice. A sink added to the config starts with what the stream still
    holds: what another sink has not delivered yet (the stream is trimmed to that)."""
    try:
        r.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
        return False
    return True


def is_nogroup(exc: BaseException) -> bool:
    """Redis says the stream or the consumer group is missing (it lost its data)."""
    return isinstance(exc, redis.ResponseError) and "NOGROUP" in str(exc)


def _groups(r: Any, stream: str) -> dict[str, dict[str, Any]]:
    try:
        info = r.xinfo_groups(stream)
    except redis.ResponseError:  # no such key yet
        return {}
    return {_s(g["name"]): g for g in info}


def _queue(r: Any, stream: str, sink: str) -> SinkQueue:
    g = _groups(r, stream).get(sink)
    if g is None:
        return SinkQueue(sink, 0, 0)
    last = _s(g["last-delivered-id"])
    unread = len(r.xrange(stream, min=_next_id(last), max="+"))
    return SinkQueue(sink, int(g["pending"]), unread, consumers=int(g["consumers"]),
                     oldest_ms=_oldest_ms(r, stream, sink, g))


def _oldest_ms(r: Any, stream: str, sink: str, g: Mapping[str, Any]) -> int | None:
    """When the oldest entry ``sink``'s group ``g`` has not delivered was queued (ms since
    the epoch, from its stream id): its oldest pending entry or its first unread one."""
    oldest: list[int] = []
    if int(g["pending"]):
        oldest.append(_id_ms(_s(r.xpending(stream, sink)["min"])))
    unread = r.xrange(stream, min=_next_id(_s(g["last-delivered-id"])), max="+", count=1)
    if unread:
        oldest.append(_id_ms(_s(unread[0][0])))
    return min(oldest) if oldest else None


class AsyncOutboxStore(_Base):
    """Async side, for the delivery workers (one consumer group per sink)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.keys)
        self.r: Any = store.aio()
        self._flush = self.r.register_script(_FLUSH_GROUP)
        self._claim_mine = self.r.register_script(_CLAIM_MINE)

    async def ensure_groups(self, sinks: Iterable[str]) -> list[str]:
        """Create the consumer groups missing among ``sinks``, from the start of the
        stream (see :func:`_create_group`); returns the sinks whose group was made."""
        made = []
        for sink in sinks:
            try:
                await self.r.xgroup_create(self.stream, sink, id="0", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
            else:
                made.append(sink)
        return made

    async def delivered(self, sink: str, message_id: str) -> bool:
        """Whether ``sink`` already took the message ``message_id`` (a 2xx)."""
        return bool(await self.r.exists(self.keys.alert_delivered(sink, message_id)))

    async def read_new(
        self, sink: str, consumer: str, *, count: int, block_ms: int | None
    ) -> list[OutboxEntry]:
        res = await self.r.xreadgroup(
            sink, consumer, {self.stream: ">"}, count=count, block=block_ms
        )
        return [OutboxEntry.from_redis(i, f) for _, entries in res or [] for i, f in entries]

    async def read_mine(self, sink: str, consumer: str, *, page: int = 100) -> list[OutboxEntry]:
        """Every entry pending for this consumer, with its data, oldest first."""
        out: list[OutboxEntry] = []
        start = "0"
        while True:
            res = await self.r.xreadgroup(sink, consumer, {self.stream: start}, count=page)
            batch = [OutboxEntry.from_redis(i, f) for _, entries in res or [] for i, f in entries]
            out += batch
            if len(batch) < page:
                return out
            start = batch[-1].entry_id

    async def autoclaim(self, sink: str, consumer: str, *, min_idle_ms: int) -> int:
        """Take over entries another (dead) consumer left pending; returns how many."""
        claimed, start = 0, "0-0"
        for _ in range(100):
            res = await self.r.xautoclaim(
                self.stream, sink, consumer, min_idle_ms, start_id=start, count=100, justid=True
            )
            # redis-py returns only the ids with justid; the cursor is then lost, so page
            # by the last id seen.
            ids = [_s(x) for x in res]
            claimed += len(ids)
            if len(ids) < 100:
                break
            start = _next_id(ids[-1])
        return claimed

    async def consumers(self, sink: str) -> list[tuple[str, int]]:
        """The group's consumers with how many entries each holds pending."""
        try:
            info = await self.r.xinfo_consumers(self.stream, sink)
        except redis.ResponseError:
            return []
        return [(_s(c["name"]), int(c["pending"])) for c in info]

    async def claim_all(self, sink: str, consumer: str, *, from_consumer: str) -> int:
        """Take every entry ``from_consumer`` holds (a process known to be dead)."""
        claimed = 0
        while True:
            rows = await self.r.xpending_range(
                self.stream, sink, min="-", max="+", count=100, consumername=from_consumer
            )
            ids = [_s(r["message_id"]) for r in rows]
            if not ids:
                return claimed
            await self.r.xclaim(self.stream, sink, consumer, 0, ids, justid=True)
            claimed += len(ids)

    async def claim_mine(self, sink: str, consumer: str, entry_id: str) -> bool:
        return bool(await self._claim_mine(keys=[self.stream], args=[sink, consumer, entry_id]))

    async def retry_states(self, sink: str, entry_ids: Sequence[str]) -> dict[str, RetryState]:
        if not entry_ids:
            return {}
        raw = await self.r.hmget(self.keys.alert_retries(sink), list(entry_ids))
        return {i: RetryState.decode(v) for i, v in zip(entry_ids, raw, strict=True) if v}

    async def set_retry(self, sink: str, entry_id: str, state: RetryState) -> None:
        await self.r.hset(self.keys.alert_retries(sink), entry_id, state.encode())

    async def ack(
        self, sink: str, entry_id: str, *, delivered: str = "", delivered_ttl_s: int = 0
    ) -> None:
        """Acknowledge an entry; ``delivered``: the message id the sink took, remembered
        for ``delivered_ttl_s`` (the delivered marker, checked before every send)."""
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, sink, entry_id)
            pipe.hdel(self.keys.alert_retries(sink), entry_id)
            if delivered and delivered_ttl_s > 0:
                pipe.set(self.keys.alert_delivered(sink, delivered), "1", ex=delivered_ttl_s)
            await pipe.execute()

    async def dead_letter(self, sink: str, entry: OutboxEntry, *, attempts: int, error: str) -> str:
        fields = dict(entry.fields)
        fields.update(
            sink=sink,
            entry=entry.entry_id,
            attempts=str(attempts),
            error=error[:500],
            failed_at=str(now_ms()),
        )
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.xadd(self.keys.dead_letters(), fields)  # type: ignore[arg-type]
            pipe.xack(self.stream, sink, entry.entry_id)
            pipe.hdel(self.keys.alert_retries(sink), entry.entry_id)
            res = await pipe.execute()
        return _s(res[0])

    async def flush_due_groups(self, *, now_ms: int) -> list[str]:
        zkey = self.keys.alert_groups()
        added = []
        for k in await self.r.zrangebyscore(zkey, "-inf", now_ms):
            gkey = _s(k)
            res = await self._flush(keys=[zkey, gkey, f"{gkey}:src", self.stream], args=[now_ms])
            if res:
                added.append(_s(res))
        return added

    async def queue(self, sink: str, *, count_max: int = 10_000) -> SinkQueue:
        """Where the sink's group stands; ``unread`` is counted up to ``count_max``
        (``count_max=1`` makes it a cheap "anything left?" check)."""
        try:
            info = await self.r.xinfo_groups(self.stream)
        except redis.ResponseError:
            return SinkQueue(sink, 0, 0)
        for g in info:
            if _s(g["name"]) == sink:
                if g.get("lag") is not None:  # Redis >= 7 keeps the count for us
                    return SinkQueue(sink, int(g["pending"]), int(g["lag"]))
                last = _next_id(_s(g["last-delivered-id"]))
                unread = await self.r.xrange(self.stream, min=last, max="+", count=count_max)
                return SinkQueue(sink, int(g["pending"]), len(unread))
        return SinkQueue(sink, 0, 0)

    async def dead_count(self) -> int:
        return int(await self.r.xlen(self.keys.dead_letters()))

    async def trim(self, sinks: Sequence[str]) -> int:
        """Drop entries every configured sink is done with; returns how many were dropped."""
        try:
            info = {_s(g["name"]): g for g in await self.r.xinfo_groups(self.stream)}
        except redis.ResponseError:
            return 0
        bounds: list[tuple[int, int]] = []
        for sink in sinks:
            g = info.get(sink)
            if g is None:
                return 0  # a configured sink without its group yet: keep everything
            if int(g["pending"]):
                summary = await self.r.xpending(self.stream, sink)
                bound = _s(summary["min"])
            else:
                bound = _s(g["last-delivered-id"])
            ms, _, seq = bound.partition("-")
            bounds.append((int(ms), int(seq or 0)))
        if not bounds:
            return 0
        low_ms, low_seq = min(bounds)
        return int(
            await self.r.execute_command("XTRIM", self.stream, "MINID", f"{low_ms}-{low_seq}")
        )

    async def forget_idle_consumers(self, sink: str, *, idle_ms: int, keep: str) -> int:
        """Remove consumers (earlier runs) that hold nothing and were idle for long."""
        try:
            consumers = await self.r.xinfo_consumers(self.stream, sink)
        except redis.ResponseError:
            return 0
        gone = 0
        for c in consumers:
            name = _s(c["name"])
            if name != keep and int(c["pending"]) == 0 and int(c["idle"]) > idle_ms:
                await self.r.xgroup_delconsumer(self.stream, sink, name)
                gone += 1
        return gone
