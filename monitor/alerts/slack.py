"""Slack sink: an incoming-webhook message in Block Kit, with a plain ``text`` fallback.

Layout of an alert: a header (kind + headline), fields (kind, actors, published, saga),
why it is new (with the new sentences quoted), the nearest known event, the source (title
linked, feed) and a context line with the alert id. More sources on the same development
arrive as one follow-up message when the grouping window closes ("3 more sources on ...").

This module posts through an incoming webhook, which cannot reply in a thread; with a bot
token the same messages go through the Web API and follow-ups are thread replies
(``slack_api.py``). The webhook URL is a secret (``SLACK_WEBHOOK_URL``). Slack allows
about one message per second per hook: the sink's ``rate_per_s`` defaults to 1.

Built as dicts, not Jinja2 templates (those serve monitor/web's HTML): Block Kit is JSON, so
a template would print JSON text by hand, and its autoescape is HTML's, while mrkdwn escapes
only ``& < >``; the cutting to Block Kit limits without breaking a link (``_cut_mrkdwn``)
is code either way.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import SecretStr

from monitor.alerts.delivery import Delivery, post
from monitor.alerts.message import NO_NAMES, Message, MessageType, Names, Source
from monitor.types import Alert, AlertKind

KIND_LABEL = {AlertKind.NEW_DEVELOPMENT: "New development", AlertKind.NEW_ACTOR: "New actor"}
_HEADER_MAX = 150  # Block Kit limits
_TEXT_MAX = 3000
_FIELD_MAX = 2000


def _esc(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(url: str | None, title: str) -> str:
    label = _esc(title or url or "(untitled)").replace("|", "¦")
    if not url:
        return label
    safe = url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe}|{label}>"


def _source_line(src: Source, names: Names = NO_NAMES) -> str:
    line = _link(src.url, src.title)
    feed = names.feed(src.feed)
    if feed:
        line += f" · {_esc(feed)}"
    if src.published:
        line += f" · {src.published:%Y-%m-%d %H:%M} UTC"
    return line


def _cut_mrkdwn(text: str, limit: int) -> str:
    """``_cut`` that never leaves half a ``<url|label>`` link: a link that does not fit
    whole is left out (escaped text has no other "<")."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    opened = kept.rfind("<")
    if opened > kept.rfind(">"):
        kept = kept[:opened]
    return kept.rstrip() + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut_mrkdwn(text, _TEXT_MAX)}}


def _when(alert: Alert) -> str:
    return f"{alert.published:%Y-%m-%d %H:%M} UTC" if alert.published else "undated"


def _alert_blocks(alert: Alert, *, test: bool, names: Names = NO_NAMES) -> list[dict[str, Any]]:
    ex = alert.explanation
    label = KIND_LABEL[alert.kind]
    title = f"{'[TEST] ' if test else ''}{label}: {alert.headline}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, _HEADER_MAX)}},
        {
            "type": "section",
            "fields": [
                {
                    "type": "mrkdwn",
                    "text": _cut(f"*Actors*\n{_esc(', '.join(alert.actors) or '-')}", _FIELD_MAX),
                },
                {"type": "mrkdwn", "text": f"*Published*\n{_when(alert)}"},
                {
                    "type": "mrkdwn",
                    "text": _cut(f"*Saga*\n{_esc(names.saga(alert.saga))}", _FIELD_MAX),
                },
            ],
        },
    ]
    why = _esc(ex.reason or "-")
    quotes = "".join(f"\n> {_esc(_cut(s, 300))}" for s in ex.new_sentences[:3])
    blocks.append(_section(f"*Why it is new*\n{why}{quotes}"))
    if ex.nearest_event:  # said only when there is one
        nearest = _esc(ex.nearest_event)
        extra = [x for x in (ex.nearest_event_date,) if x]
        if ex.similarity is not None:
            extra.append(f"similarity {ex.similarity:.2f}")
        if extra:
            nearest += f" ({', '.join(extra)})"
        blocks.append(_section(f"*Nearest known event*\n{nearest}"))
    blocks.append(_section(f"*Source*\n{_source_line(Source.of(alert), names)}"))
    footer = f"{_esc(names.saga(alert.saga))} · {_when(alert)}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return blocks


def _alert_text(alert: Alert, *, test: bool, names: Names = NO_NAMES) -> str:
    parts = [f"{'[TEST] ' if test else ''}{KIND_LABEL[alert.kind]}: {alert.headline}"]
    if alert.actors:
        parts.append(f"Actors: {', '.join(alert.actors)}")
    if alert.explanation.reason:
        parts.append(f"Why: {alert.explanation.reason}")
    if alert.explanation.nearest_event:
        parts.append(f"Nearest known event: {alert.explanation.nearest_event}")
    src = alert.source_title or alert.source_url or "-"
    if alert.source_feed:
        src += f" ({names.feed(alert.source_feed)})"
    if alert.source_url and alert.source_title:
        src += f" {alert.source_url}"
    parts.append(f"Source: {src}")
    parts.append(_when(alert))
    return _esc(" — ".join(parts))


def _more_sources(message: Message, names: Names = NO_NAMES) -> dict[str, Any]:
    alert = message.alert
    n = len(message.sources)
    what = f"{n} more source{'s' if n != 1 else ''}"
    lines = "\n".join(f"• {_source_line(s, names)}" for s in message.sources[:20])
    if n > 20:
        lines += f"\n…and {n - 20} more"
    return {
        "text": _esc(f"{what} on: {alert.headline}"),
        "blocks": [
            _section(f"*{what}* on _{_esc(alert.headline)}_"),
            _section(lines),
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _esc(names.saga(alert.saga))}],
            },
        ],
    }


def slack_payload(message: Message, names: Names = NO_NAMES) -> dict[str, Any]:
    """The JSON body posted to the incoming webhook."""
    if message.type is MessageType.MORE_SOURCES:
        return _more_sources(message, names)
    test = message.type is MessageType.TEST
    return {
        "text": _cut(_alert_text(message.alert, test=test, names=names), _TEXT_MAX),
        "blocks": _alert_blocks(message.alert, test=test, names=names),
    }


class SlackSink:
    name = "slack"

    def __init__(self, url: SecretStr, *, rate_per_s: float = 1.0, timeout_s: float = 10.0,
                 names: Names = NO_NAMES):
        self._url = url
        self.names = names
        self.rate_per_s = rate_per_s
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"SlackSink(url={self._url!r}, rate_per_s={self.rate_per_s})"

    async def deliver(self, message: Message, client: httpx.AsyncClient) -> Delivery:
        body = json.dumps(slack_payload(message, self.names), ensure_ascii=False).encode("utf-8")
        return await post(
            client,
            self._url.get_secret_value(),
            content=body,
            headers={"content-type": "application/json; charset=utf-8"},
            timeout_s=self.timeout_s,
        )
