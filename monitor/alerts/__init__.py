"""Alert sinks and their delivery. One module per sink (console, jsonl, slack, webhook).

The daemon does not call sinks directly: the pipeline puts alerts in the durable outbox
(:class:`Outbox`, ``outbox.py``) and a :class:`Deliverer` sends them to every sink, with
retries, rate limits, dead letters and crash recovery. :func:`build_sinks` makes the sinks
the config asks for. :class:`Dispatcher` is the plain synchronous fan-out (console and
JSONL only) for tools that do not need delivery guarantees.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import httpx

from monitor.alerts.console import ConsoleSink
from monitor.alerts.delivery import AsyncSink, Delivery, Outcome
from monitor.alerts.jsonl import JSONLSink
from monitor.alerts.message import Message, MessageType, Names
from monitor.alerts.outbox import Deliverer, Outbox
from monitor.alerts.slack import SlackSink
from monitor.alerts.webhook import WebhookSink
from monitor.config import Env, Settings
from monitor.errors import ConfigError
from monitor.store import Store
from monitor.types import Alert
from monitor.urls import redact

log = logging.getLogger(__name__)

__all__ = [
    "AsyncSink",
    "ConsoleSink",
    "Deliverer",
    "Delivery",
    "Dispatcher",
    "JSONLSink",
    "Message",
    "MessageType",
    "OnlySagas",
    "Outbox",
    "Sink",
    "SlackSink",
    "WebhookSink",
    "build_sinks",
    "build_sync_sinks",
    "send_direct",
]


class Sink(Protocol):
    name: str

    def send(self, alert: Alert) -> None: ...


class OnlySagas:
    """A sink limited to some sagas (``sagas = [...]`` on the sink): the other sagas'
    alerts are acknowledged unsent, so one team's channel gets its own story only.
    ``monitor alerts test`` probes reach it whatever their saga."""

    def __init__(self, inner: AsyncSink, sagas: Iterable[str]) -> None:
        self.inner = inner
        self.sagas = frozenset(sagas)
        self.name = inner.name
        self.rate_per_s = inner.rate_per_s

    def use_store(self, store: Store) -> None:
        use = getattr(self.inner, "use_store", None)
        if use is not None:
            use(store)

    def wants(self, message: Message) -> bool:
        return message.type is MessageType.TEST or message.alert.saga in self.sagas

    async def deliver(self, message: Message, client: httpx.AsyncClient) -> Delivery:
        if not self.wants(message):
            return Delivery(Outcome.DELIVERED, detail=f"skipped: saga {message.alert.saga}")
        return await self.inner.deliver(message, client)


class Dispatcher:
    """Synchronous fan-out, no retries. Sinks that only deliver through the outbox (Slack,
    webhook) are left out with a warning."""

    def __init__(self, sinks: Sequence[Sink | AsyncSink]) -> None:
        self.sinks: list[Sink] = []
        for sink in sinks:
            if callable(getattr(sink, "send", None)):
                self.sinks.append(sink)  # type: ignore[arg-type]
            else:
                log.warning("sink %s delivers through the outbox only; not used here", sink.name)

    def emit(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            for sink in self.sinks:
                try:
                    sink.send(alert)
                except Exception:
                    log.exception("alert sink %s failed", sink.name, extra={"alert": alert.id})


def build_sync_sinks(settings: Settings, *, console: bool | None = None) -> list[Sink]:
    """Console and JSONL sinks for the synchronous :class:`Dispatcher`."""
    sinks: list[Sink] = []
    if settings.alerts.console if console is None else console:
        sinks.append(ConsoleSink(names=names_of(settings)))
    if settings.alerts.jsonl_path:
        sinks.append(JSONLSink(Path(settings.data_dir) / settings.alerts.jsonl_path))
    return sinks


def build_sinks(
    settings: Settings,
    env: Env | None = None,
    *,
    console: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[AsyncSink]:
    """The sinks ``[alerts] sinks`` lists, secrets from the environment (``env``; the
    Apprise targets' URLs from ``environ``, by default the process's).

    Raises ConfigError when a sink's secret is missing. ``console`` forces the console
    sink off (or on) whatever the config says.
    """
    env = env or Env()
    environ = os.environ if environ is None else environ
    a = settings.alerts
    names: list[str] = list(a.enabled_sinks())
    if console is False and "console" in names:
        names.remove("console")
    elif console and "console" not in names:
        names.insert(0, "console")
    shown = names_of(settings)
    sinks: list[AsyncSink] = []
    for name in names:
        if name == "console":
            sinks.append(ConsoleSink(names=shown))
        elif name == "jsonl":
            sinks.append(
                JSONLSink(Path(settings.data_dir) / a.jsonl_path, max_bytes=a.max_payload_bytes)
            )
        elif name == "slack":
            sinks.append(_slack_sink(settings, env, shown))
        elif name == "webhook":
            secret = env.monitor_webhook_secret
            if secret is None or not secret.get_secret_value():
                raise ConfigError(
                    "the webhook sink is enabled but MONITOR_WEBHOOK_SECRET is not set"
                )
            sinks.append(
                WebhookSink(
                    a.webhook.url,
                    secret,
                    rate_per_s=a.webhook.rate_per_s,
                    timeout_s=a.webhook.timeout_s,
                    max_bytes=a.max_payload_bytes,
                )
            )
        elif name.startswith("apprise-"):
            sinks.append(_apprise_sink(name, settings, environ, shown))
    return [_limited(sink, settings) for sink in sinks]


def names_of(settings: Settings) -> Names:
    """What people call the sagas and feeds an alert names by id: their titles and
    configured names."""
    return Names(
        sagas={s.name: s.title for s in settings.sagas if s.title},
        feeds={redact(f.url): f.name for f in settings.feeds if f.name},
    )


def _slack_sink(settings: Settings, env: Env, names: Names) -> AsyncSink:
    """The Web API sink (threads) when ``[alerts.slack] channel`` is set, else the webhook."""
    a = settings.alerts
    if a.slack.channel:
        token = env.slack_bot_token
        if token is None or not token.get_secret_value():
            raise ConfigError("[alerts.slack] channel is set but SLACK_BOT_TOKEN is not")
        from monitor.alerts.slack_api import SlackAPISink

        # A post is remembered as long as its parent may still be retried or followed up.
        ttl_s = int(a.retry_horizon_s + a.grouping_window_s) + 86_400
        return SlackAPISink(
            token,
            a.slack.channel,
            api_url=a.slack.api_url,
            rate_per_s=a.slack.rate_per_s,
            timeout_s=a.slack.timeout_s,
            names=names,
            record_ttl_s=ttl_s,
        )
    url = env.slack_webhook_url
    if url is None or not url.get_secret_value():
        raise ConfigError("the slack sink is enabled but SLACK_WEBHOOK_URL is not set")
    return SlackSink(url, rate_per_s=a.slack.rate_per_s, timeout_s=a.slack.timeout_s, names=names)


def _apprise_sink(
    name: str, settings: Settings, environ: Mapping[str, str], names: Names
) -> AsyncSink:
    from monitor.alerts.apprise import AppriseSink, url_variable

    var = url_variable(name)
    url = environ.get(var, "").strip()
    if not url:
        raise ConfigError(f"the apprise target {name} is enabled but {var} is not set")
    a = settings.alerts.apprise
    return AppriseSink(name, url, rate_per_s=a.rate_per_s, timeout_s=a.timeout_s,
                       names=names)


def _limited(sink: AsyncSink, settings: Settings) -> AsyncSink:
    """The sink, limited to the sagas its section lists (slack, webhook)."""
    section = getattr(settings.alerts, getattr(sink, "section", sink.name), None)
    sagas = getattr(section, "sagas", None)
    return OnlySagas(sink, sagas) if sagas else sink


async def send_direct(
    sinks: Sequence[AsyncSink], message: Message, *, user_agent: str
) -> list[tuple[str, Delivery]]:
    """Send one message to every sink now, bypassing the outbox (``monitor alerts test``)."""
    async with httpx.AsyncClient(headers={"user-agent": user_agent}) as client:

        async def one(sink: AsyncSink) -> tuple[str, Delivery]:
            try:
                return sink.name, await sink.deliver(message, client)
            except Exception as exc:
                return sink.name, Delivery(Outcome.RETRY, detail=f"sink error: {exc!r}")

        return list(await asyncio.gather(*(one(s) for s in sinks)))
