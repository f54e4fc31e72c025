"""Leases in Redis: one holder at a time for a named role (the scheduler), by token; and
the per-saga decision lock of the pipeline workers (:class:`SagaLock`).

    P:lease:<name>       string  the holder's token (``host:pid:random``), expires after the TTL
    P:lease:<name>:epoch string  the fencing epoch: incremented by every acquisition, so the
                                 holder's epoch is the newest; what it publishes carries it
    P:lease:saga:<saga>  string  the same, for the worker deciding on that saga now

Built on redis-py's asyncio :class:`~redis.asyncio.lock.Lock`, which is exactly the safe
pattern: ``SET key token NX PX ttl`` to acquire; renewal (``reacquire``: ``PEXPIRE`` back to
the full TTL) and release are Lua compare-and-set scripts on the token, so a holder never
extends nor deletes a lease another process took after its own expired. What is added here:
a readable token (who holds it, for ``monitor status`` and /healthz), answers as booleans
(held or not) and redis errors translated to :class:`StoreError` -- "Redis did not answer"
(the holder cannot confirm, see :mod:`monitor.lease`) is not "another process holds it";
and a holder the token names as a process of this machine that is gone (killed, then
restarted) is not waited out for its TTL: its key is deleted (compare-and-delete on its
token) and taken at once.

The time policy (how often to renew, when to fence) lives in :mod:`monitor.lease`.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, LockNotOwnedError
from redis.lock import Lock as SyncLock

from monitor.errors import StoreError
from monitor.processes import local_process_gone
from monitor.store import Store

log = logging.getLogger(__name__)


# KEYS: 1 lease, 2 epoch; ARGV: 1 token, 2 ttl ms. SET NX PX and INCR of the epoch in one
# step: the epoch a holder gets is newer than any earlier holder's. Already ours: renewed,
# the epoch unchanged (made if Redis lost it). Returns the epoch, or 0 when not ours.
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local e = tonumber(redis.call('GET', KEYS[2]) or '0')
  if e == 0 then e = redis.call('INCR', KEYS[2]) end
  return e
end
return 0
"""


def new_token() -> str:
    """A token unique to this holder and readable by an operator: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who holds a lease now, and for how much longer unless renewed."""

    token: str
    ttl_ms: int

    def to_dict(self) -> dict[str, object]:
        return {"holder": self.token, "ttl_ms": self.ttl_ms}


class Lease:
    """One process's handle on the lease ``name`` with its own ``token``.

    Every call is one round trip; ``True`` means the lease is ours (for ``ttl_s`` from
    when the command was sent), ``False`` that it is not (someone else holds it, or it
    expired). Redis failing raises :class:`StoreError`. :attr:`epoch` is the fencing
    epoch of the last acquisition (0 before any)."""

    def __init__(self, store: Store, name: str, token: str, ttl_s: float) -> None:
        self.store = store
        self.key = store.keys.lease(name)
        self.epoch_key = store.keys.lease_epoch(name)
        self.token = token
        self.ttl_s = ttl_s
        self.epoch = 0
        # thread_local=False: the token belongs to this handle, used from one event loop.
        self._lock = Lock(store.aio(), self.key, timeout=ttl_s, thread_local=False)
        self._acquire: Any = store.aio().register_script(_ACQUIRE)

    async def acquire(self) -> bool:
        """``SET key token NX PX ttl`` and a new epoch (Lua): True when it was free and is
        ours now (or is already ours: a holder that asks again just renews)."""
        try:
            epoch = int(await self._acquire(
                keys=[self.key, self.epoch_key], args=[self.token, int(self.ttl_s * 1000)]
            ))
        except redis.RedisError as exc:
            raise StoreError(f"lease {self.key}: Redis at {self.store.location}: {exc}") from exc
        if epoch == 0 and await self._break_dead_holder():
            return await self.acquire()
        if epoch > 0:
            self.epoch = epoch
        return epoch > 0

    async def _break_dead_holder(self) -> bool:
        """The lease held by a process of this machine that is gone (killed, then
        restarted by systemd): deleted at once rather than waited out for its TTL.
        Its fencing epoch is the older one: nothing it published can win."""
        holder = await self.holder()
        if holder is None or not holder_gone(holder.token):
            return False
        try:  # redis-py's release: deleted only while that token holds it
            await self._lock.do_release(holder.token.encode())
        except LockNotOwnedError:
            return False  # taken meanwhile
        except redis.RedisError as exc:
            raise StoreError(f"lease {self.key}: Redis at {self.store.location}: {exc}") from exc
        log.info("lease %s held by %s, a process that is gone: taken over", self.key,
                 holder.token)
        return True

    async def renew(self) -> bool:
        """Back to the full TTL if the key still holds our token (Lua compare-and-set)."""
        self._lock.local.token = self.token.encode()
        try:
            return bool(await self._lock.reacquire())
        except LockNotOwnedError:
            return False
        except redis.RedisError as exc:
            raise StoreError(f"lease {self.key}: Redis at {self.store.location}: {exc}") from exc

    async def release(self) -> bool:
        """Delete the key if it holds our token (Lua compare-and-set); False if not ours."""
        self._lock.local.token = self.token.encode()
        try:
            await self._lock.release()
            return True
        except (LockNotOwnedError, LockError):
            return False
        except redis.RedisError as exc:
            raise StoreError(f"lease {self.key}: Redis at {self.store.location}: {exc}") from exc

    async def holder(self) -> LeaseHolder | None:
        try:
            async with self.store.aio().pipeline(transaction=True) as pipe:
                pipe.get(self.key)
                pipe.pttl(self.key)
                raw, ttl = await pipe.execute()
        except redis.RedisError as exc:
            raise StoreError(f"lease {self.key}: Redis at {self.store.location}: {exc}") from exc
        return _holder(raw, ttl)


def read_epoch(store: Store, name: str) -> int:
    """The lease's current fencing epoch (sync client; 0 when never acquired)."""
    try:
        raw: Any = store.redis.get(store.keys.lease_epoch(name))
    except redis.RedisError as exc:
        raise StoreError(f"lease epoch: Redis at {store.location}: {exc}") from exc
    return int(raw or 0)


def read_holder(store: Store, name: str) -> LeaseHolder | None:
    """Who holds the lease ``name`` (sync client, for ``monitor status``)."""
    key = store.keys.lease(name)
    try:
        pipe = store.redis.pipeline(transaction=True)
        pipe.get(key)
        pipe.pttl(key)
        raw, ttl = pipe.execute()
    except redis.RedisError as exc:
        raise StoreError(f"lease {key}: Redis at {store.location}: {exc}") from exc
    return _holder(raw, ttl)


def _token(raw: bytes | str | None) -> str | None:
    if raw is None:
        return None
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def holder_gone(token: str) -> bool:
    """The holder a token names (``host:pid:random``) is a process of this machine that
    no longer exists (``monitor.processes``)."""
    host, _, rest = token.partition(":")
    pid, _, _ = rest.partition(":")
    return local_process_gone(host, pid)


def _holder(raw: bytes | str | None, ttl_ms: int) -> LeaseHolder | None:
    token = _token(raw)
    return None if token is None else LeaseHolder(token=token, ttl_ms=max(0, int(ttl_ms)))


class SagaLock:
    """A short lock per saga (``P:lease:saga:<name>``), held by a pipeline worker while it
    reads the saga's model, decides on a batch, emits the alerts and saves the model.

    The same pattern as :class:`Lease` (redis-py's Lock: ``SET NX PX``, Lua compare-and-set
    release, a ``host:pid:random`` token), with redis-py's *sync* client: the pipeline
    runs in a worker thread, not on the event loop. No renewal: the section it guards takes
    milliseconds to a second; ``ttl_s`` only bounds how long a dead holder blocks the
    others. Should a holder outlive its TTL (a frozen process), the model's version check
    (``SagaStore.save``, WATCH) still refuses its stale save."""

    # How often a waiting worker asks again.
    POLL_S = 0.01

    def __init__(self, store: Store, saga: str, ttl_s: float) -> None:
        self.store = store
        self.key = store.keys.lease(f"saga:{saga}")
        self.ttl_s = ttl_s
        self._lock = SyncLock(
            store.redis, self.key, timeout=ttl_s, sleep=self.POLL_S, thread_local=False
        )

    @contextmanager
    def held(self, *, wait_s: float | None = None) -> Iterator[None]:
        """Hold the lock for the block: wait for it up to ``wait_s`` (default: its TTL,
        after which a dead holder's lock has expired), else :class:`StoreError`."""
        token = new_token()
        wait = self.ttl_s if wait_s is None else wait_s
        try:
            got = self._lock.acquire(blocking=False, token=token)
            if not got and self._break_dead_holder():
                got = self._lock.acquire(blocking=False, token=token)
            if not got:
                got = self._lock.acquire(blocking=True, blocking_timeout=wait, token=token)
        except redis.RedisError as exc:
            raise StoreError(f"lock {self.key}: Redis at {self.store.location}: {exc}") from exc
        if not got:
            raise StoreError(f"lock {self.key} still held by another worker after {wait:.0f}s")
        try:
            yield
        finally:
            try:
                self._lock.release()
            except (LockNotOwnedError, LockError):
                log.warning("lock %s expired while held (over %.0fs): [pipeline] "
                            "saga_lock_ttl_s is too short for this saga's decisions",
                            self.key, self.ttl_s)
            except redis.RedisError as exc:  # it expires by itself
                log.warning("lock %s not released (it expires in %.0fs): %s",
                            self.key, self.ttl_s, exc)

    def _break_dead_holder(self) -> bool:
        """The lock held by a process of this machine that is gone (killed mid-decision,
        then restarted by systemd): deleted at once, not waited out for its TTL. Its
        decision was never saved (the model's version check would refuse it anyway)."""
        r: Any = self.store.redis
        token = _token(r.get(self.key))
        if token is None:
            return True  # expired meanwhile
        if not holder_gone(token):
            return False
        try:  # redis-py's release: deleted only while that token holds it
            self._lock.do_release(token)
        except LockNotOwnedError:
            return False  # taken meanwhile
        log.info("lock %s held by %s, a process that is gone: taken over", self.key, token)
        return True
