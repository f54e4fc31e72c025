"""Every Redis key the monitor uses, in one place, under one configurable prefix.

Layout (``P`` = prefix, ``S`` = saga name)::

    P:saga:S:model            string  JSON of the saga model (actors, events), see saga.py
    P:saga:S:version          string  integer, bumped on every model change
    P:saga:S:history          stream  one entry per model change, with its cause
    P:saga:S:alerted          set     alert ids already emitted (idempotency)
    P:seen:S                  zset    document ids processed for saga S, scored by time
    P:feed:<hash>             hash    per-feed state (etag, last-modified, health)
    P:feeds                   set     known feed URLs
    P:entry:<hash>            string  content hash of a seen feed entry (TTL)
    P:article:<hash>          string  JSON of an extracted article, by URL (TTL)
    P:alerts:outbox           stream  alerts waiting for delivery
    P:alerts:dead             stream  alerts that could not be delivered in time
    P:health:daemon           string  heartbeat with a TTL
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def _h(value: str) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=10).hexdigest()


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = "monitor"

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- saga model -------------------------------------------------------
    def saga_model(self, saga: str) -> str:
        return self._k("saga", saga, "model")

    def saga_version(self, saga: str) -> str:
        return self._k("saga", saga, "version")

    def saga_history(self, saga: str) -> str:
        return self._k("saga", saga, "history")

    def saga_alerted(self, saga: str) -> str:
        return self._k("saga", saga, "alerted")

    def seen_docs(self, saga: str) -> str:
        return self._k("seen", saga)

    # -- feeds ------------------------------------------------------------
    def feeds(self) -> str:
        return self._k("feeds")

    def feed(self, url: str) -> str:
        return self._k("feed", _h(url))

    def entry(self, entry_id: str) -> str:
        return self._k("entry", _h(entry_id))

    # -- articles ---------------------------------------------------------
    def article(self, url: str) -> str:
        return self._k("article", _h(url))

    # -- alerts -----------------------------------------------------------
    def outbox(self) -> str:
        return self._k("alerts", "outbox")

    def dead_letters(self) -> str:
        return self._k("alerts", "dead")

    # -- service ----------------------------------------------------------
    def heartbeat(self) -> str:
        return self._k("health", "daemon")
