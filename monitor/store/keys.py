"""Every Redis key the monitor uses, in one place, under one configurable prefix.

Layout (``P`` = prefix, ``S`` = saga name)::

    P:saga:S:model            hash    the saga model, one field a record: actors, events (vectors
                                      in binary), stories, names, word counts (store/sagas.py)
    P:saga:S:version          string  integer, bumped on every model change
    P:saga:S:history          stream  one entry per model change, with its cause
    P:saga:S:alerted          set     alert ids already emitted (idempotency)
    P:saga:S:alerts           stream  the saga's alerts as enqueued (capped; the timeline pages)
    P:seen:S                  zset    document ids processed for saga S, scored by time
    P:saga:S:said:<day>       string  the folded text of saga S's relevant reports of <day>,
                                      one a line (store/stream.py)
    P:saga:S:near:<day>       string  the same, of the items of <day> close to saga S in meaning
                                      that its relevance turned down (store/stream.py)
    P:stream:<day>            string  the folded title and summary of every feed item of <day>
                                      (YYYY-MM-DD), one a line (store/stream.py)
    P:stream:days             zset    the days of P:stream:<day> and P:saga:S:*:<day> keys,
                                      scored by day number, to drop the old ones
    P:feed:<hash>             hash    per-feed state (etag, last-modified, health)
    P:feeds                   set     known feed URLs
    P:feeds:imported          hash    feeds added by `monitor feeds import`: url -> JSON
    P:entry:<hash>            string  content hash of a seen feed entry (TTL)
    P:article:<hash>          string  JSON of an extracted article, by URL (TTL)
    P:alerts:outbox           stream  alerts waiting for delivery, one consumer group per sink
    P:alerts:dead             stream  alerts that could not be delivered in time
    P:alerts:id:<alert id>    string  an alert id already enqueued (idempotency, long TTL)
    P:alerts:retry:<sink>     hash    outbox entry id -> retry state (attempts, next try)
    P:alerts:sent:<sink>:<h>  string  a message id the sink took (delivered marker, long TTL)
    P:alerts:group:<hash>     hash    open grouping window of a new development
    P:alerts:group:<hash>:src hash    sources seen in that window (fingerprint -> JSON)
    P:alerts:groups           zset    grouping windows, scored by closing time (ms)
    P:alerts:slack:<h>        string  a message posted by the Slack Web API sink: channel, ts
                                      (its thread for the follow-up; no second post), TTL
    P:health:daemon           string  heartbeat with a TTL (JSON, see store/service.py)
    P:intake                  stream  new feed items not processed yet, consumer group ``pipeline``
                                      (store/intake.py); an entry is deleted once done
    P:intake:dead             stream  intake entries that failed max_deliveries times
    P:intake:pending          hash    (before the intake stream) item id -> FeedItem JSON; moved
                                      into P:intake by the first worker that starts
    P:lease:saga:S            string  per-saga decision lock of the pipeline workers (TTL)
    P:lease:<name>            string  holder token of a lease (``scheduler``: the one active
                                      scheduler), PX TTL, renewed by its holder (store/lease.py)
    P:lease:<name>:epoch      string  the lease's fencing epoch: INCR at every acquisition
    P:polls                   stream  due polls the scheduler published, consumer group ``pollers``
                                      (store/polls.py); an entry is deleted once polled
    P:polls:queued            hash    feed URL -> ``epoch:entry id`` of its due poll not polled yet
    P:digest:sent:<day>:<to>  string  the daily digest of <day> (YYYY-MM-DD) went out (TTL)
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

    def saga_alerts(self, saga: str) -> str:
        return self._k("saga", saga, "alerts")

    def seen_docs(self, saga: str) -> str:
        return self._k("seen", saga)

    # -- the stream's text, by day ----------------------------------------
    def stream_day(self, day: str, saga: str | None = None, kind: str = "said") -> str:
        """Every item's text of ``day``, or (``saga``) that saga's: its relevant reports'
        (``kind="said"``) or the other items close to it in meaning (``"near"``)."""
        return self._k("saga", saga, kind, day) if saga else self._k("stream", day)

    def stream_days(self) -> str:
        return self._k("stream", "days")

    # -- feeds ------------------------------------------------------------
    def feeds(self) -> str:
        return self._k("feeds")

    def feed(self, url: str) -> str:
        return self._k("feed", _h(url))

    def feeds_imported(self) -> str:
        return self._k("feeds", "imported")

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

    def alert_id(self, alert_id: str) -> str:
        return self._k("alerts", "id", alert_id)

    def alert_retries(self, sink: str) -> str:
        return self._k("alerts", "retry", sink)

    def alert_delivered(self, sink: str, message_id: str) -> str:
        return self._k("alerts", "sent", sink, _h(message_id))

    def alert_group(self, group: str) -> str:
        return self._k("alerts", "group", _h(group))

    def alert_group_sources(self, group: str) -> str:
        return self._k("alerts", "group", _h(group), "src")

    def alert_groups(self) -> str:
        return self._k("alerts", "groups")

    def slack_post(self, message_id: str) -> str:
        return self._k("alerts", "slack", _h(message_id))

    # -- service ----------------------------------------------------------
    def heartbeat(self) -> str:
        return self._k("health", "daemon")

    def intake(self) -> str:
        return self._k("intake")

    def intake_dead(self) -> str:
        return self._k("intake", "dead")

    def intake_pending(self) -> str:
        return self._k("intake", "pending")

    def lease(self, name: str) -> str:
        return self._k("lease", name)

    def lease_epoch(self, name: str) -> str:
        return self._k("lease", name, "epoch")

    def polls(self) -> str:
        return self._k("polls")

    def polls_queued(self) -> str:
        return self._k("polls", "queued")

    # -- digest -----------------------------------------------------------
    def digest_sent(self, day: str, scope: str) -> str:
        return self._k("digest", "sent", day, scope)
