"""The small frozen values the novelty steps exchange.

An :class:`Item` is one analysed document as the engine sees it: its vectors, the known
actors it names and the names it holds that no actor has yet. A :class:`Memory` is a
read-only view of what the saga model knows, as matrices: the facts of known events
(seed documents and alerted developments) and the reports of stories still waiting for
a second source. Each step turns these into a small verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

import numpy as np

from monitor.types import Document


@dataclass(frozen=True, slots=True, eq=False)
class Skimmed:
    """A document decided from its lead and title embeddings alone, before any analysis
    (``relevance.far``). ``rows`` (its lead and title rows): near the saga's centroid
    but below the report floor of the seeds (``relevance.unseeded``), it is irrelevant
    yet still the talk of the saga's names (``near_saga``); None: far from the saga."""

    doc: Document
    rows: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class Name:
    """A name in an item that is no known actor (yet)."""

    text: str
    key: str  # folded form: the identity of the name across items
    kind: str  # "person" or "org"
    in_title: bool
    role: str | None = None
    prose: bool = False  # named in a sentence of running text (not a Title Case headline)
    # written in lower case in running text too ("Bank Failures" / "bank failures"): a
    # common noun phrase that a Title Case headline capitalised, not a name
    lower: bool = False
    # the short forms the same report gives it ("Harbor Trust" for Harbor Trust Bank)
    short: tuple[str, ...] = ()
    # a subject, object or agent of a clause of the report's lead (``monitor.syntax``);
    # None: no sentence naming it was parsed
    argument: bool | None = None
    # the speaker of a statement in a parsed sentence of the report ("Doe says...")
    speaks: bool | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Item:
    doc_id: str
    title: str
    url: str | None
    feed: str
    published: datetime
    lead: np.ndarray  # embedding of the title and the start of the text
    sentences: tuple[str, ...]
    vectors: np.ndarray  # embeddings of the first sentences
    actors: tuple[str, ...]  # known actors named (ids)
    core: tuple[str, ...]  # ... of which protagonists
    names: tuple[Name, ...]  # names no actor has
    words: frozenset[str] = frozenset()  # content words of its title and lead (stems)
    headline: frozenset[str] = frozenset()  # ... of its title alone
    language: str = ""  # "en", "pl", ... ("" unknown)
    commentator: bool = False  # its headline is a statement by a person new to the saga
    # its core actors that founded the saga (from the seeds or the curation); the others
    # were found live
    founders: tuple[str, ...] = ()
    # the known actors it makes act in its parsed lead (``actors.acting``)
    acting: tuple[str, ...] = ()

    @property
    def probes(self) -> np.ndarray:
        """The item's vectors compared with memory: its lead and its first sentence (the
        title, for a feed item)."""
        return np.vstack([self.lead[None, :], self.vectors[:1]])


@dataclass(frozen=True, slots=True, eq=False)
class Memory:
    """Row matrices of unit vectors, each row owned by an event or a story."""

    known: np.ndarray
    known_owner: tuple[str, ...]
    stories: np.ndarray
    story_owner: tuple[str, ...]
    story_names: dict[str, frozenset[str]]
    centroid: np.ndarray  # the unit mean of the known facts: what the saga is about
    start: date | None = None  # the saga's first day (its earliest seed document)
    # the newcomers that each story's headlines name
    story_heads: dict[str, frozenset[str]] = field(default_factory=dict)
    # actors that a development brought into the saga (its newcomers), to that development
    brought: dict[str, str] = field(default_factory=dict)
    # known events that tell talks, a plan, an offer or a decision to come (``genre.pending``)
    tentative: frozenset[str] = frozenset()
    # the unit mean of the seed documents' facts (what the saga began as; None: the
    # ``centroid``), and which rows of ``known`` are theirs
    seed_centroid: np.ndarray | None = None
    # how closely the seeds agree: the median cosine of their rows to their centroid
    # (0: no seeds known; ``relevance.near_seeds``)
    seed_typical: float = 0.0
    seeded: np.ndarray | None = None
    # the known actors each known event names
    event_actors: dict[str, frozenset[str]] = field(default_factory=dict)
    # the newcomers that pending stories hold (``Story.held``)
    story_held: dict[str, frozenset[str]] = field(default_factory=dict)
    # the relevant reports of the last hours (``support``): their rows (two a report),
    # and each row's outlet and time of publication, and whether its report announced a
    # decision to come (``Report.awaits``; those are kept for days)
    recent: np.ndarray | None = None
    recent_outlet: tuple[str, ...] = ()
    recent_at: tuple[datetime, ...] = ()
    recent_awaits: tuple[bool, ...] = ()

    def nearest_known(self, probes: np.ndarray) -> tuple[str | None, float]:
        return _nearest(probes, self.known, self.known_owner)

    def score_among(self, probes: np.ndarray, owners: frozenset[str]) -> float:
        """The probes' best score against the rows of the known events ``owners``."""
        if not owners or not len(self.known) or not len(probes):
            return 0.0
        mine = np.fromiter((o in owners for o in self.known_owner), dtype=bool,
                           count=len(self.known_owner))
        return float((probes @ self.known[mine].T).max()) if mine.any() else 0.0

    def score_of(self, probes: np.ndarray, owner: str) -> float:
        """The probes' best score against one known event's rows."""
        return self.score_among(probes, frozenset({owner}))

    def story_scores(self, probes: np.ndarray) -> dict[str, float]:
        """Each pending story's best score against the probes."""
        if not len(self.stories):
            return {}
        best = (probes @ self.stories.T).max(axis=0)
        out: dict[str, float] = {}
        for owner, score in zip(self.story_owner, best.tolist(), strict=True):
            out[owner] = max(out.get(owner, -1.0), score)
        return out


def still_recent(at: datetime, awaits: bool, since: datetime, long_ago: datetime) -> bool:
    """The retention rule of the recent relevant reports, stored (``SagaModel.recent``,
    ``grow.remember``) and in memory (``Memory.recent``, ``memory.with_recent``): one
    published before ``since`` is forgotten; one that ``awaits`` (its headline announced
    a decision to come, ``support.awaited``), only before ``long_ago`` when that is
    earlier."""
    return at >= (min(since, long_ago) if awaits else since)


def centroid(rows: np.ndarray) -> np.ndarray:
    if not len(rows):
        return np.zeros(rows.shape[1] if rows.ndim == 2 else 1, dtype=np.float32)
    c = rows.mean(axis=0)
    n = float(np.linalg.norm(c))
    return (c / n).astype(np.float32) if n else c.astype(np.float32)


def _nearest(
    probes: np.ndarray, rows: np.ndarray, owners: tuple[str, ...]
) -> tuple[str | None, float]:
    if not len(rows) or not len(probes):
        return None, 0.0
    sims = (probes @ rows.T).max(axis=0)
    i = int(np.argmax(sims))
    return owners[i], float(sims[i])


class Mentions(Protocol):
    """How often the stream names someone (``store.stream``)."""

    def said(self, at: datetime, title: str, text: str, *, relevant: bool = True) -> None:
        """A relevant report of the saga, published ``at`` (``relevant=False``: an item
        close to the saga in meaning that its relevance turned down)."""

    def counts(self, name: str, now: datetime, days: int, *,
               near: bool = False) -> tuple[int, int]:
        """Of the feed items of the ``days`` days up to ``now``, how many name ``name``,
        and how many of the saga's relevant reports do (``near``: with the items close
        to it in meaning)."""

    def series(self, title: str, now: datetime, days: int) -> bool:
        """Whether the stream carried the headline, its numbers aside, on one of the
        ``days`` days before ``now``'s: an edition of a series (a daily live camera, a
        numbered briefing), not news."""


class Placement(StrEnum):
    IRRELEVANT = "irrelevant"
    KNOWN = "known"  # retells a known event (a seed fact or an alerted development)
    JOINED = "joined"  # another report of a story waiting for confirmation
    NEW_STORY = "new_story"  # the first report of something not known
    COMMENTARY = "commentary"  # talk about the news (op-ed, podcast): joins, never a source


@dataclass(frozen=True, slots=True)
class Relevance:
    relevant: bool
    score: float  # best cosine to the saga's facts
    nearest_event: str | None


@dataclass(frozen=True, slots=True)
class Assignment:
    placement: Placement
    story_id: str | None  # the story joined or opened
    event_id: str | None  # the known event retold
    score: float  # cosine to that event or story
    nearest_event: str | None  # the nearest known event, whatever the placement
    nearest_score: float
