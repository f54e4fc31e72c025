"""Replay: documents or feed archives through the daemon's own pipeline, simulated clock.

Inputs: text files or folders of them (seed articles), and feed-item archives (JSONL or
JSONL.gz, one ``{feed, title, summary, link, published, language}`` per line). Documents
are processed in publication order; an undated article gets a date from its content
(see :func:`order_documents`). The replay works on a scratch copy of the saga model, so a
demo never changes what the daemon knows.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from monitor.alerts import names_of
from monitor.alerts.console import format_alert
from monitor.config import Settings
from monitor.documents import (
    expand_paths,
    is_archive,
    iter_archive,
    order_documents,
    read_text_document,
)
from monitor.nlp import Analyzer
from monitor.pipeline import Outcome, Pipeline, document_from_item
from monitor.store import Store
from monitor.store.sagas import SagaStore
from monitor.types import Alert, Document, FeedItem, Verdict


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


def _scratch_copy(store: Store, sagas: Sequence[str], fresh: bool) -> Store:
    scratch = store.scoped(f"{store.keys.prefix}:replay:{uuid.uuid4().hex[:8]}")
    if not fresh:
        src, dst = SagaStore(store), SagaStore(scratch)
        for saga in sagas:
            src.copy_to(dst, saga)
    return scratch


@dataclass(frozen=True)
class _Entry:
    """One thing to replay, in time order: a text document, or a feed item."""

    published: datetime | None
    doc: Document | None = None
    item: FeedItem | None = None


def _entries(paths: Sequence[Path]) -> list[_Entry]:
    files = expand_paths(paths)
    docs = order_documents([read_text_document(p) for p in files if not is_archive(p)])
    entries = [_Entry(d.published, doc=d) for d in docs]
    archives = [p for p in files if is_archive(p)]
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


def _window(
    entries: list[_Entry], since: datetime | None, until: datetime | None
) -> list[_Entry]:
    """The entries published in [since, until); undated ones are always kept."""
    return [
        e for e in entries
        if e.published is None
        or ((since is None or e.published >= since) and (until is None or e.published < until))
    ]


def _documents(picked: Sequence[_Entry], fetcher: _Fetcher | None) -> list[Document]:
    """The documents of the picked entries: text files as they are, feed items as title +
    summary, or (``fetcher``) their downloaded article pages."""
    fetched = iter(
        fetcher.documents([e.item for e in picked if e.item is not None]) if fetcher else []
    )
    return [
        e.doc
        if e.doc is not None
        else (next(fetched) if fetcher else document_from_item(e.item))  # type: ignore[arg-type]
        for e in picked
    ]


def _replay_chunk(
    pipeline: Pipeline, chunk: Sequence[_Entry], summary: Summary, fetcher: _Fetcher | None,
    saga: str | None,
) -> None:
    """One batch of the replay, as the daemon runs a poll's new items: the prefilter
    picks the feed items each saga decides (text documents go to every saga), then the
    pipeline decides them on the items' own clock."""
    for e in chunk:
        summary.count_read(e.published)
    items = [e.item for e in chunk if e.item]
    pipeline.observe(items)
    chosen = pipeline.candidates(items)
    only = {it.id: sagas for it, sagas in chosen}
    picked = [e for e in chunk if e.doc is not None or (e.item and e.item.id in only)]
    summary.candidates += sum(1 for e in picked if e.item is not None)
    outcomes: list[Outcome] = []
    pipeline.process(_documents(picked, fetcher), saga=saga, clock=lambda d: d.published,
                     outcomes=outcomes, only=only)
    summary.add(outcomes)


def run_replay(
    settings: Settings,
    store: Store,
    paths: Sequence[Path],
    *,
    saga: str | None = None,
    all_sagas: bool = False,
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

    Against one saga (``saga``, by default the first), or with ``all_sagas`` against every
    saga of the config in one pass: each feed item is decided only by the sagas whose
    prefilter lets it through (text documents, by every saga), as in the daemon.
    """
    if all_sagas and saga is not None:
        raise ValueError("replay against one saga or all of them, not both")
    names = [x.name for x in settings.sagas] if all_sagas else [settings.saga(saga).name]
    entries = _window(_entries(paths), since, until)
    if speed:
        batch = 1

    out_f = output.open("w", encoding="utf-8") if output else None
    shown = names_of(settings)

    def emit(alerts: Sequence[Alert]) -> None:
        for a in alerts:
            echo(format_alert(a, shown))
            if out_f:
                out_f.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
                out_f.flush()

    scratch = _scratch_copy(store, names, fresh)
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
            _replay_chunk(pipeline, chunk, summary, fetcher, None if all_sagas else names[0])
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
