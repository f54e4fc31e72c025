"""Countries and nations are places, stock markets are markets, and the seats of power
are the governments they house: never actors, in any of the languages we read.

spaCy's English NER labels places, but nothing labels them in Polish (no Polish NER ships
on PyPI), and a Title Case headline hides them from the English model too: "Szwajcarii",
"Stanach Zjednoczonych", "USA" and "England" became new actors of a banking saga. The
names come from ``pycountry`` (ISO 3166, with the Debian iso-codes translations it ships),
in English, French and Polish, with the countries' three-letter codes and the nations of
the United Kingdom. A Polish declined form is matched by a long common prefix
("Szwajcarii" / "Szwajcaria", "Niemiec" / "Niemcy").

A region of a country is a place by the noun that heads its name, in each of our
languages ("Strefie Caprivi", "Caprivi Strip": ``is_region``).

A saga can happen *in* a country ("Iceland declares a state of emergency", "Argentina's
last debate"): the country its seeds headline is one of its prefilter terms
(``saga_countries``), in each of our languages (``country_of``).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Sequence
from functools import cache

import pycountry

from monitor.lexicon import fold

LANGUAGES = ("fr", "pl")  # besides English, the languages whose names we read


@cache
def _countries() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Folded token tuples of every country name we know ("stany", "zjednoczone"), each
    with the names of its country in our languages (English first; no codes)."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
    ]

    def add(names: Iterable[str], forms: tuple[str, ...]) -> None:
        for n in names:
            if n:
                out.setdefault(tuple(fold(n).replace(",", " ").split()), forms)

    for c in pycountry.countries:
        english = [getattr(c, k) for k in ("common_name", "name", "official_name") if hasattr(c, k)]
        forms = tuple(dict.fromkeys([english[0], *(t.gettext(english[0]) for t in translations)]))
        names = [*english, *(t.gettext(n) for t in translations for n in english)]
        add([*names, *(part for n in names for part in _parts(n)), *_SHORT.get(c.alpha_2, ())],
            forms)
        add([c.alpha_3], forms)
    for sub in pycountry.subdivisions.get(country_code="GB") or []:
        if sub.type in ("Country", "Nation", "Province"):
            name = sub.name.split("[")[0].strip()
            add([name], (name,))
    return out


# Short names the press uses that ISO 3166 does not give (its names are "Russian
# Federation", "Türkiye", "Holy See (Vatican City State)", "Myanmar"), by alpha-2 code, in
# English, French and Polish
_SHORT: dict[str, tuple[str, ...]] = {
    "RU": ("Russia", "Russie", "Rosja"),
    "TR": ("Turkey", "Turquie", "Turcja"),
    "GB": ("Britain", "Great Britain", "Grande-Bretagne"),
    "VA": ("Vatican", "Vatican City", "Watykan"),
    "MM": ("Burma", "Birmanie", "Birma"),
    "BN": ("Brunei",),
    "CI": ("Ivory Coast",),
    "CV": ("Cape Verde", "Cap-Vert"),
}


def _parts(name: str) -> list[str]:
    """The shorter names an ISO name holds: before and inside its parentheses ("Holy
    See", "Vatican City State"), before its comma ("Palestine, State of")."""
    head, _, inner = name.partition(" (")
    out = [head.partition(", ")[0]] if ", " in head else []
    if inner:
        out += [head, inner.rstrip(")")]
    return out


def place_names() -> frozenset[tuple[str, ...]]:
    """Folded token tuples of every country name we know ("stany", "zjednoczone")."""
    return frozenset(_countries())


# The short names the press gives two states, which the ISO lists do not hold. They stay
# out of ``is_place``, which decides what is never a name: "US Steel", "UK Finance" are
# organisations.
_SHORT_STATES = {"us": "United States", "u.s.": "United States", "usa": "United States",
                 "uk": "United Kingdom", "u.k.": "United Kingdom"}


def country_named(text: str) -> tuple[str, ...]:
    """The names of the country ``text`` names as it is called ("Norway", "New Zealand",
    "UK"; ``text`` first), not by a demonym or a case of it ("Norwegian", "Norwegii"):
    () for anything else."""
    f = fold(text).strip()
    short = _SHORT_STATES.get(f)
    if short is None and tuple(f.split()) not in place_names():
        return ()
    return tuple(dict.fromkeys([text, *country_of(short or text)]))


@cache
def _states() -> frozenset[str]:
    """The folded names of the states of federations (ISO 3166-2 subdivisions of the
    type "State": the US's, Australia's, India's, Brazil's, Mexico's...), four letters
    or more."""
    return frozenset(fold(s.name) for s in pycountry.subdivisions
                     if s.type == "State" and len(s.name) >= 4)


def state_named(text: str) -> tuple[str, ...]:
    """``text`` alone when it is the name of a federation's state ("Montana", "New South
    Wales"), () otherwise: a state that acts is its government, as a country is."""
    return (text,) if fold(text).strip() in _states() else ()


def countries_in(texts: Iterable[str]) -> frozenset[str]:
    """Every name (folded) of every country the texts name, in any of its forms and
    cases ("Norway", "Norwegii", "the UK")."""
    out: set[str] = set()
    for text in texts:
        out |= {fold(f) for forms in _named_in(text) for f in forms}
        for short in _SHORT_FORMS.findall(text):  # case-sensitive: "us" is a pronoun
            out |= {fold(short), *(fold(f) for f in country_of(_SHORT_STATES[fold(short)]))}
    return frozenset(out)


_SHORT_FORMS = re.compile(r"(?<![\w.])(U\.S\.|U\.K\.|USA|US|UK)(?![\w.]\w)")


# What may follow the stem a declined form shares with its country's name: Polish case
# endings ("Islandii", "Izraelem", "Stanach", "Niemiec") and the English possessive.
_ENDINGS = frozenset({
    "", "a", "e", "i", "o", "u", "y", "ie", "ii", "ji", "em", "om", "ow", "ach", "ami",
    "owi", "ej", "iej", "ego", "emu", "im", "ym", "ich", "ych", "iec", "ce", "'s",
})


def _same_word(word: str, place: str, strict: bool = False) -> bool:
    """Equal, or a declined form: the two share a stem of four letters or more and all
    but three letters of the longer one, and a word no longer than the place's name ends
    on a case ending after it. ``strict``: besides, the stem is all of the place's name
    but its last two letters at most, and what follows it in ``word`` is a case ending
    ("Islandii", not "Icelandic" or "Chinese"). ``is_place`` is loose on purpose: a
    demonym ("Ukrainian", "Izraelski") is no actor either."""
    if word == place:
        return True
    if len(word) < 4 or len(place) < 4:
        return False
    common = 0
    for a, b in zip(word, place, strict=False):
        if a != b:
            break
        common += 1
    if common < max(4, max(len(word), len(place)) - 3):
        return False
    if strict:
        return len(place) - common <= 2 and word[common:] in _ENDINGS
    # loose: a longer word is a declension or a demonym ("Izraelem", "Ukrainian"); one
    # no longer ends on a case ending ("Polsce", "Chin"), not on another name's letters
    # ("Dominion" is no "Dominica", "Camerons" no "Cameroon")
    return len(word) > len(place) or word[common:] in _ENDINGS


def country_of(name: str) -> tuple[str, ...]:
    """The names in our languages of the country ``name`` names, in one of its forms
    (English first); () if it names none."""
    tokens = tuple(fold(name).split())
    if not tokens:
        return ()
    return next((
        _countries()[p] for p in _by_start().get((len(tokens), tokens[0][:2]), ())
        if all(_same_word(t, w, strict=True) for t, w in zip(tokens, p, strict=True))
    ), ())


_WORDS = re.compile(r"[^\W\d_][\w'’-]*")


def saga_countries(headlines: Sequence[str], names: Iterable[str] = ()) -> list[tuple[str, ...]]:
    """The countries that at least half of a saga's seed headlines name (each as the names
    of it in our languages): where the saga happens ("Iceland declares a state of
    emergency", "Quakes rock southwestern Iceland"). A volcano, an election, a coup has
    few actors to search the stream by, and the country is how the press names it. A word
    of a name the saga holds ("Jordan" of Jim Jordan, ``names``) is no country."""
    held = frozenset(w for n in names for w in fold(n).split())
    counts: dict[tuple[str, ...], int] = {}
    for title in headlines:
        for forms in _named_in(title, held):
            counts[forms] = counts.get(forms, 0) + 1
    return [f for f, n in counts.items() if headlines and 2 * n >= len(headlines)]


def _named_in(text: str, held: frozenset[str] = frozenset()) -> set[tuple[str, ...]]:
    """The countries (each as its names in our languages) that ``text`` names in runs of
    one to three words, the first capitalised; a one-word run among ``held`` (a word of
    a name the saga holds: "Jordan" of Jim Jordan) is no country."""
    words = _WORDS.findall(text)
    found: set[tuple[str, ...]] = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            span = words[i:i + size]
            if (span[0][:1].isupper() and not (size == 1 and fold(span[0]) in held)
                    and (forms := country_of(" ".join(span)))):
                found.add(forms)
    return found


@cache
def _by_start() -> dict[tuple[int, str], tuple[tuple[str, ...], ...]]:
    """The names by (number of words, first two letters): a lookup, not a scan."""
    out: dict[tuple[int, str], list[tuple[str, ...]]] = {}
    for p in place_names():
        out.setdefault((len(p), p[0][:2]), []).append(p)
    return {k: tuple(v) for k, v in out.items()}


# The nouns that make a name a region of a country, in the languages we read: first in
# Polish and French ("Strefie Caprivi", "obwodu donieckiego", "bande de Caprivi"), last in
# English ("Caprivi Strip", "Donetsk Oblast"). spaCy's English model calls such a name a
# place in running text; nothing does in Polish (``names``: no Polish NER), and no
# package we know of lists the regions of the world with their Polish declined forms.
# Folded. A Polish noun is its stem, followed by a case ending ("strefa", "strefie",
# "strefy"); the French ones are whole words. Left out: the county ("Orange County",
# "hrabstwo"), whose name stands for its officials, who act.
_POLISH_CASES = _ENDINGS | {"zie", "iem"}
_REGION_STEMS = ("stref", "obwod", "wojewodztw", "prowincj", "okreg", "dystrykt", "dystrykc",
                 "polwysep", "polwysp")
_REGION_FIRST = frozenset({"bande", "province", "region", "departement", "oblast"})
_REGION_LAST = frozenset({"strip", "oblast", "governorate", "peninsula", "voivodeship",
                          "prefecture"})


def is_region(name: str) -> bool:
    """A region of a country by the noun that heads its name, in any of our languages
    ("Strefie Caprivi", "Caprivi Strip", "obwodu donieckiego", "bande de Caprivi"): where
    news happens, no party to it."""
    return _region(tuple(fold(name).split()))


def _region(tokens: tuple[str, ...]) -> bool:
    """``is_region`` of a folded name's words."""
    if len(tokens) < 2:
        return False
    first = tokens[0]
    return (tokens[-1] in _REGION_LAST or first in _REGION_FIRST
            or any(first.startswith(stem) and first[len(stem):] in _POLISH_CASES
                   for stem in _REGION_STEMS))


def is_place(name: str) -> bool:
    """A country or a nation under one of its names or codes, in one of its forms; a
    region of one (``is_region``); or a country joined by a hyphen to another name
    ("Russia-Ukraine war", "Israel-Hamas war", "US-China talks"): a war or a relation
    between parties, no party of its own."""
    tokens = tuple(fold(name).split())
    if not tokens:
        return False
    if _region(tokens):
        return True
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
