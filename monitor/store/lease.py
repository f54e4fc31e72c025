"""Leases in Redis: one holder at a time for a named role (the scheduler), by token.

    P:lease:<name>   string  the holder's token (``host:pid:random``), expires after the TTL

Built on redis-py's asyncio :class:`~redis.asyncio.lock.Lock`, which is exactly the safe
pattern: ``SET key token NX PX ttl`` to acquire; renewal (``reacquire``: ``PEXPIRE`` back to
the full TTL) and release are Lua compare-and-set scripts on the token, so a holder never
extends nor deletes a lease another process took after its own expired. What is added here:
a readable token (who holds it, for ``monitor status`` and /healthz), answers as booleans
(held or not) and redis errors translated to :class:`StoreError` -- "Redis did not answer"
(the holder cannot confirm, see :mod:`monitor.lease`) is not "another process holds it".

The time policy (how often to renew, when to fence) lives in :mod:`monitor.lease`.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

import redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, LockNotOwnedError

from monitor.errors import StoreError
from monitor.store import Store


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
    expired). Redis failing raises :class:`StoreError`."""

    def __init__(self, store: Store, name: str, token: str, ttl_s: float) -> None:
        self.store = store
        self.key = store.keys.lease(name)
        self.token = token
        self.ttl_s = ttl_s
        # thread_local=False: the token belongs to this handle, used from one event loop.
        self._lock = Lock(store.aio(), self.key, timeout=ttl_s, thread_local=False)

    async def acquire(self) -> bool:
        """``SET key token NX PX ttl``: True when it was free and is ours now (or is
        already ours: a holder that asks again just renews)."""
        try:
            if await self._lock.acquire(blocking=False, token=self.token):
                return True
            return await self.renew()  # ours already (a retry after a lost answer)
        except redis.RedisError as exc:
            raise StoreError(f"lease {self.key}: Redis at {self.store.location}: {exc}") from exc

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
            pipe = self.store.aio().pipeline(transaction=True)
            pipe.get(self.key)
            pipe.pttl(self.key)
            raw, ttl = await pipe.execute()
        except redis.RedisError as exc:
            raise StoreError(f"lease {self.key}: Redis at {self.store.location}: {exc}") from exc
        return _holder(raw, ttl)


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


def _holder(raw: bytes | str | None, ttl_ms: int) -> LeaseHolder | None:
    if raw is None:
        return None
    token = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return LeaseHolder(token=token, ttl_ms=max(0, int(ttl_ms)))
