"""Step 2: which story does a relevant item belong to?

Three answers: it retells a *known* event (a seed fact or an alerted development) closely
enough; it is another report of a *story* still waiting for confirmation (close in meaning,
or sharing a name no actor has yet with a looser closeness: "Harbor Trust Bank" in two
differently worded headlines); or it opens a *new story*. A known event wins a tie: a
retelling is never a second development. A headline naming a newcomer is no retelling,
and such a report joins only a story whose headlines name him too: a recap that named
him in passing is no home for the news that brings him in. Nor is a report that takes a
known plan to its next stage ("Globex agrees to buy Acme" after "Globex in talks to buy
Acme": ``moved_on``) a retelling of the plan, however close their words.
"""

from __future__ import annotations

from collections.abc import Iterable

from monitor.config import NoveltySettings
from monitor.lexicon import fold
from monitor.novelty.genre import pending
from monitor.novelty.outlets import source_of
from monitor.novelty.types import Assignment, Item, Memory, Placement, Relevance
from monitor.saga import Evidence
from monitor.types import short_hash


def story_id(item: Item) -> str:
    """A story is named after its first report, whatever order later ones come in."""
    return short_hash("story", item.doc_id)


def _best_story(
    item: Item, memory: Memory, settings: NoveltySettings, novel: frozenset[str]
) -> tuple[str | None, float]:
    """The story to join: one sharing a newcomer or a word new to the saga wins over a
    merely closer one (two reports of a memo on "malfeasance" belong together, not with
    the nearest retelling of the firing)."""
    keys = {n.key for n in item.names} | novel
    titled = {n.key for n in item.names if n.in_title}
    best: tuple[bool, float, str | None] = (False, 0.0, None)
    for sid, score in memory.story_scores(item.probes).items():
        shared = bool(keys & memory.story_names.get(sid, frozenset()))
        if titled and not titled & memory.story_heads.get(sid, frozenset()):
            continue  # a newcomer in its headline: its own story, or one headlining him
        need = settings.join_shared_name if shared else settings.join_threshold
        if score >= need and (shared, score) > best[:2]:
            best = (shared, score, sid)
    return best[2], best[1]


def moved_on(memory: Memory, event: str | None, item: Item) -> bool:
    """Whether a report telling a thing done takes a known plan, offer, talks or a
    decision announced (``event``, ``genre.pending``) to its next stage: the deal after
    the talks, the filing after "weighs bankruptcy", the ruling after "court to rule".
    It names the party the plan brought into the saga (the buyer in talks, the court),
    and its headline tells no plan. However close its words to the plan's, it is no
    retelling of it."""
    return (event is not None and event in memory.tentative
            and any(memory.brought.get(a) == event for a in item.actors)
            and not pending(item.title))


def _brought(memory: Memory, item: Item) -> list[str]:
    """The developments that brought one of the parties the item names into the saga."""
    return list(dict.fromkeys(memory.brought[a] for a in item.actors if a in memory.brought))


def plan_moved(memory: Memory, item: Item, *nearest: str | None) -> str | None:
    """The known plan the item takes to its next stage (``moved_on``): any plan that
    brought one of the parties it names into the saga, the ``nearest`` events first (a
    plan must have brought one: ``nearest`` only orders them). The deal is no retelling
    of whichever event is nearest in words either: once the talks are a development,
    "Globex agrees to buy Acme" comes closer to Acme's own troubles than to the talks,
    and is still the talks' next stage."""
    return next((e for e in dict.fromkeys([*nearest, *_brought(memory, item)])
                 if moved_on(memory, e, item)), None)


def follow_up(
    item: Item, memory: Memory, settings: NoveltySettings
) -> tuple[str, float] | None:
    """A report naming an actor that an alerted development brought into the saga, close
    enough to that development and naming no newcomer in its headline, follows it up:
    "Lender X borrows $5bn" after "Lender X's shares crash" is the same development
    going on, not a second one. A newcomer in the headline ("Rival Y to buy lender X") is
    a new development; so is a plan taken to its next stage (the talks' deal, the plan
    done: ``plan_moved``), which follows up neither the plan nor the lender's crash."""
    if any(n.in_title for n in item.names) or plan_moved(memory, item) is not None:
        return None
    best: tuple[str, float] | None = None
    for event in _brought(memory, item):
        score = memory.score_of(item.probes, event)
        if score >= settings.join_shared_name and (best is None or score > best[1]):
            best = (event, score)
    return best


def reported(item: Item, evidence: Iterable[Evidence]) -> bool:
    """Whether an event's ``evidence`` holds the item's report already: the same outlet,
    the same headline. An outlet's feeds carry one article under several addresses (its
    front page's, its world section's), a day apart at times; the copy is the report the
    event was told by, not news, whatever its headline names."""
    if not item.url:
        return False
    outlet, title = source_of(item.url), fold(item.title).strip()
    return any(e.url and source_of(e.url) == outlet and fold(e.title).strip() == title
               for e in evidence)


def assign(
    item: Item, rel: Relevance, memory: Memory, settings: NoveltySettings,
    novel: frozenset[str] = frozenset(), fresh: frozenset[str] = frozenset(),
    again: bool = False,
) -> Assignment:
    """``novel``: the item's words that the saga's reports never used before; ``fresh``:
    those of its headline. A headline saying something the saga never said is not a
    retelling, however close its subject: "Doe sought billions for a shipping venture"
    is as close to her firing as any recap of it. ``again``: the item is a report its
    nearest event holds already (``reported``), whatever its headline says."""
    if not rel.relevant:
        return Assignment(Placement.IRRELEVANT, None, None, rel.score, rel.nearest_event, rel.score)
    if again and rel.nearest_event:
        return Assignment(
            Placement.KNOWN, None, rel.nearest_event, rel.score, rel.nearest_event, rel.score
        )
    follow = follow_up(item, memory, settings)
    if follow is not None:
        return Assignment(Placement.KNOWN, None, follow[0], follow[1], rel.nearest_event, rel.score)
    sid, s_score = _best_story(item, memory, settings, novel)
    if (rel.nearest_event and rel.score >= settings.known_threshold and rel.score >= s_score
            and not fresh and not any(n.in_title for n in item.names)
            and plan_moved(memory, item) is None):
        return Assignment(
            Placement.KNOWN, None, rel.nearest_event, rel.score, rel.nearest_event, rel.score
        )
    if sid is not None:
        return Assignment(Placement.JOINED, sid, None, s_score, rel.nearest_event, rel.score)
    return Assignment(
        Placement.NEW_STORY, story_id(item), None, 1.0, rel.nearest_event, rel.score
    )
