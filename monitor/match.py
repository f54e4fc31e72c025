"""Novelty: does a document tell the saga something new?

``decide`` is a pure function of (model, analysis, settings): it resolves the names in the
document to known actors (aliases, then fuzzy forms: a one-letter machine-translation slip,
a first name, a handle), finds *event candidates* (sentences with an action trigger and a
saga actor), scores each against every known event on four signals -- actors (weighted so
that the company everyone mentions counts little), action, date and text similarity
(spaCy vectors) -- and returns a :class:`Decision`. ``apply_decision`` then grows the
model with what was new; every change records the document that caused it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np

from monitor.config import MatchSettings
from monitor.dates import explicit_dates, relative_dates, sentence_date
from monitor.lexicon import (
    COMPILED_ACTIONS,
    ORG_SUFFIXES,
    SPECULATIVE,
    STOP_CAPS,
    action_similarity,
    fold,
)
from monitor.nlp import Analysis, Mention, Sentence, role_cue
from monitor.saga import (
    Actor,
    AliasIndex,
    Event,
    Evidence,
    SagaModel,
    edit_distance_le1,
    slug,
)
from monitor.types import Document, Verdict, short_hash

_TALKS = re.compile(r"\b(pourparlers|negoci\w*|negotiat\w*|talks|discussions?|rozmow\w*)\b")
_QUESTION = re.compile(r"\?\s*$")
_SPLIT_TAIL = re.compile(r"^ ([a-z])\b(?!['’])")


@dataclass(frozen=True)
class NameCandidate:
    """A name in the document that is not a known actor (yet)."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    mentions: int
    role: str | None
    peripheral: str | None
    in_action: bool  # named in an action sentence next to a saga actor
    sentences: tuple[str, ...]
    in_key: bool = False  # the one an act is about (nearest its trigger), with the core

    @property
    def key(self) -> str:
        return fold(self.name)

    def qualifies(self, min_mentions: int) -> bool:
        """Plays a role in the saga: two of (in an action, a role cue, named repeatedly)."""
        if self.peripheral:
            return False
        if self.kind == "person" and len(self.name.split()) < 2:
            return False
        if self.kind not in ("person", "org") or not plausible_name(self.name, self.kind):
            return False
        score = int(self.in_action) + int(self.role is not None) + int(self.in_key)
        score += int(self.mentions >= min_mentions)
        return score >= 2


_ONGOING = frozenset({"negotiated", "threatened", "investigated", "invested"})
_PL_ENDINGS = ("owi", "em", "ie", "a", "u", "y")


def _pl_stem(token: str) -> str:
    """A Polish declined form's stem ("Microsoftu" -> "Microsoft"), else the token."""
    for cut in _PL_ENDINGS:
        if token.endswith(cut) and len(token) - len(cut) >= 3:
            return token[: -len(cut)]
    return token


_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]*(?:[-'’][A-Za-zÀ-ÿĀ-ž][^\W\d_]*)*\.?$")


_AFFIX = re.compile(r"-(owned|based|backed|led|funded|born|era|style)$", re.I)


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
    return any(ch.isalpha() for ch in name) and len(tokens) <= 5


@dataclass(frozen=True, eq=False)
class Candidate:
    action: str
    actors: tuple[str, ...]  # known actor ids
    new_names: tuple[str, ...]  # NameCandidate keys
    day: date | None
    sentence: str
    vector: np.ndarray
    speculative: bool = False
    day_precise: bool = False  # read from the sentence, not the document's date
    key: tuple[str, ...] = ()  # who the action is about: the names nearest its trigger
    key_persons: tuple[str, ...] = ()  # the people among them
    dates_named: int = 0  # distinct dates the sentence names (several: its date is a guess)


@dataclass(frozen=True, eq=False)
class EventDecision:
    candidate: Candidate
    sentences: tuple[str, ...]
    known_event: str | None  # id of the matching known event, None when new
    nearest_event: str | None
    similarity: float
    vectors: tuple[np.ndarray, ...] = ()


@dataclass(frozen=True, eq=False)
class Decision:
    doc: Document
    verdicts: frozenset[Verdict]
    actors: tuple[str, ...]  # known actor ids named in the document
    events: tuple[EventDecision, ...] = ()
    new_actors: tuple[NameCandidate, ...] = ()  # that qualify: alert
    quiet_actors: tuple[NameCandidate, ...] = ()  # recorded without alert (seed, peripheral)
    aliases: tuple[tuple[str, str], ...] = ()  # (actor id, new surface form)
    roles: dict[str, str] = field(default_factory=dict)  # known actor id -> role cue seen
    mentions: dict[str, int] = field(default_factory=dict)
    forms: Counter[str] = field(default_factory=Counter)
    bootstrap: bool = False  # the first document of an empty model: it defines the saga

    @property
    def new_events(self) -> tuple[EventDecision, ...]:
        return tuple(e for e in self.events if e.known_event is None)

    @property
    def known_events(self) -> tuple[EventDecision, ...]:
        return tuple(e for e in self.events if e.known_event is not None)


# ---------------------------------------------------------------------------- names


class _Resolver:
    """Maps surface forms in one document to known actors or to new name candidates."""

    def __init__(self, model: SagaModel, index: AliasIndex) -> None:
        self.model = model
        self.index = index
        self.aliases: dict[str, str] = {}  # surface -> actor id (new alias found here)

    def handle(self, h: str) -> str | None:
        h = h.lower()
        for a in self.model.actors.values():
            if h in a.forms() or f"@{h}" in a.forms():
                return a.id
            parts = [p for p in fold(a.name).replace("'", "").split() if p]
            if not parts:
                continue
            if a.kind == "org":
                if h == "".join(parts):
                    return a.id
                continue
            if len(parts) >= 2:
                first, last = parts[0], parts[-1]
                forms = {first + last, first + last[0], first[0] + last, last + first}
                if h in forms or h.startswith(first + last):
                    return a.id
        return None

    def exact_token(self, surface: str) -> str | None:
        hits = self.index.tokens.get(fold(surface), set())
        return next(iter(hits)) if len(hits) == 1 else None

    def fuzzy(self, surface: str, kind: str) -> str | None:
        f = fold(surface)
        toks = f.split()
        if len(toks) >= 2 and toks[-1] in ORG_SUFFIXES:  # "Microsoft Corp." is Microsoft
            return self.index.resolve(" ".join(toks[:-1]))
        persons = [a for a in self.model.actors.values() if a.kind == "person"]
        if len(toks) >= 2:
            # Polish declension: "Sama Altmana", "Samem Altmanem" are Sam Altman
            for cut in _PL_ENDINGS:
                stem = " ".join(
                    t[: -len(cut)] if t.endswith(cut) and len(t) - len(cut) >= 3 else t
                    for t in toks
                )
                if stem != f:
                    aid = self.index.resolve(stem)
                    if aid is not None:
                        return aid
            for a in persons:
                for form in a.forms():
                    ft = form.split()
                    if len(ft) < 2:
                        continue
                    same_first = ft[0] == toks[0]
                    same_last = ft[-1] == toks[-1]
                    if (
                        same_first and edit_distance_le1(ft[-1], toks[-1]) and len(toks[-1]) >= 4
                    ) or (same_last and edit_distance_le1(ft[0], toks[0]) and len(toks[0]) >= 4):
                        return a.id
            return None
        if len(toks) == 1:
            tok = toks[0]
            hits = set(self.index.tokens.get(tok, ()))
            if not hits and len(tok) >= 5 and kind != "org":
                for known, ids in self.index.tokens.items():
                    if len(known) >= 4 and edit_distance_le1(known, tok):
                        hits |= ids
            if len(hits) == 1:
                return next(iter(hits))
        return None


def _cluster(
    cands: list[tuple[Mention, int, bool, str]],
) -> dict[str, list[tuple[Mention, int, bool, str]]]:
    """Group a document's unknown names: "Jakub Pachocki" and a later "Pachocki" are one."""
    groups: dict[str, list[tuple[Mention, int, bool, str]]] = defaultdict(list)
    multi = {fold(m.text): m for m, *_ in cands if len(m.text.split()) >= 2}
    for item in cands:
        m = item[0]
        f = fold(m.text)
        key = f
        if len(f.split()) == 1:
            owners = [k for k in multi if f in k.split()]
            if len(owners) == 1:
                key = owners[0]
        elif f not in groups:
            # same distinctive first name, surname garbled (machine translation): one person
            first = f.split()[0]
            owners = [
                k
                for k in groups
                if len(k.split()) >= 2 and k.split()[0] == first and len(first) >= 5
            ]
            if len(owners) == 1:
                key = owners[0]
        groups[key].append(item)
    return groups


_NEXT_CAP = re.compile(r"^[ \-]?[A-Z][a-zà-ÿ]")


def _other_namesake(model: SagaModel, sent: Sentence, hit: tuple[int, int, str]) -> bool:
    """A known person's first name followed by another surname: "Sam Bankman-Fried" is
    not Sam Altman."""
    a, b, aid = hit
    actor = model.actors.get(aid)
    if actor is None or actor.kind != "person" or " " in sent.folded[a:b]:
        return False
    first = actor.first
    return (
        first is not None
        and fold(first) == sent.folded[a:b]
        and bool(_NEXT_CAP.match(sent.text[b : b + 3]))
    )


def _before_saga(model: SagaModel, doc: Document, settings: MatchSettings) -> bool:
    """Published before the saga's first known event (less the date window): background
    the saga grew out of, not a development of it."""
    if doc.published is None or not model.events:
        return False
    start = model.start_date()
    if start is None:
        return False
    return doc.published.date() < start - timedelta(days=settings.date_window_days)


def _in_saga(a: Actor) -> bool:
    """Protagonists, and names seen in passing that may yet turn out to matter."""
    return a.protagonist or a.peripheral == "passing"


# ---------------------------------------------------------------------------- scoring


def _date_sim(
    c: date | None, e: date | None, window: int, c_precise: bool = True, e_precise: bool = True
) -> float:
    """1 on the same day, 0 beyond the window: the same act on another day is another
    development (talks on Sunday, the return on Wednesday). A date that is only a
    publication date (not ``precise``) is an upper bound: the act may be any day before."""
    if c is None or e is None:
        return 0.5
    d = abs((c - e).days)
    if d <= window:
        return 1.0 - 0.5 * d / (window + 1)
    if (not c_precise and e < c) or (not e_precise and c < e):
        return 0.4
    return 0.0


def _actor_sim(c: Candidate, e: Event, weights: dict[str, float], new_weight: float) -> float:
    cs, es = set(c.actors), set(e.actors)
    inter = sum(weights.get(a, new_weight) for a in cs & es)
    union = sum(weights.get(a, new_weight) for a in cs | es) + new_weight * len(c.new_names)
    return inter / union if union else 0.0


def score(
    c: Candidate, e: Event, model: SagaModel, weights: dict[str, float], s: MatchSettings
) -> float:
    act = action_similarity(c.action, e.action)
    if act < 0.5:
        return 0.0  # another kind of development
    new_w = max(weights.values(), default=1.0)
    actors = _actor_sim(c, e, weights, new_w)
    e_persons = {a for a in e.key_actors if a in model.actors and model.actors[a].kind == "person"}
    window = s.date_window_days + (2 if c.action in _ONGOING else 0)
    if c.key_persons and not any(
        a in model.actors and model.actors[a].kind == "person" for a in e.actors
    ):
        return 0.0  # an act about someone vs one between organisations only
    if act >= 0.7 and _recap(c, e, e_persons, model, window, weights, s.min_actor_overlap):
        return max(s.known_threshold, _combined(c, e, model, s, act, actors, window))
    if c.key and e_persons:
        if c.key_persons and not set(c.key_persons) & e_persons:
            return 0.0  # the act is about someone else
        key = _containment(set(c.key), set(e.key_actors), weights)
        if not c.key_persons and e_persons & set(c.actors):
            # the name nearest the act is the company; the person it happened to is
            # further away in a long sentence: judge on everyone the sentence names
            key = max(key, _containment(set(c.actors), set(e.key_actors), weights))
        if key < s.min_actor_overlap:
            return 0.0  # about other people: another development
        actors = 0.6 * key + 0.4 * actors
    elif actors < s.min_actor_overlap:
        return 0.0
    return _combined(c, e, model, s, act, actors, window)


def _recap(
    c: Candidate,
    e: Event,
    e_persons: set[str],
    model: SagaModel,
    window: int,
    weights: dict[str, float],
    min_overlap: float,
) -> bool:
    """The same act again, told later: everyone it was about is named in the sentence and
    no precise date says it happened on another day. A sentence that names no person at
    all ("OpenAI staff threaten to leave for Microsoft") is a report of the known act of
    that kind, not a new one."""
    sure = c.day_precise and c.dates_named <= 1  # "fired Friday ... said Monday": a guess
    if sure and _date_sim(c.day, e.day, window, True, e.date_precise) == 0.0:
        return False
    c_persons = {a for a in c.actors if a in model.actors and model.actors[a].kind == "person"}
    in_window = _date_sim(c.day, e.day, window, c.day_precise, e.date_precise) > 0.0
    if not c_persons and not c.new_names:
        return in_window  # no one named: the known act of that kind, told again
    if set(c.key) & set(c.new_names):
        return False  # the act is about a newcomer ("a board chaired by Bret Taylor")
    if e_persons:
        return e_persons <= set(c.actors)
    # no person on either side: the same organisations (not just the hub everyone names)
    return _containment(set(c.actors), set(e.actors), weights) >= min_overlap and in_window


def _combined(
    c: Candidate,
    e: Event,
    model: SagaModel,
    s: MatchSettings,
    act: float,
    actors: float,
    window: int,
) -> float:
    # A state that lasts (talks, threats, an inquiry) is one development over several days.
    dsim = _date_sim(c.day, e.day, window, c.day_precise, e.date_precise)
    if dsim == 0.0:
        return 0.0
    ev_vecs = model.event_vectors(e)
    text = (
        float(np.max(ev_vecs @ c.vector))
        if ev_vecs.shape[0] and ev_vecs.shape[1] == c.vector.shape[0]
        else 0.0
    )
    text = max(0.0, text)
    total = s.weight_actors + s.weight_action + s.weight_text + s.weight_date
    val = (
        s.weight_actors * actors
        + s.weight_action * act
        + s.weight_text * text
        + s.weight_date * dsim
    )
    return val / total if total else 0.0


# ---------------------------------------------------------------------------- decide


def decide(
    model: SagaModel,
    analysis: Analysis,
    settings: MatchSettings,
    *,
    bootstrap: bool = False,
    index: AliasIndex | None = None,
) -> Decision:
    """What is new in this document for this saga. Pure: the model is not changed."""
    doc = analysis.doc
    index = index or AliasIndex(model)
    res = _Resolver(model, index)
    anchor = doc.published.date() if doc.published else None

    per_sentence_actors: list[set[str]] = []
    positions: list[dict[str, tuple[int, int]]] = []  # per sentence: id -> (start, end)
    unknown: list[tuple[Mention, int, bool, str]] = []
    mentions: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    roles: dict[str, str] = {}

    for si, sent in enumerate(analysis.sentences):
        hits = [h for h in index.find(sent.folded) if not _other_namesake(model, sent, h)]
        found = {aid for _, _, aid in hits}
        for h in sent.handles:
            aid = res.handle(h)
            if aid:
                found.add(aid)
                res.aliases[f"@{h}"] = aid
        spans = [(a, b) for a, b, _ in hits]
        pos: dict[str, tuple[int, int]] = {}
        for a, b, aid in hits:
            pos.setdefault(aid, (a, b))
        for m in sent.mentions:
            if any(a <= m.start < b or a < m.end <= b for a, b in spans):
                continue
            surface = m.text
            aid = index.resolve(surface)
            split = _SPLIT_TAIL.match(sent.text[m.end :])
            if aid is None and split and " " not in surface:
                # "Murat i": a name cut by a stray space (exact match only)
                aid = index.resolve(surface + split.group(1)) or res.exact_token(
                    surface + split.group(1)
                )
                if aid:
                    surface = f"{surface} {split.group(1)}"
            aid = aid or res.fuzzy(surface, m.kind)
            if aid:
                found.add(aid)
                pos.setdefault(aid, (m.start, m.end))
                res.aliases[surface] = aid
            elif bootstrap or not sent.titlecase:
                unknown.append((m, si, bool(sent.actions), sent.text))
        for a, b, aid in hits:
            mentions[aid] += 1
            actor = model.actors[aid]
            if actor.role is None and actor.kind == "person" and aid not in roles:
                r = role_cue(sent.text, a, b)
                if r:
                    roles[aid] = r
        for m in sent.mentions:
            forms[fold(m.text)] += 1
        per_sentence_actors.append(found)
        positions.append(pos)

    known_ids = {a for s in per_sentence_actors for a in s}
    protagonists = {a for a in known_ids if model.actors[a].protagonist}
    # The saga's core: protagonists from the seeds (or the curation), or found live and
    # since part of two events. A name met once does not make other news relevant.
    core = {a for a in protagonists if model.actors[a].settled}
    persons = {a for a in core if model.actors[a].kind == "person"}
    relevant = bootstrap or (
        len(core) >= settings.relevance_min_protagonists and (persons or len(core) >= 2)
    )
    background = _before_saga(model, doc, settings) and not bootstrap
    if not relevant or background:
        verdict = Verdict.KNOWN if relevant else Verdict.IRRELEVANT
        return Decision(
            doc,
            frozenset({verdict}),
            tuple(sorted(known_ids)),
            mentions=dict(mentions) if relevant else {},
            forms=forms if relevant else Counter(),
        )

    # -- unknown names -> candidates
    groups = _cluster(unknown)
    names: dict[str, NameCandidate] = {}
    for gk, items in groups.items():
        ms = [m for m, *_ in items]
        canonical = max((m.text for m in ms), key=lambda t: (len(t.split()), len(t)))
        kinds = Counter(m.kind for m in ms if m.kind in ("person", "org"))
        kind = kinds.most_common(1)[0][0] if kinds else ms[0].kind
        if kinds["person"] and kinds["person"] == kinds["org"]:
            kind = "person"
        if fold(canonical) in model.ignore or any(fold(m.text) in model.ignore for m in ms):
            periph: str | None = "ignored"
        elif kind == "person" and any(
            (o := index.resolve(t) or index.resolve(_pl_stem(t))) is not None
            and model.actors[o].kind == "org"
            for t in canonical.split()
        ):
            periph = "compound"  # "Szef OpenAI" (the head of OpenAI) is no one's name
        else:
            periph = next((m.peripheral for m in ms if m.peripheral), None)
        in_action = any(
            act and (per_sentence_actors[si] & core or bootstrap) for _, si, act, _ in items
        )
        names[gk] = NameCandidate(
            name=canonical,
            kind=kind,
            aliases=tuple(sorted({m.text for m in ms} - {canonical})),
            mentions=len(ms),
            role=next((m.role for m in ms if m.role), None) if kind == "person" else None,
            peripheral=periph,
            in_action=in_action,
            sentences=tuple(dict.fromkeys(t for *_, t in items))[:3],
        )
    name_of_mention: dict[tuple[int, str], str] = {}
    for gk, items in groups.items():
        for m, si, _, _ in items:
            name_of_mention[(si, m.text)] = gk
            positions[si].setdefault(gk, (m.start, m.end))

    def kind_of(x: str) -> str:
        return model.actors[x].kind if x in model.actors else names[x].kind

    # -- event candidates
    weights = model.actor_weights()
    cands: list[Candidate] = []
    for si, sent in enumerate(analysis.sentences):
        if not sent.actions or _QUESTION.search(sent.text):
            continue
        known = sorted(
            a
            for a in per_sentence_actors[si]
            if model.actors[a].protagonist
            or (
                _in_saga(model.actors[a])
                and (bootstrap or plausible_name(model.actors[a].name, model.actors[a].kind))
                and model.actors[a].kind == "person"
            )
        )
        if not bootstrap and not per_sentence_actors[si] & protagonists:
            continue  # a development of the saga involves its actors (the doc: its core)
        present = sorted(
            {
                nk
                for m in sent.mentions
                if (nk := name_of_mention.get((si, m.text))) is not None
                and not names[nk].peripheral
                and names[nk].kind in ("person", "org")
                and (bootstrap or plausible_name(names[nk].name, names[nk].kind))
            }
        )
        if not known and not (bootstrap and present):
            continue
        speculative = bool(SPECULATIVE.search(sent.folded))
        vec = analysis.vectors[si]
        dates_named = len(
            set(explicit_dates(sent.text))
            | ({d for _, d in relative_dates(sent.text, anchor)} if anchor else set())
        )
        for action in _actions(sent, speculative):
            trig = _trigger(sent, action)
            precise = sentence_date(sent.text, anchor, near=trig)
            day = precise or anchor
            key = _key_actors(sent, trig, [*known, *present], positions[si], kind_of)
            for k in key:
                if k in names and not names[k].in_key and names[k].in_action:
                    names[k] = replace(names[k], in_key=True)
            new = [
                k
                for k in present
                if bootstrap or names[k].qualifies(settings.new_actor_min_mentions)
            ]
            key = tuple(k for k in key if k in known or k in new)
            everyone = {*known, *new}
            if not bootstrap and len(everyone) < 2 and {kind_of(k) for k in everyone} == {"org"}:
                continue  # "the company fired someone": too vague to be a development
            key_persons = tuple(k for k in key if kind_of(k) == "person")
            cands.append(
                Candidate(
                    action,
                    tuple(known),
                    tuple(new),
                    day,
                    sent.text,
                    vec,
                    speculative,
                    precise is not None,
                    key,
                    key_persons,
                    dates_named,
                )
            )

    decisions: list[EventDecision] = []
    events = list(model.events.values())
    evidence_sentences = {fold(ev.sentence): e.id for e in events for ev in e.evidence}
    for c in cands:
        exact = evidence_sentences.get(fold(c.sentence))
        if exact and model.events[exact].action == c.action:
            decisions.append(EventDecision(c, (c.sentence,), exact, exact, 1.0))
            continue
        best_id, best = None, 0.0
        for e in events:
            sc = score(c, e, model, weights, settings)
            if sc > best:
                best_id, best = e.id, sc
        known_id = best_id if best >= settings.known_threshold else None
        decisions.append(EventDecision(c, (c.sentence,), known_id, best_id, round(best, 3)))

    merged = _merge_new(decisions, weights)

    def alerting(n: NameCandidate) -> bool:
        return n.qualifies(settings.new_actor_min_mentions) and (
            bootstrap or n.kind in settings.new_actor_kinds
        )

    quiet = tuple(n for n in names.values() if not alerting(n))
    new_actors = tuple(n for n in names.values() if alerting(n))
    verdicts: set[Verdict] = set()
    if any(d.known_event is None and not d.candidate.speculative for d in merged):
        verdicts.add(Verdict.NEW_DEVELOPMENT)
    if new_actors:
        verdicts.add(Verdict.NEW_ACTOR)
    if not verdicts:
        verdicts.add(Verdict.KNOWN)
    return Decision(
        doc=doc,
        verdicts=frozenset(verdicts),
        actors=tuple(sorted(known_ids)),
        events=tuple(merged),
        new_actors=new_actors,
        quiet_actors=quiet,
        aliases=tuple((aid, surf) for surf, aid in res.aliases.items()),
        mentions=dict(mentions),
        forms=forms,
        roles=roles,
        bootstrap=bootstrap,
    )


_COORD = re.compile(
    r"^\s*(,|et|and|&|i|oraz|ainsi que|as well as|,\s*et|,\s*and|"
    r",?\s*(including|with|along with|alongside|together with|avec|dont|w tym))\s*$"
)


def trigger_position(action: str, folded: str) -> int | None:
    """Where the action's trigger word stands in a folded sentence, or None."""
    rx = COMPILED_ACTIONS.get(action)
    m = (rx.search(folded) if rx else None) or _TALKS.search(folded)
    return m.start() if m else None


def _trigger(sent: Sentence, action: str) -> int:
    return trigger_position(action, sent.folded) or 0


def _key_actors(
    sent: Sentence,
    trig: int,
    ids: list[str],
    pos: dict[str, tuple[int, int]],
    kind_of: Callable[[str], str],
) -> tuple[str, ...]:
    """Who an action is about: the person named nearest its trigger word, with the names
    coordinated with it ("Altman et Brockman rejoignent"), and the name nearest the trigger
    if that is an organisation ("un nouveau board est nommé")."""
    spans = sorted((pos[x], x) for x in ids if x in pos)
    if not spans:
        return ()
    dist = {x: min(abs(a - trig), abs(b - trig)) for (a, b), x in spans}
    nearest = min(dist, key=lambda x: dist[x])
    people = [x for x in dist if kind_of(x) == "person" and dist[x] <= 80]
    best = min(people, key=lambda x: dist[x]) if people else nearest
    if dist[best] > 150:
        return ()
    key = {best, nearest} if dist[nearest] <= 150 else {best}
    same_kind = [(span, x) for span, x in spans if kind_of(x) == kind_of(best)]
    i = next(i for i, (_, x) in enumerate(same_kind) if x == best)
    for step in (-1, 1):  # walk over coordinated names on both sides
        j = i
        while 0 <= j + step < len(same_kind):
            (_, b1), _x = same_kind[min(j, j + step)]
            (a2, _), _y = same_kind[max(j, j + step)]
            if not _COORD.match(sent.folded[b1:a2]):
                break
            j += step
            key.add(same_kind[j][1])
    return tuple(sorted(key))


def _actions(sent: Sentence, speculative: bool) -> list[str]:
    acts = list(sent.actions)
    if speculative:
        # "could return", "serait en pourparlers": talks at most, not a done development
        if _TALKS.search(sent.folded) or "negotiated" in acts:
            return ["negotiated"]
        return [a for a in acts if a in ("threatened", "investigated")][:1]
    if "negotiated" in acts and "returned" in acts:
        acts.remove("returned")  # "talks for a return" are talks
    return acts[:2]


def _overlap(a: set[str], b: set[str], weights: dict[str, float]) -> float:
    """Weighted Jaccard overlap of two actor sets (unknown names weigh the most)."""
    w = max(weights.values(), default=1.0)
    union = sum(weights.get(x, w) for x in a | b)
    return sum(weights.get(x, w) for x in a & b) / union if union else 0.0


def _containment(a: set[str], b: set[str], weights: dict[str, float]) -> float:
    """How far one key set lies inside the other ("Altman" vs "Altman and Brockman")."""
    w = max(weights.values(), default=1.0)
    inter = sum(weights.get(x, w) for x in a & b)
    small = min(sum(weights.get(x, w) for x in a), sum(weights.get(x, w) for x in b))
    return inter / small if small else 0.0


def _merge_new(decisions: list[EventDecision], weights: dict[str, float]) -> list[EventDecision]:
    """New candidates of one document about the same action and the same people are one
    event (the first sentence stands for it; the others are more evidence)."""
    out: list[EventDecision] = []
    for d in decisions:
        if d.known_event is not None:
            out.append(d)
            continue
        c = d.candidate
        for i, o in enumerate(out):
            oc = o.candidate
            if o.known_event is not None or oc.action != c.action:
                continue
            if c.key_persons and oc.key_persons:
                same = bool(set(c.key_persons) & set(oc.key_persons))
            elif c.key and oc.key:
                same = _containment(set(c.key), set(oc.key), weights) >= 0.5
            else:
                same = (
                    _overlap(
                        set(c.actors) | set(c.new_names),
                        set(oc.actors) | set(oc.new_names),
                        weights,
                    )
                    >= 0.5
                )
            if not same:
                continue
            merged = replace(
                oc,
                day=min((x for x in (oc.day, c.day) if x), default=None),
                speculative=oc.speculative and c.speculative,
            )
            out[i] = EventDecision(
                merged,
                (*o.sentences, c.sentence),
                None,
                o.nearest_event,
                max(o.similarity, d.similarity),
                (*o.vectors, c.vector),
            )
            break
        else:
            out.append(
                EventDecision(c, d.sentences, None, d.nearest_event, d.similarity, (c.vector,))
            )
    return out


# ---------------------------------------------------------------------------- apply


def event_id(action: str, actor_names: list[str], day: date | None) -> str:
    key = "|".join([action, *sorted(slug(n) for n in actor_names), day.isoformat() if day else ""])
    return f"{action}-{day.isoformat() if day else 'undated'}-{short_hash(key, length=8)}"


def apply_decision(
    model: SagaModel,
    decision: Decision,
    *,
    seeding: bool,
    now: datetime,
    min_mentions: int = 2,
) -> tuple[list[tuple[EventDecision, str]], list[tuple[NameCandidate | None, str]]]:
    """Grow the model with what the decision found new.

    While seeding, every name is recorded (the protagonists are sorted out at the end);
    live, names seen in passing are recorded as such, and become actors once they play a
    role (named again, with a role, in a development).

    Returns the events created (with the decision that made each) and the actors that
    now play a role in the saga (with their candidate, None for one seen before).
    """
    if Verdict.IRRELEVANT in decision.verdicts:
        return [], []
    doc = decision.doc
    cause = doc.id
    at = now.isoformat()
    model.docs_seen += 1
    model.form_counts.update(decision.forms)

    for aid, surface in decision.aliases:
        if aid in model.actors:
            model.add_alias(model.actors[aid], surface, cause, at)
    for aid, count in decision.mentions.items():
        if aid in model.actors:
            model.actors[aid].mentions += count
    for aid in decision.actors:
        if aid in model.actors:
            model.actors[aid].docs += 1
    for aid, role in decision.roles.items():
        actor = model.actors.get(aid)
        if actor is not None and actor.role is None:
            actor.role = role
            model.record("role_set", f"{actor.name}: {role}", cause, at)

    created: dict[str, str] = {}
    role_actors: list[tuple[NameCandidate | None, str]] = []
    to_add = list(decision.new_actors) + [
        n for n in decision.quiet_actors if seeding or plausible_name(n.name, n.kind)
    ]
    for n in to_add:
        if n.kind not in ("person", "org"):
            continue
        existing = model.find(n.name)
        if existing is not None:
            created[n.key] = existing.id
            continue
        actor = Actor(
            id=model.new_actor_id(n.name),
            name=n.name,
            kind=n.kind,
            aliases=list(n.aliases),
            role=n.role,
            protagonist=n.qualifies(min_mentions),
            peripheral=n.peripheral if not n.qualifies(min_mentions) else None,
            mentions=n.mentions,
            docs=1,
            seeded=seeding or decision.bootstrap,
            first_seen=doc.published.isoformat() if doc.published else at,
            cause=cause,
        )
        model.actors[actor.id] = actor
        created[n.key] = actor.id
        if actor.protagonist:
            role_actors.append((n, actor.id))
        model.record(
            "actor_added",
            f"{actor.name} ({actor.kind}{', ' + actor.role if actor.role else ''}"
            f"{', ' + actor.peripheral if actor.peripheral else ''})",
            cause,
            at,
        )

    new_event_ids: list[tuple[EventDecision, str]] = []
    for d in decision.events:
        c = d.candidate
        ev_day = c.day
        evidence = [
            Evidence(doc.id, s, ev_day.isoformat() if ev_day else None, doc.title, doc.url)
            for s in d.sentences
        ]
        if d.known_event is not None and d.known_event in model.events:
            ev = model.events[d.known_event]
            have = {fold(x.sentence) for x in ev.evidence}
            fresh = [x for x in evidence if fold(x.sentence) not in have]
            if ev_day is not None and (
                ev.date is None
                or (c.day_precise and (not ev.date_precise or ev_day.isoformat() < ev.date))
            ):
                ev.date, ev.date_precise = ev_day.isoformat(), c.day_precise
                model.record("event_dated", f"{ev.id}: {ev.date}", cause, at)
            if fresh and len(ev.evidence) < 25:
                ev.evidence.extend(fresh)
                if len(ev.vectors) < 8:
                    ev.vectors.append([round(float(x), 4) for x in c.vector])
                model.record("evidence_added", f"{ev.id} += {doc.title[:60]!r}", cause, at)
            continue
        if c.speculative and not seeding:
            continue
        actor_ids = list(
            dict.fromkeys([*c.actors, *(created[k] for k in c.new_names if k in created)])
        )
        if not actor_ids:
            continue
        eid = event_id(c.action, [model.actor_name(a) for a in actor_ids], ev_day)
        if eid in model.events:
            continue
        ev = Event(
            id=eid,
            action=c.action,
            actors=actor_ids,
            date=ev_day.isoformat() if ev_day else None,
            date_precise=c.day_precise,
            key_actors=[created.get(k, k) for k in c.key if created.get(k, k) in model.actors],
            statement="",
            evidence=evidence,
            vectors=[[round(float(x), 4) for x in v] for v in (d.vectors or (c.vector,))][:8],
            first_seen=at,
            cause=cause,
        )
        ev.statement = model.describe(ev)
        model.events[eid] = ev
        for a in actor_ids:
            model.actors[a].in_events += 1
        new_event_ids.append((d, eid))
        model.record("event_added", f"{ev.date or 'undated'} {ev.statement}", cause, at)

    promoted = model.consolidate(cause, at, min_mentions=min_mentions, strict=not seeding)
    if not seeding:
        already = {aid for _, aid in role_actors}
        role_actors += [
            (None, aid)
            for aid in promoted
            if aid not in already and model.actors[aid].cause != "curation"
        ]
    return new_event_ids, role_actors
