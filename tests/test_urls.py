"""Secrets in URLs never leave the process; alerts offer web links only."""

from __future__ import annotations

from monitor.urls import redact, web_link


def test_credentials_in_urls_are_redacted_wherever_they_are() -> None:
    line = ("poll failed for https://alice:s3cret@feeds.example/rss?token=abc123&lang=en: "
            "503; redis at redis://:hunter2@10.0.0.5:6379/0?password=hunter2")
    out = redact(line)
    for secret in ("alice", "s3cret", "abc123", "hunter2"):
        assert secret not in out
    assert "https://***@feeds.example/rss?token=***&lang=en" in out
    assert "redis://***@10.0.0.5:6379/0?password=***" in out


def test_urls_without_secrets_are_unchanged() -> None:
    for url in ("https://news.example/a?id=3&page=2", "http://x.example/rss", "plain text"):
        assert redact(url) == url


def test_only_web_links_are_offered() -> None:
    assert web_link("https://news.example/a") == "https://news.example/a"
    assert web_link("  HTTP://news.example/a ") == "HTTP://news.example/a"
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "gopher://x.example/", "", None):
        assert web_link(bad) is None
    assert web_link("https://u:p@news.example/a?key=k") == "https://***@news.example/a?key=***"
