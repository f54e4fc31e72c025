"""Whether a process named in Redis (a stream consumer ``<host>-<pid>``, a lock token
``<host>:<pid>:<random>``) is a process of this machine that is gone: then what it holds
is taken over at once instead of waiting for an idle time or a TTL to run out."""

from __future__ import annotations

import os
import socket

__all__ = ["local_process_gone"]


def local_process_gone(host: str, pid: str) -> bool:
    """``pid`` on ``host`` is a process of this machine, not this one, that no longer
    exists. Another machine's process, or one we may not signal, is never "gone"."""
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
