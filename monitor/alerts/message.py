"""What travels through the outbox and out to the sinks, with explicit encode/decode.

A :class:`Message` is one thing a sink is told: an alert (``alert.created``), the follow-up
counting more sources on an alert already sent (``alert.sources_added``), or the test
message of ``monitor alerts test`` (``alert.test``). Its :attr:`Message.id` is stable (the
alert id, or ``<alert id>.more``) and is sent as ``webhook-id`` so receivers can dedup.

On the wire it is :meth:`Message.payload`, the body documented by ``schemas/alert.v1.json``;
in the Redis stream it is :meth:`Message.to_fields` / :meth:`Message.from_fields`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from monitor.errors import StoreError
from monitor.types import Alert, AlertKind, Document, Explanation, parse_dt, utcnow
from monitor.urls import redact, web_link

SCHEMA = "monitor.alert.v1"
WIRE_VERSION = "1"


class MessageType(StrEnum):
    ALERT = "alert.created"
    MORE_SOURCES = "alert.sources_added"
    TEST = "alert.test"


@dataclass(frozen=True, slots=True)
class Names:
    """What people call what the alert names by id: sagas by their title, feeds by their
    configured name (an alert carries the saga's slug and the feed's URL)."""

    sagas: Mapping[str, str] = field(default_factory=dict)
    feeds: Mapping[str, str] = field(default_factory=dict)

    def saga(self, slug: str) -> str:
        return self.sagas.get(slug) or slug

    def feed(self, url: str | None) -> str | None:
        return (self.feeds.get(url) or url) if url else url


NO_NAMES = Names()  # ids shown as they are (frozen: a safe default argument)


@dataclass(frozen=True, slots=True)
class Source:
    """One report of a development: the article, where it was found."""

    title: str
    url: str | None = None
    feed: str | None = None
    published: datetime | None = None

    @classmethod
    def of(cls, alert: Alert) -> Source:
        return cls(alert.source_title, alert.source_url, alert.source_feed, alert.published)

    @classmethod
    def of_document(cls, doc: Document) -> Source:
        """A report as receivers may see it: web links only, no credentials."""
        feed = redact(doc.source) if doc.source else doc.source
        return cls(doc.title, web_link(doc.url), feed, doc.published)

    @property
    def fingerprint(self) -> str:
        """Two alerts with the same fingerprint come from the same article."""
        return (self.url or self.title).strip().lower()

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "url": self.url,
            "feed": self.feed,
            "published": self.published.isoformat() if self.published else None,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Source:
        return cls(
            title=str(d.get("title") or ""),
            url=d.get("url") or None,
            feed=d.get("feed") or None,
            published=parse_dt(d.get("published")),
        )


@dataclass(frozen=True, slots=True)
class Message:
    type: MessageType
    alert: Alert
    # alert.sources_added only: the other sources, in the order they arrived.
    sources: tuple[Source, ...] = ()

    @property
    def id(self) -> str:
        return (
            more_sources_id(self.alert.id)
            if self.type is MessageType.MORE_SOURCES
            else (self.alert.id)
        )

    def payload(self, *, timestamp: datetime, max_bytes: int = 0) -> dict[str, Any]:
        """The JSON body sent to webhooks and written to the JSONL file (schema alert.v1),
        cut to ``max_bytes`` of JSON when that is set (see :func:`fit`)."""
        data: dict[str, Any]
        if self.type is MessageType.MORE_SOURCES:
            data = {
                "alert_id": self.alert.id,
                "count": len(self.sources),
                "sources": [s.to_dict() for s in self.sources],
                "alert": self.alert.to_dict(),
            }
        else:
            data = self.alert.to_dict()
        body = {
            "schema": SCHEMA,
            "type": self.type.value,
            "id": self.id,
            "timestamp": timestamp.isoformat(),
            "data": data,
        }
        return fit(body, max_bytes) if max_bytes else body

    # -- Redis stream entry ------------------------------------------------
    def to_fields(self, *, only: str | None = None) -> dict[str, str]:
        fields = {
            "v": WIRE_VERSION,
            "type": self.type.value,
            "id": self.id,
            "alert": json.dumps(self.alert.to_dict(), ensure_ascii=False),
        }
        if self.sources:
            fields["sources"] = json.dumps([s.to_dict() for s in self.sources], ensure_ascii=False)
        if only:
            fields["only"] = only
        return fields

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> Message:
        try:
            raw_sources = json.loads(fields.get("sources") or "[]")
            # Sources written by the grouping script carry their arrival number ``n``.
            raw_sources.sort(key=lambda s: s.get("n", 0))
            return cls(
                type=MessageType(fields["type"]),
                alert=Alert.from_dict(json.loads(fields["alert"])),
                sources=tuple(Source.from_dict(s) for s in raw_sources),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise StoreError(f"undecodable outbox entry: {exc}") from exc


def json_size(obj: Any) -> int:
    """Bytes of ``obj`` as the sinks write it (compact UTF-8 JSON)."""
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


_KEEP = ("id", "url", "schema", "type", "timestamp", "published", "created", "feed")


def _longest_text(obj: Any, path: tuple[Any, ...] = ()) -> tuple[int, tuple[Any, ...]]:
    """(length, path) of the longest string that may be cut: never an id, a link, a date
    or a feed (a cut link is a broken link)."""
    best: tuple[int, tuple[Any, ...]] = (0, ())
    items: Any = obj.items() if isinstance(obj, dict) else enumerate(obj)
    for k, v in items:
        if isinstance(v, str):
            if not (isinstance(k, str) and k.endswith(_KEEP)) and len(v) > best[0]:
                best = (len(v), (*path, k))
        elif isinstance(v, dict | list):
            best = max(best, _longest_text(v, (*path, k)))
    return best


def fit(payload: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    """``payload`` cut to ``max_bytes`` of JSON: a follow-up's list of sources is shortened
    first (its ``count`` still says how many), then the longest texts are halved, each
    ending with "…", until it fits. Ids, links, dates and feeds are never cut, so the
    body stays valid against the schema and every link in it works."""
    if json_size(payload) <= max_bytes:
        return payload
    out = copy.deepcopy(payload)
    data = out.get("data", {})
    while len(data.get("sources", ())) > 1 and json_size(out) > max_bytes:
        data["sources"] = data["sources"][: len(data["sources"]) // 2]
    while json_size(out) > max_bytes:
        length, path = _longest_text(out)
        if length <= 16:
            break  # nothing left worth cutting: ids and links are what remains
        parent = out
        for k in path[:-1]:
            parent = parent[k]
        parent[path[-1]] = parent[path[-1]][: length // 2].rstrip() + "…"
    return out


def more_sources_id(alert_id: str) -> str:
    return f"{alert_id}.more"


def probe_message(saga: str, *, now: datetime | None = None) -> Message:
    """The message ``monitor alerts test`` sends (type ``alert.test``: receivers ignore it).
    It names no actor: the saga is data, and a probe must not look like news of one."""
    when = now or utcnow()
    alert = Alert(
        id=f"test-{when:%Y%m%dT%H%M%S}",
        saga=saga,
        kind=AlertKind.NEW_DEVELOPMENT,
        headline="Test alert from monitor: this sink works",
        actors=(),
        explanation=Explanation(
            reason="Sent by `monitor alerts test` to check the delivery; not a real alert.",
        ),
        source_title="monitor alerts test",
        source_url="https://example.invalid/monitor-test",
        source_feed="monitor",
        published=when,
        created=when,
    )
    return Message(MessageType.TEST, alert)
