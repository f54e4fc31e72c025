"""The saga model built from the five seed articles (issue #4 acceptance)."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.lexicon import fold
from monitor.saga import SagaModel
from monitor.store.sagas import SagaStore


@pytest.fixture
def model(seeded_store) -> SagaModel:  # type: ignore[no-untyped-def]
    return SagaStore(seeded_store).load("openai")


def forms(model: SagaModel, name: str) -> set[str]:
    actor = model.find(name)
    assert actor is not None, f"{name} is not in the model"
    return actor.forms()


def test_at_least_15_protagonists_with_their_aliases(model: SagaModel) -> None:
    names = {a.name for a in model.protagonists()}
    assert len(names) >= 15, names
    for who in (
        "Sam Altman",
        "Mira Murati",
        "Emmett Shear",
        "Satya Nadella",
        "Greg Brockman",
        "Ilya Sutskever",
        "Adam D'Angelo",
        "Microsoft",
        "OpenAI",
        "Jason Kwon",
    ):
        assert who in names
    assert {"altman", "ultraman", "@sama"} <= forms(model, "Sam Altman")
    assert {"mira murat", "murat i"} <= forms(model, "Mira Murati")
    assert {"ilya", "ilyan"} <= forms(model, "Ilya Sutskever")
    assert "emmett cisaillement" in forms(model, "Emmett Shear")
    assert "nadella" in forms(model, "Satya Nadella")


def test_journalists_outlets_and_history_are_not_protagonists(model: SagaModel) -> None:
    names = {fold(a.name) for a in model.protagonists()}
    for outsider in (
        "Bloomberg",
        "The Verge",
        "Verge",
        "Le bord",
        "Axios",
        "Forbes",
        "Alex Heath",
        "Emily Chang",
        "Steve Jobs",
        "Mark Zuckerberg",
    ):
        assert fold(outsider) not in names


def test_roles_come_from_the_text(model: SagaModel) -> None:
    nadella = model.find("Satya Nadella")
    assert nadella is not None and nadella.role == "pdg"


def test_at_least_10_distinct_dated_events(model: SagaModel) -> None:
    dated = {(e.action, e.date) for e in model.events.values() if e.date}
    assert len(dated) >= 10


def event(model: SagaModel, action: str, who: str):  # type: ignore[no-untyped-def]
    actor = model.find(who)
    assert actor is not None
    found = [e for e in model.timeline() if e.action == action and actor.id in e.key_actors]
    assert found, f"no {action} event about {who}: {[e.statement for e in model.timeline()]}"
    return found[0]


@pytest.mark.parametrize(
    ("action", "who", "day"),
    [
        ("fired", "Sam Altman", date(2023, 11, 17)),
        ("resigned", "Greg Brockman", date(2023, 11, 17)),
        ("appointed", "Mira Murati", date(2023, 11, 17)),
        ("hired", "Emmett Shear", date(2023, 11, 19)),
        ("hired", "Sam Altman", date(2023, 11, 20)),
        ("returned", "Sam Altman", date(2023, 11, 22)),
    ],
)
def test_key_developments_dated_within_a_day(
    model: SagaModel, action: str, who: str, day: date
) -> None:
    candidates = [
        e
        for e in model.timeline()
        if e.action == action and e.day and model.find(who).id in e.key_actors
    ]  # type: ignore[union-attr]
    assert any(abs((e.day - day).days) <= 1 for e in candidates), [
        (e.statement, e.date) for e in candidates
    ]


def test_one_development_told_by_several_seeds_is_one_event(model: SagaModel) -> None:
    fired = event(model, "fired", "Sam Altman")
    docs = {ev.doc_id for ev in fired.evidence}
    assert len(docs) >= 3


def test_every_change_records_its_cause(seeded_store) -> None:  # type: ignore[no-untyped-def]
    history = SagaStore(seeded_store).history("openai")
    assert history
    assert all(ch.cause for ch in history)
    assert any(ch.kind == "event_added" for ch in history)
