"""Who does what in a sentence: whether a name is an argument of its clause.

A person or organisation that takes part in a development is what a report's sentences
make a subject, an object or an agent: "Globex to buy the lender's UK arm", "Initech
brings back Jane Roe", "... was named CEO by the board". A name that only qualifies
another word is not one: a product or a platform ("a Widgetly ban"), a show ("'Money
Hour' host John Doe"), a venue ("remarks at the Bankers Guild summit"), a movement or a
topic ("the Make Acme Great base", "Pension Fund attacks"). The dependency parse of spaCy's
English pipeline tells the two apart; other languages are not parsed (no pipeline of
ours parses Polish) and their names are left undecided (None).

Pure functions over a parsed spaCy ``Doc``; the ``Analyzer`` (``monitor.nlp``) parses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Clear arguments of a clause in spaCy's English (ClearNLP) labels. A headline without a
# verb ("Roe Returns as Initech CEO" may parse so) makes its name the ROOT.
ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "agent", "dative", "attr", "ROOT"})
# Labels through which a name shares its head's part ("Globex and Initech agree...",
# "the bank's chairman, John Doe, resigns").
_SHARED = frozenset({"conj", "appos"})


def role_of(token: Any) -> str:
    """The dependency label that tells ``token``'s part in its clause: its own, or that
    of the word it is coordinated or in apposition with; "by X" in a passive is the
    agent."""
    seen = 0
    while token.dep_ in _SHARED and token.head is not token and seen < 8:
        token, seen = token.head, seen + 1
    if token.dep_ == "pobj" and token.head.dep_ == "agent":
        return "agent"
    return str(token.dep_)


def arguments(doc: Any, spans: Iterable[tuple[int, int]]) -> list[bool | None]:
    """For each character span of ``doc`` (a name), whether the parse makes it an
    argument of its clause; None where the span does not fall on tokens."""
    out: list[bool | None] = []
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        out.append(None if span is None or not len(span)
                   else role_of(span.root) in ARGUMENT_DEPS)
    return out
