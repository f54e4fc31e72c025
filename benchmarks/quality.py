"""Novelty quality on both sagas, same code and defaults (issue 12).

    .venv/bin/python benchmarks/quality.py [--saga openai|svb|trump] [--until 2023-03-25]

For each saga: seed a scratch data dir from its seeds, replay its feed archive through the
daemon's pipeline, then print the replay summary (items, candidates, relevant, alerts by
day, CPU), the scores against the labels (precision and recall of developments and new
actors, misses, false alarms) and every alert. Needs ../shared (not in the repo).
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MONITOR = [str(Path(sys.executable).parent / "monitor")]

SAGAS = {
    "openai": {
        "name": "openai-leadership-2023",
        "seeds": ROOT / "seeds",
        "curation": ROOT / "config" / "sagas" / "openai-leadership-2023.toml",
        "archive": SHARED / "rss-dev",
        "labels": ROOT / "tests" / "data" / "rss_dev_labels.json",
    },
    "svb": {
        "name": "svb-2023",
        "seeds": SHARED / "sagas" / "svb-2023" / "seeds",
        "curation": None,
        "archive": SHARED / "sagas" / "svb-2023" / "rss",
        "labels": ROOT / "tests" / "data" / "svb_labels.json",
    },
    # a saga founded on a former president, over the same archive: the report floor
    # keeps most of his other news from the full analysis (``relevance.unseeded``)
    "trump": {
        "name": "trump-indictment-2023",
        "seeds": ROOT / "sagas" / "trump-indictment-2023" / "seeds",
        "curation": None,
        "archive": SHARED / "sagas" / "svb-2023" / "rss",
        "labels": ROOT / "tests" / "data" / "trump_labels.json",
    },
}
DEFAULT = ("openai", "svb")  # the two; --saga trump on demand


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cfg: Path, *args: str) -> str:
    out = subprocess.run([*MONITOR, "--config", str(cfg), *args], cwd=ROOT, text=True,
                         capture_output=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"monitor {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return out.stdout


def one(key: str, until: str | None) -> None:
    saga = SAGAS[key]
    if not Path(saga["archive"]).is_dir():  # type: ignore[arg-type]
        print(f"== {key}: no archive at {saga['archive']}, skipped")
        return
    with tempfile.TemporaryDirectory(prefix=f"quality-{key}-") as scratch:
        replayed(key, saga, Path(scratch), until)


def replayed(key: str, saga: dict[str, object], tmp: Path, until: str | None) -> None:
    """``one`` in the scratch directory ``tmp`` (removed after: a replay's data dir
    holds tens of MB)."""
    cfg = tmp / "monitor.toml"
    curation = f'curation = "{saga["curation"]}"\n' if saga["curation"] else ""
    cfg.write_text(
        f'data_dir = "{tmp / "data"}"\n[[sagas]]\nname = "{saga["name"]}"\n'
        f'seed_dir = "{saga["seeds"]}"\n{curation}[nlp]\nworkers = 0\n[alerts]\nsinks = []\n'
    )
    print(f"== {key}")
    before = children_cpu()
    print(run(cfg, "seed", str(saga["seeds"])).strip())
    alerts = tmp / "alerts.jsonl"
    cut = ["--until", until] if until else []
    summary = run(cfg, "replay", "-q", str(saga["archive"]), *cut, "--output", str(alerts))
    print(summary)
    cpu = children_cpu() - before
    found = re.search(r"([\d,]+) candidates", summary)
    candidates = int(found.group(1).replace(",", "")) if found else 0
    per = f", {1000 * cpu / candidates:.1f} CPU ms per candidate" if candidates else ""
    print(f"seed + replay: {cpu:.1f} CPU s{per}")
    if Path(saga["labels"]).is_file():  # type: ignore[arg-type]
        print(run(cfg, "eval", "--alerts", str(alerts), "--labels", str(saga["labels"])))
    for line in alerts.read_text().splitlines():
        print("  ", line[:300])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--saga", choices=sorted(SAGAS), action="append")
    ap.add_argument("--until", help="cut the archives (UTC date), for a quicker look")
    args = ap.parse_args()
    for key in args.saga or DEFAULT:
        one(key, args.until)
    return 0


if __name__ == "__main__":
    sys.exit(main())
