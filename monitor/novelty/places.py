"""Countries and nations are places, stock markets are markets, and the seats of power
are the governments they house: never actors, in any of the languages we read.

spaCy's English NER labels places, but nothing labels them in Polish (no Polish NER ships
on PyPI), and a Title Case headline hides them from the English model too: "Szwajcarii",
"Stanach Zjednoczonych", "USA" and "England" became new actors of a banking saga. The
names come from ``pycountry`` (ISO 3166, with the Debian iso-codes translations it ships),
in English, French and Polish, with the countries' three-letter codes and the nations of
the United Kingdom. A Polish declined form is matched by a long common prefix
("Szwajcarii" / "Szwajcaria", "Niemiec" / "Niemcy").
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

from monitor.lexicon import fold

LANGUAGES = ("fr", "pl")  # besides English, the languages whose names we read


@cache
def place_names() -> frozenset[tuple[str, ...]]:
    """Folded token tuples of every country name we know ("stany", "zjednoczone")."""
    names: set[str] = set()
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
    ]
    for c in pycountry.countries:
        english = [getattr(c, k) for k in ("name", "common_name", "official_name") if hasattr(c, k)]
        names.update(english)
        names.update(t.gettext(n) for t in translations for n in english)
        names.add(c.alpha_3)
    for sub in pycountry.subdivisions.get(country_code="GB") or []:
        if sub.type in ("Country", "Nation", "Province"):
            names.add(sub.name.split("[")[0].strip())
    return frozenset(tuple(fold(n).replace(",", " ").split()) for n in names if n)


def _same_word(word: str, place: str) -> bool:
    """Equal, or a declined form: the common prefix is all but two letters of the longer
    word at most, and four letters at least."""
    if word == place:
        return True
    if len(word) < 4 or len(place) < 4:
        return False
    common = 0
    for a, b in zip(word, place, strict=False):
        if a != b:
            break
        common += 1
    return common >= max(4, max(len(word), len(place)) - 3)


@cache
def _by_start() -> dict[tuple[int, str], tuple[tuple[str, ...], ...]]:
    """The names by (number of words, first two letters): a lookup, not a scan."""
    out: dict[tuple[int, str], list[tuple[str, ...]]] = {}
    for p in place_names():
        out.setdefault((len(p), p[0][:2]), []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def is_place(name: str) -> bool:
    """A country or a nation under one of its names or codes, in one of its forms; or a
    country joined by a hyphen to another name ("Russia-Ukraine war", "Israel-Hamas
    war", "US-China talks"): a war or a relation between parties, no party of its own."""
    tokens = tuple(fold(name).split())
    if not tokens:
        return False
    parts = [p for p in tokens[0].split("-") if p] if len(tokens) == 1 else []
    if len(parts) > 1 and any(is_place(p) for p in parts):
        return True
    return any(
        all(_same_word(t, w) for t, w in zip(tokens, p, strict=True))
        for p in _by_start().get((len(tokens), tokens[0][:2]), ())
    )


# The markets a news report names as if they acted ("Wall Street cheers", "FTSE takes
# £75bn hit", "GPW uspokaja"): the main stock exchanges and their indices, folded. No
# package we know of ships such a list; these are the markets of the countries whose
# press we read, and any saga about money names them.
MARKETS = frozenset({
    "wall street", "dow", "dow jones", "nasdaq", "nyse", "s&p", "s&p 500", "russell 2000",
    "ftse", "ftse 100", "ftse 250", "lse", "city of london", "dax", "cac", "cac 40",
    "euronext", "stoxx", "stoxx 600", "euro stoxx", "euro stoxx 50", "ibex", "smi",
    "nikkei", "topix", "hang seng", "gpw", "wig", "wig20", "wig 20", "mwig40", "swig80",
})


def is_market(name: str) -> bool:
    """A stock market or index under its usual name ("Wall Street", "FTSE 100", "GPW")."""
    return fold(name).strip() in MARKETS


# The seats of government, the legislatures and the cabinet a report names as if they acted
# ("the White House says", "Congress must act", "Sejm przyjął"): like a capital, each stands for
# a country's government, which is in every political story and enters none. Folded; the
# countries whose press we read, and the European Union.
SEATS = frozenset({
    "white house", "congress", "us congress", "u.s. congress", "senate", "us senate",
    "u.s. senate", "house", "house of representatives", "capitol hill", "pentagon",
    "downing street", "whitehall", "parliament", "house of commons", "house of lords",
    "elysee", "matignon", "assemblee nationale", "senat", "sejm", "kongres", "bialy dom",
    "kreml", "kremlin", "bundestag", "european parliament", "parlament europejski",
    "parlement europeen", "administracja usa", "us administration",
    # the ministers together: the government as it meets, which every reshuffle fills
    "cabinet", "the cabinet", "gabinet", "rada ministrow", "conseil des ministres",
})


def is_seat(name: str) -> bool:
    """A seat of government or a legislature ("White House", "Senate", "Sejm")."""
    return fold(name).strip() in SEATS
