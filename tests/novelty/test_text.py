from datetime import UTC, datetime

from monitor.novelty.text import development_alert
from monitor.saga import Event, SagaModel, Story

NOW = datetime(2023, 11, 19, 18, 0, tzinfo=UTC)


def _model() -> SagaModel:
    m = SagaModel(name="s")
    m.events["seed-1"] = Event(id="seed-1", action="", actors=[], date="2023-11-17",
                               statement="Le conseil renvoie Sam Altman")
    return m


def _story(score: float, fresh: dict[str, int]) -> Story:
    return Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(),
                 titles=["Altman sought billions for an AI chip venture"] * 2,
                 docs=["d1", "d2"], urls=["https://a.example/1", "https://b.example/2"],
                 feeds=["https://a.example/rss", "https://b.example/rss"],
                 nearest_event="seed-1", nearest_score=score, fresh=fresh)


def _reason(score: float, fresh: dict[str, int]) -> str:
    m = _model()
    story = _story(score, fresh)
    ev = Event(id="dev-st", action="", actors=[], date="2023-11-19", statement=story.titles[0])
    alert = development_alert(m, ev, story, 0.62, NOW,
                              (story.titles[0], story.urls[0], story.feeds[0], NOW))
    assert alert.explanation.nearest_event == "Le conseil renvoie Sam Altman"
    return alert.explanation.reason


def test_the_explanation_says_why_a_close_story_is_new() -> None:
    """Close to a known event in subject: the explanation names the words its reports
    share that the saga never said, and never claims the score was below the threshold."""
    reason = _reason(0.70, {"en:chip": 2, "en:venture": 2, "en:sought": 1})
    assert "0.70" in reason and "< 0.62" not in reason
    assert "chip" in reason and "venture" in reason and "sought" not in reason


def test_the_explanation_says_how_long_ago_the_first_report_came() -> None:
    """An alert on a story whose first report came hours before says so; one told within
    the hour says nothing of it."""
    from datetime import timedelta

    m = _model()
    story = _story(0.5, {})
    ev = Event(id="dev-st", action="", actors=[], date="2023-11-19", statement=story.titles[0])
    source = (story.titles[0], story.urls[0], story.feeds[0], NOW)
    later = development_alert(m, ev, story, 0.62, NOW + timedelta(hours=11, minutes=20), source)
    assert later.explanation.reason.startswith("2 sources in 2 reports, the first 11 h ago; ")
    soon = development_alert(m, ev, story, 0.62, NOW + timedelta(minutes=40), source)
    assert soon.explanation.reason.startswith("2 sources in 2 reports; ")
    # a wave that joined an older report (a death's reports, the hospice's story): its
    # own first report is the one the reader waited from
    story.times = [(NOW - timedelta(hours=47)).isoformat(), (NOW - timedelta(hours=2)).isoformat()]
    story.first = story.times[0]
    wave = development_alert(m, ev, story, 0.62, NOW, source, since=NOW - timedelta(hours=6))
    assert wave.explanation.reason.startswith("2 sources in 2 reports, the first 2 h ago; ")
    assert ", the first 47 h ago; " in development_alert(m, ev, story, 0.62, NOW,
                                                         source).explanation.reason


def test_the_explanation_gives_what_is_new_as_the_reports_write_it() -> None:
    """A user reads the words and names, not the stems and folded keys they are counted
    by; and a phrase only a Title Case headline capitalises is no name to show."""
    from monitor.saga import NameSeen

    m = _model()
    m.names["jane doe"] = NameSeen(name="jane doe", kind="person", prose=2,
                                   forms={"Jane Doe": 2, "Jane doe": 1})
    m.names["largest hospital"] = NameSeen(name="Largest Hospital", kind="person", titles=2)
    titles = ["Troops Storm The Largest Hospital After Doctors Warn Of Consequences",
              "Jane Doe says troops stormed the hospital; Acme warns of consequences"]
    story = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), titles=titles,
                  docs=["d1", "d2"], urls=["https://a.example/1", "https://b.example/2"],
                  feeds=["https://a.example/rss", "https://b.example/rss"],
                  nearest_event="seed-1", nearest_score=0.8,
                  fresh={"en:consequ": 2, "en:storm": 2, "en:acme": 2},
                  names={"jane doe": 2, "largest hospital": 2})
    ev = Event(id="dev-st", action="", actors=[], date="2023-11-19", statement=titles[0])
    reason = development_alert(m, ev, story, 0.62, NOW,
                               (titles[0], None, None, NOW)).explanation.reason
    assert "what it never said (consequences, storm, Acme)" in reason
    assert reason.endswith("new names: Jane Doe")
    assert "consequ," not in reason and "largest hospital" not in reason.lower()


def test_the_place_a_seed_headlined_is_no_new_name_of_a_development() -> None:
    """No actor is the hospital the saga is about, so its reports' name for it is a
    newcomer to the engine; the alert does not tell the user it is new."""
    from monitor.novelty.text import names_written
    from monitor.saga import NameSeen

    m = _model()
    m.events["seed-2"] = Event(id="seed-2", action="", actors=[], date="2023-11-10",
                               statement="Patients flee Harbor Hospital after a strike")
    for key, text in (("harbor-hospital", "Harbor-Hospital"), ("jane doe", "Jane Doe")):
        m.names[key] = NameSeen(name=text, kind="org", prose=2, forms={text: 2})
    story = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(),
                  names={"harbor-hospital": 2, "jane doe": 2})
    assert names_written(m, story) == ["Jane Doe"]
    # a known actor in a phrase ("Top Harbor", once Harbor is an actor) is not new either
    m.names["top harbor"] = NameSeen(name="Top Harbor", kind="org", prose=2,
                                     forms={"Top Harbor": 2})
    story.names["top harbor"] = 2
    assert names_written(m, story) == ["Jane Doe", "Top Harbor"]
    assert names_written(m, story, known=lambda n: n == "Top Harbor") == ["Jane Doe"]


def test_the_explanation_of_a_distinct_story_gives_the_score_and_threshold() -> None:
    assert "nearest known event scores 0.40 < 0.62" in _reason(0.40, {})


def test_an_aggregators_metadata_lines_are_never_the_sentence_an_alert_quotes() -> None:
    from monitor.novelty.text import informative, second_sentence

    hn = ("Bank agrees to buy failed lender", "Article URL: https://example.org/a",
          "Comments URL: https://news.example.com/item?id=1", "Points: 255", "# Comments: 48")
    assert second_sentence(hn, "the title") == "the title"
    told = (*hn[:2], "The buyer takes all deposits and loans, the regulator said.")
    assert second_sentence(told, "the title") == told[2]
    assert informative("Update: the regulator said 3 banks were closed")


def test_the_same_wire_copy_from_two_outlets_is_quoted_once() -> None:
    from monitor.novelty.text import distinct

    wire = ["First Citizens Bank agreed to buy the failed bank's deposits and loans, the FDIC "
            "said Monday.",
            "First Citizens Bank agreed to buy the failed bank’s deposits and loans, the U.S.",
            "The deal covers 72 billion dollars of assets."]
    assert distinct(wire) == (wire[0], wire[2])


def test_the_alert_headline_is_one_that_tells_what_is_new() -> None:
    """A story gathers retellings around its news; the alert takes the headline that names
    the newcomer its reports share, not the most central retelling."""
    import numpy as np

    from monitor.embed import DIM, pack
    from monitor.novelty.text import clearest_title

    def vec(*axes: int) -> str:
        v = np.zeros(DIM, dtype=np.float32)
        v[list(axes)] = 1.0
        return pack(v / np.linalg.norm(v))

    titles = ["The bank collapse, explained once more", "Bank collapse: what it means",
              "Acme Corp to buy the failed bank", "Bank failure weighs on markets"]
    st = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), titles=titles,
               docs=[f"d{i}" for i in range(4)], talk=[False] * 4,
               vectors=[x for v in (vec(0), vec(0), vec(0, 1), vec(0)) for x in (v, v)],
               heads={"acme corp": 2})
    assert clearest_title(st) == "Acme Corp to buy the failed bank"
    st.heads = {}
    assert clearest_title(st) != "Acme Corp to buy the failed bank"  # the most central


def test_of_titles_telling_as_much_the_one_most_outlets_tell_is_the_headline() -> None:
    """A story glued by a name ("Lender X execs sold $12M in stock", "Lender X bailed
    out by large banks"): the outlets are telling the rescue, and so does the alert."""
    from monitor.novelty.text import clearest_title

    titles = ["Lender X execs sold $12M in stock", "Lender X bailed out by large banks"]
    st = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), titles=titles,
               docs=["d0", "d1"], talk=[False, False], vectors=[])
    assert clearest_title(st) == titles[0]  # nothing counted: the first report
    assert clearest_title(st, told=[1, 4]) == titles[1]
    st.heads = {"execs": 2}  # telling what the story brings comes first
    assert clearest_title(st, told=[1, 4]) == titles[0]
    import numpy as np

    from monitor.embed import DIM, pack

    rows = []
    for axis in (0, 1, 0):  # the first and third reports are the most central
        v = np.zeros(DIM, dtype=np.float32)
        v[axis] = 1.0
        rows += [pack(v)] * 2
    third = "Lender X: what its fall means"
    longer = Story(**{**st.__dict__, "titles": [*titles, third], "heads": {},
                      "docs": ["d0", "d1", "d2"], "talk": [False] * 3, "vectors": rows})
    assert clearest_title(longer) != titles[1]
    assert clearest_title(longer, told=[1, 5, 2]) == titles[1]


def test_of_titles_telling_as_much_as_widely_the_one_in_the_sagas_language_heads() -> None:
    """An English stream's alert takes its English report's title, not its Polish one,
    when both tell the same and as many outlets tell each; a Polish stream's, the other."""
    from monitor.novelty.text import clearest_title

    titles = ["Prezes banku Globex rezygnuje ze stanowiska po wypowiedzi o kryzysie",
              "Globex bank chair resigns days after his comments sparked a sell-off"]
    st = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), titles=titles,
               docs=["d0", "d1"], talk=[False, False], vectors=[], languages=["pl", "en"])
    assert clearest_title(st) == titles[0]  # no language known: the first report
    assert clearest_title(st, languages=["en", "pl"]) == titles[1]
    assert clearest_title(st, languages=["pl", "en"]) == titles[0]
    assert clearest_title(st, told=[3, 1], languages=["en", "pl"]) == titles[0]  # more outlets
    st.languages = []  # a story stored before its reports' languages were kept
    assert clearest_title(st, languages=["en", "pl"]) == titles[0]


def test_a_headline_tells_a_newcomer_only_under_its_name() -> None:
    """"Globex" in "Globexia" or "UBS" in "subsidiary" is not the newcomer named."""
    from monitor.novelty.text import tells_news

    st = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), heads={"ubs": 2})
    assert tells_news(st, "UBS to buy its rival") == 1
    assert tells_news(st, "Bank sells its UK subsidiary") == 0


def test_a_plans_next_stage_is_headlined_by_a_report_of_the_thing_done() -> None:
    """A story opened by "Globex in talks..." and confirmed as the talks' next stage: its
    alert says the deal, not the talks; with nothing done to quote, the talks' title."""
    import numpy as np

    from monitor.embed import DIM, pack
    from monitor.novelty.text import clearest_title

    titles = ["Globex in talks to buy Acme", "Globex agrees to buy Acme for $3bn",
              "Globex in talks to buy Acme, sources say"]
    rows = []
    for i in range(len(titles)):
        v = np.zeros(DIM, dtype=np.float32)
        v[0], v[1 + i] = 1.0, 0.1
        rows += [pack(v / np.linalg.norm(v))] * 2
    story = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), titles=titles,
                  docs=["d1", "d2", "d3"], urls=[None] * 3, feeds=["f1", "f2", "f3"],
                  vectors=rows, talk=[False] * 3)
    assert clearest_title(story, done=True) == titles[1]
    plans = Story(**{**story.__dict__, "titles": [titles[0], titles[2]], "docs": ["d1", "d3"],
                     "urls": [None] * 2, "feeds": ["f1", "f3"], "vectors": rows[:4],
                     "talk": [False] * 2})
    assert clearest_title(plans, done=True) in (titles[0], titles[2])
    # a decision announced is a plan too: "poised to", "expected to" are not the news
    ahead = Story(**{**story.__dict__, "titles": [
        "Harbor council poised to pass the budget", "Harbor council passes the budget",
        "Harbor council expected to pass the budget tonight"]})
    assert clearest_title(ahead, done=True) == ahead.titles[1]


def test_talks_that_come_to_pass_within_their_story_are_headlined_done() -> None:
    """"X in talks to buy Y" waits for more outlets; the reports that tell it widely say
    the deal is done ("X to take over Y, regulator confirms"), and join the same story:
    the alert tells the deal. A story whose first report is no plan is not one that came
    to pass, whatever a later headline hedges ("rejects the plan to deport")."""
    from monitor.novelty.text import came_to_pass, clearest_title

    titles = ["Globex in talks to buy Acme", "Globex in talks to save Acme",
              "Globex to take over Acme, regulator confirms",
              "Globex reportedly offers to buy Acme for $1bn"]
    story = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), titles=titles,
                  docs=[f"d{i}" for i in range(4)], urls=[None] * 4,
                  feeds=[f"f{i}" for i in range(4)], vectors=[], talk=[False] * 4)
    assert came_to_pass(story)
    assert clearest_title(story) == titles[2]
    ruling = Story(**{**story.__dict__, "titles": [
        "Court set to rule on the asylum policy today",
        "Court rejects the government's plan to deport asylum seekers"]})
    assert not came_to_pass(ruling)
    talks = Story(**{**story.__dict__, "titles": titles[:2]})
    assert not came_to_pass(talks)


def test_a_new_actor_s_alert_says_how_the_reports_make_it_act() -> None:
    from monitor.novelty.text import Standing, actor_alert
    from monitor.saga import Actor, NameSeen

    m = _model()
    m.actors["globex"] = Actor(id="globex", name="Globex", kind="org")
    seen = NameSeen(name="Globex", kind="org", feeds=["f1", "f2"], docs=3,
                    developments=["seed-1"], parsed=3, argument=2)
    alert = actor_alert(m, "globex", Standing.of(seen), NOW,
                        ("Globex buys Acme", None, None, NOW))
    assert alert.headline == "Globex"
    assert "named by 2 sources in 3 relevant reports" in alert.explanation.reason
    assert "subject, object or agent in 2 of the 3 parsed leads" in alert.explanation.reason
    assert alert.explanation.nearest_event == "Le conseil renvoie Sam Altman"


def test_the_explanation_says_what_made_a_close_story_new_when_no_word_or_name_does() -> None:
    """No fresh word and no name written as one: the explanation says what made the story
    new as its headlines write it (the phrase two of them share, the word of a burst, a
    plan's next stage), never only that "the reports say more"."""
    from monitor.novelty.novelty import Confirmation

    m = _model()
    titles = ["Jane Doe Indicted On 34 Felony Counts, Pleads Not Guilty",
              "Jane Doe Charged on 34 Felony Counts"]
    story = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), titles=titles,
                  docs=["d1", "d2"], urls=["https://a.example/1", "https://b.example/2"],
                  feeds=["https://a.example/rss", "https://b.example/rss"],
                  nearest_event="seed-1", nearest_score=0.8)
    ev = Event(id="dev-st", action="", actors=[], date="2023-11-19", statement=titles[0])

    def reason(why: Confirmation | None) -> str:
        return development_alert(m, ev, story, 0.62, NOW, (titles[0], None, None, NOW),
                                 why).explanation.reason

    heads = Confirmation(True, 2, "", heads=("felony counts",))
    assert reason(heads).endswith("but two of its headlines name “Felony Counts”")
    burst = Confirmation(True, 3, "", burst="en:charge")
    assert reason(burst).endswith("but outlets headline “Charged” at once")
    plan = Confirmation(True, 2, "", moved=True)
    assert reason(plan).endswith("but it takes a known plan to its next stage")
    assert reason(None).endswith("but the reports say more")
    wave = Confirmation(True, 9, "", wave=14)
    assert reason(wave).endswith("but 14 outlets told it at once, far from any recent "
                                 "development")


def test_a_page_s_language_toggle_is_never_the_sentence_an_alert_quotes() -> None:
    """A seed copied from a page opens on its "Fr" / "En" toggle lines: the timeline
    quoted "En" as what the seed tells."""
    from monitor.novelty.text import second_sentence

    page = ("Fr", "En", "Psychodrame Globex : si vous avez manqué le début",
            "Le 22 novembre, le fondateur résumait la saga dans un fil.")
    assert second_sentence(page, page[2]) == page[3]


def test_a_waves_headline_is_one_of_the_reports_told_at_once() -> None:
    """The hospice report of two days before opened the story that the death's reports
    joined; confirmed as a wave, the alert is headlined by the death, not the hospice."""
    from datetime import timedelta

    from monitor.novelty.text import clearest_title

    titles = ["Former first lady Jane Roe, 96, is in hospice care at home",
              "Former first lady Jane Roe dies aged 96"]
    st = Story(id="st", first=(NOW - timedelta(days=2)).isoformat(), last=NOW.isoformat(),
               titles=titles, docs=["d0", "d1"], talk=[False, False], vectors=[],
               times=[(NOW - timedelta(days=2)).isoformat(), NOW.isoformat()])
    assert clearest_title(st) == titles[0]  # no wave: the first report, as before
    assert clearest_title(st, since=NOW - timedelta(hours=6)) == titles[1]
    # every report older than the wave (none was told at once): the first, as before
    assert clearest_title(st, since=NOW + timedelta(hours=1)) == titles[0]
    st.times = []  # a story stored before its reports' times were kept
    assert clearest_title(st, since=NOW - timedelta(hours=6)) == titles[0]


def test_a_waves_alert_links_to_the_report_it_is_headlined_by() -> None:
    """The scoop is a development's source; a wave's is the report of the wave that heads
    it, not the hospice report that opened its story (its link, and its outlet's feed)."""
    from monitor.novelty.text import alert_source

    titles = ["Jane Roe is in hospice care", "Talk: a life of service",
              "Jane Roe dies aged 96"]
    st = Story(id="st", first=NOW.isoformat(), last=NOW.isoformat(), titles=titles,
               docs=["d0", "d1", "d2"], talk=[False, True, False],
               urls=["https://a.example/hospice", "https://c.example/op",
                     "https://www.b.example/dies"],
               feeds=["https://a.example/rss", "https://feeds.b.example/world"])
    assert alert_source(st, titles[2], False, NOW) == (
        titles[0], "https://a.example/hospice", "https://a.example/rss", NOW)
    assert alert_source(st, titles[2], True, NOW) == (
        titles[2], "https://www.b.example/dies", "https://feeds.b.example/world", NOW)
    # the old report under the very headline the wave's report carries: the wave's copy
    st.titles[0] = titles[2]
    assert alert_source(st, titles[2], True, NOW)[1] == "https://www.b.example/dies"
