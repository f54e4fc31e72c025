"""Step 1: is the item about the saga at all?

Relevance is closeness in meaning to what the saga is about -- the centroid of the facts
of its known events (seed documents and alerted developments) -- not the mere mention of a
name: an item that names the saga's company but talks of a product launch stays far from
it. The centroid, not the nearest fact: a seed article's aside ("John Roe reacted on X")
must not make every item on its subject relevant. What was published before the saga
began (a day before its earliest seed) is background, never news of it.
An item that names a protagonist needs ``relevance_threshold``; one that names none (the
press often says "the WidgetPro maker", "the failed lender") needs the higher
``relevance_unnamed``. A protagonist found live (promoted from the reports, not from the
seeds or the curation) lowers the bar only where the saga is (``chained``): near what the
seeds told, or near a development he took part in; a newcomer brings reports in near a
story that waits to be told more widely and holds him (``engine._hold``). Else every
actor the saga meets would bring all his news in, and the centroid, pulled by what was
alerted, would follow: a court case whose commentators become actors drifts into all of
their politics. The same
holds for a whole story before it is alerted (``anchored``), at the higher bar; and
whatever it names, one of its reports must come near the seeds, as near as a share of
the seeds' own agreement (``near_seeds``, ``seed_floor``): what a founder does elsewhere
is not his saga. Every relevant report is held to the same, at a lower share
(``seed_floor_report``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from monitor.config import NoveltySettings
from monitor.novelty.types import Item, Memory, Relevance


def relevance(item: Item, memory: Memory, settings: NoveltySettings) -> Relevance:
    if memory.start and item.published.date() < memory.start - timedelta(days=1):
        return Relevance(relevant=False, score=0.0, nearest_event=None)  # background
    event, nearest = memory.nearest_known(item.probes)
    score = float((item.probes @ memory.centroid).max()) if len(memory.known) else 0.0
    if score >= settings.relevance_unnamed:
        relevant = True
    elif not item.core or score < settings.relevance_threshold:
        relevant = False
    else:  # named: a founder anywhere near the saga, one found live where the saga is
        relevant = bool(item.founders) or chained(item, memory, settings)
    # and near where the saga began, at a lower bar than a story's (one report's lead and
    # title say less than a story's best report)
    relevant = relevant and near_seeds(item.probes, memory, settings.seed_floor_report)
    return Relevance(relevant=relevant, score=nearest, nearest_event=event)


def near_saga(item: Item, memory: Memory, settings: NoveltySettings) -> bool:
    """Whether an item is close to what the saga is about (``relevance_threshold`` to
    its centroid) and of its time, whatever it names: relevant or not, the talk of a
    name in such items is the saga's (``Engine._aside``)."""
    return rows_near_saga(item.probes, item.published, memory, settings)


def rows_near_saga(rows: np.ndarray, published: datetime, memory: Memory,
                   settings: NoveltySettings) -> bool:
    """``near_saga`` of an item's rows (its lead and title, or first sentence)."""
    if not len(memory.known) or (memory.start and published.date() < memory.start):
        return False
    return float((rows @ memory.centroid).max()) >= settings.relevance_threshold


def chained(item: Item, memory: Memory, settings: NoveltySettings) -> bool:
    """Whether an item whose protagonists were all found live is where the saga is: near
    what the seeds told (``relevance_threshold`` to their centroid), or not far
    (``distinct_threshold``) from a development one of them took part in. The bank that
    took over the failed one brings in its new CEO; the politician who commented on the
    case does not bring in his own campaign."""
    return _near_saga(item.probes, frozenset(item.core), memory,
                      settings.relevance_threshold, settings.distinct_threshold
                      ) or _near_held(item, memory, settings.distinct_threshold)


def _near_held(item: Item, memory: Memory, bar: float) -> bool:
    """Whether the item names a newcomer that a story waiting to be told more widely
    holds (``engine._hold``: "X's potential takeover of Y"), and comes within ``bar`` of
    that story ("X agrees to buy Y")."""
    keys = frozenset(n.key for n in item.names)
    stories = {s for s, held in memory.story_held.items() if keys & held}
    return bool(stories) and any(
        score >= bar for s, score in memory.story_scores(item.probes).items() if s in stories
    )


def _near_saga(rows: np.ndarray, core: frozenset[str], memory: Memory, to_seeds: float,
               to_events: float) -> bool:
    """Whether ``rows`` come within ``to_seeds`` of the seeds' centroid, or within
    ``to_events`` of a known event that one of the actors ``core`` took part in."""
    seeds = memory.seed_centroid if memory.seed_centroid is not None else memory.centroid
    if float((rows @ seeds).max()) >= to_seeds:
        return True
    events = frozenset(e for e, actors in memory.event_actors.items() if core & actors)
    return memory.score_among(rows, events) >= to_events


def anchored(rows: np.ndarray, core: frozenset[str], founders: bool, memory: Memory,
             settings: NoveltySettings) -> bool:
    """Whether a story about to be confirmed (``rows``: its reports' embeddings) is a
    development of this saga, not of the news around it: one of its reports names a
    founder (``founders``), or its reports come within ``relevance_unnamed`` of what the
    seeds told, or of a development that one of its protagonists (``core``) took part
    in. Each report was relevant on its own, near a centroid that follows every alerted
    development, or chained through a protagonist found live; a story confirmed on that
    alone makes the next one easier (it joins the centroid, its names become actors),
    and a court case drifts into the whole of its country's politics. Whatever else, one
    of its reports must come near what the seeds told (``near_seeds``)."""
    if not near_seeds(rows, memory, settings.seed_floor):
        return False
    if founders:
        return True
    if not len(rows) or not len(memory.known):
        return False
    bar = settings.relevance_unnamed
    return _near_saga(rows, core, memory, bar, bar)


def near_seeds(rows: np.ndarray, memory: Memory, floor: float) -> bool:
    """Whether one of ``rows`` (a story's reports) comes within ``floor`` of the seeds'
    own closeness to their centroid (``Memory.seed_typical``): where the saga began, as
    the seeds themselves agree on it. A founder's other news (the defendant's campaign,
    the besieging army's other fronts, the ministry's other files) names him and is
    close enough to his saga's drift to be relevant report by report, but its stories
    stay further from the seeds than his saga's developments do; how far is far depends
    on the seeds (four reports of one arrest agree at about 0.8, a reshuffle told from
    several sides at 0.6), hence a share of their own agreement, not a cosine. True with
    no seed known or ``floor`` 0."""
    if not floor or not memory.seed_typical or memory.seed_centroid is None:
        return True
    return bool(len(rows)) and float((rows @ memory.seed_centroid).max()) >= (
        floor * memory.seed_typical)


def unseeded(leads: np.ndarray, seeds: np.ndarray | None, typical: float,
             settings: NoveltySettings) -> np.ndarray:
    """Which items (their lead and title embeddings, shape (n, 2, DIM)) are below the
    report floor of the seeds (``near_seeds`` at ``seed_floor_report``): irrelevant
    whatever they name, so they need no full analysis either. A founder's other news is
    most of them (the defendant's campaign, the army's other fronts): a sixth of what a
    saga founded on a former president analysed in full. ``seeds``, ``typical``: the
    seeds' centroid and agreement (``Known``)."""
    floor = settings.seed_floor_report * typical
    if not len(leads) or seeds is None or not floor:
        return np.zeros(len(leads), dtype=bool)
    return np.asarray((leads @ seeds).max(axis=1) < floor)


def far(leads: np.ndarray, centroid: np.ndarray, settings: NoveltySettings) -> np.ndarray:
    """Which items (their lead and title embeddings, shape (n, 2, DIM)) are too far from
    the saga to be relevant whatever they name: below both thresholds. Such items need
    no full analysis (``Analyzer.leads`` costs about a tenth of ``Analyzer.analyze``)."""
    need = min(settings.relevance_threshold, settings.relevance_unnamed)
    if not len(leads):
        return np.zeros(0, dtype=bool)
    return np.asarray((leads @ centroid).max(axis=1) < need)
