"""Whether a name acts in its sentence, on spaCy's real English parse (monitor.syntax)."""

from __future__ import annotations

import pytest

from monitor.syntax import parts


def _acts(parser, sentence: str, name: str) -> bool | None:  # type: ignore[no-untyped-def]
    start = sentence.index(name)
    found = parts(parser(sentence), [(start, start + len(name))])[0]
    return None if found is None else found[0]


@pytest.mark.parametrize(("sentence", "name"), [
    ("Globex agrees to buy Initech's UK arm for one pound", "Globex"),  # subject
    ("Initech brings back Jane Roe as chief executive", "Jane Roe"),  # object
    ("The chairman was replaced by John Doe on Monday", "John Doe"),  # agent of a passive
    ("Globex and Umbrella Corp pledge $30 billion to the lender", "Umbrella Corp"),  # conj
])
def test_who_does_or_undergoes_the_act_is_an_argument(analyzer, sentence, name) -> None:  # type: ignore[no-untyped-def]
    assert _acts(analyzer.parser, sentence, name) is True


@pytest.mark.parametrize(("sentence", "name"), [
    ("Senators debate a TikTok ban as the lender fails", "TikTok"),  # a product qualifying
    ("Yellen delivers remarks at the American Bankers Association summit",
     "American Bankers Association"),  # a venue
    ("Protesters from the MAGA movement gather outside the court", "MAGA"),  # a movement
])
def test_a_name_that_only_qualifies_another_word_is_not(analyzer, sentence, name) -> None:  # type: ignore[no-untyped-def]
    assert _acts(analyzer.parser, sentence, name) is False


@pytest.mark.parametrize(("sentence", "name"), [
    ("Jane Roe slams the bailout of the failed lender", "Jane Roe"),
    ("Globex warns of payment delays after the bank's collapse", "Globex"),
    ("Jane Roe and John Doe call the indictment political", "John Doe"),  # conj
    ("Former minister John Doe reacts to the ruling", "John Doe"),
])
def test_the_speaker_of_a_statement_speaks_and_does_not_act(analyzer, sentence, name) -> None:  # type: ignore[no-untyped-def]
    start = sentence.index(name)
    assert parts(analyzer.parser(sentence), [(start, start + len(name))]) == [(False, True)]


def test_a_statement_of_one_s_own_act_is_the_act(analyzer) -> None:  # type: ignore[no-untyped-def]
    sentence = "Globex said on Monday it bought the failed bank's UK arm"
    assert parts(analyzer.parser(sentence), [(0, 6)]) == [(True, False)]


def test_a_span_off_the_tokens_is_undecided(analyzer) -> None:  # type: ignore[no-untyped-def]
    doc = analyzer.parser("Globex buys Initech")
    assert parts(doc, [(0, 6), (40, 45)]) == [(True, False), None]


def test_the_analysis_marks_the_lead_s_names_of_english_documents_only(analyzer) -> None:  # type: ignore[no-untyped-def]
    from monitor.types import Document

    en = Document(id="en", title="Globex to buy Initech's bank after a TikTok ban",
                  text="Globex agreed on Monday to buy the failed bank.", source="a.example",
                  language="en")
    pl = Document(id="pl", title="Globex kupi bank Initech",
                  text="Globex zgodził się w poniedziałek kupić bank.", source="b.example",
                  language="pl")
    by_doc = {an.doc.id: an for an in analyzer.analyze([en, pl])}
    flags = {m.text: (m.argument, m.speaks) for s in by_doc["en"].sentences
             for m in s.mentions}
    assert flags.get("Globex") == (True, False) and flags.get("TikTok") == (False, False)
    assert all(m.argument is None and m.speaks is None
               for s in by_doc["pl"].sentences for m in s.mentions)
