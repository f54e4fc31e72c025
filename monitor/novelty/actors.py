"""Step 4: who is in the item, and who is new to the saga.

Names come from the NLP stage (``nlp.Mention``). Each is resolved to a known actor under
any form a report may give it: an alias, a name holding a known form ("Acme CEO Jane
Doe"), the surname or first name of a known person, a Polish declension ("Nowaka",
"Globexu"), a one-letter slip ("Jan Kowalsky"). What resolves to no actor is a
:class:`Name`, if it is shaped like one and is no place, outlet, journalist or historical
figure.

A name becomes a *new actor* when the saga's reports make it one: central to a story
several outlets tell (named by two of its reports or more), and named by
``new_actor_min_sources`` distinct feeds in relevant items. One passing mention in one
roundup never does, nor a name that only a Title Case headline shows.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from urllib.parse import urlsplit

from monitor.config import NoveltySettings
from monitor.lexicon import ROLE_RE, STOP_CAPS, TITLE_WORDS, fold
from monitor.nlp import Mention, Sentence
from monitor.novelty.places import is_market, is_place, is_seat
from monitor.novelty.types import Name
from monitor.saga import AliasIndex, NameSeen, SagaModel, edit_distance_le1

# Polish case endings of names, longest first: nouns ("Nowaka", "Nowakowi", "Nowakiem"),
# and adjectival surnames and foreign names ending in a vowel sound ("Kowalskiego",
# "Kowalskiemu", "Brightly'ego").
_PL_ENDINGS = ("'ego", "’ego", "'emu", "’emu", "ego", "emu", "owi", "em", "ie", "a", "u", "y")
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]*(?:[-'’][A-Za-zÀ-ÿĀ-ž][^\W\d_]*)*\.?$")
_AFFIX = re.compile(r"-(owned|based|backed|led|funded|born|era|style)$", re.I)
# spaCy labels that are never actors: places (LOC; GPE in English models), nationalities,
# and what the English model tells apart: days and holidays, sums, events, laws, languages.
_NOT_ACTORS = frozenset({"LOC", "GPE", "NORP", "FAC", "DATE", "TIME", "MONEY", "PERCENT",
                         "QUANTITY", "CARDINAL", "ORDINAL", "EVENT", "LAW", "LANGUAGE"})


def pl_stem(token: str) -> str:
    """A Polish declined form's stem ("globexu" -> "globex"), else the token."""
    for cut in _PL_ENDINGS:
        if token.endswith(cut) and len(token) - len(cut) >= 3:
            return token[: -len(cut)]
    return token


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
    an organisation has a letter and no token that is a stop word."""
    tokens = name.split()
    if not tokens or any(fold(t) in STOP_CAPS or _AFFIX.search(t) for t in tokens):
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


def headed_by_outlet(key: str) -> bool:
    """A folded chunk headed by a news outlet's name ("cnn morning brief", "reuters
    breakingviews"): the outlet's column or newsletter, not a party to the news."""
    words = key.split()
    return len(words) > 1 and is_outlet(words[0], ())


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
        # a known full name inside a longer chunk ("Acme CEO Jane Doe"); a lone surname
        # inside one is left to the first-name check below ("Jo Doe")
        for start, end, aid in self.index.find(f):
            if " " in f[start:end]:
                return aid
        tokens = _untitled(f.split())  # "uk pm doe" -> "doe"
        owners = [self._token_owners(t) for t in tokens]
        last = owners[-1] if owners else set()
        # "Nowak", "Nowaka", "Acme's Jan Nowak": a known surname, its first name agreeing;
        # of two known Nowaks, the first name tells which ("Jana Nowaka" is Jan)
        if len(tokens) > 1:
            last = {a for a in last if _first_agrees(self.model, a, tokens[-2])}
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

    def held(self, surface: str) -> str | None:
        """A known organisation that a longer chunk holds under a one-word form of its
        own, as a whole word ("Globex Collapse", "Upadek Globex", "Top Globex"): the chunk
        is that organisation in a phrase, not a party of its own."""
        f = fold(surface)
        if " " not in f:
            return None
        for start, end, aid in self.index.find(f):
            actor = self.model.actors[aid]
            if " " not in f[start:end] and end - start >= 3 and actor.kind == "org":
                return aid
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
        return None

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


def _first_agrees(model: SagaModel, actor_id: str, first: str) -> bool:
    """A full name whose surname is a known person's is that person unless its first name
    is another one ("Jo Doe" is not Jane Doe)."""
    known = model.actors[actor_id].first
    if known is None:
        return True
    k = fold(known)
    return (
        pl_stem(first) == pl_stem(k)
        or edit_distance_le1(first, k)
        or first == k[:1]
        or (min(len(first), len(k)) >= 3 and (first.startswith(k) or k.startswith(first)))
    )


def canonical(names: Iterable[Name], tracked: Mapping[str, NameSeen]) -> list[Name]:
    """The names, each keyed as a tracked newcomer it is a one-letter variant of, or
    another transliteration of (``translit``), or the acronym of ("HTB"): one person under
    the spellings of several languages ("Oleksandr Kovalenkiy", "Ołeksandr Kowalenki") or
    a slip is one newcomer, whose reports a story counts together. Names of 12 letters or
    more and the same number of words only: "Jan Nowak" and "Jan Nowik" are not one; an
    acronym of 3 letters or more ("UK" is no one's initials)."""
    out: list[Name] = []
    for n in names:
        key, words = n.key, len(n.key.split())
        if key not in tracked and written_as_acronym(n.text) and 3 <= len(key) <= 6:
            full = next((k for k, seen in tracked.items() if key in acronyms(seen.name)), None)
            out.append(n if full is None else replace(n, key=full))  # "HTB"
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
    for sent in sentences:
        for _, _, found in resolver.index.find(sent.folded):
            known[found] = None
        for m in sent.mentions:
            aid = resolver.resolve(m.text)
            if aid is not None:
                known[aid] = None
            elif strict and m.spacy_label not in ("PER", "ORG") and " " not in m.text.strip():
                continue  # a lone capitalised word is a name only if the NER says so
            elif _TERRITORIAL.search(sent.text[:m.start]):
                continue  # "Lord Doe of Little Harbor": the place a title is named after
            elif quoted(sent.text, m.start, m.end):
                continue  # "Copy of 'Acme Rising' found": a work's title, a nickname
            elif (name := _name(m, sent.index == 0 and has_title, ignored)) is not None:
                # running text, and for a one-word name not the sentence's first word
                prose = not sent.titlecase and (
                    " " in name.text or m.start > 0 or name.text.isupper()
                )
                prev = new.get(name.key)
                if prev is None or (not prev.prose and prose):
                    new[name.key] = replace(name, prose=prose)
                new[name.key] = replace(new[name.key], argument=_either(
                    prev.argument if prev else None, name.argument))
                if name.kind == "person" and new[name.key].kind != "person":
                    # the NER calls one person an organisation in one sentence and a
                    # person in the next: a person named anywhere is a person
                    new[name.key] = replace(new[name.key], kind="person")
    prose_text = [s.text for s in sentences if not s.titlecase]
    # named by the headline, whether or not the NER caught it there ("Globex to buy...")
    return list(known), short_forms([
        replace(n, in_title=n.in_title or _headlined(title, n),
                lower=_written_lower(prose_text, n.text))
        for n in new.values()
    ])


def _either(a: bool | None, b: bool | None) -> bool | None:
    """A name is an argument in a report if it is one in any parsed sentence of it."""
    return None if a is None and b is None else bool(a) or bool(b)


_OPEN = "'\"‘“„«"
_CLOSE = re.compile("^(?:['’]s)?['\"’”»]")


def quoted(text: str, start: int, end: int) -> bool:
    """Whether ``text`` writes its span ``start:end`` between quotation marks, alone
    ("Copy of 'Acme Rising' found", "'Deal Night's' host says"): the title of a book, a
    show or a film, or a nickname, not a party's name."""
    return start > 0 and text[start - 1] in _OPEN and _CLOSE.match(text[end:]) is not None


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


def persons_named(sentences: Iterable[Sentence], resolver: Resolver) -> list[str]:
    """Ids of the known organisations that a mention the NER calls a person names under
    their very name, shaped like a person's: the NER took one person for an organisation
    in an earlier sentence or seed and for a person here. A person named so is a person."""
    out: dict[str, None] = {}
    for sent in sentences:
        for m in sent.mentions:
            if m.kind != "person" or not plausible_name(m.text, "person"):
                continue
            aid = resolver.index.form_to_actor.get(fold(m.text))
            if aid is not None and resolver.model.actors[aid].kind == "org":
                out[aid] = None
    return list(out)


def new_forms(sentences: Iterable[Sentence], resolver: Resolver) -> list[tuple[str, str]]:
    """(actor id, surface) of the names that resolved to a known actor under a form it
    does not have yet ("HTB" for Harbor Trust Bank): aliases to learn while seeding."""
    out: dict[str, str] = {}
    for sent in sentences:
        for m in sent.mentions:
            f = fold(m.text)
            if f in resolver.index.form_to_actor or len(f) < 3:
                continue
            aid = resolver.resolve(m.text)
            if aid is not None and (m.text.isupper() or " " in m.text):
                out.setdefault(m.text, aid)
    return [(aid, text) for text, aid in out.items()]


def _name(m: Mention, in_title: bool, ignored: set[str]) -> Name | None:
    text = without_role(m.text) if m.kind == "person" else m.text
    key = fold(text)
    if m.peripheral or key in ignored or (m.spacy_label or "") in _NOT_ACTORS:
        return None
    if m.kind not in ("person", "org") or not plausible_name(text, m.kind):
        return None
    if is_place(text) or is_market(text) or is_seat(text):
        return None
    return Name(text=text, key=key, kind=m.kind, in_title=in_title, role=m.role,
                argument=m.argument)


def track(model: SagaModel, names: Iterable[Name], feed: str, development: str | None,
          sentence_of: dict[str, str], at: str) -> None:
    """Count the uses of unknown names by relevant reports (mutates the model)."""
    for n in names:
        seen = model.names.get(n.key)
        if seen is None:
            seen = model.names[n.key] = NameSeen(name=n.text, kind=n.kind, first_seen=at)
        seen.docs += 1
        seen.titles += n.in_title
        seen.prose += n.prose
        seen.lower += n.lower
        if feed not in seen.feeds:
            seen.feeds.append(feed)
        seen.short += [f for f in n.short if f not in seen.short]
        if n.role and n.role not in seen.roles:
            seen.roles.append(n.role)
        if n.argument is not None:
            seen.parsed += 1
            seen.argument += n.argument
        if development and development not in seen.developments:
            seen.developments.append(development)
        said = sentence_of.get(n.key)
        if said and len(seen.sentences) < 3 and said not in seen.sentences:
            seen.sentences.append(said)


def acting(sentences: Iterable[Sentence], resolver: Resolver) -> list[str]:
    """The known actors that a report's parsed sentences make a subject, an object or an
    agent (``Mention.argument``)."""
    ids = (resolver.resolve(m.text) for s in sentences for m in s.mentions if m.argument)
    return list(dict.fromkeys(a for a in ids if a is not None))


def acts(seen: NameSeen) -> bool:
    """Whether a tracked name is one who acts: a subject, object or agent in a report's
    parsed lead, or never parsed (no English report named it in its lead). A name that
    only qualifies others ("a TikTok ban", "the MAGA base", "'Shark Tank's' host") is a
    product, a show, a venue or a topic: it may join the saga's cast, but is no news."""
    return not seen.parsed or seen.argument > 0


def ready(seen: NameSeen, settings: NoveltySettings) -> bool:
    """A tracked name that the saga's reports have made an actor."""
    return (
        seen.kind in settings.new_actor_kinds
        and len(seen.feeds) >= settings.new_actor_min_sources
        and bool(seen.developments)
        and seen.prose > 0  # a Title Case headline alone makes anything look like a name
        and seen.lower < seen.prose  # a common noun that headlines capitalise is no name
    )
