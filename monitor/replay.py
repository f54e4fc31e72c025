"""Replay: documents or feed archives through the daemon's own pipeline, simulated clock.

Inputs: text files or folders of them (seed articles), and feed-item archives (JSONL or
JSONL.gz, one ``{feed, title, summary, link, published, language}`` per line). Documents
are processed in publication order; an undated article gets a date from its content
(see :func:`order_documents`). The replay works on a scratch copy of the saga model, so a
demo never changes what the daemon knows.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path

from monitor.alerts.console import format_alert
from monitor.config import Settings
from monitor.dates import document_date, estimate_undated
from monitor.errors import InputError
from monitor.nlp import Analyzer
from monitor.pipeline import Outcome, Pipeline, document_from_item
from monitor.store import Store
from monitor.types import Alert, Document, FeedItem, Verdict, short_hash

TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
ARCHIVE_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")


def _is_archive(p: Path) -> bool:
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
    if head:
        text = text[head.end() :]
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
    from monitor.extract import detect_language

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
                and (q.suffix.lower() in TEXT_SUFFIXES or _is_archive(q))
            )
            if not found:
                raise InputError(f"no documents in {p}")
            files += found
        else:
            files.append(p)
    return files


def load_documents(paths: Iterable[Path]) -> list[Document]:
    """Text documents from files and folders (archives are read by :func:`load_items`)."""
    docs = [read_text_document(p) for p in expand_paths(paths) if not _is_archive(p)]
    return order_documents(docs)


def count_entries(paths: Iterable[Path]) -> int:
    """How many documents and feed items ``paths`` hold (for a progress bar)."""
    n = 0
    for p in expand_paths(paths):
        if not _is_archive(p):
            n += 1
            continue
        opener = gzip.open if p.name.endswith(".gz") else open
        with opener(p, "rb") as f:  # type: ignore[operator]
            n += sum(1 for line in f if line.strip())
    return n


def load_items(paths: Iterable[Path]) -> list[FeedItem]:
    items = [it for p in expand_paths(paths) if _is_archive(p) for it in iter_archive(p)]
    return sorted(items, key=lambda i: i.published or datetime.max.replace(tzinfo=UTC))


def order_documents(docs: Sequence[Document]) -> list[Document]:
    """Publication order. An undated document is dated by its relative references
    ("lundi", "yesterday") resolved against the latest date of the batch; one with no clue
    at all goes first, in name order."""
    dated = [d.published.date() for d in docs if d.published]
    anchor: date | None = max(dated) if dated else None
    out = []
    for d in docs:
        if d.published is None and anchor is not None:
            est = estimate_undated(d.text, anchor)
            if est is not None:
                d = replace(
                    d, published=datetime.combine(est, dtime(12, 0), UTC), date_inferred=True
                )
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


@dataclass
class Summary:
    """What a replay did: items read, candidates, relevant, alerts by kind and by day."""

    read: int = 0
    candidates: int = 0
    relevant: int = 0
    alerts_by_kind: Counter[str] = field(default_factory=Counter)
    read_by_day: Counter[str] = field(default_factory=Counter)
    relevant_by_day: Counter[str] = field(default_factory=Counter)
    alerts_by_day: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    alerts: list[Alert] = field(default_factory=list)

    def count_read(self, when: datetime | None) -> None:
        self.read += 1
        self.read_by_day[_day(when)] += 1

    def add(self, outcomes: Iterable[Outcome]) -> None:
        for o in outcomes:
            if Verdict.IRRELEVANT not in o.verdicts:
                self.relevant += 1
                self.relevant_by_day[_day(o.doc.published)] += 1
            for a in o.alerts:
                self.alerts.append(a)
                self.alerts_by_kind[a.kind.value] += 1
                self.alerts_by_day[_day(a.published)] += 1

    def render(self) -> str:
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(self.alerts_by_kind.items())) or "none"
        rate = self.read / self.seconds if self.seconds else 0.0
        lines = [
            f"replay: {self.read} read, {self.candidates} candidates, {self.relevant} relevant, "
            f"{sum(self.alerts_by_kind.values())} alerts ({kinds}) in {self.seconds:.1f}s "
            f"({rate:,.0f} items/s)"
        ]
        days = sorted(self.read_by_day.keys() | self.alerts_by_day.keys())
        if len(days) > 1 or self.alerts_by_day:
            lines.append("  day         read  relevant  alerts")
            for day in days:
                lines.append(
                    f"  {day:<10} {self.read_by_day[day]:>6} {self.relevant_by_day[day]:>9} "
                    f"{self.alerts_by_day[day]:>7}"
                )
        return "\n".join(lines)


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "undated"


def _scratch_copy(store: Store, saga: str, fresh: bool) -> Store:
    scratch = store.scoped(f"{store.keys.prefix}:replay:{uuid.uuid4().hex[:8]}")
    if not fresh:
        src, dst = store.keys, scratch.keys
        r = store.redis
        for a, b in (
            (src.saga_model(saga), dst.saga_model(saga)),
            (src.saga_version(saga), dst.saga_version(saga)),
            (src.seen_docs(saga), dst.seen_docs(saga)),
            (src.saga_alerted(saga), dst.saga_alerted(saga)),
        ):
            if r.exists(a):
                r.copy(a, b)
    return scratch


@dataclass(frozen=True)
class _Entry:
    """One thing to replay, in time order: a text document, or a feed item."""

    published: datetime | None
    doc: Document | None = None
    item: FeedItem | None = None


def _entries(paths: Sequence[Path]) -> list[_Entry]:
    files = expand_paths(paths)
    docs = order_documents([read_text_document(p) for p in files if not _is_archive(p)])
    entries = [_Entry(d.published, doc=d) for d in docs]
    archives = [p for p in files if _is_archive(p)]
    entries += [_Entry(i.published, item=i) for p in archives for i in iter_archive(p)]
    # Stable: the documents' own order (inferred dates) survives among equal times.
    return sorted(
        entries,
        key=lambda e: (e.published is not None, e.published or datetime.min.replace(tzinfo=UTC)),
    )


class _Fetcher:
    """Article download for ``--fetch``: the daemon's :class:`Articles` stage, driven from
    this synchronous replay on one event loop."""

    def __init__(self, settings: Settings, store: Store) -> None:
        from monitor.extract import Articles

        self._runner = asyncio.Runner()
        self._articles = Articles(settings, store)
        self._runner.run(self._articles.start())

    def documents(self, items: Sequence[FeedItem]) -> list[Document]:
        return self._runner.run(self._articles.documents(items))

    def close(self) -> None:
        self._runner.run(self._articles.stop())
        self._runner.close()


def run_replay(
    settings: Settings,
    store: Store,
    paths: Sequence[Path],
    *,
    saga: str | None = None,
    fresh: bool = False,
    output: Path | None = None,
    echo: Callable[[str], None] = print,
    since: datetime | None = None,
    until: datetime | None = None,
    speed: float | None = None,
    fetch: bool = False,
    batch: int = 64,
    analyzer: Analyzer | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Replay documents and feed items in time order through the daemon's pipeline.

    Feed items go through the prefilter first, exactly as in the daemon; their text is
    title + summary unless ``fetch`` downloads the article pages. The clock is the items'
    own time: alerts are dated by it, and ``speed`` (N times real time) sleeps the gaps.
    ``progress`` is called with the number of entries done after each batch.
    """
    s = settings.saga(saga)
    entries = _entries(paths)
    if since:
        entries = [e for e in entries if e.published is None or e.published >= since]
    if until:
        entries = [e for e in entries if e.published is None or e.published < until]
    if speed:
        batch = 1

    out_f = output.open("w", encoding="utf-8") if output else None

    def emit(alerts: Sequence[Alert]) -> None:
        for a in alerts:
            echo(format_alert(a))
            if out_f:
                out_f.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
                out_f.flush()

    scratch = _scratch_copy(store, s.name, fresh)
    fetcher = _Fetcher(settings, scratch) if fetch else None
    summary = Summary()
    started = time.perf_counter()
    last: datetime | None = None
    try:
        pipeline = Pipeline(settings, scratch, emit=emit, analyzer=analyzer)
        for i in range(0, len(entries), batch):
            chunk = entries[i : i + batch]
            if speed and chunk[0].published:
                if last is not None:
                    time.sleep(max(0.0, (chunk[0].published - last).total_seconds()) / speed)
                last = chunk[0].published
            for e in chunk:
                summary.count_read(e.published)
            chosen = {id(it) for it in pipeline.select([e.item for e in chunk if e.item])}
            picked = [e for e in chunk if e.doc is not None or id(e.item) in chosen]
            summary.candidates += sum(1 for e in picked if e.item is not None)
            fetched = iter(
                fetcher.documents([e.item for e in picked if e.item is not None]) if fetcher else []
            )
            docs = [
                e.doc
                if e.doc is not None
                else (next(fetched) if fetcher else document_from_item(e.item))  # type: ignore[arg-type]
                for e in picked
            ]
            outcomes: list[Outcome] = []
            pipeline.process(docs, saga=s.name, clock=lambda d: d.published, outcomes=outcomes)
            summary.add(outcomes)
            if progress:
                progress(len(chunk))
    finally:
        if fetcher:
            fetcher.close()
        scratch.drop_namespace()
        if out_f:
            out_f.close()
    summary.seconds = time.perf_counter() - started
    return summary
