from datetime import timedelta

import numpy as np

from monitor.config import NoveltySettings
from monitor.embed import pack, unpack_many
from monitor.novelty.novelty import (
    Confirmation,
    burst_reports,
    confirm,
    content_words,
    expired,
    familiar_names,
    fresh_words,
    novel_words,
    recent_headlines,
    retold_heads,
    telling_burst,
    told_names,
    young_events,
)
from monitor.saga import Event, NameSeen, Story
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


def test_two_reports_sharing_fresh_headline_words_make_a_development() -> None:
    """Near a known event (not a retelling of it) and no newcomer, but both headlines say
    something the saga never said ("sought billions for chip venture"): a development,
    not a recap. Two shared words are often only the topic of a side story ("sells",
    "shirts": the defendant's campaign T-shirts on the day of his arraignment)."""
    close = (S.distinct_threshold + S.retell_threshold) / 2
    st = story(["f1"], score=close)
    st.fresh = {"en:sought": 1, "en:chip": 1, "en:venture": 1}
    verdict = confirm(st, item(unit((0, 1.0)), feed="f2"), close, S,
                      frozenset({"en:sought", "en:chip", "en:venture"}))
    assert verdict.confirmed and "new words" in verdict.reason
    two = confirm(st, item(unit((0, 1.0)), feed="f2"), close, S,
                  frozenset({"en:chip", "en:venture"}))
    assert not two.confirmed and two.retelling  # two shared words are not enough


def test_new_words_do_not_make_a_retelling_new() -> None:
    """As close to a known event as its retellings, new words are only new wording (the
    seeds in French, the stream in English: every English word is new to the saga); two
    headlines naming one newcomer are news whatever their closeness."""
    close = S.retell_threshold + 0.05
    st = story(["f1"], score=close)
    st.fresh = {"en:chip": 1, "en:venture": 1}
    worded = confirm(st, item(unit((0, 1.0)), feed="f2"), close, S,
                     frozenset({"en:chip", "en:venture"}))
    assert not worded.confirmed and worded.retelling
    st.heads = {"hsbc": 1}
    st.names = {"hsbc": 1}
    named = item(unit((0, 1.0)), feed="f2", names=(name("HSBC", in_title=True),))
    assert confirm(st, named, close, S).confirmed


def test_a_burst_of_outlets_headlining_one_fresh_word_is_news() -> None:
    """As close to a known event as its retellings ("the bank failed" / "the bank's parent
    files for bankruptcy"), but three outlets of four headline the same fresh word within
    the story's window: a development. The same word in three of a long-running recap's
    twenty outlets is a coincidence."""
    close = S.retell_threshold + 0.05
    st = story(["f1", "f2", "f3"], score=close)
    st.titles = ["a", "b", "c"]
    st.fresh = {"en:files": 2}
    verdict = confirm(st, item(unit((0, 1.0)), feed="f4"), close, S, frozenset({"en:files"}))
    assert verdict.confirmed and "burst" in verdict.reason
    two = confirm(st, item(unit((0, 1.0)), feed="f4"), close, S, frozenset({"en:other"}))
    assert not two.confirmed and two.retelling  # two reports of four: no burst
    recap = story([f"f{i}" for i in range(20)], score=close)
    recap.fresh = {"en:files": 2}
    late = confirm(recap, item(unit((0, 1.0)), feed="f99"), close, S, frozenset({"en:files"}))
    assert not late.confirmed and late.retelling
    forms = story(["f1", "f2", "f3"], score=close)
    forms.fresh = {"en:betraya": 1, "en:betraye": 1}  # "betrayal", "betrayed" (7-letter cut)
    worded = confirm(forms, item(unit((0, 1.0)), feed="f4"), close, S,
                     frozenset({"en:betrayi"}))  # "betraying": one word in three forms
    assert worded.confirmed and "burst" in worded.reason
    assert worded.burst == "en:betray" and verdict.burst == "en:files"  # for the alert to say
    off = NoveltySettings(burst_sources=0)
    assert not confirm(st, item(unit((0, 1.0)), feed="f4"), close, off,
                       frozenset({"en:files"})).confirmed


def test_a_burst_is_told_by_the_reports_headlining_its_word() -> None:
    """An explainer's story (a sink) that held a late report of the day's ruling confirms
    at last on three outlets headlining "generic": the burst's reports are those whose
    headline holds the word, in any of its forms, not the explainer nor the ruling's."""
    st = story(["f1", "f2", "f3", "f4"])
    st.titles = ["A deep dive into the Globex pill case",
                 "Supreme Court extends freeze on the Globex pill ruling",
                 "Generic drugmaker sues regulator to keep Globex pill on market",
                 "Generics maker's suit: what it means"]
    assert burst_reports(st, "en:generi") == [2, 3]
    assert burst_reports(st, "en:drugma") == [2]
    assert burst_reports(st, "en:tariff") == []
    assert burst_reports(st, "") == []


def test_a_story_holding_a_copy_of_a_known_event_s_report_retells_it_whatever_else() -> None:
    """Its first report is another outlet's copy of a seed ("Doe says he expects to be
    arrested", 0.96); later reports add a fresh word three outlets headline and a
    newcomer two headlines name. A story that close to the event is the event told
    again; one merely within the retelling bar is news by the same burst."""
    st = story(["f1", "f2", "f3"], score=0.96)
    st.titles, st.fresh = ["a", "b", "c"], {"en:protest": 2}
    st.names, st.heads = {"roe": 2}, {"roe": 2}
    report = item(unit((0, 1.0)), feed="f4", names=(name("Roe"),))
    copy = confirm(st, report, 0.7, S, frozenset({"en:protest"}))
    assert not copy.confirmed and copy.retelling
    st.nearest_score = S.retell_threshold + 0.05
    assert confirm(st, report, 0.7, S, frozenset({"en:protest"})).confirmed
    off = NoveltySettings(copy_threshold=1.0)
    st.nearest_score = 0.96
    assert confirm(st, report, 0.7, off, frozenset({"en:protest"})).confirmed


def test_a_story_waits_until_it_is_told_widely_at_once() -> None:
    """Two outlets a day apart confirm nothing while only one of them told it in the last
    hours (``support``); a second outlet within hours does. No support counted (None), or
    ``support_sources = 0``: the test is off."""
    waiting = confirm(story(["f1"]), item(unit((0, 1.0)), feed="f2"), 0.4, S, support=1)
    assert not waiting.confirmed and "waiting for more" in waiting.reason
    assert confirm(story(["f1"]), item(unit((0, 1.0)), feed="f2"), 0.4, S, support=2).confirmed
    off = NoveltySettings(support_sources=0)
    assert confirm(story(["f1"]), item(unit((0, 1.0)), feed="f2"), 0.4, off, support=0).confirmed


def test_a_wave_of_outlets_far_from_any_recent_development_is_news() -> None:
    """"Outsider wins the run-off" is as close to the seeds' debate as any recap, and tells
    no name or word the saga lacks; but every outlet tells it within hours: a wave. Not
    when a report of it comes close to an event of the last hours (then the wave is that
    event's aftermath), nor below ``wave_sources`` outlets, nor with the test off."""
    close = S.retell_threshold + 0.05
    st = story(["f1"], score=close)
    many = S.wave_sources

    def judge(support: int, young: float | None, s: NoveltySettings = S) -> Confirmation:
        return confirm(st, item(unit((0, 1.0)), feed="f2"), close, s, support=support,
                       young=young)

    wave = judge(many, 0.3)
    assert wave.confirmed and wave.wave == many and "wave" in wave.reason
    aftermath = judge(many, S.known_threshold + 0.05)
    assert not aftermath.confirmed and aftermath.retelling
    assert not judge(many - 1, 0.3).confirmed  # support enough, but no wave
    assert not judge(many, None).confirmed  # not measured
    assert not judge(many, 0.3, NoveltySettings(wave_sources=0)).confirmed


def test_young_events_are_recent_alerts_and_seeds_of_recent_days() -> None:
    """An alerted development is as young as its alert; a seed's fact as its day."""
    events = {
        "seed-old": Event(id="seed-old", action="", actors=[], date="2023-03-09", statement=""),
        "seed-new": Event(id="seed-new", action="", actors=[], date="2023-03-11", statement=""),
        "dev-old": Event(id="dev-old", action="", actors=[], date="2023-03-12", statement="",
                         origin="story", first_seen=(T0 - timedelta(hours=50)).isoformat()),
        "dev-new": Event(id="dev-new", action="", actors=[], date="2023-03-09", statement="",
                         origin="story", first_seen=(T0 - timedelta(hours=3)).isoformat()),
        # a reaction the model keeps but never alerted (``Event.talk``) is no development
        "talk-new": Event(id="talk-new", action="", actors=[], date="2023-03-11", statement="",
                          origin="story", first_seen=(T0 - timedelta(hours=2)).isoformat(),
                          talk=True),
    }
    assert young_events(events, T0, 48) == {"seed-new", "dev-new"}


def test_content_words_are_cut_alike_across_inflections() -> None:
    assert content_words("Shear vows to investigate") >= {"investi"}
    assert content_words("an independent investigation") >= {"investi"}
    assert not content_words("a to of CEO")  # short words say nothing


def test_words_are_new_only_once_the_saga_reads_their_language() -> None:
    """Seeds in French teach nothing of English words: until the saga has read enough
    English reports, no English word counts as new (every one would look new)."""
    words = content_words("Altman sought billions for a chip venture")
    young: dict[str, int] = {"fr:": 5, "en:": S.mature_reports - 1}
    assert novel_words(words, "en", young, S) == frozenset()
    grown = {"en:": S.mature_reports, "en:altman": 40, "en:billion": S.rare_reports}
    assert novel_words(words, "en", grown, S) == {"sought", "venture"}


def test_words_every_headline_uses_are_never_fresh() -> None:
    vocab = {"*:": 1000, "*:report": 50, "*:chip": 2}
    fresh = fresh_words(frozenset({"report", "chip"}), frozenset({"report", "chip"}), "en",
                        vocab, S)
    assert fresh == {"en:chip"}


def test_a_word_common_in_its_language_headlines_is_never_fresh() -> None:
    """"kryzys" is in 8 of 1,000 headlines (under the 1 % bar), but in 8 of 100 Polish
    ones: Polish headlines in general use it. Until the saga has read enough headlines in
    a language, all headlines are the measure."""
    vocab = {"*:": 1000, "*:kryzys": 8, "*:upadlos": 1, "*pl:": 100, "*pl:kryzys": 8,
             "*pl:upadlos": 1}
    words = frozenset({"kryzys", "upadlos"})
    assert fresh_words(words, words, "pl", vocab, S) == {"pl:upadlos"}
    young = {**vocab, "*pl:": S.mature_reports - 1}
    assert fresh_words(words, words, "pl", young, S) == {"pl:kryzys", "pl:upadlos"}


def test_a_word_of_a_few_headlines_in_a_minority_language_stays_fresh() -> None:
    """A saga read mostly in English: its 145 Polish headlines are too few for a 1 % bar
    (1.45). Three outlets headlining "55-metrowy" make a burst, not a common word; in
    the saga's main language, the bar is the share, as before."""
    vocab = {"*:": 1400, "*pl:": 145, "*pl:metrowy": 2, "*pl:szpital": 40, "*en:": 1255}
    assert fresh_words(frozenset({"metrowy", "szpital"}), frozenset({"metrowy", "szpital"}),
                       "pl", vocab, S) == {"pl:metrowy"}
    young = {"*:": 170, "*en:": 150, "*en:metre": 2, "*pl:": 20}  # English: its own bar
    assert fresh_words(frozenset({"metre"}), frozenset({"metre"}), "en", young, S) == set()
    over = {**vocab, "*pl:metrowy": S.burst_sources + 1}
    assert fresh_words(frozenset({"metrowy"}), frozenset({"metrowy"}), "pl", over, S) == set()


def test_a_syndicated_copy_of_one_report_is_not_a_second_source() -> None:
    """An aggregator carrying another outlet's report keeps its headline: the same report
    twice, not two outlets telling the news."""
    first = Story(id="s", first=T0.isoformat(), last=T0.isoformat(), feeds=["cnbc"],
                  titles=["Senator will give donations from the bank's ex-CEO to charity"],
                  docs=["d0"], nearest_event="e", nearest_score=0.4)
    copy = item(unit((0, 1.0)), feed="msn",
                title="Senator will give donations from the bank's ex-CEO to charity - MSN")
    c = confirm(first, copy, 0.4, S)
    assert not c.confirmed and "one wording" in c.reason
    own = item(unit((0, 1.0)), feed="msn", title="Senator to hand ex-CEO's money to charities")
    assert "one wording" not in confirm(first, own, 0.4, S).reason


def test_two_headlines_naming_one_newcomer_are_no_retelling() -> None:
    """However close to a known event, a story whose headlines name the same newcomer
    twice brings him into the saga: "HSBC to buy SVB UK", "HSBC rescues SVB's UK arm".
    Named only in the text of the second report, he does not."""
    close = S.retell_threshold + 0.05
    st = story(["f1"], score=close)
    st.names, st.heads = {"hsbc": 1}, {"hsbc": 1}
    headlined = item(unit((0, 1.0)), feed="f2", names=(name("HSBC"),))
    verdict = confirm(st, headlined, close, S)
    assert verdict.confirmed and verdict.heads == ("hsbc",)  # for the alert to say
    in_text = item(unit((0, 1.0)), feed="f2", names=(name("HSBC", in_title=False),))
    verdict = confirm(st, in_text, close, S)
    assert not verdict.confirmed and verdict.retelling


def test_a_newcomer_headlined_only_as_a_speaker_does_not_lift_the_retell_bar() -> None:
    """"Roe calls for calm over the indictment", "Roe slams the indictment": two
    headlines naming a newcomer, as close to the known indictment as its retellings,
    but he only speaks: a reaction, a retelling. "Roe Corp to buy the bank's arm",
    where he acts, is news however close."""
    from dataclasses import replace

    close = S.retell_threshold + 0.05
    st = story(["f1"], score=close)
    st.heads, st.names, st.spoke = {"jane roe": 1}, {"jane roe": 1}, {"jane roe": 1}
    roe = replace(name("Jane Roe", "person"), speaks=True, argument=False)
    said = confirm(st, item(unit((0, 1.0)), feed="f2", names=(roe,)), close, S)
    assert not said.confirmed and said.retelling
    st.spoke, st.acted = {}, {"jane roe": 1}
    acts = replace(roe, speaks=False, argument=True)
    assert confirm(st, item(unit((0, 1.0)), feed="f2", names=(acts,)), close, S).confirmed


def test_a_newcomer_a_near_development_headlined_is_that_development_again() -> None:
    """Two stories open on one development before either is confirmed ("DOJ, SEC launch
    probes", "Justice Department opens probe"). Once the first is alerted, headlining the
    Justice Department (``told``), the second one's headlines naming it again are one
    more outlet on that development, not a second one."""
    close = S.retell_threshold + 0.05
    st = story(["f1"], score=close)
    st.names, st.heads = {"justice department": 1}, {"justice department": 1}
    again = item(unit((0, 1.0)), feed="f2", names=(name("Justice Department"),))
    assert confirm(st, again, close, S).confirmed
    verdict = confirm(st, again, close, S, told=frozenset({"justice department"}))
    assert not verdict.confirmed and verdict.retelling
    far = S.retell_threshold - 0.1  # far from that development, its newcomer makes news
    other = story(["f1"], score=far)
    other.names = {"justice department": 1}
    assert confirm(other, again, far, S, told=frozenset({"justice department"})).confirmed


def test_a_told_newcomer_opening_a_title_case_phrase_is_that_newcomer() -> None:
    """"Globex Restores Jane Doe's Account" after the development that headlined Globex:
    the headline's chunk "Globex Restores" is Globex and a verb, the development told by
    one more outlet; "House Globex" is another party."""
    close = S.retell_threshold + 0.05
    for key, confirmed in (("globex restores", False), ("house globex", True)):
        st = story(["f1"], score=close)
        st.names, st.heads = {key: 1}, {key: 1}
        again = item(unit((0, 1.0)), feed="f2", names=(name(key.title()),))
        verdict = confirm(st, again, close, S, told=frozenset({"globex"}))
        assert verdict.confirmed is confirmed, key


def test_the_names_told_are_a_recent_near_development_s_own() -> None:
    """A development alerted hours ago still tells the newcomers it headlined; one alerted
    days ago does not (the same name heads other news), nor does a name that several
    developments headlined (the saga's subject, like the hospital of a siege)."""
    def event(eid: str, hours_ago: float, heads: list[str]) -> Event:
        at = (T0 - timedelta(hours=hours_ago)).isoformat()
        return Event(id=eid, action="", actors=[], date=None, statement=eid, first_seen=at,
                     origin="story", heads=heads)

    events = {e.id: e for e in (event("probe", 3, ["justice department", "harbor hospital"]),
                                event("siege", 30, ["harbor hospital"]),
                                event("fears", 120, ["globex bank"]))}
    assert told_names(events, ("probe", None), T0, 48) == {"justice department"}
    assert told_names(events, ("fears",), T0, 48) == frozenset()  # five days ago
    assert told_names(events, (None, "nowhere"), T0, 48) == frozenset()


def test_a_title_case_phrase_of_a_recent_development_s_headline_is_no_newcomer() -> None:
    """A second outlet headlines the firing alerted an hour ago in Title Case: "Doe
    Fires Defense Minister" is a phrase no report writes in running text, three of whose
    four words the alerted headline holds. It brings nobody in. Nor does a phrase of a
    report headlining the development alerted days ago count as retold, and a name the
    reports write in running text ("Harbor Hospital") is left to ``told_names``."""
    def event(eid: str, hours_ago: float, statement: str) -> Event:
        at = (T0 - timedelta(hours=hours_ago)).isoformat()
        return Event(id=eid, action="", actors=[], date=None, statement=statement,
                     first_seen=at, origin="story")

    events = {e.id: e for e in (
        event("fired", 1, "Jane Doe fires defence minister who criticised the plan"),
        event("old", 120, "Harbor Hospital surrounded as Acme pauses its overhaul"))}
    recent = recent_headlines(events, T0, 48)
    assert len(recent) == 1  # the old one is past the window
    names = {"harbor hospital": NameSeen(name="Harbor Hospital", kind="org", prose=3)}
    keys = ["doe fires defense minister", "harbor hospital", "acme pauses overhaul",
            "chip venture"]
    assert retold_heads(keys, names, recent) == {"doe fires defense minister"}
    assert retold_heads(keys, names, recent_headlines(events, T0, 200)) == {
        "doe fires defense minister", "acme pauses overhaul"}


def test_a_name_the_saga_carried_for_days_makes_nothing_new() -> None:
    """Jane Roe, a commentator the saga's reports have named since before the story's
    window opened, is in two headlines of a story as close to a known event as its
    retellings: "Calls for calm from Jane Roe over the indictment", "The indictment is
    'a disgrace', says Jane Roe". That is one more reaction, no development. Named
    only since yesterday she is a newcomer; and a headline opening on her ("Jane Roe
    resigns") is news about her again."""
    close = S.retell_threshold + 0.05
    st = story(["f1"], score=close)
    st.titles = ["Calls for calm from Jane Roe over the indictment"]
    st.names, st.heads = {"jane roe": 1}, {"jane roe": 1}
    days_ago = (T0 - timedelta(hours=S.story_window_h + 24)).isoformat()
    names = {"jane roe": NameSeen(name="Jane Roe", kind="person", docs=9, first_seen=days_ago)}
    roe = name("Jane Roe", "person")
    again = item(unit((0, 1.0)), feed="f2", names=(roe,),
                 title="The indictment is 'a disgrace', says Jane Roe")
    assert familiar_names(st, again, names, {}, S.story_window_h) == {"jane roe"}
    verdict = confirm(st, again, close, S, familiar=frozenset({"jane roe"}))
    assert not verdict.confirmed and verdict.retelling
    assert confirm(st, again, close, S).confirmed  # a newcomer, she would lift the bar
    names["jane roe"].first_seen = (T0 - timedelta(hours=20)).isoformat()
    assert familiar_names(st, again, names, {}, S.story_window_h) == frozenset()
    names["jane roe"].first_seen = days_ago
    resigns = item(unit((0, 1.0)), feed="f2", names=(roe,), title="Jane Roe resigns from the board")
    assert familiar_names(st, resigns, names, {}, S.story_window_h) == frozenset()


def test_a_name_the_seeds_told_is_never_familiar() -> None:
    """Harbor Hospital, the place the saga is about, is no actor; a seed's headline told
    it, and days later two headlines of a story naming it ("Troops enter Harbor
    Hospital") are still news about the saga's own subject, not a familiar name's. A
    name first met in a report that only retold a seed's event is familiar like any
    other."""
    st = story(["f1"])
    st.titles = ["Troops enter Harbor Hospital"]
    st.names, st.heads = {"harbor hospital": 1}, {"harbor hospital": 1}
    days_ago = (T0 - timedelta(hours=S.story_window_h + 24)).isoformat()
    seen = NameSeen(name="Harbor Hospital", kind="org", docs=9, first_seen=days_ago,
                    developments=["seed-1"])
    seed = Event(id="seed-1", action="", actors=[], date=None, first_seen=days_ago,
                 statement="Patients flee Harbor Hospital after a strike", origin="seed")
    again = item(unit((0, 1.0)), feed="f2", names=(name("Harbor Hospital"),),
                 title="Army raids Harbor Hospital")
    names, events = {"harbor hospital": seen}, {"seed-1": seed}
    assert familiar_names(st, again, names, events, S.story_window_h) == frozenset()
    seed.statement = "Army lays siege to a hospital"  # its retellings named it, not the seed
    assert familiar_names(st, again, names, events, S.story_window_h) == {"harbor hospital"}


def test_two_feeds_of_one_outlet_are_one_source() -> None:
    """An outlet's front page and its world section are one source; two channels on a
    platform that hosts many publishers are two."""
    guardian = story(["https://www.theguardian.com/rss"])
    section = item(unit((0, 1.0)), feed="https://www.theguardian.com/world/rss")
    assert not confirm(guardian, section, 0.4, S).confirmed
    assert confirm(guardian, item(unit((0, 1.0)), feed="https://www.bbc.co.uk/news/rss"),
                   0.4, S).confirmed
    channel = story(["https://www.youtube.com/feeds/videos.xml?channel_id=A"])
    other = item(unit((0, 1.0)), feed="https://www.youtube.com/feeds/videos.xml?channel_id=B")
    assert confirm(channel, other, 0.4, S).confirmed
    local = story(["http://127.0.0.1:8080/a.xml"])  # an address names no outlet
    assert confirm(local, item(unit((0, 1.0)), feed="http://127.0.0.1:8080/b.xml"),
                   0.4, S).confirmed


def test_the_languages_read_are_the_reports_languages_most_read_first() -> None:
    from monitor.novelty.novelty import languages_read

    vocab = {"en:": 40, "pl:": 7, "fr:": 5, "*en:": 900, "*:": 950, "en:globex": 3}
    assert languages_read(vocab) == ["en", "pl", "fr"]
    assert languages_read({}) == []


def test_a_decision_is_told_done_when_two_reports_headline_its_word_without_a_plan() -> None:
    """"Council passes the budget" after "Council passes budget in late vote": the
    thing done, in one word. Not when the other report only announced it ("Council
    poised to pass the budget", "expected to be passed"), nor when it was talk."""
    from monitor.novelty.novelty import done_alike

    def story(*titles: str, talk: bool = False) -> Story:
        return Story(id="st", first=T0.isoformat(), last=T0.isoformat(), titles=list(titles),
                     talk=[talk] * len(titles))

    passes = frozenset({"en:passes"})
    assert done_alike(story("Harbor council passes budget in late vote"), passes)
    assert done_alike(story("Budget passed: Harbor council votes 7-2"), frozenset({"en:passed"}))
    assert not done_alike(story("Harbor council expected to pass budget tonight",
                                "Harbor council poised to pass the budget"), passes)
    assert not done_alike(story("Harbor council passes budget", talk=True), passes)
    assert not done_alike(story("Harbor council passes budget"), frozenset())


def test_a_burst_s_duplicate_check_reads_the_burst_s_reports_alone() -> None:
    """``telling_burst``: of a sink's reports (two rows each, then the confirming
    report's), the burst's own rows and headlines are what the duplicate check compares
    with the day's developments; without a burst, or when the rows cannot be told apart
    (a story keeps the rows of its first reports only), all of them."""
    st = story(["f1", "f2", "f3"])
    st.titles = ["Explainer on the case", "Court extends freeze on the ruling",
                 "Generic drugmaker sues regulator"]
    st.talk = [True, False, False]
    st.vectors = [pack(unit((i, 1.0))) for i in range(6)]
    confirming = item(unit((9, 1.0)), feed="f4", title="Generic pill maker sues regulator")
    rows = np.vstack([unpack_many(st.vectors), confirming.probes])
    mine, titles = telling_burst(st, confirming, rows, "en:generi")
    assert [int(r.argmax()) for r in mine] == [4, 5, 9, 9]
    assert titles == ["Generic drugmaker sues regulator", "Generic pill maker sues regulator"]
    every, news = telling_burst(st, confirming, rows, "")
    assert len(every) == len(rows) and news == [*st.titles[1:], confirming.title]
    st.vectors = st.vectors[:4]  # the rows of the first two reports only
    assert len(telling_burst(st, confirming, rows[2:], "en:generi")[0]) == len(rows) - 2
