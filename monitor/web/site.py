"""The read-only pages on the daemon's HTTP endpoint (beside /healthz and /metrics)::

    GET /                         the sagas, each with its last alert; feed health
    GET /sagas/NAME               the saga's timeline, actors, latest alerts, chart
    GET /sagas/NAME/alerts.atom   Atom feed of the saga's alerts

Thin routing: each request reads Redis in a worker thread (``monitor.web.data``) and
renders with :class:`~monitor.web.pages.Pages`. Only configured sagas are served.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime

from monitor.config import SagaSettings, Settings
from monitor.store import Store
from monitor.types import utcnow
from monitor.web.data import read_feed_health, read_saga, read_sagas
from monitor.web.pages import Pages

log = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
_SAGA = re.compile(r"^/sagas/([a-z0-9][a-z0-9_-]{0,63})/?$")
_ATOM = re.compile(r"^/sagas/([a-z0-9][a-z0-9_-]{0,63})/alerts\.atom$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

Reply = tuple[int, str, bytes]


def base_url(headers: Mapping[str, str], fallback: str) -> str:
    """The site's absolute URL from the request's Host (checked), else ``fallback``."""
    host = headers.get("host", "")
    return f"http://{host if _HOST.match(host) else fallback}/"


class Site:
    """Routes ``/`` and ``/sagas/...``; ``settings`` is called per request (a reload
    of the daemon's config shows at once)."""

    def __init__(
        self,
        store: Store,
        settings: Callable[[], Settings],
        *,
        pages: Pages | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.settings = settings
        self.pages = pages or Pages()
        self.clock = clock

    @staticmethod
    def handles(path: str) -> bool:
        return path == "/" or path.startswith("/sagas/")

    async def respond(self, path: str, headers: Mapping[str, str]) -> Reply:
        return await asyncio.to_thread(self.render, path, headers)

    def render(self, path: str, headers: Mapping[str, str]) -> Reply:
        settings = self.settings()
        now = self.clock()
        if path == "/":
            views = read_sagas(self.store, settings)
            health = read_feed_health(self.store, settings)
            return 200, HTML, self.pages.index(views, health, now=now).encode()
        if m := _SAGA.match(path):
            saga = _configured(settings, m.group(1))
            if saga is None:
                return self._not_found(path, now)
            view = read_saga(self.store, saga)
            return 200, HTML, self.pages.saga(view, now=now).encode()
        if m := _ATOM.match(path):
            saga = _configured(settings, m.group(1))
            if saga is None:
                return self._not_found(path, now)
            view = read_saga(self.store, saga)
            base = base_url(headers, settings.health.bind)
            return 200, ATOM, self.pages.atom(view, base=base, now=now).encode()
        return self._not_found(path, now)

    def _not_found(self, path: str, now: datetime) -> Reply:
        return 404, HTML, self.pages.not_found(path, now=now).encode()


def _configured(settings: Settings, name: str) -> SagaSettings | None:
    return next((s for s in settings.sagas if s.name == name), None)
