from datetime import timedelta

from monitor.config import NoveltySettings
from monitor.novelty.novelty import confirm, expired
from monitor.saga import Story
from novelty.helpers import T0, item, name, unit

S = NoveltySettings()


def story(feeds: list[str], score: float = 0.4) -> Story:
    return Story(id="s", first=T0.isoformat(), last=T0.isoformat(), feeds=feeds,
                 titles=["t"], docs=["d0"], nearest_event="e", nearest_score=score)


def test_a_second_outlet_confirms_a_story() -> None:
    c = confirm(story(["f1"]), item(unit((0, 1.0)), feed="f2"), 0.4, S)
    assert c.confirmed and c.feeds == 2


def test_the_same_outlet_twice_is_one_source() -> None:
    assert not confirm(story(["f1"]), item(unit((0, 1.0)), feed="f1"), 0.4, S).confirmed


def test_a_report_retelling_a_known_event_keeps_the_story_quiet() -> None:
    assert not confirm(story(["f1"]), item(unit((0, 1.0)), feed="f2"), 0.9, S).confirmed
    assert not confirm(story(["f1"], score=0.9), item(unit((0, 1.0)), feed="f2"), 0.4, S).confirmed


def test_a_story_confirmed_too_late_is_not_news() -> None:
    late = item(unit((0, 1.0)), feed="f2", at=T0 + timedelta(hours=S.story_window_h + 1))
    assert not confirm(story(["f1"]), late, 0.4, S).confirmed
    assert expired(story(["f1"]), T0 + timedelta(hours=S.story_window_h + 1), S)
    assert not expired(story(["f1"]), T0 + timedelta(hours=1), S)


def test_a_confirmed_story_must_bring_something_new() -> None:
    """Close to known events and no newcomer: a retelling in new words (a recap, an
    explainer); a newcomer both reports name, or a meaning far from every known event, is
    a development."""
    close = S.distinct_threshold + 0.05
    plain = item(unit((0, 1.0)), feed="f2")
    verdict = confirm(story(["f1"], score=close), plain, close, S)
    assert not verdict.confirmed and verdict.retelling
    with_name = story(["f1"], score=close)
    with_name.names = {"hsbc": 1}
    named = item(unit((0, 1.0)), feed="f2", names=(name("HSBC"),))
    assert confirm(with_name, named, close, S).confirmed
    far = S.distinct_threshold - 0.1
    assert confirm(story(["f1"], score=far), plain, far, S).confirmed
