"""How well does a report-level signal tell a development's first report from the rest?

``tools/tune.py --audit`` records every report the engine found relevant (its time,
headline, link, nearest known event's score, embeddings, fresh headline words and
headline newcomers) and hands them here with the saga's labels. For each signal it prints
the chance that a development's *first* report (the earliest recorded report among the
labels' links of a development the seeds did not tell) scores as more novel than
another report: 0.5 is no better than a coin, 1.0 a perfect separation (the area under
the ROC curve, by the Mann-Whitney count). Two sets of other reports: the *rest* (every
relevant report of no new development: retellings, but also the off-saga reports the
later gates must stop) and the *retellings* (a development's later reports, and the
reports of what the seeds told): a retelling rule must separate the first reports from
those.

The signals are those the engine builds on, each measured alone: how far the report is
from the nearest known event (``relevance``), from every earlier report (first-story
detection, by meaning and by headline words), how many fresh headline words and headline
newcomers it has, and how many outlets tell the same within hours. A rule built on a
signal that sits near 0.5 here can only move alerts around; that is the point of the
audit: measure a signal before building on it. Last, it prints how close the labelled
reports come to each other, as pairs of one development or of two, in one language or in
two (the encoder's cross-lingual gap, which every bar of the engine meets). Pure
functions over numpy arrays, no engine import (the text folding is ``monitor.lexicon``'s),
so that the tests run it on a handful of made-up reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from monitor.lexicon import fold_text

AT_ONCE_H = 6.0  # "at once": within this many hours before or after the report
TELLS = 0.7  # a report this close in meaning tells the same (``support_threshold``)
_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True, slots=True)
class Report:
    """A relevant report as the engine placed it."""

    at: float  # publication time, POSIX seconds
    title: str
    url: str
    near: float  # closeness to the nearest known event
    rows: np.ndarray  # its embeddings (lead and title), unit rows
    fresh: int = 0  # fresh headline words (``novelty.fresh_words``)
    heads: int = 0  # names no actor has, in its headline
    language: str = ""  # "en", "pl", ... ("" unknown)


def separation(pos: Sequence[float], neg: Sequence[float]) -> float:
    """The chance that a random ``pos`` value beats a random ``neg`` one (ties count
    half): the area under the ROC curve. NaN when either side is empty."""
    if not len(pos) or not len(neg):
        return float("nan")
    p, n = np.asarray(pos, dtype=float), np.asarray(neg, dtype=float)
    ranks = _ranks(np.concatenate([p, n]))
    return float((ranks[: len(p)].sum() - len(p) * (len(p) + 1) / 2) / (len(p) * len(n)))


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties given their mean rank."""
    order = values.argsort(kind="mergesort")
    _, first, counts = np.unique(values[order], return_index=True, return_counts=True)
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)
    return ranks


@dataclass(frozen=True, slots=True)
class Labelled:
    """Which recorded reports the labels name: each new development's first report, the
    later reports of new developments, and the reports of the developments the seeds
    told (``status`` "known")."""

    first: frozenset[int]
    later: frozenset[int]
    known: frozenset[int]
    development: Mapping[int, str]  # the development each named report belongs to

    def retellings(self) -> frozenset[int]:
        """Reports that tell again what was told before: a development's later reports,
        and the known developments' reports."""
        return (self.later | self.known) - self.first

    def rest(self, n: int) -> list[int]:
        """The reports of no new development (the known developments' included)."""
        return [i for i in range(n) if i not in self.first | self.later]


def firsts(reports: Sequence[Report], labels: Mapping[str, Any]) -> Labelled:
    """The reports the labels name (``Labelled``), matched by link or by title; a
    development's first report is the earliest recorded one of its links."""
    first: set[int] = set()
    later: set[int] = set()
    known: set[int] = set()
    owner: dict[int, str] = {}
    for dev in labels.get("developments", []):
        refs = [dev["first_report"], *dev.get("evidence", [])] if dev.get("first_report") \
            else list(dev.get("evidence", []))
        links = {r["link"] for r in refs}
        titles = {r["title"].strip() for r in refs}
        mine = [i for i, r in enumerate(reports) if r.url in links or r.title.strip() in titles]
        if not mine:
            continue
        for i in mine:
            owner.setdefault(i, dev["id"])
        if dev.get("status") == "known":
            known.update(mine)
            continue
        one = min(mine, key=lambda i: (reports[i].at, i))
        first.add(one)
        later.update(i for i in mine if i != one)
    return Labelled(frozenset(first), frozenset(later - first), frozenset(known - first), owner)


PAIRS = ("one development, one language", "one development, two languages",
         "two developments, one language", "two developments, two languages")


def language_pairs(reports: Sequence[Report], named: Labelled) -> dict[str, list[float]]:
    """How close the labelled reports come to each other (the best cosine of their
    rows), as pairs of one development or of two, in one language or in two: the
    encoder's cross-lingual gap, which every bar of the engine meets (reports of unknown
    language left out)."""
    out: dict[str, list[float]] = {k: [] for k in PAIRS}
    ids = sorted(i for i in named.development if reports[i].language)
    if len(ids) < 2:
        return out
    best = _closeness([reports[i] for i in ids])
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            i, j = ids[a], ids[b]
            one = named.development[i] == named.development[j]
            same = reports[i].language == reports[j].language
            out[PAIRS[2 * (not one) + (not same)]].append(float(best[a, b]))
    return out


def features(reports: Sequence[Report]) -> dict[str, np.ndarray]:
    """Each signal for each report, oriented so that higher means more novel."""
    n = len(reports)
    if not n:
        return {}
    at = np.array([r.at for r in reports])
    best = _closeness(reports)
    earlier = at[None, :] < at[:, None]
    by_meaning = np.where(earlier, best, 0.0).max(axis=1)
    words = _headline_closeness(r.title for r in reports)
    by_words = np.where(earlier, words, 0.0).max(axis=1)
    hosts = [urlsplit(r.url).netloc for r in reports]
    at_once = (best >= TELLS) & (np.abs(at[None, :] - at[:, None]) <= AT_ONCE_H * 3600)
    outlets = np.array([len({hosts[j] for j in np.flatnonzero(at_once[i])} - {hosts[i]})
                        for i in range(n)], dtype=float)
    return {
        "far from the nearest known event": -np.array([r.near for r in reports]),
        "far from every earlier report (meaning)": -by_meaning,
        "far from every earlier headline (words)": -by_words,
        "fresh headline words": np.array([r.fresh for r in reports], dtype=float),
        "headline newcomers": np.array([r.heads for r in reports], dtype=float),
        f"outlets telling it within {AT_ONCE_H:g} h": outlets,
    }


def _closeness(reports: Sequence[Report]) -> np.ndarray:
    """The best cosine between any row of one report and any row of another."""
    per = max(len(r.rows) for r in reports)
    dim = reports[0].rows.shape[1]
    rows = np.zeros((len(reports), per, dim), dtype=np.float32)
    for i, r in enumerate(reports):
        rows[i, : len(r.rows)] = r.rows
        rows[i, len(r.rows):] = r.rows[-1]  # a missing row repeats the last one
    flat = rows.reshape(-1, dim)
    sims = (flat @ flat.T).reshape(len(reports), per, len(reports), per)
    out = np.asarray(sims.max(axis=(1, 3)), dtype=float)
    np.fill_diagonal(out, 0.0)
    return out


def _headline_closeness(titles: Iterable[str]) -> np.ndarray:
    """TF-IDF cosine between headlines: their words of four letters or more, cut to six
    (a crude stem for English, French and Polish alike), weighted by rarity among them."""
    bags = [{w[:6] for w in _WORD.findall(fold_text(t))} for t in titles]
    vocab = {w: k for k, w in enumerate(sorted(set().union(*bags)))}
    df = np.zeros(len(vocab))
    for bag in bags:
        for w in bag:
            df[vocab[w]] += 1
    idf = np.log(len(bags) / np.maximum(df, 1))
    m = np.zeros((len(bags), len(vocab)), dtype=np.float32)
    for i, bag in enumerate(bags):
        for w in bag:
            m[i, vocab[w]] = idf[vocab[w]]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    unit = m / np.where(norms > 0, norms, 1.0)
    out = np.asarray(unit @ unit.T, dtype=float)
    np.fill_diagonal(out, 0.0)
    return out


@dataclass(frozen=True, slots=True)
class Audit:
    """Each signal's values on the first reports, on the rest, and on the retellings
    (kept to pool sagas)."""

    first: dict[str, list[float]]
    rest: dict[str, list[float]]
    retold: dict[str, list[float]]
    pairs: dict[str, list[float]] = field(default_factory=dict)  # ``language_pairs``

    def merged(self, other: Audit) -> Audit:
        def both(a: dict[str, list[float]], b: dict[str, list[float]]) -> dict[str, list[float]]:
            return {k: a.get(k, []) + b.get(k, []) for k in dict.fromkeys([*a, *b])}

        return Audit(both(self.first, other.first), both(self.rest, other.rest),
                     both(self.retold, other.retold), both(self.pairs, other.pairs))

    def render(self, name: str) -> list[str]:
        def count(d: dict[str, list[float]]) -> int:
            return max((len(v) for v in d.values()), default=0)

        lines = [f"  AUDIT {name}: {count(self.first)} first reports, against "
                 f"{count(self.rest)} others | {count(self.retold)} retellings"]
        for k in self.first:
            lines.append(f"  AUDIT {name}   {separation(self.first[k], self.rest[k]):5.2f}"
                         f" | {separation(self.first[k], self.retold[k]):5.2f}  {k}")
        for k, sims in self.pairs.items():
            if sims:
                lines.append(f"  AUDIT {name}   median {float(np.median(sims)):.2f} over "
                             f"{len(sims)} pairs of labelled reports: {k}")
        one, two = self.apart()
        if one and two:
            lines.append(f"  AUDIT {name}   {separation(one, two):5.2f}  two reports of one "
                         "development closer than two of two developments (the encoder "
                         "reading the act, not the topic)")
        return lines

    def apart(self) -> tuple[list[float], list[float]]:
        """The closeness of pairs of labelled reports of one development, and of two
        (either language): how well the encoder tells one act from the next of the
        same saga, the question every join and retelling bar asks."""
        return ([*self.pairs.get(PAIRS[0], []), *self.pairs.get(PAIRS[1], [])],
                [*self.pairs.get(PAIRS[2], []), *self.pairs.get(PAIRS[3], [])])


def audit(reports: Sequence[Report], labels: Mapping[str, Any]) -> Audit:
    """The audit of one saga's relevant reports against its labels."""
    named = firsts(reports, labels)
    table = features(reports)

    def values(idx: Iterable[int]) -> dict[str, list[float]]:
        ids = sorted(idx)
        return {k: [float(v[i]) for i in ids] for k, v in table.items()}

    return Audit(values(named.first), values(named.rest(len(reports))),
                 values(named.retellings()), language_pairs(reports, named))
