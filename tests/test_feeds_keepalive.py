"""monitor/fetcher.py: connections kept alive across polls (304s, redirects and error pages
included), or closed after each request with keepalive_expiry_s = 0. A real HTTP/1.1
server on 127.0.0.1 counts the connections it accepts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from monitor import feeds as fd
from monitor import fetcher
from monitor.config import PollingSettings

FEED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"


class CountingServer:
    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                path = head.split(b" ", 2)[1]
                if path == b"/moved":
                    writer.write(b"HTTP/1.1 302 Found\r\nLocation: /feed\r\n"
                                 b"Content-Length: 9\r\n\r\nsee /feed")
                elif path == b"/broken":
                    page = b"<html>" + b"oops " * 500 + b"</html>"
                    writer.write(b"HTTP/1.1 500 Oops\r\nContent-Length: %d\r\n\r\n%s"
                                 % (len(page), page))
                elif b"If-None-Match" in head:
                    writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
                else:
                    writer.write(b'HTTP/1.1 200 OK\r\nETag: "v1"\r\nContent-Type: text/xml\r\n'
                                 b"Content-Length: %d\r\n\r\n%s" % (len(FEED), FEED))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[tuple[CountingServer, str]]:
    counting = CountingServer()
    srv = await asyncio.start_server(counting.handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    yield counting, f"http://127.0.0.1:{port}"
    srv.close()
    await srv.wait_closed()


async def polls(base: str, polling: PollingSettings) -> list[fd.Outcome]:
    outcomes = []
    async with fetcher.make_session(polling) as client:
        first = await fetcher.fetch(client, f"{base}/feed", polling=polling)
        outcomes.append(first.outcome)
        for path in ("/feed", "/feed", "/moved", "/broken", "/feed"):
            r = await fetcher.fetch(
                client, base + path, polling=polling, validators=first.validators
            )
            outcomes.append(r.outcome)
    return outcomes


async def test_304s_redirects_and_error_pages_keep_the_connection(
    server: tuple[CountingServer, str],
) -> None:
    counting, base = server
    outcomes = await polls(base, PollingSettings(allow_private_hosts=True))
    assert outcomes == [fd.Outcome.OK, *[fd.Outcome.NOT_MODIFIED] * 3, fd.Outcome.HTTP_ERROR,
                        fd.Outcome.NOT_MODIFIED]  # fmt: skip
    assert (counting.requests, counting.connections) == (7, 1)


async def test_keepalive_off_opens_a_connection_per_request(
    server: tuple[CountingServer, str],
) -> None:
    counting, base = server
    await polls(base, PollingSettings(allow_private_hosts=True, keepalive_expiry_s=0))
    assert (counting.requests, counting.connections) == (7, 7)
