"""Who reports the saga: news outlets, told apart from the parties to the news.

A feed's address names its outlet (``outlet_of``), and two feeds of one outlet are one
source of a story (``source_of``). A name in a report that is an outlet's ("according to
Reuters", "CNN Morning Brief") reports the saga; it is never an actor of it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from monitor.lexicon import fold


def outlet_of(feed_url: str) -> str:
    """The name an outlet goes by, from its feed's address ("feeds.bbci.co.uk" -> "bbci")."""
    host = (urlsplit(feed_url).hostname or "").lower()
    labels = [x for x in host.split(".")[:-1] if x not in _GENERIC_HOST_LABELS]
    return max(labels, key=len) if labels else ""


# Hosts on which many publishers each have a feed: there, a feed is an outlet of its own.
PLATFORMS = frozenset({
    "youtube.com", "feedburner.com", "feedproxy.google.com", "news.google.com",
    "substack.com", "medium.com", "blogspot.com", "wordpress.com", "tumblr.com",
    "github.io", "rss.app", "feeds.simplecast.com", "anchor.fm", "podbean.com",
})


def on_host(url: str, hosts: Iterable[str]) -> bool:
    """Whether ``url`` lives on one of ``hosts`` or on a subdomain of one."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith(f".{h}") for h in hosts)


def source_of(feed_url: str) -> str:
    """The publisher behind a feed, so that two feeds of one outlet (its front page and
    its world section) are one source: the outlet's name, or the feed itself on a
    platform that hosts many publishers' feeds."""
    host = (urlsplit(feed_url).hostname or "").lower()
    if on_host(feed_url, PLATFORMS) or "." not in host:
        return feed_url
    try:
        ipaddress.ip_address(host)
        return feed_url  # an address names no outlet
    except ValueError:
        return outlet_of(feed_url) or feed_url


_GENERIC_HOST_LABELS = frozenset(
    {"www", "feeds", "feed", "rss", "news", "co", "com", "org", "net", "api", "m", "moxie"}
)


# The news organisations other outlets cite ("told CBS", "according to Reuters"): wire
# services, broadcasters and papers of record of the countries whose press we read, as
# ``is_outlet`` compacts them. They report a saga; they are not in it. The saga's own
# feeds add theirs (``outlet_of``).
MEDIA = frozenset({
    "reuters", "ap", "associatedpress", "afp", "agencefrancepresse", "bloomberg", "pap",
    "dpa", "ansa", "efe", "cbs", "cbsnews", "nbc", "nbcnews", "abc", "abcnews", "cnn", "msnbc",
    "foxnews", "foxbusiness", "cnbc", "bbc", "bbcnews", "skynews", "itv", "npr", "pbs",
    "wallstreetjournal", "wsj", "newyorktimes", "nyt", "financialtimes", "ft",
    "washingtonpost", "theguardian", "guardian", "theeconomist", "economist", "axios",
    "politico", "semafor", "thetimes", "lemonde", "lefigaro", "liberation", "lesechos",
    "franceinfo", "bfmtv", "tvn24", "polsat", "polsatnews", "rzeczpospolita",
    "gazetawyborcza", "onet", "interia", "money", "bankier", "businessinsider",
})


_MEDIA_SUFFIX = re.compile(r"(?:news|tv|online|media|radio|24)$")


def is_outlet(key: str, outlets: Iterable[str]) -> bool:
    """Whether a folded name is a news outlet's: a saga feed's (``outlet_of``), under its
    name or without a media suffix ("CBS" / cbsnews.com), or one of the ``MEDIA`` that
    reports cite."""
    compact = re.sub(r"[^a-z0-9]", "", key)
    if len(compact) < 2:
        return False
    if compact in MEDIA or (compact.startswith("the") and compact[3:] in MEDIA):
        return True
    for o in outlets:
        if len(compact) >= 3 and (o == compact or (
                o.startswith(compact) and len(o) - len(compact) <= 2)):
            return True
        if o.startswith(compact) and _MEDIA_SUFFIX.fullmatch(o[len(compact):]):
            return True
    return False


def names_an_outlet(key: str, forms: Iterable[str], outlets: Iterable[str]) -> bool:
    """Whether a tracked name (``key``, and the ``forms`` its reports write it in) is a
    news outlet's, or an outlet's column: "Globex Broadcasting Corporation (GBC)" is the
    GBC, whichever form the reports write most."""
    outlets = list(outlets)
    return any(is_outlet(f, outlets) or headed_by_outlet(f)
               for f in dict.fromkeys([key, *(fold(x) for x in forms)]))


def headed_by_outlet(key: str) -> bool:
    """A folded chunk headed by a news outlet's name ("cnn morning brief", "reuters
    breakingviews"): the outlet's column or newsletter, not a party to the news."""
    words = key.split()
    return len(words) > 1 and is_outlet(words[0], ())
