"""Actor detection on English news: precision and recall on a hand-labelled sample.

The sample (tests/data/en_actors_sample.jsonl) holds short English texts from
../shared/rss-dev, most about the OpenAI crisis, some other business/tech news, each with
its actors and its peripheral names (journalists, outlets, historical comparisons) labelled
by hand. The floors sit just below what the detector measured when they were set, so a
regression fails; raise them when detection improves (benchmarks/en_actors.py lists the
misses and false positives).
"""

from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path

import pytest

from monitor.actor_eval import (
    Detected,
    Detection,
    Example,
    Report,
    evaluate,
    load_sample,
    score_example,
)
from monitor.errors import InputError
from monitor.saga import AliasIndex, SagaModel
from monitor.store.sagas import SagaStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "en_actors_sample.jsonl"
RSS_DEV = ROOT.parent / "shared" / "rss-dev"

# measured 2026-11-23 on the seeded model: names P=0.844 R=0.959, known P=0.984 R=1.000
# Floors: today's figures less a margin. "known" precision fell from 0.98 to 0.89-0.93 with
# the novelty engine (issue 12): known aliases are now found anywhere in a text, also where
# the sample counts the company as context ("just weeks after OpenAI's DevDay").
FLOORS = {"names": (0.85, 0.9), "known": (0.85, 0.97)}


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return load_sample(SAMPLE)


@pytest.fixture
def report(seeded_store, analyzer, examples, settings_factory, tmp_path) -> Report:  # type: ignore[no-untyped-def]
    model = SagaStore(seeded_store).load("openai")
    return evaluate(model, analyzer, examples, settings_factory(tmp_path).novelty)


def test_the_sample_is_big_enough_and_mixed(examples: list[Example]) -> None:
    assert len(examples) >= 80
    assert len({e.id for e in examples}) == len(examples)
    assert sum(not e.saga for e in examples) >= 20
    assert sum(len(e.peripheral) for e in examples) >= 25
    cases = {c for e in examples for c in e.cases}
    assert {"coordinated", "possessive", "role-cue", "all-caps", "title-case"} <= cases
    for e in examples:
        assert not set(e.actors) & set(e.peripheral), e.id


def test_sample_texts_are_verbatim_from_rss_dev(examples: list[Example]) -> None:
    if not RSS_DEV.is_dir():
        pytest.skip(f"{RSS_DEV} is not here")

    def norm(s: str) -> str:
        return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", " ", s)))

    items: dict[str, str] = {}
    for path in sorted(RSS_DEV.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                items.setdefault(d["link"], norm(d["title"]) + "\n" + norm(d["summary"] or ""))
    for e in examples:
        if not e.source.startswith("http"):
            assert e.source == "issue-4", e.id  # the few examples the archive cannot have
            continue
        assert e.source in items, e.id
        assert norm(e.text) in items[e.source] and norm(e.title) in items[e.source], e.id


def test_actor_detection_scores_stay_above_their_floors(report: Report) -> None:
    for line in report.lines():
        print(line)
    for name, score in (("names", report.names), ("known", report.known)):
        p_floor, r_floor = FLOORS[name]
        assert score.precision >= p_floor, (name, score.precision, score.false_positives)
        assert score.recall >= r_floor, (name, score.recall, score.misses)
    # most journalists and outlets named in the sample are not taken for actors
    assert report.peripheral_rejected / report.peripheral_labels >= 0.5


def _model() -> SagaModel:
    return SagaModel.from_dict(
        {
            "name": "test",
            "actors": [
                {"id": "sam-altman", "name": "Sam Altman", "kind": "person", "aliases": ["Altman"]},
                {"id": "openai", "name": "OpenAI", "kind": "org"},
            ],
        }
    )


def test_a_surname_counts_a_longer_chunk_does_not_and_peripheral_names_are_errors() -> None:
    model = _model()
    ex = Example(
        id="x",
        text="...",
        actors=("Sam Altman", "Emmett Shear", "Brad Lightcap"),
        peripheral=("Kara Swisher",),
        optional=("Twitch",),
    )
    det = Detection(
        names=(
            Detected("Sam Altman", "sam-altman", "person"),
            Detected("Shear", None, "person"),  # part of a labelled name: found
            Detected("Operating Officer Brad Lightcap", None, "person"),  # too long: wrong
            Detected("Kara Swisher", None, "person"),  # a journalist taken for an actor
            Detected("Twitch", None, "org"),  # optional: neither right nor wrong
        ),
        known=frozenset({"sam-altman", "openai"}),
        rejected=(),
    )
    names, known = score_example(model, AliasIndex(model), ex, det, "...")
    assert (names.tp_labels, names.labels, names.tp_found, names.found) == (2, 3, 2, 4)
    assert [(e.name, e.why) for e in names.false_positives] == [
        ("Operating Officer Brad Lightcap", "other"),
        ("Kara Swisher", "peripheral"),
    ]
    assert [e.name for e in names.misses] == ["Brad Lightcap"]
    # known actors: Sam Altman found, OpenAI named by the matcher but not labelled an actor
    assert (known.tp_labels, known.labels, known.found) == (1, 1, 2)
    assert [e.name for e in known.false_positives] == ["OpenAI"]


def test_a_malformed_sample_line_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "s.jsonl"
    bad.write_text('{"text": "Sam Altman joins Microsoft", "actors": "Sam Altman"}\n')
    with pytest.raises(InputError, match=r"s\.jsonl:1"):
        load_sample(bad)
