"""`monitor alerts ...` in subprocesses, against the embedded Redis of this test process:
a delivering process killed with SIGKILL, dead letters listed and re-sent, test alerts."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import monitor_cmd, subprocess_env
from test_alerts import (
    SECRET,
    Receiver,
    Script,
    always_ok,
    env,
    make_alert,
    verify_standard_webhook,
)

from monitor.alerts import Outbox, build_sinks
from monitor.alerts.outbox import run_delivery
from monitor.config import Env, load_settings
from monitor.saga import SagaModel
from monitor.store import Keys, Store, connect
from monitor.store.outbox import OutboxStore, RetryState
from monitor.store.sagas import SagaStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def redis_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    d = tmp_path_factory.mktemp("redis")
    server = connect(None, d, prefix="t", embedded_db="r.db")
    yield d
    server.close()


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(script: Script = always_ok, port: int = 0, secret: str | None = SECRET) -> Receiver:
        made.append(Receiver(script, port, secret))  # a webhook receiver verifies signatures
        return made[-1]

    yield make
    for r in made:
        r.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup(
    tmp_path: Path, redis_dir: Path, url: str, *, extra: str = "", **alerts: Any
) -> tuple[Path, Store]:
    """A config on the shared embedded Redis (own key prefix), and a store on it."""
    prefix = tmp_path.name[-20:]
    opts = {
        "sinks": '["webhook"]',
        "retry_initial_s": "0.05",
        "retry_max_s": "0.2",
        "claim_idle_s": "0.3",
        "poll_s": "0.05",
    }
    opts.update({k: str(v) for k, v in alerts.items()})
    lines = "\n".join(f"{k} = {v}" for k, v in opts.items())
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(
        f"""
data_dir = "{redis_dir.as_posix()}"
[redis]
key_prefix = "{prefix}"
embedded_db = "r.db"
[[sagas]]
name = "s"
seed_dir = "{tmp_path.as_posix()}"
[alerts]
{lines}
[alerts.webhook]
url = "{url}"
{extra}
""",
        encoding="utf-8",
    )
    store = connect(None, redis_dir, prefix=prefix, embedded_db="r.db")
    return cfg, Store(store.redis, Keys(prefix), socket_path=store.socket_path)


def run_cli(cfg: Path, *args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        monitor_cmd("--config", str(cfg), "alerts", *args),
        env=subprocess_env(MONITOR_WEBHOOK_SECRET=SECRET),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def wait_until(check: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_receiver_down_process_killed_gets_alert_once_after_restart(
    tmp_path: Path, redis_dir: Path, receivers: Callable[..., Receiver]
) -> None:
    port = free_port()  # nobody listens there yet: the receiver is down
    cfg, store = setup(tmp_path, redis_dir, f"http://127.0.0.1:{port}/hook")
    alert = make_alert()
    assert Outbox(store, load_settings(cfg, env=Env())).enqueue([alert]) == [alert.id]

    log = (tmp_path / "deliver-1.log").open("w")
    proc = subprocess.Popen(
        monitor_cmd("--config", str(cfg), "alerts", "deliver"),
        env=subprocess_env(MONITOR_WEBHOOK_SECRET=SECRET),
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def attempts() -> int:
        raw = cast(list[bytes], store.redis.hvals(store.keys.alert_retries("webhook")))
        return max((RetryState.decode(v).attempts for v in raw), default=0)

    try:
        wait_until(lambda: attempts() >= 2)
    finally:
        proc.kill()  # SIGKILL: no clean-up, the entry stays pending for the dead consumer
        proc.wait()
        log.close()
    assert OutboxStore(store).queues(["webhook"])[0].pending == 1

    r = receivers(port=port)
    res = run_cli(cfg, "deliver", "--burst", "--timeout", "20")
    assert res.returncode == 0, res.stderr
    assert "took over 1 pending alert(s)" in res.stderr  # from the killed process
    assert [h.headers["webhook-id"] for h in r.hits] == [alert.id]
    verify_standard_webhook(SECRET, r.hits[0].headers, r.hits[0].body)
    assert OutboxStore(store).queues(["webhook"])[0].depth == 0

    res = run_cli(cfg, "deliver", "--burst", "--timeout", "2")
    assert res.returncode == 0 and len(r.hits) == 1


def test_daemon_killed_while_receiver_is_down_delivers_once_after_restart(
    tmp_path: Path, redis_dir: Path, receivers: Callable[..., Receiver]
) -> None:
    """The same, with ``monitor run`` itself killed (SIGKILL) and restarted."""
    port = free_port()
    cfg, store = setup(
        tmp_path, redis_dir, f"http://127.0.0.1:{port}/hook", extra="[health]\nenabled = false"
    )
    # A saga model already in Redis: the daemon starts without seeding (no spaCy needed).
    model = SagaModel(name="s")
    model.record("test", "pre-seeded", "test", "2023-11-17T00:00:00+00:00")
    SagaStore(store).save(model, expected_version=0)
    alert = make_alert()
    assert Outbox(store, load_settings(cfg, env=Env())).enqueue([alert]) == [alert.id]

    def attempts() -> int:
        raw = cast(list[bytes], store.redis.hvals(store.keys.alert_retries("webhook")))
        return max((RetryState.decode(v).attempts for v in raw), default=0)

    log = (tmp_path / "daemon-1.log").open("w")
    proc = subprocess.Popen(
        monitor_cmd("--config", str(cfg), "run"),
        env=subprocess_env(MONITOR_WEBHOOK_SECRET=SECRET),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: attempts() >= 2)
    finally:
        proc.kill()
        proc.wait()
        log.close()
    assert proc.returncode == -signal.SIGKILL
    assert OutboxStore(store).queues(["webhook"])[0].pending == 1

    r = receivers(port=port)
    logs = []
    for _ in range(2):  # the restart delivers it; one more run sends nothing
        res = subprocess.run(
            monitor_cmd("--config", str(cfg), "run", "--burst"),
            env=subprocess_env(MONITOR_WEBHOOK_SECRET=SECRET),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        assert [h.headers["webhook-id"] for h in r.hits] == [alert.id]
        logs.append(res.stderr)
    assert "took over 1 pending alert(s)" in logs[0]  # from the killed daemon
    verify_standard_webhook(SECRET, r.hits[0].headers, r.hits[0].body)
    assert OutboxStore(store).queues(["webhook"])[0].depth == 0


def test_dead_letters_listed_and_resent(
    tmp_path: Path, redis_dir: Path, receivers: Callable[..., Receiver]
) -> None:
    answers = {"status": 503}
    r = receivers(lambda n: (answers["status"], {}))
    cfg, store = setup(tmp_path, redis_dir, r.url, retry_horizon_s=0.3)
    alert = make_alert()
    settings = load_settings(cfg, env=Env())
    Outbox(store, settings).enqueue([alert])
    sinks = build_sinks(settings, env())
    asyncio.run(run_delivery(settings, store, sinks, burst=True, timeout_s=20))
    assert r.hits and r.delivered() == []

    res = run_cli(cfg, "dead")
    assert res.returncode == 0
    assert alert.id in res.stdout and "webhook" in res.stdout and "HTTP 503" in res.stdout
    [row] = json.loads(run_cli(cfg, "dead", "--json").stdout)
    assert row["id"] == alert.id and row["headline"] == alert.headline

    answers["status"] = 200
    res = run_cli(cfg, "retry", row["dead_id"])
    assert res.returncode == 0, res.stderr
    assert f"{alert.id}  webhook: delivered" in res.stdout
    assert [h.headers["webhook-id"] for h in r.delivered()] == [alert.id]
    assert OutboxStore(store).dead_letters() == []

    res = run_cli(cfg, "retry")
    assert res.returncode == 2 and "--all" in res.stderr


def test_alerts_test_sends_to_each_sink_and_prints_results(
    tmp_path: Path, redis_dir: Path, receivers: Callable[..., Receiver]
) -> None:
    hook, slack = receivers(), receivers(lambda n: (500, {}), secret=None)
    cfg, _ = setup(tmp_path, redis_dir, hook.url, sinks='["console", "slack", "webhook"]')
    res = subprocess.run(
        monitor_cmd("--config", str(cfg), "alerts", "test"),
        env=subprocess_env(MONITOR_WEBHOOK_SECRET=SECRET, SLACK_WEBHOOK_URL=slack.url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 1
    out = res.stdout
    assert "[TEST] [NEW DEVELOPMENT]" in out
    assert "console  ok" in out and "webhook  ok" in out
    assert "slack    FAILED" in out and "HTTP 500" in out
    assert "not delivered to: slack" in res.stderr
    [hit] = hook.hits
    verify_standard_webhook(SECRET, hit.headers, hit.body)
    assert hit.json()["type"] == "alert.test"
    assert len(slack.hits) == 1 and "blocks" in slack.hits[0].json()


def test_alerts_list_shows_the_recent_alerts_from_the_outbox(
    tmp_path: Path, redis_dir: Path, receivers: Callable[..., Receiver]
) -> None:
    from dataclasses import replace

    r = receivers()
    cfg, store = setup(tmp_path, redis_dir, r.url)
    settings = load_settings(cfg, env=Env())
    first, second = make_alert(1), make_alert(2, event="ev-2")
    other = replace(make_alert(3, event="ev-3"), saga="another-saga")
    Outbox(store, settings).enqueue([first, second, other])
    res = run_cli(cfg, "list")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert [ln for ln in lines if first.headline in ln] and lines[-1].endswith(other.headline)
    only = json.loads(run_cli(cfg, "list", "--saga", "s", "--json").stdout)
    assert [a["id"] for a in only] == [first.id, second.id]
    assert json.loads(run_cli(cfg, "list", "--json", "--limit", "1").stdout)[0]["id"] == other.id
    later = run_cli(cfg, "list", "--since", "2999-01-01")
    assert later.returncode == 0 and later.stdout.strip() == "no alerts"
