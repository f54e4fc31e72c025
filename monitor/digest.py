"""The daily email digest: the past day's alerts, by SMTP, once a day.

    DigestSender(settings, store, env)    a daemon component (``[digest] enabled``)
      start()      an APScheduler job at every full hour (UTC), and one at once: each run
                   sends the day's digest when ``[digest] hour_utc`` has passed and Redis
                   says it has not gone out yet (a restart never sends a day twice;
                   a failed send is tried again the next hour)
      send_due()   one run; returns how many emails went out
      stop()       no new run; the one in flight is awaited

A digest covers the 24 hours before ``hour_utc`` of its day, read from each saga's alert
log (``monitor.store.alertlog``). One email per saga (``per_saga = true``) or one for all;
none for a saga (or a day) without an alert.

SMTP is the standard library's ``smtplib`` in a worker thread: one message a day needs
no async client, and ``aiosmtplib`` would be one more dependency for nothing we use.
STARTTLS with certificate checks when ``starttls = true``; the login, when there is one,
comes from MONITOR_SMTP_USER / MONITOR_SMTP_PASSWORD only and is never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from pydantic import SecretStr

from monitor.config import DigestSettings, Env, Settings
from monitor.errors import DeliveryError, MonitorError
from monitor.store import Store
from monitor.store.alertlog import AlertLog
from monitor.store.digest import DigestStore
from monitor.types import Alert, utcnow
from monitor.urls import web_link

log = logging.getLogger(__name__)

ALL_SAGAS = "all"  # the scope of the one email when per_saga is false
_KIND = {"new_development": "new development", "new_actor": "new actor"}


@dataclass(frozen=True, slots=True)
class Window:
    """The digest of ``day``: alerts enqueued in ``[since, until)``."""

    day: str
    since: datetime
    until: datetime


def due_window(now: datetime, hour_utc: int) -> Window | None:
    """Today's digest window once ``hour_utc`` has passed, else None (not due yet)."""
    now = now.astimezone(UTC)
    until = now.replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    if now < until:
        return None
    return Window(until.date().isoformat(), until - timedelta(days=1), until)


@dataclass(frozen=True, slots=True)
class Section:
    """One saga's part of a digest."""

    title: str
    alerts: tuple[Alert, ...]


def compose(sections: Sequence[Section], window: Window, settings: DigestSettings) -> EmailMessage:
    """The email: a plain-text list per saga, newest alert last (headline, kind, time, link)."""
    total = sum(len(s.alerts) for s in sections)
    about = sections[0].title if len(sections) == 1 else f"{len(sections)} sagas"
    msg = EmailMessage()
    msg["Subject"] = f"monitor digest {window.day}: {total} alert{'s' * (total != 1)}, {about}"
    msg["From"] = settings.from_addr
    msg["To"] = ", ".join(settings.to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.from_addr.rpartition("@")[2] or None)
    lines = [
        f"Alerts from {window.since:%Y-%m-%d %H:%M} to {window.until:%Y-%m-%d %H:%M} UTC.",
    ]
    for section in sections:
        lines += ["", f"{section.title} ({len(section.alerts)})", ""]
        for a in section.alerts:
            kind = _KIND.get(a.kind.value, a.kind.value)
            lines.append(f"- {a.headline}")
            lines.append(f"  {kind}, {a.created.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
            if link := web_link(a.source_url):
                lines.append(f"  {link}")
    msg.set_content("\n".join(lines) + "\n")
    return msg


def send_email(
    msg: EmailMessage,
    settings: DigestSettings,
    user: SecretStr | None,
    password: SecretStr | None,
) -> None:
    """Blocking SMTP send (run it in a thread). Raises DeliveryError."""
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_s) as s:
            if settings.starttls:
                s.starttls(context=ssl.create_default_context())
            if user is not None and user.get_secret_value():
                s.login(user.get_secret_value(), password.get_secret_value() if password else "")
            s.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:  # its text may echo the login: not shown
        raise DeliveryError(f"SMTP login refused (code {exc.smtp_code})") from None
    except (smtplib.SMTPException, OSError) as exc:
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        raise DeliveryError(f"SMTP at {where}: {exc.__class__.__name__}: {exc}") from exc


class DigestSender:
    name = "digest"

    def __init__(self, settings: Settings, store: Store, env: Env) -> None:
        self.settings = settings.digest
        self.titles = {s.name: s.title or s.name for s in settings.sagas}
        self.alert_log = AlertLog(store)
        self.sent = DigestStore(store)
        self._user = env.monitor_smtp_user
        self._password = env.monitor_smtp_password
        self._scheduler: AsyncIOScheduler | None = None
        self._busy: asyncio.Task[int] | None = None

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
        self._scheduler.add_job(
            self._tick,
            CronTrigger(minute=0, timezone=UTC),
            id="digest",
            name="daily digest",
            coalesce=True,
            max_instances=1,
            next_run_time=utcnow(),  # a start after hour_utc sends the day's digest if due
        )
        self._scheduler.start()
        log.info(
            "daily digest at %02d:00 UTC to %d address(es)", self.settings.hour_utc,
            len(self.settings.to),
        )  # fmt: skip

    async def _tick(self) -> None:
        self._busy = asyncio.ensure_future(self.send_due())
        try:
            await asyncio.shield(self._busy)
        except MonitorError as exc:
            log.warning("daily digest not sent (tried again next hour): %s", exc)

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.pause()
        if self._busy is not None and not self._busy.done():
            await asyncio.gather(self._busy, return_exceptions=True)
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    async def send_due(self, now: datetime | None = None) -> int:
        """Send the digest(s) of the day if due and not sent yet; returns how many emails
        went out. Raises MonitorError (Redis or SMTP): what was not sent is not marked."""
        window = due_window(now or utcnow(), self.settings.hour_utc)
        if window is None:
            return 0
        groups = (
            [(saga, [saga]) for saga in self.titles]
            if self.settings.per_saga
            else [(ALL_SAGAS, list(self.titles))]
        )
        sent = 0
        for scope, sagas in groups:
            if await self.sent.was_sent(window.day, scope):
                continue
            sections = [s for s in [await self._section(g, window) for g in sagas] if s.alerts]
            count = sum(len(s.alerts) for s in sections)
            if sections:
                msg = compose(sections, window, self.settings)
                await asyncio.to_thread(send_email, msg, self.settings, self._user, self._password)
                sent += 1
                log.info("daily digest %s sent: %d alert(s) (%s)", window.day, count, scope)
            await self.sent.mark_sent(window.day, scope, alerts=count)
        return sent

    async def _section(self, saga: str, window: Window) -> Section:
        rows = await asyncio.to_thread(
            self.alert_log.between,
            saga,
            since_ms=int(window.since.timestamp() * 1000),
            until_ms=int(window.until.timestamp() * 1000),
        )
        alerts = tuple(Alert.from_dict(json.loads(r)) for r in rows)
        return Section(self.titles[saga], alerts)
