"""Apprise sinks: email, Discord, Teams, Telegram, ntfy, Matrix, ... one URL per target.

`Apprise <https://github.com/caronc/apprise>`_ speaks to about a hundred services behind
one URL scheme each (``mailtos://``, ``discord://``, ``ntfy://``, ``json://``); we use it
rather than a client per service. Each target named in ``[alerts.apprise] targets`` is its
own sink, ``apprise-NAME``, with its own outbox consumer group: a target that fails is
retried alone, and one that took the alert never gets it twice because another failed
(one Apprise object notifying all targets at once cannot tell which of them to retry).

A target's URL holds tokens and passwords, so it comes from the environment only
(``MONITOR_APPRISE_URL_<NAME>``) and is never printed: logs and metrics use the target's
name, and Apprise's own logger (which names URLs) is kept quiet by ``logs.configure``.
Apprise says whether a notification went through, not why it failed, so every failure is
retried until the outbox's horizon.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import apprise
import httpx

from monitor.alerts.console import format_message
from monitor.alerts.delivery import Delivery, Outcome
from monitor.alerts.message import NO_NAMES, Message, Names
from monitor.errors import ConfigError


def url_variable(sink: str) -> str:
    """The environment variable holding a target's URL: ``apprise-ops-chat`` ->
    ``MONITOR_APPRISE_URL_OPS_CHAT``."""
    target = sink.removeprefix("apprise-")
    return "MONITOR_APPRISE_URL_" + target.upper().replace("-", "_")


class AppriseSink:
    """One Apprise target. ``deliver`` runs Apprise's blocking send in a thread."""

    section = "apprise"  # its settings: [alerts.apprise]

    def __init__(
        self, name: str, url: str, *, rate_per_s: float = 0.0, timeout_s: float = 10.0,
        names: Names = NO_NAMES,
    ) -> None:
        self.name = name
        self.names = names
        self.rate_per_s = rate_per_s
        self.timeout_s = timeout_s
        self._apprise = apprise.Apprise()
        if not self._apprise.add(url):
            raise ConfigError(
                f"{url_variable(name)} is not a URL Apprise understands (its scheme: "
                f"{urlsplit(url).scheme or 'none'})"
            )

    def __repr__(self) -> str:
        return f"AppriseSink({self.name})"

    async def deliver(self, message: Message, client: httpx.AsyncClient) -> Delivery:
        title, _, body = format_message(message, self.names).partition("\n")
        if message.alert.source_url:
            body += f"\n  link:    {message.alert.source_url}"
        try:
            result = await asyncio.wait_for(
                asyncio.to_thread(self._apprise.notify, body=body or title, title=title),
                timeout=self.timeout_s,
            )
        except TimeoutError:
            return Delivery(Outcome.RETRY, detail=f"timeout after {self.timeout_s:g}s")
        if bool(result):
            return Delivery(Outcome.DELIVERED)
        return Delivery(Outcome.RETRY, detail="the service did not take the notification")
