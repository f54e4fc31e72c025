"""The due-poll stream: feeds the scheduler found due, waiting for a poll worker.

    P:polls          stream  one entry per due poll (:class:`DuePoll`: the feed's settings
                             and the scheduler lease's fencing epoch), read by the consumer
                             group ``pollers`` (the poll worker inside ``monitor run``, and
                             every ``monitor worker --poll``); deleted once polled, so the
                             stream's length is the backlog (unread + pending)
    P:polls:queued   hash    feed URL -> ``epoch:entry id`` of its due poll not polled yet

Life of a due poll::

    publish   Lua, one call per feed (the concurrent ones share one pipeline): refused when
              the epoch is not the lease's current one (``stale``: this scheduler lost the
              lease), when the feed's previous due poll of this epoch is still in the
              stream (``queued``: backpressure, the stream never holds two of one feed),
              when the feed's stored next check is still ahead (``not_due``: polled
              recently by some worker, or backing off), or when the stream holds
              ``max_len`` entries (``full``); else XADD and the feed marked queued
    worker    XREADGROUP pollers <consumer> ">" -> epoch checked -> poll (the new entries go
              to the intake stream) -> XACK + XDEL + the queued mark cleared (one Lua call)
    crash     entries idle longer than ``poll_claim_idle_s`` are taken by another worker
              (XAUTOCLAIM); a worker that finds the feed polled after the entry was
              published (its holder died after the poll, before the ack) only acknowledges

The group is read from id 0 (entries published before the first worker are for it too).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import redis
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript

from monitor.config import FeedSettings
from monitor.store import Store
from monitor.store.batch import GroupCommit
from monitor.store.groups import GroupStream, entry_key, read_group, text
from monitor.store.intake import _TOUCH, IntakeQueue

# The one consumer group of the due-poll stream.
POLLERS_GROUP = "pollers"
# Version of the entry layout (``v`` field).
ENTRY_VERSION = "1"

# Many feeds in one call (the feeds due at once). KEYS: 1 stream, 2 queued hash, 3 lease
# epoch, then each feed's state hash. ARGV: 1 epoch, 2 max_len, 3 due if next_check <= this
# (epoch s), 4 entry version, 5 the group, then (feed URL, feed JSON) per feed. A feed is
# queued while its due poll of this epoch waits, or one of an earlier epoch was read by a
# worker (it is being polled: read while its epoch was current). Returns (outcome, detail)
# per feed, flat: detail is the entry id (published, queued), the current epoch (stale) or
# the stored next check (not_due).
_PUBLISH = """
local out = {}
local first = 6  -- ARGV index of the first feed
local cur = redis.call('GET', KEYS[3])
local due_by, max = tonumber(ARGV[3]), tonumber(ARGV[2])
for i = 4, #KEYS do
  local url, feed = ARGV[first + 2 * (i - 4)], ARGV[first + 2 * (i - 4) + 1]
  local outcome, detail = nil, ''
  if cur ~= ARGV[1] then
    outcome, detail = 'stale', cur or '0'
  else
    local m = redis.call('HGET', KEYS[2], url)
    if m then
      local e, id = string.match(m, '^(%d+):(.+)$')
      if id and #redis.call('XRANGE', KEYS[1], id, id) > 0 then
        if e == ARGV[1] then
          outcome, detail = 'queued', id
        else  -- an earlier holder's: being polled if a worker read it (then it was current)
          local p = redis.pcall('XPENDING', KEYS[1], ARGV[5], id, id, 1)
          if type(p) == 'table' and not p.err and #p > 0 then outcome, detail = 'queued', id end
        end
      end
    end
  end
  if not outcome then
    local nc = redis.call('HGET', KEYS[i], 'next_check')
    if nc and tonumber(nc) > due_by then
      outcome, detail = 'not_due', nc
    elseif redis.call('XLEN', KEYS[1]) >= max then
      outcome = 'full'
    else
      detail = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*',
                          'v', ARGV[4], 'feed', feed, 'epoch', ARGV[1])
      redis.call('HSET', KEYS[2], url, ARGV[1] .. ':' .. detail)
      outcome = 'published'
    end
  end
  out[#out + 1] = outcome
  out[#out + 1] = detail
end
return out
"""

# KEYS: 1 stream, 2 queued hash; ARGV: 1 group, then (entry id, feed URL or '', mark)
# triples. Acknowledged, deleted, and the feed's queued mark cleared if it is this entry's.
_DONE = """
for i = 2, #ARGV, 3 do
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
  redis.call('XDEL', KEYS[1], ARGV[i])
  if ARGV[i + 1] ~= '' and redis.call('HGET', KEYS[2], ARGV[i + 1]) == ARGV[i + 2] then
    redis.call('HDEL', KEYS[2], ARGV[i + 1])
  end
end
return 1
"""


T = TypeVar("T")
R = TypeVar("R")
# At most this many callers' requests go in one merged script call.
MAX_MERGED = 500


class Merged(Generic[T, R]):
    """Concurrent callers' requests merged into one call of ``send`` (a Lua script taking
    a list): the feeds due in one turn of the event loop are published in one EVALSHA,
    the polls finished meanwhile acknowledged in one. Each caller waits for its own
    result; a failed call fails every caller of it."""

    def __init__(self, send: Callable[[list[T]], Awaitable[list[R]]]) -> None:
        self._send = send
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, request: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._task is None:
            self._task = asyncio.create_task(self._flush(), name="merged script calls")
        return await future

    async def aclose(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _flush(self) -> None:
        try:
            await asyncio.sleep(0)  # the callers of this turn of the loop join
            while self._pending:
                calls, self._pending = self._pending[:MAX_MERGED], self._pending[MAX_MERGED:]
                try:
                    results = await self._send([r for r, _ in calls])
                except Exception as exc:
                    for _, f in calls:
                        if not f.done():
                            f.set_exception(exc)
                    continue
                except BaseException:  # cancelled: so are its callers
                    self._pending[:0] = calls
                    raise
                for (_, f), res in zip(calls, results, strict=True):
                    if not f.done():
                        f.set_result(res)
        finally:
            self._task = None
            for _, f in self._pending:  # left only when cancelled
                f.cancel()
            self._pending = []


@dataclass(frozen=True, slots=True)
class Published:
    """What became of one due poll offered to the stream (``outcome`` as in the module
    docstring); ``not_before``: when the feed is due (``not_due``)."""

    outcome: str
    detail: str = ""

    @property
    def not_before(self) -> datetime | None:
        if self.outcome != "not_due":
            return None
        try:
            return datetime.fromtimestamp(float(self.detail), UTC)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class DuePoll:
    """One entry of the due-poll stream, as a poll worker reads it. ``feed`` is None when
    the entry cannot be used (``problem`` says why): the worker drops it."""

    entry_id: str
    feed: FeedSettings | None
    epoch: int
    deliveries: int = 1
    problem: str = ""

    @property
    def due_ms(self) -> int:
        """When the scheduler published it (Redis's clock, ms since the epoch)."""
        return entry_key(self.entry_id)[0]

    @property
    def mark(self) -> str:
        """The feed's queued mark while this entry waits (``epoch:entry id``)."""
        return f"{self.epoch}:{self.entry_id}"

    @staticmethod
    def encode_feed(feed: FeedSettings) -> str:
        """The ``feed`` field: the feed's settings, so a worker needs no copy of the
        scheduler's feed list (imported feeds included)."""
        return json.dumps(feed.model_dump(mode="json", exclude_none=True), ensure_ascii=False)

    @classmethod
    def decode(cls, entry_id: bytes | str, raw: Mapping[Any, Any] | None) -> DuePoll:
        fields = {text(k): text(v) for k, v in (raw or {}).items()}
        eid = text(entry_id)
        if not fields:
            return cls(eid, None, 0, problem="entry data gone (trimmed)")
        if fields.get("v") != ENTRY_VERSION:
            return cls(eid, None, 0, problem=f"unknown entry version {fields.get('v')!r}")
        try:
            return cls(eid, FeedSettings.model_validate_json(fields["feed"]),
                       int(fields["epoch"]))
        except (KeyError, ValueError) as exc:
            return cls(eid, None, 0, problem=f"undecodable due poll: {exc!r}")

    def with_deliveries(self, n: int) -> DuePoll:
        return DuePoll(self.entry_id, self.feed, self.epoch, n, self.problem)


class PollStreamStore(GroupStream):
    """The due-poll stream, async side: the scheduler's publish and the poll workers."""

    def __init__(self, store: Store, *, max_len: int, lease: str = "scheduler") -> None:
        super().__init__(store.aio(), store.keys.polls(), POLLERS_GROUP, "due-poll stream")
        self.keys = store.keys
        self.queued = store.keys.polls_queued()
        self.epoch_key = store.keys.lease_epoch(lease)
        self.max_len = max_len
        self._batch = GroupCommit(store.aio)
        self._publish: AsyncScript = self.r.register_script(_PUBLISH)
        self._done: AsyncScript = self.r.register_script(_DONE)
        self._touch = self.r.register_script(_TOUCH)
        self._publishes: Merged[tuple[FeedSettings, int, float, str], Published] = Merged(
            self._publish_many
        )
        self._acks: Merged[DuePoll, None] = Merged(self._done_many)

    async def _script(self, script: AsyncScript, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """One script call, group-committed with the concurrent callers' (one pipeline
        for the many feeds due at once)."""

        def queue(pipe: Pipeline) -> None:
            pipe.evalsha(script.sha, len(keys), *keys, *args)

        try:
            reply = (await self._batch.run(queue, count=1))[0]
            if isinstance(reply, redis.exceptions.NoScriptError):  # Redis lost its scripts
                await self.r.script_load(script.script)
                reply = (await self._batch.run(queue, count=1))[0]
        except redis.RedisError as exc:
            raise self._error("run a script", exc) from exc
        if isinstance(reply, redis.RedisError):
            raise self._error("run a script", reply)
        return reply

    async def publish(
        self, feed: FeedSettings, *, epoch: int, due_by_s: float, wire: str | None = None
    ) -> Published:
        """Offer ``feed``'s due poll, stamped with ``epoch``. ``due_by_s``: the feed is due
        if its stored next check is no later (epoch seconds); ``wire``: its encoded
        settings, if the caller keeps them. The concurrent callers' feeds go in one call."""
        return await self._publishes((feed, epoch, due_by_s, wire or DuePoll.encode_feed(feed)))

    async def _publish_many(
        self, requests: list[tuple[FeedSettings, int, float, str]]
    ) -> list[Published]:
        """One script call per epoch (in practice: the whole batch); due by the latest
        ``due_by_s`` of the batch (they were asked for in one turn of the loop)."""
        by_epoch: dict[int, list[int]] = {}
        for i, (_, epoch, _, _) in enumerate(requests):
            by_epoch.setdefault(epoch, []).append(i)
        out: list[Published | None] = [None] * len(requests)
        for epoch, idx in by_epoch.items():
            due_by = max(requests[i][2] for i in idx)
            keys = [self.stream, self.queued, self.epoch_key,
                    *(self.keys.feed(requests[i][0].url) for i in idx)]
            args: list[Any] = [epoch, self.max_len, repr(due_by), ENTRY_VERSION, POLLERS_GROUP]
            for i in idx:
                args += [requests[i][0].url, requests[i][3]]
            flat = await self._script(self._publish, keys, args)
            for n, i in enumerate(idx):
                out[i] = Published(text(flat[2 * n]), text(flat[2 * n + 1]))
        return [p for p in out if p is not None]

    async def epoch(self) -> int:
        """The lease's current fencing epoch (0: never acquired)."""
        return int(await self.r.get(self.epoch_key) or 0)

    async def read_new(self, consumer: str, *, count: int, block_ms: int | None) -> list[DuePoll]:
        """Up to ``count`` due polls no worker read yet (waits ``block_ms`` for one)."""
        res = await self.r.xreadgroup(
            POLLERS_GROUP, consumer, {self.stream: ">"}, count=count, block=block_ms
        )
        return [DuePoll.decode(i, f) for _, rows in res or [] for i, f in rows]

    async def read_mine(self, consumer: str, *, count: int) -> list[DuePoll]:
        """The oldest ``count`` due polls pending for ``consumer`` (taken over at its start)."""
        res = await self.r.xreadgroup(POLLERS_GROUP, consumer, {self.stream: "0"}, count=count)
        return [DuePoll.decode(i, f) for _, rows in res or [] for i, f in rows]

    async def autoclaim(self, consumer: str, *, min_idle_ms: int, count: int) -> list[DuePoll]:
        """Take over up to ``count`` due polls idle for ``min_idle_ms`` (their worker died),
        with their delivery counts (the claim counts one more)."""
        res = await self.r.xautoclaim(
            self.stream, POLLERS_GROUP, consumer, min_idle_ms, start_id="0-0", count=count
        )
        entries = [DuePoll.decode(i, f) for i, f in (res[1] if len(res) > 1 else [])]
        if not entries:
            return entries
        rows = await self.r.xpending_range(
            self.stream, POLLERS_GROUP, min="-", max="+", count=len(entries) + 100,
            consumername=consumer,
        )
        counts = {text(r["message_id"]): int(r["times_delivered"]) for r in rows}
        return [e.with_deliveries(counts.get(e.entry_id, e.deliveries)) for e in entries]

    async def done(self, entries: Iterable[DuePoll]) -> None:
        """Polled (or dropped): acknowledged, deleted, the feeds' queued marks cleared (the
        concurrent callers' entries in one call)."""
        await asyncio.gather(*(self._acks(e) for e in entries))

    async def _done_many(self, entries: list[DuePoll]) -> list[None]:
        args: list[str] = [POLLERS_GROUP]
        for e in entries:
            args += [e.entry_id, e.feed.url if e.feed else "", e.mark]
        await self._script(self._done, [self.stream, self.queued], args)
        return [None] * len(entries)

    async def touch(self, consumer: str, entry_ids: Sequence[str]) -> int:
        """Reset the idle time of the due polls ``consumer`` still holds (in flight)."""
        if not entry_ids:
            return 0
        try:
            return int(await self._touch(keys=[self.stream],
                                         args=[POLLERS_GROUP, consumer, *entry_ids]))
        except redis.RedisError as exc:
            raise self._error("touch entries", exc) from exc

    async def aclose(self) -> None:
        await self._publishes.aclose()
        await self._acks.aclose()
        await self._batch.aclose()


def read_poll_queue(store: Store) -> IntakeQueue:
    """The ``pollers`` group, with the sync client (``monitor status``): pending, unread,
    workers and the oldest due poll waiting, as :func:`~monitor.store.intake.read_intake_queue`
    gives the ``pipeline`` group (no dead letters here: a due poll comes back next interval)."""
    group, consumers = read_group(store.redis, store.keys.polls(), POLLERS_GROUP,
                                  "due-poll stream")
    return IntakeQueue(group, consumers)


__all__ = [
    "POLLERS_GROUP",
    "DuePoll",
    "PollStreamStore",
    "Published",
    "read_poll_queue",
]
