"""monitor/poller.py: whole polls against a real HTTP server and the real embedded Redis."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import brotli
import pytest
from conftest import monitor_cmd, subprocess_env
from feed_server import FIXTURES, RSS, FeedServer, Reply, Request, fixture, make_settings

from monitor.config import FeedSettings, Settings
from monitor.metrics import Metrics
from monitor.poller import CYCLE_JOB, Poller
from monitor.store import Keys, Store, connect
from monitor.store.feeds import FeedStore
from monitor.store.intake import IntakeFull
from monitor.types import FeedItem, utcnow


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One embedded redis-server for the module (stopping one takes over a second)."""
    s = connect(None, tmp_path_factory.mktemp("redis"), prefix="unused", embedded_db="r.db")
    yield s
    s.close()


@pytest.fixture
async def store(redis_server: Store, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """A store of its own per test: the shared server under a key prefix of its own."""
    s = Store(
        redis_server.redis, Keys(f"t{abs(hash(request.node.nodeid))}"),
        socket_path=redis_server.socket_path,
    )  # fmt: skip
    yield s
    await s.aclose()


class Sink:
    """The on_items callback: records what it was given (and can be told to fail)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[FeedItem]]] = []
        self.fail = False
        self.full = False

    async def __call__(self, feed: FeedSettings, items: list[FeedItem]) -> None:
        if self.fail:
            raise RuntimeError("pipeline down")
        if self.full:
            raise IntakeFull("intake stream full")
        self.calls.append((feed.url, items))

    def titles(self) -> list[str]:
        return [i.title for _, items in self.calls for i in items]


def setup(
    tmp_path: Path, store: Store, urls: list[str], **polling: Any
) -> tuple[Settings, Poller, Sink, Metrics]:
    settings = make_settings(
        tmp_path, [{"url": u, "name": u.rsplit("/", 1)[-1]} for u in urls], **polling
    )
    sink, metrics = Sink(), Metrics()
    return settings, Poller(settings, store, sink, metrics), sink, metrics


def state(store: Store, url: str) -> Any:
    return FeedStore(store, ttl_s=60).load(url)


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><guid isPermaLink='false'>{g}</guid><link>https://n.example/{g}</link></item>"
        for g, t in items
    )
    channel = f"<channel><title>T</title>{body}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()


async def test_304_flow_sends_validators_back_byte_for_byte(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    # odd but legal: obs-text (the UTF-8 bytes of "é", seen by the server as Latin-1) and
    # escaped quotes
    etag = 'W/"5f3-\xc3\xa9 \\"q\\""'
    last_modified = "Fri, 17 Nov 2023 20:30:00 GMT"

    def route(req: Request) -> Reply:
        if (
            req.headers.get("if-none-match") == etag
            and req.headers.get("if-modified-since") == last_modified
        ):
            return Reply(304, headers={"ETag": etag})
        assert "if-none-match" not in req.headers, "validators came back altered"
        return Reply(
            200,
            fixture("rss2.xml"),
            {"Content-Type": RSS, "ETag": etag, "Last-Modified": last_modified},
        )

    server.routes["/rss"] = route
    url = server.url("/rss")
    _, poller, sink, metrics = setup(tmp_path, store, [url])
    await poller.poll_all_once()
    assert len(sink.titles()) == 3
    first = state(store, url)
    assert (first.last_status, first.etag, first.items_seen) == ("ok", etag.encode("latin-1"), 3)

    await poller.poll_all_once()
    await poller.stop()
    assert len(sink.calls) == 1  # a 304 costs nothing downstream
    second = state(store, url)
    assert second.last_status == "not_modified" and second.last_http_status == 304
    assert (first.next_reason, second.next_reason) == ("ttl", "ttl")  # <ttl>60</ttl> kept
    assert second.etag == etag.encode("latin-1") and second.last_modified == last_modified.encode()
    assert len(server.hits("/rss")) == 2
    assert metrics.polls.labels(outcome="not_modified")._value.get() == 1
    # all 3 were new: they are counted where they stop, downstream; a 304 parses nothing
    assert metrics.items.labels(stage="known")._value.get() == 0


async def test_an_etag_that_is_not_utf8_is_left_out_and_last_modified_still_gets_a_304(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    """aiohttp writes header values as UTF-8: a Latin-1 byte in an ETag cannot go back as
    it came. The ETag is stored as sent but not sent back; If-Modified-Since is."""
    etag = 'W/"5f3-\xe9"'  # one Latin-1 byte: not UTF-8
    last_modified = "Fri, 17 Nov 2023 20:30:00 GMT"

    def route(req: Request) -> Reply:
        assert "if-none-match" not in req.headers, "a validator came back altered"
        if req.headers.get("if-modified-since") == last_modified:
            return Reply(304)
        return Reply(
            200, fixture("rss2.xml"),
            {"Content-Type": RSS, "ETag": etag, "Last-Modified": last_modified},
        )  # fmt: skip

    server.routes["/rss"] = route
    url = server.url("/rss")
    _, poller, _sink, _metrics = setup(tmp_path, store, [url])
    await poller.poll_all_once()
    assert state(store, url).etag == etag.encode("latin-1")
    await poller.poll_all_once()
    await poller.stop()
    second = state(store, url)
    assert (second.last_status, second.last_http_status) == ("not_modified", 304)
    assert second.etag == etag.encode("latin-1")  # kept
    assert poller.last_cycle_at is not None


async def test_one_summary_line_per_cycle(
    server: FeedServer, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/a"] = Reply(200, fixture("rss2.xml"))
    server.routes["/b"] = Reply(200, fixture("atom.xml"))
    server.routes["/down"] = Reply(500)
    urls = [server.url(p) for p in ("/a", "/b", "/down")]
    _, poller, sink, _ = setup(tmp_path, store, urls)
    with caplog.at_level(logging.INFO, logger="monitor.poller"):
        await poller.poll_all_once()
        await poller.poll_all_once()  # same bodies: not modified
        await poller.stop()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cycle:")]
    assert len(lines) == 2
    assert lines[0].startswith("cycle: 3 feeds (0 not modified, 1 failed), ")
    assert ", 0 candidates, 0 alerts in " in lines[0] and lines[0].endswith(" s")
    assert f"failed), {len(sink.titles())} new items, " in lines[0]
    assert lines[1].startswith("cycle: 3 feeds (2 not modified, 1 failed), 0 new items, ")


async def test_same_entries_again_are_not_new_but_an_edited_one_is(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/rss"] = [
        Reply(200, rss(("a", "First"), ("b", "Second"))),
        Reply(200, rss(("a", "First"), ("b", "Second")) + b"\n"),  # new bytes, same entries
        Reply(200, rss(("c", "Third"), ("a", "First"), ("b", "Second (corrected)"))),
    ]
    _, poller, sink, _ = setup(tmp_path, store, [server.url("/rss")])
    for _ in range(3):
        await poller.poll_all_once()
    await poller.stop()
    assert [[i.title for i in items] for _, items in sink.calls] == [
        ["First", "Second"],
        ["Third", "Second (corrected)"],
    ]
    assert state(store, server.url("/rss")).items_seen == 4


async def test_all_fixture_feeds_in_one_cycle(
    server: FeedServer, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"wrong_charset.xml": {"Content-Type": "application/rss+xml; charset=windows-1251"}}
    names = [
        "rss2.xml",
        "rss091.xml",
        "atom.xml",
        "rdf.xml",
        "malformed.xml",
        "wrong_charset.xml",
        "latin1_declared_utf8.xml",
    ]
    for name in names:
        server.routes[f"/{name}"] = Reply(200, fixture(name), headers.get(name, {}))
    _, poller, sink, _ = setup(
        tmp_path, store, [server.url(f"/{n}") for n in names], parse_workers=1
    )
    with caplog.at_level(logging.WARNING, logger="monitor.poller"):
        await poller.poll_all_once()  # through the parser process
    await poller.stop()
    titles = sink.titles()
    assert len(titles) == 3 + 2 + 2 + 2 + 2 + 1 + 1
    bozo = {r.feed: r.getMessage() for r in caplog.records if "malformed" in r.getMessage()}  # type: ignore[attr-defined]
    assert "kept 2 entries" in bozo[server.url("/malformed.xml")]
    assert "not well-formed" in bozo[server.url("/malformed.xml")]
    assert "Сэм Альтман вернулся в OpenAI" in titles
    assert "Noël chez OpenAI : la débâcle" in titles
    assert all(state(store, server.url(f"/{n}")).last_status == "ok" for n in names)


async def test_gzip_and_brotli_bodies_and_our_user_agent(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    body = fixture("rss2.xml")
    server.routes["/gz"] = Reply(200, gzip.compress(body), {"Content-Encoding": "gzip"})
    server.routes["/br"] = Reply(200, brotli.compress(body), {"Content-Encoding": "br"})
    settings, poller, sink, _ = setup(tmp_path, store, [server.url("/gz"), server.url("/br")])
    await poller.poll_all_once()
    await poller.stop()
    assert len(sink.titles()) == 6
    for path in ("/gz", "/br"):
        sent = server.hits(path)[0].headers
        assert {"gzip", "br"} <= {e.strip() for e in sent["accept-encoding"].split(",")}
        assert sent["user-agent"] == settings.polling.user_agent
        assert "@" in sent["user-agent"]  # a contact, as the default says


async def test_seen_entries_survive_a_restart(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/rss"] = [
        Reply(200, rss(("a", "First"), ("b", "Second"))),
        Reply(200, rss(("c", "Third"), ("a", "First"), ("b", "Second"))),
    ]
    url = server.url("/rss")
    _, poller, sink, _ = setup(tmp_path, store, [url])
    await poller.poll_all_once()
    await poller.stop()
    _, restarted, sink2, _ = setup(tmp_path, store, [url])  # a new process, same Redis
    await restarted.poll_all_once()
    await restarted.stop()
    assert sink.titles() == ["First", "Second"]
    assert sink2.titles() == ["Third"]
    ttl = cast(int, store.redis.ttl(store.keys.entry(f"{url}\x00a")))
    assert 0 < ttl <= 30 * 24 * 3600  # the seen set expires (polling.seen_ttl_s)


async def test_errors_back_off_then_recover(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/rss"] = [Reply(500), Reply(500), Reply(200, fixture("rss2.xml"))]
    url = server.url("/rss")
    _, poller, sink, metrics = setup(tmp_path, store, [url], interval_s=300)
    await poller.poll_all_once()
    await poller.poll_all_once()
    failing = state(store, url)
    assert (failing.last_status, failing.last_http_status, failing.consecutive_errors) == (
        "http_error",
        500,
        2,
    )
    assert failing.next_reason == "backoff" and failing.last_success is None
    assert failing.next_check - failing.last_attempt >= timedelta(
        seconds=300
    )  # 2nd error: 300..600 s
    assert failing.failing_since is not None
    assert poller.failing_feeds(900.0) == (1, 1)  # /healthz: every feed failing
    await poller.poll_all_once()
    await poller.stop()
    ok = state(store, url)
    assert (ok.last_status, ok.consecutive_errors, ok.failing_since) == ("ok", 0, None)
    assert ok.last_success is not None and ok.next_reason == "ttl"  # the fixture's <ttl>60</ttl>
    assert poller.failing_feeds(900.0) == (0, 1)
    assert len(sink.titles()) == 3
    assert metrics.fetch_errors.labels(kind="http_5xx")._value.get() == 2


async def test_429_retry_after_moves_the_scheduled_run(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/rss"] = Reply(429, headers={"Retry-After": "7200"})
    url = server.url("/rss")
    _, poller, _, metrics = setup(tmp_path, store, [url], interval_s=300)
    await poller.start()
    assert poller.running
    for _ in range(100):  # the first run happens at once
        if poller.last_cycle_at:
            break
        await asyncio.sleep(0.05)
    job = poller._scheduler.get_job(url)  # type: ignore[union-attr]
    st = state(store, url)
    assert (st.last_status, st.next_reason) == ("rate_limited", "retry_after")
    assert timedelta(seconds=7100) < job.next_run_time - utcnow() <= timedelta(seconds=7200)
    assert metrics.fetch_errors.labels(kind="rate_limited")._value.get() == 1
    await poller.stop()
    assert not poller.running


async def test_restart_honours_a_stored_backoff(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/rss"] = Reply(503, headers={"Retry-After": "3600"})
    url = server.url("/rss")
    _, poller, _, _ = setup(tmp_path, store, [url])
    await poller.poll_all_once()
    await poller.stop()
    _, again, _, _ = setup(tmp_path, store, [url])
    await again.start()
    job = again._scheduler.get_job(url)  # type: ignore[union-attr]
    assert job.next_run_time - utcnow() > timedelta(seconds=3500)
    await again.stop()
    assert len(server.hits("/rss")) == 1


async def test_slow_oversized_and_looping_feeds_fail_alone(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/slow"] = Reply(200, fixture("rss2.xml"), delay_s=1.5)
    server.routes["/big"] = Reply(200, b"<rss>" + b" " * 8192, chunks=20)
    server.routes["/loop"] = Reply(301, headers={"Location": "/loop"})
    server.routes["/html"] = Reply(
        200, b"<html><body>Not a feed</body></html>", {"Content-Type": "text/html"}
    )
    server.routes["/ok"] = Reply(200, fixture("atom.xml"))
    paths = ["/slow", "/big", "/loop", "/html", "/ok"]
    _, poller, sink, _ = setup(
        tmp_path, store, [server.url(p) for p in paths], read_timeout_s=0.3, max_body_bytes=50_000
    )
    await poller.poll_all_once()
    await poller.stop()
    statuses = [state(store, server.url(p)).last_status for p in paths]
    assert statuses == ["timeout", "too_large", "too_many_redirects", "parse_error", "ok"]
    assert len(sink.titles()) == 2


async def test_permanent_redirect_updates_the_fetched_url(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/old"] = Reply(301, headers={"Location": "/new"})
    server.routes["/new"] = Reply(200, fixture("rss2.xml"))
    server.routes["/tmp"] = Reply(307, headers={"Location": "/new"})
    old, tmp = server.url("/old"), server.url("/tmp")
    _, poller, sink, _ = setup(tmp_path, store, [old, tmp])
    await poller.poll_all_once()
    await poller.poll_all_once()
    await poller.stop()
    assert len(server.hits("/old")) == 1  # the second poll went straight to /new
    assert len(server.hits("/tmp")) == 2  # a temporary redirect moves nothing
    assert state(store, old).fetch_url == server.url("/new")
    assert state(store, tmp).fetch_url == tmp
    assert len(sink.calls) == 2  # one per feed: same entries, but each feed has its own


async def test_entries_are_offered_again_when_processing_failed(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/rss"] = Reply(200, fixture("rss2.xml"), {"ETag": '"1"'})
    _, poller, sink, _ = setup(tmp_path, store, [server.url("/rss")])
    sink.fail = True
    await poller.poll_all_once()
    sink.fail = False
    await poller.poll_all_once()
    await poller.stop()
    assert len(sink.titles()) == 3
    assert "if-none-match" not in server.hits("/rss")[1].headers


async def test_entries_are_offered_again_when_a_stop_cuts_the_hand_over(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/rss"] = Reply(200, fixture("rss2.xml"), {"ETag": '"1"'})
    _, poller, sink, _ = setup(tmp_path, store, [server.url("/rss")])
    entered = asyncio.Event()

    async def stuck(feed: FeedSettings, items: list[FeedItem]) -> None:
        entered.set()
        await asyncio.sleep(3600)  # the pipeline never answers: the stop abandons it

    poller.on_items = stuck
    task = asyncio.create_task(poller.poll_all_once())
    await asyncio.wait_for(entered.wait(), 10)
    for poll in list(poller._busy.values()):  # what the daemon's stop does to a stuck poll
        poll.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    poller.on_items = sink
    await poller.poll_all_once()
    await poller.stop()
    assert len(sink.titles()) == 3  # nothing lost


async def test_entries_are_offered_again_when_the_intake_stream_is_full(
    server: FeedServer, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/rss"] = Reply(200, fixture("rss2.xml"), {"ETag": '"1"'})
    _, poller, sink, _ = setup(tmp_path, store, [server.url("/rss")])
    sink.full = True  # backpressure: the hand-over is refused, quietly (no traceback)
    await poller.poll_all_once()
    sink.full = False
    await poller.poll_all_once()
    await poller.stop()
    assert len(sink.titles()) == 3
    assert "Traceback" not in caplog.text and "failed" not in caplog.text


async def test_long_failure_is_flagged_loudly(
    server: FeedServer, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.url("/gone")  # 404
    _, poller, _, _ = setup(tmp_path, store, [url], failing_after_s=0.001)
    await poller.poll_all_once()
    await asyncio.sleep(0.01)
    with caplog.at_level(logging.WARNING, logger="monitor.poller"):
        await poller.poll_all_once()
    await poller.stop()
    assert any(
        r.levelno == logging.ERROR and "FEED FAILING" in r.getMessage() for r in caplog.records
    )


async def test_reload_adds_and_removes_jobs(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/a"] = Reply(200, fixture("rss2.xml"))
    server.routes["/b"] = Reply(200, fixture("atom.xml"))
    a, b = server.url("/a"), server.url("/b")
    _, poller, sink, _ = setup(tmp_path, store, [a])
    await poller.start()
    poller.reload([FeedSettings(url=b, name="b", interval_s=60)])
    sched = poller._scheduler
    assert sched is not None
    assert [j.id for j in sched.get_jobs() if j.id != CYCLE_JOB] == [b]
    for _ in range(100):
        if any(u == b for u, _ in sink.calls):
            break
        await asyncio.sleep(0.05)
    await poller.stop()
    assert any(u == b for u, _ in sink.calls)


async def test_a_poller_started_again_polls_the_feeds_of_the_last_reload(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    """The scheduler lease can stop and start the poller within one daemon's life: started
    again after a SIGHUP reload, it polls the reloaded list, not the start-up one."""
    server.routes["/a"] = Reply(200, fixture("rss2.xml"))
    server.routes["/b"] = Reply(200, fixture("atom.xml"))
    a, b = server.url("/a"), server.url("/b")
    _, poller, _, _ = setup(tmp_path, store, [a])
    await poller.start()
    poller.reload([FeedSettings(url=b, name="b", interval_s=60)])
    await poller.stop()
    await poller.start()
    sched = poller._scheduler
    assert sched is not None
    assert [j.id for j in sched.get_jobs() if j.id != CYCLE_JOB] == [b]
    await poller.stop()


async def test_imported_feeds_are_polled_too(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/imported"] = Reply(200, fixture("rdf.xml"))
    FeedStore(store, ttl_s=60).import_feeds([FeedSettings(url=server.url("/imported"), name="imp")])
    _, poller, sink, _ = setup(tmp_path, store, [])
    await poller.poll_all_once()
    await poller.stop()
    assert len(sink.titles()) == 2


@pytest.mark.slow
async def test_cli_feeds_import_and_health_table(server: FeedServer, tmp_path: Path) -> None:
    server.routes["/rss"] = Reply(500)
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(
        f"""
data_dir = "{tmp_path.as_posix()}/data"
[redis]
key_prefix = "t"
[polling]
allow_private_hosts = true
parse_workers = 0
failing_after_s = 0.001
[[sagas]]
name = "t"
seed_dir = "{tmp_path.as_posix()}"
[[feeds]]
name = "Broken feed"
url = "{server.url("/rss")}"
""",
        encoding="utf-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            monitor_cmd("--config", str(cfg), *args),
            capture_output=True,
            text=True,
            env=subprocess_env(),
            timeout=60,
        )

    store = connect(None, tmp_path / "data", prefix="t", embedded_db="redis.db")
    try:
        settings = make_settings(tmp_path, [{"url": server.url("/rss"), "name": "Broken feed"}])
        poller = Poller(settings, store, Sink())
        await poller.poll_all_once()
        await poller.stop()
    finally:
        await store.aclose()
        store.close()
    imported = run("feeds", "import", str(FIXTURES / "feeds.opml"))  # not polled: not local
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 new feed(s)" in imported.stdout
    table = run("feeds")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["FEED", "STATUS"]
    broken = next(line for line in lines if line.startswith("Broken feed"))
    assert "FAILING" in broken and "http_error (500)" in broken  # failing for > 1 ms
    assert any(line.startswith("Hacker News") for line in lines)
    status = run("status")  # no daemon running: exit 1, but the feed health is shown
    assert status.returncode == 1, status.stderr
    assert "4 (3 imported)" in status.stdout  # the config's feed and the 3 imported
    flagged = next(line for line in status.stdout.splitlines() if "FAILING for" in line)
    assert "1 errors in a row" in flagged  # failing longer than failing_after_s: loud
    shown = run("status", "--json")
    assert shown.stdout, shown.stderr
    as_json = json.loads(shown.stdout)
    assert as_json["feeds"]["failing_long"] == 1
    assert as_json["feeds"]["failing_feeds"][0]["errors"] == 1
    bad = run("feeds", "import", str(FIXTURES / "rss2.xml"))
    assert bad.returncode != 0 and "not OPML" in bad.stderr
