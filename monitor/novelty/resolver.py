"""Which known actor a name in a report is, under any form a report may give it.

An alias, a name holding a known form ("Acme CEO Jane Doe"), the surname or first name
of a known person, a Polish declension ("Nowaka", "Globexu"), an acronym ("HTB" for
Harbor Trust Bank), a one-letter slip ("Jan Kowalsky"), another language's spelling
("Ołeksandr Kowalenki"): all resolve to the one actor (:class:`Resolver`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from monitor.lexicon import ROLE_RE, TITLE_WORDS, fold
from monitor.novelty.places import is_place
from monitor.saga import AliasIndex, SagaModel, edit_distance_le1

# Polish case endings of names, longest first: nouns ("Nowaka", "Nowakowi", "Nowakiem"),
# and adjectival surnames and foreign names ending in a vowel sound ("Kowalskiego",
# "Kowalskiemu", "Brightly'ego").
PL_ENDINGS = ("'ego", "’ego", "'emu", "’emu", "ego", "emu", "owi", "iem", "em", "ie", "a", "u",
              "y")


def pl_stem(token: str) -> str:
    """A Polish declined form's stem ("globexu" -> "globex"), else the token."""
    for cut in PL_ENDINGS:
        if token.endswith(cut) and len(token) - len(cut) >= 3:
            return token[: -len(cut)]
    return token


def written_as_acronym(surface: str) -> bool:
    """"HTB", "BoG": one word of capitals, small letters between them at most."""
    return (" " not in surface.strip() and sum(c.isupper() for c in surface) >= 2
            and surface[:1].isupper() and surface[-1:].isupper())


@lru_cache(maxsize=65536)  # asked of every tracked name for each acronym a report holds
def acronyms(name: str) -> frozenset[str]:
    """The acronyms a name of two words or more may go by, folded: the initials of its
    capitalised words ("Office for Acme Trade" -> "oat") and of all its words ("Bank of
    Globex" -> "bog", as in "BoG"). Newsrooms do both, and no one rule covers both."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    caps = [w for w in words if w[:1].isupper()]
    return frozenset("".join(fold(w[0]) for w in ws) for ws in (caps, words) if len(ws) >= 2)


def acronym_keys(surface: str) -> list[str]:
    """The acronyms (3 letters or more, folded) a form is known by: itself when written as
    one ("HTB"), else those of its words ("Harbor Trust Bank" -> "htb")."""
    keys = [fold(surface)] if written_as_acronym(surface) else sorted(acronyms(surface))
    return [k for k in keys if len(k) >= 3]


def _forms(model: SagaModel) -> list[tuple[str, str]]:
    return [(f, a.id) for a in model.actors.values() for f in a.forms() if len(f) >= 6]


class Resolver:
    """Surface forms to known actor ids (built once per model version of the names)."""

    def __init__(self, model: SagaModel) -> None:
        self.model = model
        self.index = AliasIndex(model)
        self.long_forms = _forms(model)
        # full names under another language's spelling ("Ołeksandr Kowalenki")
        self.spellings = {translit(f): aid for f, aid in self.long_forms
                          if len(f) >= 12 and " " in f}
        self.stems: dict[str, set[str]] = {}
        for tok, ids in self.index.tokens.items():
            self.stems.setdefault(pl_stem(tok), set()).update(ids)
        # acronyms and the names they stand for ("NATO" / "North Atlantic Treaty Organization")
        self.acronyms: dict[str, str] = {}
        for a in model.actors.values():
            if a.kind == "org":
                for form in (a.name, *a.aliases):
                    for key in acronym_keys(form):
                        self.acronyms.setdefault(key, a.id)

    def resolve(self, surface: str) -> str | None:
        f = fold(surface)
        hit = self.index.form_to_actor.get(f)
        if hit:
            return hit
        # a known form declined word by word ("Xi Jinpingiem", "Globexem", "Janem Nowakiem")
        stemmed = " ".join(pl_stem(t) for t in f.split())
        if stemmed != f and len(stemmed) >= 4 and (hit := self.index.form_to_actor.get(stemmed)):
            return hit
        # a known full name inside a longer chunk ("Acme CEO Jane Doe"); a lone surname
        # inside one is left to the first-name check below ("Jo Doe")
        for start, end, aid in self.index.find(f):
            if " " in f[start:end]:
                return aid
        tokens = _uninitialled(_untitled(f.split()))  # "uk pm jane q. doe" -> "jane doe"
        owners = [self._token_owners(t) for t in tokens]
        last = owners[-1] if owners else set()
        # "Nowak", "Nowaka", "Acme's Jan Nowak": a known surname, its first name agreeing;
        # of two known Nowaks, the first name tells which ("Jana Nowaka" is Jan)
        if len(tokens) > 1:
            last = {a for a in last if _first_agrees(self.model, a, tokens[-2])}
        if len(last) > 1:  # "Doe" of Jane Doe (a seed's) and John Doe (found live)
            last = {a for a in last if self.model.actors[a].seeded
                    or self.model.actors[a].curated} or last
        if len(last) == 1:
            return next(iter(last))
        for acro in acronym_keys(surface):
            if acro in self.acronyms:
                return self.acronyms[acro]
        if len(f) >= 6:
            for form, aid in self.long_forms:
                # Not rapidfuzz: the question is only "one edit at most" on name forms of
                # 6-20 letters, answered by saga.edit_distance_le1 with an early exit in
                # ~2.5 us (measured); a compiled dependency would not change the cost.
                if abs(len(form) - len(f)) <= 1 and edit_distance_le1(form, f):
                    return aid
        if len(f) >= 12 and " " in f:
            return self.spellings.get(translit(f))
        return None

    def shared(self, surface: str) -> bool:
        """Whether a one-word name ("Doe", "Mr Doe") is the surname of two known actors or
        more (Jane Doe, John Doe): it names one of them, which one the word does not
        tell (``resolve`` gives up), and it is no one new."""
        tokens = _untitled(fold(surface).split())
        return len(tokens) == 1 and len(self._token_owners(tokens[0])) >= 2

    def held(self, surface: str) -> str | None:
        """A known organisation that a longer chunk holds under a one-word form of its
        own, as a whole word ("Globex Collapse", "Upadek Globex", "Top Globex"), or a known
        person a Polish phrase governs ("Spotkanie Nowaka", ``_governed``): the chunk is
        that actor in a phrase, not a party of its own."""
        f = fold(surface)
        if " " not in f:
            return None
        for start, end, aid in self.index.find(f):
            actor = self.model.actors[aid]
            if " " not in f[start:end] and end - start >= 3 and actor.kind == "org":
                return aid
        return self._governed(f.split())

    def _governed(self, tokens: list[str]) -> str | None:
        """A known person whose surname, declined, a word governs ("Spotkanie Nowaka",
        Nowak's meeting; "Gabinet Nowaka"): Polish puts the one a thing belongs to in the
        genitive after it. A relative declines with him ("Piotra Nowaka"), so the two
        words end alike; the governing word is in another case."""
        if len(tokens) != 2:
            return None
        head, last = tokens
        stem = pl_stem(last)
        if stem == last or len(stem) < 4:
            return None
        owners = {a for a in self.index.tokens.get(stem, ())
                  if self.model.actors[a].kind == "person"}
        ending = last[len(stem):]
        if len(owners) == 1 and not head.endswith(ending) and not _first_agrees(
                self.model, next(iter(owners)), head):
            return next(iter(owners))
        return None

    def overlapping(self, surface: str) -> str | None:
        """A known actor whose name holds this one's words or is held by them: "ACME Group
        AG" and "Bank ACME" are ACME, "Harbor Trust" is Harbor Trust Bank, "John Roe"
        is Roe. For a name about to become an actor, where a second actor for one party
        is worse than a missed one; ``resolve`` stays strict (Jo is not Jane Doe)."""
        words = set(fold(surface).split())
        for aid, actor in self.model.actors.items():
            for name in (actor.name, *actor.aliases):
                known = set(fold(name).split())
                # one word holds a longer name only as an acronym ("Bank" does not hold
                # "Harbor Trust Bank") or as a person known by one name ("Roe");
                # a known surname under another first name is someone else (Jo Doe)
                one = len(known) > 1 or name.isupper() or (
                    actor.kind == "person" and len(actor.name.split()) == 1)
                # an acronym heading a known organisation's name: "ACME" for "ACME Group AG"
                heads = (surface.isupper() and len(words) == 1 and actor.kind == "org"
                         and fold(name).split()[:1] == list(words))
                if len(name) >= 3 and ((one and known <= words) or heads
                                       or (len(words) >= 2 and words <= known)):
                    return aid
        return self._abbreviating(surface)

    def _abbreviating(self, surface: str) -> str | None:
        """The one known organisation whose name ``surface`` abbreviates as the press
        does: initials for some of its words ("Harbor DA" for Harbor District Attorney,
        "ANB" for Acme National Bank), or its first word clipped ("Glob" for Globex
        Holdings). Two candidates: neither. Not the other way round: a full name met
        after its short form ("Harbor District Attorney" after "Harbor DA") stays apart
        (measured: merging them moved a labelled saga's stories, three of its
        developments lost)."""
        found = {aid for aid, actor in self.model.actors.items() if actor.kind == "org"
                 for name in (actor.name, *actor.aliases) if _abbreviates(surface, name)}
        return next(iter(found)) if len(found) == 1 else None

    def _token_owners(self, token: str) -> set[str]:
        if len(token) < 3:
            return set()
        stem = pl_stem(token)  # "nowaka" / "nowak"; "brightly'ego" / "brightly"
        found = self.index.tokens.get(token) or self.stems.get(stem) or self.index.tokens.get(stem)
        if found or len(token) < 5:
            return found or set()
        # a one-letter slip of a known person's name token ("Kowalsky" / "Kowalski")
        near = [ids for t, ids in self.index.tokens.items()
                if len(t) >= 5 and edit_distance_le1(t, token)]
        return set().union(*near) if near else set()


# Words heading a name that are no part of it: honorifics, "PM", and the short forms of
# countries that ``is_place`` does not hold ("UK PM", "US Senator").
_PREFIXES = frozenset({"pm", "mr", "mrs", "ms", "dr", "sir", "lord", "lady", "ex", "pan",
                       "pani", "uk", "us", "eu"})


def _untitled(tokens: list[str]) -> list[str]:
    """Folded name tokens without the titles, roles and places heading them ("uk pm doe",
    "former ceo jane doe", "pani minister kowalska"): what is left is the name."""
    i = 0
    while i < len(tokens) - 1 and (
        tokens[i] in _PREFIXES or tokens[i] in TITLE_WORDS or ROLE_RE.fullmatch(tokens[i])
        or is_place(tokens[i])
    ):
        i += 1
    return tokens[i:]


def _uninitialled(tokens: list[str]) -> list[str]:
    """Folded name tokens without the middle initials between the first name and the
    surname ("jane q. doe", "jane q doe" -> "jane doe"): the press adds or drops them,
    and the first name is what tells two people of one surname apart."""
    if len(tokens) < 3:
        return tokens
    middle = [t for t in tokens[1:-1] if len(t.rstrip(".")) > 1]
    return [tokens[0], *middle, tokens[-1]]


# English first names and the short forms the press uses for them ("Bill" for William,
# "Jim" for James): one person either way. Folded; only forms no other name shares.
_NICKNAMES = (
    ("william", "bill", "billy"), ("robert", "bob", "bobby"), ("james", "jim", "jimmy"),
    ("michael", "mike"), ("joseph", "joe"), ("thomas", "tom", "tommy"),
    ("richard", "dick", "rick"), ("charles", "chuck", "charlie"), ("edward", "ed", "ted"),
    ("elizabeth", "liz", "betsy"), ("katherine", "kathy", "kate"), ("margaret", "maggie"),
    ("nicholas", "nick"), ("daniel", "dan", "danny"), ("anthony", "tony"),
    ("christopher", "chris"), ("jonathan", "jon"), ("patricia", "pat"),
)
_NICKNAME = {form: group[0] for group in _NICKNAMES for form in group}


def first_forms(first: str) -> tuple[str, ...]:
    """The other forms of a folded first name ("bill" -> "william", "billy")."""
    group = next((g for g in _NICKNAMES if first in g), ())
    return tuple(f for f in group if f != first)


def same_first(a: str, b: str) -> bool:
    """Whether two folded first names are one person's ("bill" and "william")."""
    return a == b or (a in _NICKNAME and _NICKNAME.get(b) == _NICKNAME[a])


def _first_agrees(model: SagaModel, actor_id: str, first: str) -> bool:
    """A full name whose surname is a known person's is that person unless its first name
    is another one ("Jo Doe" is not Jane Doe)."""
    known = model.actors[actor_id].first
    if known is None:
        return True
    k = fold(known)
    return (
        pl_stem(first) == pl_stem(k)
        or same_first(pl_stem(first), k)
        or edit_distance_le1(first, k)
        or first == k[:1]
        or (min(len(first), len(k)) >= 3 and (first.startswith(k) or k.startswith(first)))
    )


@lru_cache(maxsize=65536)  # asked of every tracked name for each long name a report holds
def translit(key: str) -> str:
    """What the spellings of one foreign name in our languages share, folded: "w" for
    "v" (Polish), no doubled letter, no final "-y", "-i", "-ij" ("Kovalenkyy",
    "Kovalenkiy", "Kowalenki" -> "kovalenk")."""
    words = []
    for w in key.replace("w", "v").split():
        w = re.sub(r"(.)\1", r"\1", w)
        words.append(re.sub(r"(?:ij|yj|iy|y|i)$", "", w) or w)
    return " ".join(words)


_LINKS = frozenset({"of", "the", "and", "for", "&"})


def _abbreviates(short: str, name: str) -> bool:
    """Whether ``short`` abbreviates ``name`` (a longer organisation's name): each of its
    words is a word of the name in turn, or an upper-case initialism of the name's next
    words (its links, "of", "the", skipped or not: "ANB", "DOT" for Department of
    Transport), or, for one word of three or four letters, the clipped first word of a
    name of two words ("Glob" for Globex Holdings). A longer name goes by its initials:
    "Glob" is not Globex Deposit Insurance Holdings, which the press calls "GDIH"."""
    every = fold(name).split()
    parts = short.split()
    if len(every) < 2 or not parts:
        return False
    if len(parts) == 1 and not short.isupper():
        first = every[0]
        return (len(every) == 2 and 3 <= len(short) <= 4 and first != fold(short)
                and first.startswith(fold(short)))
    return any(_initials(parts, words)
               for words in ([w for w in every if w not in _LINKS], every))


def _initials(parts: list[str], words: list[str]) -> bool:
    """Whether ``parts`` (a name's words as written) spell ``words`` (folded) in full,
    with at least one upper-case word standing for the initials of as many of them."""
    i = 0
    for part in parts:
        if part.isupper() and 2 <= len(part) <= 5:
            n = len(part)
            if "".join(w[0] for w in words[i:i + n]) != fold(part):
                return False
            i += n
        elif i < len(words) and fold(part) == words[i]:
            i += 1
        else:
            return False
    return i == len(words) and any(p.isupper() for p in parts)


def translatable(name: str, model: SagaModel) -> list[tuple[str, str]]:
    """The known organisations' names that an organisation's ``name`` may translate, as
    (actor id, form): names of two words or more that share no word with it. Sharing a
    word is how two *different* organisations' names come close in meaning ("Bank of
    England", "Bank of America"); a translation shares none ("Ministerstwo Finansow",
    "Finance Ministry"). A name of one word is left to ``Resolver`` (acronyms, slips)."""
    mine = _words(name)
    if len(mine) < 2:
        return []
    return [(aid, form) for aid, actor in model.actors.items() if actor.kind == "org"
            for form in dict.fromkeys((actor.name, *actor.aliases))
            if len(_words(form)) >= 2 and not mine & _words(form)]


def _words(name: str) -> set[str]:
    """A name's folded words, an elided article cut off ("conseil d'Acme": "acme")."""
    return set(re.findall(r"[^\W_]+", fold(name)))


def translation(forms: list[tuple[str, str]], closeness: Sequence[float],
                bar: float) -> str | None:
    """The actor whose form (``translatable``) comes closest to the name, its
    ``closeness`` (cosines, in the order of ``forms``) at ``bar`` or above; None
    otherwise."""
    best = max(range(len(forms)), key=lambda i: closeness[i], default=None)
    if best is None or not bar or closeness[best] < bar:
        return None
    return forms[best][0]
