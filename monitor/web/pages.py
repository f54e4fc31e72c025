"""HTML and Atom from views: Jinja2 templates, autoescaped everywhere.

Titles, sentences and links come from the internet: every template is autoescaped (HTML,
SVG and Atom alike), and the Atom feed also drops the characters XML 1.0 forbids (a
control character in a feed title would make the whole feed unreadable).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from monitor import __version__
from monitor.web.views import FeedHealthLine, SagaView

TEMPLATES = Path(__file__).with_name("templates")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_chars(value: Any) -> Any:
    """``value`` without the characters XML 1.0 forbids (escaping stays autoescape's job)."""
    if isinstance(value, Markup):
        return Markup(_NOT_XML.sub("", str(value)))
    return _NOT_XML.sub("", str(value))


def rfc3339(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def health_sentence(h: FeedHealthLine, now: datetime) -> str:
    """Feed health in one line, e.g. "Daemon running · 40 feeds: 38 ok, 2 failing ·
    last poll 3 min ago"."""
    daemon = f"Daemon {h.daemon}" if h.daemon else "No daemon running"
    if not h.total:
        return f"{daemon} · no feeds configured"
    parts = [f"{h.ok} ok"]
    if h.failing:
        parts.append(f"{h.failing} failing")
    if h.never_polled:
        parts.append(f"{h.never_polled} never polled")
    poll = "no poll yet"
    if h.last_poll is not None:
        poll = f"last poll {_ago((now - h.last_poll).total_seconds())}"
    return f"{daemon} · {h.total} feed{'s' if h.total != 1 else ''}: {', '.join(parts)} · {poll}"


def _ago(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 90:
        return f"{s} s ago"
    if s < 5400:
        return f"{round(s / 60)} min ago"
    if s < 172800:
        return f"{round(s / 3600)} h ago"
    return f"{round(s / 86400)} days ago"


class Pages:
    """The templates, loaded once; each method renders one page from views (pure)."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["xml"] = xml_chars
        self.env.filters["rfc3339"] = rfc3339
        self.env.globals["version"] = __version__

    def index(
        self, sagas: Sequence[SagaView], health: FeedHealthLine, *, now: datetime, root: str = "/"
    ) -> str:
        return self.env.get_template("index.html").render(
            sagas=sagas, health_line=health_sentence(health, now), now=now, root=root
        )

    def saga(self, view: SagaView, *, now: datetime, root: str = "/") -> str:
        """The saga's page; ``root`` is where the site's links start ("/" when served)."""
        return self.env.get_template("saga.html").render(s=view, now=now, root=root)

    def not_found(self, path: str, *, now: datetime, root: str = "/") -> str:
        return self.env.get_template("not_found.html").render(path=path, now=now, root=root)

    def atom(self, view: SagaView, *, base: str, now: datetime) -> str:
        """The saga's alerts as an Atom feed; ``base`` is the site's absolute URL, ending
        in "/" (links in a feed must be absolute)."""
        updated = max((a.created for a in view.alerts), default=now)
        return self.env.get_template("alerts.atom").render(
            s=view,
            base=base,
            updated=rfc3339(updated),
            feed_id=f"urn:monitor:saga:{view.name}:alerts",
            entry_prefix=f"urn:monitor:alert:{view.name}:",
        )
