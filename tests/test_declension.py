"""A Polish person's name in the nominative (``monitor.declension``), from the dictionary
that ``polish-inflection-data`` installs (no network)."""

from monitor.declension import nominative


def test_a_declined_name_is_given_in_the_nominative() -> None:
    assert nominative("Jana Nowaka") == "Jan Nowak"  # genitive
    assert nominative("Janem Nowakiem") == "Jan Nowak"  # instrumental
    assert nominative("Piotrowi Kosibie") == "Piotr Kosiba"  # dative
    assert nominative("Elżbiety Kowalskiej") == "Elżbieta Kowalska"  # a woman's genitive
    assert nominative("Annie Nowak") == "Anna Nowak"  # her surname does not decline
    assert nominative("Małgorzaty Kowalskiej-Nowak") == "Małgorzata Kowalska-Nowak"


def test_a_name_already_nominative_or_not_in_the_dictionary_is_left_as_written() -> None:
    assert nominative("Jan Nowak") is None
    assert nominative("Anna Nowak") is None
    # "Szymona" is a woman's nominative as well as a man's genitive: with a nominative
    # surname, it is her name
    assert nominative("Szymona Nowak") is None
    assert nominative("Jana Roe") is None  # a surname the dictionary does not hold
    assert nominative("Nowaka") is None  # one word: no first name to agree with
    assert nominative("Nowaka Kowalska") is None  # a man's genitive, a woman's nominative
