"""Alert outbox speed: enqueue rate, delivery rate to a local webhook, enqueue->ack latency.

Plain script on the embedded Redis and a receiver on 127.0.0.1; prints numbers.
    .venv/bin/python benchmarks/bench_alerts.py [N]
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.alerts import Deliverer, Outbox, build_sinks  # noqa: E402
from monitor.config import Env, Settings  # noqa: E402
from monitor.metrics import Metrics  # noqa: E402
from monitor.store import connect  # noqa: E402
from monitor.types import Alert, AlertKind, Explanation  # noqa: E402


class Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def alert(n: int) -> Alert:
    now = datetime.now(UTC)
    return Alert(
        id=f"bench-{n}",
        saga="s",
        kind=AlertKind.NEW_DEVELOPMENT,
        headline=f"Headline {n}",
        actors=("Sam Altman", "OpenAI"),
        explanation=Explanation(reason="new", nearest_event="Board fires Altman"),
        source_title=f"Article {n}",
        source_url=f"https://news.example/{n}",
        source_feed="Feed",
        published=now,
        created=now,
        event_id=f"ev-{n}",
    )


def serve(port: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    port.put(server.server_address[1])
    server.serve_forever(0.05)


def main(n: int = 2000) -> None:
    # The receiver runs in its own process: in this one it would share the GIL with the
    # deliverer and measure thread switching rather than delivery.
    q: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    receiver = multiprocessing.Process(target=serve, args=(q,), daemon=True)
    receiver.start()
    port = q.get(timeout=10)
    with tempfile.TemporaryDirectory() as tmp:
        store = connect(None, Path(tmp), prefix="b", embedded_db="r.db")
        settings = Settings.model_validate(
            {
                "data_dir": tmp,
                "sagas": [{"name": "s", "seed_dir": tmp}],
                "alerts": {
                    "sinks": ["webhook"],
                    "poll_s": 0.05,
                    "webhook": {"url": f"http://127.0.0.1:{port}/"},
                },
            }
        )
        outbox = Outbox(store, settings)
        alerts = [alert(i) for i in range(n)]
        t0 = time.perf_counter()
        for a in alerts:
            outbox.enqueue([a])
        dt = time.perf_counter() - t0
        print(f"enqueue, one alert per call:   {n / dt:8.0f} alerts/s ({dt * 1e6 / n:.0f} µs each)")
        t0 = time.perf_counter()
        outbox.enqueue(alerts)
        dt = time.perf_counter() - t0
        print(f"enqueue of duplicates (batch): {n / dt:8.0f} alerts/s")

        # Later reports of known developments, counted on their alerts (window open).
        from monitor.alerts.message import Source

        t0 = time.perf_counter()
        for i in range(n):
            outbox.count_source("s", f"ev-{i}", Source(f"Other {i}", f"https://other.example/{i}"))
        dt = time.perf_counter() - t0
        print(f"count_source (grouping):       {n / dt:8.0f} reports/s")

        sinks = build_sinks(settings, Env(monitor_webhook_secret=SecretStr("whsec_c2VjcmV0")))
        metrics = Metrics()
        t0 = time.perf_counter()

        async def drain() -> None:
            await Deliverer(settings, store, sinks, metrics).drain(300)
            await store.aclose()  # the async client belongs to this event loop

        asyncio.run(drain())
        dt = time.perf_counter() - t0
        print(f"signed webhook delivery:       {n / dt:8.0f} alerts/s ({n} in {dt:.2f} s)")

        # Latency of one alert on an idle, running deliverer.
        async def latency(k: int = 30) -> list[float]:
            d = Deliverer(settings, store, sinks)
            await d.start()
            out = []
            for i in range(k):
                t = time.perf_counter()
                await asyncio.to_thread(outbox.enqueue, [alert(n + i)])
                while (await d.db.queue("webhook")).depth:
                    await asyncio.sleep(0.001)
                out.append(time.perf_counter() - t)
            await d.stop()
            await store.aclose()
            return out

        lat = asyncio.run(latency())
        print(
            f"enqueue -> 2xx -> ack latency: median {statistics.median(lat) * 1000:.1f} ms, "
            f"max {max(lat) * 1000:.1f} ms"
        )
        store.close()
    receiver.terminate()
    receiver.join()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
