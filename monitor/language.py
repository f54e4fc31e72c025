"""Which language a text is in: the tag a source declares, or a guess from the text."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from monitor.types import Document


def normalize_language(tag: str | None) -> str | None:
    """'en-US' -> 'en', 'fr_FR' -> 'fr', '' -> None."""
    if not tag:
        return None
    primary = re.split(r"[-_;,\s]", tag.strip().lower(), maxsplit=1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


@functools.lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]) -> Any:
    """py3langid restricted to ``languages``, loaded once per process (~0.6 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


SURE_ENOUGH = 0.6  # the detector's probability below which a guess is no answer


def _guess(text: str, languages: Sequence[str]) -> tuple[str, float] | None:
    """The most likely of ``languages`` for ``text`` and its probability; None when the
    text is too short to tell."""
    sample = text[:3000].strip()
    if len(sample) < 20 or not languages:
        return None
    lang, prob = _identifier(tuple(sorted(languages))).classify(sample)
    return str(lang), float(prob)


def detect_language(
    text: str, languages: Sequence[str], *, min_confidence: float = SURE_ENOUGH
) -> str | None:
    """The most likely of ``languages`` for ``text``, or None when unsure or too short."""
    guess = _guess(text, languages)
    return guess[0] if guess is not None and guess[1] >= min_confidence else None


def checked_language(
    declared: str | None, text: str, languages: Sequence[str], *, sure: float = 0.95
) -> str | None:
    """The language a source declares, unless its text says otherwise beyond doubt (the
    detector ``sure`` of another of ``languages``): feeds mislabel their items, a Polish
    outlet's feed declaring "en-US" for every item, and a text in the wrong language goes
    to the wrong NER model and counts its words in the wrong vocabulary. A declared
    language outside ``languages`` is kept: the detector knows only those. Undeclared,
    the detector's best guess."""
    tag = normalize_language(declared)
    if tag and tag not in languages:
        return tag
    guess = _guess(text, languages)  # once: the bar differs with and without a tag
    if guess is None:
        return tag
    lang, prob = guess
    if prob >= sure or (tag is None and prob >= SURE_ENOUGH):
        return lang
    return tag


def language_of(doc: Document, languages: Sequence[str] = ("en", "fr", "pl")) -> str:
    """The document's language: as declared, else guessed from its title and summary;
    "" when neither says."""
    declared = normalize_language(doc.language)
    if declared:
        return declared
    return detect_language(f"{doc.title}. {doc.text}"[:600], languages) or ""
