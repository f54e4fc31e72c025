"""Small builders for the novelty steps' pure tests: unit vectors, items, memories."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from monitor.embed import DIM
from monitor.lexicon import fold
from monitor.nlp import Mention, Sentence
from monitor.novelty.types import Item, Memory, Name, centroid
from monitor.saga import Actor, SagaModel

T0 = datetime(2023, 3, 12, 12, 0, tzinfo=UTC)


def unit(*weights: tuple[int, float]) -> np.ndarray:
    """A unit vector with the given (axis, weight) components."""
    v = np.zeros(DIM, dtype=np.float32)
    for axis, w in weights:
        v[axis] = w
    return v / np.linalg.norm(v)


def item(vec: np.ndarray, *, doc: str = "d1", feed: str = "f1", core: bool = True,
         names: tuple[Name, ...] = (), at: datetime = T0, title: str = "A report") -> Item:
    return Item(
        doc_id=doc, title=title, url=f"https://example.org/{doc}", feed=feed, published=at,
        lead=vec, sentences=(title,), vectors=vec[None, :], actors=("a",) if core else (),
        core=("a",) if core else (), names=names, founders=("a",) if core else (),
    )


def memory(known: dict[str, list[np.ndarray]], stories: dict[str, list[np.ndarray]] | None = None,
           story_names: dict[str, frozenset[str]] | None = None, start: object = None,
           story_heads: dict[str, frozenset[str]] | None = None) -> Memory:
    k_rows = [v for vs in known.values() for v in vs]
    k_owner = tuple(o for o, vs in known.items() for _ in vs)
    stories = stories or {}
    s_rows = [v for vs in stories.values() for v in vs]
    s_owner = tuple(o for o, vs in stories.items() for _ in vs)
    known_m = np.vstack(k_rows) if k_rows else np.zeros((0, DIM), dtype=np.float32)
    return Memory(
        known=known_m,
        known_owner=k_owner,
        stories=np.vstack(s_rows) if s_rows else np.zeros((0, DIM), dtype=np.float32),
        story_owner=s_owner,
        story_names=story_names or {},
        story_heads=story_heads or {},
        centroid=centroid(known_m),
        start=start,  # type: ignore[arg-type]
    )


def name(text: str, kind: str = "org", *, in_title: bool = True) -> Name:
    return Name(text=text, key=text.lower(), kind=kind, in_title=in_title, prose=True)


def cast() -> SagaModel:
    """A saga model knowing two people and two organisations."""
    m = SagaModel(name="s")
    for aid, nm, kind, aliases in [
        ("sam-altman", "Sam Altman", "person", ["Altman"]),
        ("mira-murati", "Mira Murati", "person", []),
        ("microsoft", "Microsoft", "org", []),
        ("silicon-valley-bank", "Silicon Valley Bank", "org", ["SVB"]),
    ]:
        m.actors[aid] = Actor(id=aid, name=nm, kind=kind, aliases=aliases)
    return m


def sentence(text: str, *mentions: Mention, titlecase: bool = False) -> Sentence:
    """The first sentence of a report, with the names the NLP stage found in it."""
    return Sentence(0, text, fold(text), mentions, (), (), titlecase)
