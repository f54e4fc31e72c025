"""The HTTP of a poll: one aiohttp session for every feed, and the classified fetch.

    make_session(polling)          -> aiohttp.ClientSession   pooled per origin, guarded
    fetch(session, url, ...)       -> feeds.FetchResult       classified like Miniflux's
                                      response handler: ok, not_modified, rate_limited,
                                      http_error, timeout, network, tls, too_large,
                                      too_many_redirects, refused; never raises
    refuse_reason(url, allow_private_hosts)                    the SSRF guard's URL check

Apart from ``monitor.feeds`` (the values a fetch gives, parsing, planning the next check):
fetcher -> parser, as the data flows; ``import monitor.feeds`` alone loads no HTTP client.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import ipaddress
import socket
import ssl
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import aiohttp.abc
import httpx

from monitor.config import PollingSettings
from monitor.feeds import (
    FetchResult,
    Outcome,
    Validators,
    describe,
    is_public,
    parse_max_age,
    parse_retry_after,
)

NO_VALIDATORS = Validators()
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})


# aiohttp, not httpx, on the poll path: the fetch of a 304 poll cost ~0.8 ms of event-loop
# CPU through httpx -> httpcore -> anyio -> asyncio, ~0.15 ms through aiohttp (its HTTP
# parser and writer are C; docs/notes/intake-15.md, part 3). HTTP/1.1 only (aiohttp has no
# HTTP/2): a poll is one small request.


class AddressRefused(OSError):
    """A connection to a non-public address was refused before it was made."""


def make_session(polling: PollingSettings) -> aiohttp.ClientSession:
    """The client of every poll: one connection pool (at most ``polling.max_connections``
    connections, ``polling.max_per_host`` per origin), gzip/deflate/brotli, our User-Agent,
    the timeouts of ``[polling]``. Redirects are followed by :func:`fetch` itself. Close it
    with ``await session.close()``.

    A connection is kept alive ``polling.keepalive_expiry_s`` after its last request (every
    answer is read to its end, a 304 too, so that it can be; 0: closed after each one): the
    next poll of that host skips the connect and the TLS handshake. Unless
    ``allow_private_hosts``, the pool connects to public addresses only (see
    :class:`PublicResolver` and :func:`public_socket`)."""
    return aiohttp.ClientSession(
        connector=make_connector(polling),
        timeout=client_timeout(polling.connect_timeout_s, polling.read_timeout_s),
        headers={"User-Agent": polling.user_agent, "Accept": ACCEPT},
        # no proxy from the environment (http(s)_proxy): a proxy on a private address
        # would be refused by the guard anyway
        trust_env=False,
    )


@functools.lru_cache(maxsize=16)
def client_timeout(connect_s: float, read_s: float) -> aiohttp.ClientTimeout:
    """The timeouts of a request; fetch() bounds the whole fetch (total_timeout_s)."""
    return aiohttp.ClientTimeout(
        total=None,
        connect=connect_s,  # a free connection from the pool, the connect and TLS
        sock_connect=connect_s,
        sock_read=read_s,  # between two reads, the response headers included
    )


def make_connector(polling: PollingSettings) -> aiohttp.TCPConnector:
    """The connection pool of :func:`make_session` (tests give it to a session of their
    own). The pool is kept per origin (scheme, host, port): taking a connection never walks
    the connections of other hosts, and a full pool never closes one host's idle
    connection for another's."""
    keep_alive = polling.keepalive_expiry_s > 0
    guarded = not polling.allow_private_hosts
    return aiohttp.TCPConnector(
        limit=polling.max_connections,
        limit_per_host=polling.max_per_host,
        force_close=not keep_alive,  # 0: closed after each request
        keepalive_timeout=polling.keepalive_expiry_s if keep_alive else None,
        # the CA bundle of the httpx clients (article pages, alerts): one trust store
        ssl=tls_context(),
        resolver=PublicResolver() if guarded else None,
        socket_factory=public_socket if guarded else None,
    )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context (httpx's: certifi's CA bundle) for every client of the process:
    loading the bundle costs ~20 ms a context."""
    return httpx.create_ssl_context()


class PublicResolver(aiohttp.abc.AbstractResolver):
    """The event loop's getaddrinfo (aiohttp's ThreadedResolver), refusing a name any of
    whose addresses is not public (one private address among public ones is enough). It
    runs when a connection is made, and the addresses it passes are those connected to: a
    name that re-resolves between a check and the connect (DNS rebinding) cannot slip
    through. The connector does not close a resolver it was given: this one holds nothing
    to release (no resolver of its own, as aiodns would have)."""

    def __init__(self) -> None:
        self._resolver = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[aiohttp.abc.ResolveResult]:
        results = await self._resolver.resolve(host, port, family)
        for result in results:
            address = _ip(result["host"])
            if address is None or not is_public(address):
                raise AddressRefused(errno.EACCES, _non_public(host, result["host"]))
        return results

    async def close(self) -> None:
        await self._resolver.close()


def public_socket(addr_info: tuple[Any, ...]) -> socket.socket:
    """The socket for one connect (``addr_info`` as getaddrinfo gives it), refused when the
    address is not public: the last line of the guard, for what the resolver never sees
    (an IP address in the URL, a proxy). The connected peer is the address checked here."""
    family, type_, proto, _, sockaddr = addr_info
    address = _ip(str(sockaddr[0]))
    if address is None or not is_public(address):
        raise AddressRefused(errno.EACCES, f"connection to non-public {sockaddr[0]} refused")
    return socket.socket(family, type_, proto)


async def fetch(
    client: aiohttp.ClientSession,
    url: str,
    *,
    polling: PollingSettings,
    validators: Validators = NO_VALIDATORS,
) -> FetchResult:
    """GET a feed, conditionally; never raises for anything the network or server does."""
    try:
        async with asyncio.timeout(polling.total_timeout_s):
            return await _fetch(client, url, polling, validators)
    except TimeoutError:
        return FetchResult(
            Outcome.TIMEOUT, url, error=f"no full response within {polling.total_timeout_s:g} s"
        )


async def _fetch(
    client: aiohttp.ClientSession, url: str, polling: PollingSettings, validators: Validators
) -> FetchResult:
    headers = validators.request_headers()
    timeout = client_timeout(polling.connect_timeout_s, polling.read_timeout_s)
    current, visited = url, {url}
    permanent, moved_to = True, None
    for _hop in range(polling.max_redirects + 1):
        refusal = refuse_reason(current, polling.allow_private_hosts)
        if refusal:
            return FetchResult(Outcome.REFUSED, current, error=refusal)
        try:
            async with client.get(
                current, headers=headers, allow_redirects=False, timeout=timeout
            ) as resp:
                status = resp.status
                location = resp.headers.get("Location")
                if status in REDIRECT_STATUSES and location is not None:
                    nxt = urljoin(current, location.strip())
                    permanent = permanent and status in PERMANENT_REDIRECTS
                    moved_to = nxt if permanent else None
                    if nxt in visited:
                        return FetchResult(
                            Outcome.REDIRECTS, current, status, error=f"redirect loop via {nxt}"
                        )
                    visited.add(nxt)
                    current = nxt
                    await _drain(resp)
                    continue
                return await _classify(resp, current, moved_to, polling.max_body_bytes)
        except (aiohttp.ClientError, OSError, ValueError) as exc:  # TimeoutError too
            return _failed(exc, current)
    return FetchResult(
        Outcome.REDIRECTS, current, error=f"more than {polling.max_redirects} redirects"
    )


def _failed(exc: BaseException, url: str) -> FetchResult:
    """The outcome of a fetch that raised: aiohttp's errors (and the guard's) classified."""
    refused = _refusal(exc)
    if refused is not None:
        return FetchResult(Outcome.REFUSED, url, error=refused)
    if isinstance(exc, TimeoutError):
        return FetchResult(Outcome.TIMEOUT, url, error=describe(exc))
    if _is_tls(exc):  # before ValueError: a certificate error is one too
        return FetchResult(Outcome.TLS, url, error=describe(exc))
    if isinstance(exc, aiohttp.InvalidURL | ValueError):  # a URL, or a Location, unusable
        return FetchResult(Outcome.REFUSED, url, error=describe(exc))
    return FetchResult(Outcome.NETWORK, url, error=describe(exc))


def _refusal(exc: BaseException) -> str | None:
    """The guard's message when it refused the connection (aiohttp wraps its error)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, AddressRefused) or (
            isinstance(seen, OSError) and seen.errno == errno.EACCES and "non-public" in str(seen)
        ):  # several addresses refused: aiohappyeyeballs raises one OSError for them all
            return str(seen.strerror or seen) if isinstance(seen, OSError) else str(seen)
        seen = seen.__cause__ or seen.__context__
    return None


async def _classify(
    resp: aiohttp.ClientResponse, url: str, moved_to: str | None, max_body: int
) -> FetchResult:
    status = resp.status
    headers = _headers(resp)
    common: dict[str, Any] = {
        "url": url,
        "status": status,
        "headers": headers,
        "moved_to": moved_to,
        "retry_after_s": parse_retry_after(headers.get("retry-after")),
        "max_age_s": parse_max_age(headers.get("cache-control")),
    }
    if status == 304:
        await _drain(resp)
        return FetchResult(Outcome.NOT_MODIFIED, validators=_validators(resp), **common)
    if status == 429 or (status == 503 and common["retry_after_s"] is not None):
        await _drain(resp)
        return FetchResult(Outcome.RATE_LIMITED, error=f"HTTP {status}", **common)
    if not 200 <= status < 300:
        await _drain(resp)
        return FetchResult(Outcome.HTTP_ERROR, error=f"HTTP {status}", **common)
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        return FetchResult(
            Outcome.TOO_LARGE, error=f"Content-Length {declared} > {max_body} bytes", **common
        )
    chunks, size = [], 0
    async for chunk in resp.content.iter_any():  # decoded (gzip, br): a zip bomb is caught too
        size += len(chunk)
        if size > max_body:  # left unread: the connection is closed, not reused
            return FetchResult(
                Outcome.TOO_LARGE, error=f"body larger than {max_body} bytes, aborted", **common
            )
        chunks.append(chunk)
    return FetchResult(Outcome.OK, content=b"".join(chunks), validators=_validators(resp), **common)


DRAIN_MAX_BYTES = 64 * 1024


async def _drain(resp: aiohttp.ClientResponse) -> None:
    """Read to its end a response whose body we do not want (a 304, a redirect, an error
    page): a connection goes back to the pool, kept alive, only once its response was read
    whole; left unread, it is closed and the next poll of that host pays a new connect
    (and TLS handshake). A body larger than ``DRAIN_MAX_BYTES`` is not worth it: the
    connection is closed."""
    size = 0
    try:
        while chunk := await resp.content.readany():
            size += len(chunk)
            if size > DRAIN_MAX_BYTES:
                return
    except (aiohttp.ClientError, OSError):  # the answer is what counts; the connection is closed
        return


def _headers(resp: aiohttp.ClientResponse) -> dict[str, str]:
    """The response headers, names lower-cased, a repeated header's values joined by ", "."""
    headers: dict[str, str] = {}
    for name, value in resp.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _validators(resp: aiohttp.ClientResponse) -> Validators:
    etag = last_modified = None
    for name, value in resp.raw_headers:  # the bytes as sent
        lname = name.lower()
        if lname == b"etag":
            etag = value
        elif lname == b"last-modified":
            last_modified = value
    return Validators(etag, last_modified)


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError | aiohttp.ClientSSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    return "SSL" in text or "CERTIFICATE" in text.upper()


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0: the zone apart
    except ValueError:
        return None


def _non_public(host: str, address: object) -> str:
    return f"{host} is a non-public address ({address}); see allow_private_hosts"


def refuse_reason(url: str, allow_private_hosts: bool) -> str | None:
    """Why we will not fetch ``url`` (bad scheme, no host, a non-public IP address), or
    None. A name is checked when it is resolved, by the session's resolver
    (:class:`PublicResolver`), with the same message."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("http", "https"):
        return f"unsupported URL scheme {scheme!r}"
    if not host:
        return "URL has no host"
    if allow_private_hosts:
        return None
    address = _ip(host)
    if address is not None and not is_public(address):
        return _non_public(host, address)
    return None
