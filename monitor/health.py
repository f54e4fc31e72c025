"""HTTP endpoint of the daemon: ``/healthz`` and ``/metrics``, on asyncio's own server.

``GET /healthz``  200 when healthy, 503 otherwise; JSON body::

    {"status": "ok" | "unhealthy", "state": "running",
     "checks": {"redis":     {"ok": true},   (else "error": "redis unreachable since <time>")
                "scheduler": {"ok": true, "running": true},
                "last_poll": {"ok": true, "age_s": 12.5, "max_age_s": 990.0},
                "feeds":     {"ok": true, "failing": 1, "total": 40},
                "alerts":    {"ok": true, "oldest_undelivered_s": null,
                              "max_undelivered_s": 900.0}}}

``GET /metrics``  Prometheus text (or OpenMetrics when asked) from the daemon's registry.

``GET /`` and ``GET /sagas/...``  the read-only timeline pages, when the server is given
a :class:`Routes` (``monitor.web.Site``); HTML answers carry a Content-Security-Policy
that lets no script run.

A few read-only routes do not justify a web framework: the server reads one request head
(size and time capped), answers, and closes the connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import redis.asyncio as aioredis
from prometheus_client.exposition import choose_encoder

from monitor.errors import ConfigError
from monitor.metrics import Metrics
from monitor.types import utcnow

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 8192
READ_TIMEOUT_S = 5.0
REDIS_PING_TIMEOUT_S = 2.0
# HTML pages show titles from the internet: even if escaping failed somewhere, no script
# runs, nothing loads from elsewhere, no form posts anywhere.
HTML_HEADERS = (
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
)
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True, slots=True)
class HealthReport:
    healthy: bool
    body: dict[str, Any]


def evaluate(
    *,
    state: str,
    redis_ok: bool,
    scheduler_running: bool,
    last_cycle_at: datetime | None,
    since: datetime,
    max_age_s: float | None,
    now: datetime | None = None,
    feeds: tuple[int, int] = (0, 0),
    undelivered_age_s: float | None = None,
    max_undelivered_s: float = 900.0,
    redis_down_since: datetime | None = None,
    standby_for: str | None = None,
) -> HealthReport:
    """Pure verdict. ``since`` is when the scheduler started: before a first cycle, the
    age of the last poll is counted from there. ``max_age_s`` None: no feeds, no limit.
    ``feeds``: (failing, total) -- every feed failing is unhealthy, polls or not;
    ``undelivered_age_s``: how long the oldest alert not delivered to a sink has waited
    (None: none waits) -- over ``max_undelivered_s`` is unhealthy; ``redis_down_since``:
    when Redis stopped answering, said in the redis check while it does not;
    ``standby_for``: the scheduler lease's holder while this process stands by (another
    daemon polls: no scheduler and no poll here is healthy)."""
    now = now or utcnow()
    ref = last_cycle_at or since
    age_s = max(0.0, (now - ref).total_seconds())
    poll_ok = max_age_s is None or age_s <= max_age_s or standby_for is not None
    redis_check: dict[str, Any] = {"ok": redis_ok}
    if not redis_ok:
        when = redis_down_since.isoformat(timespec="seconds") if redis_down_since else ""
        redis_check["error"] = f"redis unreachable since {when}" if when else "redis unreachable"
    checks: dict[str, dict[str, Any]] = {
        "redis": redis_check,
        "scheduler": (
            {"ok": True, "running": False, "standby": True, "lease_holder": standby_for}
            if standby_for is not None
            else {"ok": scheduler_running, "running": scheduler_running}
        ),
        "last_poll": {
            "ok": poll_ok,
            "age_s": round(age_s, 3) if last_cycle_at else None,
            "max_age_s": max_age_s,
        },
        "feeds": {"ok": not (feeds[1] and feeds[0] >= feeds[1]), "failing": feeds[0],
                  "total": feeds[1]},
        "alerts": {
            "ok": undelivered_age_s is None or undelivered_age_s <= max_undelivered_s,
            "oldest_undelivered_s": (
                round(undelivered_age_s, 3) if undelivered_age_s is not None else None
            ),
            "max_undelivered_s": max_undelivered_s,
        },
    }
    healthy = all(bool(c["ok"]) for c in checks.values())
    return HealthReport(
        healthy, {"status": "ok" if healthy else "unhealthy", "state": state, "checks": checks}
    )


async def redis_reachable(client: aioredis.Redis, timeout_s: float = REDIS_PING_TIMEOUT_S) -> bool:
    try:
        return bool(await asyncio.wait_for(client.ping(), timeout_s))  # type: ignore[arg-type]
    except Exception as exc:  # any failure to answer means "not reachable"
        log.debug("redis ping failed: %s", exc)
        return False


Check = Callable[[], Awaitable[HealthReport]]


class Routes(Protocol):
    """More read-only pages on the same server (``monitor.web.Site``)."""

    def handles(self, path: str) -> bool: ...

    async def respond(self, path: str, headers: Mapping[str, str]) -> tuple[int, str, bytes]: ...


class HealthServer:
    """A component (``start``/``stop``) serving ``/healthz`` and ``/metrics`` (and the
    pages of ``routes``, when given)."""

    name = "health"

    def __init__(
        self,
        bind: tuple[str, int],
        check: Check,
        metrics: Metrics,
        routes: Routes | None = None,
    ) -> None:
        self.host, self.port = bind
        self.check = check
        self.metrics = metrics
        self.routes = routes
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(self._handle, self.host, self.port)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {self.host}:{self.port}: {exc}") from exc
        sock = self._server.sockets[0].getsockname()
        self.port = int(sock[1])
        log.info("health endpoint on http://%s:%d/healthz and /metrics", self.host, self.port)
        if self.routes is not None:
            log.info("timeline pages on http://%s:%d/", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
            status, ctype, body = await self._respond(head)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            status, ctype, body = 400, "text/plain; charset=utf-8", b"bad request\n"
        except asyncio.CancelledError:  # stopping: a browser's idle pre-connection
            writer.close()
            raise
        except Exception:
            log.exception("health endpoint failed")
            status, ctype, body = 500, "text/plain; charset=utf-8", b"internal error\n"
        try:
            allow = "Allow: GET, HEAD\r\n" if status == 405 else ""
            if ctype.startswith("text/html"):
                allow += HTML_HEADERS
            writer.write(
                f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n{allow}"
                "Connection: close\r\n\r\n".encode("ascii")
            )
            if not head.startswith(b"HEAD "):
                writer.write(body)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _respond(self, head: bytes) -> tuple[int, str, bytes]:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split()
        if len(parts) != 3:
            return 400, "text/plain; charset=utf-8", b"bad request\n"
        method, target, _ = parts
        path = target.split("?", 1)[0]
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if self.routes is not None and self.routes.handles(path):
            if method not in ("GET", "HEAD"):
                return 405, "text/plain; charset=utf-8", b"method not allowed\n"
            return await self.routes.respond(path, headers)
        if path not in ("/healthz", "/metrics"):
            return 404, "text/plain; charset=utf-8", b"not found\n"
        if method not in ("GET", "HEAD"):
            return 405, "text/plain; charset=utf-8", b"method not allowed\n"
        if path == "/metrics":
            encoder, ctype = choose_encoder(headers.get("accept", ""))
            return 200, ctype, encoder(self.metrics.registry)
        report = await self.check()
        body = json.dumps(report.body, sort_keys=True).encode("utf-8") + b"\n"
        return (200 if report.healthy else 503), "application/json", body
