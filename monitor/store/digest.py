"""Which daily digests went out (``P:digest:sent:<day>:<scope>``), so a restart on the
same day never sends one twice. ``scope`` is a saga name, or ``all``."""

from __future__ import annotations

from typing import Any

import redis

from monitor.errors import StoreError
from monitor.store import Store

# Long enough to outlive any restart on the same day; the day is in the key anyway.
SENT_TTL_S = 8 * 24 * 3600


class DigestStore:
    def __init__(self, store: Store) -> None:
        self.keys = store.keys
        self.r: Any = store.aio()

    async def was_sent(self, day: str, scope: str) -> bool:
        try:
            return bool(await self.r.exists(self.keys.digest_sent(day, scope)))
        except redis.RedisError as exc:
            raise StoreError(f"cannot read the digest state: {exc}") from exc

    async def mark_sent(self, day: str, scope: str, *, alerts: int) -> None:
        try:
            await self.r.set(self.keys.digest_sent(day, scope), alerts, ex=SENT_TTL_S)
        except redis.RedisError as exc:
            raise StoreError(f"cannot record the digest of {day}: {exc}") from exc
