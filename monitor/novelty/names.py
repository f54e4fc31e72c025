"""The names in a report that no known actor has: who may be new to the saga.

Names come from the NLP stage (``nlp.Mention``); what resolves to no known actor
(``resolver``) is a :class:`Name`, if it is shaped like one and is no place, market,
seat, job title, crowd, work in quotation marks, outlet's column, journalist or
historical figure (``names_in``). One report's short forms are folded into the full name
it gives (``short_forms``); one newcomer's spellings across languages into one key
(``canonical``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from monitor.lexicon import ROLE_RE, STOP_CAPS, fold
from monitor.nlp import Mention, Sentence
from monitor.novelty.places import is_market, is_place, is_seat
from monitor.novelty.resolver import (
    PL_ENDINGS,
    Resolver,
    acronyms,
    first_forms,
    pl_stem,
    translit,
    written_as_acronym,
)
from monitor.novelty.types import Name
from monitor.saga import NameSeen, edit_distance_le1

_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]*(?:[-'’][A-Za-zÀ-ÿĀ-ž][^\W\d_]*)*\.?$")


# Words that head a label ("News: ...") but end an organisation's name ("Acme News").
_NAME_ENDS = frozenset({"news"})
_AFFIX = re.compile(r"-(owned|based|backed|led|funded|born|era|style)$", re.I)


# spaCy labels that are never actors: places (LOC; GPE in English models), nationalities,
# and what the English model tells apart: days and holidays, sums, events, laws, languages.
_NOT_ACTORS = frozenset({"LOC", "GPE", "NORP", "FAC", "DATE", "TIME", "MONEY", "PERCENT",
                         "QUANTITY", "CARDINAL", "ORDINAL", "EVENT", "LAW", "LANGUAGE"})


# Polish adjective endings of the oblique cases ("Narodowego", "Centralnej", "Europejskiej",
# "Kowalskiego", "Federalnych"); a name's nominative ends otherwise ("Narodowy",
# "Centralna", "Kowalski").
_PL_OBLIQUE = re.compile(r"[^\W\d_]{3,}(?:ego|emu|ej|ych|ymi)$")


def declined(name: str) -> bool:
    """Whether a name in a Polish report is in an oblique case ("Komisji Europejskiej",
    "Narodowego Banku Polskiego", "Jana Kowalskiego"): a form of some party, not the form
    it goes by. The same report, or the next, names it in the nominative, the form an
    actor is made of."""
    return any(_PL_OBLIQUE.fullmatch(fold(w)) for w in name.split())


def plausible_name(name: str, kind: str) -> bool:
    """Shaped like a name: a person is 2-4 capitalised words of letters (not all capitals);
    an organisation has a letter and no token that is a stop word, but for a last word
    that ends names as well as it heads labels ("Acme News", not "News: ...")."""
    tokens = name.split()
    if not tokens:
        return False
    ends = kind == "org" and len(tokens) > 1 and fold(tokens[-1]) in _NAME_ENDS
    words = tokens[:-1] if ends else tokens  # the stop words checked: "Acme News" ends well
    if any(fold(t) in STOP_CAPS for t in words) or any(_AFFIX.search(t) for t in tokens):
        return False
    if kind == "person":
        return 2 <= len(tokens) <= 4 and all(
            _NAME_TOKEN.match(t) and not (t.isupper() and len(t) > 2) for t in tokens
        )
    if any("." in t.rstrip(".") for t in tokens):  # "A.I", "C.E.O.": abbreviations
        return False
    return any(ch.isalpha() for ch in name) and len(tokens) <= 5 and len(name) >= 3


def without_role(name: str) -> str:
    """A person's name without the job title and the country before it ("Treasury
    Secretary Jane Doe", "Prezydent Francji Emmanuel Macron" -> the name)."""
    tokens = name.split()
    cut = 0
    for i, tok in enumerate(tokens[:-2]):
        if ROLE_RE.fullmatch(fold(tok)):
            cut = i + 1
    while len(tokens) - cut > 2 and is_place(tokens[cut]):
        cut += 1  # "(Prezydent) Ukrainy Wołodymyr Zełenski": the country is his, not him
    return " ".join(tokens[cut:])


def canonical(names: Iterable[Name], tracked: Mapping[str, NameSeen]) -> list[Name]:
    """The names, each keyed as a tracked newcomer it is a one-letter variant of, or
    another transliteration of (``translit``), or a Polish case of (``declined_twin``), or
    the acronym of ("HTB"): one person under the spellings of several languages
    ("Oleksandr Kovalenkiy", "Ołeksandr Kowalenki"), under a case ("Jana Nowaka") or a
    slip is one newcomer, whose reports a story counts together. Names of 12 letters or
    more and the same number of words only: "Jan Nowak" and "Jan Nowik" are not one; an
    acronym of 3 letters or more ("UK" is no one's initials)."""
    out: list[Name] = []
    for n in names:
        key, words = n.key, len(n.key.split())
        if key not in tracked and written_as_acronym(n.text) and 3 <= len(key) <= 6:
            full = next((k for k, seen in tracked.items() if key in acronyms(seen.name)), None)
            out.append(n if full is None else replace(n, key=full))  # "HTB"
            continue
        if key not in tracked and n.kind == "person" and words == 2:
            first, last = key.split()
            twin = next((f"{f} {last}" for f in first_forms(first)
                         if f"{f} {last}" in tracked), None)
            if twin is not None:  # "Bill Roe" when "William Roe" is tracked
                out.append(replace(n, key=twin))
                continue
        if key not in tracked and n.kind == "person" and words == 2:
            twin = declined_twin(key, tracked)
            if twin is not None:  # "Jana Nowaka" when "Jan Nowak" is tracked
                out.append(replace(n, key=twin))
                continue
        if key in tracked or len(key) < 12:
            out.append(n)
            continue
        sound = translit(key)
        twin = next((k for k in tracked if abs(len(k) - len(key)) <= 3
                     and len(k.split()) == words and (
                         (abs(len(k) - len(key)) <= 1 and edit_distance_le1(k, key))
                         or translit(k) == sound)), None)
        out.append(n if twin is None else replace(n, key=twin))
    return out


# The forms of a Polish name's stem (``pl_stem``) to look up: the stem itself ("Nowak",
# "Kowalski") and the stem with each case ending that ``pl_stem`` cuts ("Nowaka",
# "Kosiba"); a form ``pl_stem`` would not cut back to the stem could never be a twin.
_PL_FORMS = ("", *PL_ENDINGS)


def declined_twin(key: str, tracked: Mapping[str, NameSeen]) -> str | None:
    """The tracked person a two-word name is a Polish case of, word by word ("jana
    nowaka", "janem nowakiem" for "jan nowak"; "piotra kosiby" for "piotr kosiba"): each
    word with the same stem once its case ending is cut. A Polish report declines a
    newcomer's first name and surname alike, so two reports would name one person under
    two keys, and neither would count the other's report. The stem's forms are looked
    up rather than every tracked name scanned: this runs for each person of each
    report."""
    words = key.split()
    if len(words) != 2:
        return None
    stems = [pl_stem(w) for w in words]
    for first in dict.fromkeys(stems[0] + e for e in _PL_FORMS):
        for last in dict.fromkeys(stems[1] + e for e in _PL_FORMS):
            k = f"{first} {last}"
            if (k != key and (seen := tracked.get(k)) is not None and seen.kind == "person"
                    and [pl_stem(first), pl_stem(last)] == stems):
                return k
    return None


def is_title(key: str) -> bool:
    """Whether a folded name is a job title and nothing else ("foreign secretary", "prime
    minister", "chief executive officer"): its last word a role, three words at most."""
    words = key.split()
    return 0 < len(words) <= 3 and ROLE_RE.fullmatch(words[-1]) is not None


# Plural nouns of a group of people or firms ending a name ("Tory MPs", "Big Banks",
# "Globex Employees"): a crowd is neither a person nor an organisation of the saga.
_GROUPS = frozenset({
    "mps", "meps", "lawmakers", "legislators", "senators", "congressmen", "ministers",
    "officials", "regulators", "executives", "bosses", "leaders", "investors",
    "shareholders", "depositors", "customers", "clients", "employees", "workers", "staff",
    "staffers", "voters", "members", "banks", "lenders", "firms", "companies", "startups",
    "posłowie", "poslowie", "posłów", "poslow", "députés", "deputes",
})


# Singular nouns of one member of a body ending a name ("Air National Guardsman", "Tory
# MP", "Fed Official", "Trump Aide"): someone described by what he belongs to, whose
# name the reports give apart, or not yet. en, pl, fr.
_MEMBERS = frozenset({
    "guardsman", "guardswoman", "airman", "airwoman", "soldier", "serviceman",
    "servicewoman", "servicemember", "sailor", "trooper", "reservist", "spokesman",
    "spokeswoman", "spokesperson", "official", "lawmaker", "aide", "staffer", "mp", "mep",
    "insider", "employee", "worker", "zolnierz", "rzecznik", "posel", "urzednik",
    "pracownik", "soldat", "porte-parole",
})


def is_member(key: str) -> bool:
    """Whether a folded name of two words or more ends in a member of a body: a person
    described, not named."""
    words = key.split()
    return len(words) > 1 and words[-1] in _MEMBERS


def is_group(key: str, kind: str) -> bool:
    """Whether a folded name of two words or more ends in a group of people or firms. The
    NER calls "Tory MPs" a person too; but a person may be called Banks."""
    words = key.split()
    return len(words) > 1 and words[-1] in _GROUPS and not (
        kind == "person" and words[-1] == "banks")


# A title of nobility and its holder, then "of": what follows is the place the title is
# named after ("Baroness Doe of Little Harbor"), not a party to anything. en, fr.
_TERRITORIAL = re.compile(
    r"\b(?:lord|lady|baron|baroness|earl|countess|duke|duchess|viscount|viscountess|"
    r"marquess|marchioness|prince|princess|comte|duc)\s+(?:[A-Z][\w'’-]*\s+){1,2}"
    r"(?:of|de|d')\s*$", re.IGNORECASE,
)


def names_in(
    sentences: Iterable[Sentence],
    resolver: Resolver,
    ignore: Iterable[str],
    has_title: bool,
    *,
    strict: bool = False,
) -> tuple[list[str], list[Name]]:
    """Known actor ids named in ``sentences`` (aliases found anywhere, names resolved),
    and the names no actor has. ``strict`` (outside the seeds): a one-word name must be
    one the NER calls a person or an organisation ("Bank", "Turmoil" are not); a longer
    capitalised chunk is kept unless the NER calls it a place."""
    ignored = set(ignore)
    known: dict[str, None] = {}
    new: dict[str, Name] = {}
    sentences = list(sentences)
    title = sentences[0].folded if has_title and sentences else ""
    prev_text = ""  # a line break may end a sentence right before the speaker's name
    for sent in sentences:
        for _, _, found in resolver.index.find(sent.folded):
            known[found] = None
        for m in sent.mentions:
            aid = resolver.resolve(m.text)
            if aid is not None:
                known[aid] = None
            elif resolver.shared(m.text):
                continue  # "Doe" of two known Does: one of them, no newcomer
            elif strict and m.spacy_label not in ("PER", "ORG") and " " not in m.text.strip():
                continue  # a lone capitalised word is a name only if the NER says so
            elif _TERRITORIAL.search(sent.text[:m.start]):
                continue  # "Lord Doe of Little Harbor": the place a title is named after
            elif quoted(sent.text, m.start, m.end):
                continue  # "Copy of 'Acme Rising' found": a work's title, a nickname
            elif (name := _name(m, sent.index == 0 and has_title, ignored,
                                seats=not strict)) is not None:
                if said_by(sent.text[:m.start] or prev_text):
                    name = replace(name, speaks=True)  # "... – oceniła Jan Nowak z PIE"
                # running text, and for a one-word name not the sentence's first word
                prose = not sent.titlecase and (
                    " " in name.text or m.start > 0 or name.text.isupper()
                )
                prev = new.get(name.key)
                if prev is None or (not prev.prose and prose):
                    new[name.key] = replace(name, prose=prose)
                new[name.key] = replace(new[name.key], argument=_either(
                    prev.argument if prev else None, name.argument), speaks=_either(
                    prev.speaks if prev else None, name.speaks))
                if name.kind == "person" and new[name.key].kind != "person":
                    # the NER calls one person an organisation in one sentence and a
                    # person in the next: a person named anywhere is a person
                    new[name.key] = replace(new[name.key], kind="person")
        prev_text = sent.text
    prose_text = [s.text for s in sentences if not s.titlecase]
    # named by the headline, whether or not the NER caught it there ("Globex to buy...")
    return list(known), short_forms([
        replace(n, in_title=n.in_title or _headlined(title, n),
                lower=_written_lower(prose_text, n.text))
        for n in new.values()
    ])


def _either(a: bool | None, b: bool | None) -> bool | None:
    """A name is an argument (a speaker) in a report if it is one in any parsed
    sentence of it."""
    return None if a is None and b is None else bool(a) or bool(b)


_OPEN = "'\"‘“„«"


_CLOSE = re.compile("^(?:['’]s)?['\"’”»]")


def quoted(text: str, start: int, end: int) -> bool:
    """Whether ``text`` writes its span ``start:end`` between quotation marks, alone
    ("Copy of 'Acme Rising' found", "'Deal Night's' host says"): the title of a book, a
    show or a film, or a nickname, not a party's name."""
    return start > 0 and text[start - 1] in _OPEN and _CLOSE.match(text[end:]) is not None


# A quotation: an opening mark at the start of the text or after a space, a bracket, a
# colon or a dash (not an apostrophe inside a word: "Acme's"), and its closing mark before
# the end, a space or punctuation.
_QUOTATION = re.compile(rf"(?:^|(?<=[\s(:\u2014-]))[{re.escape(_OPEN)}]"
                        r"([^\"\u2019\u201d\u00bb]{3,200}?)['\u2019\"\u201d\u00bb]"
                        r"(?=$|[\s,.:;!?)\u2014-])")


# A show's host named by his show or channel ("Channel 9 host Jane Doe", "'Sunday Talk' host
# Jane Doe", "talk show host Jane Doe"; Polish "prowadzący"): a journalist, as the NLP
# stage's byline cues (``lexicon.JOURNALIST_BEFORE``: reporter, anchor, columnist) read one.
_HOST = re.compile(r"\b(?:host|co-host|presenter|prowadz[aą]c[ya])\s+$")


def hosted(name: str, sentences: Iterable[str]) -> bool:
    """Whether a sentence gives ``name`` as a show's host ("Channel 9 host Jane Doe"): the host
    asks, the saga's actors answer; a journalist is no actor. The name stays what it
    was in the reports (a speaker who mocks is a commentator: ``speaks``)."""
    key = fold(name)
    for s in sentences:
        folded = fold(s)
        at = folded.find(key)
        if at > 0 and _HOST.search(folded[max(0, at - 20):at]):
            return True
    return False


def only_quoted(name: str, sentences: Iterable[str]) -> bool:
    """Whether every sentence of ``sentences`` that names ``name`` names it inside a
    quotation ("Roe tells Doe: 'Planet Earth is big enough for both'"): words someone
    said, not a party to the news. False when no sentence names it."""
    key = fold(name)
    named = [s for s in sentences if key in fold(s)]
    return bool(named) and all(any(key in fold(q) for q in _QUOTATION.findall(s))
                               for s in named)


def _short_of(short: Name, full: Name) -> bool:
    """Whether ``short`` is how one report shortens ``full``: the words heading an
    organisation's name ("Harbor Trust" for Harbor Trust Bank), a person's surname
    ("Doe" for Jane Doe)."""
    s, f = short.key.split(), full.key.split()
    if len(s) >= len(f):
        return False
    if full.kind == "person":
        return short.kind == "person" and len(s) == 1 and s[0] == f[-1]
    return f[: len(s)] == s


def short_forms(names: list[Name]) -> list[Name]:
    """One report's names with each short form folded into the full name the same report
    gives: it names "Harbor Trust Bank" once and "Harbor Trust" in its headline, and
    both are one party, headlined. Reports are written so (the full name first, the short
    one after); across reports a short form may be someone else."""
    out: list[Name] = []
    for n in names:
        full = next((m for m in names if _short_of(n, m)), None)
        if full is None:
            out.append(n)
    for i, m in enumerate(out):
        shorts = [n for n in names if _short_of(n, m)]
        if shorts:
            out[i] = replace(m, in_title=m.in_title or any(n.in_title for n in shorts),
                             prose=m.prose or any(n.prose for n in shorts),
                             short=tuple(dict.fromkeys([*m.short, *(n.text for n in shorts)])))
    return out


def _written_lower(texts: Iterable[str], name: str) -> bool:
    """Whether running text writes ``name`` all in lower case ("bank failures")."""
    low = name.lower()
    return low != name and any(holds(t, low) for t in texts)


def _headlined(title: str, n: Name) -> bool:
    """Whether the folded title names ``n``, a person by his surname too ("Doe meets...")."""
    last = n.key.split()[-1] if n.kind == "person" and " " in n.key else ""
    return holds(title, n.key) or (len(last) >= 4 and holds(title, last))


def holds(text: str, key: str) -> bool:
    """Whether the folded ``text`` holds the folded name ``key`` as whole words."""
    return bool(key) and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text) is not None


# A quote's speaker named after the verb that reports it, as Polish and French reports
# write it ("... – oceniła Anna Nowak z zarządu", "..., a déclaré le ministre Jean Roux"),
# up to three words (a role) between; folded. English is read from the parse instead
# (``syntax.speaker``: "said Jane Roe").
_SAID_BY = re.compile(
    r"(?:^|[,\-–—\"'”»:])\s*(?:a\s+)?(?:powiedzial[a]?|mowi|ocenil[a]?|ocenia|dodal[a]?|dodaje|"
    r"podkreslil[a]?|podkresla|zaznaczyl[a]?|zaznacza|stwierdzil[a]?|przekonuje|"
    r"przekonywal[a]?|tlumaczy|tlumaczyl[a]?|wyjasnil[a]?|wyjasnia|zauwazyl[a]?|zauwaza|"
    r"ostrzegl[a]?|ostrzega|uwaza|twierdzi|komentuje|skomentowal[a]?|"
    r"declare|dit|estime|affirme|explique|souligne|ajoute|indique)"
    r"(?:\s+[\w.'-]+){0,3}\s*$"
)


def said_by(before: str) -> bool:
    """Whether the text ``before`` a name ends with a verb reporting a quote, the name its
    speaker ("... – oceniła" Anna Nowak, "..., a déclaré le ministre" Jean Roux)."""
    return _SAID_BY.search(fold(before)) is not None


def _name(m: Mention, in_title: bool, ignored: set[str], *, seats: bool = False) -> Name | None:
    """``seats``: a seat of government may be a name (a seed's, ``names_in`` not strict)."""
    text = without_role(m.text) if m.kind == "person" else m.text
    key = fold(text)
    if m.peripheral or key in ignored or (m.spacy_label or "") in _NOT_ACTORS:
        return None
    if m.kind not in ("person", "org") or not plausible_name(text, m.kind):
        return None
    if is_place(text) or is_market(text) or (is_seat(text) and not seats):
        return None
    return Name(text=text, key=key, kind=m.kind, in_title=in_title, role=m.role,
                argument=m.argument, speaks=m.speaks)
