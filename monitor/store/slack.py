"""Messages the Slack Web API sink posted (``P:alerts:slack:<h>``, with a TTL).

Slack names a posted message by its channel and ``ts``. Kept per message id, they give
the "N more sources" follow-up its thread (``thread_ts`` = the alert's ``ts``) and make a
retry of a message already posted a no-op (the outbox would otherwise post it again after
a crash between Slack's answer and the acknowledgement).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis

from monitor.errors import StoreError
from monitor.store import Store


@dataclass(frozen=True, slots=True)
class SlackPost:
    channel: str
    ts: str

    def encode(self) -> str:
        return json.dumps({"channel": self.channel, "ts": self.ts})

    @classmethod
    def decode(cls, raw: bytes | str) -> SlackPost:
        d = json.loads(raw)
        return cls(channel=str(d["channel"]), ts=str(d["ts"]))


class SlackPosts:
    """Async: used by the delivery worker of the Slack sink, in the daemon's loop."""

    def __init__(self, store: Store) -> None:
        self.keys = store.keys
        self.r: Any = store.aio()

    async def get(self, message_id: str) -> SlackPost | None:
        try:
            raw = await self.r.get(self.keys.slack_post(message_id))
            return SlackPost.decode(raw) if raw else None
        except redis.RedisError as exc:
            raise StoreError(f"cannot read the Slack post of {message_id}: {exc}") from exc
        except (ValueError, KeyError, TypeError):
            return None  # unreadable: as if unknown (a new post, not a crash)

    async def put(self, message_id: str, post: SlackPost, *, ttl_s: int) -> None:
        try:
            await self.r.set(self.keys.slack_post(message_id), post.encode(), ex=max(1, ttl_s))
        except redis.RedisError as exc:
            raise StoreError(f"cannot record the Slack post of {message_id}: {exc}") from exc
