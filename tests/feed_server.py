"""A real HTTP/1.1 server on 127.0.0.1 with scripted replies, for the feed tests.

``server.routes[path]`` is a :class:`Reply`, a list of them (served in turn, the last one
repeated), or a function of the :class:`Request`. Every request is recorded, with its header
values exactly as received (latin-1 text, i.e. byte for byte).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from monitor.config import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
RSS = "application/rss+xml; charset=utf-8"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait this long before answering
    chunks: int = 0  # > 0: send the body this many times, chunked, no Content-Length


@dataclass
class Request:
    path: str
    headers: dict[str, str]  # lower-cased names


Route = Reply | list[Reply] | Callable[[Request], Reply]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reply_for(self, req: Request) -> Reply:
        with self._lock:
            self.requests.append(req)
            route = self.routes.get(req.path)
            if route is None:
                return Reply(404, b"not found")
            if isinstance(route, list):
                return route.pop(0) if len(route) > 1 else route[0]
        return route(req) if callable(route) else route


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            req = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
            reply = server.reply_for(req)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            try:
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                if reply.chunks:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for _ in range(reply.chunks):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(reply.body), reply.body))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                body = b"" if reply.status == 304 else reply.body
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def make_settings(
    tmp_path: Path, feeds: list[dict[str, Any]] | None = None, **polling: Any
) -> Settings:
    base: dict[str, Any] = {
        "allow_private_hosts": True,
        "parse_workers": 0,
        "jitter_s": 0,
        "connect_timeout_s": 2,
        "read_timeout_s": 2,
        "total_timeout_s": 5,
    }
    base.update(polling)
    return Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "redis": {"key_prefix": "t", "embedded_db": "r.db"},
            "sagas": [{"name": "test", "seed_dir": str(tmp_path)}],
            "polling": base,
            "feeds": feeds or [],
        }
    )
