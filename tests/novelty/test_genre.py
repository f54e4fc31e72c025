"""Talk about the news (op-eds, podcasts, briefings, question headlines) told apart from
news, by the signs of the trade: the site section, a genre label, a question."""

from __future__ import annotations

import pytest

from monitor.novelty.genre import genre


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Checks and balances are for losers", "https://www.nytimes.com/2023/11/14/opinion/x.html"),
        ("The bank run, seen from London | Tim Smith",
         "https://www.theguardian.com/commentisfree/2023/nov/15/bank-run"),
        ("Has the Fed got the upper hand? – podcast",
         "https://www.theguardian.com/world/audio/2023/nov/15/fed-podcast"),
        ("Jacek Nizinkiewicz: Długie pożegnanie", "https://www.rp.pl/publicystyka/art39403211-x"),
        ("CNBC Daily Open: Banks got hammered", None),
        ("The Papers: Lineker 'to return' to TV and bank collapse", None),
        ("Analysis: the schism over the future of AI", None),
        ("What the rate rise means | Podcast", None),
        ("Who is the new chief executive?", None),
        ("Kontratak inwestorów przywróci prezesa?", None),
    ],
)
def test_talk_about_the_news_is_recognised(title: str, url: str | None) -> None:
    g = genre(title, url)
    assert g.commentary and g.why


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Regulators close New York's Signature Bank", "https://example.com/business/2023/x"),
        # a live page, a video report or a company's own blog often tells a development first
        ("HSBC announces rescue deal – business live",
         "https://www.theguardian.com/business/live/2023/mar/13/hsbc"),
        ("Board fires its chief executive", "https://example.com/blog/leadership-transition"),
        ("Chief executive joins rival after ouster", "https://www.nbcnews.com/video/ceo-198"),
        # the words inside a headline or a page's own slug are not its section
        ("Bank shares fall after a day-long sell-off", None),
        ("Credit Suisse: UBS finds deal to acquire troubled rival", None),
        ("Opinion polls show a swing", "https://example.com/news/opinion-polls-swing"),
        ("Co dalej z bankiem? Jest deklaracja banku centralnego", None),
    ],
)
def test_news_is_news(title: str, url: str | None) -> None:
    assert not genre(title, url).commentary


def test_a_malformed_url_is_only_not_a_section() -> None:
    assert not genre("Bank closed", "http://[::1").commentary
