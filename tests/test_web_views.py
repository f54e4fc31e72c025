"""What the pages show, from a saga model and its alerts (pure functions, no Redis)."""

from __future__ import annotations

from web_server import make_alert

from monitor.alerts.message import Message, MessageType, Source
from monitor.saga import Actor, Event, Evidence, SagaModel
from monitor.web.views import actor_rows, alert_rows, event_rows, reports_per_day, saga_view


def model() -> SagaModel:
    m = SagaModel(name="s", title="A saga")
    m.actors = {
        "ann": Actor("ann", "Ann Lee", "person", aliases=["Lee", "Ann Lee"], role="chair",
                     first_seen="2023-11-17T10:00:00+00:00"),
        "acme": Actor("acme", "Acme", "org", first_seen="2023-11-17T10:00:00+00:00"),
        "tv": Actor("tv", "Some TV", "org", protagonist=False, peripheral="outlet"),
    }
    m.events = {
        "a": Event("a", "", ["ann", "acme", "tv"], "2023-11-17", "Acme fires Ann Lee",
                   evidence=[Evidence("d1", "Acme fired its chief.", "2023-11-17", "Acme fires",
                                      "https://x.example/1")], feeds=["f1"]),
        "b": Event("b", "", ["ann"], "2023-11-19", "Ann Lee returns",
                   evidence=[Evidence("d2", "She is back.", "2023-11-19", "Back",
                                      "javascript:alert(1)"),
                             Evidence("d3", "Back at Acme.", "2023-11-19", "Back again", None)],
                   feeds=["f1", "f2"], origin="story"),
        "c": Event("c", "", ["acme"], None, "Undated background"),
    }
    return m


def test_events_newest_first_undated_last_with_sources_and_web_links_only() -> None:
    rows = event_rows(model())
    assert [r.date for r in rows] == ["2023-11-19", "2023-11-17", "undated"]
    back = rows[0]
    assert back.headline == "Ann Lee returns" and back.sources == 2 and back.origin == "story"
    assert [(link.title, link.url) for link in back.links] == [("Back", None), ("Back again", None)]
    assert rows[1].links[0].url == "https://x.example/1"
    assert rows[1].actors == ("Ann Lee", "Acme")  # the outlet plays no role: not listed
    assert rows[1].evidence == "Acme fired its chief."


def test_a_reaction_the_model_keeps_is_shown_as_never_alerted() -> None:
    """A development whose headline tells an outsider reacting is known to the model but
    was never alerted (``Event.talk``): the page says so, not "development"."""
    m = model()
    m.events["b"].talk = True
    assert event_rows(m)[0].origin == "talk"


def test_actors_with_aliases_role_first_seen_and_events_counted() -> None:
    rows = actor_rows(model())
    assert [(r.name, r.events) for r in rows] == [("Acme", 2), ("Ann Lee", 2)]
    ann = rows[1]
    assert ann.aliases == ("Lee",) and ann.role == "chair" and ann.first_seen == "2023-11-17"


def test_alerts_of_the_saga_newest_first_with_later_sources_counted() -> None:
    old = make_alert("a1", saga="s", created="2023-11-18T08:00:00+00:00")
    new = make_alert("a2", saga="s", headline="Later", created="2023-11-19T08:00:00+00:00")
    other = make_alert("x", saga="other")
    more = Message(MessageType.MORE_SOURCES, old, (Source("t2"), Source("t3")))
    messages = [Message(MessageType.ALERT, a) for a in (old, new, other)] + [more]
    rows = alert_rows(messages, "s")
    assert [(r.id, r.more_sources) for r in rows] == [("a2", 0), ("a1", 2)]
    assert rows[0].kind == "new development" and rows[0].day == "2023-11-19"
    # the same alert from the alert log and from the outbox is one row
    assert len(alert_rows(messages + messages[:1], "s")) == 2


def test_saga_view_charts_reports_per_day_and_marks_alert_days() -> None:
    m = model()
    assert reports_per_day(m) == {"2023-11-17": 1, "2023-11-19": 2}
    alerts = alert_rows([Message(MessageType.ALERT, make_alert(
        "a", saga="s", created="2023-11-19T08:00:00+00:00"))], "s")
    view = saga_view(m, alerts)
    assert [(b.day, b.count) for b in view.chart.bars] == [("2023-11-17", 1), ("2023-11-19", 2)]
    assert [mk.day for mk in view.chart.marks] == ["2023-11-19"]
    assert view.last_alert is not None and view.last_alert.id == "a"
    assert view.others == ("Some TV",)
    assert not view.empty and saga_view(SagaModel(name="e"), []).empty
