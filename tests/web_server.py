"""Real parts for the page tests: the daemon's HTTP server (monitor.health) with the
timeline pages (monitor.web.Site), on 127.0.0.1, in a thread with its own event loop, so
that a blocking client (urllib, a browser driver) can talk to it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from monitor.config import Settings
from monitor.health import HealthReport, HealthServer, evaluate
from monitor.metrics import Metrics
from monitor.store import Store
from monitor.types import Alert, AlertKind, Explanation, parse_dt, utcnow
from monitor.web import Site


@contextmanager
def serve_pages(store: Store, settings: Settings) -> Iterator[str]:
    """Serve the pages of ``settings``' sagas from ``store``; yields the base URL."""

    async def check() -> HealthReport:
        now = utcnow()
        return evaluate(state="running", redis_ok=True, scheduler_running=True,
                        last_cycle_at=now, since=now, max_age_s=None)

    loop = asyncio.new_event_loop()
    server = HealthServer(("127.0.0.1", 0), check, Metrics(), Site(store, lambda: settings))
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()
        # Connections still open (a browser's idle pre-connections) end with the loop.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(asyncio.sleep(0))  # the transports close on this turn

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not started.wait(10):
        raise AssertionError("the page server did not start")
    try:
        yield f"http://127.0.0.1:{server.port}/"
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def make_alert(
    alert_id: str,
    *,
    saga: str = "openai",
    headline: str = "OpenAI names a new chair of its board",
    created: str = "2023-11-22T10:00:00+00:00",
    url: str | None = "https://news.example/chair",
) -> Alert:
    """An alert as the pipeline makes one (new development, explained)."""
    when = parse_dt(created)
    assert when is not None
    return Alert(
        id=alert_id,
        saga=saga,
        kind=AlertKind.NEW_DEVELOPMENT,
        headline=headline,
        actors=("Bret Taylor", "OpenAI board"),
        explanation=Explanation(
            matched_actors=("OpenAI board",),
            nearest_event="Sam Altman — fired",
            nearest_event_date="2023-11-17",
            similarity=0.41,
            new_sentences=("Bret Taylor will chair the new board.",),
            reason="Two outlets report it and its headlines share words the saga never said.",
        ),
        source_title=headline,
        source_url=url,
        source_feed="https://news.example/feed.xml",
        published=when,
        created=when,
        event_id=f"dev-{alert_id}",
    )
