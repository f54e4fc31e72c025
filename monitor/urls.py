"""What of a URL may leave the process: credentials out, and only web links in alerts.

Feed URLs and Redis URLs can carry secrets (``https://user:pass@host/feed``,
``?token=...``, ``redis://:password@host``, ``?password=``). Logs, error messages and alert
payloads go to places those secrets must not reach (journald, Slack, a webhook receiver),
so everything that prints a URL goes through :func:`redact`; a link an alert offers to be
clicked goes through :func:`web_link` (a feed may carry ``javascript:`` or ``file:`` links).

Hand-written rather than a URL library: the job is a substitution over arbitrary text
(a log line, an exception message) where URLs are embedded, not parsing one URL.
"""

from __future__ import annotations

import re

# Query parameters whose values are secrets (case-insensitive, whole names).
SECRET_PARAMS = (
    "token", "access_token", "auth", "authorization", "key", "api_key", "apikey", "secret",
    "client_secret", "password", "passwd", "pass", "pwd", "sig", "signature", "session",
)  # fmt: skip

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]*@")
_PARAM = re.compile(
    r"(?i)([?&;](?:" + "|".join(SECRET_PARAMS) + r")=)[^&#\s'\"<>]*"
)


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``***``."""
    if "://" not in text and "=" not in text:
        return text
    return _PARAM.sub(r"\1***", _USERINFO.sub(r"\1***@", text))


def web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) link (redacted), else None."""
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    return redact(url)
