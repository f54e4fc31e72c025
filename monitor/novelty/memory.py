"""What the model knows, as matrices for the steps (see ``types.Memory``).

Built once per batch from the stored model (vectors are kept packed there) and extended
row by row as the batch adds stories and events, so a batch never re-reads the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np

from monitor.embed import DIM, unpack_many
from monitor.novelty.genre import pending
from monitor.novelty.types import Memory, centroid, still_recent
from monitor.saga import SagaModel
from monitor.types import parse_dt


@dataclass(frozen=True, slots=True, eq=False)
class Known:
    """The known events' vectors, unpacked, with what they were unpacked from: a batch
    whose model holds the same events reuses them (``known_of``). An event's vectors are
    written once, when it is seeded or alerted, so its id, its count of vectors and its
    first and last vector tell whether they changed (a saga seeded again from edited
    documents keeps its events' ids)."""

    signature: tuple[tuple[str, int, str, str], ...]
    rows: np.ndarray
    owners: tuple[str, ...]
    centroid: np.ndarray
    seeded: np.ndarray  # which rows are the seed documents'
    seed_centroid: np.ndarray
    seed_typical: float  # the median cosine of the seeds' rows to their centroid


def known_of(model: SagaModel, cached: Known | None = None) -> Known:
    """The model's known vectors: ``cached`` when it holds the same events, else decoded
    afresh (base64 of every vector: a million decodes on a six-week replay otherwise)."""
    signature = tuple((e.id, len(e.vectors), e.vectors[0] if e.vectors else "",
                       e.vectors[-1] if e.vectors else "") for e in model.events.values())
    if cached is not None and cached.signature == signature:
        return cached
    owners = tuple(e.id for e in model.events.values() for _ in e.vectors)
    rows = unpack_many([v for e in model.events.values() for v in e.vectors])
    seeded = np.array([e.origin == "seed" for e in model.events.values() for _ in e.vectors],
                      dtype=bool)
    seeds = _seed_centroid(rows, seeded)
    return Known(signature, rows, owners, centroid(rows), seeded, seeds,
                 _seed_typical(rows, seeded, seeds, owners))


def _seed_centroid(rows: np.ndarray, seeded: np.ndarray) -> np.ndarray:
    return centroid(rows[seeded]) if seeded.any() else centroid(rows)


def _seed_typical(rows: np.ndarray, seeded: np.ndarray, seeds: np.ndarray,
                  owners: tuple[str, ...]) -> float:
    """How closely the seeds agree: the median cosine of their rows (leads and
    sentences) to their centroid. Four reports of one arrest agree closely (about 0.8);
    a seed set telling a reshuffle from several sides, or a few sentences each, less
    (about 0.5-0.6). 0 with fewer than two seed documents: one document's sentences
    agree with their own centroid whatever the saga, and the floor would ask every
    report to retell it (a saga seeded from one report of an arrest met none of its
    developments)."""
    if len({o for o, s in zip(owners, seeded, strict=True) if s}) < 2:
        return 0.0
    return float(np.median(rows[seeded] @ seeds))


def memory_of(model: SagaModel, cached: Known | None = None) -> Memory:
    """What the engine compares reports with, from the stored model (``cached``: the
    known vectors of an earlier batch, reused when the events are the same)."""
    known = known_of(model, cached)
    story_rows: list[str] = []
    story_owner: list[str] = []
    for s in model.stories.values():
        first = s.vectors[:2]  # the first report anchors the story (see engine._story)
        story_rows += first
        story_owner += [s.id] * len(first)
    return Memory(
        known=known.rows,
        centroid=known.centroid,
        seed_centroid=known.seed_centroid,
        seed_typical=known.seed_typical,
        seeded=known.seeded,
        event_actors={e.id: frozenset(e.actors) for e in model.events.values()},
        known_owner=known.owners,
        stories=unpack_many(story_rows),
        story_owner=tuple(story_owner),
        story_names={s.id: frozenset(s.names) | frozenset(s.novel) for s in model.stories.values()},
        story_heads={s.id: frozenset(s.heads) for s in model.stories.values()},
        story_held={s.id: frozenset(s.held) for s in model.stories.values() if s.held},
        brought={a: e.id for e in model.events.values() if e.origin == "story"
                 for a in e.key_actors},
        tentative=frozenset(e.id for e in model.events.values() if pending(e.statement))
        - {e.follows for e in model.events.values()},  # a plan done is no plan any more
        start=min(
            (e.day for e in model.events.values() if e.origin == "seed" and e.day), default=None
        ),
        **_recent(model),
    )


def _recent(model: SagaModel) -> dict[str, Any]:
    """The ``recent`` fields of a memory, from the model's recent reports."""
    dated = [(r, at) for r in model.recent.values() if (at := parse_dt(r.at)) is not None]
    return {
        "recent": unpack_many([v for r, _ in dated for v in r.vectors]),
        "recent_outlet": tuple(r.outlet for r, _ in dated for _ in r.vectors),
        "recent_at": tuple(at for r, at in dated for _ in r.vectors),
        "recent_awaits": tuple(r.awaits for r, _ in dated for _ in r.vectors),
    }


def _rows(vecs: np.ndarray) -> np.ndarray:
    return np.asarray(vecs, dtype=np.float32).reshape(-1, DIM)


def with_known(memory: Memory, owner: str, vecs: np.ndarray, statement: str = "", *,
               actors: Iterable[str] = (), seed: bool = False) -> Memory:
    """``statement``: the event's headline, to tell whether it is a plan (``pending``);
    ``actors``: the known actors it names; ``seed``: a seed document's fact."""
    rows = _rows(vecs)
    known = np.vstack([memory.known, rows])
    before = memory.seeded if memory.seeded is not None else np.zeros(len(memory.known), bool)
    seeded = np.concatenate([before, np.full(len(rows), seed)])
    owners = memory.known_owner + (owner,) * len(rows)
    seeds, typical = memory.seed_centroid, memory.seed_typical
    if seed:
        seeds = fresh = _seed_centroid(known, seeded)
        typical = _seed_typical(known, seeded, fresh, owners)
    return replace(
        memory,
        known=known,
        centroid=centroid(known),
        seeded=seeded,
        seed_centroid=seeds,
        seed_typical=typical,
        event_actors={**memory.event_actors,
                      owner: memory.event_actors.get(owner, frozenset()) | frozenset(actors)},
        known_owner=owners,
        tentative=memory.tentative | ({owner} if pending(statement) else set()),
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
        story_held={k: v for k, v in memory.story_held.items() if k != owner},
    )


def with_held(memory: Memory, owner: str, names: Iterable[str]) -> Memory:
    """``owner``, a story waiting to be told more widely, holds the newcomers ``names``
    (``engine._hold``)."""
    held = memory.story_held.get(owner, frozenset()) | frozenset(names)
    return replace(memory, story_held={**memory.story_held, owner: held})


def with_done(memory: Memory, plan: str) -> Memory:
    """``plan`` (talks, an offer) was taken to its next stage: a later report of that
    stage retells it, and moves no plan on."""
    return replace(memory, tentative=memory.tentative - {plan})


def with_keys(memory: Memory, owner: str, actors: list[str]) -> Memory:
    """``owner``, a development just alerted, brought ``actors`` into the saga."""
    return replace(memory, brought={**memory.brought, **dict.fromkeys(actors, owner)})


def with_recent(memory: Memory, vecs: np.ndarray, outlet: str, at: datetime,
                since: datetime, awaits: bool = False,
                long_ago: datetime | None = None) -> Memory:
    """A relevant report (``vecs``, from ``outlet``, published ``at``; ``awaits``: it
    announced a decision to come) added to the recent ones, and those published before
    ``since`` dropped; those that await, before ``long_ago`` (default ``since``)."""
    rows = _rows(vecs)
    old = memory.recent if memory.recent is not None else np.zeros((0, DIM), np.float32)
    held = since if long_ago is None else long_ago
    keep = [still_recent(t, w, since, held)
            for t, w in zip(memory.recent_at, memory.recent_awaits, strict=True)]
    return replace(
        memory,
        recent=np.vstack([old[np.asarray(keep, dtype=bool)], rows]),
        recent_outlet=tuple(o for o, k in zip(memory.recent_outlet, keep, strict=True) if k)
        + (outlet,) * len(rows),
        recent_at=tuple(t for t, k in zip(memory.recent_at, keep, strict=True) if k)
        + (at,) * len(rows),
        recent_awaits=tuple(w for w, k in zip(memory.recent_awaits, keep, strict=True) if k)
        + (awaits,) * len(rows),
    )
