"""``novelty.stage``: what a headline tells beyond what its saga is about."""

from __future__ import annotations

from typing import Any

import numpy as np

from monitor.config import NoveltySettings
from monitor.novelty.stage import told_alike, topic_words, without_topic

VOCAB = {
    "en:": 100, "en:paltrow": 90, "en:trial": 60, "en:collisi": 25, "en:optomet": 12,
    "pl:": 5, "pl:proces": 4, "*en:": 5000, "*en:trial": 40,
}


def test_the_topic_is_what_most_of_the_sagas_reports_say_and_its_actors_names() -> None:
    topic = topic_words(VOCAB, ["Gwyneth Paltrow", "Terry Sanderson"], 0.2)
    assert {"paltrow", "trial", "collisi", "gwyneth", "terry", "sanders"} <= topic
    assert "optomet" not in topic  # 12 reports of 100: a word of some stories, not the saga's
    assert "proces" in topic  # each language by its own reports
    assert not any(w.startswith("*") or w == "" for w in topic)  # not the headlines at large


def test_a_headline_without_its_sagas_topic_keeps_what_happened() -> None:
    topic = topic_words(VOCAB, ["Gwyneth Paltrow"], 0.2)
    assert without_topic("Jury sides with Gwyneth Paltrow's team in ski collision trial",
                         topic) == "Jury sides with team in ski"
    assert without_topic("Paltrow trial", topic) == " "
    assert without_topic("Paltrow’s trial", topic) == " "  # a possessive is the name


def test_told_alike_is_the_best_closeness_of_two_sets() -> None:
    a = np.eye(3, dtype=np.float32)
    assert told_alike(a[:1], a) == 1.0
    assert told_alike(a[:1], a[1:]) == 0.0
    assert told_alike(a[:0], a) == 0.0


def test_a_verdict_tells_another_thing_than_the_trials_last_morning_an_aftermath_does_not(
    analyzer: Any,
) -> None:
    """The measure as the engine takes it (the real encoder), on headlines of the
    archive: the saga's topic left out, a verdict is far from the small development
    alerted that morning, and the arraignment's aftermath close to the arraignment,
    either side of ``wave_alike``."""
    bar = NoveltySettings().wave_alike

    def alike(mine: str, theirs: str, vocab: dict[str, int], forms: list[str]) -> float:
        topic = topic_words(vocab, forms, 0.2)
        a, b = analyzer.embed([without_topic(mine, topic), without_topic(theirs, topic)])
        return told_alike(a[None, :], b[None, :])

    trial = {"en:": 100, "en:paltrow": 90, "en:gwyneth": 80, "en:trial": 60,
             "en:collisi": 30, "en:crash": 40}
    assert alike("Jury finds Gwyneth Paltrow not responsible for injuries caused by 2016 crash",
                 "Gwyneth Paltrow's children Apple and Moses used in star's defense during "
                 "ski collision trial", trial, ["Gwyneth Paltrow", "Terry Sanderson"]) < bar
    case = {"en:": 100, "en:indict": 40, "en:grand": 30, "en:manhatt": 50, "en:hush": 30,
            "en:money": 30, "en:charges": 25}
    assert alike("Trump arraigned in Manhattan, pleads not guilty",
                 "Trump Is Charged on 34 Felony Counts, Pleads Not Guilty", case,
                 ["Donald Trump", "Alvin Bragg"]) >= bar


def test_the_engine_takes_the_topic_again_only_as_the_saga_grows() -> None:
    """The topic walks the whole vocabulary: an engine keeps it (``Headlines``, between
    batches) until the saga has read a tenth more documents, or fewer (built again)."""
    from monitor.novelty.engine import Engine
    from monitor.novelty.stage import Headlines
    from monitor.saga import Counts, SagaModel

    model = SagaModel(name="s", docs_seen=100)
    model.vocab = Counts({"en:": 10, "en:verdict": 1})
    kept = Headlines()
    assert "verdict" not in Engine(model, NoveltySettings(), embedded=kept)._topic_now().topic
    model.vocab["en:verdict"] = 9  # every report says it now, but only 5 % more read
    model.docs_seen = 105
    assert "verdict" not in Engine(model, NoveltySettings(), embedded=kept)._topic_now().topic
    model.docs_seen = 120
    assert "verdict" in Engine(model, NoveltySettings(), embedded=kept)._topic_now().topic
    model.vocab["en:verdict"], model.docs_seen = 1, 3  # seeded again
    assert "verdict" not in Engine(model, NoveltySettings(), embedded=kept)._topic_now().topic
