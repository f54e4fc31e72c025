"""Group commit (monitor/store/batch.py) on the session's embedded Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
import redis
from redis.asyncio.client import Pipeline

from monitor.store import Keys, Store
from monitor.store.batch import GroupCommit


@pytest.fixture
async def store(redis_server: Store, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    s = Store(
        redis_server.redis, Keys(f"t{abs(hash(request.node.nodeid))}"),
        socket_path=redis_server.socket_path,
    )  # fmt: skip
    yield s
    s.drop_namespace()
    await s.aclose()


def execs(store: Store) -> int:
    stats = cast(dict[str, Any], store.redis.info("commandstats"))
    return int(stats.get("cmdstat_exec", {}).get("calls", 0))


async def test_concurrent_callers_share_one_transaction_and_get_their_own_replies(
    store: Store,
) -> None:
    batch = GroupCommit(store.aio)
    keys = [f"{store.keys.prefix}:k{i}" for i in range(40)]
    before = execs(store)

    async def caller(i: int) -> list[object]:
        def queue(pipe: Pipeline) -> None:
            pipe.set(keys[i], i)
            pipe.incrby(keys[i], 1000)

        return await batch.run(queue, count=2, atomic=True)

    replies = await asyncio.gather(*(caller(i) for i in range(40)))
    await batch.aclose()
    assert replies == [[True, 1000 + i] for i in range(40)]
    assert execs(store) - before == 1  # all 40 in one MULTI/EXEC
    assert [int(v) for v in cast(list[bytes], store.redis.mget(keys))] == [
        1000 + i for i in range(40)]


async def test_a_failing_command_is_its_callers_error_only(store: Store) -> None:
    batch = GroupCommit(store.aio)
    text = f"{store.keys.prefix}:text"
    store.redis.set(text, "not a hash")

    async def good() -> list[object]:
        return await batch.run(lambda pipe: pipe.hset(f"{text}:h", "f", "v"), count=1)

    async def bad() -> list[object]:
        return await batch.run(lambda pipe: pipe.hset(text, "f", "v"), count=1)

    ok, wrong = await asyncio.gather(good(), bad())
    assert ok == [1]
    assert isinstance(wrong[0], redis.ResponseError)  # WRONGTYPE, handed to its caller
    assert store.redis.hget(f"{text}:h", "f") == b"v"


# A lost connection (every caller of the pipeline fails, as a redis ConnectionError under
# the StoreError): tests/test_poller_outage.py kills the embedded redis-server mid-cycle.
