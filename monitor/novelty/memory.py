"""What the model knows, as matrices for the steps (see ``types.Memory``).

Built once per batch from the stored model (vectors are kept packed there) and extended
row by row as the batch adds stories and events, so a batch never re-reads the model.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from monitor.embed import DIM, unpack_many
from monitor.novelty.genre import tentative
from monitor.novelty.types import Memory, centroid
from monitor.saga import SagaModel


def memory_of(model: SagaModel) -> Memory:
    known_rows: list[str] = []
    known_owner: list[str] = []
    for e in model.events.values():
        known_rows += e.vectors
        known_owner += [e.id] * len(e.vectors)
    story_rows: list[str] = []
    story_owner: list[str] = []
    for s in model.stories.values():
        first = s.vectors[:2]  # the first report anchors the story (see engine._story)
        story_rows += first
        story_owner += [s.id] * len(first)
    known = unpack_many(known_rows)
    return Memory(
        known=known,
        centroid=centroid(known),
        known_owner=tuple(known_owner),
        stories=unpack_many(story_rows),
        story_owner=tuple(story_owner),
        story_names={s.id: frozenset(s.names) | frozenset(s.novel) for s in model.stories.values()},
        story_heads={s.id: frozenset(s.heads) for s in model.stories.values()},
        brought={a: e.id for e in model.events.values() if e.origin == "story"
                 for a in e.key_actors},
        tentative=frozenset(e.id for e in model.events.values() if tentative(e.statement)),
        start=min(
            (e.day for e in model.events.values() if e.origin == "seed" and e.day), default=None
        ),
    )


def saga_centroid(model: SagaModel) -> np.ndarray | None:
    """What the saga is about (``Memory.centroid``), None for a model with no event."""
    rows = [v for e in model.events.values() for v in e.vectors]
    return centroid(unpack_many(rows)) if rows else None


def _rows(vecs: np.ndarray) -> np.ndarray:
    return np.asarray(vecs, dtype=np.float32).reshape(-1, DIM)


def with_known(memory: Memory, owner: str, vecs: np.ndarray, statement: str = "") -> Memory:
    """``statement``: the event's headline, to tell whether it is a plan (``tentative``)."""
    rows = _rows(vecs)
    known = np.vstack([memory.known, rows])
    return replace(
        memory,
        known=known,
        centroid=centroid(known),
        known_owner=memory.known_owner + (owner,) * len(rows),
        tentative=memory.tentative | ({owner} if tentative(statement) else set()),
    )


def with_story(memory: Memory, owner: str, vecs: np.ndarray, names: frozenset[str],
               heads: frozenset[str] = frozenset()) -> Memory:
    """``names``: the newcomers and novel words of the story's new report; ``heads``: the
    newcomers its headline names."""
    rows = _rows(vecs)
    story_names = dict(memory.story_names)
    story_names[owner] = story_names.get(owner, frozenset()) | names
    story_heads = dict(memory.story_heads)
    story_heads[owner] = story_heads.get(owner, frozenset()) | heads
    return replace(
        memory,
        stories=np.vstack([memory.stories, rows]),
        story_owner=memory.story_owner + (owner,) * len(rows),
        story_names=story_names,
        story_heads=story_heads,
    )


def without_story(memory: Memory, owner: str) -> Memory:
    keep = np.array([o != owner for o in memory.story_owner], dtype=bool)
    return replace(
        memory,
        stories=memory.stories[keep] if len(keep) else memory.stories,
        story_owner=tuple(o for o in memory.story_owner if o != owner),
        story_names={k: v for k, v in memory.story_names.items() if k != owner},
        story_heads={k: v for k, v in memory.story_heads.items() if k != owner},
    )


def with_keys(memory: Memory, owner: str, actors: list[str]) -> Memory:
    """``owner``, a development just alerted, brought ``actors`` into the saga."""
    return replace(memory, brought={**memory.brought, **dict.fromkeys(actors, owner)})
