"""End to end: ``monitor run --burst`` as a subprocess, a feed served on 127.0.0.1, the saga
model seeded from seeds/, and a signed-webhook receiver on 127.0.0.1.

One new development (OpenAI names Bret Taylor chair of its new board), carried by two feeds,
reaches the receiver as exactly one signed ``alert.created`` of kind ``new_development``;
every alert arrives once; a second run on the same feeds sends nothing more.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import NEW_CHAIR, SAME_CHAIR, monitor_cmd, subprocess_env
from feed_server import RSS, FeedServer, Reply
from markupsafe import escape
from test_alerts import SECRET, Receiver, verify_standard_webhook

ROOT = Path(__file__).resolve().parent.parent
SAGA = "openai-leadership-2023"

pytestmark = pytest.mark.slow


def rss(name: str, guid: str, link: str, title: str, text: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title><link>https://{name}.example/</link>"
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        f"<description>{text}</description>"
        "<pubDate>Wed, 22 Nov 2023 06:10:00 GMT</pubDate></item>"
        "</channel></rss>"
    ).encode()


def write_config(root: Path, feeds: dict[str, str], hook_url: str) -> Path:
    tables = "".join(f'\n[[feeds]]\nname = "{n}"\nurl = "{u}"\n' for n, u in feeds.items())
    cfg = root / "monitor.toml"
    cfg.write_text(
        f"""
data_dir = "{(root / "data").as_posix()}"
[redis]
key_prefix = "e2e"
[[sagas]]
name = "{SAGA}"
title = "OpenAI leadership crisis, November 2023"
seed_dir = "{(ROOT / "seeds").as_posix()}"
curation = "{(ROOT / "config" / "sagas" / f"{SAGA}.toml").as_posix()}"
[polling]
jitter_s = 0
allow_private_hosts = true
parse_workers = 0
[extract]
enabled = false
[nlp]
workers = 0
[alerts]
console = false
jsonl_path = ""
sinks = ["webhook"]
retry_initial_s = 0.2
retry_max_s = 1
poll_s = 0.1
[alerts.webhook]
url = "{hook_url}"
[health]
enabled = false
{tables}
""",
        encoding="utf-8",
    )
    return cfg


def run_burst(cfg: Path) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        monitor_cmd("--config", str(cfg), "run", "--burst"),
        env=subprocess_env(MONITOR_WEBHOOK_SECRET=SECRET),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return res


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[Receiver]:
    r = Receiver(secret=SECRET)  # verifies every signature
    yield r
    r.close()


def test_daemon_sends_one_signed_alert_for_a_new_development_and_never_again(
    tmp_path: Path, feeds: FeedServer, hook: Receiver
) -> None:
    # Two feeds carry the story (polled concurrently, processed one after the other).
    feeds.routes["/verge.xml"] = Reply(
        200,
        rss("verge", "verge-1", "https://verge.example/taylor-chair", *NEW_CHAIR),
        {"content-type": RSS},
    )
    feeds.routes["/ars.xml"] = Reply(
        200,
        rss("ars", "ars-1", "https://ars.example/taylor-board", *SAME_CHAIR),
        {"content-type": RSS},
    )
    urls = {"The Verge": feeds.url("/verge.xml"), "Ars Technica": feeds.url("/ars.xml")}
    cfg = write_config(tmp_path, urls, hook.url)

    first = run_burst(cfg)
    assert first.stderr.count("1 new [feed=") == 2  # both items went through the pipeline
    bodies: list[dict[str, Any]] = []
    for hit in hook.hits:
        verify_standard_webhook(SECRET, hit.headers, hit.body)
        bodies.append(hit.json())
        assert hit.headers["webhook-id"] == bodies[-1]["id"]
    schema = json.loads((ROOT / "schemas" / "alert.v1.json").read_text())
    for body in bodies:
        jsonschema.validate(body, schema)
    developments = [
        b for b in bodies if b["type"] == "alert.created" and b["data"]["kind"] == "new_development"
    ]
    assert len(developments) == 1, (first.stderr[-3000:], bodies)
    dev = developments[0]["data"]
    assert "Bret Taylor" in dev["headline"] and dev["saga"] == SAGA
    assert dev["source"]["title"] in (NEW_CHAIR[0], SAME_CHAIR[0])
    assert dev["source"]["feed"] in urls.values()  # FeedItem.feed: the feed's URL
    assert dev["explanation"]["reason"] and dev["explanation"]["new_sentences"]
    # Every alert (the development and the new actors it brought) arrives once, on 2xx.
    ids = Counter(b["id"] for b in bodies)
    assert set(ids.values()) == {1}, ids
    assert all(h.status == 200 for h in hook.hits)
    sent = len(hook.hits)

    # The saga's page shows what the daemon found: the alert, the development in the timeline.
    page = tmp_path / "saga.html"
    shown = subprocess.run(
        monitor_cmd("--config", str(cfg), "model", "--format", "html", "--output", str(page)),
        env=subprocess_env(), capture_output=True, text=True, timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    html = page.read_text(encoding="utf-8")
    assert f"</span> {escape(dev['headline'])}</h3>" in html  # in the latest alerts
    assert '<li class="event story"' in html

    # Again, same feeds: polled, nothing more is sent.
    run_burst(cfg)
    assert len(feeds.hits("/verge.xml")) == len(feeds.hits("/ars.xml")) == 2
    assert len(hook.hits) == sent, [h.json()["data"].get("headline") for h in hook.hits[sent:]]
