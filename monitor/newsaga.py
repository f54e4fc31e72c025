"""Starting a saga in one command (``monitor saga add``): its seed documents gathered
into one seed folder, the model built from that folder as the daemon would at its first
start, and what was found said plainly.

Seeds may be text files (copied as they are), feed-item archives (JSONL, JSONL.gz: each
item becomes a text file from its title and summary, or from its article with
``--fetch``) and, with ``--fetch``, article URLs (through the article extractor). Every
seed ends up a text file of the folder, so the folder alone rebuilds the model.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.config import SagaSettings, Settings
from monitor.documents import expand_paths, is_archive, iter_archive
from monitor.errors import InputError
from monitor.saga import SagaModel, slug
from monitor.store import Store
from monitor.types import Document, FeedItem

if TYPE_CHECKING:
    from monitor.nlp_pool import TextAnalyzer

MAX_NAME_CHARS = 48
_NUMBERED = re.compile(r"^\d+_")  # "003_acme.txt": already numbered


@dataclass(frozen=True, slots=True)
class Sources:
    """What ``saga add`` was given, sorted by kind."""

    texts: tuple[Path, ...]
    items: tuple[FeedItem, ...]
    urls: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.texts) + len(self.items) + len(self.urls)


def is_url(arg: str) -> bool:
    return arg.lower().startswith(("http://", "https://"))


def sort_sources(args: Sequence[str], *, fetch: bool) -> Sources:
    urls = [a for a in args if is_url(a)]
    if urls and not fetch:
        raise InputError(f"{urls[0]} is a URL: add --fetch to download articles")
    files = expand_paths(Path(a) for a in args if not is_url(a))
    items = [it for p in files if is_archive(p) for it in iter_archive(p)]
    texts = tuple(p for p in files if not is_archive(p))
    return Sources(texts, tuple(items), tuple(urls))


def documents_of(
    sources: Sources, settings: Settings, store: Store, *, fetch: bool
) -> list[Document]:
    """The feed items and URLs as documents; with ``fetch``, from their article pages."""
    from monitor.extract import Articles, build_document

    items = [
        *sources.items,
        *(FeedItem(feed=u, title="", summary="", link=u, published=None) for u in sources.urls),
    ]
    if not fetch:
        return [build_document(it, None) for it in items]

    async def download() -> list[Document]:
        articles = Articles(settings, store)
        await articles.start()
        try:
            return await articles.documents(items)
        finally:
            await articles.stop()
            await store.aclose()  # its asyncio client (the article cache) dies with this loop

    docs = asyncio.run(download())
    empty = [d.url or d.source for d in docs if not d.text.strip()]
    if empty:
        raise InputError(f"no article text could be read from: {', '.join(empty)}")
    return docs


def as_text(doc: Document) -> str:
    """A seed file the seed loader reads back: "date" line, title, blank line, text."""
    head = f"date {doc.published.date().isoformat()}\n" if doc.published else ""
    body = doc.text.strip()
    title = doc.title.strip()
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    source = f"\n\nSource: {doc.url}\n" if doc.url else "\n"
    return f"{head}{body}{source}"


def write_seeds(sources: Sources, docs: Sequence[Document], dest: Path) -> list[Path]:
    """Copy the text files and write the other documents into ``dest``, numbered in the
    order given (names kept readable); returns the files written."""
    dest.mkdir(parents=True, exist_ok=True)
    taken = {p.name for p in dest.iterdir()}
    n = len(taken)
    written: list[Path] = []
    for src in sources.texts:
        target = dest / f"{n:03d}_{_NUMBERED.sub('', src.name)}"
        shutil.copyfile(src, target)
        written.append(target)
        n += 1
    for doc in docs:
        name = slug(doc.title or doc.url or doc.id)[:MAX_NAME_CHARS].strip("-") or doc.id
        target = dest / f"{n:03d}_{name}.txt"
        target.write_text(as_text(doc), encoding="utf-8")
        written.append(target)
        n += 1
    return written


def add_saga(
    settings: Settings,
    store: Store,
    saga: SagaSettings,
    sources: Sources,
    *,
    fetch: bool = False,
    reset: bool = False,
    analyzer: TextAnalyzer | None = None,
) -> tuple[list[Path], SagaModel]:
    """Write the seeds into ``saga.seed_dir`` and build the model from that folder, as the
    daemon does at its first start; returns the files written and the stored model."""
    from monitor.documents import load_documents
    from monitor.pipeline import Pipeline
    from monitor.store.sagas import SagaStore

    dest = saga.seed_dir
    version = SagaStore(store).version(saga.name)
    if version and not reset:
        raise InputError(
            f"saga {saga.name!r} already has a model (v{version}): --reset rebuilds it"
        )
    if dest.exists() and any(dest.iterdir()) and not reset:
        raise InputError(f"{dest} already holds seeds: --reset adds to them, or --seed-dir")
    written = write_seeds(sources, documents_of(sources, settings, store, fetch=fetch), dest)
    pipeline = Pipeline(with_saga(settings, saga), store, emit=lambda alerts: None,
                        analyzer=analyzer)
    model = pipeline.seed(load_documents([dest]), saga=saga.name, reset=reset)
    return written, model


def with_saga(settings: Settings, saga: SagaSettings) -> Settings:
    """``settings`` following ``saga`` too (replacing a saga of the same name)."""
    others = [s for s in settings.sagas if s.name != saga.name]
    return settings.model_copy(update={"sagas": [*others, saga]})


def config_lines(saga: SagaSettings) -> list[str]:
    return [
        "[[sagas]]",
        f'name = "{saga.name}"',
        f"title = {_toml_string(saga.title)}",
        f"seed_dir = {_toml_string(saga.seed_dir.as_posix())}",
    ]


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


def found_lines(model: SagaModel) -> list[str]:
    """What the seeds gave: the protagonists and the dated events."""
    protagonists = sorted(model.protagonists(), key=lambda a: (-a.in_events, a.name))
    out = [f"protagonists ({len(protagonists)}):"]
    for a in protagonists:
        aliases = sorted(set(a.aliases) - {a.name})
        role = f", {a.role}" if a.role else ""
        also = f" — also {', '.join(aliases)}" if aliases else ""
        out.append(f"  {a.name} ({a.kind}{role}; in {a.in_events} event(s)){also}")
    out.append(f"events ({len(model.events)}):")
    for e in model.timeline():
        out.append(f"  {e.date or 'undated'}  {e.statement}")
    return out


def warnings(model: SagaModel) -> list[str]:
    """Why the saga may find little: fewer than half of its seeds' headlines name one of
    its protagonists (``SagaModel.thinly_headlined``), so its reports will seldom name one."""
    thin = model.thinly_headlined()
    if thin is None:
        return []
    named, heads = thin
    names = ", ".join(sorted(a.name for a in model.protagonists())[:6])
    return [f"only {named} of its {heads} seed headlines name one of its protagonists "
            f"({names}): the reports that tell its story may name none of them and never be "
            "read; add a seed whose headline names the saga's main actor, or curated terms"]


def problems(model: SagaModel) -> list[str]:
    """Why the saga would find nothing: no protagonist, no event."""
    out = []
    if not model.protagonists():
        out.append("no protagonist (no document names a person or organisation it could keep)")
    if not model.events:
        out.append("no event (no document could be read as a dated report)")
    return out
