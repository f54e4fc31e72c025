"""JSONL sink: one alert per line, appended and flushed."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.types import Alert


class JSONLSink:
    name = "jsonl"

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, alert: Alert) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(alert.to_dict(), ensure_ascii=False) + "\n")
