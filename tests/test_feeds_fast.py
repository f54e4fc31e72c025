"""monitor/feeds.py: the fast parser (fastfeedparser) and its fallback (feedparser).

Whichever path a document takes, the result must be feedparser's: every document here is
parsed both ways and compared, and the path it took is checked."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from feed_server import FIXTURES, RSS

from monitor.feeds import ParsedFeed, parse_feed, parse_feed_fast, parse_feed_slow

RSS_DEV = Path(__file__).resolve().parents[2] / "shared" / "rss-dev"


def both(body: bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    """parse_feed's result, checked equal to feedparser's own."""
    url = "https://feeds.example.com/feed"
    parsed = parse_feed(body, url, headers)
    assert parsed == parse_feed_slow(body, url, headers)
    return parsed


# -- the fixtures: clean ones go fast, the edge ones keep feedparser ----------------------


@pytest.mark.parametrize("name", ["rss2.xml", "atom.xml"])
def test_clean_fixtures_take_the_fast_path(name: str) -> None:
    for headers in (None, {"Content-Type": RSS}, {"Content-Type": "application/atom+xml"}):
        parsed = both((FIXTURES / name).read_bytes(), headers)
        assert parsed.fallback == "" and parsed.items


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("latin1_declared_utf8.xml", "declared UTF-8, bytes are not"),
        ("malformed.xml", "not well-formed"),
        ("wrong_charset.xml", "declared iso-8859-1"),
        ("rss091.xml", "declared iso-8859-1"),
        ("rdf.xml", "format {http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"),
    ],
)
def test_edge_fixtures_fall_back_to_feedparser(name: str, why: str) -> None:
    parsed = both((FIXTURES / name).read_bytes())
    assert parsed.fallback.startswith(why)


# -- what can be seen decides -------------------------------------------------------------


def rss(items: str, *, decl: str = '<?xml version="1.0" encoding="utf-8"?>', ns: str = "") -> bytes:
    return (
        f'{decl}<rss version="2.0"{ns}><channel><title>T</title><language>en</language>'
        f"<ttl>30</ttl>{items}</channel></rss>"
    ).encode()


def atom(entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:lang="fr"><title type="html">Le &lt;i&gt;fil&lt;/i&gt;</title>{entries}</feed>'
    ).encode()


PLAIN = "<item><title>A &amp; B</title><link>https://n.example/1</link><guid>g1</guid></item>"
CONTENT = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'


@pytest.mark.parametrize(
    ("body", "headers", "why"),
    [
        (rss(PLAIN), {"Content-Type": "text/html; charset=utf-8"}, "not served as XML"),
        (rss(PLAIN), {"Server": "x"}, "not served as XML (no Content-Type)"),
        (rss(PLAIN.replace("A &amp;", "Å")), {"Content-Type": "text/xml"}, "charset us-ascii"),
        (rss(PLAIN), {"Content-Type": "application/xml; charset=iso-8859-1"}, "charset iso"),
        (rss(PLAIN, decl='<?xml version="1.0" encoding="windows-1252"?>'), None, "declared"),
        (rss(PLAIN).replace(b"A &amp; B", "Café".encode("cp1252")), None, "declared UTF-8"),
        (rss(PLAIN).replace(b"</channel>", b"<item><title>x</channel>"), None, "not well-"),
        (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "x">]>'
         + rss(PLAIN.replace("A &amp;", "&e;")).split(b"?>", 1)[1], None, "has a DOCTYPE"),
        (rss(PLAIN).replace(b'version="2.0"', b'version="0.92"'), None, "format rss 0.92"),
        (rss("<item><title>x</title><content:encoded>&lt;p&gt;y</content:encoded></item>",
             ns=" " + CONTENT), None, "an entry whose summary is its content"),
        (rss("<item><title>x</title><description>a</description>"
             "<media:group xmlns:media='http://search.yahoo.com/mrss/'><media:description>b"
             "</media:description></media:group></item>"), None, "an entry whose summary"),
        (rss("<item><title>x</title><title>y</title></item>"), None, "an entry with two <title>"),
        (rss("<item><title>x <b>y</b></title></item>"), None, "<title> with markup"),
        (rss("<item><title>x</title><link></link><guid>https://g/1</guid></item>"), None,
         "an empty <link>"),
        (rss("<item><title>x</title><atom:link xmlns:atom='http://www.w3.org/2005/Atom' "
             "href='https://a/'/></item>"), None, "an RSS entry with <atom:link>"),
        (atom('<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X</div>'
              "</title><id>i</id></entry>"), None, "<title> with markup or a type"),
        (atom('<entry><title>x</title><id>i</id><content type="html">&lt;p&gt;b</content>'
              "</entry>"), None, "an entry whose summary is its content"),
        ("\ufeff".encode("utf-16-le") + rss(PLAIN).decode().encode("utf-16-le"), None, "UTF-16/32"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_what_the_fast_parser_would_read_otherwise_goes_to_feedparser(
    body: bytes, headers: dict[str, str] | None, why: str
) -> None:
    parsed = both(body, headers)
    assert parsed.fallback.startswith(why), parsed.fallback


@pytest.mark.parametrize(
    "body",
    [
        rss(PLAIN),
        rss(PLAIN, decl=""),  # no XML declaration: UTF-8
        b"\xef\xbb\xbf" + rss(PLAIN),  # a UTF-8 BOM
        rss(PLAIN.replace("A &amp;", "Zażółć &#233; &lt;b&gt;")),
        # no guid: no id (fastfeedparser would take the link); a permalink guid is the link
        rss("<item><title>a</title><link>https://n.example/a</link></item>"
            "<item><title>b</title><guid>https://n.example/b</guid></item>"
            "<item><title>c</title><guid isPermaLink='false'>c-1</guid></item>"
            "<item><title>d</title><guid>12345</guid></item>"
            "<item><title>e</title><guid isPermaLink='False'>https://n.example/e</guid></item>"),
        # dates: pubDate, dc:date, dcterms:modified, a date feedparser cannot read, a guid
        # fastfeedparser would take for a date
        rss("<item><title>a</title><pubDate>Fri, 17 Nov 2023 20:30:00 +0100</pubDate></item>"
            "<item><title>b</title><dc:date>2023-11-20T10:00:00Z</dc:date></item>"
            "<item><title>c</title><dcterms:modified>2023-11-21</dcterms:modified></item>"
            "<item><title>d</title><pubDate>the day after</pubDate></item>"
            "<item><title>e</title><guid>2023-11-20</guid></item>",
            ns=' xmlns:dc="http://purl.org/dc/elements/1.1/"'
               ' xmlns:dcterms="http://purl.org/dc/terms/"'),
        # the summary is the description even beside a content:encoded, before or after it
        rss("<item><title>a</title><content:encoded>c</content:encoded><description> d "
            "</description></item><item><title>b</title><description>&lt;p&gt;d&lt;/p&gt;"
            "</description><content:encoded><![CDATA[<p>c</p>]]></content:encoded></item>",
            ns=" " + CONTENT),
        rss("<item><title>x</title></item>").replace(b"<ttl>30</ttl>", b"<sy:updatePeriod>"
            b"daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>").replace(
            b'version="2.0"', b'version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/'
            b'syndication/"'),
        atom('<entry><title type="html">A &lt;b&gt;b&lt;/b&gt;</title><id> tag:1 </id>'
             '<link href="/rel"/><link rel="replies" href="/c"/><link rel="alternate" '
             'type="text/html" href="https://a.example/2"/><updated>2023-11-20T05:00:00Z'
             "</updated><published>2023-11-19T05:00:00+01:00</published>"
             '<summary type="html">&lt;p&gt;s&lt;/p&gt;</summary></entry>'
             "<entry><title>plain &lt;text&gt;</title><id>tag:2</id><link rel='enclosure' "
             "type='audio/mpeg' href='/a.mp3'/><summary>s</summary></entry>"),
    ],
    ids=["plain", "no-declaration", "bom", "entities", "guids", "dates", "content", "sy", "atom"],
)
def test_clean_documents_take_the_fast_path_with_feedparsers_result(body: bytes) -> None:
    language = {"Content-Type": "text/xml; charset=utf-8", "Content-Language": "de"}
    for headers in (None, {"Content-Type": "application/rss+xml"}, language):
        parsed = both(body, headers)
        assert parsed.fallback == "", parsed.fallback


def test_the_fast_parser_never_fetches_a_url() -> None:
    """fastfeedparser.parse() downloads a str that looks like a URL: we give it bytes."""
    why = parse_feed_fast(b"https://127.0.0.1:9/feed.xml", "https://x.example/")
    assert isinstance(why, str) and why.startswith("not well-formed")


# -- real feeds: one day of the rss-dev archive, as RSS 2.0 and as Atom 1.0 ----------------


def _rss_dev_documents(day: str) -> list[bytes]:
    feeds: dict[str, list[dict[str, str]]] = defaultdict(list)
    with gzip.open(RSS_DEV / f"{day}.jsonl.gz", "rt") as lines:
        for line in lines:
            entry = json.loads(line)
            feeds[entry["feed"]].append(entry)
    docs = []
    for entries in feeds.values():
        items, atom_entries = [], []
        for n, e in enumerate(entries[:100]):
            title, link, summary = escape(e["title"] or ""), escape(e["link"] or ""), e["summary"]
            when = datetime.fromisoformat(e["published"]) if e.get("published") else None
            pub = f"<pubDate>{format_datetime(when)}</pubDate>" if when else ""
            guid = f"<guid isPermaLink='false'>{n}</guid>" if n % 2 else ""
            items.append(f"<item><title>{title}</title><link>{link}</link>{guid}{pub}"
                         f"<description><![CDATA[{summary or ''}]]></description></item>")
            upd = f"<updated>{when.isoformat()}</updated>" if when else ""
            atom_entries.append(f'<entry><title type="html">{title}</title><link href="'
                                f'{escape(e["link"] or "", {chr(34): "&quot;"})}"/><id>{n}'
                                f'</id>{upd}<summary type="html">{escape(summary or "")}'
                                "</summary></entry>")
        lang = f"<language>{escape(entries[0].get('language') or '')}</language>"
        docs.append(rss(lang + "".join(items)))
        docs.append(atom("".join(atom_entries)))
    return docs


@pytest.mark.skipif(not RSS_DEV.is_dir(), reason=f"no rss-dev archive at {RSS_DEV}")
def test_real_feeds_of_a_day_give_feedparsers_result_on_the_fast_path() -> None:
    docs = _rss_dev_documents("2023-11-17")
    assert len(docs) > 100
    for body in docs:
        assert both(body, {"Content-Type": "application/xml"}).fallback == ""
