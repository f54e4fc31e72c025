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
pipeline    (--pipeline) Pipeline.process_items on a day of each stream, on fresh copies of
            the seeded models: the whole per-item cost (prefilter, lead embeddings, NLP,
            decisions, Redis), one saga and two.

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
from monitor.types import FeedItem  # noqa: E402

SVB_RSS = ROOT.parent / "shared" / "sagas" / "svb-2023" / "rss"
CONFIG = ROOT / "config" / "monitor.toml"
SAGAS = ("openai-leadership-2023", "svb-2023")


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
    rows: list[tuple[str, tuple[float, float], tuple[float, float]]] = []
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
        rows.append((f"{k} saga{'s' if k > 1 else ''}", per_1000(b_runs, len(items)),
                     per_1000(a_runs, len(items))))
    print(f"select: CPU ms per 1,000 items over {len(items):,} items, min / median of {repeat}")
    print(f"  {'':<8} {'before (separate)':>19} {'after (combined)':>19} {'after/before':>15}")
    for label, b, a in rows:
        print(f"  {label:<8} {b[0]:>8.1f} / {b[1]:>8.1f} {a[0]:>8.1f} / {a[1]:>8.1f} "
              f"{a[0] / b[0]:>7.2f} / {a[1] / b[1]:.2f}")
    for i, when in ((1, "before"), (2, "after")):
        one, two = rows[0][i], rows[1][i]
        print(f"  two sagas / one saga, {when}: {two[0] / one[0]:.2f}x / {two[1] / one[1]:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--items", type=int, default=30_000, help="every k-th item, about this many")
    ap.add_argument("--pipeline", action="store_true", help="also the whole pipeline (minutes)")
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


if __name__ == "__main__":
    main()
