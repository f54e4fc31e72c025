"""Step 3: is a story a new development yet?

A story becomes a development when independent sources confirm it: ``min_sources``
distinct feeds within ``story_window_h`` of its first report. One outlet's scoop, a lone
op-ed or a briefing that strings unrelated items together rarely finds a second outlet
telling the same thing in the same words; a real development always does, within hours.
The story must also be *about something*: two of its reports name the same protagonist or
the same newcomer, so that two unrelated musings that happen to sound alike do not make
a development.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import NoveltySettings
from monitor.novelty.types import Item
from monitor.saga import Story
from monitor.types import parse_dt


@dataclass(frozen=True, slots=True)
class Confirmation:
    confirmed: bool
    feeds: int
    reason: str


def confirm(
    story: Story, item: Item, known_score: float, settings: NoveltySettings
) -> Confirmation:
    """Judge ``story`` as it would be with ``item`` added (the story is not changed);
    ``known_score`` is the item's closeness to the nearest known event. Every report of
    a story is a chance to recognise a retelling: a story any of whose reports comes
    within ``retell_threshold`` of a known event is never a development."""
    feeds = set(story.feeds) | {item.feed}
    if max(story.nearest_score, known_score) >= settings.retell_threshold:
        return Confirmation(False, len(feeds), "one of its reports retells a known event")
    first = parse_dt(story.first) or item.published
    if item.published - first > timedelta(hours=settings.story_window_h):
        return Confirmation(False, len(feeds), "too late to confirm")
    if len(feeds) < settings.min_sources:
        return Confirmation(False, len(feeds), "waiting for another source")
    shared = [k for k, n in story.names.items() if n >= 1 and k in {x.key for x in item.names}]
    about = bool(shared) or bool(item.core) or any(n >= 2 for n in story.names.values())
    if not about:
        return Confirmation(False, len(feeds), "its reports name no common actor")
    return Confirmation(True, len(feeds), f"{len(feeds)} sources")


def expired(story: Story, now: datetime, settings: NoveltySettings) -> bool:
    last = parse_dt(story.last)
    return last is not None and now - last > timedelta(hours=settings.story_window_h)
