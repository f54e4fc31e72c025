"""Step 3, first half: how widely is a story told right now?

A development is news everywhere at once: within hours, several outlets publish reports
close in meaning to it, whether or not each joins its story (one retells it in a live
blog, another reports it under a reaction). An aside of the saga -- a politician's ties
to the failed bank, a company's exposure notice, a pundit's prediction -- is told by one
outlet, then a second one a day later: two sources, but no moment when the news spread.
A story's *support* is the number of distinct outlets that published a relevant report
within ``support_threshold`` of one of its reports in the ``support_window_h`` hours
around now; ``novelty.confirm`` waits for ``support_sources`` of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from monitor.config import NoveltySettings
from monitor.novelty.types import Memory


def _telling(rows: np.ndarray, memory: Memory, now: datetime,
             settings: NoveltySettings) -> tuple[np.ndarray, np.ndarray]:
    """Which recent relevant reports (``Memory.recent``) tell what each of ``rows``
    tells: within ``support_threshold`` of it and less than ``support_window_h`` hours
    from ``now`` (a matrix, recent reports by rows), and their outlets."""
    recent = memory.recent
    if recent is None or not len(recent) or not len(rows):
        return np.zeros((0, len(rows)), dtype=bool), np.zeros(0, dtype=object)
    window = timedelta(hours=settings.support_window_h)
    inside = np.fromiter((abs(at - now) <= window for at in memory.recent_at), dtype=bool,
                         count=len(memory.recent_at))
    close = (recent @ rows.T) >= settings.support_threshold
    return close & inside[:, None], np.asarray(memory.recent_outlet, dtype=object)


def support(rows: np.ndarray, memory: Memory, now: datetime, settings: NoveltySettings) -> int:
    """How many outlets published a recent relevant report (``Memory.recent``, the one
    being judged included) within ``support_threshold`` of one of ``rows``, less than
    ``support_window_h`` hours before or after ``now``: feeds are read at their own
    pace, and a report published earlier may well arrive later."""
    telling, outlets = _telling(rows, memory, now, settings)
    return len(set(outlets[telling.any(axis=1)].tolist()))


def awaited(probes: np.ndarray, memory: Memory, now: datetime,
            settings: NoveltySettings) -> datetime | None:
    """When the latest relevant report that announced a decision or a plan to come
    (``Report.awaits``: "Council poised to pass the budget") was published, of those of
    the ``story_window_h`` hours before ``now`` within ``awaited_threshold`` of
    ``probes`` (a report's lead and title): what the report judged may be that decision
    taken ("Council passes the budget"). None: fewer than ``min_sources`` outlets
    announced it, or the test is off."""
    recent = memory.recent
    if not settings.awaited_threshold or recent is None or not len(recent) or not len(probes):
        return None
    since = now - timedelta(hours=settings.story_window_h)
    close = (recent @ probes.T).max(axis=1) >= settings.awaited_threshold
    hits = [(at, o) for at, o, waits, near in zip(memory.recent_at, memory.recent_outlet,
                                                  memory.recent_awaits, close, strict=True)
            if waits and near and since <= at < now]
    if len({outlet for _, outlet in hits}) < settings.min_sources:
        return None  # one outlet's "expected to" is no decision the saga awaits
    return max((at for at, _ in hits), default=None)


def told_by(rows: np.ndarray, memory: Memory, now: datetime, settings: NoveltySettings,
            per: int = 2) -> list[int]:
    """``support`` of each report of a story (``rows``: ``per`` embeddings a report, in
    order): how many outlets told what *that* report tells. Of two reports glued into one
    story by a name (an executive's share sale, the bank's rescue by its peers), the one
    the outlets are telling is the news."""
    telling, outlets = _telling(rows, memory, now, settings)
    return [len(set(outlets[telling[:, i:i + per].any(axis=1)].tolist()))
            for i in range(0, len(rows) - per + 1, per)]
