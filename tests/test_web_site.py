"""The timeline pages as the daemon's HTTP endpoint serves them: a real server on
127.0.0.1 over the real embedded Redis holding the model seeded from seeds/, alerts put in
the outbox the way the pipeline does; and `monitor model --format html`."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from web_server import make_alert, serve_pages

from monitor.alerts import Outbox
from monitor.cli import main
from monitor.config import Settings
from monitor.store import Store
from monitor.store.sagas import SagaStore


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


@pytest.fixture
def settings(tmp_path: Path, settings_factory: Any) -> Settings:
    s: Settings = settings_factory(
        tmp_path,
        sagas=[
            {"name": "openai", "title": "OpenAI leadership crisis", "seed_dir": str(tmp_path)},
            {"name": "quiet-saga", "title": "A saga not seeded yet", "seed_dir": str(tmp_path)},
        ],
        feeds=[{"url": "https://feeds.example/a.xml"}, {"url": "https://feeds.example/b.xml"}],
    )
    return s


@pytest.fixture
def site(seeded_store: Store, settings: Settings) -> Iterator[str]:
    with serve_pages(seeded_store, settings) as base:
        yield base


def timeline_days(page: str) -> list[str]:
    return re.findall(r'<time class="day" datetime="([0-9-]+)"', page)


def test_saga_page_shows_the_seeded_timeline_newest_first(
    site: str, seeded_store: Store
) -> None:
    status, headers, page = fetch(site + "sagas/openai")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none'
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    model = SagaStore(seeded_store).load("openai")
    days = timeline_days(page)
    assert days == sorted((e.date for e in model.events.values() if e.date), reverse=True)
    for e in model.events.values():
        assert e.statement.split("<")[0][:40] in page.replace("&#39;", "'")
    assert '<table class="actors"' in page and "Sam Altman" in page and "Ultraman" in page
    assert "<svg" in page and 'class="bar"' in page  # the chart, drawn server-side
    assert "No alert yet." in page


def test_a_new_alert_shows_on_the_pages_and_in_the_atom_feed(
    site: str, seeded_store: Store, settings: Settings
) -> None:
    _, _, before = fetch(site + "sagas/openai/alerts.atom")
    assert feedparser.parse(before).entries == []
    Outbox(seeded_store, settings).enqueue([make_alert("chair-1")])

    _, _, page = fetch(site + "sagas/openai")
    assert "OpenAI names a new chair of its board" in page
    assert "Two outlets report it" in page  # the explanation
    assert "Sam Altman — fired (2023-11-17), similarity 0.41" in page
    assert 'href="https://news.example/chair"' in page
    assert 'class="alert-mark"' in page  # its day is marked on the chart

    status, headers, atom = fetch(site + "sagas/openai/alerts.atom")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(atom)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "OpenAI leadership crisis — alerts"
    [entry] = feed.entries
    assert entry.title == "new development: OpenAI names a new chair of its board"
    assert entry.link == "https://news.example/chair"
    assert entry.id == "urn:monitor:alert:openai:chair-1"
    assert entry.updated == "2023-11-22T10:00:00Z"
    assert "Bret Taylor" in entry.summary

    _, _, index = fetch(site)
    assert "OpenAI names a new chair of its board" in index  # the saga's last alert


def test_alerts_stay_on_the_page_once_delivered_and_trimmed_from_the_outbox(
    site: str, seeded_store: Store, settings: Settings
) -> None:
    Outbox(seeded_store, settings).enqueue([make_alert("kept-1", headline="Kept after delivery")])
    seeded_store.redis.xtrim(seeded_store.keys.outbox(), maxlen=0)  # as trim does once sent
    _, _, page = fetch(site + "sagas/openai")
    assert "Kept after delivery" in page


def test_index_lists_every_saga_with_feed_health_in_one_line(site: str) -> None:
    status, _, page = fetch(site)
    assert status == 200
    assert "OpenAI leadership crisis" in page and 'href="/sagas/openai"' in page
    assert "A saga not seeded yet" in page and "Not seeded" in page
    [line] = re.findall(r'<p class="health" id="feed-health">(.*?)</p>', page)
    assert line == "No daemon running · 2 feeds: 0 ok, 2 never polled · no poll yet"


def test_unknown_pages_404_writes_405_and_health_routes_still_answer(site: str) -> None:
    assert fetch(site + "sagas/no-such-saga")[0] == 404
    assert fetch(site + "sagas/no-such-saga/alerts.atom")[0] == 404
    assert fetch(site + "sagas/../etc/passwd")[0] == 404
    assert fetch(site + "elsewhere")[0] == 404
    assert fetch(site + "sagas/openai", method="POST")[0] == 405
    assert fetch(site + "healthz")[0] == 200
    assert fetch(site + "metrics")[0] == 200


def test_monitor_model_format_html_writes_the_same_page(
    tmp_path: Path, seeded_store: Store, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path.as_posix()}/data"\n'
        f'[[sagas]]\nname = "openai"\ntitle = "OpenAI leadership crisis"\n'
        f'seed_dir = "{tmp_path.as_posix()}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("REDIS_URL", f"unix://{seeded_store.socket_path}")
    monkeypatch.setenv("MONITOR__REDIS__KEY_PREFIX", seeded_store.keys.prefix)
    out = tmp_path / "openai.html"
    code = main(["--config", str(cfg), "model", "--format", "html", "--output", str(out)],
                standalone=False)
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "<h1>OpenAI leadership crisis</h1>" in page
    model = SagaStore(seeded_store).load("openai")
    assert len(timeline_days(page)) == len([e for e in model.events.values() if e.date])
