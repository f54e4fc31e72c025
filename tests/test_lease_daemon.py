"""Two ``monitor run`` daemons on one redis-server (started by the test): exactly one
polls (holds the scheduler lease), the other stands by with a healthy /healthz naming the
holder; SIGKILL of the holder hands the lease to the standby within the lease time.

Both start on the session's seeded model (``preseed``): no NLP at start, so each daemon
is up in seconds; the session's analyzer is loaded once for the whole suite."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from daemon_proc import READY_TIMEOUT_S, NotifySocket, daemon, free_port, get_json, wait_for
from redis_process import RedisProcess
from test_faults import PREFIX, ROOT, SAGA, preseed

TTL_S = 2.0
# Reading the standby's log line on a busy 2-core machine: a bound to fail on.
READ_SLACK_S = 2.0



def write_config(root: Path, health_port: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    cfg = root / "monitor.toml"
    cfg.write_text(
        f"""
data_dir = "{(root / "data").as_posix()}"
[redis]
key_prefix = "{PREFIX}"
[[sagas]]
name = "{SAGA}"
seed_dir = "{(ROOT / "seeds").as_posix()}"
[polling]
parse_workers = 0
[extract]
enabled = false
[nlp]
workers = 0
[alerts]
console = false
jsonl_path = ""
sinks = []
[health]
bind = "127.0.0.1:{health_port}"
heartbeat_s = 0.5
[scheduler]
lease_ttl_s = {TTL_S}
""",
        encoding="utf-8",
    )
    return cfg


def healthz(port: int) -> tuple[int, dict[str, Any]]:
    return get_json(f"http://127.0.0.1:{port}/healthz")


@pytest.mark.slow
def test_killing_the_polling_daemon_hands_the_scheduler_to_the_standby_within_the_lease_time(
    tmp_path: Path,
    redis_proc: RedisProcess,
    notify: NotifySocket,
    seeded_model_json: dict[Any, bytes],
) -> None:
    preseed(redis_proc.url, tmp_path, seeded_model_json)
    port_a, port_b = free_port(), free_port()
    cfg_a, cfg_b = write_config(tmp_path / "a", port_a), write_config(tmp_path / "b", port_b)
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    with daemon(cfg_a, notify, log=log_a, REDIS_URL=redis_proc.url) as first:
        wait_for(lambda: "lease acquired" in log_a.read_text(), READY_TIMEOUT_S, "a holder")
        with daemon(cfg_b, notify, log=log_b, REDIS_URL=redis_proc.url):
            wait_for(lambda: "daemon running" in log_b.read_text(), READY_TIMEOUT_S, "b up")
            assert "standing by" in log_b.read_text()
            status, body = healthz(port_b)
            scheduler = body["checks"]["scheduler"]
            assert status == 200 and scheduler["standby"], body
            assert f":{first.pid}:" in scheduler["lease_holder"]

            first.kill()
            killed_at = time.monotonic()
            first.wait(10)
            wait_for(lambda: "taken over" in log_b.read_text(), TTL_S + READ_SLACK_S,
                     "the standby to take the lease over", step_s=0.02)  # fmt: skip
            assert time.monotonic() - killed_at <= TTL_S + READ_SLACK_S
            wait_for(lambda: healthz(port_b)[1]["checks"]["scheduler"].get("running"),
                     10, "the standby's poller running")  # fmt: skip
            assert "poller started" in log_b.read_text().split("taken over", 1)[1]
