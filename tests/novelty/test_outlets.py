"""Who reports the saga (``novelty.outlets``): outlets are never in it."""

from monitor.novelty.outlets import headed_by_outlet, is_outlet, names_an_outlet, source_of


def test_news_outlets_report_the_saga_and_are_not_in_it() -> None:
    feeds = ["cbsnews", "bbci", "ft"]
    for outlet in ("reuters", "the guardian", "wall street journal", "cbs", "ft", "cbsnews"):
        assert is_outlet(outlet, feeds), outlet
    for actor in ("signature bank", "hsbc", "first republic", "fed", "abcd holdings"):
        assert not is_outlet(actor, feeds), actor


def test_an_outlets_column_or_newsletter_is_the_outlet() -> None:
    assert headed_by_outlet("cnbc daily open") and not headed_by_outlet("cnbc")
    assert not headed_by_outlet("first citizens bank")


def test_an_outlet_under_its_full_name_and_initials_is_the_outlet() -> None:
    """"British Broadcasting Corporation (BBC)": the reports write the initials most, the
    name is tracked under the full one; either form makes it the outlet."""
    forms = {"British Broadcasting Corporation": 1, "BBC": 2}
    assert names_an_outlet("british broadcasting corporation", forms, ["bbci"])
    assert not is_outlet("british broadcasting corporation", ["bbci"])
    assert not names_an_outlet("harbor trust bank", {"Harbor Trust Bank": 2, "HTB": 1}, [])


def test_two_feeds_of_one_outlet_are_one_source() -> None:
    assert source_of("https://feeds.bbci.co.uk/news/rss.xml") == source_of(
        "https://feeds.bbci.co.uk/news/world/rss.xml") == "bbci"
    # on a platform that hosts many publishers, each feed is a publisher of its own
    a, b = "https://a.substack.com/feed", "https://b.substack.com/feed"
    assert source_of(a) != source_of(b)
    assert source_of("http://127.0.0.1:8080/feed") == "http://127.0.0.1:8080/feed"
