"""What the pages show, as frozen data: pure functions from a saga model and its alerts.

Nothing here escapes or formats HTML (the templates do, autoescaped); nothing reads Redis
(``monitor.web.data`` does). Links are kept only when they are http(s) links
(:func:`monitor.urls.web_link`): a feed may carry ``javascript:`` URLs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.alerts.message import Message, MessageType
from monitor.saga import Actor, Event, SagaModel
from monitor.types import Alert, AlertKind
from monitor.urls import redact, web_link
from monitor.web.chart import Chart, build_chart

KIND_LABELS = {
    AlertKind.NEW_DEVELOPMENT: "new development",
    AlertKind.NEW_ACTOR: "new actor",
}
MAX_LINKS = 8  # links shown under one event (its sources count says how many there are)


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str | None  # None: no web link (a seed file, a javascript: URL)


@dataclass(frozen=True, slots=True)
class EventRow:
    id: str
    date: str  # ISO day, or "undated"
    headline: str
    actors: tuple[str, ...]
    sources: int  # distinct feeds (or seed files) that told it
    links: tuple[Link, ...]
    evidence: str  # the sentence it was seeded or confirmed from
    origin: str  # "seed" | "story" | "talk" (a reaction or a poll, never alerted: ``Event.talk``)


@dataclass(frozen=True, slots=True)
class ActorRow:
    name: str
    kind: str
    aliases: tuple[str, ...]
    role: str | None
    first_seen: str  # ISO day
    events: int


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: str
    kind: str  # human label
    headline: str
    created: datetime
    published: datetime | None
    source: Link
    feed: str | None
    reason: str
    actors: tuple[str, ...]
    nearest_event: str | None
    nearest_event_date: str | None
    similarity: float | None
    sentences: tuple[str, ...]
    more_sources: int  # later reports counted on it (alert.sources_added)

    @property
    def day(self) -> str:
        return self.created.date().isoformat()


@dataclass(frozen=True, slots=True)
class SagaView:
    name: str
    title: str
    version: int
    docs_seen: int
    events: tuple[EventRow, ...]  # newest first
    actors: tuple[ActorRow, ...]  # protagonists
    others: tuple[str, ...]  # names seen that play no role (outlets, journalists, ...)
    alerts: tuple[AlertRow, ...]  # newest first
    chart: Chart

    @property
    def empty(self) -> bool:
        return not self.events and not self.actors

    @property
    def last_alert(self) -> AlertRow | None:
        return self.alerts[0] if self.alerts else None


@dataclass(frozen=True, slots=True)
class FeedHealthLine:
    """Feed health in one line: how many feeds, ok, failing, never polled, last poll."""

    total: int
    ok: int
    failing: int
    never_polled: int
    last_poll: datetime | None
    daemon: str | None  # the daemon's state from its heartbeat; None: no daemon running


def alert_rows(messages: Iterable[Message], saga: str) -> list[AlertRow]:
    """The saga's alerts from outbox messages (oldest first in), newest first out; the
    follow-ups (more sources on an alert) are counted on their alert."""
    alerts: dict[str, Alert] = {}
    more: dict[str, int] = {}
    for m in messages:
        if m.alert.saga != saga:
            continue
        if m.type is MessageType.ALERT:
            alerts[m.alert.id] = m.alert
        elif m.type is MessageType.MORE_SOURCES:
            more[m.alert.id] = more.get(m.alert.id, 0) + len(m.sources)
    rows = [_alert_row(a, more.get(a.id, 0)) for a in alerts.values()]
    return sorted(rows, key=lambda r: r.created, reverse=True)


def _alert_row(a: Alert, more_sources: int) -> AlertRow:
    ex = a.explanation
    return AlertRow(
        id=a.id,
        kind=KIND_LABELS.get(a.kind, a.kind.value),
        headline=a.headline,
        created=a.created,
        published=a.published,
        source=Link(a.source_title or a.headline, web_link(a.source_url)),
        feed=redact(a.source_feed) if a.source_feed else None,
        reason=ex.reason,
        actors=a.actors,
        nearest_event=ex.nearest_event,
        nearest_event_date=ex.nearest_event_date,
        similarity=ex.similarity,
        sentences=ex.new_sentences,
        more_sources=more_sources,
    )


def event_rows(model: SagaModel) -> list[EventRow]:
    """The timeline, newest first (undated events last)."""
    rows = [_event_row(model, e) for e in model.timeline()]
    dated = [r for r in rows if r.date != "undated"]
    return [*reversed(dated), *(r for r in rows if r.date == "undated")]


def _event_row(model: SagaModel, e: Event) -> EventRow:
    links = []
    for ev in e.evidence[:MAX_LINKS]:
        links.append(Link(ev.title or ev.sentence[:80], web_link(ev.url)))
    return EventRow(
        id=e.id,
        date=e.date or "undated",
        headline=e.statement or model.describe(e),
        actors=tuple(model.actor_name(a) for a in e.actors if _shown(model.actors.get(a))),
        sources=max(len(e.feeds), 1 if e.evidence else 0),
        links=tuple(links),
        evidence=e.evidence[0].sentence if e.evidence else "",
        origin="talk" if e.talk else e.origin,
    )


def _shown(actor: Actor | None) -> bool:
    return actor is not None and actor.protagonist


def actor_rows(model: SagaModel) -> list[ActorRow]:
    """The protagonists, most involved first, with the number of events naming them."""
    counts: dict[str, int] = {}
    for e in model.events.values():
        for aid in set(e.actors):
            counts[aid] = counts.get(aid, 0) + 1
    rows = [
        ActorRow(
            name=a.name,
            kind=a.kind,
            aliases=tuple(sorted(set(a.aliases) - {a.name})),
            role=a.role,
            first_seen=(a.first_seen or "")[:10],
            events=counts.get(a.id, 0),
        )
        for a in model.protagonists()
    ]
    return sorted(rows, key=lambda r: (-r.events, r.name.lower()))


def reports_per_day(model: SagaModel) -> dict[str, int]:
    """How many reports (evidence of events) each day has, by the reports' own dates."""
    days: dict[str, int] = {}
    for e in model.events.values():
        for ev in e.evidence:
            day = ev.date or e.date
            if day:
                days[day] = days.get(day, 0) + 1
    return days


def saga_view(
    model: SagaModel, alerts: Sequence[AlertRow], *, title: str = "", max_alerts: int = 20
) -> SagaView:
    alert_days: dict[str, int] = {}
    for a in alerts:
        alert_days[a.day] = alert_days.get(a.day, 0) + 1
    return SagaView(
        name=model.name,
        title=title or model.title or model.name,
        version=model.version,
        docs_seen=model.docs_seen,
        events=tuple(event_rows(model)),
        actors=tuple(actor_rows(model)),
        others=tuple(sorted(a.name for a in model.actors.values() if not a.protagonist)),
        alerts=tuple(alerts[:max_alerts]),
        chart=build_chart(reports_per_day(model), alert_days),
    )
