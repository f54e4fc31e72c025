"""Log lines carry feed / item / alert ids, in text and in JSON."""

from __future__ import annotations

import json
import logging

from monitor.logs import JSONFormatter, TextFormatter


def _record(**extra: object) -> logging.LogRecord:
    rec = logging.LogRecord(
        "monitor.daemon", logging.INFO, __file__, 1, "polled: %s", ("ok",), None
    )
    rec.__dict__.update(extra)
    return rec


def test_text_line_ends_with_the_ids() -> None:
    line = TextFormatter().format(_record(feed="http://f/rss", item="ab12"))
    assert "INFO    monitor.daemon: polled: ok [feed=http://f/rss item=ab12]" in line


def test_json_line_has_the_ids_as_fields() -> None:
    obj = json.loads(JSONFormatter().format(_record(feed="http://f/rss", alert="a1", items=3)))
    assert obj["msg"] == "polled: ok" and obj["level"] == "INFO"
    assert obj["feed"] == "http://f/rss" and obj["alert"] == "a1" and obj["items"] == 3


def test_json_line_keeps_the_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        rec = _record(feed="x")
        rec.exc_info = sys.exc_info()
    obj = json.loads(JSONFormatter().format(rec))
    assert "ValueError: boom" in obj["exc"]


def test_feed_credentials_never_reach_the_logs() -> None:
    feed = "https://bob:pw123@feeds.example/rss?token=t0k3n"
    rec = logging.LogRecord("monitor.poller", logging.WARNING, __file__, 1,
                            "fetch failed: %s", (f"503 from {feed}",), None)
    rec.__dict__.update(feed=feed)
    for line in (TextFormatter().format(rec), JSONFormatter().format(rec)):
        assert "pw123" not in line and "t0k3n" not in line and "bob" not in line
    assert json.loads(JSONFormatter().format(rec))["feed"] == (
        "https://***@feeds.example/rss?token=***"
    )


def test_json_lines_carry_journald_priority() -> None:
    warn = logging.LogRecord("m", logging.WARNING, __file__, 1, "slow", None, None)
    info = logging.LogRecord("m", logging.INFO, __file__, 1, "ok", None, None)
    assert json.loads(JSONFormatter().format(warn))["PRIORITY"] == 4
    assert json.loads(JSONFormatter().format(info))["PRIORITY"] == 6


def test_under_journald_each_line_carries_its_severity() -> None:
    from monitor.logs import _Journald

    rec = logging.LogRecord("m", logging.ERROR, __file__, 1, "boom", None, None)
    try:
        raise ValueError("x")
    except ValueError:
        import sys

        rec.exc_info = sys.exc_info()
    lines = _Journald(TextFormatter()).format(rec).splitlines()
    assert len(lines) > 1 and all(ln.startswith("<3>") for ln in lines)
