"""Saga models in Redis: one JSON document per saga, a version counter, a history stream.

Writers use optimistic concurrency (WATCH on the version key): a worker that lost the race
gets :class:`ConflictError` and re-reads, so several workers can share one Redis.
"""

from __future__ import annotations

from typing import Any

import orjson
import redis

from monitor.errors import ConflictError, StoreError
from monitor.saga import Change, SagaModel
from monitor.store import Store


class SagaStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.keys = store.keys
        # redis-py types every sync reply as ``Awaitable | Any``: read them as what they are.
        self.r: Any = store.redis

    def load(self, saga: str, title: str = "") -> SagaModel:
        try:
            raw = self.r.get(self.keys.saga_model(saga))
        except redis.RedisError as exc:
            raise StoreError(f"cannot read saga model {saga!r}: {exc}") from exc
        if raw is None:
            return SagaModel(name=saga, title=title)
        try:
            return SagaModel.from_json(raw)
        except (orjson.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"stored saga model {saga!r} is corrupt: {exc}") from exc

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
        """Store the model and its pending changes, if nobody else wrote since we read."""
        k_model, k_ver = self.keys.saga_model(model.name), self.keys.saga_version(model.name)
        k_hist = self.keys.saga_history(model.name)
        payload = model.to_json()
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
                pipe.set(k_model, payload)
                pipe.set(k_ver, model.version)
                for ch in model.pending:
                    pipe.xadd(k_hist, _change_fields(ch), maxlen=100_000, approximate=True)
                pipe.execute()
        except redis.WatchError as exc:
            raise ConflictError(f"saga {model.name!r} changed concurrently") from exc
        except redis.RedisError as exc:
            raise StoreError(f"cannot store saga model {model.name!r}: {exc}") from exc
        model.pending.clear()

    def reset(self, saga: str) -> None:
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
