"""The feed parser's process pool (monitor/parse_pool.py): on demand, stopped when idle."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from monitor import feeds as fd
from monitor.parse_pool import ParserPool

FIXTURES = Path(__file__).parent / "fixtures"


async def wait_until(cond: object, what: str, limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def gone(pids: list[int]) -> bool:
    """None of these processes runs (a zombie has stopped running)."""
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            return False
    return True


async def test_idle_workers_stop_and_the_next_parse_starts_new_ones() -> None:
    pool = ParserPool(1, idle_stop_s=0.3)
    try:
        first = await pool.run(os.getpid)
        assert pool.worker_pids() == [first] and first != os.getpid()
        await wait_until(lambda: pool.idle_stops == 1, "the idle stop")
        assert pool.worker_pids() == []
        await wait_until(lambda: gone([first]), "the worker to exit")

        body = next(FIXTURES.glob("feeds/*.xml")).read_bytes()
        limits = fd.ItemLimits(100, 1000, 20_000)
        parsed = await pool.run(fd.parse_feed, body, "http://x/feed", {}, None, limits)
        assert parsed == fd.parse_feed(body, "http://x/feed", {}, None, limits)
        assert pool.worker_pids() and pool.worker_pids() != [first]
    finally:
        pool.shutdown()


async def test_a_parse_in_flight_keeps_the_workers() -> None:
    pool = ParserPool(1, idle_stop_s=0.05)
    try:
        await asyncio.gather(*(pool.run(time.sleep, 0.3) for _ in range(3)))
        assert pool.idle_stops == 0  # the timer only runs once nothing is in flight
        await wait_until(lambda: pool.idle_stops == 1, "the idle stop")
    finally:
        pool.shutdown()


async def test_zero_keeps_the_workers_until_shutdown() -> None:
    pool = ParserPool(1, idle_stop_s=0.0)
    pid = await pool.run(os.getpid)
    await asyncio.sleep(0.3)
    assert pool.worker_pids() == [pid] and pool.idle_stops == 0
    pool.shutdown()
    assert pool.worker_pids() == []
    await wait_until(lambda: gone([pid]), "the worker to exit")
