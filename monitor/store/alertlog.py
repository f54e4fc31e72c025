"""Each saga's alerts, kept for the pages to show (``P:saga:S:alerts``, a capped stream).

The outbox keeps an alert only until every sink took it (it is trimmed then); this log
keeps the newest ``MAX_ALERTS`` of each saga, as enqueued, whatever became of their
delivery. Entries hold the alert's JSON (``Alert.to_dict``) under ``alert``.
"""

from __future__ import annotations

from typing import Any

import redis

from monitor.errors import StoreError
from monitor.store import Store

MAX_ALERTS = 1000


class AlertLog:
    def __init__(self, store: Store, *, max_alerts: int = MAX_ALERTS) -> None:
        self.keys = store.keys
        self.r: Any = store.redis
        self.max_alerts = max_alerts

    def append(self, saga: str, alert_id: str, alert_json: str) -> None:
        try:
            self.r.xadd(
                self.keys.saga_alerts(saga),
                {"id": alert_id, "alert": alert_json},
                maxlen=self.max_alerts,
                approximate=True,
            )
        except redis.RedisError as exc:
            raise StoreError(f"cannot log alert {alert_id}: {exc}") from exc

    def recent(self, saga: str, *, count: int = 100) -> list[str]:
        """The JSON of the saga's newest ``count`` alerts, oldest first."""
        try:
            rows = self.r.xrevrange(self.keys.saga_alerts(saga), count=count)
        except redis.RedisError as exc:
            raise StoreError(f"cannot read the alerts of saga {saga!r}: {exc}") from exc
        return [f[b"alert"].decode("utf-8") for _, f in reversed(rows) if b"alert" in f]

    def between(self, saga: str, *, since_ms: int, until_ms: int) -> list[str]:
        """The JSON of the saga's alerts enqueued in ``[since_ms, until_ms)``, oldest first."""
        try:
            rows = self.r.xrange(
                self.keys.saga_alerts(saga), min=str(since_ms), max=f"({until_ms}"
            )
        except redis.RedisError as exc:
            raise StoreError(f"cannot read the alerts of saga {saga!r}: {exc}") from exc
        return [f[b"alert"].decode("utf-8") for _, f in rows if b"alert" in f]
