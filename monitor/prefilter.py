"""Relevance prefilter: a cheap first look at every feed item, before anything costly.

Only items whose title, summary or link name the saga (an actor alias or a saga term)
become *candidates* and pay for the article download, trafilatura and NER. The terms come
from the saga model (``SagaModel.prefilter_terms()``) and are compiled into one regex,
shaped as a trie so that the scan stays linear however many aliases the model grows;
:meth:`Prefilter.build` is cheap (a few ms), so rebuild whenever the model changes.

Matching is case- and accent-insensitive and on word boundaries, on a folded text
(:func:`fold`: lower case, accents removed, ``ł -> l``, curly quotes straightened):

- ``Hart`` matches "Hart", "HART", "Hart's", "john-hart" in a URL, not "Lockhart";
- ``Wood`` matches "John Wood said", not "woods" or "Redwood";
- Polish case endings are accepted after every word of a term (``Nowak`` matches
  "Nowaka", "Nowakowi"; ``Jan Nowak`` matches "Jana Nowaka"; ``Zawada`` matches
  "Zawady"); English plurals are not (so "woods" stays out);
- words of a term may be joined by spaces or hyphens; a camel-case term may be split
  (``GlobeTech`` matches "Globe Tech", "globe-tech", "Globe.tech"); an apostrophe is optional
  (``O'Brien`` matches "O’Brien", "OBrien");
- a handle ``@janedoe`` matches "@janedoe", "twitter.com/janedoe" and "x.com/janedoe".

Term syntax (strings, as the model hands them over, or :class:`Term` values):

``"Jane Doe"``
    *strong*: on its own it makes an item a candidate.
``"~Wood"``
    *weak*: counts only when a strong term matches in the same item. Mark weak what is
    ambiguous out of context: bare first names ("Jane", "John"), surnames that are common
    words ("Wood") or common names ("O'Brien"), organisations much wider than the saga
    ("Globex", "Initech", "Umbrella"). A weak term still shows in :meth:`Prefilter.match`
    output, so later stages know that "Wood" was named in an article about Acme.

A single-word term shorter than ``min_strong_chars`` (default 4: "Jo", "Ann") is weak
whatever its marking. A candidate needs one strong term, or ``weak_quorum`` (default 2;
0 disables it) distinct weak terms: "WidgetPro" and "Globex" together in "Company that
created WidgetPro is thrown into turmoil after Globex hires its ousted CEO".
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from monitor.config import PrefilterSettings
from monitor.types import FeedItem

__all__ = ["Prefilter", "SagaPrefilters", "Term", "fold", "item_text"]

# -- text folding -----------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_COMBINING = re.compile("[\u0300-\u036f]+")
# Letters NFKD does not decompose, and punctuation that should compare equal.
_SPECIAL = {
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe",
    "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "‐": "-", "‑": "-", "–": "-", "—": "-",
}  # fmt: skip


def fold(text: str) -> str:
    """Lower case, accents removed, a few letters and quotes mapped to ASCII.

    Fast path for ASCII text (most English items); otherwise NFKD + combining marks
    dropped, all in C. Characters it does not know (CJK, emoji) are kept as they are.
    """
    text = text.lower()
    if text.isascii():
        return text
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    if not text.isascii():
        for src, dst in _SPECIAL.items():
            if src in text:
                text = text.replace(src, dst)
    return text


def strip_html(text: str) -> str:
    """Tags removed, entities unescaped (the cheap way: summaries are short)."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:  # double-escaped markup
            text = _TAG.sub(" ", text)
    return text


def item_text(item: FeedItem) -> str:
    """What the prefilter reads of an item: title, summary (no HTML) and link.

    The link is included because slugs often name the story when the title does not
    ("The Week That Upended an Industry" at .../acme-ceo-jane-doe-ousted.html).
    """
    return f"{strip_html(item.title)}\n{strip_html(item.summary)}\n{item.link}"


# -- terms ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    weak: bool = False

    @classmethod
    def parse(cls, value: str | Term) -> Term:
        if isinstance(value, Term):
            return value
        value = value.strip()
        if value.startswith("~"):
            return cls(value[1:].strip(), weak=True)
        return cls(value)

    @property
    def is_handle(self) -> bool:
        return self.text.startswith("@")


# Placeholders in a term's surface form, replaced by regex pieces when compiling.
_SEP = "\x01"  # between words: optional case ending on the word, then space or hyphen
_CAMEL = "\x02"  # inside a camel-case word: nothing, space, hyphen or dot
_APOS = "\x03"  # an apostrophe, optional
_A_SEP = "\x04"  # after a word whose final "a" was cut: a case ending, then a separator
_END = ""  # trie key marking the end of a surface; value: the ending kind

# Polish case endings (folded: ą -> a, ę -> e, ó -> o); no English "s".
_ENDINGS = "a|u|e|y|i|o|em|ie|owi|ow|om|ami|ach|owie"
_A_STEM_ENDINGS = "a|i|y|e|o|ie|om|ami|ach"  # Zawada -> Zawady, Anna -> Anny
_PIECES = {
    _SEP: rf"(?:{_ENDINGS})?[\s\-]+",
    _A_SEP: rf"(?:{_A_STEM_ENDINGS})[\s\-]+",
    _CAMEL: r"[\s\-.]?",
    _APOS: r"'?\s?",
}
_CAMEL_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"[\w'’\-.]+")


def _surfaces(term: Term) -> list[tuple[str, str]]:
    """The folded surface forms of a term, each with its ending kind.

    Ending kinds: ``plain`` (nothing may follow), ``inflect`` (an optional case ending),
    ``astem`` (the final ``a`` was cut: a case ending is required).
    """
    text = term.text
    if term.is_handle:
        name = fold(text[1:])
        return [(f"@{name}", "plain"), (f"twitter.com/{name}", "plain"), (f"x.com/{name}", "plain")]
    words = text.split()
    surface = ""
    for i, word in enumerate(words):
        folded = _CAMEL.join(fold(p) for p in _CAMEL_SPLIT.split(word))
        folded = folded.replace("'", _APOS).replace("-", _SEP)
        if i == len(words) - 1:
            surface += folded
        elif folded.endswith("a") and len(folded) >= 4 and folded.isalpha():
            surface += folded[:-1] + _A_SEP  # twórca Acme -> twórcy Acme
        else:
            surface += folded + _SEP
    last = fold(text.split()[-1]) if text.split() else ""
    inflectable = last.isalpha() and len(last) >= 3 and not text.split()[-1].isupper()
    if not inflectable:
        return [(surface, "plain")]
    out = [(surface, "inflect")]
    if surface.endswith("a") and len(last) >= 4:
        out.append((surface[:-1], "astem"))
    return out


def _trie_regex(surfaces: Iterable[tuple[str, str]]) -> str:
    """One regex for all surfaces, shaped as a trie (shared prefixes matched once).

    At each position the engine tries at most one branch per character, so the cost does
    not grow with the number of terms sharing a prefix. (A leading negative lookbehind
    measured faster here than both ``\b`` and a boundary check after the first letter.)
    """
    trie: dict[str, Any] = {}
    for surface, kind in surfaces:
        node = trie
        for ch in surface:
            node = node.setdefault(ch, {})
        node.setdefault(_END, set()).add(kind)

    def ending(kinds: set[str]) -> str:
        if kinds == {"astem"}:
            return rf"(?:{_A_STEM_ENDINGS})(?!\w)"
        alts = [e for k, e in (("inflect", _ENDINGS), ("astem", _A_STEM_ENDINGS)) if k in kinds]
        return (rf"(?:{'|'.join(alts)})?" if alts else "") + r"(?!\w)"

    def walk(node: dict[str, Any]) -> str:
        branches = []
        for ch in sorted(k for k in node if k != _END):
            piece = _PIECES.get(ch) or re.escape(ch)
            branches.append(piece + walk(node[ch]))
        if _END in node:
            branches.append(ending(node[_END]))  # longest first: the end is tried last
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return r"(?<!\w)" + walk(trie) if trie else ""


# -- the prefilter ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hits:
    strong: tuple[str, ...]
    weak: tuple[str, ...]


class Prefilter:
    """Compiled terms. Immutable: build a new one when the terms change (cheap)."""

    def __init__(
        self,
        terms: Iterable[str | Term],
        *,
        min_strong_chars: int = 4,
        weak_quorum: int = 2,
    ) -> None:
        self.weak_quorum = weak_quorum
        parsed: dict[str, Term] = {}
        for raw in terms:
            term = Term.parse(raw)
            if not term.text or not _WORD.search(term.text):
                continue
            short = (
                len(term.text.split()) == 1
                and not term.is_handle
                and len(term.text) < min_strong_chars
                # an acronym ("IMF", "NATO") names one thing: strong from 3 letters
                and not (term.text.isupper() and len(term.text) >= 3)
            )
            term = Term(term.text, weak=term.weak or short)
            key = term.text.casefold()
            prev = parsed.get(key)
            # The same text given strong and weak: strong wins.
            parsed[key] = term if prev is None or prev.weak else prev
        self.terms: tuple[Term, ...] = tuple(parsed.values())
        # Longest terms first, so the identification of a match prefers "Jane Doe"
        # over "Doe" or "Jane".
        by_length = sorted(self.terms, key=lambda t: len(t.text), reverse=True)
        self._single = [(t, re.compile(_term_regex(t))) for t in by_length]
        self._seen: dict[str, Term | None] = {}
        all_surfaces = [s for t in self.terms for s in _surfaces(t)]
        self._regex = re.compile(_trie_regex(all_surfaces)) if all_surfaces else None

    @classmethod
    def build(
        cls,
        terms: Iterable[str | Term],
        settings: PrefilterSettings | None = None,
        *,
        min_strong_chars: int = 4,
        weak_quorum: int = 2,
    ) -> Prefilter:
        """``Prefilter.build(model.prefilter_terms(), settings.prefilter)``."""
        if settings is not None:
            min_strong_chars, weak_quorum = settings.min_strong_chars, settings.weak_quorum
        return cls(terms, min_strong_chars=min_strong_chars, weak_quorum=weak_quorum)

    def __repr__(self) -> str:
        strong = sum(not t.weak for t in self.terms)
        return f"<Prefilter {strong} strong + {len(self.terms) - strong} weak terms>"

    def scan(self, text: str) -> Hits:
        """Every term found in ``text`` (already plain text), in order of first appearance."""
        return self.scan_folded(fold(text))

    def scan_folded(self, folded: str, pos: int = 0) -> Hits:
        """:meth:`scan` of a text already passed through :func:`fold`, from ``pos`` on
        (the word-boundary check still sees the character before ``pos``)."""
        if self._regex is None:
            return Hits((), ())
        strong: dict[str, None] = {}
        weak: dict[str, None] = {}
        for m in self._regex.finditer(folded, pos):
            term = self._identify(m.group())
            if term is not None:
                (weak if term.weak else strong)[term.text] = None
        return Hits(tuple(strong), tuple(weak))

    def match(self, text: str) -> tuple[str, ...]:
        """The distinct terms that count in ``text``, strong ones first.

        () unless a strong term is there, or at least ``weak_quorum`` distinct weak ones.
        """
        return self.match_folded(fold(text))

    def match_folded(self, folded: str, pos: int = 0) -> tuple[str, ...]:
        """:meth:`match` of a text already passed through :func:`fold`, from ``pos`` on."""
        hits = self.scan_folded(folded, pos)
        if hits.strong or (self.weak_quorum and len(hits.weak) >= self.weak_quorum):
            return hits.strong + hits.weak
        return ()

    def match_item(self, item: FeedItem) -> tuple[str, ...]:
        return self.match(item_text(item))

    def is_candidate(self, item: FeedItem) -> bool:
        return bool(self.match_item(item))

    def _identify(self, matched: str) -> Term | None:
        term = self._seen.get(matched)
        if term is None:
            term = next((t for t, rx in self._single if rx.fullmatch(matched)), None)
            if len(self._seen) < 10_000:  # a memo of surface -> term, bounded
                self._seen[matched] = term
        return term


def _term_regex(term: Term) -> str:
    return _trie_regex(_surfaces(term))


class SagaPrefilters:
    """The prefilters of several sagas, one look at each item: which sagas is it a
    candidate for? Immutable, like :class:`Prefilter`: build a new one when a saga's
    terms change.

    Each item's text is built and folded once, then searched once with a regex over the
    union of every saga's surfaces (one trie). That regex matches wherever any saga's
    own regex matches, so when it finds nothing, no saga would have: most items stop
    there. Otherwise each saga's own prefilter scans the same folded text from the first
    match on (no saga can match before it), so every saga decides exactly as its
    :meth:`Prefilter.match_item` does, however the sagas' terms overlap (the same
    words strong in one and weak in another, "Doe" in one and "Jane Doe" in the
    other): the union only decides who needs to look.
    """

    def __init__(self, filters: Mapping[str, Prefilter]) -> None:
        self.filters: dict[str, Prefilter] = dict(filters)
        surfaces = {s for pf in self.filters.values() for t in pf.terms for s in _surfaces(t)}
        # Sorted: the same terms always compile to the same regex.
        self._regex = re.compile(_trie_regex(sorted(surfaces))) if surfaces else None

    def __repr__(self) -> str:
        names = ", ".join(f"{n}: {pf!r}" for n, pf in self.filters.items())
        return f"<SagaPrefilters {names}>"

    def sagas_for(self, item: FeedItem) -> tuple[str, ...]:
        """The sagas ``item`` is a candidate for, in the order the filters were given."""
        if self._regex is None:
            return ()
        folded = fold(item_text(item))
        if len(self.filters) == 1:  # the union is the saga's own regex: no screen
            [(name, pf)] = self.filters.items()
            return (name,) if pf.match_folded(folded) else ()
        first = self._regex.search(folded)
        if first is None:
            return ()
        pos = first.start()
        return tuple(n for n, pf in self.filters.items() if pf.match_folded(folded, pos))
