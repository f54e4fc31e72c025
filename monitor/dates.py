"""Dates in news text: explicit dates, and relative ones resolved against an anchor.

"vendredi", "last Friday", "samedi soir" resolve to the most recent such day on or before
the article's date; "hier"/"yesterday" to the day before. Explicit dates ("18 novembre
2023", "November 18, 2023", "22/11/2023", "2023-11-22", "18 listopada 2023") win.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from monitor.lexicon import MONTHS, TODAY, WEEKDAYS, YESTERDAY, fold

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DMY_WORDS = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH_ALT})\.?\s+(20\d\d)\b")
_MDY_WORDS = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(20\d\d)\b")
_DMY_NUM = re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b")
_ISO = re.compile(r"\b(20\d\d)-(\d{2})-(\d{2})\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b")


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def explicit_dates(text: str) -> list[date]:
    """Every full date written out in the text."""
    t = fold(text)
    found: list[date | None] = []
    found += [_safe(int(y), MONTHS[m], int(d)) for d, m, y in _DMY_WORDS.findall(t)]
    found += [_safe(int(y), MONTHS[m], int(d)) for m, d, y in _MDY_WORDS.findall(t)]
    found += [_safe(int(y), int(m), int(d)) for d, m, y in _DMY_NUM.findall(t)]
    found += [_safe(int(y), int(m), int(d)) for y, m, d in _ISO.findall(t)]
    return [d for d in found if d is not None]


def document_date(text: str) -> date | None:
    """The latest explicit date in a document: a fair estimate of when it was written."""
    dates = explicit_dates(text)
    return max(dates) if dates else None


def weekday_on_or_before(anchor: date, weekday: int) -> date:
    return anchor - timedelta(days=(anchor.weekday() - weekday) % 7)


def relative_dates(sentence: str, anchor: date) -> list[tuple[int, date]]:
    """(offset, day) of every weekday, "yesterday" or "today" in the sentence."""
    t = fold(sentence)
    out = [
        (m.start(), weekday_on_or_before(anchor, WEEKDAYS[m.group(1)]))
        for m in _WEEKDAY.finditer(t)
    ]
    out += [(m.start(), anchor - timedelta(days=1)) for m in YESTERDAY.finditer(t)]
    out += [(m.start(), anchor) for m in TODAY.finditer(t)]
    return sorted(out)


def sentence_date(sentence: str, anchor: date | None, near: int = 0) -> date | None:
    """The date a sentence's development happened, or None if it gives no clue.

    An explicit date wins; else a weekday or "yesterday" resolved against ``anchor``.
    With several, the one nearest ``near`` (the action's trigger word) is taken: in
    "a déclaré samedi soir ... qui ont démissionné vendredi", resigning was on Friday.
    """
    explicit = explicit_dates(sentence)
    if explicit:
        return explicit[0]
    if anchor is None:
        return None
    rel = relative_dates(sentence, anchor)
    return min(rel, key=lambda r: abs(r[0] - near))[1] if rel else None


def estimate_undated(text: str, anchor: date) -> date | None:
    """For a document with no date: the latest weekday it names, resolved against
    ``anchor`` ("today" and "yesterday" say nothing without the document's own date)."""
    rel = [weekday_on_or_before(anchor, WEEKDAYS[w]) for w in _WEEKDAY.findall(fold(text))]
    return max(rel) if rel else None
