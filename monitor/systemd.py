"""sd_notify: tell systemd how the service is, over ``$NOTIFY_SOCKET``.

The protocol is a datagram of ``KEY=value`` lines on a unix socket (an ``@`` prefix
means the abstract namespace). Without ``NOTIFY_SOCKET`` (not run by systemd with
``Type=notify``) every call is a no-op, so the daemon never needs to ask.

    READY=1       start-up done: the store answered a ping, the scheduler runs
    STATUS=...    one human line shown by ``systemctl status``
    RELOADING=1   SIGHUP: the config is being read again (READY=1 again when done)
    STOPPING=1    shutdown began
    WATCHDOG=1    the event loop is alive; sent every ``WATCHDOG_USEC / 2``

Ours rather than a library: systemd-python and cysystemd are C extensions over libsystemd
(a build against its headers, on a daemon that only sends a datagram); sdnotify (pure
Python) was last released in 2017, does not read ``WATCHDOG_USEC``/``WATCHDOG_PID`` and
raises or stays silent on a broken socket where we warn once. The protocol is one sendto().
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends sd_notify messages; a silent no-op when there is no socket."""

    def __init__(self, socket_path: str | None, *, watchdog_usec: int | None = None) -> None:
        self.address: str | None = None
        if socket_path:
            # "@name" is an abstract socket: its address starts with a NUL byte.
            self.address = "\0" + socket_path[1:] if socket_path.startswith("@") else socket_path
        self.watchdog_usec = watchdog_usec if watchdog_usec and watchdog_usec > 0 else None
        self._sock: socket.socket | None = None
        self._warned = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """Read ``NOTIFY_SOCKET``, ``WATCHDOG_USEC`` and ``WATCHDOG_PID`` (sd_watchdog_enabled)."""
        env = os.environ if environ is None else environ
        usec: int | None = None
        pid = env.get("WATCHDOG_PID", "")
        if not pid or pid == str(os.getpid()):
            try:
                usec = int(env.get("WATCHDOG_USEC", "") or 0) or None
            except ValueError:
                log.warning("ignoring invalid WATCHDOG_USEC=%r", env.get("WATCHDOG_USEC"))
        return cls(env.get("NOTIFY_SOCKET") or None, watchdog_usec=usec)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def watchdog_interval_s(self) -> float | None:
        """How often to send WATCHDOG=1: half the timeout systemd gave us, or None."""
        if not self.enabled or self.watchdog_usec is None:
            return None
        return self.watchdog_usec / 2 / 1_000_000

    def notify(self, *lines: str) -> bool:
        """Send one datagram of ``KEY=value`` lines; returns whether it was sent."""
        if self.address is None:
            return False
        payload = "\n".join(lines).encode("utf-8")
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.setblocking(False)
            self._sock.sendto(payload, self.address)
        except OSError as exc:
            if not self._warned:  # once: a broken socket must not flood the journal
                log.warning("sd_notify to %s failed: %s", self.address.lstrip("\0"), exc)
                self._warned = True
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")

    def stopping(self, status: str = "") -> bool:
        return self.notify("STOPPING=1", *([f"STATUS={status}"] if status else []))

    def reloading(self, status: str = "") -> bool:
        """Reload began; :meth:`ready` ends it. systemd asks for the monotonic time with it."""
        now_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        lines = ["RELOADING=1", f"MONOTONIC_USEC={now_usec}"]
        return self.notify(*lines, *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
