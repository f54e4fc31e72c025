"""Feed intake: fetch a feed over HTTP and parse it into :class:`FeedItem` values.

Thin first version: one GET, feedparser over the bytes with the response headers.
(Conditional GET, backoff, dedup and feed health: see issue #5.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from time import mktime

import feedparser
import httpx

from monitor.config import FeedSettings, PollingSettings
from monitor.types import FeedItem, utcnow

log = logging.getLogger(__name__)


class PollStatus(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class PollResult:
    feed: str
    status: PollStatus
    items: tuple[FeedItem, ...] = ()
    http_status: int | None = None
    error: str | None = None
    bozo: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def make_client(polling: PollingSettings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        http2=True,
        follow_redirects=True,
        max_redirects=polling.max_redirects,
        timeout=httpx.Timeout(polling.read_timeout_s, connect=polling.connect_timeout_s),
        limits=httpx.Limits(max_connections=polling.max_connections),
        headers={"User-Agent": polling.user_agent},
    )


def parse_feed(
    content: bytes,
    feed_url: str,
    headers: dict[str, str] | None = None,
    language: str | None = None,
) -> tuple[list[FeedItem], str | None]:
    """Parse feed bytes; returns the items that parsed and the bozo error, if any."""
    parsed = feedparser.parse(content, response_headers=headers or {})
    bozo = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    lang = language or parsed.feed.get("language") or None
    items = []
    for e in parsed.entries:
        t = e.get("published_parsed") or e.get("updated_parsed")
        published = None
        if t:
            from datetime import UTC, datetime

            published = datetime.fromtimestamp(mktime(t), UTC)
        items.append(
            FeedItem(
                feed=feed_url,
                title=e.get("title", "") or "",
                summary=e.get("summary", "") or "",
                link=e.get("link", "") or "",
                published=published,
                language=lang,
                guid=e.get("id") or None,
            )
        )
    return items, bozo


async def poll(client: httpx.AsyncClient, feed: FeedSettings) -> PollResult:
    try:
        resp = await client.get(feed.url)
    except httpx.HTTPError as exc:
        return PollResult(feed.url, PollStatus.ERROR, error=f"{type(exc).__name__}: {exc}")
    if resp.status_code == 304:
        return PollResult(feed.url, PollStatus.NOT_MODIFIED, http_status=304)
    if resp.status_code >= 400:
        return PollResult(
            feed.url,
            PollStatus.ERROR,
            http_status=resp.status_code,
            error=f"HTTP {resp.status_code}",
        )
    items, bozo = parse_feed(resp.content, feed.url, dict(resp.headers), feed.language)
    _ = utcnow
    return PollResult(
        feed.url, PollStatus.OK, tuple(items), http_status=resp.status_code, bozo=bozo
    )
