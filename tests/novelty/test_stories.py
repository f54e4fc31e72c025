from dataclasses import replace

from monitor.config import NoveltySettings
from monitor.novelty.relevance import relevance
from monitor.novelty.stories import assign, reported, story_id
from monitor.novelty.types import Placement
from monitor.saga import Evidence
from novelty.helpers import item, memory, name, unit

S = NoveltySettings()
SAGA = unit((0, 1.0))


def _assign(it, mem):  # type: ignore[no-untyped-def]
    return assign(it, relevance(it, mem, S), mem, S)


def test_a_retelling_of_a_known_event_is_known() -> None:
    ev = unit((0, 1.0), (1, 0.8))
    mem = memory({"seed-1": [SAGA, ev]})
    a = _assign(item(unit((0, 1.0), (1, 0.75), (9, 0.1))), mem)
    assert a.placement is Placement.KNOWN and a.event_id == "seed-1"


def test_something_else_opens_a_story_named_after_its_report() -> None:
    mem = memory({"seed-1": [SAGA]})
    it = item(unit((0, 0.6), (2, 0.8)), doc="first")
    a = _assign(it, mem)
    assert a.placement is Placement.NEW_STORY and a.story_id == story_id(it)
    assert a.nearest_event == "seed-1"  # the explanation always has the nearest event


def test_another_report_joins_the_story() -> None:
    story = unit((0, 0.6), (2, 0.8))
    mem = memory({"seed-1": [SAGA]}, {"s1": [story]})
    a = _assign(item(unit((0, 0.6), (2, 0.78), (4, 0.2)), doc="second"), mem)
    assert a.placement is Placement.JOINED and a.story_id == "s1"


def test_a_shared_newcomer_joins_differently_worded_reports() -> None:
    story = unit((0, 0.6), (2, 0.8))
    other = unit((0, 0.6), (2, 0.2), (6, 0.775))
    assert 0.45 < float(other @ story) < S.join_threshold
    mem = memory({"seed-1": [SAGA]}, {"s1": [story]}, {"s1": frozenset({"signature bank"})},
                 story_heads={"s1": frozenset({"signature bank"})})
    assert _assign(item(other), mem).placement is Placement.NEW_STORY
    joined = _assign(item(other, names=(name("Signature Bank"),)), mem)
    assert joined.placement is Placement.JOINED and joined.story_id == "s1"


def test_a_newcomer_headlined_opens_a_story_unless_one_headlines_him_too() -> None:
    """A story of known events that names a newcomer in passing ("what could happen next:
    buyers such as X") is no home for the report whose headline brings X in ("X to buy
    ..."): it opens its own story, and the next headline naming X joins that one."""
    near = unit((0, 0.6), (2, 0.8))
    mem = memory({"seed-1": [SAGA]}, {"recap": [near]}, {"recap": frozenset({"hsbc"})})
    headlined = _assign(item(unit((0, 0.6), (2, 0.78), (4, 0.2)),
                             names=(name("HSBC"),)), mem)
    assert headlined.placement is Placement.NEW_STORY
    in_passing = _assign(item(unit((0, 0.6), (2, 0.78), (4, 0.2)),
                              names=(name("HSBC", in_title=False),)), mem)
    assert in_passing.placement is Placement.JOINED and in_passing.story_id == "recap"
    mem = memory({"seed-1": [SAGA]}, {"hsbc": [near]}, {"hsbc": frozenset({"hsbc"})},
                 story_heads={"hsbc": frozenset({"hsbc"})})
    second = _assign(item(unit((0, 0.6), (2, 0.78), (4, 0.2)), names=(name("HSBC"),)), mem)
    assert second.placement is Placement.JOINED and second.story_id == "hsbc"


def test_a_newcomer_in_the_headline_is_no_retelling_however_close() -> None:
    """"X buys the failed bank's UK arm" is as close to "the bank failed" as any recap,
    but X is new to the saga: it is not filed under the known event."""
    ev = unit((0, 1.0), (1, 0.8))
    mem = memory({"seed-1": [SAGA, ev]})
    close = unit((0, 1.0), (1, 0.75), (9, 0.1))
    assert _assign(item(close, names=(name("HSBC", in_title=False),)), mem).placement \
        is Placement.KNOWN
    assert _assign(item(close, names=(name("HSBC"),)), mem).placement is Placement.NEW_STORY


def test_a_copy_of_a_known_report_is_known_whatever_its_headline_names() -> None:
    """An outlet's world-section feed carries, a day later, the article its front page
    carried and the saga alerted: the same report, its event's, though its headline
    names a newcomer (a Title Case chunk, a name no report made an actor). Another
    outlet's report under the same words is not a copy."""
    title = "U.S. Says Globex Runs Out of the Old Harbor, Endorsing the Bank's Claims"
    told = [Evidence("d0", "...", None, title, "https://www.paper.example/front/story.html")]
    copy = replace(item(unit((0, 1.0), (1, 0.8)), names=(name("Endorsing"),)), title=title,
                   url="https://www.paper.example/world/story.html")
    assert reported(copy, told)
    assert not reported(replace(copy, url="https://other.example/story.html"), told)
    assert not reported(replace(copy, title="Globex runs out of the old harbor"), told)
    mem = memory({"dev-1": [SAGA, unit((0, 1.0), (1, 0.8))]})
    assert _assign(copy, mem).placement is Placement.NEW_STORY  # the headline's newcomer
    again = assign(copy, relevance(copy, mem, S), mem, S, again=True)
    assert again.placement is Placement.KNOWN and again.event_id == "dev-1"


def test_irrelevant_items_go_nowhere() -> None:
    mem = memory({"seed-1": [SAGA]})
    assert _assign(item(unit((8, 1.0))), mem).placement is Placement.IRRELEVANT


def test_a_headline_saying_something_new_is_no_retelling_however_close() -> None:
    """As close to a known event as a recap, but with fresh headline words: it opens a
    story instead of being filed under the known event."""
    ev = unit((0, 1.0), (1, 0.8))
    mem = memory({"seed-1": [SAGA, ev]})
    it = item(unit((0, 1.0), (1, 0.75), (9, 0.1)))
    a = assign(it, relevance(it, mem, S), mem, S, frozenset({"chip"}), frozenset({"en:chip"}))
    assert a.placement is Placement.NEW_STORY and a.nearest_event == "seed-1"


def _brought(mem, actor: str, event: str):  # type: ignore[no-untyped-def]
    from dataclasses import replace
    return replace(mem, brought={actor: event})


def test_a_report_on_what_a_development_brought_follows_it_up() -> None:
    """'Credit Suisse borrows $54bn' after 'Credit Suisse shares crash' (which brought
    Credit Suisse into the saga): the same development going on, never a second one,
    even worded far from it."""
    dev = unit((0, 0.6), (3, 0.8))
    follow = unit((0, 0.6), (3, 0.2), (5, 0.77))
    assert S.join_shared_name <= float(follow @ dev) < S.known_threshold
    mem = _brought(memory({"seed-1": [SAGA], "dev-cs": [dev]}), "a", "dev-cs")
    a = _assign(item(follow), mem)
    assert a.placement is Placement.KNOWN and a.event_id == "dev-cs"
    # without the actor it brought, the same report is something new
    assert _assign(item(follow, core=False), mem).placement is not Placement.KNOWN


def test_a_newcomer_in_the_headline_is_a_development_of_its_own() -> None:
    """'UBS to buy Credit Suisse': it names what Credit Suisse's crash brought, and a
    newcomer besides."""
    dev = unit((0, 0.6), (3, 0.8))
    mem = _brought(memory({"seed-1": [SAGA], "dev-cs": [dev]}), "a", "dev-cs")
    a = _assign(item(unit((0, 0.6), (3, 0.2), (5, 0.77)), names=(name("UBS"),)), mem)
    assert a.placement is Placement.NEW_STORY


def test_the_deal_after_the_talks_is_no_follow_up_and_no_retelling() -> None:
    """The talks (an alerted development that brought the buyer in) are a plan; a report
    naming the buyer and telling the thing done is the plan's next stage, however close
    its words. A report still telling talks follows the talks up."""
    from dataclasses import replace

    from monitor.novelty.stories import moved_on

    talks = unit((0, 1.0), (3, 0.9))
    mem = replace(memory({"seed-1": [SAGA], "dev-talks": [talks]}),
                  brought={"globex": "dev-talks"}, tentative=frozenset({"dev-talks"}))
    close = unit((0, 1.0), (3, 0.9), (5, 0.2))
    deal = replace(item(close, title="Globex agrees to buy Acme"), actors=("a", "globex"))
    again = replace(deal, title="Globex in talks to buy Acme, sources say")
    assert moved_on(mem, "dev-talks", deal) and not moved_on(mem, "dev-talks", again)
    a = _assign(deal, mem)
    assert a.placement is Placement.NEW_STORY  # its own story, not the talks retold
    b = _assign(again, mem)
    assert b.placement is Placement.KNOWN and b.event_id == "dev-talks"
    ruling = replace(deal, title="Court to rule on Acme's plan, Globex says")
    assert not moved_on(mem, "dev-talks", ruling)  # still to come: the announcement again
    # a plan that brought nobody in: its closest retellings stay retellings
    plain = replace(mem, brought={})
    assert _assign(deal, plain).placement is Placement.KNOWN


def test_the_deal_is_no_follow_up_of_what_the_talks_were_about() -> None:
    """Once the talks are a development, the deal comes closer in words to the target's
    own crash (which brought the target in) than to the talks: it is still the talks'
    next stage, neither a follow-up nor a retelling of the crash."""
    from dataclasses import replace

    talks, crash = unit((0, 1.0), (3, 0.9)), unit((0, 1.0), (4, 0.9))
    mem = replace(memory({"seed-1": [SAGA], "dev-talks": [talks], "dev-crash": [crash]}),
                  brought={"globex": "dev-talks", "acme": "dev-crash"},
                  tentative=frozenset({"dev-talks"}))
    deal = replace(item(unit((0, 1.0), (4, 0.8), (3, 0.3)), title="Globex agrees to buy Acme"),
                   actors=("a", "acme", "globex"))
    assert float(deal.lead @ crash) > max(S.known_threshold, float(deal.lead @ talks))
    assert _assign(deal, mem).placement is Placement.NEW_STORY
    # a report on the crash that names the buyer still in talks follows the crash up
    again = replace(deal, title="Globex in talks to buy Acme, sources say")
    assert _assign(again, mem).placement is Placement.KNOWN
