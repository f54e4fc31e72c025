"""Which named processes are gone: only this machine's, never this one, never one alive."""

from __future__ import annotations

import os
import socket
import subprocess

from monitor.processes import local_process_gone


def test_only_a_process_of_this_machine_that_ended_is_gone() -> None:
    host = socket.gethostname()
    with subprocess.Popen(["sleep", "30"]) as alive:
        assert not local_process_gone(host, str(alive.pid))
        alive.kill()
        alive.wait()
    assert local_process_gone(host, str(alive.pid))
    assert not local_process_gone("another-host", str(alive.pid))
    assert not local_process_gone(host, str(os.getpid()))
    assert not local_process_gone(host, "not-a-pid")
