"""A Redis stream read through one consumer group: what the intake stream (group
``pipeline``) and the due-poll stream (group ``pollers``) share. Each entry is deleted
once done, so a stream's length is its backlog and its first entry the oldest waiting."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import redis

from monitor.errors import StoreError
from monitor.store.outbox import SinkQueue, _groups

__all__ = ["GroupConsumer", "GroupStream", "entry_key", "read_group", "text"]


def text(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def entry_key(entry_id: str) -> tuple[int, int]:
    """A stream entry id as a sortable key: (milliseconds since the epoch, sequence)."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass(frozen=True, slots=True)
class GroupConsumer:
    """A consumer of a group, as XINFO CONSUMERS shows it."""

    name: str
    pending: int
    idle_ms: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "pending": self.pending, "idle_s": round(self.idle_ms / 1000, 1)}


class GroupStream:
    """The group's housekeeping, async: its creation, its consumers, a dead consumer's
    entries taken over, a clean consumer's leave, the backlog."""

    def __init__(self, r: Any, stream: str, group: str, what: str) -> None:
        self.r = r
        self.stream = stream
        self.group = group
        self.what = what  # "intake stream", for errors

    def _error(self, what: str, exc: Exception) -> StoreError:
        return StoreError(f"{self.what} {self.stream}: cannot {what}: {exc}")

    async def ensure_group(self) -> bool:
        """Create the group from the start of the stream; True if it was made."""
        try:
            await self.r.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise self._error("create its group", exc) from exc
            return False
        except redis.RedisError as exc:
            raise self._error("create its group", exc) from exc
        return True

    async def consumers(self) -> list[GroupConsumer]:
        try:
            info = await self.r.xinfo_consumers(self.stream, self.group)
        except redis.ResponseError:
            return []
        return [GroupConsumer(text(c["name"]), int(c["pending"]), int(c["idle"])) for c in info]

    async def claim_all(self, consumer: str, *, from_consumer: str) -> int:
        """Take every entry ``from_consumer`` holds (a process known to be dead)."""
        claimed = 0
        while rows := await self.r.xpending_range(
            self.stream, self.group, min="-", max="+", count=100, consumername=from_consumer
        ):
            ids = [text(r["message_id"]) for r in rows]
            await self.r.xclaim(self.stream, self.group, consumer, 0, ids, justid=True)
            claimed += len(ids)
        await self.r.xgroup_delconsumer(self.stream, self.group, from_consumer)
        return claimed

    async def forget(self, consumer: str) -> None:
        """Remove ``consumer`` from the group if it holds nothing (a clean stop)."""
        for c in await self.consumers():
            if c.name == consumer and not c.pending:
                await self.r.xgroup_delconsumer(self.stream, self.group, consumer)

    async def length(self) -> int:
        """Entries not done yet (read or not): the backlog."""
        return int(await self.r.xlen(self.stream))

    async def backlog(self) -> tuple[int, float]:
        """Entries not done yet, and the age in seconds of the oldest (0: none waits):
        the lag gauges."""
        length = await self.length()
        oldest = await self.oldest_ms()
        return length, max(0.0, time.time() - oldest / 1000) if oldest else 0.0

    async def oldest_ms(self) -> int | None:
        """When the oldest entry not done yet was added (ms since the epoch)."""
        rows = await self.r.xrange(self.stream, count=1)
        return entry_key(text(rows[0][0]))[0] if rows else None


def read_group(
    r: Any, stream: str, group: str, what: str
) -> tuple[SinkQueue, tuple[GroupConsumer, ...]]:
    """A group with the sync client (``monitor status``): pending, unread, its consumers
    and the oldest entry waiting. Entries are deleted once done, so the stream's length
    is pending + unread, group or not."""
    try:
        length = int(r.xlen(stream))
        g = _groups(r, stream).get(group)
        info = r.xinfo_consumers(stream, group) if g is not None else []
        first = r.xrange(stream, count=1)
    except redis.RedisError as exc:
        raise StoreError(f"cannot read the {what} {stream}: {exc}") from exc
    pending = int(g["pending"]) if g is not None else 0
    queue = SinkQueue(
        group, pending, max(0, length - pending),
        consumers=int(g["consumers"]) if g is not None else 0,
        oldest_ms=entry_key(text(first[0][0]))[0] if first else None,
    )
    return queue, tuple(
        GroupConsumer(text(c["name"]), int(c["pending"]), int(c["idle"])) for c in info
    )
