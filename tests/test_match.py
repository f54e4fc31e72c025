"""Novelty decisions on English news after seeding (issue #4 acceptance)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import NEW_CHAIR, SAME_CHAIR

from monitor.pipeline import Pipeline
from monitor.replay import load_documents
from monitor.saga import SagaModel
from monitor.store.sagas import SagaStore
from monitor.types import Alert, AlertKind, Document, Verdict

ROOT = Path(__file__).resolve().parent.parent


def doc(title: str, text: str, day: int, hour: int = 12, url: str | None = None) -> Document:
    return Document(
        id=url or title,
        title=title,
        text=text,
        source="https://feeds.example/test",
        url=url or f"https://news.example/{abs(hash(title))}",
        published=datetime(2023, 11, day, hour, tzinfo=UTC),
        language="en",
    )


@pytest.fixture
def pipeline(seeded_store, analyzer, settings_factory, tmp_path):  # type: ignore[no-untyped-def]
    sent: list[Alert] = []
    p = Pipeline(settings_factory(tmp_path), seeded_store, analyzer=analyzer, emit=sent.extend)
    p.sent = sent  # type: ignore[attr-defined]
    return p


def kinds(alerts: list[Alert]) -> list[AlertKind]:
    return sorted(a.kind for a in alerts)


def test_the_seeds_themselves_tell_nothing_new(
    seeded_store, analyzer, settings_factory, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Not only because they were seen: each seed, matched afresh, is all known."""
    from monitor.match import decide

    model = SagaStore(seeded_store).load("openai")
    settings = settings_factory(tmp_path)
    for an in analyzer.analyze(load_documents([ROOT / "seeds"])):
        d = decide(model, an, settings.match)
        assert d.verdicts == {Verdict.KNOWN}, (
            an.doc.source,
            [(e.candidate.action, e.candidate.sentence) for e in d.new_events],
            [n.name for n in d.new_actors],
        )


@pytest.mark.parametrize(
    ("title", "text", "day"),
    [
        (
            "OpenAI's board ousted Sam Altman on Friday",
            "The OpenAI board ousted chief executive Sam Altman on Friday, saying he was not "
            "consistently candid in his communications.",
            18,
        ),
        (
            "Greg Brockman quits OpenAI after Altman firing",
            "OpenAI president Greg Brockman said on Friday he was quitting.",
            18,
        ),
        (
            "Microsoft hires Sam Altman and Greg Brockman",
            "Microsoft CEO Satya Nadella said on Monday that Sam Altman and Greg Brockman will "
            "join Microsoft to lead a new advanced AI research team.",
            20,
        ),
    ],
)
def test_english_rewording_of_a_known_development_is_known(
    pipeline: Pipeline, title: str, text: str, day: int
) -> None:
    alerts = pipeline.process([doc(title, text, day)])
    assert alerts == [], [(a.kind, a.headline, a.explanation.reason) for a in alerts]


def test_unrelated_news_is_irrelevant(pipeline: Pipeline) -> None:
    outcomes: list = []  # type: ignore[type-arg]
    pipeline.process(
        [
            doc(
                "Apple unveils new MacBook Pro",
                "Apple Inc. said on Monday it will ship new laptops.",
                20,
            )
        ],
        outcomes=outcomes,
    )
    assert outcomes[0].verdicts == {Verdict.IRRELEVANT}


def test_a_new_development_alerts_once_with_its_new_actor(pipeline: Pipeline) -> None:
    alerts = pipeline.process([doc(*NEW_CHAIR, day=22, url="https://a.example/1")])
    by_kind = {k: [a for a in alerts if a.kind is k] for k in AlertKind}
    assert len(by_kind[AlertKind.NEW_DEVELOPMENT]) == 1, [a.headline for a in alerts]
    assert "Bret Taylor" in by_kind[AlertKind.NEW_DEVELOPMENT][0].headline
    new_actors = {a.headline.split(" (")[0] for a in by_kind[AlertKind.NEW_ACTOR]}
    assert "Bret Taylor" in new_actors
    assert new_actors <= {"Bret Taylor", "Larry Summers"}  # both join the new board
    dev = by_kind[AlertKind.NEW_DEVELOPMENT][0]
    assert dev.explanation.new_sentences and dev.explanation.reason
    assert "OpenAI" in dev.explanation.matched_actors

    outcomes: list = []  # type: ignore[type-arg]
    again = pipeline.process(
        [doc(*SAME_CHAIR, day=22, hour=15, url="https://b.example/2")], outcomes=outcomes
    )
    assert again == [], [(a.kind, a.headline) for a in again]
    # ... reported as a known event: the daemon counts it on the first alert (grouping)
    assert dev.event_id in outcomes[0].known_events

    model: SagaModel = pipeline.load_model()
    taylor = model.find("Bret Taylor")
    assert taylor is not None and taylor.protagonist
    assert any(taylor.id in e.key_actors for e in model.events.values())


def test_the_same_document_twice_never_alerts_twice(pipeline: Pipeline) -> None:
    d = doc(*NEW_CHAIR, day=22, url="https://a.example/1")
    first = pipeline.process([d])
    assert first
    assert pipeline.process([d]) == []


def test_a_language_the_lexicons_cannot_read_is_skipped(pipeline: Pipeline) -> None:
    german = replace(doc(*NEW_CHAIR, day=22, hour=14, url="https://c.example/de"), language="de")
    outcomes: list = []  # type: ignore[type-arg]
    assert pipeline.process([german], outcomes=outcomes) == []
    assert [o.verdicts for o in outcomes] == [{Verdict.IRRELEVANT}]
    english = replace(german, id="https://c.example/en", language="en-US")
    assert pipeline.process([english])  # the same text in English is read


def test_the_new_board_of_the_deal_is_told_once_with_its_newcomers(pipeline: Pipeline) -> None:
    """The later days: the deal for Altman's return names a new board ("chaired by X,
    including Y and Z"); the chair and a member are new actors, the board a new
    development; a second outlet adds nothing; members leaving are new actors too."""
    deal = doc(
        "OpenAI reaches deal for Sam Altman to return as CEO with new board",
        "OpenAI said late Tuesday it had reached an agreement in principle for Sam Altman to "
        "return as CEO, with a new initial board chaired by Bret Taylor, including Larry "
        "Summers and Adam D'Angelo.",
        day=22,
        hour=6,
        url="https://a.example/deal",
    )
    alerts = pipeline.process([deal])
    news = {a.headline.split(" (")[0] for a in alerts if a.kind is AlertKind.NEW_ACTOR}
    assert {"Bret Taylor", "Larry Summers"} <= news, news
    devs = [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]
    assert len(devs) == 1 and "Bret Taylor" in devs[0].actors, [a.headline for a in devs]

    again = doc(
        "Sam Altman is back at OpenAI, with Bret Taylor and Larry Summers on a new board",
        "Former Salesforce co-CEO Bret Taylor will chair OpenAI's new board, which also "
        "includes former Treasury Secretary Larry Summers and Quora CEO Adam D'Angelo.",
        day=22,
        hour=7,
        url="https://b.example/deal",
    )
    assert pipeline.process([again]) == []

    leaving = doc(
        "Helen Toner and Tasha McCauley leave OpenAI's board",
        "Board members Helen Toner and Tasha McCauley, who voted to fire Sam Altman, are "
        "leaving the board of OpenAI as part of the deal, the company said.",
        day=22,
        hour=9,
        url="https://c.example/leaving",
    )
    names = {
        a.headline.split(" (")[0]
        for a in pipeline.process([leaving])
        if a.kind is AlertKind.NEW_ACTOR
    }
    assert {"Helen Toner", "Tasha McCauley"} <= names, names
