"""Small frozen dataclasses exchanged between the pipeline stages.

Each stage takes one of these and returns another; none of them knows Redis or HTTP.
Wire formats (Redis stream entries, webhook payloads) have explicit ``to_dict`` /
``from_dict`` so that what crosses a process boundary is always spelled out.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_dt(value: str | None) -> datetime | None:
    """ISO-8601 to an aware UTC datetime (naive values are taken as UTC)."""
    if not value:
        return None
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def short_hash(*parts: str, length: int = 16) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:length]


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed, as the feed stage hands it on (also the rss-dev archive line)."""

    feed: str
    title: str
    summary: str
    link: str
    published: datetime | None
    language: str | None = None
    guid: str | None = None

    @property
    def id(self) -> str:
        return short_hash(self.guid or self.link or self.title)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "title": self.title,
            "summary": self.summary,
            "link": self.link,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "guid": self.guid,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeedItem:
        return cls(
            feed=str(d.get("feed") or ""),
            title=str(d.get("title") or ""),
            summary=str(d.get("summary") or ""),
            link=str(d.get("link") or ""),
            published=parse_dt(d.get("published")),
            language=d.get("language") or None,
            guid=d.get("guid") or None,
        )


@dataclass(frozen=True, slots=True)
class Document:
    """A piece of text to understand: a seed file, or a feed item with its article text."""

    id: str
    title: str
    text: str
    source: str  # feed URL or file path
    url: str | None = None
    published: datetime | None = None
    language: str | None = None
    date_inferred: bool = False  # published was derived from the content, not given

    @property
    def full_text(self) -> str:
        """Title and text, the title only once (a seed's title is its own first line)."""
        head = self.title.rstrip("…").strip()
        if head and head not in self.text[: len(head) + 200]:
            return f"{self.title}.\n{self.text}" if self.text else self.title
        return self.text


class Verdict(StrEnum):
    IRRELEVANT = "irrelevant"
    KNOWN = "known"
    NEW_DEVELOPMENT = "new_development"
    NEW_ACTOR = "new_actor"


class AlertKind(StrEnum):
    NEW_DEVELOPMENT = "new_development"
    NEW_ACTOR = "new_actor"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an alert fired: what matched, what was nearest, what is new."""

    matched_actors: tuple[str, ...] = ()
    nearest_event: str | None = None
    nearest_event_date: str | None = None
    similarity: float | None = None
    new_sentences: tuple[str, ...] = ()
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["matched_actors"] = list(self.matched_actors)
        d["new_sentences"] = list(self.new_sentences)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Explanation:
        return cls(
            matched_actors=tuple(d.get("matched_actors") or ()),
            nearest_event=d.get("nearest_event"),
            nearest_event_date=d.get("nearest_event_date"),
            similarity=d.get("similarity"),
            new_sentences=tuple(d.get("new_sentences") or ()),
            reason=d.get("reason") or "",
        )


@dataclass(frozen=True, slots=True)
class Alert:
    """What the product tells people. ``id`` is derived from saga + kind + what is new,
    so the same development seen twice yields the same id (idempotent delivery)."""

    id: str
    saga: str
    kind: AlertKind
    headline: str
    actors: tuple[str, ...]
    explanation: Explanation
    source_title: str
    source_url: str | None
    source_feed: str | None
    published: datetime | None
    created: datetime = field(default_factory=utcnow)
    event_id: str | None = None
    actor_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "saga": self.saga,
            "kind": self.kind.value,
            "headline": self.headline,
            "actors": list(self.actors),
            "explanation": self.explanation.to_dict(),
            "source": {
                "title": self.source_title,
                "url": self.source_url,
                "feed": self.source_feed,
            },
            "published": self.published.isoformat() if self.published else None,
            "created": self.created.isoformat(),
            "event_id": self.event_id,
            "actor_id": self.actor_id,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alert:
        src = d.get("source") or {}
        return cls(
            id=d["id"],
            saga=d["saga"],
            kind=AlertKind(d["kind"]),
            headline=d["headline"],
            actors=tuple(d.get("actors") or ()),
            explanation=Explanation.from_dict(d.get("explanation") or {}),
            source_title=src.get("title") or "",
            source_url=src.get("url"),
            source_feed=src.get("feed"),
            published=parse_dt(d.get("published")),
            created=parse_dt(d.get("created")) or utcnow(),
            event_id=d.get("event_id"),
            actor_id=d.get("actor_id"),
        )
