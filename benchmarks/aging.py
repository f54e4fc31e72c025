"""Cost per candidate as the saga ages (issue 15): rss-dev replayed twice in a row.

    .venv/bin/python benchmarks/aging.py [--archive ../shared/rss-dev] [--runs 3] [--json]

Seeds the OpenAI saga from seeds/ in a scratch data dir (embedded Redis), then sends the
whole archive through the daemon's pipeline twice, in time order, batches of 64 as
``monitor replay`` does: pass 1 grows the model from the seeds; pass 2 replays the same
items on the grown model, moved forward by the archive's span (new ids, later dates), so
the saga keeps ageing. Printed per pass and per day of the archive: candidates and CPU
per candidate (the whole process: prefilter, NLP, novelty, store), and the time spent in
the saga store's model load and save (calls, wall and CPU of the calling thread), with
the stored model's size at the end. ``--runs N`` runs N fresh processes and prints the
min / median of each figure.

Speed is measured here, never in unit tests. Needs the archive (not shipped in the repo).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import Settings  # noqa: E402
from monitor.documents import iter_archive, load_documents  # noqa: E402
from monitor.nlp import Analyzer  # noqa: E402
from monitor.pipeline import Pipeline, document_from_item  # noqa: E402
from monitor.store import connect  # noqa: E402
from monitor.store.sagas import SagaStore  # noqa: E402
from monitor.types import FeedItem  # noqa: E402

SAGA = "openai-leadership-2023"
BATCH = 64


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class StoreTimer:
    """Wall and thread-CPU time spent in the saga store's model methods, by method."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = defaultdict(int)
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    def wrap(self, name: str) -> None:
        original: Callable[..., Any] = getattr(SagaStore, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.calls[name] += 1
                self.wall[name] += time.perf_counter() - t0
                self.cpu[name] += time.thread_time() - c0

        setattr(SagaStore, name, timed)

    def snapshot(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name in self.calls:
            out[f"{name}_calls"] = self.calls[name]
            out[f"{name}_wall_s"] = round(self.wall[name], 4)
            out[f"{name}_cpu_s"] = round(self.cpu[name], 4)
        return out


def _settings(tmp: Path) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(tmp),
            "sagas": [
                {
                    "name": SAGA,
                    "seed_dir": str(ROOT / "seeds"),
                    "curation": str(ROOT / "config" / "sagas" / f"{SAGA}.toml"),
                }
            ],
            "alerts": {"console": False, "jsonl_path": ""},
            "health": {"enabled": False},
        }
    )


def _moved(item: FeedItem, shift: timedelta) -> FeedItem:
    """The item again, ``shift`` later and under a new id (a later retelling)."""
    return dataclasses.replace(
        item,
        published=item.published + shift if item.published else None,
        link=f"{item.link}#again",
        guid=f"{item.guid}#again" if item.guid else None,
    )


def _pass(pipeline: Pipeline, items: list[FeedItem], days: list[str]) -> dict[str, Any]:
    """One replay of ``items`` (in time order); figures per day of ``days``."""
    per_day: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # candidates, CPU s
    c_all, t0, alerts = cpu(), time.perf_counter(), 0
    for i in range(0, len(items), BATCH):
        chunk = items[i : i + BATCH]
        c0 = cpu()
        chosen = pipeline.candidates(chunk)
        docs = [document_from_item(it) for it, _ in chosen]
        only = {it.id: sagas for it, sagas in chosen}
        alerts += len(pipeline.process(docs, saga=SAGA, clock=lambda d: d.published, only=only))
        day = days[i]
        per_day[day][0] += len(chosen)
        per_day[day][1] += cpu() - c0
    used = cpu() - c_all
    n = sum(int(v[0]) for v in per_day.values())
    return {
        "candidates": n,
        "alerts": alerts,
        "cpu_s": round(used, 2),
        "wall_s": round(time.perf_counter() - t0, 2),
        "ms_per_candidate": round(1000 * used / max(1, n), 2),
        "days": {d: [int(v[0]), round(1000 * v[1] / max(1, v[0]), 2)] for d, v in per_day.items()},
    }


def one_run(archive: Path) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-aging-"))
    settings = _settings(tmp)
    store = connect(None, tmp, prefix="bench", embedded_db=settings.redis.embedded_db)
    try:
        analyzer = Analyzer(settings.nlp.model)
        analyzer.analyze(load_documents([ROOT / "seeds"])[:1])  # spaCy loaded outside
        pipeline = Pipeline(settings, store, analyzer=analyzer, emit=lambda _a: None)
        pipeline.seed(load_documents([ROOT / "seeds"]))
        items = sorted(
            (it for f in sorted(archive.glob("*.jsonl.gz")) for it in iter_archive(f)
             if it.published is not None),
            key=lambda it: (it.published, it.id),
        )
        days = [it.published.date().isoformat() for it in items if it.published]
        span = timedelta(days=(items[-1].published - items[0].published).days + 1)  # type: ignore[operator]
        timer = StoreTimer()
        for name in ("load", "save", "refresh"):
            if hasattr(SagaStore, name):
                timer.wrap(name)
        out: dict[str, Any] = {}
        for label, batch in (("pass1", items), ("pass2", [_moved(i, span) for i in items])):
            before = timer.snapshot()
            redis_cpu0 = _redis_cpu(store)
            out[label] = _pass(pipeline, batch, days)
            after = timer.snapshot()
            out[label]["store"] = {k: round(v - before.get(k, 0), 4) for k, v in after.items()}
            out[label]["redis_server_cpu_s"] = round(_redis_cpu(store) - redis_cpu0, 2)
        out["model_bytes"] = _model_bytes(store)
        return out
    finally:
        store.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _redis_cpu(store: Any) -> float:
    info = store.redis.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def _model_bytes(store: Any) -> int:
    """What the saga takes in Redis (every key under its prefix but the seen ids)."""
    total = 0
    for key in store.redis.scan_iter(match=f"{store.keys.prefix}:saga:{SAGA}*"):
        if not key.endswith((b":history", b":alerted")):
            total += int(store.redis.memory_usage(key) or 0)
    return total


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        elif isinstance(v, list):
            out[f"{prefix}{k}.candidates"], out[f"{prefix}{k}.ms"] = v[0], v[1]
        else:
            out[f"{prefix}{k}"] = v
    return out


def report(runs: list[dict[str, Any]]) -> str:
    flat = [_flat(r) for r in runs]
    lines = [f"{len(runs)} run(s): min / median"]
    for key in flat[0]:
        vals = sorted(f[key] for f in flat if key in f)
        lines.append(f"  {key:<40} {vals[0]:>10g} / {statistics.median(vals):>10g}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path, default=ROOT.parent / "shared" / "rss-dev")
    ap.add_argument("--runs", type=int, default=1, help="fresh processes, min / median")
    ap.add_argument("--json", action="store_true", help="one run, its figures as JSON")
    args = ap.parse_args()
    if not args.archive.is_dir():
        print(f"no archive at {args.archive}: nothing to measure")
        return 0
    if args.json:
        print(json.dumps(one_run(args.archive)))
        return 0
    runs = []
    for _ in range(args.runs):
        cmd = [sys.executable, __file__, "--archive", str(args.archive), "--json"]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(report(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
