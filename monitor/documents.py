"""The inputs of seeding and replay: text documents (seed articles) and feed-item
archives (JSONL or JSONL.gz, one ``{feed, title, summary, link, published, language}`` per
line), read into :class:`~monitor.types.Document` and :class:`~monitor.types.FeedItem`,
in publication order. An undated article gets a date from its content
(see :func:`order_documents`)."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path

from monitor.dates import document_date, estimate_undated
from monitor.errors import InputError
from monitor.language import detect_language
from monitor.types import Document, FeedItem, short_hash

TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
ARCHIVE_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")


def is_archive(p: Path) -> bool:
    return p.name.endswith(ARCHIVE_SUFFIXES)


def _title(text: str, limit: int = 120) -> str:
    """The first line of three words or more (skips "Fr"/"En" toggles), cut at a word."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if len(line.split()) >= 3:
            if len(line) <= limit:
                return line
            return line[:limit].rsplit(" ", 1)[0] + "…"
    return ""


_DATE_LINE = re.compile(r"\A\s*date[ :]+(\d{4}-\d{2}-\d{2})\s*\n")
# ... or only its month, the title after it on the same line ("date 2023-11 The title"):
# the header is no part of the title, and the day is read from the content
_MONTH_LINE = re.compile(r"\A\s*date[ :]+(\d{4}-\d{2})(?![\d-])[ \t]*")


def read_text_document(path: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    # An optional first line "date YYYY-MM-DD" gives the publication date; else the date
    # is read from the content.
    head = _DATE_LINE.match(text)
    month = None if head else _MONTH_LINE.match(text)
    cut = head or month
    if cut is not None:
        text = text[cut.end() :]
    title = _title(text) or path.stem
    day = date.fromisoformat(head.group(1)) if head else document_date(text)
    published = datetime.combine(day, dtime(12, 0), UTC) if day else None
    return Document(
        id=short_hash(text),
        title=title,
        text=text.strip(),
        source=str(path),
        url=None,
        published=published,
        # what the text says it is, so that English seeds get the English pipeline
        language=_language(text),
    )


def _language(text: str) -> str | None:
    return detect_language(text, ("en", "fr", "pl"))


def iter_archive(path: Path) -> Iterator[FeedItem]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    yield FeedItem.from_dict(json.loads(line))
                except (ValueError, TypeError, KeyError) as exc:
                    raise InputError(f"{path}:{n}: not a feed item: {exc}") from exc
    except OSError as exc:
        raise InputError(f"cannot read archive {path}: {exc}") from exc


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InputError(f"no such file or directory: {p}")
        if p.is_dir():
            found = sorted(
                q
                for q in p.iterdir()
                if q.is_file()
                and not q.name.startswith(".")
                and (q.suffix.lower() in TEXT_SUFFIXES or is_archive(q))
            )
            if not found:
                raise InputError(f"no documents in {p}")
            files += found
        else:
            files.append(p)
    return files


def load_documents(paths: Iterable[Path]) -> list[Document]:
    """Text documents from files and folders (archives are read by :func:`load_items`)."""
    docs = [read_text_document(p) for p in expand_paths(paths) if not is_archive(p)]
    return order_documents(docs)


def count_entries(paths: Iterable[Path]) -> int:
    """How many documents and feed items ``paths`` hold (for a progress bar)."""
    n = 0
    for p in expand_paths(paths):
        if not is_archive(p):
            n += 1
            continue
        opener = gzip.open if p.name.endswith(".gz") else open
        with opener(p, "rb") as f:  # type: ignore[operator]
            n += sum(1 for line in f if line.strip())
    return n


def load_items(paths: Iterable[Path]) -> list[FeedItem]:
    items = [it for p in expand_paths(paths) if is_archive(p) for it in iter_archive(p)]
    return sorted(items, key=lambda i: i.published or datetime.max.replace(tzinfo=UTC))


def order_documents(docs: Sequence[Document]) -> list[Document]:
    """Publication order. An undated document is dated by its relative references
    ("lundi", "yesterday") resolved against the latest date of the batch; one with no
    clue at all is taken for one of that day ("today"), first among its documents: not
    dated the day it is read (a seed of a saga years old would be its newest fact by
    years). A batch with no date at all keeps name order."""
    dated = [d.published.date() for d in docs if d.published]
    anchor: date | None = max(dated) if dated else None
    out = []
    for d in docs:
        if d.published is None and anchor is not None:
            est = estimate_undated(d.text, anchor)
            at = dtime(12, 0) if est is not None else dtime(0, 0)  # no clue: first that day
            d = replace(d, published=datetime.combine(est or anchor, at, UTC),
                        date_inferred=True)
        out.append(d)
    return sorted(
        out,
        key=lambda d: (
            d.published is not None,
            d.published or datetime.min.replace(tzinfo=UTC),
            d.date_inferred,
            d.source,
        ),
    )
