"""End-to-end throughput, stage by stage (plain script, prints numbers).

    .venv/bin/python benchmarks/pipeline.py [--day 2023-11-20] [--repeat N]

Stages measured so far (one core):
  prefilter   items/s over a day of ../shared/rss-dev (title + summary + link)
  extraction  pages/s of trafilatura on the article pages in tests/fixtures/articles,
              alone and through Extractor.fetch from a 127.0.0.1 server (HTTP + decode
              + trafilatura + language)
  daily cost  CPU seconds for one day of rss-dev: prefilter on every item, extraction
              on every candidate (at the mean fixture cost)
NER and matching (nlp.py, match.py) are to be added here with 1 and 2 worker processes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from prefilter import RSS_DEV, TERMS, load_items, load_terms  # noqa: E402

from monitor.config import ExtractSettings, PollingSettings  # noqa: E402
from monitor.extract import Extractor, decode_html, detect_language, extract_html  # noqa: E402
from monitor.feeds import make_client  # noqa: E402
from monitor.prefilter import Prefilter  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "articles"


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` runs of ``fn``."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def bench_prefilter(day: str, repeat: int) -> tuple[float, int, int]:
    items = [it for d, it in load_items(RSS_DEV) if d == day]
    pf = Prefilter.build(load_terms(TERMS))
    candidates = sum(pf.is_candidate(it) for it in items)
    secs = timed(lambda: [pf.is_candidate(it) for it in items], repeat)
    print(f"prefilter   {day}: {len(items)} items, {candidates} candidates")
    print(f"            {len(items) / secs:,.0f} items/s ({secs * 1000:.0f} ms for the day)")
    return secs, len(items), candidates


def bench_extraction(repeat: int) -> float:
    detect_language("warm the detector up before timing", ["en", "fr", "pl"])
    pages = {p.name: decode_html(p.read_bytes()) for p in sorted(PAGES.glob("*.html"))}
    per_page = {}
    for name, html in pages.items():
        per_page[name] = timed(lambda html=html: extract_html(html, "https://example.org/"), repeat)
        words = len((extract_html(html) or _empty()).text.split())
        print(f"extraction  {name:28s} {per_page[name] * 1000:6.1f} ms  {words:4d} words")
    mean = statistics.mean(per_page.values())
    print(
        f"            mean {mean * 1000:.1f} ms/page, {1 / mean:,.0f} pages/s (trafilatura alone)"
    )
    return mean


def _empty() -> object:
    class E:
        text = ""

    return E()


@contextmanager
def _serve(pages: dict[str, bytes]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.lstrip("/"), b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def bench_fetch(repeat: int) -> None:
    pages = {p.name: p.read_bytes() for p in sorted(PAGES.glob("*.html"))}
    polling = PollingSettings(allow_private_hosts=True)

    async def run(base: str) -> float:
        async with make_client(polling) as client:
            ex = Extractor(client, polling=polling, extract=ExtractSettings())
            urls = [f"{base}/{name}" for name in pages] * repeat
            t0 = time.perf_counter()
            for url in urls:  # sequential: the cost of one page, not concurrency
                await ex.fetch(url)
            return len(urls) / (time.perf_counter() - t0)

    with _serve(pages) as base:
        rate = asyncio.run(run(base))
    print(f"fetch       Extractor.fetch from 127.0.0.1: {rate:,.0f} pages/s (HTTP+decode+extract)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--day", default="2023-11-20", help="rss-dev day (busiest: 2023-11-20)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    pf_secs, n_items, n_cand = bench_prefilter(args.day, args.repeat)
    page_secs = bench_extraction(args.repeat)
    bench_fetch(args.repeat)
    extract_secs = n_cand * page_secs
    print(
        f"daily cost  {args.day}: prefilter {pf_secs:.2f} s on {n_items} items + extraction "
        f"{extract_secs:.2f} s on {n_cand} candidates = {pf_secs + extract_secs:.2f} CPU s "
        "(before NER and matching)"
    )


if __name__ == "__main__":
    main()
