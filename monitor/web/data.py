"""What the pages read from Redis, through the store modules only (sync: the HTTP server
calls these in a worker thread, ``monitor model --format html`` directly).

A saga's alerts are those its alert log keeps (``store.alertlog``: every alert enqueued,
kept after delivery), with what the outbox still holds: the newest ``OUTBOX_SCAN`` entries,
whatever their saga, and the follow-ups counting more sources on an alert.
"""

from __future__ import annotations

import json

from monitor.alerts.message import Message, MessageType
from monitor.config import SagaSettings, Settings
from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.alertlog import AlertLog
from monitor.store.feeds import FeedStore
from monitor.store.outbox import OutboxStore
from monitor.store.sagas import SagaStore
from monitor.store.service import ServiceStore
from monitor.types import Alert
from monitor.web.views import FeedHealthLine, SagaView, alert_rows, saga_view

OUTBOX_SCAN = 2000
MAX_ALERTS = 20


def outbox_messages(store: Store, *, count: int = OUTBOX_SCAN) -> list[Message]:
    """The newest outbox messages, oldest first (re-sent dead letters and trimmed entries
    left out: they repeat an alert already there)."""
    out = []
    for e in OutboxStore(store).recent(count=count):
        if e.deleted or e.only:
            continue
        try:
            out.append(Message.from_fields(e.fields))
        except StoreError:
            continue  # an entry of a newer wire version: not ours to show
    return out


def logged_messages(store: Store, saga: str, *, count: int = MAX_ALERTS) -> list[Message]:
    """The saga's newest alerts from its alert log, oldest first."""
    out = []
    for raw in AlertLog(store).recent(saga, count=count):
        try:
            out.append(Message(MessageType.ALERT, Alert.from_dict(json.loads(raw))))
        except (ValueError, KeyError, TypeError):
            continue  # a row another version wrote: not ours to show
    return out


def read_saga(
    store: Store, saga: SagaSettings, outbox: list[Message] | None = None
) -> SagaView:
    """The saga's model and its latest alerts, as the page shows them."""
    model = SagaStore(store).load(saga.name, saga.title)
    messages = [
        *logged_messages(store, saga.name),
        *(outbox_messages(store) if outbox is None else outbox),
    ]
    rows = alert_rows(messages, saga.name)
    return saga_view(model, rows, title=saga.title, max_alerts=MAX_ALERTS)


def read_sagas(store: Store, settings: Settings) -> list[SagaView]:
    messages = outbox_messages(store)
    return [read_saga(store, s, messages) for s in settings.sagas]


def read_feed_health(store: Store, settings: Settings) -> FeedHealthLine:
    """The configured and imported feeds' health, and the daemon's heartbeat."""
    service = ServiceStore(store)
    imported = FeedStore(store, ttl_s=settings.polling.seen_ttl_s).imported()
    urls = list(dict.fromkeys([*(f.url for f in settings.feeds), *(f.url for f in imported)]))
    health = service.feed_health(urls)
    hb = service.read_heartbeat()
    polls = [h.last_attempt for h in health if h.last_attempt is not None]
    last_poll = hb.last_cycle_at if hb and hb.last_cycle_at else max(polls, default=None)
    return FeedHealthLine(
        total=len(health),
        ok=sum(h.state == "ok" for h in health),
        failing=sum(h.state == "failing" for h in health),
        never_polled=sum(h.state == "never_polled" for h in health),
        last_poll=last_poll,
        daemon=hb.state if hb else None,
    )
