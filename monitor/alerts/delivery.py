"""One delivery attempt and its classified result, shared by the HTTP sinks.

A sink never raises for a failed delivery: it returns a :class:`Delivery` saying whether
the message got through (``DELIVERED``, a 2xx), may get through later (``RETRY``: network
error, timeout, 408/425/429/5xx, with the server's ``Retry-After`` when it gave one) or
never will as configured (``REJECTED``: any other status, e.g. a revoked Slack hook).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import httpx

from monitor.alerts.message import Message
from monitor.feeds import parse_retry_after  # one parser for both HTTP clients

_RETRY_STATUSES = frozenset({408, 425, 429})


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Delivery:
    outcome: Outcome
    status: int | None = None
    retry_after_s: float | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.DELIVERED

    def describe(self) -> str:
        parts = [self.outcome.value]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.retry_after_s is not None:
            parts.append(f"retry after {self.retry_after_s:g}s")
        if self.detail:
            parts.append(self.detail)
        return ", ".join(parts)


DELIVERED = Delivery(Outcome.DELIVERED)


class AsyncSink(Protocol):
    """Where alerts go. ``deliver`` returns a classified result and does not raise."""

    name: str
    rate_per_s: float  # 0 = no limit

    async def deliver(self, message: Message, client: httpx.AsyncClient) -> Delivery: ...


def classify(response: httpx.Response) -> Delivery:
    status = response.status_code
    if 200 <= status < 300:
        return Delivery(Outcome.DELIVERED, status)
    detail = " ".join(response.text[:200].split())
    if status in _RETRY_STATUSES or status >= 500:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return Delivery(Outcome.RETRY, status, retry_after, detail)
    return Delivery(Outcome.REJECTED, status, None, detail)


async def send(
    client: httpx.AsyncClient,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    timeout_s: float,
) -> httpx.Response | Delivery:
    """POST; the response, or a transport error as its classified ``Delivery`` (``RETRY``
    with its kind as detail, ``REJECTED`` for a URL that can never work)."""
    try:
        return await client.post(url, content=content, headers=headers, timeout=timeout_s)
    except httpx.TimeoutException as exc:
        return Delivery(Outcome.RETRY, detail=f"timeout ({exc.__class__.__name__})")
    except httpx.UnsupportedProtocol as exc:
        return Delivery(Outcome.REJECTED, detail=f"invalid URL: {exc}")
    except httpx.TransportError as exc:
        return Delivery(Outcome.RETRY, detail=f"network error: {exc or exc.__class__.__name__}")
    except httpx.InvalidURL as exc:
        return Delivery(Outcome.REJECTED, detail=f"invalid URL: {exc}")


async def post(
    client: httpx.AsyncClient,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    timeout_s: float,
) -> Delivery:
    """POST and classify the answer (see :func:`send` for transport errors)."""
    response = await send(client, url, content=content, headers=headers, timeout_s=timeout_s)
    return response if isinstance(response, Delivery) else classify(response)
