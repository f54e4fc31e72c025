"""The novelty engine: one batch of analysed documents against one saga model.

Wires the steps (relevance -> stories -> novelty -> actors -> alert text) and the one
step that changes the model (``grow``). Everything a step needs is passed in; the model is
the only thing changed, and only through ``grow``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config import NoveltySettings
from monitor.nlp import Analysis
from monitor.novelty import grow
from monitor.novelty.actors import Resolver, names_in, ready, track
from monitor.novelty.memory import memory_of, with_known, with_story, without_story
from monitor.novelty.novelty import confirm, expired
from monitor.novelty.relevance import relevance
from monitor.novelty.stories import assign
from monitor.novelty.text import actor_alert, clearest_title, development_alert
from monitor.novelty.types import Item, Memory, Name, Placement
from monitor.saga import SagaModel
from monitor.types import Alert, Document, parse_dt


@dataclass
class Result:
    """What happened to one document."""

    doc: Document
    placement: Placement
    alerts: list[Alert] = field(default_factory=list)
    known_events: tuple[str, ...] = ()  # the known event it reported again


def item_of(an: Analysis, resolver: Resolver, model: SagaModel, when: datetime) -> Item:
    doc = an.doc
    actors, names = names_in(
        an.sentences, resolver, model.ignore, bool(doc.title), strict=an.extra.get("ner") == "en"
    )
    core = tuple(a for a in actors if model.actors[a].protagonist)
    return Item(
        doc_id=doc.id, title=doc.title, url=doc.url, feed=doc.source,
        published=doc.published or when, lead=an.lead,
        sentences=tuple(s.text for s in an.sentences), vectors=an.vectors,
        actors=tuple(actors), core=core, names=tuple(names),
    )


def _source(item: Item) -> tuple[str, str | None, str | None, datetime | None]:
    return item.title, item.url, item.feed, item.published


def _peripheral_names(an: Analysis) -> list[Name]:
    from monitor.lexicon import fold

    return [
        Name(m.text, fold(m.text), m.kind if m.kind != "unknown" else "org", False)
        for s in an.sentences for m in s.mentions if m.peripheral
    ]


class Engine:
    """Decides a batch; holds the resolver and memory between items of one batch."""

    def __init__(self, model: SagaModel, settings: NoveltySettings) -> None:
        self.model = model
        self.s = settings
        self.memory: Memory = memory_of(model)
        self._resolver: Resolver | None = None
        self._names_key: tuple[int, int] = (-1, -1)

    @property
    def resolver(self) -> Resolver:
        key = self.model.names_signature()
        if self._resolver is None or key != self._names_key:
            self._resolver, self._names_key = Resolver(self.model), key
        return self._resolver

    def run(self, analyses: Sequence[Analysis], *, seeding: bool,
            clock: Callable[[Document], datetime]) -> list[Result]:
        ordered = sorted(analyses, key=lambda a: (clock(a.doc), a.doc.id))
        if ordered and not seeding:  # stories age by their reports' own times
            self._expire(ordered[0].doc.published or clock(ordered[0].doc))
        return [self._one(an, seeding, clock(an.doc)) for an in ordered]

    def _expire(self, now: datetime) -> None:
        gone = [sid for sid, st in self.model.stories.items() if expired(st, now, self.s)]
        if gone:
            grow.prune(self.model, gone, now.isoformat(), now)
            self.memory = memory_of(self.model)

    def _one(self, an: Analysis, seeding: bool, now: datetime) -> Result:
        item = item_of(an, self.resolver, self.model, now)
        self.model.docs_seen += 1
        at = now.isoformat()
        if seeding or not self.model.events:
            ev = grow.seed(self.model, item, list(item.names), _peripheral_names(an), at)
            self.memory = with_known(self.memory, ev.id, item.probes[:1])
            self.memory = with_known(self.memory, ev.id, item.vectors)
            return Result(an.doc, Placement.KNOWN if seeding else Placement.NEW_STORY)
        rel = relevance(item, self.memory, self.s)
        asg = assign(item, rel, self.memory, self.s)
        result = Result(an.doc, asg.placement)
        development: str | None = None
        if asg.placement is Placement.KNOWN and asg.event_id:
            grow.report_known(self.model, asg.event_id, item)
            development = asg.event_id
            result.known_events = (asg.event_id,)
        elif asg.story_id is not None:
            development = self._story(item, asg.story_id, (asg.nearest_event, asg.nearest_score),
                                      at, result)
        if asg.placement is not Placement.IRRELEVANT:
            track(self.model, item.names, item.feed, development, _sentences(an), at)
            result.alerts += self._new_actors([n.key for n in item.names], item, now)
        return result

    def _story(self, item: Item, sid: str, nearest: tuple[str | None, float], at: str,
               result: Result) -> str | None:
        story = self.model.stories.get(sid)
        verdict = confirm(story, item, nearest[1], self.s) if story is not None else None
        story = grow.add_report(self.model, sid, item, nearest, at)
        if verdict is None or not verdict.confirmed:
            self.memory = with_story(self.memory, sid, item.probes,
                                     frozenset(n.key for n in item.names))
            return None
        headline = clearest_title(story)
        event = grow.promote_story(self.model, story, headline, at, item.doc_id)
        self.memory = with_known(without_story(self.memory, sid), event.id, item.probes)
        from monitor.embed import unpack_many

        self.memory = with_known(self.memory, event.id, unpack_many(event.vectors))
        for key in story.names:
            seen = self.model.names.get(key)
            if seen is not None and event.id not in seen.developments:
                seen.developments.append(event.id)
        first = (story.titles[0], story.urls[0], story.feeds[0], parse_dt(story.first))
        result.alerts.append(
            development_alert(self.model, event, story, self.s.known_threshold,
                              item.published, first)
        )
        result.known_events = (event.id,)
        result.alerts += self._new_actors(list(story.names), item, item.published)
        return event.id

    def _new_actors(self, keys: list[str], item: Item, now: datetime) -> list[Alert]:
        out: list[Alert] = []
        for key in dict.fromkeys(keys):
            seen = self.model.names.get(key)
            if seen is None or not ready(seen, self.s):
                continue
            if self.resolver.resolve(seen.name) is not None:  # became known meanwhile
                self.model.names.pop(key)
                continue
            actor = grow.promote_name(self.model, key, now.isoformat(), item.doc_id)
            out.append(actor_alert(self.model, actor.id, seen, now, _source(item)))
        return out


def _sentences(an: Analysis) -> dict[str, str]:
    from monitor.lexicon import fold

    out: dict[str, str] = {}
    for s in an.sentences:
        for m in s.mentions:
            out.setdefault(fold(m.text), s.text)
    return out
