"""The names a report holds that no actor has (``novelty.names``): who may be new."""

from monitor.config import NoveltySettings
from monitor.lexicon import fold
from monitor.nlp import Mention, Sentence
from monitor.novelty.actors import ready, track
from monitor.novelty.names import is_group, names_in, plausible_name
from monitor.novelty.resolver import Resolver
from monitor.saga import Actor, NameSeen
from novelty.helpers import cast, sentence


def test_places_and_abbreviations_are_never_actors() -> None:
    text = "Regulators in California met HSBC and A.I firms"
    s = sentence(
        text,
        Mention("California", 14, 24, "org", "LOC"),
        Mention("HSBC", 29, 33, "org", "ORG"),
        Mention("A.I", 38, 41, "org", None),
    )
    _, new = names_in([s], Resolver(cast()), [], has_title=False)
    assert [n.text for n in new] == ["HSBC"]
    assert not plausible_name("C.E.O.", "org")
    # no Polish NER labels places: a country in a declined form is still one
    text = "Bank centralny Szwajcarii i Credit Suisse"
    s = sentence(text, Mention("Szwajcarii", 16, 26, "org", "ORG"),
                  Mention("Credit Suisse", 29, 42, "org", "ORG"))
    _, new = names_in([s], Resolver(cast()), [], has_title=False)
    assert [n.text for n in new] == ["Credit Suisse"]


def test_a_region_named_in_a_polish_report_is_no_actor() -> None:
    # the French NER (Polish reports have no NER of their own) calls the Gaza Strip, in
    # the locative, an organisation; the noun that heads it makes it a place
    text = "Szpital w Strefie Gazy i Globex Bank"
    s = sentence(text, Mention("Strefie Gazy", 10, 22, "org", "ORG"),
                 Mention("Globex Bank", 25, 36, "org", "ORG"))
    _, new = names_in([s], Resolver(cast()), [], has_title=False)
    assert [n.text for n in new] == ["Globex Bank"]


def test_the_place_a_title_of_nobility_is_named_after_is_no_actor() -> None:
    text = "Baroness Jane Doe of Little Harbor met Globex Bank"
    s = sentence(text, Mention("Jane Doe", 9, 17, "person", "PER"),
                  Mention("Little Harbor", 21, 34, "org", "ORG"),
                  Mention("Globex Bank", 39, 50, "org", "ORG"))
    assert text[21:34] == "Little Harbor" and text[39:50] == "Globex Bank"
    _, new = names_in([s], Resolver(cast()), [], has_title=False, strict=True)
    assert [n.text for n in new] == ["Jane Doe", "Globex Bank"]


def test_a_shows_host_is_named_as_one() -> None:
    """"NBC host Jane Doe" asks; the lawyer she questions answers."""
    from monitor.novelty.names import hosted

    said = ["Globex lawyer John Roe tore into NBC host Jane Doe on 'Meet the Press'",
            "'Meet the Press' host Jane Doe asked him about the post"]
    assert hosted("Jane Doe", said[:1]) and hosted("Jane Doe", said[1:])
    assert not hosted("John Roe", said)  # the one she questions
    assert not hosted("Jane Doe", ["Jane Doe will host the summit in Geneva"])
    assert not hosted("Jane Doe", ["The host country's envoy met Jane Doe"])


def test_a_work_or_a_nickname_in_quotation_marks_is_no_actor() -> None:
    text = "Copy of ‘Harbor Nights’ found as 'Deal Room's' Jane Doe meets Globex"
    at = {n: text.find(n) for n in ("Harbor Nights", "Deal Room", "Jane Doe", "Globex")}
    s = sentence(text, *(Mention(n, i, i + len(n), "person" if n == "Jane Doe" else "org",
                                  "ORG") for n, i in at.items()))
    _, new = names_in([s], Resolver(cast()), [], has_title=False, strict=True)
    assert [n.text for n in new] == ["Jane Doe", "Globex"]


def test_strict_ner_keeps_only_people_and_organisations() -> None:
    s = sentence("Stocks fell as Signature Bank closed", Mention("Stocks", 0, 6, "org", None),
                  Mention("Signature Bank", 15, 29, "org", "ORG"))
    _, new = names_in([s], Resolver(cast()), [], has_title=False, strict=True)
    assert [n.text for n in new] == ["Signature Bank"]


def test_a_report_makes_a_name_an_argument_if_any_parsed_sentence_does() -> None:
    def sent(i: int, text: str, argument: bool | None) -> Sentence:
        start = text.index("Globex")
        return Sentence(i, text, text.lower(), (
            Mention("Globex", start, start + 6, "org", "ORG", argument=argument),), (), ())

    r = Resolver(cast())
    for flags, want in (((False, True), True), ((False, None), False), ((None, None), None)):
        sentences = [sent(0, "Globex ban looms", flags[0]),
                     sent(1, "Regulators said Globex bought the bank.", flags[1])]
        _, new = names_in(sentences, r, [], True)
        assert [n.argument for n in new] == [want], flags


def test_a_stock_market_is_never_an_actor() -> None:
    """'Wall Street cheers', 'FTSE takes a hit', 'GPW uspokaja': markets, in any saga."""
    text = "Wall Street and the FTSE 100 fell as GPW calmed Polish investors and Nomura sold"
    s = sentence(
        text,
        Mention("Wall Street", 0, 11, "org", "ORG"),
        Mention("FTSE 100", 20, 28, "org", "ORG"),
        Mention("GPW", 37, 40, "org", "ORG"),
        Mention("Nomura", 69, 75, "org", "ORG"),
    )
    _, new = names_in([s], Resolver(cast()), [], has_title=False)
    assert [n.text for n in new] == ["Nomura"]


def test_a_name_the_headline_holds_is_in_the_title_though_the_ner_missed_it_there() -> None:
    """The NER often misses a name in a short headline ("HSBC to buy ...") and finds it in
    the text: the name is still the headline's."""
    title = sentence("HSBC to buy the bank's UK arm")
    text = Sentence(1, "HSBC said on Monday it bought the arm.",
                    "hsbc said on monday it bought the arm.",
                    (Mention("HSBC", 0, 4, "org", "ORG"),), (), (), False)
    _, new = names_in([title, text], Resolver(cast()), [], has_title=True, strict=True)
    assert [(n.text, n.in_title) for n in new] == [("HSBC", True)]
    _, new = names_in([sentence("Bank shares fall"), text], Resolver(cast()), [],
                      has_title=True, strict=True)
    assert [(n.text, n.in_title) for n in new] == [("HSBC", False)]


def test_a_job_title_is_nobody() -> None:
    from monitor.novelty.names import is_title

    for title in ("foreign secretary", "prime minister", "acme ceo", "ceo"):
        assert is_title(title), title
    for key in ("jane doe", "signature bank", "acme ceo jane doe", "secretary of state jane"):
        assert not is_title(key), key


def test_someone_described_by_the_body_he_belongs_to_is_not_named() -> None:
    from monitor.novelty.names import is_member

    for key in ("air national guardsman", "massachusetts air national guardsman",
                "pentagon official", "tory mp", "acme spokeswoman"):
        assert is_member(key), key
    for key in ("manhattan district attorney", "jane doe", "signature bank", "official",
                "national guard", "acme workers"):
        assert not is_member(key), key


def test_a_transliteration_or_slip_of_a_tracked_newcomer_is_that_newcomer() -> None:
    from monitor.novelty.names import canonical
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
    tracked["william roe"] = seen("William Roe")  # a first name's short form
    assert key("Bill Roe") == "william roe" and key("Bob Roe") == "bob roe"


def test_a_polish_case_of_a_tracked_newcomer_is_that_newcomer() -> None:
    """A Polish report declines a newcomer's first name and surname alike: "Piotra
    Kosiby" (genitive), "Piotrem Kosibą" (instrumental) are the man first named "Piotr
    Kosiba", one key whose reports the stories count together."""
    from monitor.novelty.names import canonical
    from monitor.novelty.types import Name

    tracked = {"piotr kosiba": NameSeen(name="Piotr Kosiba", kind="person"),
               "jan nowak": NameSeen(name="Jan Nowak", kind="person"),
               "globex": NameSeen(name="Globex", kind="org")}

    def key(text: str, kind: str = "person") -> str:
        n = Name(text=text, key=fold(text), kind=kind, in_title=False)
        return canonical([n], tracked)[0].key

    assert key("Piotra Kosiby") == "piotr kosiba"
    assert key("Piotrem Kosibą") == "piotr kosiba"
    assert key("Piotrowi Kosibie") == "piotr kosiba"
    assert key("Janem Nowakiem") == "jan nowak"
    assert key("Jana Nowaka") == "jan nowak"
    assert key("Anna Nowak") == "anna nowak"  # another first name: another person
    assert key("Jan Nowakowski") == "jan nowakowski"  # another surname
    assert key("Kosiby") == "kosiby"  # not as many words
    assert key("Globexu", "org") == "globexu"  # persons only (the resolver declines orgs)


def test_a_person_the_headline_names_by_his_surname_is_in_the_title() -> None:
    title = sentence("Minister meets Zelenskyy in Kyiv")
    text = Sentence(1, "Volodymyr Zelenskyy thanked him.", "volodymyr zelenskyy thanked him.",
                    (Mention("Volodymyr Zelenskyy", 0, 19, "person", "PER"),), (), (), False)
    _, new = names_in([title, text], Resolver(cast()), [], has_title=True, strict=True)
    assert [(n.text, n.in_title) for n in new] == [("Volodymyr Zelenskyy", True)]


def test_a_common_noun_phrase_that_headlines_capitalise_is_no_actor() -> None:
    title = sentence("The Fed Passes the Buck on Bank Failures",
                      Mention("Bank Failures", 27, 40, "org", "ORG"), titlecase=True)
    prose = sentence("Two bank failures in a week, and Signature Bank closed.",
                      Mention("Signature Bank", 33, 47, "org", "ORG"))
    _, new = names_in([title, prose], Resolver(cast()), [], has_title=True, strict=True)
    lower = {n.text: n.lower for n in new}
    assert lower == {"Bank Failures": True, "Signature Bank": False}
    m, s = cast(), NoveltySettings()
    for feed in ("f1", "f2"):  # two sources, a development, named in running text...
        track(m, [type(n)(n.text, n.key, "org", True, None, prose=True, lower=n.lower)
                  for n in new], feed, "dev-1", {}, "t")
    assert ready(m.names["signature bank"], s)
    assert not ready(m.names["bank failures"], s)  # ...but written in lower case there too


def test_a_polish_name_in_an_oblique_case_is_a_form_not_a_party() -> None:
    """"Doliny Krzemowej" (of Silicon Valley), "Narodowego Banku Szwajcarii" (of the Swiss
    National Bank), "Jakuba Pachockiego": the nominative is the form an actor is made of."""
    from monitor.novelty.names import declined

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

    title = sentence("First Citizens to buy the failed lender", titlecase=False)
    text = "First Citizens Bank said Tim Mayopoulos would stay. Mayopoulos agreed."
    body = Sentence(1, text, text.lower(), (
        Mention("First Citizens Bank", 0, 19, "org", "ORG"),
        Mention("Tim Mayopoulos", 25, 39, "person", "PER"),
        Mention("Mayopoulos", 52, 62, "person", "PER"),
    ), (), (), False)
    title = Sentence(0, title.text, title.folded, (
        Mention("First Citizens", 0, 14, "org", "ORG"),), (), (), False)
    m = cast()
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
    s = sentence(title, Mention("Prezydent Ukrainy Jan Kowalski", 0, 30, "person", "PER"))
    _, new = names_in([s], Resolver(cast()), [], has_title=False, strict=True)
    assert [n.key for n in new] == ["jan kowalski"]


def test_a_crowd_is_no_new_actor() -> None:
    assert is_group("tory mps", "org") and is_group("big banks", "org")
    assert is_group("tory mps", "person")  # the NER's reading of a crowd
    assert not is_group("tony banks", "person") and not is_group("signature bank", "org")


def test_the_speaker_a_polish_or_french_quote_names_after_its_verb_speaks() -> None:
    """"... – oceniła Anna Nowak z zarządu giełdy": the parse reads English only, so a
    quote's speaker in Polish or French is read from the verb that reports it, also when
    a line break ended the sentence right before the name."""
    from monitor.novelty.names import said_by

    assert said_by("Nie widzimy wpływu na nasz system bankowy – oceniła")
    assert said_by("Jest źle – powiedział prezes banku")
    assert said_by("C'est grave, a déclaré le ministre")
    assert not said_by("Rada nadzorcza powołała") and not said_by("")
    quote = sentence("Nie widzimy wpływu na nasz system – oceniła")
    body = Sentence(1, "Anna Nowak z zarządu giełdy.", "anna nowak z zarzadu gieldy.",
                    (Mention("Anna Nowak", 0, 10, "person", "PER"),), (), (), False)
    _, new = names_in([quote, body], Resolver(cast()), [], has_title=False, strict=True)
    assert [(n.text, n.speaks) for n in new] == [("Anna Nowak", True)]


def test_a_surname_two_known_people_share_is_no_newcomer() -> None:
    """Two known Nowaks, neither from the seeds: a report's bare "Nowak" is one of them,
    and never a third actor to alert, though the NER calls it an organisation (as it
    does a lone surname, which no person's name is shaped like)."""
    m = cast()
    for aid, name in [("jan-nowak", "Jan Nowak"), ("anna-nowak", "Anna Nowak")]:
        m.actors[aid] = Actor(id=aid, name=name, kind="person")
    text = "Globex Bank met Nowak"
    s = sentence(text, Mention("Globex Bank", 0, 11, "org", "ORG"),
                 Mention("Nowak", 16, 21, "org", "ORG"))
    known, new = names_in([s], Resolver(m), [], has_title=False, strict=True)
    assert [n.text for n in new] == ["Globex Bank"]
    assert known == []


def test_a_network_named_news_is_a_name_a_news_label_is_not() -> None:
    """"News" heads a label ("News: ...", "Breaking News") and ends a network's name: a
    saga about a network sued for what it aired has it for a party."""
    assert plausible_name("Acme News", "org")
    assert not plausible_name("News", "org") and not plausible_name("Breaking News", "org")
    assert not plausible_name("Jane News", "person")


def test_polish_sentence_openers_and_bracketed_labels_are_no_names() -> None:
    for chunk in ("WYWIAD", "Sondaż", "Według Nowaka", "Dla Globexu"):
        assert not plausible_name(chunk, "org"), chunk


def test_a_name_said_only_inside_a_quotation_is_no_party() -> None:
    from monitor.novelty.names import only_quoted

    said = ["Roe tells Doe: 'Planet Earth is big enough for the two countries'.",
            "‘Planet Earth is big enough for two’: Roe and Doe meet."]
    assert only_quoted("Planet Earth", said)
    # named outside the quotation once: a party
    assert not only_quoted("Planet Earth", [*said, "Planet Earth sues the council."])
    # an apostrophe is no quotation mark: "Harbor's" opens nothing
    assert not only_quoted("Acme Bank", ["Harbor's Acme Bank closed 'for now', it said."])
    assert not only_quoted("Acme Bank", ["The regulator closed Acme Bank on Friday."])
    assert not only_quoted("Acme Bank", [])  # never named: nothing to judge
