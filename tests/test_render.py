"""What `monitor saga show` prints of a saga's actors (monitor.render)."""

from __future__ import annotations

from monitor.render import render_model
from monitor.saga import Actor, SagaModel


def test_a_quiet_actor_is_shown_as_such() -> None:
    """An actor promoted without an alert (its reports only named it) says so, so that a
    reader of the model knows why no alert named it."""
    m = SagaModel(name="s")
    m.actors["globex"] = Actor(id="globex", name="Globex", kind="org", mentions=3)
    m.actors["widgetly"] = Actor(id="widgetly", name="Widgetly", kind="org", mentions=2,
                                 quiet=True)
    lines = {ln.strip().split(" (")[0]: ln for ln in render_model(m).splitlines()
             if ln.strip().startswith(("Globex", "Widgetly"))}
    assert "quiet" in lines["Widgetly"] and "quiet" not in lines["Globex"]


def test_actors_are_listed_by_the_events_they_take_part_in() -> None:
    """The protagonist of every event comes first and says so; a name a seed gave once
    comes after, whatever count of reports made it an actor."""
    m = SagaModel(name="s")
    m.actors["jane-doe"] = Actor(id="jane-doe", name="Jane Doe", kind="person", in_events=5)
    m.actors["globex"] = Actor(id="globex", name="Globex", kind="org", mentions=3, in_events=1)
    lines = [ln.strip() for ln in render_model(m).splitlines()
             if ln.strip().startswith(("Globex", "Jane Doe"))]
    assert lines[0].startswith("Jane Doe") and "in 5 event(s)" in lines[0]
    assert "in 1 event(s)" in lines[1]
