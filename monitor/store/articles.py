"""Extracted articles cached by URL, with a TTL (``P:article:<hash>``, JSON).

A cache: when Redis fails, reads miss and writes are skipped (logged), the pipeline goes on.
"""

from __future__ import annotations

import json
import logging

import redis

from monitor.store import Store
from monitor.types import Article

log = logging.getLogger(__name__)


class ArticleCache:
    def __init__(self, store: Store, *, ttl_s: int, failure_ttl_s: int) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.failure_ttl_s = failure_ttl_s

    async def get(self, url: str) -> Article | None:
        try:
            raw = await self.store.aio().get(self.store.keys.article(url))
        except redis.RedisError as exc:
            log.warning("article cache read failed: %s", exc, extra={"url": url})
            return None
        if raw is None:
            return None
        try:
            return Article.from_dict(json.loads(raw))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("unreadable cached article dropped: %s", exc, extra={"url": url})
            return None

    async def put(self, article: Article) -> None:
        ttl = self.failure_ttl_s if self._transient(article) else self.ttl_s
        value = json.dumps(article.to_dict(), ensure_ascii=False)
        try:
            await self.store.aio().set(self.store.keys.article(article.url), value, ex=ttl)
        except redis.RedisError as exc:
            log.warning("article cache write failed: %s", exc, extra={"url": article.url})

    @staticmethod
    def _transient(article: Article) -> bool:
        status = article.http_status
        return article.status.transient or (status is not None and (status == 429 or status >= 500))
