"""A sink's delivery failures rolled up in the logs: one warning when it starts failing,
the failed attempts counted, one line when it delivers again (real outbox, real receiver)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_alerts import SECRET, Receiver, Script, always_ok, make_alert, webhook_setup

from monitor.alerts import Deliverer, Outbox
from monitor.store import Keys, Store
from monitor.store.outbox import OutboxStore

FAILING = {0, 1, 2, 4, 5}  # the receiver's answers: 503 for these requests, 2xx otherwise


@pytest.fixture
async def astore(redis_server: Store) -> AsyncIterator[Store]:
    s = Store(redis_server.redis, Keys(f"outage-{uuid.uuid4().hex[:8]}"),
              socket_path=redis_server.socket_path)
    yield s
    s.drop_namespace()
    await s.aclose()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(script: Script = always_ok) -> Receiver:
        made.append(Receiver(script, secret=SECRET))  # verifies every signature
        return made[-1]

    yield make
    for r in made:
        r.close()


def outbox_lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "monitor.alerts.outbox" and r.levelno == level
    ]


async def test_an_outage_is_one_warning_and_one_recovery_line(
    tmp_path: Path, astore: Store, receiver: Any, caplog: pytest.LogCaptureFixture
) -> None:
    r = receiver(lambda n: (503, {}) if n in FAILING else (200, {}))
    settings, sinks = webhook_setup(tmp_path, r.url)
    outbox = Outbox(astore, settings)
    deliverer = Deliverer(settings, astore, sinks)  # one worker sees both outages
    await deliverer.start()
    try:
        with caplog.at_level(logging.DEBUG, logger="monitor.alerts.outbox"):
            outbox.enqueue([make_alert(1, event=None)])
            await deliverer.drain(10)  # 3 failures, then delivered
            outbox.enqueue([make_alert(2, event=None)])
            await deliverer.drain(10)  # a second outage: 2 failures
    finally:
        await deliverer.stop()

    assert [h.status for h in r.hits] == [503, 503, 503, 200, 503, 503, 200]
    assert OutboxStore(astore).dead_letters() == []
    warnings = outbox_lines(caplog, logging.WARNING)
    assert len(warnings) == 2, warnings  # one per outage, not one per failed attempt
    assert all(w.startswith("sink webhook is failing: retry, HTTP 503") for w in warnings)
    recovered = [m for m in outbox_lines(caplog, logging.INFO) if "delivers again" in m]
    assert [m.split(" in ")[0] for m in recovered] == [
        "sink webhook delivers again after 3 failed attempt(s)",
        "sink webhook delivers again after 2 failed attempt(s)",
    ]
    # The repeats are still there for whoever turns debug on.
    assert len([m for m in outbox_lines(caplog, logging.DEBUG) if "attempt" in m]) == 3


async def test_a_sink_that_never_failed_says_nothing_of_outages(
    tmp_path: Path, astore: Store, receiver: Any, caplog: pytest.LogCaptureFixture
) -> None:
    r = receiver()
    settings, sinks = webhook_setup(tmp_path, r.url)
    with caplog.at_level(logging.DEBUG, logger="monitor.alerts.outbox"):
        Outbox(astore, settings).enqueue([make_alert(1, event=None)])
        await Deliverer(settings, astore, sinks).drain(10)
    assert len(r.delivered()) == 1
    assert outbox_lines(caplog, logging.WARNING) == []
    assert not [m for m in outbox_lines(caplog, logging.INFO) if "delivers again" in m]
