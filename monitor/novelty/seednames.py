"""A seed's names, read against all the seeds: the words a capitalised chunk heads a name
with that are no part of it.

The NER takes the word a headline or a sentence opens with into the name that follows it
("Psychodrame Globex : ce qu'il faut savoir", "Actress Jane Doe", "UK PM Doe sacks...",
"Acme's Harbor Trust" is Harbor Trust), and the seed's name would become an actor
that a user reads in the cast, under a name that is not its own. Outside the seeds the
same cut costs more than it gives (a headline's opening chunk is often the party:
measured, see the novelty notes); the seeds are few and read whole, so what they write
elsewhere tells a heading word from a first name: a word they also write in lower case
(a common noun), a place, a title, a possessive, or a name they give on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from monitor.lexicon import ROLE_RE, TITLE_WORDS, fold
from monitor.nlp import Sentence
from monitor.novelty.places import is_place
from monitor.novelty.types import Name
from monitor.saga import Actor, edit_distance_le1

_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*")
_POSSESSIVE = re.compile(r"['’]s$")
# titles headlines abbreviate before a surname ("PM Doe", "Sen. Roe"), folded
_SHORT_TITLES = frozenset({"pm", "mp", "dr", "mr", "mrs", "ms", "sen", "rep", "gov", "gen",
                           "pres", "amb", "adm", "col", "lt", "sgt", "supt", "insp"})


@dataclass(frozen=True, slots=True)
class SeedNames:
    """What all the seeds write: their words in lower case, the names they give (folded),
    those of them the NER calls an organisation, those they write inside a sentence, and,
    for each surname of one person named in full, that full name."""

    lower: frozenset[str]
    named: frozenset[str]
    orgs: frozenset[str]
    inside: frozenset[str]  # the names they write past a sentence's first word
    full: Mapping[str, str]  # folded surname -> the full name as written
    # names the NER took for organisations that they list among people ("Reps. Jane
    # Roe, John Doe and Jim Poe"): people
    listed: frozenset[str] = frozenset()


def seed_names(seeds: Iterable[Sequence[Sentence]]) -> SeedNames:
    """The seeds' vocabulary of names, from their parsed sentences."""
    sentences = [s for doc in seeds for s in doc]
    lower = frozenset(fold(w) for s in sentences for w in _WORD.findall(s.text) if w.islower())
    mentions = [m for s in sentences for m in s.mentions]
    named = frozenset(fold(m.text) for m in mentions)
    orgs = frozenset(fold(m.text) for m in mentions if m.kind == "org")
    inside = frozenset(fold(m.text) for m in mentions if m.start > 0)
    persons: dict[str, set[str]] = {}
    for m in mentions:  # "Jane Doe", not "Premier Doe"
        words = m.text.split()
        if m.kind == "person" and len(words) == 2 and not _heading(words[0], lower, named):
            persons.setdefault(fold(words[-1]), set()).add(m.text)
    full = {s: next(iter(fs)) for s, fs in persons.items() if len(fs) == 1}
    listed = frozenset(k for s in sentences for k in _listed_among_people(s))
    return SeedNames(lower, named, orgs, inside, full, listed)


_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and\s+|et\s+|i\s+)?|and\s+|et\s+|i\s+)$")


def _listed_among_people(sent: Sentence) -> list[str]:
    """The organisations (as the NER read them) of a sentence that a list puts between
    two people, shaped like a person's name: "Gloria Roe, Justin Doe, and Justin Poe".
    Next to one person only, it may be a company ("Jane Roe, Acme Media and...")."""
    ms = sorted(sent.mentions, key=lambda m: m.start)
    out = []
    for before, m, after in zip(ms, ms[1:], ms[2:], strict=False):
        if m.kind != "org" or not 2 <= len(m.text.split()) <= 3:
            continue
        if not all(w[:1].isupper() and w[1:].islower() for w in m.text.split()):
            continue
        if (before.kind == after.kind == "person"
                and _LIST_GAP.match(sent.text[before.end:m.start])
                and _LIST_GAP.match(sent.text[m.end:after.start])):
            out.append(fold(m.text))
    return out


def _heading(word: str, lower: frozenset[str], named: frozenset[str]) -> bool:
    """Whether a word heading a chunk is no part of the name after it: the seeds write it
    in lower case somewhere, or it is a place, a job title, a possessive ("Acme's") or a
    name of its own ("PiS" heading "PiS Jan Nowak")."""
    key = fold(word).rstrip(".")
    return (key in lower or key in _SHORT_TITLES or is_place(word)  # a country too
            or ROLE_RE.fullmatch(key) is not None or key in TITLE_WORDS
            or _POSSESSIVE.search(word) is not None or key in named)


def trimmed(name: Name, seen: SeedNames) -> Name:
    """``name`` without the words heading it that are no part of it, when what is left
    is a name the seeds give on their own (one word: an organisation's, or what is left
    of a name they only open sentences with), or the surname of the one person they name
    in full (then that person: "UK PM Doe" is Jane Doe); else ``name`` itself."""
    words = name.text.split()
    for cut in range(1, len(words)):
        if not all(_heading(w, seen.lower, seen.named) for w in words[:cut]):
            break
        rest = " ".join(words[cut:])
        key = fold(rest)
        if cut == len(words) - 1:  # one word left: a person's surname, or a one-word name
            full = seen.full.get(key)
            if full is not None and fold(full) != name.key:
                return replace(name, text=full, key=fold(full), kind="person")
            # an organisation; or a name only ever opening a sentence, which the seeds
            # give alone too ("Psychodrame Globex : ..."). "Pope Leo" is not Leo.
            if key not in seen.orgs and (name.key in seen.inside or key not in seen.named):
                break
            return replace(name, text=rest, key=key,
                           kind="org" if key in seen.orgs else name.kind)
        if key in seen.named:
            return replace(name, text=rest, key=key)
    return name


def trim_all(names: Sequence[Name], seen: SeedNames) -> list[Name]:
    """A seed's names, each trimmed (``trimmed``); a name trimmed into another of the
    seed's names is that one, headlined or in prose if either was. One the seeds list
    among people is a person."""
    out: dict[str, Name] = {}
    for n in names:
        t = trimmed(n, seen)
        if t.kind == "org" and t.key in seen.listed:
            t = replace(t, kind="person")
        prev = out.get(t.key)
        if prev is None:
            out[t.key] = t
        else:
            out[t.key] = replace(prev, in_title=prev.in_title or t.in_title,
                                 prose=prev.prose or t.prose)
    return list(out.values())


def spellings(actors: Iterable[Actor], texts: Sequence[str]) -> list[tuple[str, str]]:
    """(actor id, name) for each person the seeds named first under a slip of the
    spelling they write more often ("Jane Dow" once, "Jane Doe" eight times, both one
    actor: ``Resolver.resolve``): the actor goes by the spelling written most."""
    folded = [fold(t) for t in texts]

    def count(form: str) -> int:
        pattern = re.compile(rf"(?<!\w){re.escape(fold(form))}(?!\w)")
        return sum(len(pattern.findall(t)) for t in folded)

    out: list[tuple[str, str]] = []
    for a in actors:
        slips = [x for x in a.aliases if len(x.split()) == len(a.name.split())
                 and edit_distance_le1(fold(x), fold(a.name))]
        if a.kind == "person" and slips:
            best = max(slips, key=count)
            if count(best) > count(a.name):
                out.append((a.id, best))
    return out
