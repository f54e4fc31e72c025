"""A seed's names read against all the seeds (``monitor.novelty.seednames``)."""

from __future__ import annotations

from monitor.nlp import Mention, Sentence
from monitor.novelty.seednames import seed_names, spellings, trim_all, trimmed
from monitor.saga import Actor
from novelty.helpers import name, sentence


def _m(text: str, kind: str, at: int = 0) -> Mention:
    return Mention(text, at, at + len(text), kind)


def _body(text: str, *mentions: Mention) -> Sentence:
    s = sentence(text, *mentions)
    return Sentence(1, s.text, s.folded, s.mentions, (), ())


SEEDS = [
    [sentence("Psychodrame Globex : ce qu'il faut savoir", _m("Psychodrame Globex", "person")),
     _body("Globex a renvoyé sa patronne Jane Doe.", _m("Globex", "org"),
           _m("Jane Doe", "person"))],
    [_body("En 24 heures, un psychodrame incroyable chez Globex.", _m("Globex", "org")),
     _body("The pope spoke. Leo parle.", _m("Leo", "person", 16)),
     _body("Actress Jane Doe, an actress, and the UK PM Doe, said Pope Leo.",
           _m("Pope Leo", "person", 52), Mention("UK", 38, 40, "unknown", "GPE"))],
]


def test_a_common_noun_heading_a_name_the_seeds_give_alone_is_cut() -> None:
    """"Psychodrame Globex": the seeds write "psychodrame" in lower case and name Globex
    on its own; the seed's name is Globex, an organisation, not a person."""
    seen = seed_names(SEEDS)
    out = trimmed(name("Psychodrame Globex", "person"), seen)
    assert (out.text, out.key, out.kind) == ("Globex", "globex", "org")


def test_a_title_and_a_place_heading_a_surname_make_the_person_named_in_full() -> None:
    seen = seed_names(SEEDS)
    assert trimmed(name("UK PM Doe"), seen).text == "Jane Doe"
    assert trimmed(name("UK PM Doe"), seen).kind == "person"
    assert trimmed(name("Actress Jane Doe", "person"), seen).text == "Jane Doe"


def test_a_first_name_a_title_or_a_surname_of_two_people_stays() -> None:
    """"Jane" is no word the seeds write in lower case; "Pope Leo", named inside a
    sentence, is not the one-word person Leo though "pope" is a common noun; a surname
    two people of the seeds share names neither."""
    seen = seed_names(SEEDS)
    assert trimmed(name("Jane Doe", "person"), seen).text == "Jane Doe"
    assert trimmed(name("Pope Leo", "person"), seen).text == "Pope Leo"
    two = seed_names([[_body("Jimmy Roe and Rosalynn Roe.", _m("Jimmy Roe", "person"),
                             _m("Rosalynn Roe", "person"))]])
    assert trimmed(name("Former Roe"), two).text == "Former Roe"


def test_a_name_trimmed_into_another_of_the_seed_is_that_one() -> None:
    seen = seed_names(SEEDS)
    out = trim_all([name("Globex", in_title=False), name("Psychodrame Globex", "person")], seen)
    assert [(n.text, n.in_title) for n in out] == [("Globex", True)]


def test_an_actor_goes_by_the_spelling_the_seeds_write_most() -> None:
    slip = Actor(id="jane-dow", name="Jane Dow", kind="person", aliases=["Jane Doe"])
    texts = ["Jane Dow resigned.", "Jane Doe resigned on Friday.", "Jane Doe's exit."]
    assert spellings([slip], texts) == [("jane-dow", "Jane Doe")]
    assert spellings([slip], ["Jane Dow resigned.", "Jane Doe left."]) == []


def test_a_name_the_ner_took_for_a_company_listed_between_two_people_is_a_person() -> None:
    """"Reps. Gloria Roe, Justin Doe and Justin Poe": the NER read the middle one as an
    organisation; between two people in a list, he is one. Next to one person only, a
    company may be listed with him."""
    said = "Reps. Gloria Roe, Justin Doe and Justin Poe spoke; Jane Coe and Acme Media left."
    s = _body(said, _m("Gloria Roe", "person", 6), _m("Justin Doe", "org", 18),
              _m("Justin Poe", "person", 33), _m("Jane Coe", "person", 51),
              _m("Acme Media", "org", 64))
    seen = seed_names([[s]])
    kinds = {n.text: n.kind for n in trim_all([name("Justin Doe"), name("Acme Media")], seen)}
    assert kinds == {"Justin Doe": "person", "Acme Media": "org"}
