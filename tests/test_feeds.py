"""monitor/feeds.py: parsing the fixture feeds, identities, next-check planning (pure), and
the classified fetch against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from feed_server import FIXTURES, RSS, FeedServer, Reply, fixture, make_settings

from monitor.errors import InputError
from monitor.feeds import (
    Outcome,
    Validators,
    canonical_link,
    content_hash,
    entry_identity,
    parse_feed,
    parse_max_age,
    parse_opml,
    parse_retry_after,
    plan_next_check,
)
from monitor.fetcher import fetch, make_connector, make_session
from monitor.types import FeedItem

# -- parsing -----------------------------------------------------------------------------


def test_rss2_entries_dates_ttl_and_raw_summary() -> None:
    parsed = parse_feed(fixture("rss2.xml"), "https://news.example.com/feed", {"Content-Type": RSS})
    assert parsed.error is None and parsed.bozo is None
    assert parsed.title == "OpenAI Watch"
    assert [i.title for i in parsed.items] == [
        "OpenAI board removes Sam Altman",
        "Greg Brockman quits",
        "Microsoft hires Altman",
    ]
    first = parsed.items[0]
    assert first.guid == "news-1001"
    assert first.published == datetime(2023, 11, 17, 20, 30, tzinfo=UTC)
    assert first.language == "en"
    assert "<b>not consistently candid</b>" in first.summary  # HTML kept for later stages
    assert parsed.items[2].guid is None  # no guid: identity falls back to the link
    assert parsed.ttl_s == 3600


def test_atom_relative_links_resolve_against_the_feed_url() -> None:
    parsed = parse_feed(fixture("atom.xml"), "https://fil.example.fr/feed.atom")
    assert [i.guid for i in parsed.items] == [
        "tag:fil.example.fr,2023:retour-altman",
        "tag:fil.example.fr,2023:shear",
    ]
    assert parsed.items[0].link == "https://fil.example.fr/2023/11/22/retour-altman"
    assert parsed.items[0].language == "fr"
    assert parsed.items[1].published == datetime(2023, 11, 20, 5, 0, tzinfo=UTC)


def test_rdf_rss10_with_syndication_period() -> None:
    parsed = parse_feed(fixture("rdf.xml"), "https://rdf.example.org/rss")
    assert [i.link for i in parsed.items] == [
        "https://rdf.example.org/a",
        "https://rdf.example.org/b",
    ]
    assert parsed.items[0].published == datetime(2023, 11, 20, 13, 0, tzinfo=UTC)
    assert parsed.ttl_s == 1800  # hourly, twice


def test_rss091_without_guid_or_date_is_identified_by_its_canonical_link() -> None:
    parsed = parse_feed(fixture("rss091.xml"), "http://vieux.example.net/rss")
    assert parsed.error is None and parsed.title == "Vieux fil"
    first = parsed.items[0]
    assert first.title == "Le conseil d'OpenAI limoge Sam Altman"
    assert first.summary == "Ilya Sutskever aurait mené le putsch."  # ISO-8859-1 declared
    assert (first.guid, first.published, first.language) == (None, None, "fr")
    assert entry_identity(first) == entry_identity(
        _item(feed=first.feed, link="http://VIEUX.example.net/altman-limogé.html?utm_campaign=x")
    )


def test_malformed_feed_keeps_the_entries_that_parsed() -> None:
    parsed = parse_feed(fixture("malformed.xml"), "https://sloppy.example.com/rss")
    assert parsed.error is None
    assert parsed.bozo and "not well-formed" in parsed.bozo
    assert [i.link for i in parsed.items] == [
        "https://sloppy.example.com/1",
        "https://sloppy.example.com/2",
    ]


def test_http_charset_wins_over_a_wrong_xml_declaration() -> None:
    body = fixture("wrong_charset.xml")  # declares iso-8859-1, is windows-1251
    parsed = parse_feed(
        body, "https://novosti.example.ru/rss", {"Content-Type": "text/xml; charset=windows-1251"}
    )
    assert parsed.items[0].title == "Сэм Альтман вернулся в OpenAI"
    assert parsed.title == "Новости техно"


def test_latin1_bytes_declared_utf8_still_read_right() -> None:
    parsed = parse_feed(fixture("latin1_declared_utf8.xml"), "https://cafe.example.fr/rss")
    assert parsed.items[0].title == "Noël chez OpenAI : la débâcle"
    assert parsed.bozo  # the lie is reported


def test_html_page_is_a_parse_error() -> None:
    parsed = parse_feed(b"<html><body><p>Hello</p></body></html>", "https://x.example/")
    assert parsed.error and parsed.error.startswith("not a feed")
    assert parse_feed(b"", "https://x.example/").error


# -- identity ----------------------------------------------------------------------------


def test_canonical_link() -> None:
    assert (
        canonical_link("HTTPS://News.Example.COM/a/b?id=7&utm_source=rss&UTM_Medium=x#frag")
        == "https://news.example.com/a/b?id=7"
    )
    assert canonical_link("http://example.com:80") == "http://example.com/"
    assert canonical_link("http://example.com:8080/x") == "http://example.com:8080/x"
    assert canonical_link("") == ""


def _item(**kw: str | None) -> FeedItem:
    base: dict[str, str | None] = {
        "feed": "f",
        "title": "t",
        "summary": "s",
        "link": "",
        "guid": None,
    }
    base.update(kw)
    return FeedItem(published=None, **base)  # type: ignore[arg-type]


def test_identity_guid_then_canonical_link_then_content() -> None:
    a = _item(guid="g1", link="https://a.example/1")
    assert entry_identity(a) == entry_identity(_item(guid="g1", link="https://other/", title="x"))
    tracked = _item(link="https://A.example/1?utm_source=tw#top")
    assert entry_identity(tracked) == entry_identity(_item(link="https://a.example/1", title="x"))
    assert entry_identity(_item(title="x")) != entry_identity(_item(title="y"))
    assert entry_identity(a) != entry_identity(_item(feed="other", guid="g1"))  # scoped by feed


def test_content_hash_notices_an_edit() -> None:
    a = _item(guid="g1")
    assert content_hash(a) == content_hash(_item(guid="g1"))
    assert content_hash(a) != content_hash(_item(guid="g1", title="t (updated)"))


# -- when to come back -------------------------------------------------------------------


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(format_datetime(now + timedelta(minutes=5), usegmt=True), now) == 300
    assert parse_retry_after(format_datetime(now - timedelta(minutes=5), usegmt=True), now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_cache_control_max_age() -> None:
    assert parse_max_age("public, max-age=900") == 900
    assert parse_max_age('max-age="60", must-revalidate') == 60
    assert parse_max_age("no-store, max-age=900") is None
    assert parse_max_age(None) is None


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    delays = [
        plan_next_check(
            Outcome.HTTP_ERROR, interval_s=300, jitter_s=0, cap_s=3600, errors=n, rng=rng
        )
        for n in range(1, 8)
    ]
    assert all(why == "backoff" for _, why in delays)
    for n, (d, _) in enumerate(delays, start=1):
        ceiling = min(3600, 300 * 2 ** (n - 1))
        assert ceiling / 2 <= d <= ceiling
    assert delays[-1][0] <= 3600


def test_retry_after_is_honoured_but_capped() -> None:
    assert plan_next_check(
        Outcome.RATE_LIMITED, interval_s=300, jitter_s=0, cap_s=3600, errors=5, retry_after_s=90
    ) == (90, "retry_after")
    assert plan_next_check(
        Outcome.RATE_LIMITED, interval_s=300, jitter_s=0, cap_s=3600, errors=1, retry_after_s=10**6
    ) == (3600, "retry_after")


def test_success_waits_interval_or_max_age_or_ttl() -> None:
    kw: dict[str, Any] = {"interval_s": 300.0, "jitter_s": 0.0, "cap_s": 21600.0, "errors": 0}
    assert plan_next_check(Outcome.OK, **kw) == (300, "interval")
    assert plan_next_check(Outcome.NOT_MODIFIED, max_age_s=60, **kw) == (300, "interval")
    assert plan_next_check(Outcome.OK, max_age_s=900, **kw) == (900, "max_age")
    assert plan_next_check(Outcome.OK, max_age_s=900, ttl_s=3600, **kw) == (3600, "ttl")
    assert plan_next_check(Outcome.OK, ttl_s=10**6, **kw) == (21600, "ttl")


# -- OPML --------------------------------------------------------------------------------


def test_opml_feeds_at_any_depth_without_duplicates() -> None:
    feeds = parse_opml(FIXTURES / "feeds.opml")
    assert [f.url for f in feeds] == [
        "https://feeds.arstechnica.com/arstechnica/index",
        "https://www.lemonde.fr/pixels/rss_full.xml",
        "https://news.ycombinator.com/rss",
    ]
    assert feeds[1].name == "Le Monde Pixels" and feeds[1].language == "fr"


def test_opml_that_is_not_opml(tmp_path: Path) -> None:
    bad = tmp_path / "x.opml"
    bad.write_text("<html/>")
    with pytest.raises(InputError, match="not OPML"):
        parse_opml(bad)
    bad.write_text("<opml><body><outline")
    with pytest.raises(InputError, match="not valid"):
        parse_opml(bad)


# -- fetch over real HTTP ----------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer().start()
    yield s
    s.stop()


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[aiohttp.ClientSession]:
    async with make_session(make_settings(tmp_path).polling) as c:
        yield c


async def test_fetch_ok_carries_validators_byte_for_byte(
    server: FeedServer, client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    etag = 'W/"v1-\xe9;q=\\"x\\""'  # odd but legal: obs-text and escaped quotes
    server.routes["/f"] = Reply(
        200, fixture("rss2.xml"), {"ETag": etag, "Cache-Control": "max-age=600"}
    )
    r = await fetch(client, server.url("/f"), polling=make_settings(tmp_path).polling)
    assert r.outcome is Outcome.OK and r.status == 200
    assert r.validators.etag == etag.encode("latin-1")
    assert r.max_age_s == 600
    assert r.content == fixture("rss2.xml")


async def test_fetch_304_sends_validators_back(
    server: FeedServer, client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.routes["/f"] = Reply(304)
    v = Validators(b'"abc"', b"Fri, 17 Nov 2023 20:30:00 GMT")
    r = await fetch(client, server.url("/f"), polling=make_settings(tmp_path).polling, validators=v)
    assert r.outcome is Outcome.NOT_MODIFIED
    hit = server.hits("/f")[0]
    assert hit.headers["if-none-match"] == '"abc"'
    assert hit.headers["if-modified-since"] == "Fri, 17 Nov 2023 20:30:00 GMT"


async def test_fetch_classifies_failures(
    server: FeedServer, client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    polling = make_settings(tmp_path, read_timeout_s=0.3, max_body_bytes=10_000).polling
    server.routes["/404"] = Reply(404)
    server.routes["/500"] = Reply(500)
    server.routes["/429"] = Reply(429, headers={"Retry-After": "120"})
    server.routes["/503"] = Reply(503, headers={"Retry-After": "30"})
    server.routes["/slow"] = Reply(200, b"<rss/>", delay_s=1.5)
    server.routes["/big"] = Reply(200, b"x" * 4096, chunks=100)  # no Content-Length
    server.routes["/big-declared"] = Reply(200, b"x" * 20_000)
    server.routes["/loop-a"] = Reply(302, headers={"Location": "/loop-b"})
    server.routes["/loop-b"] = Reply(301, headers={"Location": "/loop-a"})

    async def outcome(path: str) -> tuple[Outcome, str]:
        r = await fetch(client, server.url(path), polling=polling)
        return r.outcome, r.error_kind

    assert await outcome("/404") == (Outcome.HTTP_ERROR, "http_4xx")
    assert await outcome("/500") == (Outcome.HTTP_ERROR, "http_5xx")
    r429 = await fetch(client, server.url("/429"), polling=polling)
    assert (r429.outcome, r429.retry_after_s) == (Outcome.RATE_LIMITED, 120)
    assert (await outcome("/503"))[0] is Outcome.RATE_LIMITED
    assert await outcome("/slow") == (Outcome.TIMEOUT, "timeout")
    assert (await outcome("/big"))[0] is Outcome.TOO_LARGE
    assert (await outcome("/big-declared"))[0] is Outcome.TOO_LARGE
    loop = await fetch(client, server.url("/loop-a"), polling=polling)
    assert loop.outcome is Outcome.REDIRECTS and "loop" in (loop.error or "")


async def test_fetch_redirect_limit_and_permanent_target(
    server: FeedServer, client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    polling = make_settings(tmp_path, max_redirects=2).polling
    for i in range(5):
        server.routes[f"/r{i}"] = Reply(301, headers={"Location": f"/r{i + 1}"})
    server.routes["/r5"] = Reply(200, fixture("rss2.xml"))
    assert (await fetch(client, server.url("/r2"), polling=polling)).outcome is Outcome.REDIRECTS
    r = await fetch(client, server.url("/r3"), polling=polling)
    assert r.outcome is Outcome.OK and r.moved_to == server.url("/r5")
    server.routes["/tmp"] = Reply(302, headers={"Location": "/r5"})
    server.routes["/perm-then-tmp"] = Reply(308, headers={"Location": "/tmp"})
    r = await fetch(client, server.url("/perm-then-tmp"), polling=polling)
    assert r.outcome is Outcome.OK and r.moved_to is None  # only an all-permanent chain moves


async def test_fetch_network_error_and_private_hosts(
    client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    polling = make_settings(tmp_path).polling
    dead = await fetch(client, "http://127.0.0.1:9/feed", polling=polling)  # discard port
    assert dead.outcome is Outcome.NETWORK
    strict = make_settings(tmp_path, allow_private_hosts=False).polling
    refused = await fetch(client, "http://127.0.0.1:9/feed", polling=strict)
    assert refused.outcome is Outcome.REFUSED and "non-public" in (refused.error or "")
    ftp = await fetch(client, "ftp://example.com/feed", polling=polling)
    assert ftp.outcome is Outcome.REFUSED


def test_huge_titles_summaries_and_feeds_are_cut() -> None:
    from monitor.feeds import ItemLimits

    entries = "".join(
        f"<item><title>{'T' * 5000}</title><description>{'S' * 50_000}</description>"
        f"<link>https://news.example/{i}</link></item>"
        for i in range(30)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{entries}'
    body += "</channel></rss>"
    parsed = parse_feed(body.encode(), "https://news.example/feed", {"Content-Type": RSS},
                        limits=ItemLimits(items=10, title=200, summary=1000))
    assert len(parsed.items) == 10
    assert parsed.items[0].link == "https://news.example/0"  # the newest, as listed
    assert all(len(i.title) == 200 and i.title.endswith("…") for i in parsed.items)
    assert all(len(i.summary) <= 1000 for i in parsed.items)


async def test_a_feed_that_lands_on_a_private_address_is_refused(tmp_path: Path) -> None:
    """The URL names a public address, but the connection lands on 127.0.0.1 (a rebound
    DNS name does the same; here a forward proxy on this host): the connected peer is
    checked, not only the name, and the feed is refused."""
    import http.server
    import threading

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # serves any absolute URI it is asked
            body = fixture("rss2.xml")
            self.send_response(200)
            self.send_header("Content-Type", RSS)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        proxy = f"http://127.0.0.1:{server.server_address[1]}"
        strict = make_settings(tmp_path, allow_private_hosts=False).polling
        async with aiohttp.ClientSession(connector=make_connector(strict), proxy=proxy) as s:
            got = await fetch(s, "http://93.184.216.34/feed.xml", polling=strict)
            assert got.outcome is Outcome.REFUSED
            assert "non-public 127.0.0.1" in (got.error or "")
        lax = make_settings(tmp_path, allow_private_hosts=True).polling
        async with aiohttp.ClientSession(connector=make_connector(lax), proxy=proxy) as s:
            ok = await fetch(s, "http://93.184.216.34/feed.xml", polling=lax)
            assert ok.outcome is Outcome.OK
    finally:
        server.shutdown()
        server.server_close()


async def test_a_name_that_resolves_to_a_private_address_is_refused_before_connecting(
    server: FeedServer, tmp_path: Path
) -> None:
    """The session's resolver checks every address of a name when it connects (so a name
    cannot re-resolve between the check and the connect)."""
    server.routes["/f"] = Reply(200, fixture("rss2.xml"))
    port = server.url("/f").rsplit(":", 1)[1].split("/")[0]
    strict = make_settings(tmp_path, allow_private_hosts=False).polling
    async with make_session(strict) as session:
        got = await fetch(session, f"http://localhost:{port}/f", polling=strict)
    assert got.outcome is Outcome.REFUSED
    assert (got.error or "").startswith("localhost is a non-public address (")
    assert not server.hits("/f")  # never connected
    lax = make_settings(tmp_path).polling
    async with make_session(lax) as session:
        ok = await fetch(session, f"http://localhost:{port}/f", polling=lax)
    assert ok.outcome is Outcome.OK


def test_validators_that_cannot_go_back_as_they_came_are_left_out() -> None:
    assert Validators(b'"a\xc3\xa9"', b"Fri, 17 Nov 2023 20:30:00 GMT").request_headers() == {
        "If-None-Match": '"a\u00e9"',  # UTF-8: aiohttp writes these very bytes
        "If-Modified-Since": "Fri, 17 Nov 2023 20:30:00 GMT",
    }
    assert Validators(b'"a\xe9"', b"x\r\ny: z").request_headers() == {}


async def test_fetch_tls_failure_and_dropped_connection(tmp_path: Path) -> None:
    """A certificate nobody signed is a TLS failure; a server that hangs up mid-body is a
    network failure. Real servers on 127.0.0.1 (openssl makes the certificate)."""
    import asyncio
    import shutil
    import ssl
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("no openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)

    async def half(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<rss")
        await writer.drain()
        writer.close()

    servers = [await asyncio.start_server(half, "127.0.0.1", 0, ssl=tls),
               await asyncio.start_server(half, "127.0.0.1", 0)]  # fmt: skip
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    polling = make_settings(tmp_path).polling
    try:
        async with make_session(polling) as session:
            bad_cert = await fetch(session, f"https://127.0.0.1:{ports[0]}/f", polling=polling)
            cut = await fetch(session, f"http://127.0.0.1:{ports[1]}/f", polling=polling)
    finally:
        for s in servers:
            s.close()
            await s.wait_closed()
    assert bad_cert.outcome is Outcome.TLS, bad_cert.error
    assert bad_cert.error_kind == "tls"
    assert cut.outcome is Outcome.NETWORK, cut.error
