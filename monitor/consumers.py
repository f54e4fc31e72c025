"""What every consumer of a Redis stream group shares: the outbox's delivery workers, the
intake's pipeline workers and the poll workers.

- a consumer's name, ``<hostname>-<pid>``, so that a worker can tell a dead consumer of
  its own machine (its process is gone) and take its pending entries over at once,
  instead of waiting for them to be idle long enough for XAUTOCLAIM;
- :class:`Trouble`, the log of a failure that repeats every read while Redis is away;
- :func:`step_or_recover`, a worker loop's turn: one step, a group Redis lost made again,
  any other failure logged once per outage and waited out.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis

from monitor.errors import StoreError
from monitor.processes import local_process_gone
from monitor.store.outbox import is_nogroup

__all__ = ["Trouble", "dead_local_consumer", "default_consumer", "step_or_recover"]


def default_consumer() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def dead_local_consumer(name: str) -> bool:
    """``name`` is a consumer of this host (``<hostname>-<pid>``) whose process is gone."""
    host, _, pid = name.rpartition("-")
    return local_process_gone(host, pid)


class Trouble:
    """A failure that repeats every poll while Redis is away: a warning once per outage,
    then debug lines, and one line when it works again (not hundreds a minute). Logged
    by the caller's ``logger``."""

    def __init__(self, what: str, extra: dict[str, str] | None = None, *,
                 logger: logging.Logger) -> None:
        self.what = what
        self.extra = extra or {}
        self.log = logger
        self.since: float | None = None  # monotonic

    def failed(self, exc: BaseException) -> None:
        if self.since is None:
            self.since = time.monotonic()
            self.log.warning(
                "%s error: %s (not repeated until it works again)", self.what, exc, extra=self.extra
            )
        else:
            self.log.debug("%s error: %s", self.what, exc, extra=self.extra)

    def ok(self) -> None:
        if self.since is not None:
            self.log.info(
                "%s works again after %.1fs",
                self.what,
                time.monotonic() - self.since,
                extra=self.extra,
            )
            self.since = None


async def step_or_recover(
    step: Callable[[], Awaitable[Any]],
    *,
    trouble: Trouble,
    ensure_group: Callable[[], Awaitable[bool]],
    group: str,  # as the log names it: "intake", "pollers"
    sleep: Callable[[float], Awaitable[Any]],
    recreated: Callable[[], None] = lambda: None,
) -> None:
    """One turn of a consumer's loop. A group that Redis lost (restarted without its data)
    is made again at once, reading from the start of the stream; any other failure is
    logged by ``trouble`` and waited out for a second (``sleep``, which a stop may cut)."""
    try:
        await step()
    except (redis.RedisError, StoreError, OSError) as exc:
        if is_nogroup(exc) and await ensure_group():
            trouble.log.warning("the %s group was missing (Redis lost its data?); "
                                "recreated, reading from the start of the stream", group)
            recreated()
            return
        trouble.failed(exc)
        await sleep(1.0)
    else:
        trouble.ok()
