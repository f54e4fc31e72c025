"""A warm process that forks daemons: ``monitor run`` without paying spaCy at every start.

A daemon process that is killed has to be started again, and each start of ``monitor run``
loads spaCy and the sentence encoder (8-15 s, more on a busy machine). This process loads
them once, then forks a daemon per request: the child is a real daemon process of its own
(its own event loop, embedded redis-server, sockets), running ``run_daemon`` as ``monitor
run`` does, on the analyzer it inherited. A test can SIGKILL it at any point.

Protocol, one JSON object per line on stdin, one answer per line on stdout:

    {"run": CONFIG, "log": PATH, "burst": false, "env": {...}}  ->  {"pid": PID}
    {"wait": PID}                                               ->  {"status": EXIT_STATUS}

``wait`` reaps the child (a killed one answers -9). Run as ``python tests/daemon_forks.py
CACHE_DIR`` (CACHE_DIR: the compiled-regex cache, shared by the test session).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any


def _child(request: dict[str, Any], analyzer: Any) -> int:
    """In the forked child: stdin/stdout are the parent's pipe, stderr goes to the log."""
    from monitor.cli import setup_logging
    from monitor.config import load_settings
    from monitor.daemon import run_daemon

    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 2)
    os.environ.update(request.get("env", {}))
    settings = load_settings(Path(request["run"]))
    setup_logging(settings.log_level, "text")
    return run_daemon(settings, burst=bool(request.get("burst")), analyzer=analyzer)


def _warm(analyzer: Any) -> None:
    """Load now what a daemon's first batch loads: spaCy, the sentence encoder, the
    language identifier, the place names."""
    from monitor.language import detect_language
    from monitor.novelty.places import place_names
    from monitor.types import Document

    analyzer.warm()
    doc = Document("warm", "Sam Altman returns", "OpenAI said Sam Altman returns.", "warm")
    analyzer.leads([doc])
    analyzer.analyze([doc])
    detect_language("Sam Altman returns to OpenAI as its chief", ["en", "fr", "pl"])
    place_names()


def main() -> int:
    import monitor.cli
    import monitor.daemon  # noqa: F401  (imported once here, not in every daemon)
    from monitor.config import NLPSettings
    from monitor.nlp_pool import make_analyzer

    analyzer = make_analyzer(NLPSettings(workers=0), regex_cache=Path(sys.argv[1]))
    _warm(analyzer)
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "wait" in request:
            _, status = os.waitpid(int(request["wait"]), 0)
            answer = {"status": os.waitstatus_to_exitcode(status)}
        else:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    code = _child(request, analyzer)
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(code)
            answer = {"pid": pid}
        print(json.dumps(answer), flush=True)
    return 0


class Forks:
    """The test's side: the warm process, asked for daemons (``run``) and their ends
    (``wait``). ``env``: the warm process's environment, which its daemons inherit."""

    def __init__(self, cache_dir: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(cache_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        self._ready = False  # it warms up while the test sets up: read at the first request

    def _answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the warm process ended (status {self.proc.wait(10)})")
        return dict(json.loads(line))

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        if not self._ready:
            self._ready = bool(self._answer()["ready"])
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def run(self, config: Path, log: Path, *, burst: bool = False, **env: str) -> int:
        """A daemon forked on ``config`` (``run --burst`` with ``burst``): its pid."""
        request = {"run": str(config), "log": str(log), "burst": burst, "env": env}
        return int(self._ask(request)["pid"])

    def wait(self, pid: int) -> int:
        """Reap daemon ``pid``: its exit status (-9: killed by SIGKILL)."""
        return int(self._ask({"wait": pid})["status"])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
