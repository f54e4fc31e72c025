"""The labels of the seventh saga, Gaza's al-Shifa hospital (tests/data/gaza_labels.json),
held to what the scorer needs: they load, their ids are unique, nothing expected is
dated before the saga began, the seeds agree with the statuses, no not-actor is named by
an actor label, and a perfect replay scores full marks. (How they were written:
tests/data/README.md.)"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from monitor.evaluate import (
    Label,
    Labels,
    Status,
    load_labels,
    opens,
    score,
    status_conflicts,
    utc,
)
from monitor.types import Alert, AlertKind, Explanation
from tests.conftest import ROOT

LABELS_FILE = ROOT / "tests" / "data" / "gaza_labels.json"
SEEDS = ROOT / "sagas" / "gaza-shifa-2023" / "seeds"
# a monitor seeded on 2023-11-10 treats what is older than a day before as background
SAGA_BEGINS = utc("2023-11-09T00:00:00Z")


@pytest.fixture(scope="module")
def shipped() -> Labels:
    return load_labels(LABELS_FILE)


def test_the_labels_load_with_unique_ids_and_nothing_expected_before_the_saga(
    shipped: Labels,
) -> None:
    labels: list[Label] = [*shipped.developments, *shipped.actors]
    ids = [lb.id for lb in labels]
    assert len(ids) == len(set(ids))
    expected = [lb for lb in labels if lb.status is Status.EXPECTED]
    assert len([lb for lb in expected if lb in shipped.developments]) >= 10
    assert all(lb.first_report.time >= SAGA_BEGINS for lb in expected), [
        lb.id for lb in expected if lb.first_report.time < SAGA_BEGINS]
    assert {lb.name for lb in shipped.actors if lb.status is Status.KNOWN} == {
        "Israel", "Israel Defense Forces", "Hamas", "Al-Shifa Hospital"}


def test_the_statuses_agree_with_the_seeds(shipped: Labels) -> None:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert len(seeds) == 4
    assert status_conflicts(shipped, seeds) == []


def test_no_not_actor_is_named_by_an_actor_label(shipped: Labels) -> None:
    not_actors = json.loads(LABELS_FILE.read_text(encoding="utf-8"))["not_actors"]
    assert "Recep Tayyip Erdoğan" in not_actors
    for person in not_actors:
        assert not [a.id for a in shipped.actors if a.named_in(person)], person


def test_a_perfect_replay_scores_full_marks(shipped: Labels) -> None:
    def alert(headline: str, kind: AlertKind, at: object, actors: tuple[str, ...] = ()) -> Alert:
        return Alert(id=f"a{abs(hash((headline, kind))) % 10**8}", saga=shipped.saga,
                     kind=kind, headline=headline, actors=actors,
                     explanation=Explanation(new_sentences=(), reason="test"),
                     source_title=headline, source_url="https://example.org/x",
                     source_feed="https://example.org/feed",
                     published=at, created=at)  # type: ignore[arg-type]

    five = timedelta(minutes=5)
    perfect = [
        alert(lb.statement, AlertKind.NEW_DEVELOPMENT, lb.first_report.time + five)
        for lb in shipped.developments if lb.status is Status.EXPECTED
    ] + [
        alert(lb.name, AlertKind.NEW_ACTOR, opens(lb) + five, (lb.name,))
        for lb in shipped.actors if lb.status is Status.EXPECTED
    ]
    report = score(perfect, shipped)
    for kind in (report.developments, report.actors):
        assert kind.recall == 1.0 and kind.precision == 1.0, kind.missed
