"""Who does what in a sentence: whether a name is an argument of its clause.

A person or organisation that takes part in a development is what a report's sentences
make a subject, an object or an agent: "Globex to buy the lender's UK arm", "Initech
brings back Jane Roe", "... was named CEO by the board". A name that only qualifies
another word is not one: a product or a platform ("a Widgetly ban"), a show ("'Money
Hour' host John Doe"), a venue ("remarks at the Bankers Guild summit"), a movement or a
topic ("the Make Acme Great base", "Pension Fund attacks"). Nor is the speaker of a
statement ("John Doe says...", "Jane Roe slams the bailout", "Globex warns of delays"):
what he does is talk about the news, the act of a commentator. The dependency parse of
spaCy's English pipeline tells them apart; other languages are not parsed (no pipeline of
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
# Verbs that report a statement or a reaction, in the forms a headline or a lead gives
# them (the parser runs without a lemmatizer): their subject speaks. The closed class
# every newsroom heads a quote with, the same in every story; verbs that also tell an
# act ("announces" a deal, "denies" a motion, "testifies", "vows" support) are not here.
_REPORTING = frozenset(
    f"{stem}{end}" for stem, ends in (
        ("say", ("", "s", "ing")), ("said", ("",)), ("tell", ("", "s", "ing")),
        ("told", ("",)), ("call", ("", "s", "ed", "ing")), ("claim", ("", "s", "ed", "ing")),
        ("warn", ("", "s", "ed", "ing")), ("urge", ("", "s", "d")), ("urging", ("",)),
        ("slam", ("", "s", "med", "ming")), ("blast", ("", "s", "ed", "ing")),
        ("critici", ("ze", "zes", "zed", "zing", "se", "ses", "sed", "sing")),
        ("accuse", ("", "s", "d")), ("accusing", ("",)), ("respond", ("", "s", "ed", "ing")),
        ("react", ("", "s", "ed", "ing")), ("praise", ("", "s", "d")), ("praising", ("",)),
        ("endorse", ("", "s", "d")), ("endorsing", ("",)), ("tweet", ("", "s", "ed", "ing")),
        ("predict", ("", "s", "ed", "ing")), ("argue", ("", "s", "d")), ("arguing", ("",)),
        ("insist", ("", "s", "ed", "ing")), ("condemn", ("", "s", "ed", "ing")),
        ("rip", ("", "s", "ped", "ping")), ("mock", ("", "s", "ed", "ing")),
        ("lash", ("", "es", "ed", "ing")), ("welcome", ("", "s", "d")), ("welcoming", ("",)),
        ("applaud", ("", "s", "ed", "ing")), ("denounce", ("", "s", "d")),
        ("decr", ("y", "ies", "ied", "ying")), ("comment", ("", "s", "ed", "ing")),
        ("speak", ("", "s", "ing")), ("spoke", ("",)), ("quip", ("", "s", "ped")),
    ) for end in ends
)


def _sharing(token: Any) -> Any:
    """The word whose part in its clause ``token`` shares: itself, or the word it is
    coordinated or in apposition with ("Globex and Initech agree...")."""
    seen = 0
    while token.dep_ in _SHARED and token.head is not token and seen < 8:
        token, seen = token.head, seen + 1
    return token


def role_of(token: Any) -> str:
    """The dependency label that tells ``token``'s part in its clause: its own, or that
    of the word it is coordinated or in apposition with; "by X" in a passive is the
    agent."""
    token = _sharing(token)
    if token.dep_ == "pobj" and token.head.dep_ == "agent":
        return "agent"
    return str(token.dep_)


# The pronouns by which a statement's speaker is the subject of what it reports.
_SELF = frozenset({"it", "he", "she", "they", "we", "i"})


def speaker(token: Any) -> bool:
    """Whether ``token`` (or the word it is coordinated or in apposition with) is the
    subject of a verb that reports a statement ("Doe says", "Doe and Roe slam..."),
    unless the statement is of its own act ("Globex said it bought...")."""
    token = _sharing(token)
    verb = token.head
    if token.dep_ != "nsubj" or verb.text.lower() not in _REPORTING:
        return False
    # "Globex said it would buy the lender": a statement of one's own act is the act
    return not any(c.dep_ == "ccomp" and any(
        g.dep_ in ("nsubj", "nsubjpass") and g.lower_ in _SELF for g in c.children)
        for c in verb.children)


def parts(doc: Any, spans: Iterable[tuple[int, int]]) -> list[tuple[bool, bool] | None]:
    """For each character span of ``doc`` (a name): whether the parse makes it an
    argument of its clause that acts, and whether it is the speaker of a statement
    (never both); None where the span does not fall on tokens."""
    out: list[tuple[bool, bool] | None] = []
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            out.append(None)
        elif speaker(span.root):
            out.append((False, True))
        else:
            out.append((role_of(span.root) in ARGUMENT_DEPS, False))
    return out
