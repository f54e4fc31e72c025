"""`monitor replay` on the seeds: the daemon's pipeline, in publication order."""

from __future__ import annotations

from pathlib import Path

from monitor.replay import load_documents, run_replay
from monitor.types import AlertKind

ROOT = Path(__file__).resolve().parent.parent


def test_seeds_are_ordered_by_their_content_dates() -> None:
    docs = load_documents([ROOT / "seeds"])
    names = [Path(d.source).name[:3] for d in docs]
    # 000 carries no date at all; 002 says 19 Nov; 004 and 003 are dated by their
    # weekdays; 001 says 22/11/2023.
    assert names == ["000", "002", "004", "003", "001"]
    assert docs[-1].published is not None and docs[-1].published.day == 22
    assert docs[2].date_inferred


def test_replaying_the_seeds_from_an_empty_model_tells_the_story(
    store,
    analyzer,
    settings_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    lines: list[str] = []
    out = tmp_path / "alerts.jsonl"
    summary = run_replay(
        settings_factory(tmp_path),
        store,
        [ROOT / "seeds"],
        echo=lines.append,
        output=out,
        analyzer=analyzer,
    )
    alerts = summary.alerts
    actors = {a.headline.split(" (")[0] for a in alerts if a.kind is AlertKind.NEW_ACTOR}
    actors |= {n for a in alerts for n in a.actors}
    assert {"Sam Altman", "Mira Murati", "Emmett Shear", "Satya Nadella"} <= actors

    devs = [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]
    heads = [a.headline for a in devs]
    assert "fired" in heads[0] and "Sam Altman" in heads[0], heads
    assert "returned" in heads[-1] and "2023-11-22" in heads[-1], heads
    assert any("Emmett Shear" in h and "hired" in h for h in heads), heads
    assert any("Microsoft" in h and "hired" in h and "Sam Altman" in h for h in heads), heads

    assert out.read_text().count("\n") == len(alerts)
    assert summary.read == 5 and summary.relevant == 5
    # the replay worked on a scratch copy: the real model is still empty
    assert store.redis.get(store.keys.saga_model("openai")) is None


def test_after_seeding_replaying_the_seeds_alerts_nothing(
    seeded_store,
    analyzer,
    settings_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    summary = run_replay(
        settings_factory(tmp_path),
        seeded_store,
        [ROOT / "seeds"],
        echo=lambda _: None,
        analyzer=analyzer,
    )
    assert summary.alerts == []
    assert summary.read == 5
