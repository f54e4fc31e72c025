"""One summary line per poll cycle: what the feeds gave and what became of it.

The poller polls each feed on its own schedule, so a "cycle" is what happened since the
last summary: every ``polling.interval_s`` (and at the end of ``run --burst``) the poller
takes a :class:`CycleSummary` from its :class:`CycleCounter` and logs it at INFO::

    cycle: 312 feeds (280 not modified, 3 failed), 41 new items, 6 candidates, 1 alert in 4.2 s

The duration is the span from the first poll's start to the last poll's end. The poller
counts the polls, the daemon the pipeline's candidates and alerts; both run in the event
loop, so the counter needs no lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class CycleSummary:
    feeds: int
    not_modified: int
    failed: int
    new_items: int
    candidates: int
    alerts: int
    duration_s: float

    def line(self) -> str:
        return (
            f"cycle: {_plural(self.feeds, 'feed')} ({self.not_modified} not modified, "
            f"{self.failed} failed), {_plural(self.new_items, 'new item')}, "
            f"{_plural(self.candidates, 'candidate')}, {_plural(self.alerts, 'alert')} "
            f"in {self.duration_s:.1f} s"
        )


class CycleCounter:
    """Counts polls and pipeline batches until :meth:`take` hands the summary out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._reset()

    def _reset(self) -> None:
        self._feeds = self._not_modified = self._failed = self._new = 0
        self._candidates = self._alerts = 0
        self._first: float | None = None
        self._last: float | None = None

    def poll_started(self) -> float:
        """The clock at a poll's start (pass it back to :meth:`polled`)."""
        return self._clock()

    def polled(self, *, started: float, failed: bool, not_modified: bool, new: int) -> None:
        self._feeds += 1
        self._failed += failed
        self._not_modified += not_modified
        self._new += new
        self._first = started if self._first is None else min(self._first, started)
        self._last = self._clock()

    def batch(self, *, candidates: int, alerts: int) -> None:
        self._candidates += candidates
        self._alerts += alerts

    def take(self) -> CycleSummary | None:
        """The summary since the last take, or None when no feed was polled meanwhile."""
        if not self._feeds:
            return None
        span = (self._last or 0.0) - (self._first or 0.0)
        out = CycleSummary(
            feeds=self._feeds,
            not_modified=self._not_modified,
            failed=self._failed,
            new_items=self._new,
            candidates=self._candidates,
            alerts=self._alerts,
            duration_s=max(0.0, span),
        )
        self._reset()
        return out
