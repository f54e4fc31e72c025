"""Real parts for the service tests: a feed server on 127.0.0.1, a NOTIFY_SOCKET the test
listens on, and ``monitor run`` as a subprocess."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import monitor_cmd, subprocess_env

# start-up loads spaCy and seeds the model: 13-15 s alone, 30+ s on a busy 2-core machine,
# 60+ s there with the suite on two xdist workers: a limit to fail on, not a timing
READY_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill a child process still running, and reap it (a test's cleanup)."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def wait_for(cond: Callable[[], Any], timeout_s: float, what: str, step_s: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


class FeedServer:
    """Serves ``/<name>.xml`` as a one-item RSS feed and counts the requests per path;
    ``/hang.xml`` never answers (until the server closes)."""

    def __init__(self) -> None:
        hits: Counter[str] = Counter()
        lock = threading.Lock()
        closing = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    hits[self.path] += 1
                name = self.path.strip("/").removesuffix(".xml")
                if name == "hang":
                    closing.wait(60)
                    return
                body = (
                    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                    f"<title>{name}</title><link>http://127.0.0.1/</link>"
                    f"<item><title>Item of {name}</title><link>http://127.0.0.1/{name}/1</link>"
                    f"<guid>{name}-1</guid><description>Sam Altman and {name}</description>"
                    "<pubDate>Fri, 17 Nov 2023 20:00:00 GMT</pubDate></item>"
                    "</channel></rss>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.hits = hits
        self._lock = lock
        self._closing = closing
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}.xml"

    def count(self, name: str) -> int:
        with self._lock:
            return self.hits[f"/{name}.xml"]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)


class NotifySocket:
    """A unix datagram socket standing in for systemd's; a thread collects what the daemon
    says as fast as systemd would (the kernel queues only a few datagrams)."""

    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="sdn")  # short: sun_path holds 108 bytes
        self.path = os.path.join(self._dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.05)
        self._messages: list[str] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._closing.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            with self._lock:
                self._messages.append(data.decode())

    def lines(self) -> list[str]:
        with self._lock:
            return [ln for m in self._messages for ln in m.split("\n")]

    def wait_line(self, prefix: str, timeout_s: float, *, count: int = 1) -> list[str]:
        def seen() -> list[str]:
            found = [ln for ln in self.lines() if ln.startswith(prefix)]
            return found if len(found) >= count else []

        return list(wait_for(seen, timeout_s, f"{count} x {prefix!r} on NOTIFY_SOCKET"))

    def close(self) -> None:
        self._closing.set()
        self._thread.join(5)
        self.sock.close()
        os.unlink(self.path)
        os.rmdir(self._dir)


def write_config(
    root: Path,
    *,
    feeds: list[str],
    health_port: int,
    interval_s: float = 0.5,
    extra: str = "",
) -> Path:
    """A project under ``root``: one tiny seed file (fast start-up), the given feed URLs."""
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    (seeds / "one.txt").write_text(
        "Le 17 novembre 2023, le conseil d'administration d'OpenAI a renvoyé Sam Altman.\n",
        encoding="utf-8",
    )
    cfg = root / "config"
    cfg.mkdir(exist_ok=True)
    feed_tables = "".join(f'\n[[feeds]]\nurl = "{u}"\n' for u in feeds)
    path = cfg / "monitor.toml"
    tmp = cfg / "monitor.toml.tmp"
    tmp.write_text(
        f"""
data_dir = "data"
[redis]
key_prefix = "svc"
[[sagas]]
name = "test-saga"
seed_dir = "seeds"
[polling]
interval_s = {interval_s}
jitter_s = 0
allow_private_hosts = true
[alerts]
console = false
jsonl_path = "alerts.jsonl"
[health]
enabled = true
bind = "127.0.0.1:{health_port}"
heartbeat_s = 0.5
{extra}
{feed_tables}
""",
        encoding="utf-8",
    )
    tmp.replace(path)  # atomic: a SIGHUP never reads half a file
    return path


@contextmanager
def daemon(
    config: Path,
    notify: NotifySocket,
    *,
    watchdog_usec: int = 200_000,
    log: Path,
    log_format: str = "text",
    new_session: bool = False,
    **env: str,
) -> Iterator[subprocess.Popen[bytes]]:
    """``monitor --config CONFIG run`` with NOTIFY_SOCKET and WATCHDOG_USEC set;
    ``new_session``: in a process group of its own, as in a terminal."""
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            monitor_cmd("--config", str(config), "--log-format", log_format, "run"),
            cwd=Path(__file__).resolve().parent.parent,
            env=subprocess_env(NOTIFY_SOCKET=notify.path, WATCHDOG_USEC=str(watchdog_usec), **env),
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=new_session,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


def get(url: str, timeout_s: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def get_json(url: str) -> tuple[int, dict[str, Any]]:
    status, body = get(url)
    return status, json.loads(body)
