"""The Slack Web API sink: a real HTTP server on 127.0.0.1 that speaks enough of Slack's
``chat.postMessage`` (bearer token, ok/ts answers, 429 with Retry-After, ``ok: false``),
the real outbox on the embedded Redis."""

from __future__ import annotations

import itertools
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from test_alerts import make_alert, make_settings

from monitor.alerts import Deliverer, Outbox, SlackSink, build_sinks
from monitor.alerts.delivery import Outcome
from monitor.alerts.message import Message, MessageType, Source
from monitor.alerts.slack_api import SlackAPISink
from monitor.config import Env, Settings
from monitor.errors import ConfigError
from monitor.store import Keys, Store
from monitor.store.outbox import OutboxStore
from monitor.store.slack import SlackPosts

TOKEN = "xoxb-test-0123456789-secret"
CHANNEL_ID = "C0SAGA0001"

# Answer of the n-th chat.postMessage call (from 0) that passed the token check:
# None = a normal post; else (status, headers, JSON body).
Script = Callable[[int], tuple[int, dict[str, str], dict[str, Any]] | None]


@dataclass
class Call:
    path: str
    authorization: str
    body: dict[str, Any]
    answer: dict[str, Any] = field(default_factory=dict)


class FakeSlack:
    """Enough of the Slack Web API: ``POST /api/chat.postMessage`` with a JSON body and
    ``Authorization: Bearer <token>``; a wrong token answers ``invalid_auth`` (HTTP 200, as
    Slack does); ``#saga`` and the channel id name one channel; posts get increasing ts."""

    def __init__(self, script: Script = lambda n: None) -> None:
        self.calls: list[Call] = []
        self.posted: list[Call] = []
        lock = threading.Lock()
        ts = itertools.count(1)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                call = Call(self.path, self.headers.get("authorization", ""), json.loads(raw))
                with lock:
                    owner.calls.append(call)
                    status, headers, answer = owner.answer(call, script, ts)
                    call.answer = answer
                out = json.dumps(answer).encode()
                self.send_response(status)
                for k, v in {**headers, "content-type": "application/json"}.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def answer(
        self, call: Call, script: Script, ts: Iterator[int]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if call.path != "/api/chat.postMessage":
            return 404, {}, {"ok": False, "error": "unknown_method"}
        if call.authorization != f"Bearer {TOKEN}":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        scripted = script(len([c for c in self.calls if c.authorization == f"Bearer {TOKEN}"]) - 1)
        if scripted is not None:
            return scripted
        channel = call.body.get("channel")
        if channel not in ("#saga", CHANNEL_ID):
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if not call.body.get("text"):
            return 200, {}, {"ok": False, "error": "no_text"}
        self.posted.append(call)
        return 200, {}, {"ok": True, "channel": CHANNEL_ID, "ts": f"1700000000.{next(ts):06d}"}

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def slack() -> Iterator[Callable[..., FakeSlack]]:
    made: list[FakeSlack] = []

    def make(script: Script = lambda n: None) -> FakeSlack:
        made.append(FakeSlack(script))
        return made[-1]

    yield make
    for s in made:
        s.close()


_prefixes = itertools.count()


@pytest.fixture
async def astore(redis_server: Store) -> AsyncIterator[Store]:
    s = Store(
        redis_server.redis, Keys(f"slackapi{next(_prefixes)}"), socket_path=redis_server.socket_path
    )
    yield s
    s.drop_namespace()
    await s.aclose()


def api_settings(
    tmp_path: Path, fake: FakeSlack, *, channel: str = "#saga", **alerts: Any
) -> Settings:
    slack = {"channel": channel, "api_url": fake.api_url, "rate_per_s": 0}
    return make_settings(tmp_path, sinks=["slack"], slack=slack, **alerts)


def api_env(token: str = TOKEN) -> Env:
    return Env(slack_bot_token=SecretStr(token), slack_webhook_url=None)


async def test_follow_up_is_a_reply_in_the_alerts_thread(
    tmp_path: Path, astore: Store, slack: Any
) -> None:
    fake = slack()
    settings = api_settings(tmp_path, fake, grouping_window_s=600)
    sinks = build_sinks(settings, api_env())
    outbox = Outbox(astore, settings)
    t0 = datetime.now(UTC)  # the Deliverer closes windows on the wall clock
    outbox.enqueue([make_alert(1)], now=t0)
    outbox.enqueue([make_alert(2, id="alert-2")], now=t0 + timedelta(seconds=1))
    outbox.count_source("s", "ev-1", Source("Third outlet", "https://third.example/a", "Feed3"),
                        now=t0 + timedelta(seconds=2))
    await Deliverer(settings, astore, sinks).drain(10)
    [parent] = fake.posted
    assert parent.authorization == f"Bearer {TOKEN}"
    assert parent.body["channel"] == "#saga" and "thread_ts" not in parent.body
    assert "Sam Altman returns as OpenAI CEO (1)" in parent.body["text"]
    assert parent.body["blocks"][0]["type"] == "header"

    assert len(outbox.flush_groups(now=t0 + timedelta(minutes=10))) == 1
    await Deliverer(settings, astore, sinks).drain(10)
    [_, reply] = fake.posted
    assert reply.body["thread_ts"] == parent.answer["ts"]
    assert reply.body["channel"] == CHANNEL_ID  # the channel Slack answered, by its id
    assert reply.body["text"].startswith("2 more sources on: ")
    assert "https://third.example/a" in json.dumps(reply.body["blocks"])
    assert OutboxStore(astore).dead_letters() == []


async def test_a_retry_never_posts_the_parent_twice(
    tmp_path: Path, astore: Store, slack: Any
) -> None:
    """Slack took the alert, then the process died before the outbox's acknowledgement:
    the entry is delivered again, and nothing is posted again."""
    fake = slack()
    settings = api_settings(tmp_path, fake)
    [sink] = build_sinks(settings, api_env())
    assert isinstance(sink, SlackAPISink)
    sink.use_store(astore)
    alert = make_alert(1)
    async with httpx.AsyncClient() as client:
        first = await sink.deliver(Message(MessageType.ALERT, alert), client)
    assert first.ok and len(fake.posted) == 1  # posted, never acknowledged in the outbox

    Outbox(astore, settings).enqueue([alert])
    await Deliverer(settings, astore, [sink]).drain(10)
    assert len(fake.posted) == 1 and len(fake.calls) == 1
    assert OutboxStore(astore).queues(["slack"])[0].depth == 0
    assert await SlackPosts(astore).get(alert.id) is not None


async def test_429_with_retry_after_is_retried_then_posted_once(
    tmp_path: Path, astore: Store, slack: Any
) -> None:
    fake = slack(lambda n: (429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"})
                 if n in (0, 2) else None)
    settings = api_settings(tmp_path, fake)
    [sink] = build_sinks(settings, api_env())
    Outbox(astore, settings).enqueue([make_alert(1)])
    await Deliverer(settings, astore, [sink]).drain(10)
    assert [c.answer.get("error") for c in fake.calls] == ["ratelimited", None]
    assert len(fake.posted) == 1 and OutboxStore(astore).dead_letters() == []

    async with httpx.AsyncClient() as client:
        result = await sink.deliver(Message(MessageType.ALERT, make_alert(2)), client)
    assert result.outcome is Outcome.RETRY and result.status == 429
    assert result.retry_after_s == 1.0  # the outbox pauses the sink that long


async def test_slack_errors_transient_retried_permanent_dead_lettered(
    tmp_path: Path, astore: Store, slack: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fake = slack(lambda n: (200, {}, {"ok": False, "error": "internal_error"}) if n == 0 else None)
    settings = api_settings(tmp_path, fake, channel="#elsewhere")
    [sink] = build_sinks(settings, api_env())
    Outbox(astore, settings).enqueue([make_alert(1)])
    with caplog.at_level(logging.DEBUG):
        await Deliverer(settings, astore, [sink]).drain(10)
    # internal_error: tried again; channel_not_found: never will work, dead letter at once.
    assert [c.answer["error"] for c in fake.calls] == ["internal_error", "channel_not_found"]
    [dead] = OutboxStore(astore).dead_letters()
    assert dead.error == "rejected, HTTP 200, slack error: channel_not_found"
    assert dead.attempts == 2
    assert TOKEN not in caplog.text and TOKEN not in repr(sink)


async def test_a_wrong_token_is_rejected_and_never_shown(
    tmp_path: Path, astore: Store, slack: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fake = slack()
    settings = api_settings(tmp_path, fake)
    sinks = build_sinks(settings, api_env("xoxb-revoked"))
    Outbox(astore, settings).enqueue([make_alert(1)])
    with caplog.at_level(logging.DEBUG):
        await Deliverer(settings, astore, sinks).drain(10)
    assert fake.posted == [] and len(fake.calls) == 1
    [dead] = OutboxStore(astore).dead_letters()
    assert "invalid_auth" in dead.error
    assert "xoxb-revoked" not in caplog.text + dead.error


async def test_follow_up_without_a_known_parent_is_a_message_of_its_own(
    tmp_path: Path, astore: Store, slack: Any
) -> None:
    """The parent went out through the webhook (before the switch) or is dead-lettered:
    the follow-up is posted to the channel, as the webhook would."""
    fake = slack()
    settings = api_settings(tmp_path, fake)
    [sink] = build_sinks(settings, api_env())
    sink.use_store(astore)  # type: ignore[attr-defined]
    more = Message(MessageType.MORE_SOURCES, make_alert(1), (Source("Other", "https://o.example"),))
    async with httpx.AsyncClient() as client:
        result = await sink.deliver(more, client)
    assert result.ok
    [post] = fake.posted
    assert post.body["channel"] == "#saga" and "thread_ts" not in post.body


def test_the_config_chooses_webhook_or_web_api(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, sinks=["slack"], slack={"channel": "C0SAGA0001"})
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        build_sinks(settings, Env(slack_bot_token=None, slack_webhook_url=SecretStr("https://x")))
    [api] = build_sinks(settings, api_env())
    assert isinstance(api, SlackAPISink) and api.url == "https://slack.com/api/chat.postMessage"
    assert TOKEN not in repr(api)
    webhook = make_settings(tmp_path, sinks=["slack"])
    [hook] = build_sinks(webhook, Env(slack_bot_token=SecretStr(TOKEN),
                                      slack_webhook_url=SecretStr("https://hooks.example/x")))
    assert isinstance(hook, SlackSink)
    with pytest.raises(ValueError, match="api_url"):
        make_settings(tmp_path, sinks=["slack"], slack={"api_url": "file:///etc/passwd"})
