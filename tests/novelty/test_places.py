"""Countries are places in every language we read, declined forms included."""

from __future__ import annotations

import pytest

from monitor.novelty.places import is_place, is_seat


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
