"""Replay: documents or feed archives through the daemon's own pipeline, simulated clock.

Inputs: text files or folders of them (seed articles), and feed-item archives (JSONL or
JSONL.gz, one ``{feed, title, summary, link, published, language}`` per line). Documents
are processed in publication order; an undated article gets a date from its content
(see :func:`order_documents`). The replay works on a scratch copy of the saga model, so a
demo never changes what the daemon knows.
"""

from __future__ import annotations

import gzip
import json
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


def read_text_document(path: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    title = _title(text) or path.stem
    day = document_date(text)
    published = datetime.combine(day, dtime(12, 0), UTC) if day else None
    return Document(
        id=short_hash(text),
        title=title,
        text=text.strip(),
        source=str(path),
        url=None,
        published=published,
        language=None,
    )


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
    read: int = 0
    relevant: int = 0
    alerts_by_kind: Counter[str] = field(default_factory=Counter)
    alerts_by_day: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    alerts: list[Alert] = field(default_factory=list)

    def add(self, outcomes: Iterable[Outcome]) -> None:
        for o in outcomes:
            self.read += 1
            if Verdict.IRRELEVANT not in o.verdicts:
                self.relevant += 1
            for a in o.alerts:
                self.alerts.append(a)
                self.alerts_by_kind[a.kind.value] += 1
                day = a.published.date().isoformat() if a.published else "undated"
                self.alerts_by_day[day] += 1

    def render(self) -> str:
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(self.alerts_by_kind.items())) or "none"
        lines = [
            f"replay: {self.read} documents, {self.relevant} relevant, "
            f"{sum(self.alerts_by_kind.values())} alerts ({kinds}) in {self.seconds:.1f}s"
        ]
        for day, n in sorted(self.alerts_by_day.items()):
            lines.append(f"  {day}: {n} alert(s)")
        return "\n".join(lines)


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
    batch: int = 64,
    analyzer: Analyzer | None = None,
) -> Summary:
    s = settings.saga(saga)
    files = expand_paths(paths)
    docs = [read_text_document(p) for p in files if not _is_archive(p)]
    docs += [document_from_item(i) for i in load_items([p for p in files if _is_archive(p)])]
    docs = order_documents(docs)
    if since:
        docs = [d for d in docs if d.published is None or d.published >= since]
    if until:
        docs = [d for d in docs if d.published is None or d.published < until]

    out_f = output.open("w", encoding="utf-8") if output else None

    def emit(alerts: Sequence[Alert]) -> None:
        for a in alerts:
            echo(format_alert(a))
            if out_f:
                out_f.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
                out_f.flush()

    scratch = _scratch_copy(store, s.name, fresh)
    summary = Summary()
    started = time.perf_counter()
    try:
        pipeline = Pipeline(settings, scratch, emit=emit, analyzer=analyzer)
        for i in range(0, len(docs), batch):
            chunk = docs[i : i + batch]
            outcomes: list[Outcome] = []
            pipeline.process(chunk, saga=s.name, clock=lambda d: d.published, outcomes=outcomes)
            summary.add(outcomes)
            summary.read += len(chunk) - len(outcomes)  # already-seen documents
    finally:
        scratch.drop_namespace()
        if out_f:
            out_f.close()
    summary.seconds = time.perf_counter() - started
    return summary
