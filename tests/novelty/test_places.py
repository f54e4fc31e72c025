"""Countries are places in every language we read, declined forms included."""

from __future__ import annotations

import pytest

from monitor.novelty.places import country_of, is_place, is_seat, saga_countries


@pytest.mark.parametrize(
    "name",
    ["Switzerland", "Suisse", "Szwajcarii", "Stanach Zjednoczonych", "Niemiec", "USA", "England",
     "Wielkiej Brytanii"],
)
def test_countries_in_english_french_and_polish_forms_are_places(name: str) -> None:
    assert is_place(name)


@pytest.mark.parametrize(
    "name", ["Credit Suisse", "Signature Bank", "UBS", "Sergio Ermotti", "Swiss National Bank"]
)
def test_names_holding_a_country_are_not_places(name: str) -> None:
    assert not is_place(name)


@pytest.mark.parametrize(
    "name", ["Strefie Gazy", "Strefa Gazy", "Gaza Strip", "Donetsk Oblast", "obwodu donieckiego",
             "bande de Gaza", "Prowincji Hubei", "Półwyspie Koreańskim", "Korean Peninsula"],
)
def test_a_region_of_a_country_is_a_place_in_every_language(name: str) -> None:
    assert is_place(name)


@pytest.mark.parametrize(
    "name", ["Strip Club", "Regional Bank", "Regionalny Bank", "Stripe", "Fulton County",
             "Strefie", "Silicon Valley Bank"],
)
def test_a_name_only_holding_a_region_word_is_no_place(name: str) -> None:
    assert not is_place(name)


@pytest.mark.parametrize("name", ["White House", "Senate", "U.S. Senate", "Congress", "Sejm",
                                  "Kremlin", "Downing Street", "Biały Dom", "Cabinet",
                                  "Rada Ministrów"])
def test_seats_of_power_stand_for_governments(name: str) -> None:
    assert is_seat(name)


@pytest.mark.parametrize("name", ["Senate Banking Committee", "House Speaker", "Treasury",
                                  "Whitehouse Capital", "Cabinet Office"])
def test_what_only_starts_like_a_seat_is_not_one(name: str) -> None:
    assert not is_seat(name)


@pytest.mark.parametrize("name", ["Russia-Ukraine", "Israel-Hamas", "US-China", "Polsko-Ukraińska"])
def test_a_country_hyphened_to_a_name_is_a_war_or_a_relation_not_a_party(name: str) -> None:
    assert is_place(name)


@pytest.mark.parametrize("name", ["Coca-Cola", "Rolls-Royce", "Mercedes-Benz", "Al-Shifa"])
def test_a_hyphened_name_holding_no_country_is_no_place(name: str) -> None:
    assert not is_place(name)


@pytest.mark.parametrize(
    ("name", "english"),
    [("Islandii", "Iceland"), ("Iceland’s", "Iceland"), ("Argentynie", "Argentina"),
     ("Stanach Zjednoczonych", "United States"), ("Niemiec", "Germany")],
)
def test_a_country_is_known_under_its_declined_and_possessive_forms(name: str,
                                                                   english: str) -> None:
    assert country_of(name)[0] == english


@pytest.mark.parametrize("name", ["Cameron", "Daniels", "Icelandic", "Credit Suisse"])
def test_a_name_that_only_starts_like_a_country_names_none(name: str) -> None:
    assert country_of(name) == ()


def test_the_country_half_the_seed_headlines_name_is_where_the_saga_happens() -> None:
    headlines = ["Iceland declares state of emergency over eruption threat",
                 "Quakes rock southwestern Iceland as eruption looms",
                 "Town evacuated as magma spreads, France sends experts"]
    assert saga_countries(headlines) == [("Iceland", "Islande", "Islandia")]  # France: 1 of 3


def test_a_word_of_a_name_the_saga_holds_is_no_country() -> None:
    headlines = ["Jim Jordan subpoenas the prosecutor", "Jordan widens his probe"]
    assert saga_countries(headlines, ["Jim Jordan"]) == []
    assert saga_countries(headlines) == [("Jordan", "Jordanie", "Jordania")]


@pytest.mark.parametrize("name", ["Dominion", "Cameron"])
def test_a_name_differing_from_a_country_in_its_last_letters_is_no_place(name: str) -> None:
    """"Dominion" shares six letters with "Dominica", "Cameron" six with "Cameroon":
    what follows is no case ending, and the word is not a longer form of the name."""
    assert not is_place(name)


@pytest.mark.parametrize("name", ["Polsce", "Chin", "Izraelem", "Ukrainian"])
def test_declined_forms_and_demonyms_stay_places(name: str) -> None:
    assert is_place(name)


@pytest.mark.parametrize(
    "name",
    ["Russia", "Rosji", "Russie", "Turkey", "Turcji", "Palestine", "Palestyny", "Vatican",
     "Watykanu", "Holy See", "Britain", "Great Britain", "Burma", "Micronesia",
     "Falkland Islands"],
)
def test_a_country_is_a_place_under_the_short_name_the_press_gives_it(name: str) -> None:
    """ISO 3166 says "Russian Federation", "Türkiye", "Palestine, State of", "Holy See
    (Vatican City State)": the press says "Russia", "Turkey", "Palestine", "Vatican"."""
    assert is_place(name)


@pytest.mark.parametrize("name", ["Rosneft", "Russia Today", "Vatican Bank", "Russell Brand"])
def test_a_name_holding_a_short_country_name_is_no_place(name: str) -> None:
    assert not is_place(name)


def test_a_country_is_named_as_it_is_called_and_found_in_any_text() -> None:
    from monitor.novelty.places import countries_in, country_named

    assert country_named("Norway")[:2] == ("Norway", "Norvège")
    assert "United Kingdom" in country_named("UK")
    assert country_named("Norwegian") == () and country_named("US Steel") == ()
    found = countries_in(["Talks in Oslo: the U.S. and Norwegii officials met", "us too"])
    assert {"u.s.", "united states", "norway", "norwegia"} <= found
    assert "us" not in found  # a pronoun in lower case is no country


def test_a_federation_state_is_named_by_its_name_alone() -> None:
    from monitor.novelty.places import state_named

    assert state_named("Montana") == ("Montana",)
    assert state_named("New South Wales") == ("New South Wales",)
    assert state_named("Norway") == () and state_named("Iowa City") == ()
