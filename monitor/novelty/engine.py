"""The novelty engine: one batch of analysed documents against one saga model.

Wires the steps (relevance -> stories -> novelty -> actors -> alert text) and the one
step that changes the model (``grow``). Everything a step needs is passed in; the model is
the only thing changed, and only through ``grow``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np

from monitor.config import NoveltySettings
from monitor.embed import unpack_many
from monitor.language import language_of
from monitor.lexicon import fold
from monitor.nlp import Analysis, lead_text
from monitor.novelty import grow
from monitor.novelty.actors import (
    Fate,
    Refusal,
    acting,
    acting_state,
    familiar,
    in_earnest,
    named_elsewhere,
    new_forms,
    persons_named,
    ready,
    refused,
    standing,
    track,
)
from monitor.novelty.genre import (
    described_speaker,
    explained,
    genre,
    headed_by,
    pending,
    polled,
    reaction,
    republished,
    speaks,
    tentative,
)
from monitor.novelty.memory import (
    Known,
    known_of,
    memory_of,
    with_done,
    with_held,
    with_keys,
    with_known,
    with_recent,
    with_story,
    without_story,
)
from monitor.novelty.names import (
    canonical,
    declined,
    holds,
    is_member,
    is_title,
    names_in,
)
from monitor.novelty.novelty import (
    confirm,
    content_words,
    done_alike,
    expired,
    familiar_names,
    fresh_words,
    languages_read,
    novel_words,
    recent_headlines,
    retold_heads,
    telling_burst,
    told_names,
    young_events,
)
from monitor.novelty.outlets import is_outlet, outlet_of, source_of
from monitor.novelty.places import is_seat
from monitor.novelty.relevance import anchored, near_saga, relevance, rows_near_saga
from monitor.novelty.resolver import Resolver, translatable, translation
from monitor.novelty.seednames import SeedNames, seed_names, spellings, trim_all
from monitor.novelty.stage import KEPT, REFRESH, Headlines, told_alike, topic_words, without_topic
from monitor.novelty.stories import assign, plan_moved, reported
from monitor.novelty.support import awaited, support, told_by
from monitor.novelty.text import (
    Standing,
    actor_alert,
    alert_source,
    came_to_pass,
    clearest_title,
    development_alert,
    with_actors,
)
from monitor.novelty.types import Item, Memory, Mentions, Name, Placement, Skimmed
from monitor.saga import Event, NameSeen, SagaModel, Story
from monitor.types import Alert, Document

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> their sentence embeddings


@dataclass
class Result:
    """What happened to one document."""

    doc: Document
    placement: Placement
    alerts: list[Alert] = field(default_factory=list)
    known_events: tuple[str, ...] = ()  # the known event it reported again


def protagonists(
    model: SagaModel, ids: Iterable[str], aside: frozenset[str] = frozenset()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Of the known actors ``ids``: the protagonists named specifically enough to tie a
    report to the saga (its *core*), and those of them that founded it (from the seeds or
    the curation; the others were found live). ``aside``: actors whose name ties nothing
    to the saga for now (``Engine._aside``)."""
    core = tuple(a for a in ids if a not in aside and model.actors[a].protagonist
                 and model.actors[a].specific)
    return core, tuple(a for a in core if model.actors[a].seeded or model.actors[a].curated)


def item_of(
    an: Analysis, resolver: Resolver, model: SagaModel, when: datetime, *, seed: bool = False
) -> Item:
    """The engine's view of an analysed document. Outside the seeds a new name must be one
    the NER calls a person or an organisation (a capitalised chunk is not enough); a seed,
    which a person chose, gives every name it holds."""
    doc = an.doc
    actors, names = names_in(
        an.sentences, resolver, model.ignore, bool(doc.title), strict=not seed
    )
    core, founders = protagonists(model, actors)
    speakers = [] if seed else [
        n for n in names if n.kind == "person" and n.in_title and speaks(doc.title, n.text)
    ]  # a newcomer who only comments is no actor of the saga, and his word is no news
    described = None if seed else described_speaker(doc.title)  # nor a "market expert"
    if described is not None and any(True for _ in resolver.index.find(described)):
        described = None  # "Bank CEO says": one of the saga's actors speaks
    if not seed:  # a job title ("Home Secretary") is nobody; the holder is named apart
        # nor is someone described by what he belongs to ("Air National Guardsman")
        names = canonical([n for n in names if not (is_title(n.key) or is_member(n.key))],
                          model.names)
    return Item(
        doc_id=doc.id, title=doc.title, url=doc.url, feed=doc.source,
        published=doc.published or when, lead=an.lead,
        sentences=tuple(s.text for s in an.sentences), vectors=an.vectors,
        actors=tuple(actors), core=core, names=tuple(n for n in names if n not in speakers),
        commentator=bool(speakers) or described is not None,
        words=content_words(lead_text(doc)),
        headline=content_words(doc.title),
        language=language_of(doc), founders=founders,
        acting=() if seed else tuple(acting(an.sentences, resolver)),
    )


def without_outlets(item: Item, outlets: Iterable[str]) -> Item:
    """``item`` without the outlets among its names: an outlet reports the saga ("...,
    sources tell CNN"), it is no newcomer of it, nor of a story, whose reports it would
    tie together or make new. Done once an item is found relevant: the test walks every
    outlet for each name, and an irrelevant item's names are only matched against the
    newcomers of held stories, which no outlet is."""
    return replace(item, names=tuple(n for n in item.names if not is_outlet(n.key, outlets)))


def _source(item: Item) -> tuple[str, str | None, str | None, datetime | None]:
    return item.title, item.url, item.feed, item.published


def _peripheral_names(an: Analysis) -> list[Name]:
    return [
        Name(m.text, fold(m.text), m.kind if m.kind != "unknown" else "org", False)
        for s in an.sentences for m in s.mentions if m.peripheral
    ]


class Engine:
    """Decides a batch; holds the resolver and memory between items of one batch."""

    def __init__(self, model: SagaModel, settings: NoveltySettings,
                 known: Known | None = None, mentions: Mentions | None = None,
                 aside: dict[tuple[str, date], bool] | None = None,
                 embed: Embed | None = None, embedded: Headlines | None = None) -> None:
        """``known``: the known vectors an earlier batch unpacked (``memory.known_of``);
        ``mentions``: how often the stream names someone (None: not counted, every
        newcomer that acts is news); ``aside``: the quiet actors judged by ``_aside``
        so far, by actor and day (the caller keeps it between batches); ``embed``: the
        sentence encoder, run where the analysis runs (``nlp_pool``; None: a wave's
        headlines are not compared, ``_tells_other``), and ``embedded`` what it gave so
        far (the caller keeps it between batches)."""
        self.model = model
        self._embed = embed
        self._headlines = Headlines() if embedded is None else embedded
        self.s = settings
        self.mentions = mentions
        self.known = known_of(model, known)
        self.memory: Memory = memory_of(model, self.known)
        self._resolver: Resolver | None = None
        self._names_key: tuple[int, int] = (-1, -1)
        self.changed = False  # the model took something in (reports, names, words)
        self._aside_memo = {} if aside is None else aside

    @property
    def resolver(self) -> Resolver:
        key = self.model.names_signature()
        if self._resolver is None or key != self._names_key:
            self._resolver, self._names_key = Resolver(self.model), key
        return self._resolver

    def run(self, analyses: Sequence[Analysis], *, seeding: bool,
            clock: Callable[[Document], datetime],
            skimmed: Sequence[Skimmed] = ()) -> list[Result]:
        """Decide ``analyses``; ``skimmed`` documents were judged before any analysis
        (``relevance.far``): only their headlines are counted, and, for those near the
        saga but not its seeds (``relevance.unseeded``), the talk of its names, in their
        turn among the analysed ones."""
        for sk in skimmed:
            if sk.rows is None:
                self._skim(sk.doc)
        todo: list[Analysis | Skimmed] = [*analyses, *(sk for sk in skimmed if sk.rows is not None)]
        ordered = sorted(todo, key=lambda a: (clock(a.doc), a.doc.id))
        if ordered and not seeding:  # stories age by their reports' own times
            self._expire(ordered[0].doc.published or clock(ordered[0].doc))
        seeds = seed_names(a.sentences for a in analyses) if seeding else None
        results = []
        for x in ordered:
            if isinstance(x, Analysis):
                results.append(self._one(x, seeding, clock(x.doc), seeds))
            else:
                self._unseeded(x, clock(x.doc))
        if seeding and analyses:
            texts = [f"{a.doc.title}\n{a.doc.text}" for a in analyses]
            for aid, name in spellings(self.model.actors.values(), texts):
                grow.rename(self.model, aid, name, "seeds", clock(analyses[-1].doc).isoformat())
        return results

    def _skim(self, doc: Document) -> None:
        """A document read from its embeddings alone: its headline's words are counted."""
        grow.learn_headline(self.model, content_words(doc.title), language_of(doc))
        self.model.docs_seen += 1
        self.changed = True

    def _learn_outlet(self, doc: Document) -> None:
        """The outlet a document comes from, among those the saga's stream is read from
        (its name is no party's: ``without_outlets``)."""
        outlet = outlet_of(doc.source)
        if outlet and outlet not in self.model.outlets:
            self.model.outlets.append(outlet)

    def _unseeded(self, sk: Skimmed, now: datetime) -> None:
        """What deciding a document below the seeds' report floor would have changed
        (``_one``: irrelevant, whatever it names): its outlet, its headline, the talk of
        the saga's names if it is near the saga."""
        self._learn_outlet(sk.doc)
        self._skim(sk.doc)
        at = sk.doc.published or now  # as ``item_of`` dates an item
        if (self.mentions is not None and sk.rows is not None
                and rows_near_saga(sk.rows, at, self.memory, self.s)):
            self.mentions.said(at, sk.doc.title, sk.doc.text, relevant=False)

    def _expire(self, now: datetime) -> None:
        gone = [sid for sid, st in self.model.stories.items() if expired(st, now, self.s)]
        if gone:
            grow.prune(self.model, gone, now.isoformat(), now)
            self.memory = memory_of(self.model, self.known)

    def _one(self, an: Analysis, seeding: bool, now: datetime,
             seeds: SeedNames | None = None) -> Result:
        """``seeds``: what all the seeds of this batch write (``seednames``), when seeding."""
        seed = seeding or not self.model.events  # the first document founds a fresh saga
        if not seed:
            self._learn_outlet(an.doc)  # before its names are read
        item = item_of(an, self.resolver, self.model, now, seed=seed)
        aside = frozenset() if seed else self._aside(item.actors, now)
        if aside:  # their names tie the item to nothing (``_aside``)
            core, founders = protagonists(self.model, item.actors, aside)
            item = replace(item, core=core, founders=founders)
        self.model.docs_seen += 1
        self.changed = True
        at = now.isoformat()
        if seed:
            # a seed's Title Case headline makes names of anything ("Wake", "Acme Failure")
            names = [n for n in item.names if n.prose and (n.in_title or not _aside_in_seed(n))]
            names = trim_all(names, seeds or seed_names([an.sentences]))  # "Actress Jane Doe"
            ev = grow.seed(self.model, item, names, _peripheral_names(an), at)
            for aid in persons_named(an.sentences, self.resolver):
                self.model.actors[aid].kind = "person"
            for aid in in_earnest(an.sentences, self.resolver):
                actor = self.model.actors[aid]
                if actor.peripheral == "passing":  # an earlier seed's byline or source
                    actor.protagonist, actor.peripheral = True, None
            for aid, form in new_forms(an.sentences, self.resolver):
                self.model.add_alias(self.model.actors[aid], form, item.doc_id, at)
            grow.learn_words(self.model, content_words(" ".join(item.sentences)), item.language)
            self.memory = with_known(self.memory, ev.id, item.probes[:1], ev.statement,
                                     actors=ev.actors, seed=True)
            self.memory = with_known(self.memory, ev.id, item.vectors, seed=True)
            return Result(an.doc, Placement.KNOWN if seeding else Placement.NEW_STORY)
        rel = relevance(item, self.memory, self.s)
        if rel.relevant:
            item = without_outlets(item, self.model.outlets)
        novel = novel_words(item.words, item.language, self.model.vocab, self.s)
        fresh = fresh_words(item.headline, novel, item.language, self.model.vocab, self.s)
        grow.learn_headline(self.model, item.headline, item.language)  # every headline read
        held = self.model.events.get(rel.nearest_event or "")  # a copy of one of its reports?
        asg = assign(item, rel, self.memory, self.s, novel, fresh,
                     again=held is not None and reported(item, held.evidence))
        talk = asg.story_id is not None and (
            item.commentator or genre(item.title, item.url).commentary
            or republished(item.feed, self.s.aggregators))
        if talk:
            asg = replace(asg, placement=Placement.COMMENTARY)
        result = Result(an.doc, asg.placement)
        if asg.placement is Placement.IRRELEVANT:
            if self.mentions is not None and near_saga(item, self.memory, self.s):
                self.mentions.said(item.published, an.doc.title, an.doc.text, relevant=False)
            return result
        if not republished(item.feed, self.s.aggregators):  # how widely the saga is told
            self._remember(item, awaits=pending(item.title) and not talk)
        if self.mentions is not None:  # who the saga's reports name (``actors.elsewhere``)
            self.mentions.said(item.published, an.doc.title, an.doc.text)
        grow.learn_words(self.model, item.words, item.language)
        names = [n for n in item.names if not (item.language == "pl" and declined(n.text))]
        known = asg.event_id if asg.placement is Placement.KNOWN else None
        track(self.model, names, item.feed, known, _sentences(an), at)
        who = explained(item.title)
        if who is not None:  # "Who is Jane Roe, the bank's new CEO?": she matters now
            subject = [n.key for n in names if n.kind == "person" and holds(fold(who), n.key)]
            result.alerts += self._new_actors(subject[-1:], item, item.published, explained=True)
        if known:
            grow.report_known(self.model, known, item)
            result.known_events = (known,)
        elif asg.story_id is not None:
            self._story(item, asg.story_id, (asg.nearest_event, asg.nearest_score), at, result,
                        novel, fresh, talk)
        return result

    def _remember(self, item: Item, awaits: bool = False) -> None:
        """Keep a relevant report among the recent ones (``support``); one that
        ``awaits`` (it announced a decision to come), for the story window
        (``support.awaited``)."""
        outlet = source_of(item.feed)
        window, days = self.s.support_window_h, self.s.story_window_h
        grow.remember(self.model, item, outlet, window, awaits, days)
        self.memory = with_recent(self.memory, item.probes, outlet, item.published,
                                  item.published - timedelta(hours=window), awaits,
                                  item.published - timedelta(hours=days))

    def _story(self, item: Item, sid: str, nearest: tuple[str | None, float], at: str,
               result: Result, novel: frozenset[str], fresh: frozenset[str],
               talk: bool = False) -> None:
        """``talk``: the item is talk about the news (``genre``); it joins or opens the
        story, but is not one of its sources and confirms nothing."""
        story = self.model.stories.get(sid)
        plan = None if story is None or tentative(story.titles[0]) else plan_moved(
            self.memory, item, story.nearest_event, nearest[0])
        moved = plan is not None
        # the story's reports with this one, unpacked once for support and anchoring
        rows = item.probes if story is None else np.vstack([unpack_many(story.vectors),
                                                            item.probes])
        moved = moved or self._awaited(story, item, rows, fresh)
        telling = (support(rows, self.memory, item.published, self.s)
                   if story is not None and (self.s.support_sources or self.s.wave_sources)
                   else None)
        verdict = None if story is None else confirm(
            story, item, nearest[1], self.s, fresh, moved,
            told_names(self.model.events, (nearest[0], story.nearest_event), item.published,
                       self.s.story_window_h) | self._retold(story, item),
            telling, familiar_names(story, item, self.model.names, self.model.events,
                                    self.s.story_window_h),
            self._young(rows, telling, item.published, item.title, (story, item)))
        if story is not None and verdict is not None and verdict.confirmed and (
            talk or not self._anchored(story, item, rows) or self._series(story, item)
        ):
            verdict = replace(verdict, confirmed=False)
        again = (self._told_again(story, item, *telling_burst(story, item, rows, verdict.burst))
                 if story is not None and verdict and verdict.confirmed else None)
        if story is not None and again is not None:  # ``_told_again``
            taken = grow.fold_story(self.model, story, again, item)
            # its reports' rows are the development's now, as the stored model has them
            self.memory = with_known(without_story(self.memory, sid), again, rows[:taken])
            result.known_events = (again,)
            return
        story = grow.add_report(self.model, sid, item, nearest, at, novel, fresh,
                                source=not talk)
        if verdict is None or not verdict.confirmed:
            # a story is joined by closeness to its first report, not to any report (a
            # chain of near neighbours would drift from one development to the next)
            rows = item.probes if verdict is None else item.probes[:0]
            self.memory = with_story(self.memory, sid, rows,
                                     frozenset(n.key for n in item.names) | novel,
                                     frozenset(n.key for n in item.names if n.in_title))
            if verdict is not None and verdict.retelling and story.nearest_event:
                # told by several outlets, but known: its central names join the saga's
                # cast quietly (a retelling is no news, nor are those it brings along:
                # commentators, hosts, the reporters' guests); a development that makes
                # one of them act wakes it (``_woken``)
                self._central_actors(story, story.nearest_event, item, retold=True)
            elif (verdict is not None and verdict.held and not talk
                  and self._anchored(story, item, rows)):
                self._hold(story, item)
            return
        # how many outlets tell what each of its reports tells: the headline is the news
        told = told_by(unpack_many(story.vectors), self.memory, item.published, self.s)
        wave = (item.published - timedelta(hours=self.s.support_window_h)
                if verdict.wave else None)  # its headline is one of the reports told at once
        headline = clearest_title(story, moved, told, languages_read(self.model.vocab), wave)
        # a plan done, a wave: the development happened now, not when the story began
        day = (item.published.date().isoformat() if came_to_pass(story) or wave is not None
               else None)
        event = grow.promote_story(self.model, story, headline, at, item.doc_id, day)
        if plan is not None:  # the deal after the talks: the talks are done
            event.follows = plan
            self.memory = with_done(self.memory, plan)
        grow.said(self.model, story.fresh, self.s.rare_reports)
        # the event's vectors (its reports', this one's included), as the stored model has them
        self.memory = with_known(
            without_story(self.memory, sid), event.id, unpack_many(event.vectors), headline,
            actors=event.actors,
        )
        # the alert is dated when the story was confirmed
        source = alert_source(story, headline, wave is not None, item.published)
        dev = development_alert(self.model, event, story, self.s.known_threshold,
                                item.published, source, verdict, self._known_name, wave)
        result.known_events = (event.id,)
        result.alerts += self._announce(story, event, item, dev)
        event.key_actors = self._key_actors(story)
        self.memory = with_keys(self.memory, event.id, event.key_actors)

    def _known_name(self, name: str) -> bool:
        """Whether a name the saga tracks as a newcomer is a known actor's by now, under
        another form or in a phrase ("Top Globex"): no new name for an alert to list."""
        return (self.resolver.resolve(name) is not None
                or self.resolver.held(name) is not None)

    def _translated(self, seen: NameSeen) -> str | None:
        """The known organisation that the newcomer organisation ``seen`` names in
        another language (``resolver.translatable``, ``actor_translation``): the press of
        one language translates an institution's name ("Ministerstwo Finansow"), and
        the encoder reads both languages. None without an encoder."""
        if self._embed is None or seen.kind != "org" or not self.s.actor_translation:
            return None
        forms = translatable(seen.name, self.model)
        if not forms:
            return None
        vectors = self._embedded_as([seen.name, *(form for _, form in forms)])
        return translation(forms, (vectors[1:] @ vectors[0]).tolist(),
                           self.s.actor_translation)

    def _told_again(self, story: Story, item: Item, rows: np.ndarray,
                    titles: list[str]) -> str | None:
        """The development, alerted less than ``duplicate_window_h`` hours before, that
        ``story``, about to be confirmed by ``item`` (``rows``, ``titles``: the
        embeddings and headlines of the reports that tell it, ``telling_burst``), tells
        again: one of its reports within ``duplicate_threshold`` of the development's, or
        one of its headlines within ``duplicate_title_threshold`` of the development's
        headline. In a development's first hours the outlets that come late word it
        their own way, or in another language, with a word or a Title Case phrase the
        first ones did not use, and their story passes the retelling bar; so close to
        what was just alerted, it is that development's sources, not a second one. Not a
        seed's fact: the retelling bar judges those. A development's headline is one of
        its reports' titles, often the longest, and a long headline ("Globex's giant
        rocket blasts off on its first test flight, then explodes minutes later") reads
        far from a short one telling the same ("Globex rocket launches"): the titles of
        its other reports are held to the same bar (``Event.told_as``)."""
        if not self.s.duplicate_window_h:
            return None
        young = sorted(e for e in young_events(self.model.events, item.published,
                                               self.s.duplicate_window_h)
                       if self.model.events[e].origin == "story")
        if not young:
            return None
        scores = {e: self.memory.score_of(rows, e) for e in young}
        best = max(young, key=lambda e: scores[e])
        if self.s.duplicate_threshold and scores[best] >= self.s.duplicate_threshold:
            return best
        if not self.s.duplicate_title_threshold or self._embed is None:
            return None
        told = [(e, title) for e in young for title in self.model.events[e].told_as()]
        if not told:
            return None
        sims = (self._embedded_as(titles)
                @ self._embedded_as([title for _, title in told]).T)
        if float(sims.max()) < self.s.duplicate_title_threshold:
            return None
        return told[int(sims.max(axis=0).argmax())][0]

    def _announce(self, story: Story, event: Event, item: Item, dev: Alert) -> list[Alert]:
        """The alerts of a development ``story`` confirmed as ``event``: its own (``dev``),
        said first and naming those it brought in, then theirs. None when its headline
        tells an outsider reacting (``genre.reaction``) or reports a poll
        (``genre.polled``): talk about the saga, however widely told. The model knows
        it all the same (its later reports are quiet), and those it brought in join the
        cast quietly, as a retelling's do."""
        if reaction(event.statement, self._cast()) or polled(event.statement):
            event.talk = True
            self.model.record("development_talk", event.statement, item.doc_id,
                              item.published.isoformat())
            self._central_actors(story, event.id, item, retold=True)
            return []
        actors = [*self._central_actors(story, event.id, item),
                  *self._woken(story, event.id, item), *self._state(story, event, item)]
        return [with_actors(dev, [a.actors[0] for a in actors]), *actors]

    def _state(self, story: Story, event: Event, item: Item) -> list[Alert]:
        """The country the development's headline opens on as the party that acts, new
        to the saga (``actors.acting_state``): a new actor, its state."""
        if "org" not in self.s.new_actor_kinds:
            return []
        forms = acting_state(event.statement, grow.seed_texts(self.model), self.resolver)
        if not forms:
            return []
        actor = grow.add_state(self.model, forms, item.published.isoformat(), item.doc_id)
        figures = Standing(len(story.feeds), len(story.docs), (event.id,), (), headed=True)
        return [actor_alert(self.model, actor.id, figures, item.published, _source(item))]

    def _cast(self) -> list[str]:
        """The names of the saga's active protagonists (not quiet), a person's surname
        too: who a development's headline may open on (``genre.reaction``)."""
        return [form for a in self.model.protagonists() if not a.quiet
                for form in (a.name, *a.aliases, *([a.last] if a.last else []))]

    def _young(self, rows: np.ndarray, told: int | None, now: datetime,
               title: str | None = None,
               wave: tuple[Story, Item] | None = None) -> float | None:
        """The best closeness of a story's reports (``rows``) to a known event younger
        than ``wave_age_h`` (``novelty.young_events``), once ``told`` outlets make it a
        wave (``wave_sources``); None before: no wave to judge. Not to a plan or a
        decision announced (``genre.pending``) when the report's ``title`` tells none:
        "Jane Doe leaves hospital", told everywhere the morning after "Doe expected to
        leave hospital Saturday", is the plan carried out, not its aftermath. 0.0 when
        the ``wave`` (the story with the report judged) tells another thing than those
        young events (``_tells_other``)."""
        if told is None or not 0 < self.s.wave_sources <= told:
            return None
        young = young_events(self.model.events, now, self.s.wave_age_h)
        if title is not None and not pending(title):
            young -= self.memory.tentative
        score = self.memory.score_among(rows, young)
        if (wave is not None and score >= self.s.known_threshold
                and self._tells_other(*wave, rows, young)):
            return 0.0
        return score

    def _tells_other(self, story: Story, item: Item, rows: np.ndarray,
                     young: frozenset[str]) -> bool:
        """Whether a wave (``story`` with ``item``; their reports' embeddings ``rows``)
        that comes within ``known_threshold`` of the ``young`` events tells another
        thing than they do (``stage``): its headlines in the saga's main language and
        those of the young developments, the saga's topic left out, come no closer than
        ``wave_alike``. Not when a young seed's fact is that close: the seeds' own day
        is told in every form and every language, and a seed's headline may be in
        another one."""
        if not self.s.wave_alike or self._embed is None:
            return False
        events = [self.model.events[e] for e in young if e in self.model.events]
        seeds = frozenset(e.id for e in events if e.origin != "story")
        if seeds and self.memory.score_among(rows, seeds) >= self.s.known_threshold:
            return False
        h = self._topic_now()
        languages = [*story.languages, *[""] * (len(story.titles) - len(story.languages))]
        mine = [t for t, lang in zip([*story.titles, item.title], [*languages, item.language],
                                     strict=True) if lang == h.main]
        theirs = [t for e in events if e.origin == "story" for t in e.told_as()]
        if not mine or not theirs:
            return False
        alike = told_alike(self._embedded_as([without_topic(t, h.topic) for t in mine]),
                           self._embedded_as([without_topic(t, h.topic) for t in theirs]))
        return alike < self.s.wave_alike

    def _topic_now(self) -> Headlines:
        """The saga's topic (``stage.topic_words``) and main language, taken again once
        it has read ``stage.REFRESH`` times the documents it had then, or fewer (its
        model was built again from the seeds)."""
        h = self._headlines
        read = self.model.docs_seen
        if h.read < 0 or not h.read <= read <= REFRESH * h.read:
            forms = (f for a in self.model.actors.values() for f in a.forms())
            h.topic = topic_words(self.model.vocab, forms, self.s.topic_share)
            h.main = (languages_read(self.model.vocab) or [""])[0]
            h.read = read
        return h

    def _embedded_as(self, texts: list[str]) -> np.ndarray:
        """``texts`` embedded, each once (``Headlines.vectors``, its last few thousand)."""
        assert self._embed is not None
        kept = self._headlines.vectors
        todo = list(dict.fromkeys(t for t in texts if t not in kept))
        if todo:
            if len(kept) + len(todo) > KEPT:
                kept.clear()
            kept.update(zip(todo, self._embed(todo), strict=True))
        return np.stack([kept[t] for t in texts])

    def _awaited(self, story: Story | None, item: Item, rows: np.ndarray,
                 fresh: frozenset[str]) -> bool:
        """Whether ``story``, with ``item`` (its reports' embeddings: ``rows``), tells a
        decision the saga's reports announced taken (``support.awaited``): "Council
        passes the budget" the day after "Council poised to pass the budget" is as close
        to the announcement as a recap of it, and told in its words but one. That one
        word is what tells it: another of its reports, no plan, headlines one of the
        item's fresh words (``novelty.done_alike``), and the item's headline tells no
        plan itself. Told once: not
        when a development alerted since the announcement comes within
        ``known_threshold`` of the story (its second outlet, its aftermath)."""
        if story is None or pending(item.title) or not done_alike(story, fresh):
            return False
        since = awaited(item.probes, self.memory, item.published, self.s)
        if since is None:
            return False
        hours = (item.published - since).total_seconds() / 3600
        after = young_events(self.model.events, item.published, hours)
        return self.memory.score_among(rows, after) < self.s.known_threshold

    def _anchored(self, story: Story, item: Item, rows: np.ndarray) -> bool:
        """``relevance.anchored`` for ``story`` with ``item`` added (``rows``: their
        reports' embeddings)."""
        known = [a for a in {*story.actors, *item.actors} if a in self.model.actors]
        core, founders = protagonists(self.model, known, self._aside(known, item.published))
        return anchored(rows, frozenset(core), bool(founders), self.memory, self.s)

    def _series(self, story: Story, item: Item) -> bool:
        """Whether the report confirming ``story`` or its first news is an edition of a
        series the stream carried on an earlier day, its numbers aside ("Live view over
        the border (Nov. 14)", then "(Nov. 17)"): a programme, not a development."""
        if self.mentions is None:
            return False
        days = self.s.actor_share_days
        return any(self.mentions.series(t, item.published, days)
                   for t in {item.title, story.titles[story.first_news()]})

    def _retold(self, story: Story, item: Item) -> frozenset[str]:
        """The story's headline newcomers (this report's too) that only retell a recent
        development's headline (``novelty.retold_heads``)."""
        keys = {*story.heads, *(n.key for n in item.names if n.in_title)}
        if not keys:
            return frozenset()
        return retold_heads(keys, self.model.names, recent_headlines(
            self.model.events, item.published, self.s.story_window_h))

    def _key_actors(self, story: Story) -> list[str]:
        """The actors a development brought into the saga: the newcomers its reports share
        (known actors by now, or soon). Its later reports name them."""
        keys = [k for k, n in story.cast.items() if n >= 2]
        ids = (self.resolver.resolve(k) for k in keys)
        return list(dict.fromkeys(i for i in ids if i is not None and i not in story.actors))

    def _central_actors(self, story: Story, event_id: str, item: Item,
                        retold: bool = False) -> list[Alert]:
        """Newcomers named by two reports or more of a story told by several outlets take
        part in its development: they become actors (five at most a story); ``retold``:
        the story retells ``event_id``, and they join the cast without an alert."""
        central = sorted((n, k) for k, n in story.cast.items() if n >= 2)[::-1][:5]
        for _, key in central:
            seen = self.model.names.get(key)
            if seen is not None and event_id not in seen.developments:
                seen.developments.append(event_id)
        event = self.model.events.get(event_id)
        return self._new_actors([k for _, k in central], item, item.published, retold=retold,
                                headline=event.statement if event is not None else "")

    def _hold(self, story: Story, item: Item) -> None:
        """A story that is new but not yet told widely at once (``support``) keeps its
        central newcomers (named by two of its sources) as *held*: the reports that will
        tell it more widely name them ("X's potential takeover of Y" before "X agrees to
        buy Y"), and are relevant near it (``relevance.chained``); the prefilter lets
        them through (``SagaModel.prefilter_terms``). They stay newcomers until their
        development is alerted."""
        central = [k for k, n in story.cast.items() if n >= 2
                   and (seen := self.model.names.get(k)) is not None
                   and ready(seen, self.s, developed=False)]
        story.held = list(dict.fromkeys([*story.held, *central]))
        self.memory = with_held(self.memory, story.id, central)

    def _share(self, name: str, now: datetime,
               near: bool = False) -> tuple[int, int] | None:
        """The feed items that named ``name`` lately, and how many of them were the
        saga's relevant reports (``near``: or close to the saga in meaning; None: not
        counted)."""
        if self.mentions is None or not self.s.actor_share:
            return None
        return self.mentions.counts(name, now, self.s.actor_share_days, near=near)

    def _aside(self, ids: Iterable[str], now: datetime) -> frozenset[str]:
        """Of the actors ``ids``, the quiet ones (``_new_actors``) that the stream still
        names mostly outside the saga (``actors.elsewhere``): a head of state, a party, a
        platform met in passing. Their names tie no report to the saga, else each one
        would bring in all of its news ("the president's trip", "the party's
        primary"), and with it the next names of the news at large. Once the saga's
        reports are most of the talk of them (a bank that failed in its turn), they
        count again. The talk of them is the saga's when it is close to the saga in
        meaning (``relevance.near_saga``), relevant or not: the reports that a name set
        aside kept out must not keep it aside. Judged once a day per actor."""
        out = set()
        for aid in ids:
            actor = self.model.actors.get(aid)
            if actor is None or not actor.quiet:
                continue
            key = (aid, now.date())
            if key not in self._aside_memo:
                for old in [k for k in self._aside_memo if k[1] < key[1] - timedelta(days=1)]:
                    del self._aside_memo[old]  # judged again every day
                self._aside_memo[key] = named_elsewhere(self._share(actor.name, now, True),
                                                     self.s)
            if self._aside_memo[key]:
                out.add(aid)
        return frozenset(out)

    def _woken(self, story: Story, event_id: str, item: Item) -> list[Alert]:
        """Quiet actors (promoted without an alert: their reports only named them) that
        the sources of a development make act: now they take part in the saga."""
        out: list[Alert] = []
        for aid in story.acting:
            actor = self.model.actors.get(aid)
            if actor is None or not actor.quiet:
                continue
            share = self._share(actor.name, item.published)
            headed = headed_by(self.model.events[event_id].statement,
                               [actor.name, *actor.aliases])
            if named_elsewhere(share, self.s) and not headed:
                # still named mostly outside the saga, and not the one the development's
                # headline is about ("President Doe outlines consequences for the bank's
                # executives"): it stays quiet
                continue
            actor.quiet = False
            if familiar(actor.first_seen, item.published, self.s):
                self.model.record("actor_familiar", actor.name, item.doc_id,
                                  item.published.isoformat())
                continue
            self.model.record("actor_woken", actor.name, item.doc_id, item.published.isoformat())
            seen = Standing(feeds=len(story.feeds), docs=actor.docs, developments=(event_id,),
                            sentences=tuple(story.sentences[:3]),
                            quiet_since=actor.first_seen or "", stream=share, headed=headed)
            out.append(actor_alert(self.model, aid, seen, item.published, _source(item)))
        return out

    def _new_actors(self, keys: list[str], item: Item, now: datetime,
                    explained: bool = False, retold: bool = False,
                    headline: str = "") -> list[Alert]:
        """``explained``: a relevant report's headline asks who the name is, which makes
        it an actor whatever its count of sources. ``retold``: they come with a retelling
        of a known event, and become quiet actors. ``headline``: the development's; a
        name it gives only as someone's former employer or client ("Ex-Globex lawyer
        Jane Doe") joins the cast quietly (``genre.formerly``)."""
        out: list[Alert] = []
        for key in dict.fromkeys(keys):
            seen = self.model.names.get(key)
            if seen is None or not (
                seen.kind in self.s.new_actor_kinds if explained else ready(seen, self.s)
            ):
                continue
            refusal = refused(key, seen, self.model, self.resolver, self._translated)
            if refusal is not None:
                self._refuse(key, seen, refusal, item, now)
                continue
            share = None if retold else self._share(seen.name, now)  # a guest: not needed
            fate = standing(seen, share, now, self.s, explained=explained, retold=retold,
                            headline=headline)
            actor = grow.promote_name(self.model, key, now.isoformat(), item.doc_id)
            if fate.quiet:  # in the cast, no news
                actor.quiet = True
                self.model.record("actor_quiet", seen.name, item.doc_id, now.isoformat())
            elif fate is Fate.FAMILIAR:
                self.model.record("actor_familiar", seen.name, item.doc_id, now.isoformat())
            else:
                figures = replace(Standing.of(seen), explained=explained, stream=share,
                                  headed=fate is Fate.HEADED)
                out.append(actor_alert(self.model, actor.id, figures, now, _source(item)))
        return out

    def _refuse(self, key: str, seen: NameSeen, refusal: Refusal, item: Item,
                now: datetime) -> None:
        """A tracked name that is no newcomer (``actors.refused``) is tracked no more; a
        job or a crowd is never a name again, and another form of a known actor (a slip,
        a translation) is learned as its alias."""
        self.model.names.pop(key)
        if refusal.fate is Fate.ROLE:
            self.model.ignore.append(key)
        if refusal.same is not None:
            self.model.add_alias(self.model.actors[refusal.same], seen.name, item.doc_id,
                                 now.isoformat())


def _aside_in_seed(name: Name) -> bool:
    """A seat of government ("the Pentagon said") or a news outlet ("the New York Times
    reported") that a seed names in its text only: the seat stands for a government and
    the outlet reports; headlined, either is what the seed is about."""
    return is_seat(name.text) or is_outlet(name.key, ())


def _sentences(an: Analysis) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in an.sentences:
        for m in s.mentions:
            out.setdefault(fold(m.text), s.text)
    return out
