"""JSONL sink: one line per message, appended and flushed.

Through the outbox (``deliver``) each line is the webhook body of ``schemas/alert.v1.json``
(``{"schema", "type", "id", "timestamp", "data"}``). A crash between the write and the
acknowledgement can repeat a line on restart: readers dedup on ``id``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from monitor.alerts.delivery import DELIVERED, Delivery, Outcome
from monitor.alerts.message import Message
from monitor.types import Alert


class JSONLSink:
    name = "jsonl"
    rate_per_s = 0.0

    def __init__(self, path: Path, *, max_bytes: int = 0) -> None:
        self.path = path
        self.max_bytes = max_bytes

    def _append(self, obj: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def send(self, alert: Alert) -> None:
        self._append(alert.to_dict())

    async def deliver(self, message: Message, client: httpx.AsyncClient) -> Delivery:
        payload = message.payload(timestamp=datetime.now(UTC), max_bytes=self.max_bytes)
        try:
            await asyncio.to_thread(self._append, payload)
        except OSError as exc:
            return Delivery(Outcome.RETRY, detail=f"cannot write {self.path}: {exc}")
        return DELIVERED
