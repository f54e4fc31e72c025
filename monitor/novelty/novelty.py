"""Step 3: is a story a new development yet?

A story becomes a development when independent sources confirm it: ``min_sources``
distinct feeds within ``story_window_h`` of its first report. One outlet's scoop, a lone
op-ed or a briefing that strings unrelated items together rarely finds a second outlet
telling the same thing in the same words; a real development always does, within hours.
It must also bring something new: a newcomer (a name no actor has) that two of its reports
share, or a meaning far from every known event (``distinct_threshold``). (Words new to the
saga were tried as a third sign and dropped: when the seeds are in another language than
the stream, every word of the first days is new.) A retelling of known
events in new words -- a recap, an explainer, a podcast -- has neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import NoveltySettings
from monitor.lexicon import fold
from monitor.novelty.types import Item
from monitor.saga import Story
from monitor.types import parse_dt


@dataclass(frozen=True, slots=True)
class Confirmation:
    confirmed: bool
    feeds: int
    reason: str
    retelling: bool = False  # sources enough, but it tells known events again


def confirm(
    story: Story, item: Item, known_score: float, settings: NoveltySettings
) -> Confirmation:
    """Judge ``story`` as it would be with ``item`` added (the story is not changed);
    ``known_score`` is the item's closeness to the nearest known event. Every report of
    a story is a chance to recognise a retelling: a story any of whose reports comes
    within ``retell_threshold`` of a known event is never a development."""
    feeds = set(story.feeds) | {item.feed}
    if max(story.nearest_score, known_score) >= settings.retell_threshold:
        return Confirmation(False, len(feeds), "one of its reports retells a known event",
                            retelling=len(feeds) >= settings.min_sources)
    first = parse_dt(story.first) or item.published
    if item.published - first > timedelta(hours=settings.story_window_h):
        return Confirmation(False, len(feeds), "too late to confirm")
    if len(feeds) < settings.min_sources:
        return Confirmation(False, len(feeds), "waiting for another source")
    keys = {x.key for x in item.names}
    newcomer = any(k in keys or n >= 2 for k, n in story.names.items())
    distinct = max(story.nearest_score, known_score) < settings.distinct_threshold
    if not (newcomer or distinct):
        return Confirmation(
            False, len(feeds), "no newcomer in its reports and close to known events",
            retelling=True,
        )
    return Confirmation(True, len(feeds), f"{len(feeds)} sources")


_WORD = re.compile(r"[^\W\d_]{5,}")


def content_words(text: str) -> frozenset[str]:
    """The longer words of a text, folded: what a report is about, in its own language."""
    return frozenset(_WORD.findall(fold(text)))


def novel_words(words: frozenset[str], vocab: dict[str, int], rare: int = 3) -> frozenset[str]:
    """Words the saga's reports have used fewer than ``rare`` times so far ("malfeasance",
    "chip"): new to the saga, or only in the reports of the story that brought them."""
    return frozenset(w for w in words if vocab.get(w, 0) < rare)


def expired(story: Story, now: datetime, settings: NoveltySettings) -> bool:
    last = parse_dt(story.last)
    return last is not None and now - last > timedelta(hours=settings.story_window_h)
