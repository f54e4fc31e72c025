"""sd_notify over a real unix datagram socket."""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from collections.abc import Iterator

import pytest

from monitor.systemd import Notifier


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    d = tempfile.mkdtemp(prefix="sdn")
    path = os.path.join(d, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2)
    yield path, sock
    sock.close()
    if os.path.exists(path):
        os.unlink(path)
    os.rmdir(d)


def test_no_socket_is_a_silent_no_op() -> None:
    n = Notifier.from_env({})
    assert not n.enabled
    assert n.ready("x") is False
    assert n.watchdog() is False
    assert n.watchdog_interval_s is None


def test_messages_arrive_as_datagrams(listener: tuple[str, socket.socket]) -> None:
    path, sock = listener
    n = Notifier.from_env({"NOTIFY_SOCKET": path})
    assert n.ready("running: 3 feeds")
    assert sock.recv(4096) == b"READY=1\nSTATUS=running: 3 feeds"
    assert n.status("polling")
    assert sock.recv(4096) == b"STATUS=polling"
    assert n.watchdog()
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert n.stopping()
    assert sock.recv(4096) == b"STOPPING=1"
    assert n.reloading()
    lines = sock.recv(4096).decode().split("\n")
    assert lines[0] == "RELOADING=1" and lines[1].startswith("MONOTONIC_USEC=")
    n.close()


def test_abstract_socket_address() -> None:
    name = f"monitor-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2)
    try:
        n = Notifier.from_env({"NOTIFY_SOCKET": "@" + name})
        assert n.ready()
        assert sock.recv(4096) == b"READY=1"
        n.close()
    finally:
        sock.close()


def test_watchdog_interval_is_half_of_watchdog_usec() -> None:
    env = {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000"}
    assert Notifier.from_env(env).watchdog_interval_s == 15.0
    # WATCHDOG_PID names another process: the watchdog is not ours
    other = {**env, "WATCHDOG_PID": str(os.getpid() + 1)}
    assert Notifier.from_env(other).watchdog_interval_s is None
    ours = {**env, "WATCHDOG_PID": str(os.getpid())}
    assert Notifier.from_env(ours).watchdog_interval_s == 15.0
    assert Notifier.from_env({"WATCHDOG_USEC": "30000000"}).watchdog_interval_s is None


def test_a_vanished_socket_warns_once_and_never_raises(
    listener: tuple[str, socket.socket], caplog: pytest.LogCaptureFixture
) -> None:
    path, sock = listener
    n = Notifier.from_env({"NOTIFY_SOCKET": path})
    sock.close()
    os.unlink(path)
    with caplog.at_level(logging.WARNING, logger="monitor.systemd"):
        assert n.watchdog() is False
        assert n.watchdog() is False
    assert len([r for r in caplog.records if "sd_notify" in r.getMessage()]) == 1
    n.close()
