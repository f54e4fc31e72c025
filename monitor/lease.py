"""Exactly one active scheduler: a lease in Redis, renewed by its holder, taken over by a
standby when the holder dies.

::

    standby --acquired (SET NX PX)--> holding --renewed (Lua CAS)--> holding
       ^                                 |
       +------------ fenced -------------+  renewal refused (not our token any more), or
                                            no renewal confirmed before the validity ends

Time. Redis expires the key by its own clock; the holder counts by its monotonic clock
from the moment it *sent* the command that Redis confirmed (never from the answer: the
command may have waited in a socket). The lease is ours until ``valid_until = sent_at +
ttl - margin``, the margin covering clock-rate drift between the two machines (1 % of
the TTL plus 2 ms, as Redlock counts it). No wall clock, no clock synchronisation needed:
only that the two clocks *tick* at nearly the same rate. A holder renews every third of
the TTL, so two renewals can fail before it fences itself; the holder stops scheduling
(fences) as soon as a renewal is refused or when ``valid_until`` passes unconfirmed
(Redis unreachable, a command hanging: each is bounded by what is left of the validity).
A standby tries to acquire every third of the TTL, and just after the holder's lease
expires if that is sooner (it reads the key's PTTL), so it takes over within the TTL of
the holder's death.

What a lease cannot guarantee alone: a holder whose process is frozen (SIGSTOP, a swap
storm) past its validity runs again believing it holds; its jobs are on the same event
loop as the keeper, so it can run at most one step before the keeper notices. Work that
must never be done twice is idempotent downstream (alert ids, the outbox). What the
scheduler publishes for other processes (due polls, monitor.polls) is fenced: every
acquisition increments the lease's epoch (``P:lease:<name>:epoch``, in the same Lua step
as the ``SET NX``); the holder stamps its epoch on each due poll, the publish script
refuses a stale epoch and poll workers drop an entry whose epoch is not the current one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.lease import Lease, LeaseHolder, new_token

log = logging.getLogger(__name__)

# The scheduler's lease (key P:lease:scheduler).
SCHEDULER_LEASE = "scheduler"
# Margin for clock-rate drift between the holder and Redis: this share of the TTL plus
# a constant (Redlock's figures).
CLOCK_DRIFT = 0.01
DRIFT_MIN_S = 0.002
# Renew (holder) and retry (standby) this many times per TTL.
STEPS_PER_TTL = 3
# While renewals fail (Redis unreachable), the holder tries again this much more often.
RETRY_DIVISOR = 4
# A standby tries again this long after the holder's lease should have expired.
EXPIRY_SLACK_S = 0.005
# Releasing the lease on stop waits at most this long for Redis.
RELEASE_TIMEOUT_S = 1.0


@dataclass(frozen=True, slots=True)
class LeasePolicy:
    """The lease's timing, all in seconds of the holder's monotonic clock."""

    ttl_s: float
    renew_every_s: float
    retry_every_s: float
    margin_s: float

    @classmethod
    def from_ttl(cls, ttl_s: float) -> LeasePolicy:
        if ttl_s <= 0:
            raise ValueError("a lease TTL must be positive")
        step = ttl_s / STEPS_PER_TTL
        return cls(ttl_s, step, step, ttl_s * CLOCK_DRIFT + DRIFT_MIN_S)

    def valid_until(self, sent_at: float) -> float:
        """Until when a lease confirmed by a command sent at ``sent_at`` is surely ours."""
        return sent_at + self.ttl_s - self.margin_s

    def standby_wait(self, holder_ttl_s: float) -> float:
        """A standby's wait before its next try: a third of the TTL, or just past the
        moment the holder's lease expires if that is sooner (a dead holder's lease is taken
        within the TTL of its death, not a retry step later)."""
        if holder_ttl_s <= 0:
            return self.retry_every_s
        return min(self.retry_every_s, holder_ttl_s + EXPIRY_SLACK_S)

    def after_failure(self, now: float, valid_until: float) -> float:
        """Wait before the next renewal once one failed: sooner, never past the validity
        (the next step fences when it has run out)."""
        return max(0.0, min(self.renew_every_s / RETRY_DIVISOR, valid_until - now))


class LeaseKeeper:
    """Holds, or waits for, one lease. :meth:`step` is one acquisition (standby) or
    renewal (holding) attempt and returns how long to wait before the next; ``on_change``
    hears every change of :attr:`holding`. Each of acquisition, loss and takeover is
    logged once; a renewal failing (Redis away) is logged once per outage."""

    def __init__(
        self,
        lease: Lease,
        policy: LeasePolicy,
        on_change: Callable[[bool], None] = lambda holding: None,
        *,
        clock: Callable[[], float] = time.monotonic,
        what: str = SCHEDULER_LEASE,
    ) -> None:
        self.lease = lease
        self.policy = policy
        self.on_change = on_change
        self.clock = clock
        self.what = what
        self.holding = False
        self.valid_until = 0.0
        self._seen: str | None = None  # the other holder a standby saw (for the takeover log)
        self._failing = False

    def valid(self) -> bool:
        """Whether this process holds the lease for sure now (check before acting as the
        one scheduler)."""
        return self.holding and self.clock() < self.valid_until

    def epoch(self) -> int | None:
        """The fencing epoch to stamp on what the holder publishes; None unless
        :meth:`valid` (publish nothing then)."""
        return self.lease.epoch if self.valid() else None

    async def step(self) -> float:
        if self.holding:
            return await self._renew()
        return await self._acquire()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(await self.step())

    async def release(self) -> None:
        """Give the lease up (on stop) so a standby takes over at its next retry."""
        if not self.holding:
            return
        self._set(False)
        try:
            if await asyncio.wait_for(self.lease.release(), RELEASE_TIMEOUT_S):
                log.info("%s lease released (%s)", self.what, self.lease.token)
        except (StoreError, TimeoutError) as exc:
            log.warning("%s lease not released (%s): it expires by itself", self.what, exc)

    async def _acquire(self) -> float:
        sent_at = self.clock()
        try:
            ok = await asyncio.wait_for(self.lease.acquire(), self.policy.retry_every_s)
            other = None if ok else await self.lease.holder()
        except (StoreError, TimeoutError) as exc:
            log.debug("%s lease: no answer from Redis (%s)", self.what, exc)
            return self.policy.retry_every_s
        if not ok:
            self._standby(other)
            return self.policy.standby_wait(other.ttl_ms / 1000 if other else 0.0)
        self.valid_until = self.policy.valid_until(sent_at)
        if self._seen:
            log.warning(
                "%s lease taken over from %s (it stopped renewing): this process is the one "
                "%s now (%s)", self.what, self._seen, self.what, self.lease.token,
            )  # fmt: skip
        else:
            log.info("%s lease acquired: this process is the one %s (%s, ttl %.1fs)",
                     self.what, self.what, self.lease.token, self.policy.ttl_s)  # fmt: skip
        self._seen = None
        self._set(True)
        return self.policy.renew_every_s

    def _standby(self, other: LeaseHolder | None) -> None:
        token = other.token if other else "(expired)"
        if self._seen is None:
            log.info("%s lease held by %s: standing by", self.what, token)
        self._seen = token

    async def _renew(self) -> float:
        sent_at = self.clock()
        left = self.valid_until - sent_at
        if left <= 0:
            return self._fence("no renewal confirmed within the lease time")
        other: LeaseHolder | None = None
        try:
            ok = await asyncio.wait_for(self.lease.renew(), left)
            if not ok:  # gone (Redis lost its data) and free again: SET NX, ours for sure
                ok = await asyncio.wait_for(self.lease.acquire(), left)
                other = None if ok else await self.lease.holder()
        except (StoreError, TimeoutError) as exc:
            if not self._failing:
                log.warning("%s lease not renewed (%s): fenced in %.1fs unless Redis confirms",
                            self.what, str(exc) or "no answer in time", left)  # fmt: skip
                self._failing = True
            if self.clock() >= self.valid_until:
                return self._fence("no renewal confirmed within the lease time")
            return self.policy.after_failure(self.clock(), self.valid_until)
        if not ok:
            holder = other.token if other else "nobody"
            return self._fence(f"it is held by {holder} now")
        if self._failing:
            log.info("%s lease renewed again", self.what)
            self._failing = False
        self.valid_until = self.policy.valid_until(sent_at)
        return self.policy.renew_every_s

    def _fence(self, why: str) -> float:
        log.error("%s lease lost (%s): this process stops scheduling", self.what, why)
        self._failing = False
        self._set(False)
        return 0.0  # try again at once: a standby now

    def _set(self, holding: bool) -> None:
        if holding != self.holding:
            self.holding = holding
            self.on_change(holding)


class Component(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Leased:
    """A component that runs only while this process holds the lease (the daemon's
    scheduler): started when it is acquired, stopped as soon as it is lost, the lease
    released when the daemon stops. The first acquisition is tried in :meth:`start`, so a
    lone daemon schedules at once, as without a lease. Holding and starting happen on two
    tasks: a slow start never delays a renewal."""

    def __init__(
        self, inner: Component, store: Store, ttl_s: float, *, name: str = SCHEDULER_LEASE
    ) -> None:
        self.inner = inner
        self.name = str(getattr(inner, "name", name))
        self.store = store
        self.lease_name = name
        self.policy = LeasePolicy.from_ttl(ttl_s)
        self.keeper: LeaseKeeper | None = None
        self._changed = asyncio.Event()
        self._started = False
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def holding(self) -> bool:
        return self.keeper is not None and self.keeper.holding

    def epoch(self) -> int | None:
        """The lease's fencing epoch while it is surely held, else None."""
        return self.keeper.epoch() if self.keeper is not None else None

    async def start(self) -> None:
        lease = Lease(self.store, self.lease_name, new_token(), self.policy.ttl_s)
        self.keeper = keeper = LeaseKeeper(lease, self.policy, lambda _: self._changed.set())
        first_wait = await keeper.step()
        await self._follow_once()
        self._tasks = [
            asyncio.create_task(self._keep(first_wait), name="lease-keeper"),
            asyncio.create_task(self._follow(), name="lease-follower"),
        ]

    async def _keep(self, first_wait: float) -> None:
        assert self.keeper is not None
        await asyncio.sleep(first_wait)
        await self.keeper.run()

    async def _follow(self) -> None:
        while True:
            await self._changed.wait()
            await self._follow_once()

    async def _follow_once(self) -> None:
        """Bring the inner component in line with the lease: started while held, stopped
        once lost. A start that fails gives the lease up (another process may do better)."""
        self._changed.clear()
        if self.holding and not self._started:
            self._started = True  # maybe half-started if cancelled: stop() stops it
            try:
                await self.inner.start()
            except Exception:
                log.exception("%s did not start: giving the lease up", self.name)
                with suppress(Exception):
                    await self.inner.stop()
                self._started = False
                assert self.keeper is not None
                await self.keeper.release()
        elif not self.holding and self._started:
            await self.inner.stop()
            self._started = False

    async def stop(self) -> None:
        """Stop scheduling first, then release the lease: a standby takes over at once.
        Called again (``GracefulStop`` past its grace) it stops the inner component again."""
        tasks, self._tasks = self._tasks, []
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._started:
            await self.inner.stop()
            self._started = False
        if self.keeper is not None:
            await self.keeper.release()

    async def standby_for(self) -> str | None:
        """While this process stands by: who holds the lease (``"nobody"`` between two
        holders); None while it holds it, or before the first try (for /healthz)."""
        if self.keeper is None or self.keeper.holding:
            return None
        try:
            other = await self.keeper.lease.holder()
        except StoreError:
            return None
        return other.token if other else "nobody"
