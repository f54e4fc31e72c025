"""Article text for candidate items: download, extract, and build the :class:`Document`.

    check_url (SSRF guard) -> download (streamed, size-capped, each redirect checked)
      -> decode -> trafilatura on the HTML string, in an executor -> language
      -> Article (cached by URL in Redis) -> Document, or the feed summary when the page
         failed, is not HTML, or holds boilerplate only

Only candidates (see prefilter.py) come here. The page is downloaded with the shared
``httpx.AsyncClient`` (never trafilatura's own fetcher); every failure is classified
(:class:`~monitor.types.ArticleStatus`, Miniflux-style) and none is raised: the caller
always gets a Document.

Language: the page's declared language (``<html lang>``, ``Content-Language``), then
trafilatura's metadata, then an offline detector (py3langid, restricted to
``extract.languages``; its model ships in the wheel, nothing is downloaded).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import re
import socket
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import charset_normalizer
import httpx
import trafilatura
from trafilatura.settings import Document as TrafilaturaDocument
from trafilatura.utils import load_html

from monitor.config import ExtractSettings, PollingSettings, Settings
from monitor.errors import BlockedURLError, FetchError
from monitor.feeds import is_public
from monitor.fetcher import tls_context
from monitor.language import checked_language, detect_language, normalize_language
from monitor.metrics import Metrics
from monitor.prefilter import strip_html
from monitor.store import Store
from monitor.store.articles import ArticleCache
from monitor.types import Article, ArticleStatus, Document, FeedItem

log = logging.getLogger(__name__)

__all__ = [
    "Extracted",
    "Extractor",
    "build_document",
    "check_url",
    "decode_html",
    "detect_language",
    "extract_html",
    "make_client",
    "peer_address",
    "to_document",
]

_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
_HTML_TYPES = ("text/html", "application/xhtml+xml")

# -- the HTTP client ---------------------------------------------------------


def make_client(polling: PollingSettings) -> httpx.AsyncClient:
    """The client of article downloads: HTTP/2 when offered (over TLS), at most
    ``polling.max_connections`` pooled connections, gzip/deflate/brotli, our User-Agent, the
    TLS trust store of the feed polls. Redirects are followed (and checked) by the
    extractor. Feeds are polled with aiohttp (``fetcher.make_session``): a candidate's page
    is fetched far less often than a feed, so this stays on httpx."""
    keep_alive = polling.keepalive_expiry_s > 0
    size = polling.max_connections
    return httpx.AsyncClient(
        http2=True,
        follow_redirects=False,
        timeout=httpx.Timeout(
            polling.read_timeout_s,
            connect=polling.connect_timeout_s,
            pool=polling.connect_timeout_s,
        ),
        verify=tls_context(),
        limits=httpx.Limits(
            max_connections=size,
            max_keepalive_connections=size if keep_alive else 0,
            keepalive_expiry=polling.keepalive_expiry_s if keep_alive else 0.0,
        ),
        headers={"User-Agent": polling.user_agent, "Accept": _ACCEPT},
    )


# -- SSRF guard -------------------------------------------------------------


def peer_address(resp: httpx.Response) -> str | None:
    """The IP address the response actually came from (None if the transport hides it)."""
    stream = resp.extensions.get("network_stream")
    addr = stream.get_extra_info("server_addr") if stream is not None else None
    if isinstance(addr, tuple) and addr:
        return str(addr[0])
    return None


def peer_is_public(resp: httpx.Response) -> bool:
    """Closes the DNS-rebinding gap of :func:`check_url` (the name re-resolved between
    our check and httpx's connect): the connected peer itself must be public."""
    peer = peer_address(resp)
    if peer is None:
        return True  # nothing to check (e.g. a custom transport); the URL was checked
    try:
        return is_public(ipaddress.ip_address(peer.split("%", 1)[0]))
    except ValueError:
        return True


async def check_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse what we must not fetch: other schemes, and hosts with a non-public address.

    The host is resolved and *every* address checked (a name with one private address
    among public ones is refused). IP literals are checked without any traffic.
    Raises :class:`BlockedURLError`; a name that does not resolve raises FetchError.
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise BlockedURLError(f"invalid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise BlockedURLError(f"scheme {parsed.scheme!r} not allowed")
    host = parsed.host
    if not host:
        raise BlockedURLError("no host in URL")
    if allow_private:
        return
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host}: {exc}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for ip in addresses:
        if not is_public(ip):
            raise BlockedURLError(f"{host} resolves to non-public address {ip}")


# -- decoding and extraction (pure, CPU-bound: run in an executor) -----------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def _header_charset(content_type: str | None) -> str | None:
    if content_type and "charset=" in content_type.lower():
        value = content_type.lower().split("charset=", 1)[1].split(";", 1)[0]
        return value.strip().strip("\"'") or None
    return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text, robust to wrong declarations.

    Valid UTF-8 wins over any declared charset (a page declared ISO-8859-1 that is really
    UTF-8 is common; the reverse decodes as invalid UTF-8 almost always). Otherwise the
    header's charset, the ``<meta>`` charset, then charset-normalizer's guess.
    """
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(body[:4096])
    declared = [_header_charset(content_type), meta.group(1).decode("ascii") if meta else None]
    for enc in declared:
        if not enc:
            continue
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    best = charset_normalizer.from_bytes(body).best()
    if best is not None:
        return str(best)
    return body.decode("utf-8", errors="replace")  # pragma: no cover - normalizer always guesses


@dataclass(frozen=True, slots=True)
class Extracted:
    """What trafilatura (and the language chain) found in one HTML page."""

    text: str
    title: str | None
    author: str | None
    published: datetime | None
    language: str | None
    language_source: str | None


def _declared_language(tree: Any) -> str | None:
    lang = normalize_language(
        tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    )
    if lang:
        return lang
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            lang = normalize_language(meta.get("content"))
            if lang:
                return lang
    return None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def extract_html(
    html: str,
    url: str | None = None,
    *,
    languages: Sequence[str] = ("en", "fr", "pl"),
    header_language: str | None = None,
) -> Extracted | None:
    """Main text and metadata of an HTML page with trafilatura; None if unparseable."""
    tree = load_html(html)
    if tree is None:
        return None
    declared = _declared_language(tree) or normalize_language(header_language)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
    )
    if not isinstance(doc, TrafilaturaDocument):  # None: nothing found
        return Extracted("", None, None, None, declared, "html" if declared else None)
    text = (doc.text or "").strip()
    language, source = declared, "html"
    if not language:
        language, source = normalize_language(doc.language), "metadata"
    if not language:
        language, source = detect_language(text, languages), "detector"
    return Extracted(
        text=text,
        title=doc.title or None,
        author=doc.author or None,
        published=_parse_date(doc.date),
        language=language,
        language_source=source if language else None,
    )


# -- the extractor ------------------------------------------------------------


class _Failed(Exception):
    def __init__(
        self, status: ArticleStatus, error: str, *, http_status: int | None = None
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.http_status = http_status


@dataclass(frozen=True, slots=True)
class _Page:
    final_url: str
    http_status: int
    content_type: str | None
    content_language: str | None
    body: bytes


class Extractor:
    """Fetches and extracts article pages; one per daemon, sharing the feeds' client.

    ``executor`` runs the CPU-bound trafilatura work (default: asyncio's thread pool;
    a ProcessPoolExecutor works too, :func:`extract_html` is a plain function).
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        polling: PollingSettings,
        extract: ExtractSettings,
        cache: ArticleCache | None = None,
        metrics: Metrics | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.client = client
        self.polling = polling
        self.settings = extract
        self.cache = cache
        self.metrics = metrics
        self.executor = executor
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def from_settings(
        cls,
        client: httpx.AsyncClient,
        settings: Settings,
        *,
        store: Store | None = None,
        metrics: Metrics | None = None,
        executor: Executor | None = None,
    ) -> Extractor:
        cache = None
        if store is not None:
            cache = ArticleCache(
                store,
                ttl_s=settings.extract.cache_ttl_s,
                failure_ttl_s=settings.extract.failure_ttl_s,
            )
        return cls(
            client,
            polling=settings.polling,
            extract=settings.extract,
            cache=cache,
            metrics=metrics,
            executor=executor,
        )

    # -- public ------------------------------------------------------------
    async def document(self, item: FeedItem) -> Document:
        article = await self.article(item.link) if self.settings.enabled and item.link else None
        return build_document(item, article, languages=self.settings.languages)

    async def article(self, url: str) -> Article:
        """The article at ``url``, from the cache when there (fetched and cached if not)."""
        if self.cache is not None:
            cached = await self.cache.get(url)
            if cached is not None:
                self._count("cached")
                return cached
        article = await self.fetch(url)
        if self.cache is not None:
            await self.cache.put(article)
        return article

    async def fetch(self, url: str) -> Article:
        """Download and extract, uncached. Never raises: failures are classified.

        At most ``polling.max_per_host`` downloads run at once per host; the deadline
        (``extract.timeout_s``) counts from when the download starts.
        """
        try:
            async with self._slot(url):
                async with asyncio.timeout(self.settings.timeout_s):
                    page = await self._download(url)
            article = await self._extract(url, page)
        except _Failed as f:
            article = Article(url, f.status, error=f.error, http_status=f.http_status)
        except TimeoutError:
            article = Article(url, ArticleStatus.TIMEOUT, error="deadline exceeded")
        self._count(article.status.value)
        if not article.ok:
            log.debug(
                "no article text: %s", article.error, extra={"url": url, "status": article.status}
            )
        return article

    # -- steps ----------------------------------------------------------------
    def _slot(self, url: str) -> asyncio.Semaphore:
        try:
            host = httpx.URL(url).host
        except httpx.InvalidURL:
            host = ""
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.polling.max_per_host)
        return slot

    async def _download(self, url: str) -> _Page:
        cap = self.polling.max_body_bytes
        current = url
        for _ in range(self.polling.max_redirects + 1):
            try:
                await check_url(current, allow_private=self.polling.allow_private_hosts)
            except BlockedURLError as exc:
                raise _Failed(ArticleStatus.BLOCKED, str(exc)) from exc
            except FetchError as exc:
                raise _Failed(ArticleStatus.NETWORK, str(exc)) from exc
            try:
                async with self.client.stream(
                    "GET", current, headers={"Accept": _ACCEPT}, follow_redirects=False
                ) as resp:
                    if not self.polling.allow_private_hosts and not peer_is_public(resp):
                        raise _Failed(
                            ArticleStatus.BLOCKED, f"connected to non-public {peer_address(resp)}"
                        )
                    if resp.is_redirect:
                        current = str(resp.url.join(resp.headers["location"]))
                        continue
                    if resp.status_code >= 400:
                        raise _Failed(
                            ArticleStatus.HTTP_ERROR,
                            f"HTTP {resp.status_code}",
                            http_status=resp.status_code,
                        )
                    ctype = resp.headers.get("content-type")
                    media = (ctype or "").split(";", 1)[0].strip().lower()
                    if media and media not in _HTML_TYPES:
                        raise _Failed(ArticleStatus.NOT_HTML, f"content type {media}")
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > cap:
                        raise _Failed(ArticleStatus.TOO_LARGE, f"{declared} bytes > {cap}")
                    body = bytearray()
                    async for chunk in resp.aiter_bytes():  # decompressed: caps zip bombs too
                        body += chunk
                        if len(body) > cap:
                            raise _Failed(ArticleStatus.TOO_LARGE, f"body over {cap} bytes")
                    return _Page(
                        final_url=str(resp.url),
                        http_status=resp.status_code,
                        content_type=ctype,
                        content_language=resp.headers.get("content-language"),
                        body=bytes(body),
                    )
            except httpx.TimeoutException as exc:
                raise _Failed(ArticleStatus.TIMEOUT, f"{type(exc).__name__}: {exc}") from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise _Failed(ArticleStatus.NETWORK, f"{type(exc).__name__}: {exc}") from exc
        raise _Failed(
            ArticleStatus.TOO_MANY_REDIRECTS, f"more than {self.polling.max_redirects} redirects"
        )

    async def _extract(self, url: str, page: _Page) -> Article:
        if page.body.lstrip()[:5] == b"%PDF-":
            raise _Failed(ArticleStatus.NOT_HTML, "PDF served as HTML")
        html = decode_html(page.body, page.content_type)
        loop = asyncio.get_running_loop()
        work = functools.partial(
            extract_html,
            html,
            page.final_url,
            languages=tuple(self.settings.languages),
            header_language=page.content_language,
        )
        try:
            found = await loop.run_in_executor(self.executor, work)
        except Exception as exc:  # trafilatura/lxml: anything on hostile HTML
            raise _Failed(ArticleStatus.PARSE, f"{type(exc).__name__}: {exc}") from exc
        if found is None:
            raise _Failed(ArticleStatus.PARSE, "unparseable HTML")
        text = found.text[: self.settings.max_text_chars]
        status = ArticleStatus.OK
        error = None
        if len(text) < self.settings.min_article_chars:
            status = ArticleStatus.TOO_SHORT
            error = f"{len(text)} characters of text"
        return Article(
            url=url,
            status=status,
            text=text,
            title=found.title,
            author=found.author,
            published=found.published,
            language=found.language,
            language_source=found.language_source,
            final_url=page.final_url,
            http_status=page.http_status,
            error=error,
        )

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.articles.labels(outcome=outcome).inc()


class Articles:
    """Article text for candidate items: an :class:`Extractor` with its own HTTP client,
    opened and closed with its owner (the daemon, or a replay with ``--fetch``). With
    ``[extract] enabled = false`` a candidate is its feed title and summary."""

    name = "articles"

    def __init__(self, settings: Settings, store: Store, metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self._client: httpx.AsyncClient | None = None
        self._extractor: Extractor | None = None

    async def start(self) -> None:
        if self.settings.extract.enabled:
            self._client = make_client(self.settings.polling)
            self._extractor = Extractor.from_settings(
                self._client, self.settings, store=self.store, metrics=self.metrics
            )

    async def documents(self, items: Sequence[FeedItem]) -> list[Document]:
        if self._extractor is None:
            return [build_document(i, None) for i in items]
        return list(await asyncio.gather(*(self._extractor.document(i) for i in items)))

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client, self._extractor = None, None


def build_document(
    item: FeedItem, article: Article | None, *, languages: Sequence[str] = ("en", "fr", "pl")
) -> Document:
    """The Document for a feed item: its article when usable, else its summary."""
    title = strip_html(item.title).strip() or (article.title if article else None) or ""
    summary = strip_html(item.summary).strip()
    published = item.published
    date_inferred = False
    if article is not None and article.ok:
        text = article.text
        language = checked_language(article.language or item.language, f"{title}. {text}",
                                    languages)
        if published is None and article.published is not None:
            published, date_inferred = article.published, True
    else:
        # Boilerplate is no better than a short summary; it only beats nothing at all.
        text = summary or (article.text if article is not None else "")
        language = checked_language(item.language, f"{title}. {text}", languages)
    return Document(
        id=item.id,
        title=title,
        text=text,
        source=item.feed,
        url=item.link or None,
        published=published,
        language=language,
        date_inferred=date_inferred,
    )


async def to_document(item: FeedItem, extractor: Extractor | None = None) -> Document:
    """A candidate item as a Document: with its article text when ``extractor`` is given
    (and extraction is enabled), else from its feed summary alone (replay, no network)."""
    if extractor is None:
        return build_document(item, None)
    return await extractor.document(item)
