"""Step 3, for a wave: what it tells beyond what its saga is about.

A wave (``novelty.confirm``: ``wave_sources`` outlets telling one story at once) is news
unless it is the aftermath of a development alerted hours before (``wave_age_h``). How
close it comes to that young development is measured on report embeddings, and those
are dominated by what every report of the saga shares: its actors' names and the words
most of its reports use ("Doe", "trial", "jury" in a trial saga). A verdict then comes as
close to the small development of the trial's last morning as a recap of that morning
does (measured on a held-out trial saga: 0.67; a settlement to the opening statements
of the day before, 0.72-0.76).

Leave the saga's topic out of the headlines and what is left says what happened: "finds
not responsible for injuries caused by" against "'s children used in star's defense"
(0.23 on that saga), while an aftermath keeps its words ("arraigned in, pleads not
guilty" against "is charged on 34 felony counts, pleads not guilty": 0.61).
Paraphrase is its weak side (two wordings of one event may share nothing once the topic
is gone), so the test only ever lets a wave through, never holds one back
(``Engine._tells_other``). The topic is the saga's own (its ``vocab``, its actors), so
the same code serves any saga. Measured on 19 held-out sagas: 2 more of 45 developments
found in time, one more found an hour late instead of never; the six labelled sagas
alert for alert the same (``docs/notes/novelty-12.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from monitor.lexicon import fold
from monitor.novelty.novelty import STEM  # the cut the saga's vocabulary is keyed by

KEPT = 4096  # headlines kept embedded between batches
REFRESH = 1.1  # the topic is taken again once the saga has read this many times more documents
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")  # "Bank's" is the bank


def topic_words(vocab: Mapping[str, int], forms: Iterable[str], share: float) -> frozenset[str]:
    """What a saga's reports all talk about: the words (cut to ``STEM`` letters, keyed
    ``"en:trial"`` in ``vocab``) that at least ``share`` of its reports in their language
    use, and the words of its actors' names and aliases (``forms``). Not the headlines at
    large (``"*en:"``, ``grow.learn_headline``)."""
    reports = {key[:-1]: n for key, n in vocab.items()
               if key.endswith(":") and not key.startswith("*")}
    words = set()
    for key, n in vocab.items():
        language, _, word = key.partition(":")
        if word and reports.get(language) and n >= share * reports[language]:
            words.add(word)
    words.update(w[:STEM] for form in forms for w in fold(form).split())
    return frozenset(words)


def without_topic(title: str, topic: frozenset[str]) -> str:
    """``title`` without the words of ``topic`` (``topic_words``): what it tells beyond
    what its saga is about; a single space when nothing is left."""
    return " ".join(t for t in _TOKEN.findall(title)
                    if _POSSESSIVE.sub("", fold(t))[:STEM] not in topic) or " "


def told_alike(mine: np.ndarray, theirs: np.ndarray) -> float:
    """The best closeness between two sets of headline embeddings; 0.0 when either is
    empty."""
    if not len(mine) or not len(theirs):
        return 0.0
    return float((mine @ theirs.T).max())


@dataclass
class Headlines:
    """What the engine embedded of a saga's headlines, topic left out, and the topic it
    left out: kept by the caller between batches (like ``Engine``'s ``aside``). Taking
    the topic walks the saga's whole vocabulary, the headlines at large included (some
    10^5 words), so it is taken again only once the engine has read ``REFRESH`` times
    the saga's documents it had read then: the words a fifth of its reports use change
    slowly."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    topic: frozenset[str] = frozenset()
    main: str = ""  # the language most of its reports are in
    read: int = -1  # the documents the saga had read (``SagaModel.docs_seen``) then; -1: never
