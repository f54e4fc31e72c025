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


class ArticleStatus(StrEnum):
    """How fetching an article page ended (the fetcher's classified result)."""

    OK = "ok"
    BLOCKED = "blocked"  # not http(s), or a private/loopback/link-local address
    HTTP_ERROR = "http_error"  # status >= 400 (see http_status)
    TOO_MANY_REDIRECTS = "too_many_redirects"
    TOO_LARGE = "too_large"  # body over polling.max_body_bytes
    NOT_HTML = "not_html"  # PDF, image, ...
    TOO_SHORT = "too_short"  # boilerplate only: paywall stub, navigation page
    TIMEOUT = "timeout"
    NETWORK = "network"  # DNS, connection, TLS, protocol errors
    PARSE = "parse"  # the HTML could not be parsed

    @property
    def transient(self) -> bool:
        """Worth retrying soon (cached for a shorter time)."""
        return self in (ArticleStatus.TIMEOUT, ArticleStatus.NETWORK)


@dataclass(frozen=True, slots=True)
class Article:
    """The main text and metadata of an article page, or why there is none.

    ``url`` is the URL asked for (the cache key), ``final_url`` where redirects led.
    ``language_source`` says where ``language`` came from: ``html`` (the page's lang
    attribute or Content-Language), ``metadata`` (trafilatura), ``detector``.
    """

    url: str
    status: ArticleStatus
    text: str = ""
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    language_source: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    error: str | None = None
    fetched: datetime = field(default_factory=utcnow)

    @property
    def ok(self) -> bool:
        return self.status is ArticleStatus.OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status.value,
            "text": self.text,
            "title": self.title,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "language_source": self.language_source,
            "final_url": self.final_url,
            "http_status": self.http_status,
            "error": self.error,
            "fetched": self.fetched.isoformat(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        return cls(
            url=d["url"],
            status=ArticleStatus(d["status"]),
            text=d.get("text") or "",
            title=d.get("title"),
            author=d.get("author"),
            published=parse_dt(d.get("published")),
            language=d.get("language"),
            language_source=d.get("language_source"),
            final_url=d.get("final_url"),
            http_status=d.get("http_status"),
            error=d.get("error"),
            fetched=parse_dt(d.get("fetched")) or utcnow(),
        )
