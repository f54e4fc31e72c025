"""Slack sink through the Web API (``chat.postMessage``) with a bot token: the "N more
sources" follow-up goes in the alert's thread.

The same Block Kit messages as the incoming webhook (``slack.py``), posted to ``[alerts.slack]
channel`` with the token from ``SLACK_BOT_TOKEN`` (scope ``chat:write``; the bot must be in
the channel). Each message posted is recorded in Redis by its message id with the channel
and ``ts`` Slack answered (``monitor/store/slack.py``), which gives:

- threads: the follow-up of alert A is posted with ``thread_ts`` = A's ``ts``; when A has no
  record (posted by the webhook before a switch, sent to the dead letters, record expired)
  the follow-up is a message of its own, as with the webhook. So is a follow-up whose alert
  is still waiting for a retry when the follow-up's turn comes (Slack down for longer than
  the grouping window, the alert's next try due after the follow-up's);
- idempotency: a message with a record is not posted again, so a retry after a crash between
  Slack's answer and the outbox's acknowledgement does not post a second parent. The one
  window left is between Slack's answer and the record (a few milliseconds), or an answer
  lost on the way back (a timeout after Slack posted): at least once, as every sink.

Answers: HTTP 429 or 5xx are retried (``Retry-After`` honoured, a 429 pauses the sink);
``{"ok": false}`` is retried for Slack's transient errors (``ratelimited``, ``internal_error``,
...) and otherwise rejected (``channel_not_found``, ``invalid_auth``: to the dead letters,
error code in the detail). The token is sent in the ``Authorization`` header only, never
logged, never in a detail.

Plain httpx rather than ``slack_sdk``: one POST of JSON is all this needs, and the SDK's
async client runs on aiohttp (a second HTTP stack beside the httpx client every sink shares:
its own pool, TLS and proxy settings), while its sync client would need a thread per send and
brings retry handlers that would fight the outbox's own backoff and 429 pause. What the SDK
adds beyond that (OAuth, Socket Mode, builders) this sink does not use.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
from pydantic import SecretStr

from monitor.alerts.delivery import Delivery, Outcome, classify, parse_retry_after, send
from monitor.alerts.message import Message, MessageType
from monitor.alerts.slack import Names, slack_payload
from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.slack import SlackPost, SlackPosts

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# Slack's documented transient errors of chat.postMessage: worth another try.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def classify_answer(response: httpx.Response) -> tuple[Delivery, SlackPost | None]:
    """What a Web API answer means for the outbox, and the message it posted (if it did)."""
    if response.status_code != 200:
        return classify(response), None
    try:
        body: Any = response.json()
    except ValueError:
        return Delivery(Outcome.RETRY, 200, detail="Slack answered no JSON"), None
    if not isinstance(body, dict):
        return Delivery(Outcome.RETRY, 200, detail="Slack answered no JSON object"), None
    if not body.get("ok"):
        error = str(body.get("error") or "unknown error")
        if error in TRANSIENT_ERRORS:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            return Delivery(Outcome.RETRY, 200, retry_after, f"slack error: {error}"), None
        return Delivery(Outcome.REJECTED, 200, detail=f"slack error: {error}"), None
    ts, channel = body.get("ts"), body.get("channel")
    post = SlackPost(str(channel), str(ts)) if ts and channel else None
    return Delivery(Outcome.DELIVERED, 200), post


class SlackAPISink:
    """Posts with ``chat.postMessage``; see the module docstring. The outbox hands it the
    store (:meth:`use_store`); without one (``monitor alerts test``) it neither records
    posts nor threads follow-ups."""

    name = "slack"

    def __init__(
        self,
        token: SecretStr,
        channel: str,
        *,
        api_url: str = DEFAULT_API_URL,
        rate_per_s: float = 1.0,
        timeout_s: float = 10.0,
        names: Names | None = None,
        record_ttl_s: int = 8 * 24 * 3600,
    ) -> None:
        self._token = token
        self.channel = channel
        self.url = api_url.rstrip("/") + "/chat.postMessage"
        self.rate_per_s = rate_per_s
        self.timeout_s = timeout_s
        self.names = names or Names()
        self.record_ttl_s = record_ttl_s
        self._posts: SlackPosts | None = None

    def __repr__(self) -> str:
        return f"SlackAPISink(channel={self.channel!r}, url={self.url!r}, token={self._token!r})"

    def use_store(self, store: Store) -> None:
        self._posts = SlackPosts(store)

    async def deliver(self, message: Message, client: httpx.AsyncClient) -> Delivery:
        posts = self._posts if message.type is not MessageType.TEST else None
        if posts is not None and await posts.get(message.id) is not None:
            return Delivery(Outcome.DELIVERED, detail="posted to Slack already")
        body: dict[str, Any] = {"channel": self.channel, **slack_payload(message, self.names)}
        if message.type is MessageType.MORE_SOURCES and posts is not None:
            parent = await posts.get(message.alert.id)
            if parent is not None:
                body["channel"], body["thread_ts"] = parent.channel, parent.ts
        answer = await send(
            client,
            self.url,
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={
                "content-type": "application/json; charset=utf-8",
                "authorization": f"Bearer {self._token.get_secret_value()}",
            },
            timeout_s=self.timeout_s,
        )
        if isinstance(answer, Delivery):
            return answer
        result, post = classify_answer(answer)
        if posts is not None and post is not None:
            try:
                await posts.put(message.id, post, ttl_s=self.record_ttl_s)
            except StoreError as exc:
                # Posted: say so, or the outbox would post it again. Its follow-up, if
                # any, will be a message of its own.
                log.warning("Slack post not recorded: %s", exc, extra={"alert": message.id})
        if "thread_ts" in body and result.ok:
            return Delivery(result.outcome, result.status, detail="in the alert's thread")
        return result
