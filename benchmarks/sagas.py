"""CPU per 1,000 feed items with one saga and with two (plain script, prints numbers).

    .venv/bin/python benchmarks/sagas.py [--repeat 3] [--pipeline] [--write-terms]

The two sagas of config/monitor.toml (openai-leadership-2023, svb-2023), their prefilter
terms as their seeded models give them (tests/data/prefilter_terms_<saga>.txt, written by
``--write-terms``, which seeds both sagas with the real NLP). Feed items: every item of
../shared/rss-dev and of ../shared/sagas/svb-2023/rss (every k-th, about ``--items``, 0 = all);
skipped with a message when absent.

select      Pipeline.select's work on every item: *before*, each saga's prefilter in turn
            (``any(pf.is_candidate(it) for pf in filters)``, the code this replaced);
            *after*, one SagaPrefilters (one text, one fold, one search over the union).
pipeline    (--pipeline, minutes) the whole per-item cost (prefilter, lead embeddings, NLP,
            decisions; title + summary, no download) on every k-th item, about
            ``--pipeline-items``, on fresh copies of both seeded models each run: each saga
            alone and both. *before*: the separate prefilters, then every candidate decided
            against every saga; *after*: Pipeline.process_items (one look, each candidate
            decided against the sagas it is a candidate for). The embedded Redis server is
            another process: its CPU is not counted.

CPU seconds of this process (time.process_time: a busy machine does not inflate it), min
and median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from prefilter import RSS_DEV, load_items, load_terms  # noqa: E402

from monitor.config import Settings, load_settings  # noqa: E402
from monitor.prefilter import Prefilter, SagaPrefilters  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.types import FeedItem  # noqa: E402

SVB_RSS = ROOT.parent / "shared" / "sagas" / "svb-2023" / "rss"
CONFIG = ROOT / "config" / "monitor.toml"
SAGAS = ("openai-leadership-2023", "svb-2023")
Row = tuple[str, tuple[float, float], tuple[float, float]]  # label, before, after (min, median)


def terms_file(saga: str) -> Path:
    return ROOT / "tests" / "data" / f"prefilter_terms_{saga}.txt"


def settings(data_dir: Path) -> Settings:
    return load_settings(
        CONFIG,
        data_dir=data_dir,
        overrides={"alerts": {"console": False, "jsonl_path": ""}, "health": {"enabled": False}},
    )


def write_terms() -> None:
    """Seed both sagas of the config (real NLP, embedded Redis in a temp dir) and write
    each model's prefilter terms, one a line."""
    from monitor.pipeline import Pipeline
    from monitor.store import connect

    with TemporaryDirectory() as tmp:
        s = settings(Path(tmp))
        store = connect(None, Path(tmp), prefix="bench", embedded_db="bench.db")
        try:
            pipeline = Pipeline(s, store, emit=lambda alerts: None)
            pipeline.ensure_seeded()
            for saga in s.sagas:
                terms = pipeline.load_model(saga.name).prefilter_terms()
                header = (
                    f"# The prefilter terms of saga {saga.name} as seeded from its seed_dir\n"
                    "# (config/monitor.toml), written by benchmarks/sagas.py --write-terms.\n"
                )
                terms_file(saga.name).write_text(
                    header + "".join(f"{t}\n" for t in terms), encoding="utf-8"
                )
                print(f"{saga.name}: {len(terms)} terms -> {terms_file(saga.name)}")
        finally:
            store.close()


def cpu_runs(fn: Callable[[], object], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        runs.append(time.process_time() - t0)
    return runs


def per_1000(runs: Sequence[float], n: int) -> tuple[float, float]:
    """(min, median) CPU milliseconds per 1,000 items."""
    return min(runs) * 1e6 / n, statistics.median(runs) * 1e6 / n


def bench_select(items: Sequence[FeedItem], repeat: int) -> None:
    filters = {name: Prefilter.build(load_terms(terms_file(name))) for name in SAGAS}
    for name, pf in filters.items():
        print(f"  {name}: {pf!r}")
    rows: list[Row] = []
    for k in (1, 2):
        chosen = [filters[n] for n in SAGAS[:k]]
        combined = SagaPrefilters({n: filters[n] for n in SAGAS[:k]})

        def before(chosen: list[Prefilter] = chosen) -> object:
            return [it for it in items if any(pf.is_candidate(it) for pf in chosen)]

        def after(combined: SagaPrefilters = combined) -> object:
            return [it for it in items if combined.sagas_for(it)]

        assert before() == after()  # the same candidates
        # interleaved, so that a burst of load on the machine hits both alike
        b_runs: list[float] = []
        a_runs: list[float] = []
        for _ in range(repeat):
            b_runs += cpu_runs(before, 1)
            a_runs += cpu_runs(after, 1)
        rows.append(
            (
                f"{k} saga{'s' if k > 1 else ''}",
                per_1000(b_runs, len(items)),
                per_1000(a_runs, len(items)),
            )
        )
    print(f"select: CPU ms per 1,000 items over {len(items):,} items, min / median of {repeat}")
    print_rows(rows)
    b1, a1, b2, a2 = rows[0][1], rows[0][2], rows[1][1], rows[1][2]
    for when, one, two in (("before", b1, b2), ("after", a1, a2)):
        print(f"  two sagas / one saga, {when}: {two[0] / one[0]:.2f}x / {two[1] / one[1]:.2f}x")


def _copy_namespace(store: Store, src: str, dst: str) -> Store:
    r = store.redis
    for key in list(r.scan_iter(match=f"{src}:*", count=1000)):
        name = key.decode() if isinstance(key, bytes) else key
        r.copy(name, dst + name[len(src) :])
    return store.scoped(dst)


def bench_pipeline(items: Sequence[FeedItem], repeat: int) -> None:
    """Pipeline CPU per 1,000 items, on fresh copies of both seeded models each run."""
    from monitor.nlp import Analyzer
    from monitor.pipeline import Outcome, Pipeline, document_from_item
    from monitor.store import connect

    with TemporaryDirectory() as tmp:
        both = settings(Path(tmp))
        configs = [
            *((f"{x.name[:10]} alone", both.model_copy(update={"sagas": [x]})) for x in both.sagas),
            ("both", both),
        ]
        store = connect(None, Path(tmp), prefix="bench", embedded_db="bench.db")
        analyzer = Analyzer(
            both.nlp.model, batch_size=both.nlp.batch_size, max_chars=both.nlp.max_chars
        )
        try:
            seeded = store.scoped("seeded")
            Pipeline(both, seeded, analyzer=analyzer, emit=lambda _: None).ensure_seeded()
            runs = iter(range(1_000_000))

            def fresh(s: Settings) -> Pipeline:
                scratch = _copy_namespace(store, "seeded", f"run{next(runs)}")
                return Pipeline(s, scratch, analyzer=analyzer, emit=lambda _: None)

            decisions: dict[tuple[str, str], int] = {}

            def before(s: Settings, label: str) -> float:
                """The code this replaced: each saga's prefilter in turn, then every
                candidate decided against every saga."""
                p = fresh(s)
                outcomes: list[Outcome] = []
                t0 = time.process_time()
                filters = [pf for x in s.sagas if (pf := p.prefilter(x.name))]
                chosen = [it for it in items if any(pf.is_candidate(it) for pf in filters)]
                p.process([document_from_item(i) for i in chosen], outcomes=outcomes)
                secs = time.process_time() - t0
                p.store.drop_namespace()
                decisions[label, "before"] = len(outcomes)
                return secs

            def after(s: Settings, label: str) -> float:
                p = fresh(s)
                outcomes: list[Outcome] = []
                t0 = time.process_time()
                p.process_items(items, outcomes=outcomes)
                secs = time.process_time() - t0
                p.store.drop_namespace()
                decisions[label, "after"] = len(outcomes)
                return secs

            after(both, "warm-up")  # models loaded, caches filled
            rows: list[Row] = []
            for label, s in configs:
                b_runs: list[float] = []
                a_runs: list[float] = []
                for _ in range(repeat):
                    b_runs.append(before(s, label))
                    a_runs.append(after(s, label))
                rows.append((label, per_1000(b_runs, len(items)), per_1000(a_runs, len(items))))
        finally:
            store.close()
    print(
        f"pipeline (process_items, title + summary): CPU ms per 1,000 items over "
        f"{len(items):,} items, min / median of {repeat}"
    )
    print_rows(rows)
    for label, _ in configs:
        print(
            f"  {label}: {decisions[label, 'before']} decisions (document x saga) before, "
            f"{decisions[label, 'after']} after"
        )
    alone, together_b, together_a = rows[:-1], rows[-1][1], rows[-1][2]
    for when, pick, together in (("before", 1, together_b), ("after", 2, together_a)):
        times = [r[1] if pick == 1 else r[2] for r in alone]
        lo, med = sum(t[0] for t in times), sum(t[1] for t in times)
        print(f"  both / sum of each alone, {when}: {together[0] / lo:.2f}x / "
              f"{together[1] / med:.2f}x")


def print_rows(rows: Sequence[Row]) -> None:
    print(f"  {'':<16} {'before (separate)':>19} {'after (combined)':>19} {'after/before':>15}")
    for label, b, a in rows:
        print(
            f"  {label:<16} {b[0]:>8.1f} / {b[1]:>8.1f} {a[0]:>8.1f} / {a[1]:>8.1f} "
            f"{a[0] / b[0]:>7.2f} / {a[1] / b[1]:.2f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--items", type=int, default=30_000, help="every k-th item, about this many")
    ap.add_argument("--pipeline", action="store_true", help="also the whole pipeline (minutes)")
    ap.add_argument("--pipeline-items", type=int, default=3000, help="every k-th, about this many")
    ap.add_argument("--write-terms", action="store_true", help="seed both sagas, write terms")
    args = ap.parse_args()
    if args.write_terms:
        write_terms()
        return
    if not RSS_DEV.is_dir():
        print(f"skipped: {RSS_DEV} is absent")
        return
    items = [it for _, it in load_items(RSS_DEV)]
    if SVB_RSS.is_dir():
        items += [it for _, it in load_items(SVB_RSS)]
    else:
        print(f"note: {SVB_RSS} is absent; rss-dev only")
    step = max(1, len(items) // args.items) if args.items else 1
    bench_select(items[::step], args.repeat)
    if args.pipeline:
        bench_pipeline(items[:: max(1, len(items) // args.pipeline_items)], args.repeat)


if __name__ == "__main__":
    main()
