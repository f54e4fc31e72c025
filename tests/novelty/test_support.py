"""How widely a story is told right now: outlets with a close relevant report within hours."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from monitor.config import NoveltySettings
from monitor.novelty import grow
from monitor.novelty.memory import memory_of, with_recent
from monitor.novelty.support import support, told_by
from monitor.novelty.types import Memory
from monitor.saga import SagaModel
from novelty.helpers import T0, item, memory, unit

S = NoveltySettings()
NEWS = unit((0, 1.0))
CLOSE = unit((0, 1.0), (1, 0.3))  # cosine 0.96 to NEWS
FAR = unit((2, 1.0))


def _told(*reports: tuple[np.ndarray, str, timedelta]) -> Memory:
    mem = memory({"e": [FAR]})
    for vec, outlet, ago in reports:
        mem = with_recent(mem, vec[None, :], outlet, T0 - ago, T0 - timedelta(days=9))
    return mem


def test_outlets_with_a_close_report_within_hours_support_a_story() -> None:
    mem = _told((NEWS, "bbc", timedelta(hours=1)), (CLOSE, "cnbc", timedelta(hours=5)))
    assert support(NEWS[None, :], mem, T0, S) == 2


def test_a_report_published_later_but_read_first_supports_too() -> None:
    """Feeds are read at their own pace: the report judged now may have been published
    before one already read."""
    mem = _told((CLOSE, "cnbc", -timedelta(hours=2)))
    mem = with_recent(mem, NEWS[None, :], "bbc", T0, T0 - timedelta(hours=6))
    assert support(NEWS[None, :], mem, T0, S) == 2
    assert support(NEWS[None, :], mem, T0 - timedelta(hours=S.support_window_h), S) == 1


def test_one_outlet_twice_a_far_report_or_an_old_one_add_no_support() -> None:
    mem = _told(
        (NEWS, "bbc", timedelta(hours=1)),
        (CLOSE, "bbc", timedelta(hours=2)),  # the same outlet again
        (FAR, "cnbc", timedelta(hours=1)),  # another subject
        (CLOSE, "ft", timedelta(hours=S.support_window_h + 1)),  # yesterday's trickle
    )
    assert support(NEWS[None, :], mem, T0, S) == 1
    assert support(NEWS[None, :], memory({"e": [FAR]}), T0, S) == 0  # nothing recent


def test_each_report_of_a_story_is_told_by_its_own_outlets() -> None:
    """Two reports glued into one story by a name: the outlets tell one of them."""
    mem = _told((NEWS, "bbc", timedelta(hours=1)), (CLOSE, "cnbc", timedelta(hours=2)),
                (FAR, "ft", timedelta(hours=1)),
                (NEWS, "wsj", timedelta(hours=S.support_window_h + 2)))  # too long ago
    rows = np.vstack([FAR, FAR, NEWS, CLOSE])  # two reports, lead and title each
    assert told_by(rows, mem, T0, S) == [1, 2]
    assert told_by(rows, memory({"e": [FAR]}), T0, S) == [0, 0]  # nothing recent


def test_recent_reports_are_dropped_once_out_of_the_window() -> None:
    mem = _told((NEWS, "bbc", timedelta(hours=30)))
    later = with_recent(mem, CLOSE[None, :], "cnbc", T0, T0 - timedelta(hours=6))
    assert later.recent_outlet == ("cnbc",) and later.recent is not None
    assert len(later.recent) == 1


def test_the_stored_recent_reports_give_the_same_memory() -> None:
    """``grow.remember`` keeps in the model what ``with_recent`` adds to the memory, so
    the next batch (or the daemon after a restart) counts the same support."""
    model = SagaModel(name="s")
    old = item(NEWS, doc="old", feed="https://bbc.example/rss", at=T0 - timedelta(hours=9))
    grow.remember(model, old, "bbc", S.support_window_h)
    now = item(CLOSE, doc="new", feed="https://cnbc.example/rss", at=T0)
    grow.remember(model, now, "cnbc", S.support_window_h)
    assert list(model.recent) == ["new"]  # the older one is out of the window
    again = memory_of(model)
    assert again.recent_outlet == ("cnbc", "cnbc")  # its lead and its title
    assert support(NEWS[None, :], again, T0, S) == 1


def _announced(*reports: tuple[np.ndarray, bool, timedelta], outlets: int = 2) -> Memory:
    """Recent reports (vector, whether it announced a decision to come, how long ago),
    each told by ``outlets`` outlets, kept as the engine keeps them: an announcement for
    the story window."""
    mem = memory({"e": [FAR]})
    for vec, awaits, ago in reports:
        at = T0 - ago
        for outlet in ("bbc", "ft", "wsj")[:outlets]:
            mem = with_recent(mem, vec[None, :], outlet, at,
                              at - timedelta(hours=S.support_window_h), awaits,
                              at - timedelta(hours=S.story_window_h))
    return mem


def test_a_decision_announced_in_the_last_days_is_awaited() -> None:
    """"Council poised to pass the budget" yesterday: today's "Council passes the budget"
    may be that decision taken. The latest announcement close to it counts."""
    from monitor.novelty.support import awaited

    mem = _announced((NEWS, True, timedelta(hours=30)), (CLOSE, True, timedelta(hours=20)),
                     (FAR, False, timedelta(hours=1)))
    assert awaited(NEWS[None, :], mem, T0, S) == T0 - timedelta(hours=20)


def test_no_announcement_a_far_or_old_one_one_outlet_s_or_the_test_off_awaits_nothing(
) -> None:
    from monitor.novelty.support import awaited

    lone = _announced((NEWS, True, timedelta(hours=2)), outlets=1)  # one outlet's "expected to"
    assert awaited(NEWS[None, :], lone, T0, S) is None

    plain = _announced((NEWS, False, timedelta(hours=2)))  # a report, no announcement
    assert awaited(NEWS[None, :], plain, T0, S) is None
    far = _announced((FAR, True, timedelta(hours=2)))
    assert awaited(NEWS[None, :], far, T0, S) is None
    old = _announced((NEWS, True, timedelta(hours=S.story_window_h + 1)),
                     (FAR, False, timedelta(hours=1)))
    assert awaited(NEWS[None, :], old, T0, S) is None
    fresh = _announced((NEWS, True, timedelta(hours=2)))
    assert awaited(NEWS[None, :], fresh, T0, S.model_copy(update={"awaited_threshold": 0})) is None


def test_an_announcement_outlives_the_support_window_a_plain_report_does_not() -> None:
    mem = _announced((NEWS, True, timedelta(hours=30)), (CLOSE, False, timedelta(hours=29)),
                     (FAR, False, timedelta(hours=1)))
    assert mem.recent_awaits == (True, True, False, False)
    assert mem.recent is not None and len(mem.recent) == 4
    assert support(NEWS[None, :], mem, T0, S) == 0  # kept, but not told in the last hours
