"""The saga model in Redis as a hash of records, saved as deltas (issue 15)."""

from __future__ import annotations

import base64
from typing import Any, cast

import numpy as np
import pytest

from monitor.embed import DIM, pack, unpack_many
from monitor.errors import ConflictError
from monitor.saga import Actor, Event, Evidence, NameSeen, Report, SagaModel, Story
from monitor.store import Store
from monitor.store.sagas import SagaStore, diff

AT = "2023-11-17T20:00:00+00:00"


def _vec(seed: int) -> str:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return pack(v / np.linalg.norm(v))


def grown_model() -> SagaModel:
    """A model with every kind of record: actors, events and a story with vectors, names
    seen, word counts."""
    m = SagaModel(name="s", title="A saga")
    for i, name in enumerate(("Sam Altman", "Ilya Sutskever", "OpenAI")):
        aid = m.new_actor_id(name)
        m.actors[aid] = Actor(id=aid, name=name, kind="org" if i == 2 else "person",
                              aliases=[name.split()[-1]], mentions=i + 1, first_seen=AT)
        m.record("actor_added", name, "seed", AT)
    for i in range(3):
        m.events[f"e{i}"] = Event(
            id=f"e{i}", action="", actors=["sam-altman"], date="2023-11-17",
            statement=f"Event {i}", evidence=[Evidence(f"d{i}", "A sentence.", "2023-11-17")],
            vectors=[_vec(10 * i + k) for k in range(3)], feeds=["bbc"],
        )
        m.record("event_added", f"Event {i}", "seed", AT)
    m.stories["st"] = Story(id="st", first=AT, last=AT, titles=["A story"], docs=["d9"],
                            urls=[None], feeds=["cnn"], vectors=[_vec(99), _vec(98)],
                            names={"emmett shear": 1}, talk=[False])
    m.names["emmett shear"] = NameSeen(name="Emmett Shear", kind="person", feeds=["cnn"], docs=1)
    m.vocab["en:fired"] = 3
    m.vocab["*:"] = 40
    m.docs_seen = 12
    m.outlets.append("bbci")
    m.recent["d9"] = Report("d9", AT, "cnn", [_vec(97), _vec(96)])
    return m


def _same(a: SagaModel, b: SagaModel) -> None:
    assert a == b
    for table in ("actors", "events", "stories", "names", "recent"):
        assert list(getattr(a, table)) == list(getattr(b, table)), table


def test_a_saved_model_reads_back_equal_with_its_vectors_in_binary(store: Store) -> None:
    m = grown_model()
    SagaStore(store).save(m, expected_version=0)
    back = SagaStore(store).load("s")
    _same(back, m)
    raw = cast(Any, store.redis).hget(store.keys.saga_model("s"), b"e:e1")
    assert isinstance(raw, bytes)
    # three float16 vectors as bytes after the JSON, not three base64 strings in it
    assert raw.endswith(b"".join(base64.b64decode(v) for v in m.events["e1"].vectors))
    assert m.events["e1"].vectors[0].encode() not in raw
    np.testing.assert_array_equal(
        unpack_many(back.events["e1"].vectors), unpack_many(m.events["e1"].vectors)
    )


def test_only_changed_records_are_written() -> None:
    m = grown_model()
    _, base = diff(m, None)
    m.vocab.settle()  # what a save does once its writes are done
    m.version += 1
    m.actors["ilya-sutskever"].mentions += 1  # changed in place, as the engine does
    m.events["e2"].feeds.append("cnn")
    del m.stories["st"]
    m.names.pop("emmett shear")
    m.vocab["en:fired"] += 1
    del m.recent["d9"]  # out of the support window
    m.recent["d10"] = Report("d10", AT, "bbc", [_vec(95)])
    delta, _ = diff(m, base)
    assert not delta.whole
    assert set(delta.hset) == {b"meta", b"a:ilya-sutskever", b"e:e2", b"w:en:fired", b"r:d10"}
    assert set(delta.hdel) == {b"s:st", b"n:emmett shear", b"r:d9"}


def test_an_unchanged_record_is_not_rewritten_in_redis(store: Store) -> None:
    sagas = SagaStore(store)
    sagas.save(grown_model(), expected_version=0)
    m = sagas.load("s")
    key = store.keys.saga_model("s")
    # A mark on two stored records the save must leave alone (a second space in their
    # head line, read the same): were they rewritten, the marks would be gone.
    r: Any = store.redis  # fields as bytes: the stored layout, read as it is
    for fld in (b"a:openai", b"e:e0"):
        raw = r.hget(key, fld)
        r.hset(key, fld, raw.replace(b" ", b"  ", 1))
    m.events["e1"].evidence.append(Evidence("d7", "Another sentence.", "2023-11-18"))
    m.record("evidence_added", "e1", "d7", AT)
    sagas.save(m, expected_version=m.version - 1)
    for fld in (b"a:openai", b"e:e0"):
        assert b"  " in r.hget(key, fld).partition(b"\n")[0]
    assert SagaStore(store).load("s").events["e1"].evidence[-1].doc_id == "d7"


def test_reload_equals_the_model_in_memory_after_delta_saves(store: Store) -> None:
    sagas = SagaStore(store)
    sagas.save(grown_model(), expected_version=0)
    m = sagas.load("s")
    for step in range(4):
        version = m.version
        m.stories[f"new{step}"] = Story(id=f"new{step}", first=AT, last=AT, vectors=[_vec(step)])
        m.names[f"name {step}"] = NameSeen(name=f"Name {step}", kind="org")
        m.vocab[f"en:w{step}"] = step + 1
        if step == 1:
            m.names.pop("emmett shear")
            m.vocab.pop("*:")
            m.merge_actors(m.actors["sam-altman"], m.actors["ilya-sutskever"], "d", AT)
        if step == 2:  # gone and back: now last in the model's order
            m.stories["st"] = m.stories.pop("st")
        m.docs_seen += 1
        m.record("x", str(step), "d", AT)
        sagas.save(m, expected_version=version)
        _same(SagaStore(store).load("s"), m)


def test_a_stale_worker_gets_a_conflict_then_reads_the_others_changes(store: Store) -> None:
    SagaStore(store).save(grown_model(), expected_version=0)
    w1, w2 = SagaStore(store), SagaStore(store)
    m1, m2 = w1.load("s"), w2.load("s")
    v = m1.version
    m1.actors["openai"].role = "company"
    m1.record("role", "OpenAI", "d1", AT)
    w1.save(m1, expected_version=v)
    m2.vocab["en:ousted"] = 1
    m2.record("x", "y", "d2", AT)
    with pytest.raises(ConflictError):
        w2.save(m2, expected_version=v)
    assert w2.version("s") == m1.version  # the version says w2's copy is stale
    again = w2.load("s")
    _same(again, m1)
    again.vocab["en:ousted"] = 1
    again.record("x", "y", "d2", AT)
    w2.save(again, expected_version=m1.version)
    final = SagaStore(store).load("s")
    assert final.actors["openai"].role == "company" and final.vocab["en:ousted"] == 1


def test_a_model_in_the_old_json_layout_is_migrated_by_its_next_save(store: Store) -> None:
    m = grown_model()
    m.pending.clear()  # stored (its history is not part of the model)
    key = store.keys.saga_model("s")
    store.redis.set(key, m.to_json())  # how models were stored before the hash
    store.redis.set(store.keys.saga_version("s"), m.version)
    sagas = SagaStore(store)
    old = sagas.load("s")
    _same(old, m)
    old.docs_seen += 1
    old.record("x", "y", "d", AT)
    sagas.save(old, expected_version=m.version)
    assert store.redis.type(key) == b"hash"
    _same(SagaStore(store).load("s"), old)
    assert [c.kind for c in sagas.history("s")] == ["x"]
