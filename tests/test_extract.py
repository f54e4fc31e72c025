from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar, cast

import httpx
import pytest

from monitor.config import ExtractSettings, PollingSettings
from monitor.errors import BlockedURLError
from monitor.extract import (
    Extractor,
    build_document,
    check_url,
    decode_html,
    detect_language,
    extract_html,
    make_client,
    peer_address,
    to_document,
)
from monitor.metrics import Metrics
from monitor.store import Store, connect
from monitor.store.articles import ArticleCache
from monitor.types import Article, ArticleStatus, FeedItem

PAGES = Path(__file__).resolve().parent / "fixtures" / "articles"
CAP = 60_000  # polling.max_body_bytes in these tests

Route = tuple[int, dict[str, str], bytes]


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def _routes() -> dict[str, Route | Callable[[], Route]]:
    html = "text/html; charset=utf-8"
    fr = _page("fr_retour_altman.html")
    fr_cp1252 = fr.decode("utf-8").encode("cp1252")
    big = b"<html><body>" + b"<p>filler text</p>" * 10_000 + b"</body></html>"

    def slow() -> Route:
        time.sleep(0.4)
        return 200, {"Content-Type": html}, _page("en_openai_board.html")

    return {
        "/en": (200, {"Content-Type": html}, _page("en_openai_board.html")),
        "/fr": (200, {"Content-Type": html}, fr),
        "/pl": (200, {"Content-Type": "text/html"}, _page("pl_bez_lang.html")),
        "/paywall": (200, {"Content-Type": html}, _page("paywall_stub.html")),
        "/nav": (200, {"Content-Type": html}, _page("navigation_only.html")),
        "/missing": (404, {"Content-Type": html}, b"<html><body>Not found</body></html>"),
        "/error": (503, {"Content-Type": html}, b"<html><body>Try later</body></html>"),
        "/big": (200, {"Content-Type": html}, big),
        # no Content-Length: the cap must cut the stream itself
        "/big-stream": (200, {"Content-Type": html, "X-No-Length": "1"}, big),
        "/report.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        "/pdf-as-html": (200, {"Content-Type": html}, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"),
        # UTF-8 bytes declared ISO-8859-1, and cp1252 bytes declared UTF-8 (header and meta)
        "/utf8-declared-latin1": (200, {"Content-Type": "text/html; charset=iso-8859-1"}, fr),
        "/cp1252-declared-utf8": (200, {"Content-Type": html}, fr_cp1252),
        "/redirect": (302, {"Location": "/en"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/slow": slow,
    }


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Route | Callable[[], Route]]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        route = self.routes.get(self.path, (404, {}, b""))
        status, headers, body = route() if callable(route) else route
        self.send_response(status)
        stream = "X-No-Length" in headers
        for key, value in headers.items():
            if key != "X-No-Length":
                self.send_header(key, value)
        if stream:
            self.send_header("Connection", "close")
            self.end_headers()
            for i in range(0, len(body), 8192):
                self.wfile.write(body[i : i + 8192])
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up mid-body (the size cap, the deadline) are expected


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _Handler.routes = _routes()
    _Handler.hits = []
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _polling(allow_private: bool = True) -> PollingSettings:
    return PollingSettings(
        allow_private_hosts=allow_private,
        max_body_bytes=CAP,
        max_redirects=3,
        connect_timeout_s=2,
        read_timeout_s=2,
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(_polling()) as c:
        yield c


def _extractor(
    client: httpx.AsyncClient,
    *,
    allow_private: bool = True,
    cache: ArticleCache | None = None,
    metrics: Metrics | None = None,
    **extract: object,
) -> Extractor:
    return Extractor(
        client,
        polling=_polling(allow_private),
        extract=ExtractSettings.model_validate({"timeout_s": 5, **extract}),
        cache=cache,
        metrics=metrics,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = connect(None, tmp_path / "data", prefix="t", embedded_db="redis.db")
    yield s
    s.close()


def _item(link: str, summary: str = "", **kw: object) -> FeedItem:
    fields: dict[str, object] = {
        "feed": "https://example.org/feed.xml",
        "title": "Feed title",
        "summary": summary,
        "link": link,
        "published": datetime(2023, 11, 18, 12, tzinfo=UTC),
        "language": "en-US",
    }
    fields.update(kw)
    return FeedItem(**fields)  # type: ignore[arg-type]


# -- articles -------------------------------------------------------------------


async def test_english_article(server: str, client: httpx.AsyncClient) -> None:
    metrics = Metrics()
    art = await _extractor(client, metrics=metrics).fetch(f"{server}/en")
    assert art.status is ArticleStatus.OK
    assert 'not been "consistently candid' in art.text
    assert "Related" not in art.text and "All rights reserved" not in art.text
    assert art.title == "OpenAI's board fires Sam Altman, Mira Murati named interim CEO"
    assert art.author == "Dana Whitfield"
    assert art.published == datetime(2023, 11, 17, tzinfo=UTC)
    assert (art.language, art.language_source) == ("en", "html")
    assert metrics.articles.labels(outcome="ok")._value.get() == 1


async def test_french_article(server: str, client: httpx.AsyncClient) -> None:
    art = await _extractor(client).fetch(f"{server}/fr")
    assert art.ok and art.language == "fr"
    assert "Moins de quarante-huit heures après avoir limogé Sam Altman" in art.text
    assert art.author == "Claire Lefèvre"


async def test_language_detected_when_the_page_does_not_say(
    server: str, client: httpx.AsyncClient
) -> None:
    art = await _extractor(client).fetch(f"{server}/pl")
    assert art.ok
    assert (art.language, art.language_source) == ("pl", "detector")


@pytest.mark.parametrize("path", ["/paywall", "/nav"])
async def test_boilerplate_only_is_too_short(
    server: str, client: httpx.AsyncClient, path: str
) -> None:
    art = await _extractor(client).fetch(server + path)
    assert art.status is ArticleStatus.TOO_SHORT
    assert len(art.text) < 400


async def test_http_errors(server: str, client: httpx.AsyncClient) -> None:
    art = await _extractor(client).fetch(f"{server}/missing")
    assert (art.status, art.http_status) == (ArticleStatus.HTTP_ERROR, 404)
    art = await _extractor(client).fetch(f"{server}/error")
    assert (art.status, art.http_status) == (ArticleStatus.HTTP_ERROR, 503)


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
async def test_size_cap(server: str, client: httpx.AsyncClient, path: str) -> None:
    art = await _extractor(client).fetch(server + path)
    assert art.status is ArticleStatus.TOO_LARGE, art.error


@pytest.mark.parametrize("path", ["/report.pdf", "/pdf-as-html"])
async def test_pdf_is_not_html(server: str, client: httpx.AsyncClient, path: str) -> None:
    art = await _extractor(client).fetch(server + path)
    assert art.status is ArticleStatus.NOT_HTML


@pytest.mark.parametrize("path", ["/utf8-declared-latin1", "/cp1252-declared-utf8"])
async def test_wrong_encoding_declared(server: str, client: httpx.AsyncClient, path: str) -> None:
    art = await _extractor(client).fetch(server + path)
    assert art.ok
    assert "après avoir limogé" in art.text and "Ã" not in art.text


async def test_redirects_are_followed_and_bounded(server: str, client: httpx.AsyncClient) -> None:
    art = await _extractor(client).fetch(f"{server}/redirect")
    assert art.ok and art.final_url == f"{server}/en" and art.url == f"{server}/redirect"
    art = await _extractor(client).fetch(f"{server}/loop")
    assert art.status is ArticleStatus.TOO_MANY_REDIRECTS


async def test_deadline(server: str, client: httpx.AsyncClient) -> None:
    art = await _extractor(client, timeout_s=0.1).fetch(f"{server}/slow")
    assert art.status is ArticleStatus.TIMEOUT


async def test_connection_refused_is_a_network_error(client: httpx.AsyncClient) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    art = await _extractor(client).fetch(f"http://127.0.0.1:{port}/")
    assert art.status is ArticleStatus.NETWORK


# -- SSRF guard ---------------------------------------------------------------


async def test_guard_refuses_loopback_without_sending_anything(
    server: str, client: httpx.AsyncClient
) -> None:
    before = len(_Handler.hits)
    for url in (f"{server}/en", f"http://localhost:{server.rsplit(':', 1)[1]}/en"):
        art = await _extractor(client, allow_private=False).fetch(url)
        assert art.status is ArticleStatus.BLOCKED, url
    assert len(_Handler.hits) == before


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.1.2.3/admin",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "ftp://example.org/file",
        "file:///etc/passwd",
    ],
)
async def test_guard_refuses_private_addresses_and_other_schemes(url: str) -> None:
    with pytest.raises(BlockedURLError):
        await check_url(url, allow_private=False)


async def test_peer_address_is_the_connected_ip(server: str, client: httpx.AsyncClient) -> None:
    async with client.stream("GET", f"{server}/en") as resp:
        assert peer_address(resp) == "127.0.0.1"


async def test_per_host_concurrency_is_bounded(server: str, client: httpx.AsyncClient) -> None:
    ex = _extractor(client)
    ex.polling = ex.polling.model_copy(update={"max_per_host": 1})
    t0 = time.perf_counter()
    arts = await asyncio.gather(ex.fetch(f"{server}/slow"), ex.fetch(f"{server}/slow"))
    assert all(a.ok for a in arts)
    assert time.perf_counter() - t0 >= 0.8  # one after the other


async def test_guard_lets_public_addresses_and_allowed_private_through() -> None:
    await check_url("https://93.184.216.34/article", allow_private=False)
    await check_url("http://10.1.2.3/", allow_private=True)
    with pytest.raises(BlockedURLError):
        await check_url("gopher://10.1.2.3/", allow_private=True)


# -- cache ----------------------------------------------------------------------


async def test_articles_are_cached_by_url(
    server: str, client: httpx.AsyncClient, store: Store
) -> None:
    cache = ArticleCache(store, ttl_s=600, failure_ttl_s=60)
    metrics = Metrics()
    ex = _extractor(client, cache=cache, metrics=metrics)
    first = await ex.article(f"{server}/fr")
    hits = len(_Handler.hits)
    again = await ex.article(f"{server}/fr")
    assert len(_Handler.hits) == hits  # no second download
    assert again == first
    assert metrics.articles.labels(outcome="cached")._value.get() == 1
    assert 0 < cast(int, store.redis.ttl(store.keys.article(f"{server}/fr"))) <= 600
    await ex.article(f"{server}/error")  # transient: the shorter TTL
    assert 0 < cast(int, store.redis.ttl(store.keys.article(f"{server}/error"))) <= 60
    await store.aclose()


# -- documents ------------------------------------------------------------------


async def test_document_from_article(server: str, client: httpx.AsyncClient) -> None:
    item = _item(f"{server}/fr", "<p>Résumé</p>", language=None, published=None)
    doc = await to_document(item, _extractor(client))
    assert "quarante-huit heures" in doc.text
    assert doc.title == "Feed title" and doc.language == "fr"
    assert doc.id == item.id and doc.url == item.link and doc.source == item.feed
    assert doc.published == datetime(2023, 11, 19, tzinfo=UTC) and doc.date_inferred


@pytest.mark.parametrize("path", ["/paywall", "/missing", "/report.pdf", "/nav"])
async def test_document_falls_back_to_the_summary(
    server: str, client: httpx.AsyncClient, path: str
) -> None:
    summary = "<p>OpenAI&#8217;s board fired Sam Altman on Friday, the company said.</p>"
    doc = await to_document(_item(server + path, summary), _extractor(client))
    assert doc.text == "OpenAI’s board fired Sam Altman on Friday, the company said."
    assert doc.language == "en" and not doc.date_inferred


async def test_document_without_network() -> None:
    item = _item("https://example.org/x", "Zarząd OpenAI zwolnił Sama Altmana.", language=None)
    doc = await to_document(item)
    assert doc.text == "Zarząd OpenAI zwolnił Sama Altmana." and doc.language == "pl"
    assert build_document(item, Article(item.link, ArticleStatus.TIMEOUT)).text == doc.text


async def test_a_feed_that_mislabels_its_language_is_corrected_by_the_text() -> None:
    """A Polish outlet's feed declares "en-US" for every item: its Polish text must reach
    the Polish reading (NER model, vocabulary), not the English one. A short or unclear
    text keeps the declared language, and a declared language the detector does not know
    is kept too."""
    polish = ("Nie widzimy bezpośredniego wpływu upadku amerykańskiego banku na nasz system "
              "bankowy – oceniła przedstawicielka zarządu giełdy.")
    doc = await to_document(_item("https://example.org/pl", polish, language="en-US"))
    assert doc.language == "pl"
    short = await to_document(_item("https://example.org/s", "OK", language="en-US"))
    assert short.language == "en"
    german = await to_document(_item("https://example.org/de", polish, language="de-DE"))
    assert german.language == "de"


async def test_disabled_extraction_uses_the_summary(server: str, client: httpx.AsyncClient) -> None:
    before = len(_Handler.hits)
    doc = await to_document(_item(f"{server}/en", "summary"), _extractor(client, enabled=False))
    assert doc.text == "summary" and len(_Handler.hits) == before


# -- pure helpers -----------------------------------------------------------------


def test_decode_html() -> None:
    assert decode_html("élan".encode(), "text/html; charset=iso-8859-1") == "élan"
    latin2 = "<meta charset='iso-8859-2'><p>Łódź, zażółć gęślą jaźń</p>".encode("iso-8859-2")
    assert "Łódź" in decode_html(latin2, "text/html")
    assert "Łódź" in decode_html(latin2, "text/html; charset=nonsense-charset")


def test_detect_language() -> None:
    langs = ["en", "fr", "pl"]
    assert (
        detect_language("Le conseil d'administration a limogé son patron vendredi.", langs) == "fr"
    )
    assert detect_language("Zarząd odwołał prezesa w piątek wieczorem.", langs) == "pl"
    assert detect_language("The board fired its chief executive on Friday.", langs) == "en"
    assert detect_language("OpenAI", langs) is None


def test_boilerplate_of_a_heavy_page_is_left_out() -> None:
    html = decode_html((PAGES / "en_heavy_page.html").read_bytes(), None)
    found = extract_html(html, "https://example.org/story")
    assert found is not None
    assert found.text.startswith("Microsoft hires Sam Altman as OpenAI staff threaten to quit")
    assert "deeply regretted his participation" in found.text
    for junk in ("cookies", "Related story", "Comment 1:", "Footer link", "Subsection", "var a"):
        assert junk not in found.text
    assert (found.author, found.language) == ("Priya Raman", "en")
