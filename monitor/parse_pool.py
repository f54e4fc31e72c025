"""The feed parser's worker processes: started on demand, stopped when idle.

    pool = ParserPool(workers=1, idle_stop_s=120)
    parsed = await pool.run(feeds.parse_feed, content, ...)   # starts the workers if needed
    pool.worker_pids()                                        # [] while stopped
    pool.shutdown()

A poll cycle parses for a few seconds (a 304 or an unchanged body is never parsed), then
the workers wait for the next one. With ``idle_stop_s`` they stop once no parse has run for
that long, and the next parse starts them again: the daemon's idle memory does not keep a
parser worker for feeds that have not changed. The workers are forked by multiprocessing's
fork server (the daemon runs threads: no fork of it; a new worker is a cheap fork). The
fork server itself stays once started (multiprocessing has no public way to stop it).

Every call comes from the event loop's thread; the idle timer is an event-loop timer.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from monitor.workers import exit_with

log = logging.getLogger(__name__)

T = TypeVar("T")


class ParserPool:
    def __init__(self, workers: int, idle_stop_s: float = 0.0) -> None:
        self.workers = workers
        self.idle_stop_s = idle_stop_s  # 0: the workers stay until shutdown()
        self.idle_stops = 0  # times the workers were stopped for being idle
        self._executor: ProcessPoolExecutor | None = None
        self._busy = 0  # parses in flight on the current executor
        self._timer: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"<ParserPool workers={self.workers} {'running' if self._executor else 'idle'}>"

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker process. Raises BrokenProcessPool when a worker died
        (the next call starts new ones)."""
        executor = self._acquire()
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)
        except BrokenProcessPool:
            if self._executor is executor:
                self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            self._release()

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for benchmarks and tests)."""
        procs = getattr(self._executor, "_processes", None) or {}
        return sorted(pid for pid, p in dict(procs).items() if p.is_alive())

    def shutdown(self) -> None:
        """Stop the workers (waiting for them) and the idle timer."""
        self._cancel_timer()
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _acquire(self) -> ProcessPoolExecutor:
        self._cancel_timer()
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_init_parser,
                initargs=(os.getpid(),),
            )
        self._busy += 1
        return self._executor

    def _release(self) -> None:
        """A parse is done: the last one out arms the idle stop."""
        self._busy -= 1
        if self._busy or self._executor is None or self.idle_stop_s <= 0:
            return
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.idle_stop_s, self._stop_idle)

    def _stop_idle(self) -> None:
        self._timer = None
        if self._busy or self._executor is None:
            return
        executor, self._executor = self._executor, None
        self.idle_stops += 1
        # wait=False: the event loop goes on; the executor's own thread reaps the workers
        executor.shutdown(wait=False, cancel_futures=True)
        log.info(
            "feed parser stopped after %.0f s idle; the next feed to parse starts it again",
            self.idle_stop_s,
        )

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _init_parser(daemon_pid: int) -> None:
    """Ctrl-C in a terminal reaches the whole process group: the daemon stops its parser
    workers itself, they must not die with a KeyboardInterrupt traceback each. A daemon
    killed outright cannot: the worker leaves by itself (``monitor.workers``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with(daemon_pid)
