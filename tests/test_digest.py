"""monitor/digest.py: the daily email digest, sent to a real SMTP server (aiosmtpd) on
127.0.0.1, with the alerts read from the real embedded Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from daemon_proc import free_port
from pydantic import SecretStr, ValidationError

from monitor.alerts import Outbox
from monitor.config import DigestSettings, Env, Settings
from monitor.digest import DigestSender, due_window
from monitor.errors import DeliveryError
from monitor.store import Store
from monitor.store.digest import DigestStore
from monitor.types import Alert, AlertKind, Explanation, utcnow


class Inbox:
    """aiosmtpd handler: keeps every message it is given, and the logins it saw."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        msg = message_from_bytes(raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        # handled=False: aiosmtpd answers 535 itself. (AuthResult's default, handled=True,
        # means "the authenticator replied": the client then waited out its 30 s timeout
        # and the refusal reached it as a dropped connection, not as a refused login.)
        return AuthResult(success=data.password == b"pw-secret", handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # loopback, no certificate: starttls = false below
    )
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
async def store(redis_server: Store) -> AsyncIterator[Store]:
    """The session's embedded Redis (tests/conftest.py) under a prefix of this test's own:
    a server of its own per test cost ~2 s to stop."""
    s = redis_server.scoped(f"digest-{uuid.uuid4().hex[:10]}")
    yield s
    await s.aclose()
    s.drop_namespace()


def settings(tmp_path: Path, port: int, **digest: Any) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "sagas": [
                {"name": "openai", "title": "OpenAI board crisis", "seed_dir": str(tmp_path)},
                {"name": "svb", "title": "SVB failure", "seed_dir": str(tmp_path)},
            ],
            "alerts": {"sinks": ["jsonl"], "grouping_window_s": 0},
            "digest": {
                "enabled": True,
                "hour_utc": 7,
                "to": ["ops@example.org", "desk@example.org"],
                "from_addr": "monitor@example.org",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "starttls": False,
                **digest,
            },
        }
    )


def alert(n: int, saga: str, kind: AlertKind = AlertKind.NEW_DEVELOPMENT) -> Alert:
    return Alert(
        id=f"{saga}-{n}",
        saga=saga,
        kind=kind,
        headline=f"Headline {n} of {saga}",
        actors=(),
        explanation=Explanation(reason="new"),
        source_title=f"Report {n}",
        source_url=f"https://user:pw@news.example/{saga}/{n}?token=abc",
        source_feed="Wire",
        published=utcnow(),
        created=datetime(2026, 12, 1, 14, 3, tzinfo=UTC),
    )


def tomorrow_at(hour: int) -> datetime:
    """A run "tomorrow" after ``hour``: its window holds what was enqueued just now."""
    return (utcnow() + timedelta(days=1)).replace(hour=hour, minute=30)


def env(user: str | None = None, password: str | None = None) -> Env:
    return Env(
        monitor_smtp_user=SecretStr(user) if user else None,
        monitor_smtp_password=SecretStr(password) if password else None,
    )


async def test_digest_per_saga_arrives_once_with_the_alerts(
    tmp_path: Path, store: Store, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    now = utcnow()
    s = settings(tmp_path, port, hour_utc=now.hour)
    Outbox(store, s).enqueue(
        [alert(1, "openai"), alert(2, "openai", AlertKind.NEW_ACTOR), alert(1, "svb")]
    )
    run_at = tomorrow_at(now.hour)
    sender = DigestSender(s, store, env("digest-user", "pw-secret"))
    assert await sender.send_due(run_at) == 2  # one per saga
    assert inbox.logins == [(b"digest-user", b"pw-secret")] * 2  # from the environment
    by_subject = {m["Subject"]: m for m in inbox.messages}
    day = run_at.date().isoformat()
    assert set(by_subject) == {
        f"monitor digest {day}: 2 alerts, OpenAI board crisis",
        f"monitor digest {day}: 1 alert, SVB failure",
    }
    openai = by_subject[f"monitor digest {day}: 2 alerts, OpenAI board crisis"]
    body = openai.get_content().replace("\r\n", "\n")
    assert "- Headline 1 of openai\n  new development, 2026-12-01 14:03 UTC\n" in body
    assert "- Headline 2 of openai\n  new actor, 2026-12-01 14:03 UTC\n" in body
    assert "https://***@news.example/openai/1?token=***" in body  # links without secrets
    assert "pw@" not in body and "svb" not in body
    assert inbox.envelopes[0] == ("monitor@example.org", ["ops@example.org", "desk@example.org"])

    # The same day again, and after a restart (a new sender): nothing more.
    assert await sender.send_due(run_at + timedelta(hours=3)) == 0
    assert await DigestSender(s, store, env()).send_due(run_at) == 0
    assert len(inbox.messages) == 2


async def test_no_alert_no_email(
    tmp_path: Path, store: Store, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    now = utcnow()
    s = settings(tmp_path, port, hour_utc=now.hour, per_saga=False)
    sender = DigestSender(s, store, env())
    assert await sender.send_due(tomorrow_at(now.hour)) == 0  # no alert: no email
    assert inbox.messages == [] and inbox.logins == []  # no login without MONITOR_SMTP_USER

    Outbox(store, s).enqueue([alert(1, "openai"), alert(1, "svb")])
    later = tomorrow_at(now.hour) + timedelta(days=1)  # the next day: a new window
    assert await sender.send_due(later) == 0  # ...which holds nothing enqueued just now
    assert await sender.send_due(tomorrow_at(now.hour)) == 0  # that day was done: no alert
    assert inbox.messages == []


async def test_one_email_for_all_sagas(
    tmp_path: Path, store: Store, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    now = utcnow()
    s = settings(tmp_path, port, hour_utc=now.hour, per_saga=False)
    Outbox(store, s).enqueue([alert(1, "openai"), alert(1, "svb")])
    assert await DigestSender(s, store, env()).send_due(tomorrow_at(now.hour)) == 1
    (msg,) = inbox.messages
    assert msg["Subject"].endswith(": 2 alerts, 2 sagas")
    body = msg.get_content().replace("\r\n", "\n")
    assert "OpenAI board crisis (1)" in body and "SVB failure (1)" in body


async def test_not_due_before_the_hour_and_a_refused_login_is_not_marked(
    tmp_path: Path, store: Store, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    now = utcnow()
    s = settings(tmp_path, port, hour_utc=now.hour)
    Outbox(store, s).enqueue([alert(1, "openai")])
    run_at = tomorrow_at(now.hour)
    sender = DigestSender(s, store, env("digest-user", "wrong-password"))
    assert await sender.send_due(run_at.replace(minute=0) - timedelta(minutes=1)) == 0
    with pytest.raises(DeliveryError) as err:
        await sender.send_due(run_at)
    assert "wrong-password" not in str(err.value) and "digest-user" not in str(err.value)
    assert "login refused" in str(err.value)
    assert await DigestSender(s, store, env("digest-user", "pw-secret")).send_due(run_at) == 1
    assert len(inbox.messages) == 1


async def test_the_started_sender_checks_the_day_at_once(
    tmp_path: Path, store: Store, smtp: tuple[Inbox, int]
) -> None:
    """As in the daemon: start() runs a check at once (a restart after the hour sends the
    day's digest if it is due); with no alert it marks the day and sends nothing."""
    inbox, port = smtp
    now = utcnow()
    sender = DigestSender(settings(tmp_path, port, hour_utc=now.hour), store, env())
    await sender.start()
    try:
        for _ in range(200):
            if await DigestStore(store).was_sent(now.date().isoformat(), "svb"):
                break
            await asyncio.sleep(0.05)
    finally:
        await sender.stop()
    assert await DigestStore(store).was_sent(now.date().isoformat(), "openai")
    assert inbox.messages == []


def test_due_window_covers_the_day_before_the_hour() -> None:
    at = datetime(2026, 12, 2, 6, 59, tzinfo=UTC)
    assert due_window(at, 7) is None
    w = due_window(at + timedelta(minutes=1), 7)
    assert w is not None and w.day == "2026-12-02"
    assert (w.since, w.until) == (
        datetime(2026, 12, 1, 7, tzinfo=UTC),
        datetime(2026, 12, 2, 7, tzinfo=UTC),
    )


def test_enabled_digest_needs_addresses() -> None:
    with pytest.raises(ValidationError, match="from_addr"):
        DigestSettings(enabled=True, to=["a@example.org"])
    assert DigestSettings().enabled is False
