"""Which known actor a name is (``novelty.resolver``): under any form a report gives it."""

from monitor.novelty.resolver import Resolver
from monitor.saga import Actor
from novelty.helpers import cast


def test_declined_misspelt_and_partial_forms_are_the_known_actor() -> None:
    r = Resolver(cast())
    assert r.resolve("Altmana") == "sam-altman"  # Polish declension
    assert r.resolve("Sama Altmana") == "sam-altman"
    assert r.resolve("Mira Murat") == "mira-murati"  # a one-letter slip
    assert r.resolve("Murati") == "mira-murati"
    assert r.resolve("Microsoftu") == "microsoft"
    assert r.resolve("OpenAI CEO Sam Altman") == "sam-altman"
    assert r.resolve("Silicon Valley Banku") == "silicon-valley-bank"


def test_a_known_person_under_another_language_s_spelling_is_that_person() -> None:
    m = cast()
    m.actors["zelenskyy"] = Actor(id="zelenskyy", name="Volodymyr Zelenskyy", kind="person")
    r = Resolver(m)
    assert r.resolve("Wołodymyr Zełenski") == "zelenskyy"  # Polish
    assert r.resolve("Volodymyr Zelenskiy") == "zelenskyy"
    assert r.resolve("Oleksandr Zelinsky") is None


def test_another_person_with_a_known_surname_is_someone_else() -> None:
    assert Resolver(cast()).resolve("Annie Altman") is None
    assert Resolver(cast()).resolve("Greg Becker") is None


def test_a_longer_or_shorter_form_of_a_known_actor_is_that_actor() -> None:
    m = cast()
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
    m = cast()
    for aid, nm in [("sec", "Securities and Exchange Commission"), ("boe", "Bank of England"),
                    ("doj", "DOJ")]:
        m.actors[aid] = Actor(id=aid, name=nm, kind="org")
    r = Resolver(m)
    assert r.resolve("SEC") == "sec"
    assert r.resolve("BoE") == "boe"
    assert r.resolve("Department of Justice") == "doj"
    assert r.resolve("Bank of Canada") is None  # "boc": no one's initials here
    assert r.resolve("Sec") is None  # a word, not an acronym


def _knowing_jane_doe() -> Resolver:
    m = cast()
    m.actors["jane-doe"] = Actor(id="jane-doe", name="Jane Doe", kind="person")
    return Resolver(m)


def test_a_name_behind_titles_and_places_is_the_known_person() -> None:
    r = _knowing_jane_doe()
    assert r.resolve("UK PM Doe") == "jane-doe"
    assert r.resolve("Former CEO Jane Doe") == "jane-doe"
    assert r.resolve("Prime Minister Jane Doe") == "jane-doe"
    assert r.resolve("John Doe") is None  # another first name: someone else


def test_a_middle_initial_added_or_dropped_is_the_same_person() -> None:
    """"Jane Q. Doe" in one report, "Jane Doe" in the next: one person. Read as a first
    name, the initial made her someone new (a newcomer confirming a second alert on a
    development already told)."""
    r = _knowing_jane_doe()
    assert r.resolve("Jane Q. Doe") == "jane-doe"
    assert r.resolve("Jane Q Doe") == "jane-doe"
    assert r.resolve("Former CEO Jane Q. Doe") == "jane-doe"
    assert r.resolve("John Q. Doe") is None  # another first name: someone else


def test_of_two_known_people_sharing_a_surname_the_first_name_tells_which() -> None:
    """Once a relative of the saga's protagonist is an actor too, "Jana Nowaka" (Polish,
    declined) is still Jan Nowak, not a newcomer; the surname alone says neither."""
    m = cast()
    m.actors["jan-nowak"] = Actor(id="jan-nowak", name="Jan Nowak", kind="person")
    m.actors["anna-nowak"] = Actor(id="anna-nowak", name="Anna Nowak", kind="person")
    r = Resolver(m)
    assert r.resolve("Jana Nowaka") == "jan-nowak"
    assert r.resolve("Anna Nowak") == "anna-nowak"
    assert r.resolve("Annę Nowak") == "anna-nowak"
    assert r.resolve("Nowak") is None
    assert r.shared("Nowak") and r.shared("Pan Nowak")  # one of them: no newcomer either
    assert not r.shared("Jan Nowak") and not r.shared("Kowalski")


def test_a_surname_the_seeds_gave_is_the_seeded_person_once_a_relative_is_known() -> None:
    """The saga's protagonist came from the seeds; a relative found live later shares his
    surname. The bare surname the reports keep using is still the protagonist: neither a
    riddle nor someone new (once, "Nowak" was alerted as a new actor here)."""
    m = cast()
    m.actors["jan-nowak"] = Actor(id="jan-nowak", name="Jan Nowak", kind="person", seeded=True)
    m.actors["anna-nowak"] = Actor(id="anna-nowak", name="Anna Nowak", kind="person")
    r = Resolver(m)
    assert r.resolve("Nowak") == "jan-nowak"
    assert r.resolve("Nowaka") == "jan-nowak"
    assert r.resolve("Anna Nowak") == "anna-nowak"


def test_polish_adjectival_and_foreign_declensions_are_the_known_person() -> None:
    m = cast()
    m.actors["jan-kowalski"] = Actor(id="jan-kowalski", name="Jan Kowalski", kind="person")
    m.actors["jo-brightly"] = Actor(id="jo-brightly", name="James Brightly", kind="person")
    r = Resolver(m)
    assert r.resolve("Kowalskiego") == "jan-kowalski"
    assert r.resolve("Jana Kowalskiemu") == "jan-kowalski"
    assert r.resolve("Jamesa Brightly'ego") == "jo-brightly"


def test_instrumental_and_dative_forms_are_the_known_actor_word_by_word() -> None:
    m = cast()
    m.actors["jan-nowak"] = Actor(id="jan-nowak", name="Jan Nowak", kind="person")
    m.actors["li-wei"] = Actor(id="li-wei", name="Li Weiping", kind="person")
    r = Resolver(m)
    assert r.resolve("Nowakiem") == "jan-nowak"  # "z Nowakiem": -iem after k, g
    assert r.resolve("Janem Nowakiem") == "jan-nowak"
    assert r.resolve("Li Weipingiem") == "li-wei"  # a short given name left as it is
    assert r.resolve("Microsoftem") == "microsoft"  # one word: more than one letter away
    assert r.resolve("Microsoftowi") == "microsoft"
    assert r.resolve("Hunter Altman") is None  # another person of a known surname still


def test_a_hyphenated_name_written_with_a_space_or_without_its_article_is_the_known_actor(
) -> None:
    m = cast()
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


def test_the_press_s_abbreviation_of_a_known_organisation_is_that_organisation() -> None:
    """Initials for some of its words, with or without "of" ("SNB", "DOJ", "Manhattan
    DA"), or its first word clipped ("Fed"): another form of the known organisation, not
    a new actor. Two organisations it could stand for: neither."""
    m = cast()
    for aid, name in [("fed", "Federal Reserve"), ("snb", "Swiss National Bank"),
                      ("doj", "Department of Justice"), ("da", "Manhattan District Attorney")]:
        m.actors[aid] = Actor(id=aid, name=name, kind="org")
    r = Resolver(m)
    assert r.overlapping("Fed") == "fed" and r.overlapping("SNB") == "snb"
    assert r.overlapping("DOJ") == "doj" and r.overlapping("Manhattan DA") == "da"
    assert r.overlapping("Manhattan") is None and r.overlapping("Federal") is None
    assert r.overlapping("BofA") is None  # no initialism of a known name
    m.actors["fbi"] = Actor(id="fbi", name="Federal Bureau of Investigation", kind="org")
    m.actors["gr"] = Actor(id="gr", name="Federal Grants", kind="org")
    assert Resolver(m).overlapping("Fed") is None  # the Federal Reserve or Federal Grants
    # a longer name goes by its initials: the Fed is not the deposit insurer
    m = cast()
    m.actors["fdic"] = Actor(id="fdic", name="Federal Deposit Insurance Corporation",
                             kind="org", aliases=["FDIC"])
    assert Resolver(m).overlapping("Fed") is None
    assert Resolver(m).overlapping("FDIC") == "fdic"


def test_a_known_organisation_in_a_phrase_is_held_not_a_party() -> None:
    m = cast()
    m.actors["fed"] = Actor(id="fed", name="Fed", kind="org")
    r = Resolver(m)
    assert r.held("Top Fed") == "fed" and r.held("Upadek SVB") == "silicon-valley-bank"
    assert r.held("Fed") is None and r.held("Federal Reserve") is None
    assert r.held("Sam Altman Fund") is None  # a person's name in a chunk is resolve's


def test_a_first_name_s_short_form_is_the_same_person() -> None:
    """The press writes "Bill" for William, "Jim" for James: one person either way; a
    first name of another group is someone else."""
    m = cast()
    m.actors["william-roe"] = Actor(id="william-roe", name="William Roe", kind="person")
    r = Resolver(m)
    assert r.resolve("Bill Roe") == "william-roe"
    assert r.resolve("Billa Roe") == "william-roe"  # Polish, declined
    assert r.resolve("Robert Roe") is None


def test_a_polish_phrase_governing_a_known_person_is_held_a_relative_is_not() -> None:
    m = cast()
    m.actors["jan-nowak"] = Actor(id="jan-nowak", name="Jan Nowak", kind="person")
    r = Resolver(m)
    assert r.held("Spotkanie Nowaka") == "jan-nowak"  # "the meeting of Nowak"
    assert r.held("Gabinet Altmana") == "sam-altman"
    assert r.held("Piotra Nowaka") is None  # declined with him: Piotr Nowak, a relative
    assert r.held("Jana Nowaka") is None  # himself: ``resolve`` says who
    assert r.resolve("Jana Nowaka") == "jan-nowak"


def test_an_organisation_s_name_in_another_language_is_weighed_against_the_cast() -> None:
    from monitor.novelty.resolver import translatable, translation

    m = cast()
    m.actors["finance-ministry"] = Actor(id="finance-ministry", name="Finance Ministry",
                                         kind="org")
    m.actors["bank-of-america"] = Actor(id="bank-of-america", name="Bank of America",
                                        kind="org")
    forms = translatable("Ministerstwo Finansów", m)
    # every organisation's name of two words or more that shares no word with it; not a
    # person's, not one word ("Microsoft": the resolver's)
    assert forms == [("silicon-valley-bank", "Silicon Valley Bank"),
                     ("finance-ministry", "Finance Ministry"),
                     ("bank-of-america", "Bank of America")]
    # a shared word is how two different organisations come close: no translation
    assert ("bank-of-america", "Bank of America") not in translatable("Bank of England", m)
    assert translatable("Ministerstwo", m) == []
    # an elided article hides no shared word: "Firma Microsoft" is not "conseil d'Microsoft"
    m.actors["microsoft"].aliases.append("conseil d'Microsoft")
    assert ("microsoft", "conseil d'Microsoft") not in translatable("Firma Microsoft", m)
    assert translation(forms, [0.31, 0.83, 0.4], 0.7) == "finance-ministry"
    assert translation(forms, [0.31, 0.66, 0.4], 0.7) is None
    assert translation(forms, [0.31, 0.83, 0.4], 0.0) is None  # 0: never
    assert translation([], [], 0.7) is None
