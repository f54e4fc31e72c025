"""Generic webhook sink, signed as the Standard Webhooks spec says.

Every POST carries::

    webhook-id:         the message id (the alert id; stable across retries: dedup on it)
    webhook-timestamp:  Unix seconds of this attempt
    webhook-signature:  v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>">

The secret comes from ``MONITOR_WEBHOOK_SECRET``. In the spec's form ``whsec_<base64>`` the
key is the decoded bytes; any other value is used as UTF-8 bytes. The body is the JSON
documented by ``schemas/alert.v1.json``.

The HMAC itself is the reference library's (``standardwebhooks.Webhook.sign``), so what we
send is what its ``verify`` checks (tests/test_alerts.py receivers verify every attempt with
it). The key parsing stays ours, for two concrete reasons: ``Webhook(str)`` decodes with
``b64decode(s + "==")`` without validation, so a mistyped ``whsec_`` secret silently signs
with a garbage key (ours fails at start-up with ConfigError); and it base64-decodes *any*
string, while our documented fallback (README) keys a non-``whsec_`` secret by its UTF-8
bytes, so existing receivers keep verifying. A receiver using the library with such a plain
secret passes its bytes: ``Webhook(secret.encode())``.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from pydantic import SecretStr
from standardwebhooks import Webhook
from standardwebhooks.webhooks import EmptyWebhookSecretError

from monitor.alerts.delivery import Delivery, post
from monitor.alerts.message import Message
from monitor.errors import ConfigError

SECRET_PREFIX = "whsec_"


def signing_key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except binascii.Error as exc:
            raise ConfigError("MONITOR_WEBHOOK_SECRET: whsec_ value is not base64") from exc
    return secret.encode("utf-8")


def signer(key: bytes) -> Webhook:
    try:
        return Webhook(key)  # bytes: used as the key as they are
    except EmptyWebhookSecretError as exc:
        raise ConfigError("MONITOR_WEBHOOK_SECRET is empty") from exc


def sign(key: bytes | Webhook, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``<id>.<timestamp>.<body>``; the body is UTF-8 JSON."""
    webhook = key if isinstance(key, Webhook) else signer(key)
    return webhook.sign(msg_id, datetime.fromtimestamp(timestamp, UTC), body.decode("utf-8"))


class WebhookSink:
    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: SecretStr,
        *,
        rate_per_s: float = 0.0,
        timeout_s: float = 10.0,
        max_bytes: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.max_bytes = max_bytes
        self._signer = signer(signing_key(secret.get_secret_value()))
        self.rate_per_s = rate_per_s
        self.timeout_s = timeout_s
        self._clock = clock

    def __repr__(self) -> str:
        return f"WebhookSink(url={self.url!r})"

    def request(self, message: Message) -> tuple[bytes, dict[str, str]]:
        """Body and headers of one attempt (signed with this attempt's timestamp)."""
        now = self._clock()
        payload = message.payload(
            timestamp=datetime.fromtimestamp(now, UTC), max_bytes=self.max_bytes
        )
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        ts = int(now)
        headers = {
            "content-type": "application/json",
            "webhook-id": message.id,
            "webhook-timestamp": str(ts),
            "webhook-signature": sign(self._signer, message.id, ts, body),
        }
        return body, headers

    async def deliver(self, message: Message, client: httpx.AsyncClient) -> Delivery:
        body, headers = self.request(message)
        return await post(client, self.url, content=body, headers=headers, timeout_s=self.timeout_s)
