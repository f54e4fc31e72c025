"""Prefilter throughput and recall on ../shared/rss-dev (plain script, prints numbers).

    .venv/bin/python benchmarks/prefilter.py [--terms FILE] [--repeat N]

Throughput is measured on one core over every item of rss-dev (title + summary + link,
HTML stripped and folded: the whole per-item cost). Recall is measured on the saga items
labelled in tests/data/rss_dev_saga_items.jsonl; candidates per day counts the items that
pass but are not labelled saga. Goal: >= 20,000 items/s, no saga item lost.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.prefilter import Prefilter, item_text  # noqa: E402
from monitor.types import FeedItem  # noqa: E402

RSS_DEV = ROOT.parent / "shared" / "rss-dev"
LABELS = ROOT / "tests" / "data" / "rss_dev_saga_items.jsonl"
TERMS = ROOT / "tests" / "data" / "prefilter_terms.txt"


def load_items(folder: Path) -> list[tuple[str, FeedItem]]:
    out: list[tuple[str, FeedItem]] = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        day = path.name[:10]
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            out.extend((day, FeedItem.from_dict(json.loads(line))) for line in fh)
    return out


def load_terms(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--terms", type=Path, default=TERMS)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    items = load_items(RSS_DEV)
    terms = load_terms(args.terms)
    t0 = time.perf_counter()
    pf = Prefilter.build(terms)
    build_ms = (time.perf_counter() - t0) * 1000
    print(f"terms: {pf!r}, built in {build_ms:.1f} ms")
    print(f"items: {len(items)} from {RSS_DEV}")

    rates = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        flags = [pf.is_candidate(it) for _, it in items]
        rates.append(len(items) / (time.perf_counter() - t0))
    print(
        f"throughput (one core, {args.repeat} runs): median {statistics.median(rates):,.0f} "
        f"items/s, min {min(rates):,.0f}, max {max(rates):,.0f}"
    )
    texts = [item_text(it) for _, it in items]
    match_rates = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for text in texts:
            pf.match(text)
        match_rates.append(len(texts) / (time.perf_counter() - t0))
    print(f"  matching alone (text already built): {statistics.median(match_rates):,.0f} items/s")

    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    saga = {r["link"] for r in labels if r["saga"]}
    not_saga = {r["link"] for r in labels if not r["saga"]}
    passed = {it.link for (_, it), ok in zip(items, flags, strict=True) if ok}
    lost = sorted(r["title"] for r in labels if r["saga"] and r["link"] not in passed)
    found = len(saga) - len(lost)
    print(f"recall: {found}/{len(saga)} saga items ({found / len(saga):.1%})")
    for title in lost:
        print(f"  lost: {title}")
    borderline = len(not_saga & passed)
    print(f"labelled non-saga items passing: {borderline}/{len(not_saga)}")

    per_day_cand: Counter[str] = Counter()
    per_day_other: Counter[str] = Counter()
    per_day_all: Counter[str] = Counter()
    for (day, it), ok in zip(items, flags, strict=True):
        per_day_all[day] += 1
        if ok:
            per_day_cand[day] += 1
            if it.link not in saga:
                per_day_other[day] += 1
    print("day         items  candidates  of which not saga")
    for day in sorted(per_day_all):
        print(f"{day}  {per_day_all[day]:5d}  {per_day_cand[day]:10d}  {per_day_other[day]:17d}")
    n_days = len(per_day_all)
    print(
        f"mean per day: {sum(per_day_cand.values()) / n_days:.1f} candidates, "
        f"{sum(per_day_other.values()) / n_days:.1f} not saga"
    )


if __name__ == "__main__":
    main()
