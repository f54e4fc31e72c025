"""Every alerted development of the labelled sagas as a row of figures, with how the
labels judge it: the table from which to see which figures tell real news from false
alarms on every saga at once (issue 12).

    .venv/bin/python tools/story_table.py OUT.jsonl [--saga S ...] [--set JSON]
    .venv/bin/python tools/story_table.py OUT.jsonl --auc      # read OUT back, summarise

Each row: the saga, the alert's headline and its reports' titles, its outcome against
the labels (hit, optional, duplicate, known, late, unmatched) and the figures the engine
had when it confirmed the story (``features``). ``--auc`` prints, for each figure, the
area under the ROC curve of "hit or optional" against the rest, pooled and saga by
saga: 0.5 is no separation; a figure near 1 (or 0) on *every* saga is worth a rule.
The seed floor (``relevance.near_seeds``) was found this way: ``seeds_share``, a story's
best closeness to the seeds over the seeds' own agreement, put every false alarm of
Trump's and Gaza's below 0.70 that their real developments were above. Built on
``tools/tune.py`` (same caches); one saga a process keeps the hooks simple.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import tune  # noqa: E402

from monitor.embed import unpack_many  # noqa: E402
from monitor.novelty import engine  # noqa: E402
from monitor.novelty.genre import headed_by  # noqa: E402
from monitor.novelty.novelty import speakers  # noqa: E402
from monitor.novelty.outlets import source_of  # noqa: E402
from monitor.types import parse_dt  # noqa: E402
from tools.signals import separation  # noqa: E402

GOOD = ("hit", "optional")
REASONS = {"newcomer": "a newcomer", "words": "new words", "plan": "next stage",
           "burst": "burst", "far": "far from"}


def features(eng: Any, story: Any, item: Any, known: float, reason: str,
             support: int | None) -> dict[str, Any]:
    """The figures of ``story`` as ``item`` confirms it (``known``: the item's closeness
    to its nearest known event; ``reason``: why ``novelty.confirm`` took it)."""
    model, memory = eng.model, eng.memory
    rows = np.vstack([unpack_many(story.vectors), item.probes])
    titles = [*story.titles, item.title]
    seeds = float((rows @ memory.seed_centroid).max()) if memory.seed_centroid is not None else 0.0
    known_ids = [x for x in {*story.actors, *item.actors} if x in model.actors]
    core, founders = engine.protagonists(model, known_ids)
    forms = [f for a in model.actors.values() if not a.quiet for f in [a.name, *a.aliases]]
    keys = {x.key for x in item.names}
    newcomers = [k for k, n in story.names.items() if k in keys or n >= 2]
    first = parse_dt(story.first) or item.published
    recent = frozenset(e.id for e in model.events.values() if e.origin == "story"
                       and (item.published - (parse_dt(e.first_seen or "") or first)
                            ).total_seconds() < 48 * 3600)
    return {
        "titles": titles,
        "outlets": len({source_of(f) for f in [*story.feeds, item.feed]}),
        "reports": len(titles),
        "near": max(story.nearest_score, known),
        "seeds": seeds,
        "seeds_share": seeds / memory.seed_typical if memory.seed_typical else 0.0,
        "centroid": float((rows @ memory.centroid).max()),
        "core": len(core), "founders": len(founders),
        "headed": sum(headed_by(t, forms) for t in titles) / len(titles),
        "newcomers": len(newcomers),
        "speakers": len(speakers(story, item) & set(newcomers)),
        "hours": (item.published - first).total_seconds() / 3600,
        "recent_dev": memory.score_among(rows, recent) if recent else 0.0,
        "support": -1 if support is None else support,
        "fresh": len(story.fresh), "acting": len(story.acting),
        **{f"why_{k}": v in reason for k, v in REASONS.items()},
    }


def hook(rows: list[dict[str, Any]]) -> None:
    """Record the figures of every story the engine alerts into ``rows``."""
    confirm, alert, place = engine.confirm, engine.development_alert, engine.Engine._story
    state: dict[str, Any] = {}

    def _story(self: Any, item: Any, *rest: Any, **kw: Any) -> Any:
        state["engine"] = self
        return place(self, item, *rest, **kw)

    def _confirm(story: Any, item: Any, known: float, s: Any, *rest: Any) -> Any:
        v = confirm(story, item, known, s, *rest)
        support = rest[3] if len(rest) > 3 else None
        state["row"] = (features(state["engine"], story, item, known, v.reason, support)
                        if v.confirmed else None)
        return v

    def _alert(model: Any, event: Any, story: Any, *rest: Any) -> Any:
        a = alert(model, event, story, *rest)
        rows.append({"id": a.id, "headline": a.headline, **(state.get("row") or {})})
        return a

    engine.Engine._story = _story  # type: ignore[method-assign]
    engine.confirm = _confirm  # type: ignore[assignment]
    engine.development_alert = _alert  # type: ignore[assignment]


def summary(rows: list[dict[str, Any]]) -> str:
    sagas = sorted({r["saga"] for r in rows})
    figures = [k for k, v in rows[0].items() if isinstance(v, int | float)
               and k not in ("saga", "outcome", "id", "headline")]
    lines = [f"{'figure':14} pooled " + " ".join(f"{s[:7]:>7}" for s in sagas)]
    for f in figures:
        def split(rs: list[dict[str, Any]], f: str = f) -> tuple[list[float], list[float]]:
            return ([float(r[f]) for r in rs if r["outcome"] in GOOD],
                    [float(r[f]) for r in rs if r["outcome"] not in GOOD])
        per = [separation(*split([r for r in rows if r["saga"] == s])) for s in sagas]
        pooled = separation(*split(rows))
        lines.append(f"{f:14} {pooled:6.2f} " + " ".join(f"{x:7.2f}" for x in per))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--saga", action="append", choices=sorted(tune.SAGAS))
    ap.add_argument("--set", default="{}", help="[novelty] overrides, as JSON")
    ap.add_argument("--auc", action="store_true", help="read OUT back and summarise it")
    args = ap.parse_args()
    if args.auc:
        print(summary([json.loads(line) for line in args.out.open()]))
        return 0
    rows: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    hook(rows)
    for key in args.saga or ["openai", "uk", "svb", "trump", "gaza", "pentagon"]:
        rows.clear()
        report = tune.one(key, json.loads(args.set), None, False)
        if report is None:
            continue
        outcome = {j.alert.id: j.outcome.value for j in report.developments.judged}
        out += [{"saga": key, "outcome": outcome.get(r["id"], "?"), **r} for r in rows]
    args.out.write_text("".join(json.dumps(r) + "\n" for r in out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
