"""Replay benchmark and quality report on ../shared/rss-dev (issue 9).

    .venv/bin/python benchmarks/replay.py [--archive ../shared/rss-dev] [--day 2023-11-20]

Seeds a model from seeds/ in a scratch data dir (embedded Redis), then:

1. the prefilter with the terms the *model* hands over (what the daemon uses): recall on
   the hand-labelled saga items (tests/data/rss_dev_saga_items.jsonl) and candidates/day;
2. the wall and CPU time of replaying one day, then the whole archive, through the
   daemon's pipeline (items/s);
3. the scores of the whole-archive alerts against tests/data/rss_dev_labels.json.

Speed is measured here, never in unit tests. Needs the archive (not shipped in the repo).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import Settings  # noqa: E402
from monitor.documents import iter_archive, load_documents  # noqa: E402
from monitor.evaluate import evaluate_files  # noqa: E402
from monitor.nlp import Analyzer  # noqa: E402
from monitor.pipeline import Pipeline  # noqa: E402
from monitor.replay import run_replay  # noqa: E402
from monitor.store import connect  # noqa: E402

LABELS = ROOT / "tests" / "data" / "rss_dev_labels.json"
SAGA_ITEMS = ROOT / "tests" / "data" / "rss_dev_saga_items.jsonl"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path, default=ROOT.parent / "shared" / "rss-dev")
    ap.add_argument("--day", default="2023-11-20", help="the day timed on its own")
    args = ap.parse_args()
    if not args.archive.is_dir():
        print(f"no archive at {args.archive}: nothing to measure")
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp),
            "sagas": [
                {
                    "name": "openai-leadership-2023",
                    "seed_dir": str(ROOT / "seeds"),
                    "curation": str(ROOT / "config" / "sagas" / "openai-leadership-2023.toml"),
                }
            ],
            "alerts": {"console": False, "jsonl_path": ""},
            "health": {"enabled": False},
        }
    )
    store = connect(None, tmp, prefix="bench", embedded_db=settings.redis.embedded_db)
    analyzer = Analyzer(settings.nlp.model)
    t0 = time.perf_counter()
    analyzer.analyze(load_documents([ROOT / "seeds"])[:1])  # load spaCy outside the timings
    print(f"spaCy loaded in {time.perf_counter() - t0:.1f}s")
    pipeline = Pipeline(settings, store, analyzer=analyzer)
    t0 = time.perf_counter()
    pipeline.seed(load_documents([ROOT / "seeds"]))
    print(f"seeded in {time.perf_counter() - t0:.1f}s: {pipeline.prefilter()!r}")

    # 1. prefilter recall with the model's own terms
    files = sorted(args.archive.glob("*.jsonl.gz"))
    items = [it for f in files for it in iter_archive(f)]
    labels = [json.loads(line) for line in SAGA_ITEMS.read_text().splitlines() if line.strip()]
    saga_links = {d["link"] for d in labels if d.get("saga")}
    t0 = time.perf_counter()
    chosen = pipeline.select(items)
    dt = time.perf_counter() - t0
    picked = {it.link for it in chosen}
    lost = sorted(saga_links - picked)
    per_day = Counter(it.published.date().isoformat() for it in chosen if it.published)
    print(
        f"prefilter: {len(items):,} items -> {len(chosen):,} candidates "
        f"({len(chosen) / len(items):.1%}), {len(items) / dt:,.0f} items/s; "
        f"recall on {len(saga_links)} labelled saga items: "
        f"{1 - len(lost) / max(1, len(saga_links)):.1%} ({len(lost)} lost)"
    )
    for link in lost[:10]:
        print(f"  lost: {link}")
    print("  candidates/day: " + ", ".join(f"{d[5:]} {n}" for d, n in sorted(per_day.items())))

    # 2. replay timings
    day = datetime.fromisoformat(args.day).replace(tzinfo=UTC)
    day_items = sum(1 for it in items if it.published and day <= it.published < day + timedelta(1))
    for label, since, until, out in (
        (f"one day ({args.day}, {day_items:,} items)", day, day + timedelta(1), None),
        (f"whole archive ({len(items):,} items)", None, None, tmp / "alerts.jsonl"),
    ):
        c0, t0 = cpu(), time.perf_counter()
        summary = run_replay(
            settings,
            store,
            [args.archive],
            since=since,
            until=until,
            output=out,
            echo=lambda _line: None,
            analyzer=analyzer,
        )
        wall, used = time.perf_counter() - t0, cpu() - c0
        print(
            f"replay {label}: {wall:.1f}s wall, {used:.1f}s CPU, "
            f"{summary.read / wall:,.0f} items/s; {summary.candidates} candidates, "
            f"{summary.relevant} relevant, {sum(summary.alerts_by_kind.values())} alerts"
        )

    # 3. quality
    print(evaluate_files(tmp / "alerts.jsonl", LABELS, after_seeding=True).render())
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
