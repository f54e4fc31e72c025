"""Service lifecycle figures: start-up to READY=1, /healthz and /metrics latency, SIGHUP to
the added feed's first poll, SIGTERM to exit. Runs ``monitor run`` as a subprocess with a
NOTIFY_SOCKET, N feeds served from 127.0.0.1 and a one-file seed directory.

    .venv/bin/python benchmarks/service.py [--feeds 200] [--requests 200]
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from daemon_proc import (  # noqa: E402
    READY_TIMEOUT_S,
    FeedServer,
    NotifySocket,
    daemon,
    free_port,
    wait_for,
    write_config,
)


def _latency_ms(url: str, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        with urllib.request.urlopen(url, timeout=5) as resp:
            resp.read()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp, FeedServer() as feeds:
        root = Path(tmp)
        port = free_port()
        urls = [feeds.url(f"f{i}") for i in range(args.feeds)]
        cfg = write_config(root, feeds=urls, health_port=port, interval_s=60)
        notify = NotifySocket()
        try:
            t0 = time.monotonic()
            with daemon(cfg, notify, log=root / "daemon.log", watchdog_usec=2_000_000) as proc:
                notify.wait_line("READY=1", READY_TIMEOUT_S)
                ready_s = time.monotonic() - t0
                wait_for(
                    lambda: all(feeds.count(f"f{i}") for i in range(args.feeds)),
                    60,
                    "every feed polled once",
                )
                cycle_s = time.monotonic() - t0 - ready_s
                h50, h99 = _latency_ms(f"http://127.0.0.1:{port}/healthz", args.requests)
                m50, m99 = _latency_ms(f"http://127.0.0.1:{port}/metrics", args.requests)

                write_config(
                    root, feeds=[*urls, feeds.url("added")], health_port=port, interval_s=60
                )
                t = time.monotonic()
                proc.send_signal(signal.SIGHUP)
                wait_for(lambda: feeds.count("added"), 30, "the added feed polled")
                hup_ms = (time.monotonic() - t) * 1000

                t = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                code = proc.wait(30)
                stop_s = time.monotonic() - t
            log = (root / "daemon.log").read_text()
            left = sum(int(n) for n in re.findall(r"(\d+) item\(s\) stay checkpointed", log))
        finally:
            notify.close()

    print(f"feeds                         {args.feeds}")
    print(f"start-up to READY=1           {ready_s:.2f} s (spaCy load + seeding included)")
    print(f"READY to every feed polled    {cycle_s:.2f} s")
    print(f"/healthz latency p50 / p99    {h50:.2f} / {h99:.2f} ms ({args.requests} requests)")
    print(f"/metrics latency p50 / p99    {m50:.2f} / {m99:.2f} ms")
    print(f"SIGHUP to added feed polled   {hup_ms:.0f} ms")
    print(f"SIGTERM to exit               {stop_s:.2f} s (exit status {code})")
    print(f"items left checkpointed       {left} (processed at the next start)")


if __name__ == "__main__":
    main()
