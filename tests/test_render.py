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
