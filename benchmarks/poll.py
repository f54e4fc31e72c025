"""Benchmark the poller: N distinct feeds on loopback, one cold cycle, then one all-304 cycle.

    .venv/bin/python benchmarks/poll.py [--feeds 5000] [--items 20] [--hosts 16]

The feeds are served by a separate process (an asyncio HTTP/1.1 server with keep-alive,
listening on --hosts loopback addresses 127.0.0.1..N so the per-host limit applies as it
would across real sites). Each feed has an ETag and a Last-Modified and answers 304 to
them. The poller runs as the daemon runs it (one aiohttp session pooled per origin, Redis
state in an embedded redis-server, dedup, parser process), with an on_items callback that
only counts. --stream: as `monitor run` polls since the due-poll stream (issue 17): a
cycle is every feed's due poll published by the scheduler's publisher (the lease held,
one Lua call per feed, group-committed) and polled by a poll worker reading the stream,
both on the one event loop, timed until the stream is empty and every poll is done.
Prints wall time, items/s, CPU seconds of each process, connections opened, peak RSS;
--profile adds the poller's profile of each cycle, --json a last line for peers.py.
Goals on 2 cores (issue 15): cold <= 20 s, 304 cycle <= 6 s, RSS <= 400 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import FeedSettings, Settings  # noqa: E402
from monitor.metrics import Metrics  # noqa: E402
from monitor.poller import Poller  # noqa: E402
from monitor.polls import DuePublisher, PollWorker  # noqa: E402
from monitor.store import connect  # noqa: E402
from monitor.store.lease import Lease  # noqa: E402
from monitor.types import FeedItem  # noqa: E402

PORT = 18765
# newsboat (benchmarks/peers.py) sends validators only to a feed that had a Last-Modified
LAST_MODIFIED = "Mon, 20 Nov 2023 10:00:00 GMT"


def feed_body(n: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>Feed {n} story {i}: OpenAI board and Sam Altman, day {i}</title>"
        f"<link>https://site{n % 997}.example.com/{n}/story-{i}?utm_source=rss</link>"
        f'<guid isPermaLink="false">feed-{n}-item-{i}</guid>'
        f"<pubDate>Mon, 20 Nov 2023 {i % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Summary of story {i} of feed {n}. The board of OpenAI said "
        f"it had lost confidence; employees signed a letter; Microsoft stepped in.&lt;/p&gt;"
        f"</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {n}</title><link>https://site{n}.example.com/</link>"
        f"<description>Benchmark feed {n}</description>{entries}</channel></rss>"
    ).encode()


# -- the server process --------------------------------------------------------------------


def serve(
    hosts: int, items: int, ready: multiprocessing.synchronize.Event, connects: Any
) -> None:
    cache: dict[int, bytes] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with connects.get_lock():
            connects.value += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                inm = ims = ""
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "if-none-match":
                        inm = value.strip()
                    elif name.lower() == "if-modified-since":
                        ims = value.strip()
                n = int(path.rsplit("/", 1)[-1].split(".")[0])
                etag = f'"v1-{n}"'
                # If-None-Match decides when sent (RFC 9110 13.1.3), else If-Modified-Since
                if inm == etag or (not inm and ims == LAST_MODIFIED):
                    writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode())
                else:
                    body = cache.get(n) or cache.setdefault(n, feed_body(n, items))
                    writer.write(
                        (
                            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8"
                            f"\r\nETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}"
                            f"\r\nContent-Length: {len(body)}\r\n\r\n"
                        ).encode()
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = [
            await asyncio.start_server(handle, f"127.0.0.{h + 1}", PORT, backlog=1024)
            for h in range(hosts)
        ]
        ready.set()
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


# -- the client ----------------------------------------------------------------------------


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    ticks = stat.rsplit(")", 1)[1].split()
    return (int(ticks[11]) + int(ticks[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def bench(args: argparse.Namespace, data_dir: Path) -> None:
    feeds = [
        FeedSettings(url=f"http://127.0.0.{n % args.hosts + 1}:{PORT}/feeds/{n}.xml", name=f"f{n}")
        for n in range(args.feeds)
    ]
    settings = Settings.model_validate(
        {
            "data_dir": str(data_dir),
            "sagas": [{"name": "bench", "seed_dir": str(data_dir)}],
            "redis": {"key_prefix": "bench", "embedded_db": "bench.db"},
            "polling": {
                "allow_private_hosts": True,
                "parse_workers": args.parse_workers,
                "max_connections": args.max_connections,
                "max_per_host": args.max_per_host,
                "keepalive_expiry_s": args.keepalive_expiry_s,
            },
            "feeds": [f.model_dump() for f in feeds],
        }
    )
    store = connect(None, data_dir, prefix="bench", embedded_db="bench.db")
    received = Counter[str]()

    async def on_items(feed: FeedSettings, items: list[FeedItem]) -> None:
        received["items"] += len(items)

    metrics = Metrics()
    poller = Poller(settings, store, on_items, metrics)
    cycle = poller.poll_all_once
    worker: PollWorker | None = None
    if args.stream:
        worker, cycle = await stream_cycle(settings, store, poller, metrics)
    redis_pid = int(cast(dict[str, Any], store.redis.info())["process_id"])

    def cpu() -> dict[str, float]:
        workers = poller._parser.worker_pids() if poller._parser else []
        return {
            "poller": time.process_time(),
            "parsers": sum(cpu_s(p) for p in workers),
            "feed server": cpu_s(args.server_pid),
            "redis": cpu_s(redis_pid),
        }

    try:
        for label in ("cold", "304"):
            before = received["items"]
            cpu0, load0 = cpu(), os.getloadavg()[0]
            connects0 = args.connects.value
            profile = cProfile.Profile(time.process_time) if args.profile else None
            t0 = time.perf_counter()
            if profile:
                profile.enable()
            await cycle()
            if profile:
                profile.disable()
            wall = time.perf_counter() - t0
            cpu1, load1 = cpu(), os.getloadavg()[0]
            got = received["items"] - before
            outcomes = {
                o: int(metrics.polls.labels(outcome=o)._value.get())
                for o in ("ok", "not_modified", "error")
            }
            print(
                f"{label:>4} cycle: {args.feeds} feeds in {wall:6.2f} s "
                f"({args.feeds / wall:7.0f} feeds/s, {args.feeds * args.items / wall:8.0f} "
                f"items/s parsed-or-skipped, {got} new items); polls so far {outcomes}"
            )
            used = {k: cpu1[k] - cpu0.get(k, 0.0) for k in cpu1}
            ours = used["poller"] + used["parsers"] + used["redis"]
            args.results[label] = {"wall_s": wall, "cpu_s": ours, **used}
            print(
                "      CPU s: "
                + ", ".join(f"{k} {v:.1f}" for k, v in used.items())
                + f"; total {sum(used.values()):.1f} = {sum(used.values()) / wall:.2f} cores"
                f" busy; machine load average {load0:.1f} -> {load1:.1f}"
            )
            print(
                f"      poller CPU per feed {used['poller'] / args.feeds * 1000:.2f} ms; "
                f"{args.connects.value - connects0} connections for {args.feeds} polls"
            )
            if profile:
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats(args.profile_sort).print_stats(25)
                print(out.getvalue())
        workers = poller._parser.worker_pids() if poller._parser else []
        print(
            f"peak RSS: poller {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
            f", parser workers {[round(vm_hwm_mb(p)) for p in workers]} MB"
            f", redis-server {vm_hwm_mb(redis_pid):.0f} MB"
            f", used_memory {cast(dict[str, Any], store.redis.info('memory'))['used_memory_human']}"
        )
    finally:
        if worker is not None:
            await worker.stop()
        await poller.stop()
        await store.aclose()
        store.close()


async def stream_cycle(
    settings: Settings, store: Any, poller: Poller, metrics: Metrics
) -> tuple[PollWorker, Any]:
    """The scheduler's publisher (a lease held: its fencing epoch) and a poll worker
    running its loop; the cycle publishes every feed as due (a clock one interval ahead,
    as at the next cycle) and waits until every due poll was polled."""
    lease = Lease(store, "scheduler", "bench", 600)
    assert await lease.acquire()
    ahead = [0.0]
    publish = DuePublisher(
        store, settings, metrics, lambda: lease.epoch, clock=lambda: time.time() + ahead[0]
    )
    worker = PollWorker(poller, store, settings, metrics)
    await worker.start()

    async def cycle() -> None:
        ahead[0] += settings.polling.interval_s * 2
        await asyncio.gather(*(publish(f) for f in settings.feeds))
        while await worker.db.length() or worker._polls:
            await asyncio.sleep(0.005)
        poller.log_cycle()

    return worker, cycle


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--feeds", type=int, default=5000)
    p.add_argument("--items", type=int, default=20)
    p.add_argument("--hosts", type=int, default=16, help="loopback addresses serving feeds")
    p.add_argument("--parse-workers", type=int, default=1)
    p.add_argument("--max-connections", type=int, default=50)
    p.add_argument("--max-per-host", type=int, default=4)
    p.add_argument("--keepalive-expiry-s", type=float, default=30.0, help="0: no keep-alive")
    p.add_argument("--profile", action="store_true", help="cProfile the poller's cycles (CPU)")
    p.add_argument("--profile-sort", default="tottime", help="tottime, cumulative, ...")
    p.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    p.add_argument("--stream", action="store_true",
                   help="through the due-poll stream, as `monitor run` polls (issue 17)")
    args = p.parse_args()
    args.results = {}
    print(
        f"{args.feeds} feeds x {args.items} items on {args.hosts} loopback hosts; "
        f"{os.cpu_count()} CPUs; parse_workers={args.parse_workers} "
        f"max_connections={args.max_connections} max_per_host={args.max_per_host} "
        f"keepalive_expiry_s={args.keepalive_expiry_s:g}"
        f"{' via the due-poll stream' if args.stream else ''}"
    )
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    args.connects = ctx.Value("q", 0)
    server = ctx.Process(
        target=serve, args=(args.hosts, args.items, ready, args.connects), daemon=True
    )
    server.start()
    try:
        if not ready.wait(30):
            sys.exit("feed server did not start")
        args.server_pid = server.pid
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(bench(args, Path(tmp)))
    finally:
        server.terminate()
        server.join()
    if args.json:  # monitor's own CPU: poller, parser workers, redis-server (not the server)
        print(json.dumps(args.results))


if __name__ == "__main__":
    main()
