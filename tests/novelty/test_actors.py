from monitor.config import NoveltySettings
from monitor.nlp import Mention, Sentence
from monitor.novelty.actors import (
    Resolver,
    acting,
    acts,
    is_outlet,
    names_in,
    plausible_name,
    ready,
    track,
)
from monitor.saga import Actor, NameSeen, SagaModel
from novelty.helpers import name


def model() -> SagaModel:
    m = SagaModel(name="s")
    for aid, nm, kind, aliases in [
        ("sam-altman", "Sam Altman", "person", ["Altman"]),
        ("mira-murati", "Mira Murati", "person", []),
        ("microsoft", "Microsoft", "org", []),
        ("silicon-valley-bank", "Silicon Valley Bank", "org", ["SVB"]),
    ]:
        m.actors[aid] = Actor(id=aid, name=nm, kind=kind, aliases=aliases)
    return m


def test_declined_misspelt_and_partial_forms_are_the_known_actor() -> None:
    r = Resolver(model())
    assert r.resolve("Altmana") == "sam-altman"  # Polish declension
    assert r.resolve("Sama Altmana") == "sam-altman"
    assert r.resolve("Mira Murat") == "mira-murati"  # a one-letter slip
    assert r.resolve("Murati") == "mira-murati"
    assert r.resolve("Microsoftu") == "microsoft"
    assert r.resolve("OpenAI CEO Sam Altman") == "sam-altman"
    assert r.resolve("Silicon Valley Banku") == "silicon-valley-bank"


def test_a_known_person_under_another_language_s_spelling_is_that_person() -> None:
    m = model()
    m.actors["zelenskyy"] = Actor(id="zelenskyy", name="Volodymyr Zelenskyy", kind="person")
    r = Resolver(m)
    assert r.resolve("Wołodymyr Zełenski") == "zelenskyy"  # Polish
    assert r.resolve("Volodymyr Zelenskiy") == "zelenskyy"
    assert r.resolve("Oleksandr Zelinsky") is None


def test_another_person_with_a_known_surname_is_someone_else() -> None:
    assert Resolver(model()).resolve("Annie Altman") is None
    assert Resolver(model()).resolve("Greg Becker") is None


def _sentence(text: str, *mentions: Mention, titlecase: bool = False) -> Sentence:
    from monitor.lexicon import fold

    return Sentence(0, text, fold(text), mentions, (), (), titlecase)


def test_places_and_abbreviations_are_never_actors() -> None:
    text = "Regulators in California met HSBC and A.I firms"
    s = _sentence(
        text,
        Mention("California", 14, 24, "org", "LOC"),
        Mention("HSBC", 29, 33, "org", "ORG"),
        Mention("A.I", 38, 41, "org", None),
    )
    _, new = names_in([s], Resolver(model()), [], has_title=False)
    assert [n.text for n in new] == ["HSBC"]
    assert not plausible_name("C.E.O.", "org")
    # no Polish NER labels places: a country in a declined form is still one
    text = "Bank centralny Szwajcarii i Credit Suisse"
    s = _sentence(text, Mention("Szwajcarii", 16, 26, "org", "ORG"),
                  Mention("Credit Suisse", 29, 42, "org", "ORG"))
    _, new = names_in([s], Resolver(model()), [], has_title=False)
    assert [n.text for n in new] == ["Credit Suisse"]


def test_the_place_a_title_of_nobility_is_named_after_is_no_actor() -> None:
    text = "Baroness Jane Doe of Little Harbor met Globex Bank"
    s = _sentence(text, Mention("Jane Doe", 9, 17, "person", "PER"),
                  Mention("Little Harbor", 21, 34, "org", "ORG"),
                  Mention("Globex Bank", 39, 50, "org", "ORG"))
    assert text[21:34] == "Little Harbor" and text[39:50] == "Globex Bank"
    _, new = names_in([s], Resolver(model()), [], has_title=False, strict=True)
    assert [n.text for n in new] == ["Jane Doe", "Globex Bank"]


def test_a_work_or_a_nickname_in_quotation_marks_is_no_actor() -> None:
    text = "Copy of ‘Harbor Nights’ found as 'Deal Room's' Jane Doe meets Globex"
    at = {n: text.find(n) for n in ("Harbor Nights", "Deal Room", "Jane Doe", "Globex")}
    s = _sentence(text, *(Mention(n, i, i + len(n), "person" if n == "Jane Doe" else "org",
                                  "ORG") for n, i in at.items()))
    _, new = names_in([s], Resolver(model()), [], has_title=False, strict=True)
    assert [n.text for n in new] == ["Jane Doe", "Globex"]


def test_strict_ner_keeps_only_people_and_organisations() -> None:
    s = _sentence("Stocks fell as Signature Bank closed", Mention("Stocks", 0, 6, "org", None),
                  Mention("Signature Bank", 15, 29, "org", "ORG"))
    _, new = names_in([s], Resolver(model()), [], has_title=False, strict=True)
    assert [n.text for n in new] == ["Signature Bank"]


def test_a_newcomer_becomes_an_actor_through_two_sources_and_a_development() -> None:
    m, s = model(), NoveltySettings()
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

    m = model()
    for feed in ("f1", "f2"):
        track(m, [replace(name("Widgetly"), argument=False)], feed, "dev-1", {}, "t")
    track(m, [name("Globex")], "f1", "dev-1", {}, "t")  # not parsed
    assert not acts(m.names["widgetly"]) and acts(m.names["globex"])
    track(m, [replace(name("Widgetly"), argument=True)], "f3", "dev-1", {}, "t")
    assert acts(m.names["widgetly"])  # once a subject or an object somewhere, it acts


def test_the_known_actors_a_report_makes_act() -> None:
    text = "Microsoft hires Sam Altman after an OpenAI-style SVB rescue"
    mentions = (Mention("Microsoft", 0, 9, "org", "ORG", argument=True),
                Mention("Sam Altman", 16, 26, "person", "PER", argument=True),
                Mention("SVB", 45, 48, "org", "ORG", argument=False),
                Mention("Globex", 0, 0, "org", "ORG", argument=True))  # no known actor
    s = Sentence(0, text, text.lower(), mentions, (), ())
    assert acting([s], Resolver(model())) == ["microsoft", "sam-altman"]


def test_a_report_makes_a_name_an_argument_if_any_parsed_sentence_does() -> None:
    def sent(i: int, text: str, argument: bool | None) -> Sentence:
        start = text.index("Globex")
        return Sentence(i, text, text.lower(), (
            Mention("Globex", start, start + 6, "org", "ORG", argument=argument),), (), ())

    r = Resolver(model())
    for flags, want in (((False, True), True), ((False, None), False), ((None, None), None)):
        sentences = [sent(0, "Globex ban looms", flags[0]),
                     sent(1, "Regulators said Globex bought the bank.", flags[1])]
        _, new = names_in(sentences, r, [], True)
        assert [n.argument for n in new] == [want], flags


def test_a_name_only_seen_in_title_case_headlines_is_no_actor() -> None:
    m, s = model(), NoveltySettings()
    headline_only = name("Citing Data Concerns")
    headline_only = type(headline_only)(headline_only.text, headline_only.key, "org", True,
                                        None, prose=False)
    for feed in ("f1", "f2", "f3"):
        track(m, [headline_only], feed, "dev-1", {}, "t")
    assert not ready(m.names["citing data concerns"], s)


def test_a_longer_or_shorter_form_of_a_known_actor_is_that_actor() -> None:
    m = model()
    m.actors["ubs"] = Actor(id="ubs", name="UBS", kind="org")
    m.actors["bank"] = Actor(id="bank", name="Bank", kind="org")
    r = Resolver(m)
    assert r.overlapping("UBS Group AG") == "ubs"
    assert r.overlapping("Bank UBS") == "ubs"
    assert r.overlapping("Valley Bank") == "silicon-valley-bank"
    m.actors["biden"] = Actor(id="biden", name="Biden", kind="person")
    assert Resolver(m).overlapping("Joe Biden") == "biden"
    assert r.overlapping("Annie Altman") is None  # a known surname, another first name
    assert r.overlapping("First Republic Bank") is None  # "Bank" holds no longer name
    m.actors["acme"] = Actor(id="acme", name="ACME Holdings AG", kind="org")
    r = Resolver(m)
    assert r.overlapping("ACME") == "acme"  # the acronym heading a known name
    assert r.overlapping("Holdings") is None and r.overlapping("Acme") is None


def test_an_acronym_is_the_known_name_it_stands_for_and_back() -> None:
    """Newsrooms write the initials of a name's capitalised words ("SEC" for Securities
    and Exchange Commission) or of all its words ("BoE", "DOJ"): both are the actor."""
    m = model()
    for aid, nm in [("sec", "Securities and Exchange Commission"), ("boe", "Bank of England"),
                    ("doj", "DOJ")]:
        m.actors[aid] = Actor(id=aid, name=nm, kind="org")
    r = Resolver(m)
    assert r.resolve("SEC") == "sec"
    assert r.resolve("BoE") == "boe"
    assert r.resolve("Department of Justice") == "doj"
    assert r.resolve("Bank of Canada") is None  # "boc": no one's initials here
    assert r.resolve("Sec") is None  # a word, not an acronym


def test_news_outlets_report_the_saga_and_are_not_in_it() -> None:
    feeds = ["cbsnews", "bbci", "ft"]
    for outlet in ("reuters", "the guardian", "wall street journal", "cbs", "ft", "cbsnews"):
        assert is_outlet(outlet, feeds), outlet
    for actor in ("signature bank", "hsbc", "first republic", "fed", "abcd holdings"):
        assert not is_outlet(actor, feeds), actor


def test_a_stock_market_is_never_an_actor() -> None:
    """'Wall Street cheers', 'FTSE takes a hit', 'GPW uspokaja': markets, in any saga."""
    text = "Wall Street and the FTSE 100 fell as GPW calmed Polish investors and Nomura sold"
    s = _sentence(
        text,
        Mention("Wall Street", 0, 11, "org", "ORG"),
        Mention("FTSE 100", 20, 28, "org", "ORG"),
        Mention("GPW", 37, 40, "org", "ORG"),
        Mention("Nomura", 69, 75, "org", "ORG"),
    )
    _, new = names_in([s], Resolver(model()), [], has_title=False)
    assert [n.text for n in new] == ["Nomura"]


def test_a_name_the_headline_holds_is_in_the_title_though_the_ner_missed_it_there() -> None:
    """The NER often misses a name in a short headline ("HSBC to buy ...") and finds it in
    the text: the name is still the headline's."""
    title = _sentence("HSBC to buy the bank's UK arm")
    text = Sentence(1, "HSBC said on Monday it bought the arm.",
                    "hsbc said on monday it bought the arm.",
                    (Mention("HSBC", 0, 4, "org", "ORG"),), (), (), False)
    _, new = names_in([title, text], Resolver(model()), [], has_title=True, strict=True)
    assert [(n.text, n.in_title) for n in new] == [("HSBC", True)]
    _, new = names_in([_sentence("Bank shares fall"), text], Resolver(model()), [],
                      has_title=True, strict=True)
    assert [(n.text, n.in_title) for n in new] == [("HSBC", False)]


def test_a_name_behind_titles_and_places_is_the_known_person() -> None:
    m = model()
    m.actors["jane-doe"] = Actor(id="jane-doe", name="Jane Doe", kind="person")
    r = Resolver(m)
    assert r.resolve("UK PM Doe") == "jane-doe"
    assert r.resolve("Former CEO Jane Doe") == "jane-doe"
    assert r.resolve("Prime Minister Jane Doe") == "jane-doe"
    assert r.resolve("John Doe") is None  # another first name: someone else


def test_of_two_known_people_sharing_a_surname_the_first_name_tells_which() -> None:
    """Once a relative of the saga's protagonist is an actor too, "Jana Nowaka" (Polish,
    declined) is still Jan Nowak, not a newcomer; the surname alone says neither."""
    m = model()
    m.actors["jan-nowak"] = Actor(id="jan-nowak", name="Jan Nowak", kind="person")
    m.actors["anna-nowak"] = Actor(id="anna-nowak", name="Anna Nowak", kind="person")
    r = Resolver(m)
    assert r.resolve("Jana Nowaka") == "jan-nowak"
    assert r.resolve("Anna Nowak") == "anna-nowak"
    assert r.resolve("Annę Nowak") == "anna-nowak"
    assert r.resolve("Nowak") is None


def test_a_person_the_ner_took_for_an_organisation_is_a_person_once_named_as_one() -> None:
    from monitor.novelty.actors import persons_named

    m = model()
    m.actors["jane-doe"] = Actor(id="jane-doe", name="Jane Doe", kind="org")
    s = _sentence("Jane Doe fired her deputy", Mention("Jane Doe", 0, 8, "person", "PER"))
    assert persons_named([s], Resolver(m)) == ["jane-doe"]
    org = _sentence("Microsoft said so", Mention("Microsoft", 0, 9, "org", "ORG"))
    assert persons_named([org], Resolver(m)) == []


def test_a_job_title_is_nobody() -> None:
    from monitor.novelty.actors import is_title

    for title in ("foreign secretary", "prime minister", "acme ceo", "ceo"):
        assert is_title(title), title
    for key in ("jane doe", "signature bank", "acme ceo jane doe", "secretary of state jane"):
        assert not is_title(key), key


def test_polish_adjectival_and_foreign_declensions_are_the_known_person() -> None:
    m = model()
    m.actors["jan-kowalski"] = Actor(id="jan-kowalski", name="Jan Kowalski", kind="person")
    m.actors["jo-brightly"] = Actor(id="jo-brightly", name="James Brightly", kind="person")
    r = Resolver(m)
    assert r.resolve("Kowalskiego") == "jan-kowalski"
    assert r.resolve("Jana Kowalskiemu") == "jan-kowalski"
    assert r.resolve("Jamesa Brightly'ego") == "jo-brightly"


def test_a_transliteration_or_slip_of_a_tracked_newcomer_is_that_newcomer() -> None:
    from monitor.novelty.actors import canonical
    from monitor.novelty.types import Name

    def seen(name: str) -> NameSeen:
        return NameSeen(name=name, kind="person")

    tracked = {"volodymyr zelenskyy": seen("Volodymyr Zelenskyy"), "jan nowak": seen("Jan Nowak")}

    def key(text: str) -> str:
        n = Name(text=text, key=text.lower(), kind="person", in_title=False)
        return canonical([n], tracked)[0].key

    assert key("Volodymyr Zelenskiy") == "volodymyr zelenskyy"
    assert key("Volodymyr Zelensky") == "volodymyr zelenskyy"
    assert key("Jan Nowik") == "jan nowik"  # too short to tell a slip from another man
    # the Polish spelling, two letters and an ending away (ł is folded to l)
    assert key("Wołodymyr Zełenski".replace("ł", "l")) == "volodymyr zelenskyy"
    assert key("Volodymyr Zelinsky") == "volodymyr zelinsky"  # another vowel: another man
    assert key("Volodymyr") == "volodymyr"  # not as many words
    tracked["swiss national bank"] = seen("Swiss National Bank")
    assert key("SNB") == "swiss national bank"  # its initials, written as an acronym
    assert key("Snb") == "snb"
    # with or without its small words, as newsrooms write them
    tracked["securities and exchange commission"] = seen("Securities and Exchange Commission")
    tracked["department of justice"] = seen("Department of Justice")
    assert key("SEC") == "securities and exchange commission"
    assert key("DOJ") == "department of justice"


def test_a_person_the_headline_names_by_his_surname_is_in_the_title() -> None:
    title = _sentence("Minister meets Zelenskyy in Kyiv")
    text = Sentence(1, "Volodymyr Zelenskyy thanked him.", "volodymyr zelenskyy thanked him.",
                    (Mention("Volodymyr Zelenskyy", 0, 19, "person", "PER"),), (), (), False)
    _, new = names_in([title, text], Resolver(model()), [], has_title=True, strict=True)
    assert [(n.text, n.in_title) for n in new] == [("Volodymyr Zelenskyy", True)]


def test_a_common_noun_phrase_that_headlines_capitalise_is_no_actor() -> None:
    title = _sentence("The Fed Passes the Buck on Bank Failures",
                      Mention("Bank Failures", 27, 40, "org", "ORG"), titlecase=True)
    prose = _sentence("Two bank failures in a week, and Signature Bank closed.",
                      Mention("Signature Bank", 33, 47, "org", "ORG"))
    _, new = names_in([title, prose], Resolver(model()), [], has_title=True, strict=True)
    lower = {n.text: n.lower for n in new}
    assert lower == {"Bank Failures": True, "Signature Bank": False}
    m, s = model(), NoveltySettings()
    for feed in ("f1", "f2"):  # two sources, a development, named in running text...
        track(m, [type(n)(n.text, n.key, "org", True, None, prose=True, lower=n.lower)
                  for n in new], feed, "dev-1", {}, "t")
    assert ready(m.names["signature bank"], s)
    assert not ready(m.names["bank failures"], s)  # ...but written in lower case there too


def test_a_crowd_a_known_organisation_in_a_phrase_or_an_outlets_column_is_no_new_actor() -> None:
    from monitor.novelty.actors import headed_by_outlet, is_group

    assert is_group("tory mps", "org") and is_group("big banks", "org")
    assert is_group("tory mps", "person")  # the NER's reading of a crowd
    assert not is_group("tony banks", "person") and not is_group("signature bank", "org")
    m = model()
    m.actors["fed"] = Actor(id="fed", name="Fed", kind="org")
    r = Resolver(m)
    assert r.held("Top Fed") == "fed" and r.held("Upadek SVB") == "silicon-valley-bank"
    assert r.held("Fed") is None and r.held("Federal Reserve") is None
    assert r.held("Sam Altman Fund") is None  # a person's name in a chunk is resolve's
    assert headed_by_outlet("cnbc daily open") and not headed_by_outlet("cnbc")
    assert not headed_by_outlet("first citizens bank")


def test_a_hyphenated_name_written_with_a_space_or_without_its_article_is_the_known_actor(
) -> None:
    m = model()
    m.actors["al-noor"] = Actor(id="al-noor", name="Al-Noor Medical Complex", kind="org",
                                aliases=["Al-Noor"])
    m.actors["omar-el-said"] = Actor(id="omar-el-said", name="Omar el-Said", kind="person")
    r = Resolver(m)
    assert r.resolve("Al Noor") == "al-noor"
    assert r.resolve("Al Noor Hospital") == "al-noor"  # the known name in a longer chunk
    assert r.resolve("al-Noor") == "al-noor"
    # reports drop the Arabic article: "Noor Hospital" is Al-Noor's, in a phrase
    assert r.resolve("Noor") == "al-noor" and r.held("Noor Hospital") == "al-noor"
    assert r.resolve("Noor Medical Complex") == "al-noor"
    assert r.resolve("Omar Said") == "omar-el-said"
    assert r.resolve("Al Gore") is None and r.resolve("Gore") is None  # no article there


def test_a_polish_name_in_an_oblique_case_is_a_form_not_a_party() -> None:
    """"Doliny Krzemowej" (of Silicon Valley), "Narodowego Banku Szwajcarii" (of the Swiss
    National Bank), "Jakuba Pachockiego": the nominative is the form an actor is made of."""
    from monitor.novelty.actors import declined

    for form in ("Doliny Krzemowej", "Narodowego Banku Szwajcarii", "Jakuba Pachockiego",
                 "Rezerwy Federalnej"):
        assert declined(form), form
    for form in ("Jakub Pachocki", "Komisja Europejska", "Aleksander Mądry", "Diego Costa",
                 "Deutsche Bank", "Szymon Sidor"):
        assert not declined(form), form


def test_a_short_form_in_one_report_is_the_full_name_and_becomes_its_alias() -> None:
    """A report heads "First Citizens to buy..." and writes "First Citizens Bank" below:
    one party, named in the headline. Made an actor, its short form is its alias, so that
    the next "...bought by First Citizens" is the known buyer, not a second newcomer and a
    second alert on one development."""
    from monitor.novelty import grow

    title = _sentence("First Citizens to buy the failed lender", titlecase=False)
    text = "First Citizens Bank said Tim Mayopoulos would stay. Mayopoulos agreed."
    body = Sentence(1, text, text.lower(), (
        Mention("First Citizens Bank", 0, 19, "org", "ORG"),
        Mention("Tim Mayopoulos", 25, 39, "person", "PER"),
        Mention("Mayopoulos", 52, 62, "person", "PER"),
    ), (), (), False)
    title = Sentence(0, title.text, title.folded, (
        Mention("First Citizens", 0, 14, "org", "ORG"),), (), (), False)
    m = model()
    _, new = names_in([title, body], Resolver(m), [], has_title=True, strict=True)
    by_key = {n.key: n for n in new}
    assert set(by_key) == {"first citizens bank", "tim mayopoulos"}
    assert by_key["first citizens bank"].in_title
    assert by_key["first citizens bank"].short == ("First Citizens",)
    track(m, new, "https://a.test/feed", "dev-1", {}, "2023-03-27T05:00:00")
    track(m, new, "https://b.test/feed", "dev-1", {}, "2023-03-27T06:00:00")
    actor = grow.promote_name(m, "first citizens bank", "2023-03-27T06:00:00", "d2")
    assert "First Citizens" in actor.aliases
    assert Resolver(m).resolve("First Citizens") == actor.id
    # a person's surname is found without an alias; a lone word names anyone
    person = grow.promote_name(m, "tim mayopoulos", "2023-03-27T06:00:00", "d2")
    assert person.aliases == []
    assert Resolver(m).resolve("Mayopoulos") == person.id


def test_a_newcomer_s_name_is_without_his_title_and_his_country() -> None:
    """Polish glues the country's genitive to a name ("Prezydent Ukrainy Jan Kowalski",
    "of Ukraine's President"): the newcomer is Jan Kowalski, the same key an English
    report gives him, not a three-word name of his own."""
    title = "Prezydent Ukrainy Jan Kowalski odwiedził Kijów"
    s = _sentence(title, Mention("Prezydent Ukrainy Jan Kowalski", 0, 30, "person", "PER"))
    _, new = names_in([s], Resolver(model()), [], has_title=False, strict=True)
    assert [n.key for n in new] == ["jan kowalski"]
