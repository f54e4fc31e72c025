from __future__ import annotations

from datetime import date

from monitor.dates import document_date, estimate_undated, explicit_dates, sentence_date

SAT_18 = date(2023, 11, 18)
WED_22 = date(2023, 11, 22)


def test_explicit_dates_in_three_languages() -> None:
    text = "le 18 novembre 2023, on November 19, 2023, 22/11/2023, 2023-11-20, 17 listopada 2023"
    assert sorted(explicit_dates(text)) == [
        date(2023, 11, 17),
        date(2023, 11, 18),
        date(2023, 11, 19),
        date(2023, 11, 20),
        WED_22,
    ]


def test_document_date_is_the_latest_explicit_date() -> None:
    assert document_date("tweet du 18 novembre 2023 ... puis 19 novembre 2023") == date(
        2023, 11, 19
    )
    assert document_date("aucune date ici, date 2023-11") is None


def test_weekdays_resolve_to_the_most_recent_such_day() -> None:
    assert sentence_date("OpenAI a licencié vendredi le PDG", WED_22) == date(2023, 11, 17)
    assert sentence_date("Mercredi : Altman revient", WED_22) == WED_22
    assert sentence_date("OpenAI's board ousted Sam Altman on Friday", SAT_18) == date(2023, 11, 17)
    assert sentence_date("hier, la nouvelle", SAT_18) == date(2023, 11, 17)
    assert sentence_date("rien de daté", SAT_18) is None


def test_the_weekday_nearest_the_action_wins() -> None:
    s = "Kwon a déclaré samedi soir ... des chercheurs qui ont démissionné vendredi soir"
    assert sentence_date(s, WED_22, near=s.index("déclaré")) == SAT_18
    assert sentence_date(s, WED_22, near=s.index("démissionné")) == date(2023, 11, 17)


def test_undated_document_estimated_from_weekdays_only() -> None:
    assert estimate_undated("vendredi ... dimanche ... aujourd'hui", WED_22) == date(2023, 11, 19)
    assert estimate_undated("aujourd'hui et hier", WED_22) is None
