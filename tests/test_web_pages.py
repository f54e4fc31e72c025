"""Pages rendered from views: everything from the internet is shown as text (HTML, SVG
and Atom), the Atom feed stays well-formed whatever the titles hold."""

from __future__ import annotations

from datetime import timedelta

import feedparser
from web_server import make_alert

from monitor.alerts.message import Message, MessageType
from monitor.saga import Actor, Event, Evidence, SagaModel
from monitor.types import parse_dt, utcnow
from monitor.web.pages import Pages, health_sentence
from monitor.web.views import FeedHealthLine, alert_rows, saga_view

HOSTILE = "<script>alert(1)</script>"
NOW = utcnow()


def hostile_view():  # type: ignore[no-untyped-def]
    m = SagaModel(name="s", title=f"Saga {HOSTILE}")
    m.actors = {"a": Actor("a", f"Eve {HOSTILE}", "person", aliases=['"><img src=x>'])}
    m.events = {"e": Event("e", "", ["a"], "2023-11-17", f"Title {HOSTILE}",
                           evidence=[Evidence("d", f"Said {HOSTILE}", "2023-11-17",
                                              f"Report {HOSTILE}", "javascript:alert(2)")],
                           feeds=["f"])}
    alert = make_alert("x\x0b1", saga="s", headline=f"Alert {HOSTILE}\x07",
                       url='https://e.example/?a=1&b="2"')
    return saga_view(m, alert_rows([Message(MessageType.ALERT, alert)], "s"))


def test_hostile_titles_are_text_in_the_html() -> None:
    page = Pages().saga(hostile_view(), now=NOW)
    assert "<script" not in page and "<img" not in page and "javascript:" not in page
    assert "Title &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Eve &lt;script&gt;" in page and "&#34;&gt;&lt;img src=x&gt;" in page
    assert 'href="https://e.example/?a=1&amp;b=&#34;2&#34;"' in page


def test_the_atom_feed_parses_and_keeps_hostile_titles_as_text() -> None:
    atom = Pages().atom(hostile_view(), base="http://127.0.0.1:9464/", now=NOW)
    feed = feedparser.parse(atom)
    assert not feed.bozo, feed.bozo_exception  # the control characters are gone
    assert feed.feed.title == f"Saga {HOSTILE} — alerts"
    [entry] = feed.entries
    assert entry.title == f"new development: Alert {HOSTILE}"
    assert entry.id == "urn:monitor:alert:s:x1"
    assert entry.link == 'https://e.example/?a=1&b="2"'
    assert feed.feed.links[0].href == "http://127.0.0.1:9464/sagas/s/alerts.atom"


def test_index_names_each_saga_its_last_alert_or_none() -> None:
    view = hostile_view()
    empty = saga_view(SagaModel(name="e", title="Empty"), [])
    health = FeedHealthLine(3, 2, 1, 0, NOW - timedelta(minutes=4), "running")
    page = Pages().index([view, empty], health, now=NOW)
    assert page.count("<li>") == 2 and "Alert &lt;script&gt;" in page
    assert "No alert yet." in page and "Not seeded" in page
    assert "Daemon running · 3 feeds: 2 ok, 1 failing · last poll 4 min ago" in page


def test_feed_health_in_one_line() -> None:
    when = parse_dt("2023-11-17T12:00:00+00:00")
    assert when is not None
    assert health_sentence(FeedHealthLine(0, 0, 0, 0, None, None), when) == (
        "No daemon running · no feeds configured")
    assert health_sentence(FeedHealthLine(1, 0, 0, 1, None, "starting"), when) == (
        "Daemon starting · 1 feed: 0 ok, 1 never polled · no poll yet")
    line = health_sentence(FeedHealthLine(40, 37, 2, 1, when - timedelta(hours=3), "running"), when)
    assert line == "Daemon running · 40 feeds: 37 ok, 2 failing, 1 never polled · last poll 3 h ago"
