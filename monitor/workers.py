"""Worker processes that never outlive the daemon, even when it is killed with SIGKILL.

A ``ProcessPoolExecutor`` worker whose parent dies waits forever on its task queue: it
holds the queue's write end itself, so it never reads EOF. A ``forkserver`` worker also
holds the fork server's "alive" pipe and the resource tracker's pipe, so the fork server
and the tracker wait for it in turn: one stuck worker keeps three processes alive.

:func:`exit_with` makes a worker watch the daemon's pid and leave as soon as it is gone;
the fork server and the resource tracker then read EOF and exit by themselves.

Why a pid watch and not ``prctl(PR_SET_PDEATHSIG)``: the death signal follows the *thread*
that forked the child, not the process (the NLP pool is started from a pipeline batch
thread, which ends with the batch: its workers would be killed mid-run), and a fork
server's worker is the child of the fork server, not of the daemon, so its parent's death
never comes. Watching the daemon's pid from each worker covers both, and is portable.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

WATCH_S = 0.5


def alive(pid: int) -> bool:
    """A process runs under ``pid`` (a zombie waiting to be reaped has stopped running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: os.kill said it exists
    return state not in ("Z", "X")


def exit_with(pid: int, *, interval_s: float = WATCH_S) -> threading.Thread:
    """In a worker: exit (``os._exit``) within ``interval_s`` of process ``pid`` ending."""

    def watch() -> None:
        while alive(pid):
            time.sleep(interval_s)
        os._exit(1)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread
