"""Starting a saga in one command: seeds from text files, JSONL feed items and article
URLs served from 127.0.0.1 (through the real extractor) are written into one seed folder
and the model is built from that folder; seeds naming nobody are reported."""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, monitor_cmd, subprocess_env

from monitor import newsaga
from monitor.config import SagaSettings, Settings
from monitor.documents import load_documents
from monitor.errors import InputError
from monitor.store import Store
from monitor.store.sagas import SagaStore

pytestmark = pytest.mark.slow

ARTICLES = {
    "/closed": ("2023-03-10", "Regulators close Silicon Valley Bank",
                "California regulators closed Silicon Valley Bank on Friday and named the "
                "Federal Deposit Insurance Corporation as its receiver. The FDIC said insured "
                "depositors would reach their money by Monday morning. SVB Financial Group had "
                "tried to raise $2.25 billion after selling bonds at a loss, and chief "
                "executive Greg Becker had asked clients to stay calm. Startups rushed to pull "
                "their deposits, and the bank could not meet the withdrawals."),
    "/yellen": ("2023-03-12", "Yellen rules out a bailout of Silicon Valley Bank",
                "Treasury Secretary Janet Yellen said on Sunday that the government would not "
                "bail out Silicon Valley Bank, but that regulators were working to protect its "
                "depositors. Janet Yellen said the banking system was safe and resilient. The "
                "FDIC was looking for a buyer for the failed lender over the weekend, and "
                "Greg Becker, its former chief executive, made no comment."),
    "/signature": ("2023-03-12", "New York regulators close Signature Bank",
                   "New York regulators closed Signature Bank on Sunday, two days after the "
                   "failure of Silicon Valley Bank. The FDIC and the Treasury said every "
                   "depositor of both banks would be made whole. Janet Yellen approved the "
                   "plan after a recommendation of the FDIC board and the Federal Reserve."),
}


def page(day: str, title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in text.split(". ") if s.strip())
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{day}T10:00:00Z"></head>'
        f"<body><nav>Home | World | Business</nav><article><h1>{title}</h1>"
        f"<time datetime=\"{day}\">{day}</time>{paragraphs}</article></body></html>"
    ).encode()


@pytest.fixture
def article_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = ARTICLES.get(self.path)
            body = page(*found) if found else b"not found"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_a_saga_from_a_text_file_feed_items_and_three_urls(
    tmp_path: Path, store: Store, analyzer: Any, settings_factory: Any, article_server: str
) -> None:
    settings: Settings = settings_factory(tmp_path, polling={"allow_private_hosts": True})
    text = tmp_path / "in" / "svb_failed.txt"
    text.parent.mkdir()
    text.write_text((ROOT / "sagas/svb-2023/seeds/002_svb_failed.txt").read_text("utf-8"), "utf-8")
    items = tmp_path / "in" / "items.jsonl"
    items.write_text(json.dumps({
        # its page is gone (404): the item's own title and summary are the seed
        "feed": "https://feeds.example/markets.xml", "link": f"{article_server}/becker",
        "title": "CEO of Silicon Valley Bank sold $3.57 million of stock before its collapse",
        "summary": "Greg Becker, chief executive of Silicon Valley Bank, sold 12,451 shares "
                   "on February 27, weeks before the bank failed.",
        "published": "2023-03-10T18:00:00+00:00", "language": "en"}) + "\n", "utf-8")
    urls = [article_server + path for path in ARTICLES]
    sources = newsaga.sort_sources([str(text), str(items), *urls], fetch=True)
    assert (len(sources.texts), len(sources.items), len(sources.urls)) == (1, 1, 3)

    dest = tmp_path / "data" / "sagas" / "svb" / "seeds"
    saga = SagaSettings(name="svb", title="SVB", seed_dir=dest)
    written, model = newsaga.add_saga(settings, store, saga, sources, fetch=True,
                                      analyzer=analyzer)

    assert [p.name for p in written][:1] == ["000_svb_failed.txt"] and len(written) == 5
    assert "Federal Deposit Insurance Corporation" in (dest / "002_regulators-close-silicon-"
                                                       "valley-bank.txt").read_text("utf-8")
    assert len(load_documents([dest])) == 5  # the folder alone rebuilds the model
    names = {a.name for a in model.protagonists()}
    assert {"Silicon Valley Bank", "Greg Becker", "Janet Yellen"} <= names, names
    days = sorted(e.date for e in model.events.values() if e.date)
    assert days[0] == "2023-03-10" and days[-1] == "2023-03-12" and len(model.events) == 5
    assert SagaStore(store).load("svb").version == model.version  # stored
    assert newsaga.problems(model) == []
    assert newsaga.config_lines(saga)[:3] == ["[[sagas]]", 'name = "svb"', 'title = "SVB"']

    with pytest.raises(InputError, match="already has a model"):
        newsaga.add_saga(settings, store, saga, sources, analyzer=analyzer)


def test_seeds_that_name_nobody_are_reported(
    tmp_path: Path, store: Store, analyzer: Any, settings_factory: Any
) -> None:
    settings: Settings = settings_factory(tmp_path)
    doc = tmp_path / "in" / "weather.txt"
    doc.parent.mkdir()
    doc.write_text("it was a grey day and it rained a little, then less, then not at all.\n",
                   "utf-8")
    saga = SagaSettings(name="grey", title="Grey", seed_dir=tmp_path / "seeds")
    _, model = newsaga.add_saga(settings, store, saga, newsaga.sort_sources([str(doc)],
                                fetch=False), analyzer=analyzer)
    assert newsaga.problems(model)[0].startswith("no protagonist")


def test_urls_need_fetch() -> None:
    with pytest.raises(InputError, match="add --fetch"):
        newsaga.sort_sources(["https://news.example/a"], fetch=False)


def test_saga_add_list_and_show_from_the_command_line(tmp_path: Path) -> None:
    """What a user types: the SVB seeds of the shared folder, then the saga listed and
    shown (stored, not configured yet: the command printed the lines to add)."""
    seeds = ROOT / "sagas" / "svb-2023" / "seeds"
    env = subprocess_env(MONITOR_DATA_DIR=str(tmp_path / "data"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(monitor_cmd(*args), env=env, capture_output=True, text=True,
                              timeout=300, cwd=ROOT)

    added = run("saga", "add", "svb-new", "--title", "SVB, March 2023", str(seeds))
    assert added.returncode == 0, added.stderr
    out = added.stdout
    assert "copied 6 seed document(s)" in out
    assert "Silicon Valley Bank (org" in out and "Janet Yellen (person" in out
    assert "2023-03-09  Turmoil at Silicon Valley Bank triggers market panic" in out
    assert '  name = "svb-new"\n  title = "SVB, March 2023"\n  seed_dir = ' in out

    listed = run("saga", "list")
    assert listed.returncode == 0, listed.stderr
    [row] = [ln for ln in listed.stdout.splitlines() if ln.startswith("svb-new")]
    assert "6 events" in row and "stored only: add it to the config" in row
    shown = run("saga", "show", "svb-new")
    assert shown.returncode == 0 and "Turmoil at Silicon Valley Bank" in shown.stdout
    again = run("saga", "add", "svb-new", "--title", "x", str(seeds))
    assert again.returncode == 2 and "--reset rebuilds it" in again.stderr

    weather = tmp_path / "weather.txt"
    weather.write_text("it rained a little, then less, then not at all.\n", "utf-8")
    empty = run("saga", "add", "grey", "--title", "Grey", str(weather))
    assert empty.returncode == 1
    assert "protagonists (0):" in empty.stdout
    assert "saga grey will find nothing: its seeds gave no protagonist" in empty.stderr

    # seeds whose headlines name none of the actors their texts give: the saga's reports
    # may name none either, and the prefilter looks for names; said, not refused
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "1.txt").write_text(
        "date 2023-04-07\nLeaked papers prompt an investigation\n\nClassified papers on "
        "the Acme Corporation's plans appeared online, Globex Industries said on Friday.\n",
        "utf-8")
    (leak / "2.txt").write_text(
        "date 2023-04-07\nSecret files appear on social media\n\nGlobex Industries is "
        "investigating how the files of the Acme Corporation were leaked.\n", "utf-8")
    thin = run("saga", "add", "leak", "--title", "Leak", str(leak))
    assert thin.returncode == 0, thin.stderr
    assert "warning: saga leak: only 0 of its 2 seed headlines name one of its" in thin.stderr
    assert thin.stderr.count("seed headlines name") == 1  # said once, not logged again
    assert "seed headlines name" not in added.stderr
