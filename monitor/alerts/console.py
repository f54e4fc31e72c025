"""Console sink: one readable block per alert on stdout.

A few f-string lines, not a Jinja2 template: plain text for a terminal, nothing to escape,
and the conditional lines (no nearest event, undated) read more plainly as code.
"""

from __future__ import annotations

from collections.abc import Callable

import click
import httpx

from monitor.alerts.delivery import DELIVERED, Delivery
from monitor.alerts.message import NO_NAMES, Message, MessageType, Names
from monitor.types import Alert, AlertKind

_LABEL = {AlertKind.NEW_DEVELOPMENT: "NEW DEVELOPMENT", AlertKind.NEW_ACTOR: "NEW ACTOR"}


def format_alert(alert: Alert, names: Names = NO_NAMES) -> str:
    ex = alert.explanation
    when = alert.published.strftime("%Y-%m-%d %H:%M") if alert.published else "undated"
    feed = names.feed(alert.source_feed)
    lines = [f"[{_LABEL[alert.kind]}] {alert.headline}"]
    lines.append(f"  saga:    {names.saga(alert.saga)}")
    lines.append(f"  when:    {when}    source: {alert.source_title or alert.source_url or '-'}"
                 + (f" ({feed})" if feed else ""))
    if alert.actors:
        lines.append(f"  actors:  {', '.join(alert.actors)}")
    if ex.reason:
        lines.append(f"  why:     {ex.reason}")
    if ex.nearest_event:
        sim = f" (similarity {ex.similarity:.2f})" if ex.similarity is not None else ""
        lines.append(f"  nearest: {ex.nearest_event}{sim}")
    for s in ex.new_sentences[:2]:
        lines.append(f"  new:     «{s[:200]}»")
    return "\n".join(lines)


def format_message(message: Message, names: Names = NO_NAMES) -> str:
    if message.type is MessageType.MORE_SOURCES:
        n = len(message.sources)
        lines = [f"[+{n} SOURCE{'S' if n != 1 else ''}] {message.alert.headline}"]
        for s in message.sources:
            feed = f" ({names.feed(s.feed)})" if s.feed else ""
            lines.append(f"  source:  {s.title or s.url or '-'}{feed}")
        return "\n".join(lines)
    text = format_alert(message.alert, names)
    return f"[TEST] {text}" if message.type is MessageType.TEST else text


class ConsoleSink:
    name = "console"
    rate_per_s = 0.0

    def __init__(self, echo: Callable[[str], None] = click.echo,
                 names: Names = NO_NAMES) -> None:
        self._echo = echo
        self.names = names

    def send(self, alert: Alert) -> None:
        self._echo(format_alert(alert, self.names))

    async def deliver(self, message: Message, client: httpx.AsyncClient) -> Delivery:
        self._echo(format_message(message, self.names))
        return DELIVERED
