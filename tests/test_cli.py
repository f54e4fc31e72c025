"""The command line as a user meets it: one-line errors, exit status 2, no traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import monitor_cmd, subprocess_env


def run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        monitor_cmd(*args),
        cwd=cwd,
        env=subprocess_env(),
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def assert_usage_error(p: subprocess.CompletedProcess[str], needle: str) -> None:
    assert p.returncode == 2, (p.stdout, p.stderr)
    err = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(err) == 1, p.stderr
    assert err[0].startswith("monitor: error:") and needle in err[0], err[0]
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("frobnicate",), "No such command"),
        (("replay",), "Missing parameter: paths"),
        (("model", "--format", "xml"), "'xml' is not one of"),
    ],
)
def test_bad_arguments(args: tuple[str, ...], needle: str, config_file: Path) -> None:
    assert_usage_error(
        run("--config", str(config_file), *args, cwd=config_file.parent.parent), needle
    )


def test_missing_config_file(tmp_path: Path) -> None:
    assert_usage_error(
        run("--config", str(tmp_path / "nope.toml"), "check-config", cwd=tmp_path),
        "config file not found",
    )


def test_invalid_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sagas]]\nname = "x"\nseed_dir = "s"\n[novelty]\nknown_threshold = 7\n')
    assert_usage_error(
        run("--config", str(bad), "check-config", cwd=tmp_path), "novelty.known_threshold"
    )


def test_missing_documents(config_file: Path, tmp_path: Path) -> None:
    p = run(
        "--config",
        str(config_file),
        "--data-dir",
        str(tmp_path / "d"),
        "replay",
        str(tmp_path / "missing"),
        cwd=tmp_path,
    )
    assert_usage_error(p, "no such file or directory")


def test_check_config_on_the_shipped_config(project_root: Path) -> None:
    p = run("check-config", cwd=project_root)
    assert p.returncode == 0, p.stderr
    assert "config OK" in p.stdout and "openai-leadership-2023" in p.stdout


def test_seed_model_replay_end_to_end(project_root: Path, tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    seeded = run("--data-dir", data, "seed", "seeds/", cwd=project_root)
    assert seeded.returncode == 0, seeded.stderr
    assert "protagonists" in seeded.stdout

    shown = run("--data-dir", data, "model", "--format", "md", "--history", cwd=project_root)
    assert shown.returncode == 0, shown.stderr
    for name in ("Sam Altman", "Mira Murat", "Emmett Shear", "Satya Nadella"):
        assert name in shown.stdout
    assert "## Timeline" in shown.stdout and "## History" in shown.stdout

    replayed = run("--data-dir", data, "replay", "seeds/", cwd=project_root)
    assert replayed.returncode == 0, replayed.stderr
    assert "[NEW" not in replayed.stdout
    assert "0 alerts" in replayed.stdout

    bad_day = run("--data-dir", data, "replay", "--since", "yesterday", "seeds/", cwd=project_root)
    assert bad_day.returncode == 2 and "Traceback" not in bad_day.stderr
    cut = run(
        "--data-dir", data, "replay", "-q", "--since", "2023-11-20", "seeds/", cwd=project_root
    )
    assert cut.returncode == 0, cut.stderr
    assert "read" in cut.stdout and "[NEW" not in cut.stdout


# -- monitor status (issue 8) -------------------------------------------------------------


def test_status_without_a_daemon(config_file: Path, tmp_path: Path) -> None:
    """Feed health (configured and imported, failing for long), each sink's outbox share,
    dead letters, checkpointed items and the model version, read from Redis; exit 1."""
    import asyncio
    import json
    from datetime import timedelta

    from monitor.config import FeedSettings, load_settings
    from monitor.store import open_store
    from monitor.store.feeds import FeedState, FeedStore
    from monitor.store.intake import IntakeStore
    from monitor.types import FeedItem, utcnow

    cfg = config_file.read_text().replace(
        "[alerts]",
        '[[feeds]]\nurl = "http://127.0.0.1:9/ok.xml"\n'
        '[[feeds]]\nurl = "http://127.0.0.1:9/down.xml"\nname = "Down"\n[alerts]',
    )
    config_file.write_text(cfg)
    data = tmp_path / "data"
    settings = load_settings(config_file, data_dir=data)
    now = utcnow()

    async def fill() -> None:
        with open_store(None, data, prefix="t", embedded_db="redis.db") as store:
            feeds = FeedStore(store, ttl_s=60)
            feeds.import_feeds([FeedSettings(url="http://127.0.0.1:9/opml.xml")])
            await feeds.asave(
                FeedState("http://127.0.0.1:9/ok.xml", last_attempt=now, last_success=now)
            )
            await feeds.asave(
                FeedState(
                    "http://127.0.0.1:9/down.xml",
                    name="Down",
                    last_attempt=now,
                    last_status="http_error",
                    last_error="HTTP 503",
                    consecutive_errors=50,
                    failing_since=now - timedelta(days=2),
                )
            )
            item = FeedItem("http://127.0.0.1:9/ok.xml", "t", "", "http://x/1", None, guid="1")
            await IntakeStore(store, max_len=1000).publish([item])
            store.redis.xadd(store.keys.dead_letters(), {"a": "1"})
            store.redis.set(store.keys.saga_version("test-saga"), 3)
            await store.aclose()

    asyncio.run(fill())
    assert settings.alerts.enabled_sinks() == ["console", "jsonl"]

    args = ("--config", str(config_file), "--data-dir", str(data), "status")
    text = run(*args, cwd=tmp_path)
    assert text.returncode == 1, text.stderr  # no daemon running
    out = text.stdout
    assert "daemon:    not running (no heartbeat)" in out
    assert "3 (1 imported): 1 ok, 1 failing (1 for over 1d0h), 1 never polled" in out
    assert "FAILING for 2d0h: Down (50 errors in a row" in out and "HTTP 503" in out
    assert "queues:    intake 1, alert outbox: console 0, jsonl 0, dead letters 1" in out
    assert "model:     test-saga version 3" in out

    as_json = run(*args, "--json", cwd=tmp_path)
    st = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and st["running"] is False
    pipeline = st["queues"].pop("pipeline")  # the intake stream's group, none made yet
    assert {k: pipeline[k] for k in ("group", "pending", "unread", "dead", "consumers")} == {
        "group": "pipeline", "pending": 0, "unread": 1, "dead": 0, "consumers": []}
    polls = st["queues"].pop("polls")  # the due-poll stream's group: nothing published
    assert {k: polls[k] for k in ("group", "pending", "unread", "consumers")} == {
        "group": "pollers", "pending": 0, "unread": 0, "consumers": []}
    assert st["queues"] == {"intake": 1, "outbox": {"console": 0, "jsonl": 0}, "dead": 1,
                            "groups": {"console": {"pending": 0, "unread": 0, "consumers": 0,
                                                   "lag_s": 0.0},
                                       "jsonl": {"pending": 0, "unread": 0, "consumers": 0,
                                                 "lag_s": 0.0}}}
    assert st["feeds"]["failing_long"] == 1
    assert st["feeds"]["failing_feeds"][0]["url"] == "http://127.0.0.1:9/down.xml"
    assert st["model_versions"] == {"test-saga": 3}


def test_check_config_lists_everything_start_up_would_meet(tmp_path: Path) -> None:
    """A valid file whose seed folder is gone, whose curation file was left behind and
    whose feed has a scheme the poller refuses: all three named at once, exit 2."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path / "data"}"\n'
        f'[[sagas]]\nname = "a"\nseed_dir = "{tmp_path / "gone"}"\n'
        f'[[sagas]]\nname = "b"\nseed_dir = "{seeds}"\n'
        f'curation = "{tmp_path / "left-behind.toml"}"\n'
        '[[feeds]]\nurl = "ftp://user:pw@files.example/rss"\n'
    )
    p = run("--config", str(cfg), "check-config", cwd=tmp_path)
    assert_usage_error(p, "problem(s) start-up would meet")
    assert "saga a: seeds: no such file or directory" in p.stderr
    assert "saga b: seeds: no documents in" in p.stderr  # an empty folder
    assert "curation file not found" in p.stderr
    assert "not an http(s) URL" in p.stderr and "pw" not in p.stderr


def test_seed_and_model_need_no_sink_secret(tmp_path: Path) -> None:
    """A Slack sink configured but its secret not in this shell: seeding and reading the
    model send nothing, so they run."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "one.txt").write_text(
        "date 2023-03-10\nRegulators close Silicon Valley Bank, says the FDIC.\n\n"
        "The FDIC took over Silicon Valley Bank on Friday.\n", encoding="utf-8")
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[[sagas]]\nname = "s"\nseed_dir = "{seeds}"\n'
        '[nlp]\nworkers = 0\n[alerts]\nsinks = ["slack"]\n'
    )
    seeded = run("--config", str(cfg), "seed", str(seeds), cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded s from 1 document(s)" in seeded.stdout
    shown = run("--config", str(cfg), "model", "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["name"] == "s"


def test_status_shows_each_sink_with_alerts_waiting() -> None:
    import time as _time

    from monitor.cli import _queue_lines
    from monitor.store.outbox import SinkQueue
    from monitor.store.service import QueueDepths

    now_ms = int(_time.time() * 1000)
    queues = QueueDepths(0, {"webhook": 3, "jsonl": 0}, 0, groups=(
        SinkQueue("webhook", 1, 2, consumers=1, oldest_ms=now_ms - 125_000),
        SinkQueue("jsonl", 0, 0, consumers=1),
    ))
    head, line = _queue_lines(queues)  # a sink with nothing waiting is not listed
    assert head == "queues:    intake 0, alert outbox: webhook 3, jsonl 0, dead letters 0"
    assert line.startswith("  webhook: 1 pending, 2 unread, 1 consumer(s), oldest waiting 2m")
