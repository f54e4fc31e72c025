"""Score actor detection on a hand-labelled sample: precision and recall, misses, false alarms.

The sample (tests/data/en_actors_sample.jsonl, format in tests/data/README.md) lists, for each
short English text, the people and organisations that are *actors* in it, the names that are
*peripheral* (journalists, outlets cited as a source, historical comparisons: never actors)
and *optional* names (neither rewarded nor punished: an organisation named only in a role
phrase, "former Globex CEO").

Detection is what the novelty engine's actor step sees (``novelty.names.names_in``): the
known actors the text names and
the other person/organisation names with their peripheral cue. Two scores:

* **names** -- every person/organisation name detected as a possible actor (known actors the
  saga model does not mark peripheral, plus new names without a peripheral cue) against the
  labelled actors. A detected name matches a label when both resolve to the same known actor,
  or when their words are the same, or when the detected name is part of the label ("Doe"
  for "Jane Doe"); a longer chunk ("Globex CEO Jane Doe") does not match.
* **known** -- known-actor resolution: the saga actors (protagonists and names seen in
  passing) the matcher says the text names, against the labelled actors that are such actors
  in the model.

Micro-averaged over the sample: precision = matched detections / detections, recall =
matched labels / labels.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.config import NoveltySettings
from monitor.errors import InputError
from monitor.lexicon import ORG_SUFFIXES, fold
from monitor.nlp import Analysis, Analyzer, strip_name
from monitor.novelty.names import names_in
from monitor.novelty.resolver import Resolver
from monitor.saga import Actor, AliasIndex, SagaModel
from monitor.types import Document, parse_dt


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    actors: tuple[str, ...]
    peripheral: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    title: str = ""
    saga: bool = True
    cases: tuple[str, ...] = ()
    source: str = ""
    published: datetime | None = None

    def document(self) -> Document:
        return Document(
            id=self.id,
            title=self.title,
            text=self.text,
            source=self.source or "sample",
            url=self.source if self.source.startswith("http") else None,
            published=self.published,
            language="en",
        )


def _strings(d: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = d.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{where}: {key!r} must be a list of names")
    return tuple(value)


def load_sample(path: Path) -> list[Example]:
    """Read the labelled sample (JSON lines); a malformed line is an InputError."""
    out: list[Example] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not JSON: {exc}") from exc
        if not isinstance(d, dict) or not isinstance(d.get("text"), str) or not d["text"]:
            raise InputError(f"{where}: an object with a non-empty 'text' is required")
        published = d.get("published")
        out.append(
            Example(
                id=str(d.get("id") or f"line-{n}"),
                text=d["text"],
                title=str(d.get("title") or ""),
                actors=_strings(d, "actors", where),
                peripheral=_strings(d, "peripheral", where),
                optional=_strings(d, "optional", where),
                saga=bool(d.get("saga", True)),
                cases=_strings(d, "cases", where),
                source=str(d.get("source") or ""),
                published=parse_dt(published) if isinstance(published, str) else None,
            )
        )
    return out


# ---------------------------------------------------------------------------- detection


@dataclass(frozen=True)
class Detected:
    """A name the matcher treats as a possible actor of the text."""

    name: str  # the known actor's canonical name, else the surface form
    actor_id: str | None
    kind: str


@dataclass(frozen=True)
class Detection:
    names: tuple[Detected, ...]
    known: frozenset[str]  # ids of saga actors (protagonists, names seen in passing)
    rejected: tuple[tuple[str, str], ...]  # (name, why): peripheral cues, ignored actors


def _in_saga(a: Actor) -> bool:
    return a.protagonist or a.peripheral == "passing"


def detect(model: SagaModel, analysis: Analysis, settings: NoveltySettings) -> Detection:
    """The actors the novelty engine's actor step finds in one analysed text (the model
    is not changed)."""
    ids, new = names_in(
        analysis.sentences,
        Resolver(model),
        model.ignore,
        bool(analysis.doc.title),
        strict=analysis.extra.get("ner") == "en",
    )
    names: list[Detected] = []
    rejected: list[tuple[str, str]] = []
    for aid in ids:
        a = model.actors[aid]
        if a.peripheral in (None, "passing"):
            names.append(Detected(a.name, aid, a.kind))
        else:
            rejected.append((a.name, a.peripheral or "peripheral"))
    names += [Detected(n.text, None, n.kind) for n in new]
    for s in analysis.sentences:
        rejected += [(m.text, m.peripheral) for m in s.mentions if m.peripheral]
    known = frozenset(a for a in ids if _in_saga(model.actors[a]))
    return Detection(tuple(names), known, tuple(rejected))


# ---------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Error:
    example: str
    name: str
    kind: str  # "miss" or "false_positive"
    why: str  # for a false positive: "peripheral" (a labelled journalist/outlet...) or "other"
    text: str


@dataclass
class Score:
    tp_labels: int = 0  # labels found
    labels: int = 0
    tp_found: int = 0  # detections that match a label
    found: int = 0
    errors: list[Error] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp_found / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.tp_labels / self.labels if self.labels else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp_labels += other.tp_labels
        self.labels += other.labels
        self.tp_found += other.tp_found
        self.found += other.found
        self.errors.extend(other.errors)

    @property
    def misses(self) -> list[Error]:
        return [e for e in self.errors if e.kind == "miss"]

    @property
    def false_positives(self) -> list[Error]:
        return [e for e in self.errors if e.kind == "false_positive"]


def _words(name: str) -> list[str]:
    """Folded words of a name, without a legal suffix ("Teck Resources Ltd." is Teck Resources)."""
    words = [w.rstrip(".") for w in fold(name).replace("’", "'").split()]
    while len(words) > 1 and (words[-1] in ORG_SUFFIXES or f"{words[-1]}." in ORG_SUFFIXES):
        words.pop()
    return [w for w in words if w]


def _part_of(small: list[str], big: list[str]) -> bool:
    n = len(small)
    return 0 < n <= len(big) and any(big[i : i + n] == small for i in range(len(big) - n + 1))


class _Labels:
    """The labels of one example, resolved against the saga model's actors."""

    def __init__(self, model: SagaModel, index: AliasIndex, names: Iterable[str]) -> None:
        self.names = list(names)
        self.ids: dict[str, str | None] = {}
        for n in self.names:
            a = model.find(n)
            self.ids[n] = a.id if a else index.resolve(n)

    def match(self, det: Detected) -> str | None:
        for n in self.names:
            lid = self.ids[n]
            if det.actor_id is not None and lid is not None:
                if det.actor_id == lid:
                    return n
                continue
            if _part_of(_words(det.name), _words(n)):
                return n
        return None


def score_example(
    model: SagaModel, index: AliasIndex, ex: Example, det: Detection, text: str
) -> tuple[Score, Score]:
    """(names score, known-actor score) of one example."""
    actors = _Labels(model, index, ex.actors)
    periph = _Labels(model, index, ex.peripheral)
    optional = _Labels(model, index, ex.optional)

    names = Score(labels=len(ex.actors))
    hit: set[str] = set()
    for d in det.names:
        label = actors.match(d)
        if label is not None:
            hit.add(label)
            names.found += 1
            names.tp_found += 1
        elif optional.match(d) is None:
            names.found += 1
            why = "peripheral" if periph.match(d) is not None else "other"
            names.errors.append(Error(ex.id, d.name, "false_positive", why, text))
    names.tp_labels = len(hit)
    names.errors += [Error(ex.id, n, "miss", "", text) for n in ex.actors if n not in hit]

    def saga_id(label: str, labels: _Labels) -> str | None:
        aid = labels.ids[label]
        return aid if aid is not None and _in_saga(model.actors[aid]) else None

    gold = {i: n for n in ex.actors if (i := saga_id(n, actors))}
    skip = {i for n in ex.optional if (i := saga_id(n, optional))}
    found = det.known - skip
    known = Score(
        labels=len(gold),
        tp_labels=len(gold.keys() & found),
        found=len(found),
        tp_found=len(found & gold.keys()),
    )
    known.errors += [Error(ex.id, gold[i], "miss", "", text) for i in gold.keys() - found]
    for i in sorted(found - gold.keys()):
        why = "peripheral" if i in {periph.ids[n] for n in ex.peripheral} else "other"
        known.errors.append(Error(ex.id, model.actors[i].name, "false_positive", why, text))
    return names, known


def spacy_baseline(
    analyzer: Analyzer, examples: Sequence[Example], model: SagaModel | None = None
) -> Score:
    """The names score of spaCy's own PER/ORG entities alone (what the French model gives)."""
    model = model or SagaModel(name="empty")
    index = AliasIndex(model)
    total = Score()
    docs = analyzer.nlp.pipe([ex.document().full_text for ex in examples])
    for ex, sdoc in zip(examples, docs, strict=True):
        found = {
            strip_name(e.text): "person" if e.label_ == "PER" else "org"
            for e in sdoc.ents
            if e.label_ in ("PER", "ORG")
        }
        det = Detection(
            tuple(Detected(n, index.resolve(n), k) for n, k in found.items() if n),
            frozenset(),
            (),
        )
        total.add(score_example(model, index, ex, det, sdoc.text)[0])
    return total


@dataclass
class Report:
    names: Score
    known: Score
    examples: int
    peripheral_labels: int = 0
    peripheral_rejected: int = 0  # labelled peripheral names not detected as actors
    by_case: dict[str, Score] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"examples: {self.examples}"]
        for label, s in (("names", self.names), ("known actors", self.known)):
            out.append(
                f"{label:13s} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} "
                f"(found {s.tp_found}/{s.found}, labels {s.tp_labels}/{s.labels})"
            )
        if self.peripheral_labels:
            out.append(
                f"peripheral names kept out: {self.peripheral_rejected}/{self.peripheral_labels}"
            )
        return out


def evaluate(
    model: SagaModel,
    analyzer: Analyzer,
    examples: Sequence[Example],
    settings: NoveltySettings | None = None,
) -> Report:
    settings = settings or NoveltySettings()
    index = AliasIndex(model)
    analyses = analyzer.analyze([ex.document() for ex in examples])
    names, known = Score(), Score()
    by_case: dict[str, Score] = {}
    p_labels = p_rejected = 0
    for ex, an in zip(examples, analyses, strict=True):
        det = detect(model, an, settings)
        text = an.doc.full_text
        s_names, s_known = score_example(model, index, ex, det, text)
        names.add(s_names)
        known.add(s_known)
        for case in ex.cases or ("plain",):
            by_case.setdefault(case, Score()).add(
                Score(s_names.tp_labels, s_names.labels, s_names.tp_found, s_names.found)
            )
        periph = _Labels(model, index, ex.peripheral)
        detected = Counter(periph.match(d) for d in det.names)
        p_labels += len(ex.peripheral)
        p_rejected += sum(1 for n in ex.peripheral if not detected[n])
    return Report(names, known, len(examples), p_labels, p_rejected, by_case)
