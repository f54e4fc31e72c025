"""Step 1: is the item about the saga at all?

Relevance is closeness in meaning to what the saga is about -- the centroid of the facts
of its known events (seed documents and alerted developments) -- not the mere mention of a
name: an item that names the saga's company but talks of a product launch stays far from
it. The centroid, not the nearest fact: a seed article's aside ("John Roe reacted on X")
must not make every item on its subject relevant. What was published before the saga
began (a day before its earliest seed) is background, never news of it.
An item that names a protagonist needs ``relevance_threshold``; one that names none (the
press often says "the WidgetPro maker", "the failed lender") needs the higher
``relevance_unnamed``.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from monitor.config import NoveltySettings
from monitor.novelty.types import Item, Memory, Relevance


def relevance(item: Item, memory: Memory, settings: NoveltySettings) -> Relevance:
    if memory.start and item.published.date() < memory.start - timedelta(days=1):
        return Relevance(relevant=False, score=0.0, nearest_event=None)  # background
    event, nearest = memory.nearest_known(item.probes)
    score = float((item.probes @ memory.centroid).max()) if len(memory.known) else 0.0
    need = settings.relevance_threshold if item.core else settings.relevance_unnamed
    return Relevance(relevant=score >= need, score=nearest, nearest_event=event)


def far(leads: np.ndarray, centroid: np.ndarray, settings: NoveltySettings) -> np.ndarray:
    """Which items (their lead and title embeddings, shape (n, 2, DIM)) are too far from
    the saga to be relevant whatever they name: below both thresholds. Such items need
    no full analysis (``Analyzer.leads`` costs about a tenth of ``Analyzer.analyze``)."""
    need = min(settings.relevance_threshold, settings.relevance_unnamed)
    if not len(leads):
        return np.zeros(0, dtype=bool)
    return np.asarray((leads @ centroid).max(axis=1) < need)
