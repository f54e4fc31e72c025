"""Feed state in Redis: which entries were already seen (with a TTL)."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.store import Store
from monitor.types import FeedItem


class FeedStore:
    def __init__(self, store: Store, *, ttl_s: int) -> None:
        self.store = store
        self.ttl_s = ttl_s

    def filter_new(self, items: Sequence[FeedItem]) -> list[FeedItem]:
        """Mark items as seen; return those not seen before (atomic per item, SET NX)."""
        if not items:
            return []
        pipe = self.store.redis.pipeline(transaction=False)
        for it in items:
            pipe.set(self.store.keys.entry(it.id), 1, nx=True, ex=self.ttl_s)
        flags = pipe.execute()
        return [it for it, fresh in zip(items, flags, strict=True) if fresh]
