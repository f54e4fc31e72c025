"""The model grows: seed facts, reports added to stories and events, stories promoted to
developments, names promoted to actors. The only step that changes the model; every change
is recorded with the document that caused it (``SagaModel.record``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from monitor.declension import nominative
from monitor.embed import pack
from monitor.lexicon import fold
from monitor.novelty.names import plausible_name
from monitor.novelty.places import saga_countries
from monitor.novelty.resolver import Resolver
from monitor.novelty.text import second_sentence
from monitor.novelty.types import Item, Name, still_recent
from monitor.saga import Actor, Event, Evidence, NameSeen, Report, SagaModel, Story
from monitor.types import parse_dt

MAX_EVIDENCE = 20
MAX_STORY_REPORTS = 12  # vectors kept per story: enough to recognise its retellings
# rows a development keeps (two a report): its story's, and those of the late reports
# folded into it (``fold_story``), so that a long-lived daemon's model stays bounded
MAX_EVENT_ROWS = 4 * MAX_STORY_REPORTS


def _report_rows(item: Item) -> list[str]:
    return [pack(v) for v in item.probes]


def _evidence(item: Item) -> Evidence:
    sentence = second_sentence(item.sentences, item.title)
    return Evidence(item.doc_id, sentence, item.published.date().isoformat(), item.title, item.url)


def add_actor(model: SagaModel, name: str, kind: str, at: str, cause: str, *,
              seeded: bool = False, role: str | None = None) -> Actor:
    actor = Actor(id=model.new_actor_id(name), name=name, kind=kind, role=role,
                  first_seen=at, cause=cause, seeded=seeded, mentions=1, docs=1)
    model.actors[actor.id] = actor
    model.record("actor_added", f"{name} ({kind})", cause, at)
    return actor


def add_state(model: SagaModel, forms: Sequence[str], at: str, cause: str) -> Actor:
    """A country acting in a development (``actors.acting_state``) joins the saga's cast:
    named as the headline wrote it, its other names (in our languages) its aliases, its
    role the government."""
    actor = add_actor(model, forms[0], "org", at, cause, role="government")
    for form in forms[1:]:
        model.add_alias(actor, form, cause, at)
    return actor


def seed_texts(model: SagaModel) -> list[str]:
    """What the seeds told, as the model keeps it: each seed event's headline, and its
    evidence's titles and sentences."""
    return [t for e in model.events.values() if e.origin == "seed"
            for t in (e.statement, *(v.title for v in e.evidence),
                      *(v.sentence for v in e.evidence)) if t]


def alias(model: SagaModel, actor: Actor, short: str, cause: str, at: str, *,
          seed: bool = False) -> None:
    """A short form a report gave an organisation's name becomes its alias: in a seed,
    which a person chose, whatever it is ("Al-Nour" for Al-Nour Medical Centre: the
    form most reports use); in a report found live, when it says who it is on its own,
    its first two words or more ("Harbor Trust"): "First" or "Bank" alone would name
    anyone. A person's surname is found without an alias."""
    if actor.kind != "person" and (seed or len(short.split()) >= 2):
        model.add_alias(actor, short, cause, at)


def seed_places(model: SagaModel, at: str) -> list[str]:
    """The countries that the seeds headline (``places.saga_countries``) become saga terms
    of the prefilter, strong, in each of our languages, when most of those headlines name
    none of its protagonists (``SagaModel.headlined``): a volcano, a quake has no cast to
    search by, and the press names it by its country. A saga whose headlines name its
    cast (candidates in an election, leaders at a summit, the Pentagon) is found by them;
    its country would bring in all of that country's news. Returns the terms added."""
    named, heads = model.headlined()
    if 2 * named >= heads:
        return []
    headlines = [e.statement for e in model.events.values() if e.origin == "seed"]
    names = [f for a in model.actors.values() for f in (a.name, *a.aliases)]
    added: list[str] = []
    for forms in saga_countries(headlines, names):
        new = [f for f in forms if f not in model.terms and f"~{f}" not in model.terms]
        if new:
            model.terms += new
            model.record("saga_place", ", ".join(new), "seed", at)
            added += new
    return added


def seed(model: SagaModel, item: Item, names: list[Name], peripheral: list[Name], at: str) -> Event:
    """A seed document: its names become actors, its text a known event."""
    ids = list(item.actors)
    for n in sorted(names, key=lambda x: -len(x.text.split())):
        resolver = Resolver(model)
        aid = resolver.resolve(n.text)
        held = None if aid is not None else resolver.held(n.text)
        if held is not None and _surname_taken_for_org(model.actors[held], n):
            aid, held = held, None
            _as_person(model, model.actors[aid], n.text, item.doc_id, at)
        if held is not None:  # "Top-secret Globex": a known one in a phrase, no new form
            aid = held
        elif aid is None:
            # only a person holds a role (``promote_name``): "le PDG de Globex" is another's
            role = n.role if n.kind == "person" else None
            aid = add_actor(model, n.text, n.kind, at, item.doc_id, seeded=True, role=role).id
        else:  # another form of a known actor ("HTB", "Nowaka"): an alias to search for
            model.add_alias(model.actors[aid], n.text, item.doc_id, at)
        for form in [] if held is not None else n.short:
            alias(model, model.actors[aid], form, item.doc_id, at, seed=True)
        ids.append(aid)
    for n in peripheral:
        if Resolver(model).resolve(n.text) is None:
            a = add_actor(model, n.text, n.kind, at, item.doc_id, seeded=True)
            a.protagonist, a.peripheral = False, "passing"
    ids = list(dict.fromkeys(ids))
    for aid in ids:
        model.actors[aid].in_events += 1
    event = Event(
        id=f"seed-{item.doc_id}", action="", actors=ids,
        date=item.published.date().isoformat(), statement=item.title,
        evidence=[_evidence(item)], vectors=[pack(item.lead)] + [pack(v) for v in item.vectors],
        first_seen=at, cause=item.doc_id, origin="seed", feeds=[item.feed],
    )
    model.events[event.id] = event
    model.record("event_added", f"{event.statement} (seed)", item.doc_id, at)
    return event


def rename(model: SagaModel, actor_id: str, name: str, cause: str, at: str) -> None:
    """The actor goes by ``name``, one of its aliases; its old name becomes one."""
    actor = model.actors[actor_id]
    old = actor.name
    actor.aliases = [old if fold(a) == fold(name) else a for a in actor.aliases]
    actor.name = name
    model.record("actor_renamed", f"{old} -> {name}", cause, at)


def _surname_taken_for_org(actor: Actor, name: Name) -> bool:
    """Whether a seed's person ("Jane Doe") ends on the one word an earlier seed's NER
    took for an organisation ("Harbor's Doe wins support": ORG): his surname, not a
    company in a phrase ("Top Globex")."""
    words = fold(name.text).split()
    return (actor.kind == "org" and name.kind == "person" and len(words) >= 2
            and " " not in actor.name.strip() and words[-1] == fold(actor.name)
            and plausible_name(name.text, "person"))


def _as_person(model: SagaModel, actor: Actor, full: str, cause: str, at: str) -> None:
    """The actor is a person, named in full; his surname stays one of his forms."""
    surname = actor.name
    actor.kind, actor.name = "person", full
    model.add_alias(actor, surname, cause, at)


def report_known(model: SagaModel, event_id: str, item: Item) -> None:
    ev = model.events[event_id]
    if item.feed not in ev.feeds:
        ev.feeds.append(item.feed)
    if len(ev.evidence) < MAX_EVIDENCE and all(x.doc_id != item.doc_id for x in ev.evidence):
        ev.evidence.append(_evidence(item))


def _story_evidence(story: Story) -> list[Evidence]:
    """A story's reports as evidence: each one's title, dated by the story's first day."""
    return [Evidence(d, t, story.first[:10], t, u)
            for d, t, u in zip(story.docs, story.titles, story.urls, strict=True)]


def fold_story(model: SagaModel, story: Story, event_id: str, item: Item) -> int:
    """A story that tells the known event ``event_id`` again (with ``item``, its newest
    report) is folded into it: its reports are the event's sources, and it is gone. Their
    embeddings become the event's too: the outlets that came late worded the development
    their own way, and its next retellings will look like them as much as like its first
    reports (``Engine._told_again``). Measured on the jittered band of the labelled
    sagas: two false alarms fewer at every quantile, as many found at the median (notes,
    2026-12-07). Returns how many rows it took (``MAX_EVENT_ROWS`` at most in all), the
    story's first, then the newest report's."""
    ev = model.events[event_id]
    rows = [*story.vectors, *_report_rows(item)][:max(0, MAX_EVENT_ROWS - len(ev.vectors))]
    ev.vectors += rows
    for feed in story.feeds:
        if feed not in ev.feeds:
            ev.feeds.append(feed)
    held = {x.doc_id for x in ev.evidence}
    ev.evidence += [e for e in _story_evidence(story) if e.doc_id not in held]
    del ev.evidence[MAX_EVIDENCE:]
    report_known(model, event_id, item)
    model.stories.pop(story.id, None)
    model.record("story_folded", f"{story.titles[0]} -> {ev.statement}", item.doc_id,
                 item.published.isoformat())
    return len(rows)


def learn_words(model: SagaModel, words: frozenset[str], language: str) -> None:
    """Count a report's words, by language; ``"<lang>:"`` counts its reports."""
    for w in (*words, ""):
        key = f"{language}:{w}"
        model.vocab[key] = model.vocab.get(key, 0) + 1


def learn_headline(model: SagaModel, words: frozenset[str], language: str) -> None:
    """Count a headline's words over all the headlines read (``"*:"``) and over those of
    its language (``"*en:"``): what headlines in general say, whatever their saga."""
    learn_words(model, words, "*")
    if language:
        learn_words(model, words, f"*{language}")


def said(model: SagaModel, words: dict[str, int], rare: int) -> None:
    """What an alerted development said is no longer new: its headline words count as
    used ``rare`` times (a later report of it with the same words is its retelling)."""
    for key in words:
        model.vocab[key] = max(model.vocab.get(key, 0), rare)


def add_report(model: SagaModel, story_id: str, item: Item, nearest: tuple[str | None, float],
               at: str, novel: frozenset[str] = frozenset(),
               fresh: frozenset[str] = frozenset(), *, source: bool = True) -> Story:
    story = model.stories.get(story_id)
    when = item.published.isoformat()
    if story is None:
        story = Story(id=story_id, first=when, last=when,
                      nearest_event=nearest[0], nearest_score=nearest[1])
        model.stories[story_id] = story
        model.record("story_opened", item.title, item.doc_id, at)
    story.last = max(story.last, when)
    if nearest[1] > story.nearest_score:
        story.nearest_event, story.nearest_score = nearest
    story.titles.append(item.title)
    story.docs.append(item.doc_id)
    missing = len(story.docs) - 1 - len(story.talk)  # a story stored before ``talk`` was
    story.talk += [False] * missing + [not source]
    story.languages += [""] * (len(story.docs) - 1 - len(story.languages)) + [item.language]
    story.times += [""] * (len(story.docs) - 1 - len(story.times)) + [when]
    story.urls.append(item.url)
    if source and item.feed not in story.feeds:
        story.feeds.append(item.feed)
    if len(story.vectors) < 2 * MAX_STORY_REPORTS:
        story.vectors += _report_rows(item)
    for n in item.names:
        story.names[n.key] = story.names.get(n.key, 0) + 1
        if source:
            story.cast[n.key] = story.cast.get(n.key, 0) + 1
        if n.in_title and not n.lower:  # "Bank Stocks Tumble", the text's "bank stocks"
            story.heads[n.key] = story.heads.get(n.key, 0) + 1
        if n.speaks:
            story.spoke[n.key] = story.spoke.get(n.key, 0) + 1
        if n.argument:
            story.acted[n.key] = story.acted.get(n.key, 0) + 1
    for w in novel:
        story.novel[w] = story.novel.get(w, 0) + 1
    for w in fresh:
        story.fresh[w] = story.fresh.get(w, 0) + 1
    story.actors = list(dict.fromkeys([*story.actors, *item.actors]))
    if source:
        story.acting = list(dict.fromkeys([*story.acting, *item.acting]))
    said = second_sentence(item.sentences, "")
    if said and len(story.sentences) < 5:
        story.sentences.append(said)
    return story


def promote_story(model: SagaModel, story: Story, headline: str, at: str, cause: str,
                  day: str | None = None) -> Event:
    """A confirmed story becomes a known development (its retellings will be known).
    ``day``: when it happened, if not on its first report's day (talks, then the deal)."""
    event = Event(
        id=f"dev-{story.id}", action="", actors=list(story.actors),
        date=day or story.first[:10], statement=headline, vectors=list(story.vectors),
        evidence=_story_evidence(story)[:MAX_EVIDENCE],
        first_seen=at, cause=cause, origin="story", feeds=list(story.feeds),
        heads=list(story.heads),
    )
    for aid in event.actors:
        if aid in model.actors:
            model.actors[aid].in_events += 1
    model.events[event.id] = event
    del model.stories[story.id]
    model.record("event_added", headline, cause, at)
    return event


def promote_name(model: SagaModel, key: str, at: str, cause: str) -> Actor:
    seen: NameSeen = model.names.pop(key)
    # named as most of its reports write it, a person in the nominative when they write
    # a Polish case ("Jana Nowaka": ``declension``); the forms read stay aliases
    most = max(seen.forms, key=seen.forms.__getitem__) if seen.forms else seen.name
    name = (nominative(most) if seen.kind == "person" else None) or most
    # a role word next to an organisation's name is another's ("Acme president Jo Doe"):
    # only a person holds one
    actor = add_actor(model, name, seen.kind, at, cause,
                      role=seen.roles[0] if seen.roles and seen.kind == "person" else None)
    for form in dict.fromkeys((seen.name, most)):
        if form != name:
            model.add_alias(actor, form, cause, at)
    actor.docs, actor.mentions = seen.docs, seen.docs
    for form in seen.short:
        alias(model, actor, form, cause, at)
    actor.in_events = len(seen.developments)
    return actor


def remember(model: SagaModel, item: Item, outlet: str, window_h: float,
             awaits: bool = False, awaits_h: float = 0.0) -> None:
    """Keep ``item``, a relevant report, among the recent ones (``SagaModel.recent``), and
    forget those published more than ``window_h`` hours before it; one that ``awaits``
    (its headline announces a decision to come) is kept ``awaits_h`` hours."""
    since = item.published - timedelta(hours=window_h)
    long_ago = item.published - timedelta(hours=awaits_h)
    for key, report in list(model.recent.items()):
        at = parse_dt(report.at)
        if at is None or not still_recent(at, report.awaits, since, long_ago):
            del model.recent[key]
    model.recent[item.doc_id] = Report(item.doc_id, item.published.isoformat(), outlet,
                                       _report_rows(item), awaits)


def prune(model: SagaModel, expired: list[str], at: str, now: datetime) -> None:
    for sid in expired:
        story = model.stories.pop(sid, None)
        if story is not None:
            model.record("story_expired", f"{story.titles[0]} ({now.date()})", "clock", at)
