"""Saga models in Redis: a hash per saga (one field per record), a version counter, a
history stream.

Layout of the model hash (``keys.saga_model``)::

    meta        JSON: name, title, version, docs_seen, ignore, terms, outlets, form_counts
    a:<id>      an actor          "<seq> 0\\n" + JSON
    e:<id>      an event          "<seq> <n>\\n" + JSON without its vectors + "\\n" + n vectors
    s:<id>      a pending story   the same
    r:<id>      a recent report   the same (``saga.Report``: kept a few hours)
    n:<folded>  a name seen       "<seq> 0\\n" + JSON
    w:<word>    a vocabulary count, decimal

Vectors are stored in binary: the float16 bytes of each (``embed.pack`` keeps them as
base64 text in memory). ``seq`` keeps each kind of record in the model's own order.

A :class:`SagaStore` remembers what it last read or wrote of each model (its
:class:`Baseline`); :meth:`SagaStore.save` then writes only the records that differ from
it (what changed: actors and events touched by the batch, new stories, new word counts)
and deletes the ones gone. Writers use optimistic concurrency (WATCH on the version key):
a worker that lost the race gets :class:`ConflictError` and re-reads, so several workers
can share one Redis. A model with no baseline here (new, read elsewhere, or stored in the
old layout: one JSON string, migrated by its first save) is written whole.
"""

from __future__ import annotations

import base64
import logging
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import redis

from monitor.errors import ConflictError, StoreError
from monitor.saga import (
    Actor,
    Change,
    Counts,
    Event,
    Evidence,
    NameSeen,
    Report,
    SagaModel,
    Story,
)
from monitor.store import Store

log = logging.getLogger(__name__)

_META = b"meta"
_WORD = b"w:"
_EVENT_FIELDS = tuple(f for f in Event.__dataclass_fields__ if f != "vectors")
_STORY_FIELDS = tuple(f for f in Story.__dataclass_fields__ if f != "vectors")
_REPORT_FIELDS = tuple(f for f in Report.__dataclass_fields__ if f != "vectors")


@dataclass(frozen=True, slots=True)
class _Stored:
    """One record as the store holds it: its place in the model's order, and its whole
    JSON (vectors included, as in memory): what a save compares to tell it changed."""

    seq: int
    full: bytes


@dataclass
class Baseline:
    """What Redis holds of a model at ``version``: the model it was read into or written
    from (weakly), every record's encoding, and the next free ``seq``."""

    model: weakref.ReferenceType[SagaModel]
    version: int
    meta: bytes
    records: dict[bytes, _Stored] = field(default_factory=dict)
    next_seq: int = 0


@dataclass(frozen=True, slots=True)
class Delta:
    """The writes that take the stored model from a baseline to the model in memory."""

    hset: dict[bytes, bytes]
    hdel: tuple[bytes, ...]
    whole: bool  # no usable baseline: the hash is replaced


# -- records ------------------------------------------------------------------------
def _sections(model: SagaModel) -> Iterator[tuple[bytes, dict[str, Any], tuple[str, ...] | None]]:
    """Each kind of record: its field prefix, its table, its fields but the vectors (None:
    a record with no vectors)."""
    yield b"a:", model.actors, None
    yield b"e:", model.events, _EVENT_FIELDS
    yield b"s:", model.stories, _STORY_FIELDS
    yield b"n:", model.names, None
    yield b"r:", model.recent, _REPORT_FIELDS


def _value(seq: int, obj: Any, full: bytes, names: tuple[str, ...] | None) -> bytes:
    """A record's field value: a head line, its JSON, its vectors in binary."""
    if names is None:
        return b"%d 0\n" % seq + full
    head = b"%d %d\n" % (seq, len(obj.vectors))
    body = orjson.dumps({n: getattr(obj, n) for n in names})
    if not obj.vectors:
        return head + body
    return head + body + b"\n" + b"".join(base64.b64decode(v) for v in obj.vectors)


def _parse(value: bytes) -> tuple[int, dict[str, Any], list[str]]:
    """A field value's seq, JSON and vectors (packed, as in memory)."""
    head, _, rest = value.partition(b"\n")
    seq, n = (int(x) for x in head.split())
    if not n:
        return seq, orjson.loads(rest), []
    body, _, raw = rest.partition(b"\n")
    size = len(raw) // n
    if size * n != len(raw):
        raise ValueError("vectors of uneven size")
    vecs = [base64.b64encode(raw[i : i + size]).decode("ascii") for i in range(0, len(raw), size)]
    return seq, orjson.loads(body), vecs


def _meta(model: SagaModel) -> bytes:
    return orjson.dumps({
        "layout": 2,
        "name": model.name,
        "title": model.title,
        "version": model.version,
        "docs_seen": model.docs_seen,
        "ignore": model.ignore,
        "terms": model.terms,
        "outlets": model.outlets,
        "form_counts": dict(model.form_counts),
    })


def diff(model: SagaModel, base: Baseline | None) -> tuple[Delta, Baseline]:
    """What to write to take the stored model from ``base`` (None: nothing usable, the
    model is written whole) to ``model``, and the baseline once it is written. Every record
    is encoded and compared with what the baseline holds: the novelty engine changes
    records in place (a report appended to a story, a feed to an event)."""
    old = base.records if base is not None else {}
    next_seq = base.next_seq if base is not None else 0
    hset: dict[bytes, bytes] = {}
    records: dict[bytes, _Stored] = {}
    for prefix, table, names in _sections(model):
        last = -1  # a record out of the model's order gets a new seq (it moved to the end)
        for key, obj in table.items():
            fld = prefix + key.encode()
            full = orjson.dumps(obj)
            was = old.get(fld)
            if was is not None and was.seq > last:
                last = was.seq
                if was.full == full:
                    records[fld] = was
                    continue
            else:
                last, next_seq = next_seq, next_seq + 1
            records[fld] = _Stored(last, full)
            hset[fld] = _value(last, obj, full, names)
    hdel = [f for f in old if f not in records]
    meta = _meta(model)
    if base is None or meta != base.meta:
        hset[_META] = meta
    vocab = model.vocab
    words = vocab.keys() if base is None or not isinstance(vocab, Counts) else vocab.changed
    for w in words:
        n = vocab.get(w)
        if n is None:
            hdel.append(_WORD + w.encode())
        else:
            hset[_WORD + w.encode()] = b"%d" % n
    after = Baseline(weakref.ref(model), model.version, meta, records, next_seq)
    return Delta(hset, tuple(hdel), base is None), after


def _decoders() -> dict[bytes, Callable[[dict[str, Any], list[str]], Any]]:
    return {
        b"a:": lambda d, _v: Actor(**d),
        b"e:": lambda d, v: Event(**{
            **d, "evidence": [Evidence(**x) for x in d.get("evidence", [])], "vectors": v,
        }),
        b"s:": lambda d, v: Story(**{**d, "vectors": v}),
        b"n:": lambda d, _v: NameSeen(**d),
        b"r:": lambda d, v: Report(**{**d, "vectors": v}),
    }


def decode(fields: dict[bytes, bytes]) -> tuple[SagaModel, Baseline]:
    """The model a hash holds (see the module's docstring), and its baseline."""
    meta_raw = fields[_META]
    meta = orjson.loads(meta_raw)
    m = SagaModel(name=meta["name"], title=meta.get("title", ""), version=int(meta["version"]))
    m.docs_seen = int(meta.get("docs_seen", 0))
    m.ignore = list(meta.get("ignore", []))
    m.terms = list(meta.get("terms", []))
    m.outlets = list(meta.get("outlets", []))
    m.form_counts = Counter(meta.get("form_counts", {}))
    vocab: dict[str, int] = {}
    found: dict[bytes, list[tuple[int, dict[str, Any], list[str], bytes]]] = {}
    for fld, value in fields.items():
        if fld.startswith(_WORD):
            vocab[fld[2:].decode()] = int(value)
        elif fld != _META:
            found.setdefault(fld[:2], []).append((*_parse(value), fld))
    m.vocab = Counts(vocab)
    decoders = _decoders()
    records: dict[bytes, _Stored] = {}
    for prefix, table, _names in _sections(m):
        for seq, d, vecs, fld in sorted(found.pop(prefix, []), key=lambda x: x[0]):
            table[fld[2:].decode()] = obj = decoders[prefix](d, vecs)
            records[fld] = _Stored(seq, orjson.dumps(obj))
    if found:
        raise ValueError(f"unknown fields {sorted(found)}")
    next_seq = 1 + max((r.seq for r in records.values()), default=-1)
    return m, Baseline(weakref.ref(m), m.version, meta_raw, records, next_seq)


class SagaStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.keys = store.keys
        # redis-py types every sync reply as ``Awaitable | Any``: read them as what they are.
        self.r: Any = store.redis
        self._baselines: dict[str, Baseline] = {}

    def load(self, saga: str, title: str = "") -> SagaModel:
        """The stored model (an empty one when there is none), read in one command."""
        key = self.keys.saga_model(saga)
        try:
            fields = self.r.hgetall(key)
        except redis.ResponseError as exc:
            if "WRONGTYPE" not in str(exc):
                raise StoreError(f"cannot read saga model {saga!r}: {exc}") from exc
            return self._load_json(saga)
        except redis.RedisError as exc:
            raise StoreError(f"cannot read saga model {saga!r}: {exc}") from exc
        if not fields:
            self._baselines.pop(saga, None)
            return SagaModel(name=saga, title=title)
        try:
            model, base = decode(fields)
        except (orjson.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"stored saga model {saga!r} is corrupt: {exc}") from exc
        self._baselines[saga] = base
        return model

    def _load_json(self, saga: str) -> SagaModel:
        """A model stored in the first layout, one JSON document: read as it is, written
        in the new layout by its next save (which has no baseline for it)."""
        self._baselines.pop(saga, None)
        try:
            raw = self.r.get(self.keys.saga_model(saga))
        except redis.RedisError as exc:
            raise StoreError(f"cannot read saga model {saga!r}: {exc}") from exc
        try:
            model = SagaModel.from_json(raw)
        except (orjson.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"stored saga model {saga!r} is corrupt: {exc}") from exc
        log.info("saga %s is stored as one JSON document: its next save stores it a record "
                 "a field", saga)
        return model

    def names(self) -> list[str]:
        """The sagas that have a stored model, by name."""
        pattern = self.keys.saga_version("*")
        head, _, tail = pattern.partition("*")
        try:
            found = [k.decode() for k in self.r.scan_iter(match=pattern, count=1000)]
        except redis.RedisError as exc:
            raise StoreError(f"cannot list the stored sagas: {exc}") from exc
        return sorted(k[len(head) : len(k) - len(tail)] for k in found)

    def version(self, saga: str) -> int:
        v = self.r.get(self.keys.saga_version(saga))
        return int(v) if v else 0

    def save(self, model: SagaModel, *, expected_version: int) -> None:
        """Store the model's changes and its pending history, if nobody else wrote since
        we read: only the records that differ from what this store last read or wrote of
        this very model at ``expected_version``; the whole model otherwise."""
        k_model, k_ver = self.keys.saga_model(model.name), self.keys.saga_version(model.name)
        k_hist = self.keys.saga_history(model.name)
        base = self._baselines.get(model.name)
        usable = (
            base is not None
            and base.model() is model
            and base.version == expected_version
            and isinstance(model.vocab, Counts)
        )
        delta, after = diff(model, base if usable else None)
        try:
            with self.r.pipeline() as pipe:
                pipe.watch(k_ver)
                current = pipe.get(k_ver)
                if (int(current) if current else 0) != expected_version:
                    raise ConflictError(
                        f"saga {model.name!r} changed concurrently "
                        f"(expected v{expected_version}, found v{int(current or 0)})"
                    )
                pipe.multi()
                if delta.whole:
                    pipe.delete(k_model)
                if delta.hdel:
                    pipe.hdel(k_model, *delta.hdel)
                if delta.hset:
                    pipe.hset(k_model, mapping=delta.hset)
                pipe.set(k_ver, model.version)
                for ch in model.pending:
                    pipe.xadd(k_hist, _change_fields(ch), maxlen=100_000, approximate=True)
                pipe.execute()
        except redis.WatchError as exc:
            raise ConflictError(f"saga {model.name!r} changed concurrently") from exc
        except redis.RedisError as exc:
            raise StoreError(f"cannot store saga model {model.name!r}: {exc}") from exc
        self._baselines[model.name] = after
        if isinstance(model.vocab, Counts):
            model.vocab.settle()
        model.pending.clear()

    def copy_to(self, other: SagaStore, saga: str) -> None:
        """The saga's model, version, documents seen and alerts emitted, copied into the
        other store's namespace (a scratch copy for a replay)."""
        src, dst = self.keys, other.keys
        for a, b in (
            (src.saga_model(saga), dst.saga_model(saga)),
            (src.saga_version(saga), dst.saga_version(saga)),
            (src.seen_docs(saga), dst.seen_docs(saga)),
            (src.saga_alerted(saga), dst.saga_alerted(saga)),
        ):
            if self.r.exists(a):
                self.r.copy(a, b, replace=True)

    def reset(self, saga: str) -> None:
        self._baselines.pop(saga, None)
        self.r.delete(
            self.keys.saga_model(saga),
            self.keys.saga_version(saga),
            self.keys.saga_history(saga),
            self.keys.saga_alerted(saga),
            self.keys.seen_docs(saga),
        )
    def history(self, saga: str, limit: int = 10_000) -> list[Change]:
        rows = self.r.xrange(self.keys.saga_history(saga), count=limit)
        out = []
        for _, f in rows:
            d = {k.decode(): v.decode() for k, v in f.items()}
            out.append(Change(int(d["version"]), d["kind"], d["detail"], d["cause"], d["at"]))
        return out

    # -- documents already processed (idempotency across restarts) ------------
    def unseen(self, saga: str, doc_ids: list[str]) -> set[str]:
        """The ids among ``doc_ids`` not processed yet for this saga (one round trip)."""
        if not doc_ids:
            return set()
        scores = self.r.zmscore(self.keys.seen_docs(saga), doc_ids)
        return {d for d, sc in zip(doc_ids, scores, strict=True) if sc is None}

    def mark_seen_many(self, saga: str, stamps: dict[str, float]) -> None:
        if stamps:
            self.r.zadd(self.keys.seen_docs(saga), stamps)

    def mark_alerted(self, saga: str, alert_ids: list[str]) -> None:
        if alert_ids:
            self.r.sadd(self.keys.saga_alerted(saga), *alert_ids)

    def alerted(self, saga: str, alert_ids: list[str]) -> list[bool]:
        """Whether each alert id was already emitted for this saga."""
        if not alert_ids:
            return []
        found = self.r.smismember(self.keys.saga_alerted(saga), alert_ids)
        return [bool(x) for x in found]


def _change_fields(ch: Change) -> dict[str, Any]:
    return {
        "version": ch.version,
        "kind": ch.kind,
        "detail": ch.detail,
        "cause": ch.cause,
        "at": ch.at,
    }
