"""Group commit: the Redis commands of concurrent callers sent in one pipeline.

    batch = GroupCommit(store.aio)
    replies = await batch.run(lambda pipe: pipe.hset(key, mapping=m), count=1)

Each caller hands over a function that adds its commands to a pipeline, and waits for its
own replies. Nothing returns before its commands were executed by Redis, so whatever the
caller documents about order ("marked seen after handed on", "state written after")
holds as with a round trip of its own; what changes is that the callers that come while a
pipeline is in flight share the next one: one write, one reply to read and one wake-up of
the event loop for many polls instead of one each.

A caller whose commands must be applied all or none asks for ``atomic``: the pipeline it
goes in is then a MULTI/EXEC transaction (the other callers' commands in it are only made
atomic too). A Redis error of one command is that caller's alone; a connection error is
every caller's of that pipeline. The flusher is one task at a time, started by the first
caller and ending when nobody waits (:meth:`aclose` waits for it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

# Commands of at most this many callers go in one pipeline (bounds a reply's size and
# the time Redis spends in one transaction).
MAX_CALLERS = 256

Queue = Callable[[Pipeline], object]


@dataclass(slots=True)
class _Call:
    queue: Queue  # adds this caller's commands to the pipeline
    count: int  # how many it adds
    atomic: bool
    done: asyncio.Future[list[Any] | BaseException]


class GroupCommit:
    def __init__(self, client: Callable[[], aioredis.Redis], max_callers: int = MAX_CALLERS):
        self._client = client
        self._max = max_callers
        self._pending: list[_Call] = []
        self._flusher: asyncio.Task[None] | None = None

    async def run(self, queue: Queue, *, count: int, atomic: bool = False) -> list[Any]:
        """Execute the ``count`` commands ``queue`` adds to a pipeline; their replies, in
        order (a command's ResponseError is its reply). Raises the redis error that failed
        the whole pipeline (connection lost...)."""
        done: asyncio.Future[list[Any] | BaseException] = asyncio.get_running_loop().create_future()
        self._pending.append(_Call(queue, count, atomic, done))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="redis group commit")
        out = await done
        if isinstance(out, redis.RedisError):  # a fresh one per caller, the cause shared
            raise redis.RedisError(str(out)) from out
        if isinstance(out, asyncio.CancelledError):
            raise asyncio.CancelledError
        if isinstance(out, BaseException):
            raise RuntimeError(f"group commit failed: {out!r}") from out
        return out

    async def aclose(self) -> None:
        """Wait until every queued command was sent (or failed)."""
        if self._flusher is not None:
            await asyncio.shield(self._flusher)

    async def _flush(self) -> None:
        try:
            while self._pending:
                calls, self._pending = self._pending[: self._max], self._pending[self._max :]
                await self._send(calls)
        finally:
            self._flusher = None

    async def _send(self, calls: list[_Call]) -> None:
        try:
            # ``async with``: the pipeline gives its connection back to the pool even
            # when the task is cancelled mid-call, not when the collector gets to it
            async with self._client().pipeline(
                transaction=any(c.atomic for c in calls)
            ) as pipe:
                for c in calls:
                    c.queue(pipe)
                replies = await pipe.execute(raise_on_error=False)
        except (Exception, asyncio.CancelledError) as exc:
            for c in calls:
                if not c.done.done():
                    c.done.set_result(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        at = 0
        for c in calls:
            if not c.done.done():
                c.done.set_result(replies[at : at + c.count])
            at += c.count
