"""Name finding and cues: pure functions, and at the end the real analyzer on a text."""

from __future__ import annotations

from monitor.nlp import classify, name_chunks, peripheral_cue, role_cue


def names(text: str) -> list[str]:
    return [c for _, _, c in name_chunks(text)]


def test_coordinated_names_are_split_and_apostrophe_names_kept() -> None:
    text = (
        "OpenAI said on Wednesday that Bret Taylor will chair the new board, "
        "with Larry Summers and Adam D'Angelo."
    )
    assert names(text) == ["OpenAI", "Bret Taylor", "Larry Summers", "Adam D'Angelo"]


def test_french_elisions_and_possessives_are_removed() -> None:
    assert names("le licenciement d'Altman et l'arrivée d'OpenAI") == ["Altman", "OpenAI"]
    assert names("Altman's return to OpenAI's board") == ["Altman", "OpenAI"]


def test_sentence_initial_stop_words_and_line_breaks_end_names() -> None:
    assert names("Selon Bloomberg, Microsoft Corp. et Thrive Capital") == [
        "Bloomberg",
        "Microsoft Corp.",
        "Thrive Capital",
    ]
    assert names("Le rôle clé de Microsoft\nMicrosoft apparaît") == ["Microsoft", "Microsoft"]


def test_an_english_sentence_adverb_or_conjunction_is_no_part_of_the_name() -> None:
    """A seed's "So Harbor Trust Bank's deposits dropped" made "So Harbor Trust Bank" an
    alias of the bank, shown in its actor card."""
    assert names("So Harbor Trust Bank's deposits dropped.") == ["Harbor Trust Bank"]
    assert names("Yet Globex Capital held on; Despite Acme Corp. warnings") == [
        "Globex Capital", "Acme Corp."]


def test_a_place_in_parentheses_a_middle_initial_and_a_cut_summary() -> None:
    """Seed summaries list people as "Reps. Jane Roe (Springfield), John Q. Public
    (Shelbyville) and Mary Major...": before, the place was glued to the first name
    ("Jane Roe Springfield", a place), the initial cut the second in two ("John Q",
    "Public Shelbyville") and the third kept the dots."""
    found = names(
        "voted to strip Reps. Jane Roe (Springfield), John Q. Public (Shelbyville) "
        "and Mary Major..."
    )
    assert "Jane Roe" in found and "John Public" in found and "Mary Major" in found
    assert not {"Jane Roe Springfield", "John Q", "Public Shelbyville", "Mary Major.."} & set(
        found
    )
    assert names("Robert J. Costello testified; Acme Corp. said") == [
        "Robert Costello",
        "Acme Corp.",
    ]


def test_classify_person_and_organisation() -> None:
    assert classify("Thrive Capital", None) == "org"
    assert classify("Microsoft Corp.", "PER") == "org"
    assert classify("Bret Taylor", None) == "person"
    assert classify("OpenAI", None) == "org"
    assert classify("Grande", "MISC") == "unknown"
    assert classify("San Francisco", "LOC") == "place"


def cue(text: str, name: str) -> str | None:
    i = text.index(name)
    return peripheral_cue(text, i, i + len(name))


def test_outlets_journalists_and_history_are_peripheral() -> None:
    assert cue("Selon Bloomberg, les investisseurs", "Bloomberg") == "outlet"
    assert cue("according to Bloomberg, investors", "Bloomberg") == "outlet"
    assert cue("Alex Heath de The Verge a écrit sur X", "Alex Heath") == "journalist"
    assert cue("Steve Jobs, en 1985, a honte", "Steve Jobs") == "historical"
    assert (
        cue("Sam est ouvert-Emily Chang (@emilychangtv) 18 novembre 2023", "Emily Chang")
        == "tweet_author"
    )
    assert cue("Altman a rencontré Emmett Shear", "Emmett Shear") is None


def test_role_cues_before_and_after_a_name() -> None:
    t = "le PDG de Microsoft, Satya Nadella, a annoncé"
    i = t.index("Satya Nadella")
    assert role_cue(t, i, i + 13) == "pdg"
    t2 = "Bret Taylor, the former co-CEO of Salesforce, will chair"
    assert role_cue(t2, 0, 11) == "ceo"
    t3 = "Acme's chief operating officer Jane Roe and prezes Globex Jan Nowak"
    assert role_cue(t3, t3.index("Jane Roe"), t3.index("Jane Roe") + 8) == "chief operating officer"
    assert role_cue(t3, t3.index("Jan Nowak"), len(t3)) == "prezes"


def test_a_role_word_heading_another_clause_is_not_the_name_s() -> None:
    """"Tory chair says Jane Roe will...": the chair is someone else; "the former
    president's lawyer John Doe" is a lawyer."""
    t = "Tory chair says Jane Roe will not be a minister"
    assert role_cue(t, t.index("Jane Roe"), t.index("Jane Roe") + 8) is None
    t2 = "Former president Smith's lawyer John Doe met prosecutors"
    assert role_cue(t2, t2.index("John Doe"), t2.index("John Doe") + 8) is None
    t3 = "Former President Smith's Attorney John Doe Meets Prosecutors"  # Title Case
    assert role_cue(t3, t3.index("John Doe"), t3.index("John Doe") + 8) is None
    t4 = "John Doe, who represents former president Smith, met prosecutors"
    assert role_cue(t4, 0, 8) is None
    for t5 in ("John Doe, former President Jan Smith's attorney, said",
               "John Doe, a top ally of the former president, said"):
        assert role_cue(t5, 0, 8) is None, t5
    t6 = "depositions from former President Smith and FBI Director John Doe"
    assert role_cue(t6, t6.index("John Doe"), len(t6)) is None


def test_an_organisation_the_chunker_cuts_is_named_whole(analyzer) -> None:  # type: ignore[no-untyped-def]
    """The NER's organisation wins over the chunker's pieces: no "Department" or
    "Exchange Commission" newcomer from the names of two regulators."""
    from datetime import UTC, datetime

    from monitor.types import Document

    text = (
        "Moody's Investors Service placed six banks on review. The Securities and Exchange "
        "Commission said on Friday it opened a probe, billionaire Peter Thiel told the "
        "Financial Times. The Department of Justice and Securities and Exchange Commission "
        "are investigating. Regulators closed New York's Signature Bank."
    )
    doc = Document(id="d", title="Banks under review", text=text, url="https://x.test/a",
                   source="https://x.test/feed", published=datetime(2023, 3, 14, tzinfo=UTC),
                   language="en")
    (an,) = analyzer.analyze([doc])
    found = [m.text for s in an.sentences for m in s.mentions]
    for whole in ("Moody's Investors Service", "Securities and Exchange Commission",
                  "Financial Times", "Signature Bank", "Peter Thiel"):
        assert whole in found
    for piece in ("Moody", "Investors Service", "Department", "Exchange Commission", "Times"):
        assert piece not in found


def test_a_holiday_or_a_law_the_english_ner_names_is_never_a_newcomer(analyzer) -> None:  # type: ignore[no-untyped-def]
    """"Armistice Day" is a date to the English NER, not the two-word person its Title Case
    made of it before: a day, an event or a law is no party to the saga."""
    from datetime import UTC, datetime

    from monitor.novelty.names import names_in
    from monitor.novelty.resolver import Resolver
    from monitor.saga import SagaModel
    from monitor.types import Document

    text = ("Labour called on the minister to quit over violence on Armistice Day. Union "
            "leader Jane Crowther said the Human Rights Act protects marchers.")
    doc = Document(id="d", title="Minister urged to quit", text=text, url="https://x.test/a",
                   source="https://x.test/feed", published=datetime(2023, 11, 12, tzinfo=UTC),
                   language="en")
    (an,) = analyzer.analyze([doc])
    labels = {m.text: m.spacy_label for s in an.sentences for m in s.mentions}
    assert labels.get("Armistice Day") == "DATE"
    _, new = names_in(an.sentences, Resolver(SagaModel(name="s")), [], True, strict=True)
    keys = {n.key for n in new}
    assert "jane crowther" in keys
    assert "armistice day" not in keys


def test_an_office_of_state_before_a_name_is_no_part_of_it() -> None:
    """A seed's "Premier Nowak komentuje umowę" made "Premier Nowak" a second person
    beside "Jan Nowak" (the Polish word for a prime minister); the offices of state are
    roles, in English and in the Polish cases a headline gives them."""
    assert names("Premier Nowak komentuje umowę") == ["Nowak"]
    assert names("Marszałek Adam Wiśniewski u prezydenta") == ["Adam Wiśniewski"]
    assert names("Speaker Jane Roe and Prime Minister John Doe met") == ["Jane Roe", "John Doe"]
