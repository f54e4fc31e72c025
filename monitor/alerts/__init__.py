"""Alert sinks. One module per sink; :class:`Dispatcher` fans an alert out to all of them.

A failing sink is logged and never takes the others down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from monitor.alerts.console import ConsoleSink
from monitor.alerts.jsonl import JSONLSink
from monitor.config import Settings
from monitor.types import Alert

log = logging.getLogger(__name__)

__all__ = ["ConsoleSink", "Dispatcher", "JSONLSink", "Sink", "build_sinks"]


class Sink(Protocol):
    name: str

    def send(self, alert: Alert) -> None: ...


class Dispatcher:
    def __init__(self, sinks: Sequence[Sink]) -> None:
        self.sinks = list(sinks)

    def emit(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            for sink in self.sinks:
                try:
                    sink.send(alert)
                except Exception:
                    log.exception("alert sink %s failed", sink.name, extra={"alert": alert.id})


def build_sinks(settings: Settings, *, console: bool | None = None) -> list[Sink]:
    sinks: list[Sink] = []
    if settings.alerts.console if console is None else console:
        sinks.append(ConsoleSink())
    if settings.alerts.jsonl_path:
        sinks.append(JSONLSink(Path(settings.data_dir) / settings.alerts.jsonl_path))
    return sinks
