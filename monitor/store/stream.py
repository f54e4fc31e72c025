"""The text of the stream, by day: every feed item's (``P:stream:<day>``) and each saga's
relevant reports' (``P:saga:S:said:<day>``), one folded line each, to count in how many
of them a name appears (``novelty.actors.elsewhere``: is a newcomer a name of this saga,
or of the news at large?).

A day is one Redis string that batches APPEND to: one command a batch, whatever its
size, and any worker or a restarted daemon reads the same text. A reader keeps what it
read and asks only for the tail that other writers added since (GETRANGE from the
length it holds). Days older than ``KEEP_DAYS`` before the newest one written are
dropped, on the stream's own clock (a replay's days are its items'). Counting is a
statistic: a batch processed twice after a crash counts its items twice, which moves a
share by a few hundredths at most.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import redis

from monitor.errors import StoreError
from monitor.lexicon import fold, fold_text
from monitor.store import Store

KEEP_DAYS = 15  # the longest window a share may ask for, and a margin
LINE_CHARS = 600  # of a report's text: its title and lead say who it is about
_SPACE = re.compile(r"\s+")
_WORDS = re.compile(r"[^\W_]+")  # a name's or a headline's words, folded


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # emoji and the like: in no name


def line_of(title: str, text: str) -> str:
    """A report's line: its title and the start of its text, folded, on one line; no
    character past the Basic Multilingual Plane (one emoji would make Python hold a
    whole piece of text at four bytes a character)."""
    line = fold_text(f"{title} {text[:LINE_CHARS]}"[:LINE_CHARS])
    return _SPACE.sub(" ", _ASTRAL.sub("", line))


def pattern_of(name: str) -> re.Pattern[str]:
    """A name as whole words of a line, whatever the spaces or punctuation between them
    ("Jane Doe", "jane  doe"); never across two lines. It starts with its first word's
    letters (a leading ``\\b`` would cost the regex engine its literal-prefix search, forty
    times slower over a week's text): :func:`starts_word` checks that boundary."""
    words = _WORDS.findall(fold(name))
    if not words:
        return re.compile(r"(?!)")  # nothing to find
    return re.compile(r"[^\w\n]+".join(map(re.escape, words)) + r"\b")


def series_of(title: str) -> re.Pattern[str] | None:
    """A headline, its numbers free, to find at the start of a line ("Live view over the border
    (Nov. 14)", "(Nov. 17)"; "9 AM", "9:15 AM"): the pattern of the editions of a
    series. None for a headline without a number, or with fewer than three words
    besides: no series can be told from it."""
    words = _WORDS.findall(fold(title))
    parts: list[str] = []
    for w in words:
        if w.isdigit():
            if not parts or parts[-1] != _NUMBERS:
                parts.append(_NUMBERS)
        else:
            parts.append(re.escape(w))
    if _NUMBERS not in parts or len(parts) - parts.count(_NUMBERS) < 3:
        return None
    # no "^": it would cost the regex engine its literal-prefix search (four times
    # slower over a week's text); the caller checks that a match starts a line
    return re.compile(r"[^\w\n]+".join(parts) + r"\b")


_NUMBERS = r"\d+(?:[^\w\n]+\d+)*"  # "14", "9:15", "2023-11-14"
_DIGITS = re.compile(r"\d+")


def starts_word(text: str, at: int) -> bool:
    """Whether a match at ``at`` begins a word ("doe" in "jane doe", not in "undoe")."""
    return at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")


def lines_naming(pattern: re.Pattern[str], text: str) -> int:
    """How many lines of ``text`` hold a match of ``pattern`` that begins a word."""
    n, last = 0, -2  # where the line of the last match starts (-1: the first line)
    for m in pattern.finditer(text):
        if not starts_word(text, m.start()):
            continue
        start = text.rfind("\n", 0, m.start())
        if start != last:
            n, last = n + 1, start
    return n


class StreamText:
    """Appends and counts the lines of the stream (``saga=None``) or of one saga's
    relevant reports (``kind="said"``) or of the items near it that it turned down
    (``"near"``). Not thread-safe: one per pipeline (a worker has its own)."""

    def __init__(self, store: Store, saga: str | None = None, kind: str = "said") -> None:
        self.r: Any = store.redis
        self.keys = store.keys
        self.saga = saga
        self.kind = kind  # of a saga's lines: "said" (relevant reports) or "near"
        # day -> the text read so far, as read (each piece ends a line: one regex search
        # a piece, no copy of a whole day to add a tail), and its length in bytes
        self._days: dict[str, tuple[list[str], int]] = {}

    def append(self, lines: Iterable[tuple[datetime, str]]) -> None:
        """Add lines, each under the day of its time (UTC)."""
        by_day: dict[str, list[str]] = defaultdict(list)
        for at, line in lines:
            by_day[at.date().isoformat()].append(line.replace("\n", " "))
        if not by_day:
            return
        newest = max(date.fromisoformat(d) for d in by_day)
        try:
            pipe = self.r.pipeline(transaction=False)
            for day, day_lines in by_day.items():
                pipe.append(self.keys.stream_day(day, self.saga, self.kind),
                            "\n".join(day_lines) + "\n")
                pipe.zadd(self.keys.stream_days(), {day: date.fromisoformat(day).toordinal()})
            pipe.zrangebyscore(self.keys.stream_days(), "-inf",
                               (newest - timedelta(days=KEEP_DAYS)).toordinal())
            old = pipe.execute()[-1]
            if old:
                self._drop([d.decode() if isinstance(d, bytes) else d for d in old])
        except redis.RedisError as exc:
            raise StoreError(f"cannot record the stream's text: {exc}") from exc

    def _drop(self, days: list[str]) -> None:
        """Drop old days, of the stream and of every saga (their keys share the days)."""
        doomed = [self.keys.stream_day(d) for d in days]
        for d in days:
            doomed += [k.decode() if isinstance(k, bytes) else k for k in self.r.scan_iter(
                match=self.keys.stream_day(d, "*", "*"), count=1000)]
        self.r.delete(*doomed)
        self.r.zrem(self.keys.stream_days(), *days)
        for d in days:
            self._days.pop(d, None)

    def count(self, pattern: re.Pattern[str], since: date, until: date) -> int:
        """How many lines of the days ``since``..``until`` (both included) match."""
        n = sum(lines_naming(pattern, text) for text in self._pieces(since, until))
        # a long-running reader's memory: the days before the window asked for (every
        # caller asks for the same, ``actor_share_days``)
        for gone in [d for d in self._days if d < since.isoformat()]:
            del self._days[gone]
        return n

    def holds(self, pattern: re.Pattern[str], since: date, until: date,
              accept: Callable[[str, re.Match[str]], bool]) -> bool:
        """Whether a line of the days ``since``..``until`` (both included) holds a
        match of ``pattern`` that ``accept`` takes (given the text and the match)."""
        return any(accept(text, m) for text in self._pieces(since, until)
                   for m in pattern.finditer(text))

    def _pieces(self, since: date, until: date) -> Iterator[str]:
        """The text of the days ``since``..``until`` (both included), piece by piece."""
        day = since
        while day <= until:
            yield from self._read(day.isoformat())
            day += timedelta(days=1)

    def _read(self, day: str) -> list[str]:
        """The day's text, in pieces; only the tail written since the last read is
        fetched (every APPEND ends a line, so a tail never starts inside a character or
        a line)."""
        held, size = self._days.get(day, ([], 0))
        try:
            tail = self.r.getrange(self.keys.stream_day(day, self.saga, self.kind), size, -1)
        except redis.RedisError as exc:
            raise StoreError(f"cannot read the stream's text: {exc}") from exc
        if tail:
            held = [*held, tail.decode("utf-8", errors="replace")]
            self._days[day] = (held, size + len(tail))
        return held


class SagaMentions:
    """How often the stream names someone, for one saga's engine
    (``novelty.types.Mentions``): the stream's lines, the saga's relevant reports', and
    (``near``) the lines of the items close to the saga in meaning that its relevance
    turned down. The reports of the batch being decided are held here and counted at
    once; they are written by :meth:`flush`, once the batch is decided (one command a
    batch)."""

    def __init__(self, stream: StreamText, said: StreamText,
                 near: StreamText | None = None) -> None:
        self.stream = stream
        self._said = said
        self._near = near
        self._pending: list[tuple[datetime, str, bool]] = []

    def said(self, at: datetime, title: str, text: str, *, relevant: bool = True) -> None:
        if relevant or self._near is not None:
            self._pending.append((at, line_of(title, text), relevant))

    def counts(self, name: str, now: datetime, days: int, *,
               near: bool = False) -> tuple[int, int]:
        pattern = pattern_of(name)
        since, until = (now - timedelta(days=days)).date(), now.date()
        pending = lines_naming(pattern, "\n".join(
            line for at, line, relevant in self._pending
            if since <= at.date() <= until and (relevant or near)))
        said = self._said.count(pattern, since, until) + pending
        if near and self._near is not None:
            said += self._near.count(pattern, since, until)
        return self.stream.count(pattern, since, until), said

    def series(self, title: str, now: datetime, days: int) -> bool:
        pattern = series_of(title)
        if pattern is None:
            return False
        numbers = _DIGITS.findall(fold(title))

        def edition(text: str, m: re.Match[str]) -> bool:
            # a line's start (the headline heads it); the same numbers are the same
            # headline, an earlier report of this very news
            head = text[text.rfind("\n", 0, m.start()) + 1:m.start()]  # quotes, a dash
            return not _WORDS.search(head) and _DIGITS.findall(m.group(0)) != numbers

        return self.stream.holds(pattern, (now - timedelta(days=days)).date(),
                                 (now - timedelta(days=1)).date(), edition)

    def flush(self) -> None:
        self._said.append((at, line) for at, line, relevant in self._pending if relevant)
        if self._near is not None:
            self._near.append((at, line) for at, line, relevant in self._pending
                              if not relevant)
        self._pending = []
