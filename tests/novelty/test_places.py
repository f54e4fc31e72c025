"""Countries are places in every language we read, declined forms included."""

from __future__ import annotations

import pytest

from monitor.novelty.places import is_place


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
