"""Who is new to the saga (``novelty.actors``): a newcomer the reports make an actor."""

from monitor.config import NoveltySettings
from monitor.nlp import Mention, Sentence
from monitor.novelty.actors import acting, acts, ready, track
from monitor.novelty.resolver import Resolver
from monitor.saga import Actor, NameSeen
from novelty.helpers import cast, name, sentence


def test_a_newcomer_becomes_an_actor_through_two_sources_and_a_development() -> None:
    m, s = cast(), NoveltySettings()
    n = name("Signature Bank")
    track(m, [n], "feed-1", None, {}, "t")
    assert not ready(m.names["signature bank"], s)
    track(m, [n], "feed-2", None, {}, "t")
    assert not ready(m.names["signature bank"], s)  # no development yet
    track(m, [n], "feed-2", "dev-1", {}, "t")
    assert ready(m.names["signature bank"], s)


def test_a_name_that_only_qualifies_others_in_parsed_leads_does_not_act() -> None:
    """A product, a show or a venue ("a TikTok ban", "the ABA summit") is named by a
    development's reports but never as one who acts; a name no English lead parsed (a
    Polish report) is not judged."""
    from dataclasses import replace

    m = cast()
    for feed in ("f1", "f2"):
        track(m, [replace(name("Widgetly"), argument=False)], feed, "dev-1", {}, "t")
    track(m, [name("Globex")], "f1", "dev-1", {}, "t")  # not parsed
    assert not acts(m.names["widgetly"]) and acts(m.names["globex"])
    track(m, [replace(name("Widgetly"), argument=True)], "f3", "dev-1", {}, "t")
    assert acts(m.names["widgetly"])  # once a subject or an object somewhere, it acts


def test_a_name_the_reports_make_speak_more_than_act_is_a_commentator() -> None:
    """"Jane Roe slams the bailout", "Roe says...": a politician or a pundit reacting to
    the news is no actor of the saga, though a subject; one who acts more than he speaks
    is one."""
    from dataclasses import replace

    m = cast()
    speaks, does = (replace(name("Jane Roe", "person"), argument=False, speaks=True),
                    replace(name("Jane Roe", "person"), argument=True, speaks=False))
    for feed in ("f1", "f2"):
        track(m, [speaks], feed, "dev-1", {}, "t")
    track(m, [does], "f3", "dev-1", {}, "t")
    seen = m.names["jane roe"]
    assert (seen.parsed, seen.argument, seen.spoke) == (3, 1, 2) and not acts(seen)
    for feed in ("f4", "f5"):
        track(m, [does], feed, "dev-1", {}, "t")
    assert acts(seen)


def test_a_name_unparsed_reports_only_quote_is_a_commentator() -> None:
    """Polish reports are not parsed; one that names a newcomer only as the speaker of a
    quote ("– oceniła Anna Nowak") still tells that she comments."""
    from dataclasses import replace

    m = cast()
    for feed in ("f1", "f2"):
        track(m, [replace(name("Anna Nowak", "person"), speaks=True)], feed, "dev-1", {}, "t")
    seen = m.names["anna nowak"]
    assert (seen.parsed, seen.spoke) == (0, 2) and not acts(seen)
    track(m, [name("Jan Kowalski", "person")], "f1", "dev-1", {}, "t")  # never parsed
    assert acts(m.names["jan kowalski"])


def test_the_known_actors_a_report_makes_act() -> None:
    text = "Microsoft hires Sam Altman after an OpenAI-style SVB rescue"
    mentions = (Mention("Microsoft", 0, 9, "org", "ORG", argument=True),
                Mention("Sam Altman", 16, 26, "person", "PER", argument=True),
                Mention("SVB", 45, 48, "org", "ORG", argument=False),
                Mention("Globex", 0, 0, "org", "ORG", argument=True))  # no known actor
    s = Sentence(0, text, text.lower(), mentions, (), ())
    assert acting([s], Resolver(cast())) == ["microsoft", "sam-altman"]


def test_a_name_only_seen_in_title_case_headlines_is_no_actor() -> None:
    m, s = cast(), NoveltySettings()
    headline_only = name("Citing Data Concerns")
    headline_only = type(headline_only)(headline_only.text, headline_only.key, "org", True,
                                        None, prose=False)
    for feed in ("f1", "f2", "f3"):
        track(m, [headline_only], feed, "dev-1", {}, "t")
    assert not ready(m.names["citing data concerns"], s)


def test_a_person_the_ner_took_for_an_organisation_is_a_person_once_named_as_one() -> None:
    from monitor.novelty.actors import persons_named

    m = cast()
    m.actors["jane-doe"] = Actor(id="jane-doe", name="Jane Doe", kind="org")
    s = sentence("Jane Doe fired her deputy", Mention("Jane Doe", 0, 8, "person", "PER"))
    assert persons_named([s], Resolver(m)) == ["jane-doe"]
    org = sentence("Microsoft said so", Mention("Microsoft", 0, 9, "org", "ORG"))
    assert persons_named([org], Resolver(m)) == []


def test_a_seed_s_other_form_of_a_known_name_is_learnt_not_a_phrase_around_it() -> None:
    """A slip of the spelling is a form reports will use again; "Saga Sam Altman" (a
    quoted phrase) and "Sam Altman UK" are the known name with words around it."""
    from monitor.novelty.actors import new_forms

    m = cast()
    said = "Mira Murat and the « Saga Sam Altman » and Sam Altman UK"
    s = sentence(said, Mention("Mira Murat", 0, 10, "person", "PER"),
                 Mention("Saga Sam Altman", 21, 36, "person", "PER"),
                 Mention("Sam Altman UK", 43, 56, "person", "PER"))
    assert new_forms([s], Resolver(m)) == [("mira-murati", "Mira Murat")]


def test_a_party_the_saga_names_in_less_than_half_of_its_items_is_named_elsewhere() -> None:
    """A governing party in a reshuffle: 6 of the 14 feed items that named it lately were
    the saga's reports. The party is the backdrop of the news, not a newcomer to it; the
    lender that failed in its turn, named by the saga's reports in most of its items, is
    news (``actor_share``)."""
    from monitor.novelty.actors import elsewhere

    s = NoveltySettings()
    assert elsewhere(14, 6, s)  # 43 %
    assert not elsewhere(14, 7, s)  # half
    assert not elsewhere(4, 0, s)  # too few items to tell (``actor_share_items``)


def _seen(name_: str, kind: str = "org", **kw: object) -> NameSeen:
    return NameSeen(name=name_, kind=kind, forms={name_: 2}, **kw)  # type: ignore[arg-type]


def test_a_tracked_name_that_is_no_newcomer_is_told_why() -> None:
    """What ``--names`` prints, and what the engine applies: an outlet, a show's host, a
    job title, a form of a known actor (learned as its alias), a known organisation named
    in another language (the encoder's answer, asked for), a name said only inside
    quotations."""
    from monitor.novelty.actors import Fate, Refusal, refused

    m = cast()
    m.outlets.append("reuters")
    resolver = Resolver(m)

    def none(_: object) -> None:
        return None

    def judged(seen: NameSeen, translated: object = none) -> Refusal | None:
        return refused(seen.name.lower(), seen, m, resolver, translated)  # type: ignore[arg-type]

    assert judged(_seen("Reuters")) == Refusal(Fate.OUTLET)
    assert judged(_seen("Chief Executive", "person")) == Refusal(Fate.ROLE)
    assert judged(_seen("Silicon Valley Bank")) == Refusal(Fate.KNOWN)
    assert judged(_seen("Altman Sam", "person")) == Refusal(Fate.ALIAS, "sam-altman")
    assert judged(_seen("Microsoft Corp")) == Refusal(Fate.PHRASE)
    assert judged(_seen("Signature Bank"), lambda s: "microsoft") == Refusal(
        Fate.TRANSLATION, "microsoft")
    quoted = _seen("Planet Earth", sentences=["Xi tells Biden: 'Planet Earth is big enough'"])
    assert judged(quoted) == Refusal(Fate.QUOTED)
    host = _seen("Jane Doe", "person", sentences=["Bank lawyer slams NBC host Jane Doe"])
    assert judged(host) == Refusal(Fate.HOST)
    assert judged(_seen("Jane Doe", "person", sentences=["Jane Doe runs the bank"])) is None
    assert judged(_seen("Signature Bank")) is None  # a newcomer: judged by ``standing``


def test_a_newcomer_joins_the_cast_quietly_as_a_familiar_face_or_as_news() -> None:
    """A guest of a retelling, a name that never acts, one the stream names mostly
    elsewhere (unless the development's headline opens on it), or a former employer in
    the headline joins the cast quietly; one first named long ago (``actor_news_h``) is
    a familiar face; the rest are new actors. A headline asking who someone is makes a
    new actor of a name that never acted."""
    from datetime import UTC, datetime

    from monitor.novelty.actors import Fate, standing

    s = NoveltySettings()
    now = datetime(2023, 3, 14, 12, tzinfo=UTC)
    fresh = _seen("Jane Roe", "person", first_seen="2023-03-14T06:00:00+00:00",
                  parsed=2, argument=2)
    idle = _seen("Widgetly", first_seen="2023-03-14T06:00:00+00:00", parsed=2, spoke=2)
    old = _seen("Jane Roe", "person", first_seen="2023-03-10T06:00:00+00:00")
    assert standing(fresh, None, now, s) is Fate.NEW
    assert standing(fresh, None, now, s, retold=True) is Fate.RETOLD
    assert standing(idle, None, now, s) is Fate.IDLE
    assert standing(idle, None, now, s, explained=True) is Fate.NEW
    assert standing(fresh, (14, 6), now, s) is Fate.ELSEWHERE
    assert standing(fresh, (14, 7), now, s) is Fate.NEW
    # named mostly elsewhere, but the development's subject: its act, news
    assert standing(fresh, (14, 6), now, s, headline="Jane Roe pulls her ads from X") is (
        Fate.HEADED)
    assert Fate.HEADED.alerted and Fate.NEW.alerted and not Fate.FAMILIAR.alerted
    assert standing(fresh, (14, 6), now, s, headline="Bank sues Jane Roe") is Fate.ELSEWHERE
    assert standing(fresh, None, now, s, headline="Ex-Jane Roe aide Bob Doe testifies") is (
        Fate.FORMER)
    assert standing(old, None, now, s) is Fate.FAMILIAR
    assert [f for f in Fate if f.quiet] == [Fate.RETOLD, Fate.IDLE, Fate.ELSEWHERE,
                                            Fate.FORMER]
    assert not Fate.QUOTED.promoted and Fate.FAMILIAR.promoted and not Fate.FAMILIAR.quiet


def test_a_country_acting_in_a_development_is_a_new_actor_unless_the_seeds_name_it() -> None:
    """"Norway bans the app..." makes Norway's state an actor of a saga whose seeds never
    name Norway; not when they do (it is where the saga happens, or part of it from the
    start), nor when it is a known actor under another name."""
    from monitor.novelty.actors import acting_state

    headline = "Norway bans the app from government phones"
    resolver = Resolver(cast())
    assert acting_state(headline, ["Globex fires Sam Altman"], resolver)[:2] == (
        "Norway", "Norvège")
    assert acting_state(headline, ["Globex opens an office in Norway"], resolver) == ()
    assert acting_state("Norway's Jan Nowak quits", ["Globex fires Sam Altman"], resolver) == ()
    m = cast()
    m.actors["norway"] = Actor(id="norway", name="Kingdom of Norway", kind="org",
                               aliases=["Norway"])
    assert acting_state(headline, [], Resolver(m)) == ()
    # a federation's state: the same, by its name
    assert acting_state("Montana lawmakers ban the app", ["Globex fires Sam Altman"],
                        resolver) == ("Montana",)
    assert acting_state("Montana lawmakers ban the app", ["A Montana court rules"],
                        resolver) == ()
