"""The saga event model: actors with their aliases, and a dated timeline of events.

The model is *data*: built by the program from a saga's seed documents (see
``match.decide`` + :meth:`SagaModel.apply`), optionally corrected by a curated TOML file,
stored in Redis by ``store.sagas`` (a record a field, saved as deltas). Every change
records its cause.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from datetime import date as _date  # Event.date (a field) shadows the type in Event
from pathlib import Path
from typing import Any

import orjson

from monitor.errors import ConfigError
from monitor.lexicon import fold

# The Arabic article heading a name ("al-", "el-"), which reports keep or drop
_ARTICLE = re.compile(r"(?<![\w-])(?:al|el)-(?=\w{4})")

ACTION_LABELS = {
    "fired": "fired",
    "resigned": "resigned",
    "appointed": "appointed",
    "hired": "hired / joined",
    "returned": "returned",
    "invested": "investment",
    "threatened": "threat / ultimatum",
    "negotiated": "talks",
    "investigated": "investigation",
    "regretted": "regret / apology",
}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-") or "x"


def edit_distance_le1(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


@dataclass
class Actor:
    id: str
    name: str
    kind: str  # "person" | "org"
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    protagonist: bool = True
    peripheral: str | None = None  # outlet, journalist, historical, tweet_author, passing
    mentions: int = 0
    docs: int = 0
    in_events: int = 0
    first_seen: str | None = None
    cause: str = ""
    curated: bool = False
    seeded: bool = False  # known from the seed documents
    # promoted without an alert: its reports named it, never as one who acts (a product, a
    # show, a venue); alerted the first time a development's report makes it act
    quiet: bool = False

    def forms(self) -> set[str]:
        """Folded names and aliases, a hyphenated one also with spaces ("al-noor" and
        "al noor": reports write it both ways), and an Arabic name also without its
        article ("Noor Hospital" is Al-Noor's, "el-Said" is Said)."""
        out = {fold(a) for a in (self.name, *self.aliases)} | self.bare()
        return out | {f.replace("-", " ") for f in out if "-" in f}

    def bare(self) -> set[str]:
        """Its folded names and aliases that an Arabic article heads, without it
        ("shifa" for "Al-Shifa")."""
        out = {fold(a) for a in (self.name, *self.aliases)}
        return {b for f in out if (b := _ARTICLE.sub("", f)) != f and len(b) >= 4}

    @property
    def specific(self) -> bool:
        """Specific enough that naming it ties an item to the saga: chosen by a person
        (seed, curation) or a name of two words or more. One word found live ("Bank",
        "Japan", "House") is named by too much news of every kind."""
        return self.curated or self.seeded or len(self.name.split()) >= 2

    @property
    def settled(self) -> bool:
        """Part of the saga's core: from the seeds or the curation, or in two events."""
        return self.curated or self.seeded or self.in_events >= 2

    @property
    def first(self) -> str | None:
        parts = self.name.split()
        return parts[0] if self.kind == "person" and len(parts) >= 2 else None

    @property
    def last(self) -> str | None:
        parts = self.name.split()
        return parts[-1] if self.kind == "person" and len(parts) >= 2 else None


@dataclass
class Evidence:
    doc_id: str
    sentence: str
    date: str | None
    title: str = ""
    url: str | None = None


@dataclass
class Event:
    id: str
    action: str
    actors: list[str]
    date: str | None
    statement: str
    evidence: list[Evidence] = field(default_factory=list)
    vectors: list[str] = field(default_factory=list)  # packed embeddings (embed.pack)
    first_seen: str | None = None
    cause: str = ""
    date_precise: bool = False  # the date was read from a sentence, not a publication date
    key_actors: list[str] = field(default_factory=list)  # who the action is about
    origin: str = "seed"  # "seed": told by a seed document; "story": an alerted development
    feeds: list[str] = field(default_factory=list)  # distinct sources that reported it
    heads: list[str] = field(default_factory=list)  # the newcomers its reports headlined
    follows: str | None = None  # the plan (talks, an offer) it took to its next stage
    # a development whose headline tells an outsider reacting or reports a poll
    # (``genre.reaction``, ``genre.polled``): known to the model, never alerted
    talk: bool = False

    @property
    def day(self) -> _date | None:
        return _date.fromisoformat(self.date) if self.date else None

    def told_as(self) -> list[str]:
        """How it was told: its headline, then its reports' titles, each once."""
        return list(dict.fromkeys(t for t in (self.statement, *(e.title for e in self.evidence))
                                  if t))


@dataclass
class Story:
    """Reports of something the model does not know, waiting for a second source.

    ``vectors`` are packed embeddings (``embed.pack``) of its reports; ``names`` the
    folded names no actor has that its reports share, with their counts."""

    id: str
    first: str  # ISO time of the first report
    last: str
    titles: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    urls: list[str | None] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    vectors: list[str] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)
    novel: dict[str, int] = field(default_factory=dict)  # words new to the saga, by reports
    # ... of which in their headlines: what a development brings that the saga never said
    fresh: dict[str, int] = field(default_factory=dict)
    # ... and the names no actor has in their headlines: who a development brings in
    heads: dict[str, int] = field(default_factory=dict)
    actors: list[str] = field(default_factory=list)  # known actors its reports name
    sentences: list[str] = field(default_factory=list)
    # which of its reports (as ``docs``) are talk about the news (op-eds, podcasts, ...):
    # not sources, never its headline or its source link
    talk: list[bool] = field(default_factory=list)
    # the language of each of its reports (as ``docs``; "" unknown, and for the reports
    # of a story stored before they were kept)
    languages: list[str] = field(default_factory=list)
    # when each of its reports was published (as ``docs``, ISO; none for the reports of a
    # story stored before they were kept)
    times: list[str] = field(default_factory=list)
    # the names no actor has, counted over its sources alone (talk left out): who takes
    # part in its development, as the outlets that report it tell
    cast: dict[str, int] = field(default_factory=dict)
    # the known actors its sources make act (subject, object, agent: ``monitor.syntax``)
    acting: list[str] = field(default_factory=list)
    nearest_event: str | None = None
    nearest_score: float = 0.0
    # its central newcomers while it waits to be told more widely (``engine._hold``)
    held: list[str] = field(default_factory=list)
    # of the names no actor has, in how many of its reports each is the speaker of a
    # statement, and in how many it acts (``Name.speaks``, ``Name.argument``)
    spoke: dict[str, int] = field(default_factory=dict)
    acted: dict[str, int] = field(default_factory=dict)

    def news_titles(self) -> list[str]:
        """The titles of its reports that are news, not talk (a report stored before
        ``talk`` was kept is news)."""
        return [t for i, t in enumerate(self.titles) if self.talk[i:i + 1] != [True]]

    def first_news(self) -> int:
        """The index of its first report that is news (0 when all are talk)."""
        return next((i for i, t in enumerate(self.talk) if not t), 0)


@dataclass
class Report:
    """A relevant report of the last hours, kept to tell how widely a story is told: its
    outlet (``novelty.outlets.source_of``), when it was published, and its packed
    embeddings (``embed.pack``: lead and title). One whose headline announces a decision
    or a plan to come (``awaits``: "Council poised to pass the budget") is kept for days:
    what it announced may come to pass then (``novelty.support.awaited``)."""

    id: str  # the document's id
    at: str  # ISO time of publication
    outlet: str
    vectors: list[str] = field(default_factory=list)
    awaits: bool = False


@dataclass
class NameSeen:
    """A name no actor has, as relevant reports use it (the road to a new actor)."""

    name: str
    kind: str
    feeds: list[str] = field(default_factory=list)
    docs: int = 0
    titles: int = 0
    prose: int = 0  # uses in running text (not a Title Case headline)
    lower: int = 0  # reports whose running text writes it in lower case (a common noun)
    roles: list[str] = field(default_factory=list)
    developments: list[str] = field(default_factory=list)  # event ids whose reports name it
    sentences: list[str] = field(default_factory=list)
    first_seen: str | None = None
    # how its reports shorten it ("Harbor Trust" for Harbor Trust Bank): its aliases
    short: list[str] = field(default_factory=list)
    parsed: int = 0  # reports whose parsed lead names it (``monitor.syntax``)
    argument: int = 0  # ... as a subject, object or agent of a clause: one who acts
    spoke: int = 0  # ... as the speaker of a statement ("Doe says...")
    # the forms it was written in, by reports using them ("Harbor Trust Banku" in a Polish
    # report's oblique case, "Harbor Trust Bank" in three English ones): the actor it
    # becomes is named by the most used
    forms: dict[str, int] = field(default_factory=dict)

    def written_as_name(self) -> bool:
        """Whether the reports write it as a name: in running text at all (a Title Case
        headline capitalises any phrase: "Largest Hospital", "Shock Move"), and there more
        often with capitals than without ("bank failures" is a common noun)."""
        return self.prose > 0 and self.lower < self.prose

    def written(self) -> str:
        """The form the reports write it in most."""
        return max(self.forms, key=lambda f: self.forms[f]) if self.forms else self.name


class Counts(dict[str, int]):
    """Word counts that remember which keys changed since :meth:`settle` (the store saves
    only those). Every write goes through ``__setitem__``, ``__delitem__`` or ``pop``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changed: set[str] = set()

    def __setitem__(self, key: str, value: int) -> None:
        super().__setitem__(key, value)
        self.changed.add(key)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changed.add(key)

    def pop(self, key: str, *default: Any) -> Any:  # type: ignore[override]
        self.changed.add(key)
        return super().pop(key, *default)

    def setdefault(self, key: str, default: int = 0) -> int:  # type: ignore[override]
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def clear(self) -> None:
        self.changed.update(self)
        super().clear()

    def popitem(self) -> tuple[str, int]:
        key, value = super().popitem()
        self.changed.add(key)
        return key, value

    def settle(self) -> set[str]:
        """The keys changed since the last call, forgotten."""
        changed, self.changed = self.changed, set()
        return changed


@dataclass
class Change:
    """One entry of the model's history."""

    version: int
    kind: str  # actor_added, alias_added, event_added, evidence_added, curated, ...
    detail: str
    cause: str  # document id (or "curation", "seed")
    at: str


def seed_headlines(events: Mapping[str, Event]) -> list[str]:
    """The folded headlines of the seed documents' events: what the saga began as."""
    return [fold(e.statement) for e in events.values() if e.origin == "seed"]


@dataclass
class SagaModel:
    name: str
    title: str = ""
    version: int = 0
    actors: dict[str, Actor] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)  # folded forms never taken as actors
    # prefilter terms ("~" = weak): curated, and the countries of a saga with no cast
    terms: list[str] = field(default_factory=list)
    docs_seen: int = 0
    pending: list[Change] = field(default_factory=list)  # changes not yet stored
    form_counts: Counter[str] = field(default_factory=Counter)  # folded surface -> uses
    stories: dict[str, Story] = field(default_factory=dict)  # pending, by id
    names: dict[str, NameSeen] = field(default_factory=dict)  # folded name -> uses
    outlets: list[str] = field(default_factory=list)  # the feeds' names ("bbci", "cnbc")
    # the relevant reports of the last ``support_window_h`` hours, by document id
    recent: dict[str, Report] = field(default_factory=dict)
    # words of relevant reports -> uses (keeps track of its changes: see ``Counts``)
    vocab: Counts = field(default_factory=Counts)

    # -- queries -----------------------------------------------------------
    def is_empty(self) -> bool:
        return not self.actors and not self.events

    def protagonists(self) -> list[Actor]:
        return [a for a in self.actors.values() if a.protagonist]

    def headlined(self) -> tuple[int, int]:
        """How many of the seeds' headlines name a protagonist (a person by his surname, a
        declined form too: "Pentagonu"), of how many. The reports of a saga name what
        its headlines name; seeds whose headlines name none of its actors leave the
        prefilter, which looks for names, with little to find them by."""
        heads = seed_headlines(self.events)
        forms: set[str] = set()
        for a in self.protagonists():
            forms |= a.forms() | ({fold(a.last)} if a.last and len(a.last) >= 4 else set())
        if not forms:
            return 0, len(heads)
        pattern = re.compile("|".join(rf"(?<!\w){re.escape(f)}\w{{0,3}}(?!\w)"
                                      for f in sorted(forms, key=len, reverse=True)))
        return sum(pattern.search(h) is not None for h in heads), len(heads)

    def thinly_headlined(self) -> tuple[int, int] | None:
        """``headlined`` when fewer than half of the seeds' headlines name one of its
        protagonists (its reports may name none of them and never be read), else None."""
        named, heads = self.headlined()
        return (named, heads) if self.protagonists() and 2 * named < heads else None

    def timeline(self) -> list[Event]:
        return sorted(self.events.values(), key=lambda e: (e.date or "9999", e.first_seen or ""))

    def names_signature(self) -> tuple[int, int]:
        """Changes whenever an actor or an alias is added, merged or removed."""
        return len(self.actors), sum(len(a.aliases) for a in self.actors.values())

    def start_date(self) -> date | None:
        """When the saga began: the earliest date two events agree on (one stray early
        date, a historical reference read as an event, does not move it)."""
        days = sorted(date.fromisoformat(e.date) for e in self.events.values() if e.date)
        if not days:
            return None
        return days[1] if len(days) > 1 else days[0]

    def actor_name(self, actor_id: str) -> str:
        a = self.actors.get(actor_id)
        return a.name if a else actor_id

    def prefilter_terms(self) -> list[str]:
        """Terms for the relevance prefilter (``monitor.prefilter`` syntax, "~" = weak).

        Strong: a person's full name, a surname of 4+ letters, a handle, the saga's hub
        organisations (named in at least half of the events), an organisation found live
        that took part in a development (one told widely at once: ``novelty.support``).
        Weak (they count only next to a strong term, or two weak ones together): first
        names, short surnames, other organisations (a company much wider than the saga,
        "Globex", is news every day), the newcomers that a story waiting to be told more
        widely holds (``Story.held``).
        Curated ``terms`` are added as written.
        """
        terms: dict[str, bool] = {}  # term -> weak

        def add(term: str, weak: bool) -> None:
            if len(term) >= 3:
                terms[term] = terms.get(term, True) and weak

        n_events = max(1, len(self.events))
        for a in self.protagonists():
            if a.kind == "org":
                # a hub; or one the saga found live that took part in a development:
                # the story has moved to it (a second lender failing, a buyer)
                joined = not (a.seeded or a.curated) and a.in_events >= 1
                hub = (a.in_events * 2 >= n_events or joined) and not a.role
                for form in (a.name, *a.aliases, *sorted(a.bare())):
                    add(form, weak=not hub)
                continue
            # A person the model found live (not in the seeds) earns a strong term by
            # taking part in events: a name met once must not widen the funnel alone.
            settled = a.settled
            add(a.name, weak=len(a.name.split()) < 2 or not settled)
            first, last = a.first, a.last
            if last:
                add(last, weak=len(last) < 6 or not settled)
            for form in a.aliases:
                if form.startswith("@") or len(form.split()) >= 2:
                    add(form, weak=not settled)
                elif form == last:
                    add(form, weak=len(form) < 6 or not settled)
                else:  # a first name, a one-word slip
                    add(form, weak=True)
            if first:
                add(first, weak=True)
        for story in self.stories.values():
            for key in story.held:
                if (seen := self.names.get(key)) is not None:
                    add(seen.name, weak=True)
        out = [f"~{t}" if weak else t for t, weak in sorted(terms.items())]
        return out + [t for t in self.terms if t not in out]

    def actor_weights(self) -> dict[str, float]:
        """IDF-like weight of each actor over events: hubs (the company) weigh little."""
        n = max(1, len(self.events))
        counts: Counter[str] = Counter(a for e in self.events.values() for a in set(e.actors))
        return {aid: math.log(1 + n / (1 + counts.get(aid, 0))) + 0.1 for aid in self.actors}

    # -- changes -----------------------------------------------------------
    def record(self, kind: str, detail: str, cause: str, at: str) -> None:
        self.version += 1
        self.pending.append(Change(self.version, kind, detail, cause, at))

    def add_alias(self, actor: Actor, alias: str, cause: str, at: str) -> None:
        f = fold(alias)
        if f and f not in actor.forms():
            actor.aliases.append(alias)
            self.record("alias_added", f"{actor.name} += {alias!r}", cause, at)

    def new_actor_id(self, name: str) -> str:
        base = slug(name)
        aid, i = base, 2
        while aid in self.actors:
            aid, i = f"{base}-{i}", i + 1
        return aid

    def merge_actors(self, keep: Actor, drop: Actor, cause: str, at: str) -> None:
        if keep.id == drop.id:
            return
        for alias in (drop.name, *drop.aliases):
            if fold(alias) not in keep.forms():
                keep.aliases.append(alias)
        keep.mentions += drop.mentions
        keep.docs = max(keep.docs, drop.docs)
        keep.in_events += drop.in_events
        keep.role = keep.role or drop.role
        for ev in self.events.values():
            if drop.id in ev.actors:
                ev.actors = list(dict.fromkeys(keep.id if a == drop.id else a for a in ev.actors))
        del self.actors[drop.id]
        self.record("actors_merged", f"{drop.name} -> {keep.name}", cause, at)

    def describe(self, e: Event) -> str:
        """A short normalised statement: who (the people the action is about first), what."""
        keys = [k for k in e.key_actors if k in self.actors]
        rest = sorted(
            (a for a in e.actors if a not in keys and a in self.actors),
            key=lambda a: (self.actors[a].kind != "person", -self.actors[a].mentions),
        )
        names = ", ".join(self.actor_name(a) for a in [*keys, *rest][:4]) or "unnamed"
        return f"{names} — {ACTION_LABELS.get(e.action, e.action)}"

    # -- consolidation -----------------------------------------------------
    def consolidate(
        self, cause: str, at: str, *, min_mentions: int = 2, strict: bool = False
    ) -> list[str]:
        """Canonical names (most used full form) and protagonist flags.

        ``strict`` (live, after seeding): a name seen in passing plays a role only once it
        takes part in an event; a protagonist stays one. Returns the ids of actors that
        were seen in passing and now play a role."""
        promoted: list[str] = []
        for a in self.actors.values():
            if a.curated:
                continue
            if a.kind == "person":
                full = [x for x in (a.name, *a.aliases) if len(x.split()) >= 2 and "@" not in x]
                if full:
                    best = max(full, key=lambda x: (self.form_counts.get(fold(x), 0), len(x)))
                    if best != a.name:
                        a.aliases = [x for x in a.aliases if x != best] + [a.name]
                        a.name = best
            was = a.protagonist
            if fold(a.name) in self.ignore or any(f in self.ignore for f in a.forms()):
                a.protagonist, a.peripheral = False, a.peripheral or "ignored"
            elif a.peripheral and a.peripheral != "passing":
                a.protagonist = False
            else:
                plays_role = a.in_events > 0 or a.role is not None or a.mentions >= min_mentions
                if strict and not was:  # live: in an event, or a role seen in 2+ documents
                    plays_role = a.in_events > 0 or (a.role is not None and a.docs >= 2)
                a.protagonist = plays_role
                a.peripheral = None if plays_role else "passing"
            if was != a.protagonist:
                if a.protagonist:
                    promoted.append(a.id)
                self.record(
                    "protagonist" if a.protagonist else "peripheral",
                    f"{a.name}: {a.peripheral or 'plays a role'}",
                    cause,
                    at,
                )
        for e in self.events.values():
            e.statement = e.statement or self.describe(e)
        return promoted

    # -- curation ----------------------------------------------------------
    def apply_curation(self, cur: Curation, at: str) -> None:
        for term in cur.terms:
            if term not in self.terms:
                self.terms.append(term)
                self.record("term_added", term, "curation", at)
        for folded in cur.ignore:
            if folded not in self.ignore:
                self.ignore.append(folded)
        for spec in cur.actors:
            target = self.find(spec["name"]) or next(
                (a for al in spec.get("aliases", []) if (a := self.find(al))), None
            )
            if target is None:
                target = Actor(
                    id=self.new_actor_id(spec["name"]),
                    name=spec["name"],
                    kind=spec.get("kind", "person"),
                    first_seen=at,
                    cause="curation",
                )
                self.actors[target.id] = target
                self.record("actor_added", f"{target.name} (curated)", "curation", at)
            target.curated = True
            if target.name != spec["name"]:
                target.aliases.append(target.name)
                target.name = spec["name"]
            target.kind = spec.get("kind", target.kind)
            target.role = spec.get("role", target.role)
            for alias in spec.get("aliases", []):
                other = self.find(alias)
                if other is not None and other.id != target.id:
                    self.merge_actors(target, other, "curation", at)
                self.add_alias(target, alias, "curation", at)
            if spec.get("protagonist") is not None:
                target.protagonist = bool(spec["protagonist"])
                target.peripheral = (
                    None if target.protagonist else spec.get("peripheral", "curated")
                )
        for a in list(self.actors.values()):
            if not a.curated and any(f in self.ignore for f in a.forms()):
                a.protagonist, a.peripheral = False, "ignored"

    def find(self, surface: str) -> Actor | None:
        f = fold(surface)
        for a in self.actors.values():
            if f in a.forms():
                return a
        return None

    # -- wire ----------------------------------------------------------------
    def to_json(self) -> bytes:
        """The whole model as compact JSON, written by orjson straight from the
        dataclasses (exports, and the layout models were stored in before
        ``store.sagas`` kept one record a field)."""
        return orjson.dumps({
            "name": self.name,
            "title": self.title,
            "version": self.version,
            "docs_seen": self.docs_seen,
            "ignore": self.ignore,
            "terms": self.terms,
            "actors": list(self.actors.values()),
            "events": list(self.events.values()),
            "form_counts": dict(self.form_counts),
            "stories": list(self.stories.values()),
            "names": self.names,
            "outlets": self.outlets,
            "vocab": self.vocab,
            "recent": list(self.recent.values()),
        })

    def to_dict(self) -> dict[str, Any]:
        return dict(orjson.loads(self.to_json()))

    @classmethod
    def from_json(cls, raw: bytes | str) -> SagaModel:
        return cls.from_dict(orjson.loads(raw))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SagaModel:
        m = cls(name=d["name"], title=d.get("title", ""), version=int(d.get("version", 0)))
        m.docs_seen = int(d.get("docs_seen", 0))
        m.ignore = list(d.get("ignore", []))
        m.terms = list(d.get("terms", []))
        for a in d.get("actors", []):
            actor = Actor(**a)
            m.actors[actor.id] = actor
        for e in d.get("events", []):
            ev = Event(**{**e, "evidence": [Evidence(**x) for x in e.get("evidence", [])]})
            m.events[ev.id] = ev
        m.form_counts = Counter(d.get("form_counts", {}))
        for x in d.get("stories", []):
            st = Story(**x)
            m.stories[st.id] = st
        m.names = {k: NameSeen(**v) for k, v in d.get("names", {}).items()}
        m.outlets = list(d.get("outlets", []))
        m.vocab = Counts(d.get("vocab", {}))
        m.recent = {r["id"]: Report(**r) for r in d.get("recent", [])}
        return m


@dataclass(frozen=True)
class Curation:
    """Corrections a person made to the automatic build (config/sagas/<saga>.toml)."""

    actors: list[dict[str, Any]]
    ignore: list[str]
    terms: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None) -> Curation:
        if path is None:
            return cls([], [])
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"curation file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML in curation file {path}: {exc}") from exc
        actors = raw.get("actors", [])
        for i, a in enumerate(actors):
            if not isinstance(a, dict) or "name" not in a:
                raise ConfigError(f"curation file {path}: actors[{i}] needs a name")
            if a.get("kind", "person") not in ("person", "org"):
                raise ConfigError(f"curation file {path}: actors[{i}].kind must be person or org")
        ignore = [fold(x) for x in raw.get("ignore", [])]
        terms = raw.get("terms", [])
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ConfigError(f"curation file {path}: terms must be a list of strings")
        return cls(actors=actors, ignore=ignore, terms=terms)


_HEAD = re.compile(r"[\w@]+")
_HEAD_IN_TEXT = re.compile(r"(?<![\w@])[\w@]+")


class AliasIndex:
    """Finds known actors' surface forms in folded text (word boundaries, longest first).

    Single-word forms shared by two actors (a common first name) are left out as ambiguous.
    """

    def __init__(self, model: SagaModel) -> None:
        owners: dict[str, set[str]] = {}
        for a in model.actors.values():
            for f in a.forms():
                if len(f) >= 2:
                    owners.setdefault(f, set()).add(a.id)
        self.form_to_actor = {f: next(iter(ids)) for f, ids in owners.items() if len(ids) == 1}
        # Forms bucketed by their leading word, longest first: a scan costs one dict lookup
        # a word, and building costs no regex compile (the index is rebuilt as names grow).
        self._by_head: dict[str, list[str]] = {}
        for f in sorted(self.form_to_actor, key=len, reverse=True):
            head = _HEAD.match(f)
            if head:
                self._by_head.setdefault(head.group(), []).append(f)
        # tokens of person names, for fuzzy single-word resolution
        self.tokens: dict[str, set[str]] = {}
        for a in model.actors.values():
            if a.kind == "person":
                for f in a.forms():
                    for tok in f.split():
                        if len(tok) >= 3:
                            self.tokens.setdefault(tok, set()).add(a.id)

    def find(self, folded_text: str) -> list[tuple[int, int, str]]:
        """Known forms in ``folded_text`` on word boundaries, leftmost-longest, no overlap."""
        out: list[tuple[int, int, str]] = []
        end = 0
        n = len(folded_text)
        for m in _HEAD_IN_TEXT.finditer(folded_text):
            start = m.start()
            if start < end:
                continue
            for form in self._by_head.get(m.group(), ()):
                stop = start + len(form)
                if folded_text.startswith(form, start) and (
                    stop == n or not (folded_text[stop].isalnum() or folded_text[stop] == "_")
                ):
                    out.append((start, stop, self.form_to_actor[form]))
                    end = stop
                    break
        return out

    def resolve(self, surface: str) -> str | None:
        return self.form_to_actor.get(fold(surface))


def iter_forms(actors: Iterable[Actor]) -> Iterable[tuple[str, Actor]]:
    for a in actors:
        for f in a.forms():
            yield f, a
