"""The model grows: reports join stories, stories become developments, names actors."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from monitor.embed import pack
from monitor.novelty import grow
from monitor.saga import Actor, Event, NameSeen, SagaModel
from tests.novelty.helpers import T0, item, name, unit

AT = T0.isoformat()


def _story(model: SagaModel) -> None:
    """A story of three reports: news from two outlets, and an op-ed that names a pundit."""
    doe = name("Harbor Trust")
    pundit = name("Jane Roe", "person", in_title=False)
    news = item(unit((0, 1.0)), doc="d1", feed="https://a.example/rss", names=(doe,),
                title="Harbor Trust to buy the failed bank")
    grow.add_report(model, "s1", news, ("seed-1", 0.55), AT, fresh=frozenset({"en:harbor"}))
    other = replace(news, doc_id="d2", feed="https://b.example/rss",
                    published=T0 + timedelta(hours=1), title="Harbor Trust buys the bank")
    grow.add_report(model, "s1", other, ("seed-2", 0.61), AT, fresh=frozenset({"en:harbor"}))
    talk = replace(news, doc_id="d3", feed="https://c.example/rss", names=(doe, pundit),
                   published=T0 + timedelta(hours=2), title="Opinion: the deal is a mistake")
    grow.add_report(model, "s1", talk, ("seed-1", 0.5), AT, source=False)


def test_a_story_counts_its_sources_and_its_talk_apart() -> None:
    model = SagaModel(name="saga")
    _story(model)
    story = model.stories["s1"]
    assert story.docs == ["d1", "d2", "d3"] and story.talk == [False, False, True]
    assert story.feeds == ["https://a.example/rss", "https://b.example/rss"]  # talk: no source
    assert story.first == T0.isoformat() and story.last == (T0 + timedelta(hours=2)).isoformat()
    # when each report came (a wave's headline is one of those told at once)
    assert story.times == [(T0 + timedelta(hours=h)).isoformat() for h in range(3)]
    assert (story.nearest_event, story.nearest_score) == ("seed-2", 0.61)  # the closest report
    # every report tells the story's names; only its sources tell who takes part
    assert story.names == {"harbor trust": 3, "jane roe": 1}
    assert story.cast == {"harbor trust": 2}
    assert story.heads == {"harbor trust": 3} and story.fresh == {"en:harbor": 2}
    assert story.first_news() == 0


def test_a_common_noun_a_headline_capitalised_is_no_newcomer_it_headlines() -> None:
    """"Bank Stocks Tumble" over a text writing "bank stocks": the word is in the story's
    names, but no headline names a newcomer (``novelty.heads_shared`` lifts the
    retelling bar for one)."""
    model = SagaModel(name="saga")
    bank = replace(name("Bank"), lower=True)
    for i, feed in enumerate(("https://a.example/rss", "https://b.example/rss")):
        report = item(unit((0, 1.0)), doc=f"d{i}", feed=feed, names=(bank,),
                      title="Bank Stocks Tumble Amid Turmoil")
        grow.add_report(model, "s1", report, ("seed-1", 0.7), AT)
    story = model.stories["s1"]
    assert story.names == {"bank": 2} and story.heads == {}


def test_a_confirmed_story_becomes_a_development_that_keeps_its_evidence() -> None:
    model = SagaModel(name="saga")
    _story(model)
    event = grow.promote_story(model, model.stories["s1"], "Harbor Trust buys the bank", AT, "d2")
    assert "s1" not in model.stories and model.events[event.id] is event
    assert event.origin == "story" and event.statement == "Harbor Trust buys the bank"
    assert [e.doc_id for e in event.evidence] == ["d1", "d2", "d3"]
    assert event.heads == ["harbor trust"]  # its newcomers, told by its headlines
    assert len(event.vectors) == 6  # two rows (lead, first sentence) a report
    assert model.pending[-1].kind == "event_added" and model.pending[-1].cause == "d2"


def test_a_story_told_again_is_folded_into_its_development() -> None:
    """A story that tells a development just alerted (``Engine._told_again``) is gone,
    and its reports, the newest one's included, are the development's sources; their
    embeddings are the development's too (its next retellings look like them)."""
    model = SagaModel(name="saga")
    model.events["dev-1"] = Event(id="dev-1", action="", actors=[], date="2023-03-12",
                                  statement="Harbor Trust buys the bank",
                                  feeds=["https://z.example/rss"], origin="story")
    _story(model)
    newest = item(unit((0, 1.0)), doc="d4", feed="https://d.example/rss",
                  title="The bank goes to Harbor Trust")
    story_rows = list(model.stories["s1"].vectors)
    taken = grow.fold_story(model, model.stories["s1"], "dev-1", newest)
    event = model.events["dev-1"]
    assert event.vectors == [*story_rows, *(pack(v) for v in newest.probes)]
    assert taken == len(event.vectors)
    assert "s1" not in model.stories
    assert event.feeds == ["https://z.example/rss", "https://a.example/rss",
                           "https://b.example/rss", "https://d.example/rss"]
    assert [e.doc_id for e in event.evidence] == ["d1", "d2", "d3", "d4"]
    assert model.pending[-1].kind == "story_folded" and model.pending[-1].cause == "d4"


def test_what_a_development_said_is_no_longer_new() -> None:
    model = SagaModel(name="saga")
    grow.learn_words(model, frozenset({"harbor"}), "en")
    grow.said(model, {"en:harbor": 2, "en:merger": 2}, rare=3)
    assert model.vocab["en:harbor"] == 3 and model.vocab["en:merger"] == 3
    assert model.vocab["en:"] == 1  # reports read in English


def test_headlines_are_counted_over_all_languages_and_their_own() -> None:
    model = SagaModel(name="saga")
    grow.learn_headline(model, frozenset({"kryzys"}), "pl")
    grow.learn_headline(model, frozenset({"crisis"}), "en")
    assert model.vocab["*:"] == 2 and model.vocab["*pl:"] == 1
    assert model.vocab["*pl:kryzys"] == 1 and "*en:kryzys" not in model.vocab


def test_a_tracked_name_becomes_an_actor_with_its_short_forms() -> None:
    model = SagaModel(name="saga")
    model.names["harbor trust bank"] = NameSeen(
        name="Harbor Trust Bank", kind="org", docs=3, short=["Harbor Trust"],
        roles=["president"], developments=["dev-s1"])
    actor = grow.promote_name(model, "harbor trust bank", AT, "d2")
    assert "harbor trust bank" not in model.names
    # "Harbor Trust Bank president Jo Doe": the role is his, not the bank's
    assert actor.name == "Harbor Trust Bank" and actor.role is None
    assert actor.aliases == ["Harbor Trust"] and actor.in_events == 1 and actor.docs == 3
    model.names["jo doe"] = NameSeen(name="Jo Doe", kind="person", roles=["president"])
    assert grow.promote_name(model, "jo doe", AT, "d3").role == "president"


def test_a_new_actor_is_named_as_most_of_its_reports_write_it() -> None:
    """First read in a Polish report's oblique case ("Harbor Trust Banku"), then in three
    English reports: the actor is "Harbor Trust Bank", and the first form still finds it."""
    from monitor.novelty.actors import track
    from monitor.novelty.resolver import Resolver

    model = SagaModel(name="saga")
    for text, feed in [("Harbor Trust Banku", "pl"), ("Harbor Trust Bank", "a"),
                       ("Harbor Trust Bank", "b"), ("Harbor Trust Bank", "c")]:
        track(model, [replace(name(text), key="harbor trust banku")], feed, None, {}, AT)
    assert model.names["harbor trust banku"].forms == {"Harbor Trust Banku": 1,
                                                       "Harbor Trust Bank": 3}
    actor = grow.promote_name(model, "harbor trust banku", AT, "d4")
    assert actor.name == "Harbor Trust Bank" and "Harbor Trust Banku" in actor.aliases
    assert Resolver(model).resolve("Harbor Trust Banku") == actor.id


def test_a_new_actor_polish_reports_decline_is_named_in_the_nominative() -> None:
    """Only Polish reports name him, in the genitive ("Jana Nowaka") and the
    instrumental: the actor is "Jan Nowak", as an English report and the labels name him,
    and the forms read still find him."""
    from monitor.novelty.actors import track
    from monitor.novelty.resolver import Resolver

    model = SagaModel(name="saga")
    for text, feed in [("Jana Nowaka", "a"), ("Jana Nowaka", "b"), ("Janem Nowakiem", "c")]:
        track(model, [replace(name(text, "person"), key="jana nowaka")], feed, None, {}, AT)
    actor = grow.promote_name(model, "jana nowaka", AT, "d4")
    assert (actor.id, actor.name) == ("jan-nowak", "Jan Nowak")
    assert Resolver(model).resolve("Jana Nowaka") == actor.id
    assert Resolver(model).resolve("Janem Nowakiem") == actor.id


def test_expired_stories_are_dropped_and_recorded() -> None:
    model = SagaModel(name="saga")
    _story(model)
    grow.prune(model, ["s1", "gone"], AT, T0 + timedelta(days=3))
    assert model.stories == {} and model.pending[-1].kind == "story_expired"


def test_the_country_the_seeds_headline_becomes_a_strong_term_in_every_language() -> None:
    model = SagaModel(name="volcano")
    for i, title in enumerate(["Iceland declares state of emergency over eruption threat",
                               "Quakes rock southwestern Iceland as eruption looms",
                               "Fagradalsfjall: Iceland declares emergency over volcano"]):
        model.events[f"s{i}"] = Event(f"s{i}", "", [], "2023-11-10", title)
    model.events["d"] = Event("d", "", [], "2023-11-12", "France sends experts",
                              origin="story")
    assert grow.seed_places(model, T0.isoformat()) == ["Iceland", "Islande", "Islandia"]
    assert {"Iceland", "Islandia"} <= set(model.prefilter_terms())  # strong: no "~"
    assert grow.seed_places(model, T0.isoformat()) == []  # seeding again adds nothing
    assert [c.kind for c in model.pending].count("saga_place") == 1


def test_a_saga_whose_headlines_name_its_cast_is_found_by_them_not_by_its_country() -> None:
    model = SagaModel(name="summit")
    model.actors["jane-doe"] = Actor("jane-doe", "Jane Doe", "person", seeded=True)
    for i, title in enumerate(["Jane Doe flies to Iceland for the summit",
                               "Iceland welcomes Jane Doe"]):
        model.events[f"s{i}"] = Event(f"s{i}", "", ["jane-doe"], "2023-11-10", title)
    assert grow.seed_places(model, T0.isoformat()) == []
    assert "Iceland" not in model.prefilter_terms()


def test_a_seed_naming_in_full_a_surname_taken_for_a_company_makes_a_person() -> None:
    """The first seed's NER read "Harbor's Doe wins support" as the organisation "Doe";
    the second names "Jane Doe", a person. She is one person, named in full, her surname
    one of her forms (not "Doe" in a phrase, as "Top Globex" is Globex)."""
    model = SagaModel(name="s")
    first = item(unit((0, 1.0)), doc="d1", core=False, title="Harbor's Doe wins support")
    grow.seed(model, first, [name("Doe")], [], AT)
    second = item(unit((1, 1.0)), doc="d2", core=False, title="Protests after Jane Doe's pledge")
    grow.seed(model, second, [name("Jane Doe", "person")], [], AT)
    assert len(model.actors) == 1
    doe = next(iter(model.actors.values()))
    assert (doe.name, doe.kind, doe.aliases) == ("Jane Doe", "person", ["Doe"])
    assert all(doe.id in e.actors for e in model.events.values())
    # a company in a phrase stays the company
    grow.seed(model, item(unit((2, 1.0)), doc="d3", core=False, title="Top Globex executives quit"),
              [name("Globex")], [], AT)
    grow.seed(model, item(unit((3, 1.0)), doc="d4", core=False, title="Top Globex leaves"),
              [name("Top Globex")], [], AT)
    found = model.find("Globex")
    assert found is not None and found.kind == "org"


def test_a_report_announcing_a_decision_is_remembered_for_days() -> None:
    """The support window forgets reports within hours; an announcement ("Council poised
    to pass the budget") is kept for the story window, for its outcome to be known."""
    m = SagaModel(name="s")
    grow.remember(m, item(unit((0, 1.0)), doc="plan", title="Council poised to pass the budget"),
                  "bbc", 6, awaits=True, awaits_h=48)
    grow.remember(m, item(unit((0, 1.0)), doc="recap", at=T0 + timedelta(hours=1)), "ft", 6)
    grow.remember(m, item(unit((1, 1.0)), doc="later", at=T0 + timedelta(hours=30)), "cnbc", 6,
                  awaits_h=48)
    assert set(m.recent) == {"plan", "later"} and m.recent["plan"].awaits
    grow.remember(m, item(unit((1, 1.0)), doc="last", at=T0 + timedelta(hours=49)), "wsj", 6,
                  awaits_h=48)
    assert set(m.recent) == {"last"}


def test_a_role_a_seed_gives_next_to_a_company_is_not_the_company_s() -> None:
    """"Le créateur de Globex a licencié le PDG Jane Doe": the role cue is hers, and an
    organisation holds none (as an actor found live: ``promote_name``)."""
    from dataclasses import replace

    model = SagaModel(name="s")
    seed = item(unit((0, 1.0)), doc="d1", core=False, title="Globex fires its PDG Jane Doe")
    grow.seed(model, seed, [replace(name("Globex"), role="pdg"),
                            replace(name("Jane Doe", "person"), role="pdg")], [], AT)
    assert model.find("Globex").role is None  # type: ignore[union-attr]
    assert model.find("Jane Doe").role == "pdg"  # type: ignore[union-attr]


def test_a_development_keeps_a_bounded_number_of_rows() -> None:
    """A development folded into again and again (a long-lived daemon) keeps at most
    ``MAX_EVENT_ROWS`` rows: those of the first folds."""
    model = SagaModel(name="saga")
    full = [f"row{i}" for i in range(grow.MAX_EVENT_ROWS - 1)]
    model.events["dev-1"] = Event(id="dev-1", action="", actors=[], date="2023-03-12",
                                  statement="Harbor Trust buys the bank", vectors=list(full),
                                  origin="story")
    _story(model)
    first = model.stories["s1"].vectors[0]
    newest = item(unit((0, 1.0)), doc="d4", feed="https://d.example/rss")
    assert grow.fold_story(model, model.stories["s1"], "dev-1", newest) == 1
    assert model.events["dev-1"].vectors == [*full, first]
