"""The one pipeline, used by the daemon and by ``monitor replay``::

    FeedItem -> prefilter.SagaPrefilters (title + summary against every saga's terms, in
                one look: the candidates, each with the sagas it is a candidate for)
             -> Document (the article text when the daemon downloaded it, else the summary)
    Document -> nlp.Analyzer (sentences, names, actions, vectors)
             -> match.decide against the model of each saga it is a candidate for
             -> alerts (emitted through one callable: sinks, or the durable outbox)
             -> match.apply_decision: the model grows with what was new, stored in Redis

The saga is data: a saga is a name, a seed folder and an optional curation file in config.

Several workers (processes, machines) may run this pipeline on one Redis. Their NLP runs
in parallel; their decisions on one saga are taken one at a time, under the saga's lock
(``store.lease.SagaLock``): read the model, decide, emit the alerts, save. Not optimistic
versioning alone: alerts are emitted *before* the model is saved (a crash in between must
not lose them), so a worker that lost the race would already have emitted the alert of a
stale decision -- two workers seeing two reports of one new development would open two
events and send two alerts. Under the lock the second reads the first's event and finds
its report known. The version check of the save stays, as a fence for a lock that expired
while held. The section is short (no NLP in it), so the lock costs little throughput.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from monitor import newsaga
from monitor.alerts import Dispatcher, build_sinks
from monitor.config import SagaSettings, Settings
from monitor.documents import load_documents, order_documents
from monitor.errors import ConflictError
from monitor.metrics import Metrics
from monitor.nlp import Analysis, Analyzer
from monitor.nlp_pool import TextAnalyzer
from monitor.novelty import Engine, Known, Placement, Skimmed, far, known_of, unseeded
from monitor.novelty.grow import seed_places
from monitor.novelty.stage import Headlines
from monitor.prefilter import Prefilter, SagaPrefilters, strip_html
from monitor.saga import Curation, SagaModel
from monitor.store import Store
from monitor.store.lease import SagaLock
from monitor.store.sagas import SagaStore
from monitor.store.stream import LINE_CHARS, SagaMentions, StreamText, line_of
from monitor.types import Alert, Document, FeedItem, Verdict, utcnow

log = logging.getLogger(__name__)

Emit = Callable[[Sequence[Alert]], object]


def document_from_item(item: FeedItem) -> Document:
    """A feed item as a document from its title and summary alone (no download)."""
    from monitor.extract import build_document

    return build_document(item, None)


@dataclass
class Outcome:
    """What happened to one document (for replay summaries and logs)."""

    doc: Document
    saga: str
    verdicts: frozenset[Verdict]
    alerts: list[Alert] = field(default_factory=list)
    known_events: tuple[str, ...] = ()  # ids of the known events it reports again


_VERDICTS = {
    Placement.IRRELEVANT: Verdict.IRRELEVANT,
    Placement.KNOWN: Verdict.KNOWN,
    Placement.JOINED: Verdict.KNOWN,
    Placement.NEW_STORY: Verdict.KNOWN,
    Placement.COMMENTARY: Verdict.KNOWN,
}


def _log_seeded(name: str, docs: int, model: SagaModel) -> None:
    """What the daemon says of a saga it seeded on its own: the figures, and why it may
    find little or nothing (``monitor seed`` and ``monitor saga add`` say it on the
    terminal, in the same words)."""
    log.info("seeded saga %s from %d documents: %d protagonists, %d events",
             name, docs, len(model.protagonists()), len(model.events))
    if not model.protagonists() or not model.events:
        log.error("saga %s: its seeds gave %d protagonists and %d events; it will find "
                  "nothing until it has both (add seed documents that name its actors)",
                  name, len(model.protagonists()), len(model.events))
        return
    for line in newsaga.warnings(model):
        log.warning("saga %s: %s", name, line)


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        analyzer: TextAnalyzer | None = None,
        emit: Emit | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.sagas = SagaStore(store)
        self.analyzer: TextAnalyzer = analyzer or Analyzer(
            settings.nlp.model,
            batch_size=settings.nlp.batch_size,
            max_chars=settings.nlp.max_chars,
            regex_cache=settings.data_dir / settings.nlp.regex_cache_dir,
        )
        self.emit: Emit = emit or Dispatcher(build_sinks(settings)).emit
        self.metrics = metrics
        # The last model each saga was read or written at, with its version: a batch
        # re-reads the stored model only when another process changed it (the version
        # counter says so), instead of parsing the whole model twice per batch.
        self._models: dict[str, tuple[int, SagaModel]] = {}
        # The prefilter of each saga, with the terms it was built from and the model
        # version they were read at.
        self._prefilters: dict[str, tuple[int, tuple[str, ...], Prefilter | None]] = {}
        # The sagas' prefilters combined, with the prefilters it was built of.
        self._combined: tuple[tuple[tuple[str, Prefilter], ...], SagaPrefilters] | None = None
        # Each saga's known events' vectors, unpacked (its centroid: what it is about),
        # reused by the next batch while the saga holds the same events.
        self._known: dict[str, Known] = {}
        # The text of every feed item read, of each saga's relevant reports, and of the
        # items near it in meaning that it turned down, by day: how often the stream names
        # a newcomer (``novelty.actors.elsewhere``) or a quiet actor (``Engine._aside``).
        self._stream = StreamText(store)
        self._said: dict[str, StreamText] = {}
        self._near: dict[str, StreamText] = {}
        # Each saga's quiet actors judged named mostly elsewhere, by actor and day
        # (``Engine._aside``): a judgement a day, not one a batch.
        self._aside: dict[str, dict[tuple[str, date], bool]] = {}
        # Each saga's headlines embedded without its topic (``Engine._tells_other``).
        self._embedded: dict[str, Headlines] = {}

    # -- models ------------------------------------------------------------------
    def _saga(self, name: str | None) -> SagaSettings:
        return self.settings.saga(name)

    def load_model(self, saga: str | None = None) -> SagaModel:
        s = self._saga(saga)
        return self.sagas.load(s.name, s.title)

    def history(self, saga: str | None = None) -> list:  # type: ignore[type-arg]
        return self.sagas.history(self._saga(saga).name)

    def _current(self, s: SagaSettings) -> tuple[int, SagaModel | None]:
        """The stored version of the saga and its model (None: no model yet). The model
        is this process's own copy: whoever changes it must save it or call ``_forget``."""
        version = self.sagas.version(s.name)
        if not version:
            return 0, None
        cached = self._models.get(s.name)
        if cached is None or cached[0] != version:
            cached = (version, self.sagas.load(s.name, s.title))
            self._models[s.name] = cached
        return cached

    def _forget(self, saga: str) -> None:
        self._models.pop(saga, None)

    def _fresh_model(self, s: SagaSettings, now: datetime) -> SagaModel:
        model = SagaModel(name=s.name, title=s.title)
        model.apply_curation(Curation.load(s.curation), now.isoformat())
        return model

    def seed(
        self,
        docs: Sequence[Document],
        *,
        saga: str | None = None,
        reset: bool = False,
        now: datetime | None = None,
    ) -> SagaModel:
        """Build (or extend) the saga model from documents, without alerts."""
        s = self._saga(saga)
        if reset:
            self.sagas.reset(s.name)
        self.process(order_documents(docs), saga=s.name, quiet=True, now=now)
        model = self.load_model(s.name)
        version = model.version
        at = (now or utcnow()).isoformat()
        model.apply_curation(Curation.load(s.curation), at)
        seed_places(model, at)
        fresh = [a for a in model.actors.values() if not a.seeded]
        for actor in fresh:
            actor.seeded = True
        if fresh:
            model.record("seeded", f"{len(fresh)} actor(s) known from the seeds", "seed", at)
        if model.pending:
            self.sagas.save(model, expected_version=version)
        return model

    def ensure_seeded(self) -> list[str]:
        """Seed each saga from its seed_dir when it has no model: the first start, or Redis
        came back empty (one GET per saga when there is one). Returns the sagas seeded."""
        seeded = []
        for s in self.settings.sagas:
            if self.sagas.version(s.name) == 0:
                seeded.append(s.name)
                docs = load_documents([s.seed_dir])
                model = self.seed(docs, saga=s.name)
                _log_seeded(s.name, len(docs), model)
        return seeded

    # -- processing ----------------------------------------------------------------
    def prefilter(self, saga: str | None = None) -> Prefilter | None:
        """The saga's prefilter, rebuilt only when its terms changed (read again only when
        the stored model's version moved); None for an empty model."""
        s = self._saga(saga)
        version, model = self._current(s)
        cached = self._prefilters.get(s.name)
        if cached is not None and cached[0] == version:
            return cached[2]
        terms = tuple(model.prefilter_terms()) if model is not None else ()
        if cached is not None and cached[1] == terms:
            self._prefilters[s.name] = (version, terms, cached[2])
            return cached[2]
        pf = Prefilter.build(list(terms), self.settings.prefilter) if terms else None
        self._prefilters[s.name] = (version, terms, pf)
        log.debug("prefilter for saga %s at version %d: %r", s.name, version, pf)
        return pf

    def saga_prefilters(self) -> SagaPrefilters:
        """Every saga's prefilter in one (:class:`SagaPrefilters`), rebuilt when some
        saga's terms changed."""
        filters = tuple(
            (s.name, pf) for s in self.settings.sagas if (pf := self.prefilter(s.name))
        )
        # Prefilters compare by identity: prefilter() hands out the same one until the
        # saga's terms change.
        if self._combined is None or self._combined[0] != filters:
            self._combined = (filters, SagaPrefilters(dict(filters)))
        return self._combined[1]

    def candidates(self, items: Sequence[FeedItem]) -> list[tuple[FeedItem, tuple[str, ...]]]:
        """The candidates among ``items``, each with the sagas whose prefilter lets it
        through (every saga decides as its own prefilter would). A saga whose model names
        nobody lets nothing through (it was reported at seeding): an empty model never
        makes every item a candidate. Costs microseconds an item, however many sagas."""
        combined = self.saga_prefilters()
        chosen = [(it, sagas) for it in items if (sagas := combined.sagas_for(it))]
        if self.metrics:
            self.metrics.items.labels("filtered").inc(len(items) - len(chosen))
        return chosen

    def observe(self, items: Sequence[FeedItem]) -> None:
        """Count every feed item read (title and summary) into the stream's text, the
        candidates and the others alike: who the news at large names."""
        now = utcnow()
        self._stream.append(
            # the summary's start: its markup stripped, the line's worth of text is left
            (it.published or now, line_of(it.title, strip_html(it.summary[:4 * LINE_CHARS])))
            for it in items
        )

    def select(self, items: Sequence[FeedItem]) -> list[FeedItem]:
        """The candidates among ``items``: those some saga's prefilter lets through."""
        return [it for it, _ in self.candidates(items)]

    def process_items(
        self,
        items: Sequence[FeedItem],
        *,
        now: datetime | None = None,
        clock: Callable[[Document], datetime | None] | None = None,
        outcomes: list[Outcome] | None = None,
    ) -> list[Alert]:
        """Feed items through the prefilter, then the candidates (title + summary) through
        the pipeline. The daemon downloads article text in between (see daemon.py)."""
        self.observe(items)
        chosen = self.candidates(items)
        docs = [document_from_item(i) for i, _ in chosen]
        only = {i.id: sagas for i, sagas in chosen}
        return self.process(docs, now=now, clock=clock, outcomes=outcomes, only=only)

    def process(
        self,
        docs: Sequence[Document],
        *,
        saga: str | None = None,
        quiet: bool = False,
        now: datetime | None = None,
        clock: Callable[[Document], datetime | None] | None = None,
        outcomes: list[Outcome] | None = None,
        only: Mapping[str, Collection[str]] | None = None,
        turn: Callable[[], None] | None = None,
    ) -> list[Alert]:
        """Run documents through every saga (or one); emit and return the new alerts.

        ``turn``: called between the NLP and the decisions; returns when this batch may be
        decided (a pipeline worker decides in the intake stream's order, ``monitor.intake``).

        ``only`` (document id -> saga names, from :meth:`candidates`): a document in it
        is decided against those sagas alone, never against a saga whose prefilter did
        not let it through; a document not in it, against every saga.

        The language picks the path: French, English and Polish (``extract.languages``,
        what the lexicons read) go through NLP and matching; a document declared in
        another language is skipped as irrelevant rather than misread."""
        unreadable = [d for d in docs if not self._readable(d)]
        if unreadable:
            if outcomes is not None:
                outcomes.extend(
                    Outcome(d, s.name, frozenset({Verdict.IRRELEVANT}))
                    for d in unreadable
                    for s in ([self._saga(saga)] if saga else self.settings.sagas)
                    if only is None or s.name in only.get(d.id, (s.name,))
                )
            docs = [d for d in docs if self._readable(d)]
        if not docs:
            return []
        started = time.perf_counter()
        sagas = [self._saga(saga)] if saga else list(self.settings.sagas)
        todo: dict[str, list[Document]] = {}
        for s in sagas:
            mine = [d.id for d in docs if only is None or s.name in only.get(d.id, (s.name,))]
            unseen = self.sagas.unseen(s.name, mine)
            if unseen:
                todo[s.name] = [d for d in docs if d.id in unseen]
        if not todo:
            return []
        todo_ids = {n: {d.id for d in t} for n, t in todo.items()}
        pending = [d for d in docs if any(d.id in ids for ids in todo_ids.values())]
        far = {} if quiet else self._far(pending, [s for s in sagas if s.name in todo])
        need = [d for d in pending
                if any(d.id in ids and d.id not in far.get(n, {}) for n, ids in todo_ids.items())]
        by_id = {a.doc.id: a for a in self.analyzer.analyze(need)} if need else {}
        if turn is not None:
            turn()  # a worker's batch waits for the older ones to be decided
        alerts: list[Alert] = []
        for s in sagas:
            if s.name not in todo:
                continue
            with SagaLock(self.store, s.name, self.settings.pipeline.saga_lock_ttl_s).held():
                # Another worker may have done some of them since (an entry taken over
                # from a worker that was slow, not dead): each document changes a model once.
                still = self.sagas.unseen(s.name, [d.id for d in todo[s.name]])
                undone = [d for d in todo[s.name] if d.id in still]
                judged = far.get(s.name, {})
                skimmed = [Skimmed(d, judged[d.id]) for d in undone if d.id in judged]
                near = [by_id[d.id] for d in undone if d.id not in judged]
                alerts += self._decide(s, near, skimmed, quiet=quiet, now=now, clock=clock,
                                       outcomes=outcomes)
        if self.metrics:
            self.metrics.pipeline_seconds.observe(time.perf_counter() - started)
        return alerts

    def _decide(
        self,
        s: SagaSettings,
        near: Sequence[Analysis],
        skimmed: Sequence[Skimmed],
        *,
        quiet: bool,
        now: datetime | None,
        clock: Callable[[Document], datetime | None] | None,
        outcomes: list[Outcome] | None,
    ) -> list[Alert]:
        """One saga's decisions on a batch, under its lock (see :meth:`process`). The
        version check of the save stays as a fence: a worker whose lock expired while it
        held it (frozen past ``saga_lock_ttl_s``) reads the model again and decides again."""
        for attempt in range(5):
            try:
                return self._process_saga(s, near, skimmed=skimmed, quiet=quiet, now=now,
                                          clock=clock, outcomes=outcomes)
            except ConflictError:
                if attempt == 4:
                    raise
                log.info("saga %s changed under us, retrying", s.name)
        return []

    def _far(self, docs: Sequence[Document],
             sagas: Sequence[SagaSettings]) -> dict[str, dict[str, np.ndarray | None]]:
        """For each saga, the documents too far from it to be relevant, told from their
        lead and title embeddings alone: far from what it is about (``novelty.far``;
        None), or near it but below the seeds' report floor (``novelty.unseeded``; their
        rows, to count the talk of the saga's names). Most candidates of a prefilter are,
        and the full analysis costs ten times more."""
        knowns: dict[str, Known] = {}
        for s in sagas:
            _, model = self._current(s)
            if model is None:
                continue
            known = self._known[s.name] = known_of(model, self._known.get(s.name))
            if len(known.rows):
                knowns[s.name] = known
        if not knowns:
            return {}
        leads = self.analyzer.leads(docs)
        out: dict[str, dict[str, np.ndarray | None]] = {}
        for name, k in knowns.items():
            distant = far(leads, k.centroid, self.settings.novelty).tolist()
            below = unseeded(leads, k.seed_centroid, k.seed_typical, self.settings.novelty)
            out[name] = {d.id: None if is_far else leads[i]
                         for i, (d, is_far, low) in enumerate(
                             zip(docs, distant, below.tolist(), strict=True))
                         if is_far or low}
        return out

    def _readable(self, doc: Document) -> bool:
        lang = (doc.language or "").split("-")[0].lower()
        return not lang or lang in self.settings.extract.languages

    def _process_saga(
        self,
        s: SagaSettings,
        analyses: Sequence[Analysis],
        *,
        skimmed: Sequence[Skimmed] = (),
        quiet: bool,
        now: datetime | None,
        clock: Callable[[Document], datetime | None] | None,
        outcomes: list[Outcome] | None,
    ) -> list[Alert]:
        version, stored = self._current(s)
        model = stored if stored is not None else self._fresh_model(s, now or utcnow())
        self._forget(s.name)  # changed from here on: kept again once saved
        said = self._said.setdefault(s.name, StreamText(self.store, s.name))
        near = self._near.setdefault(s.name, StreamText(self.store, s.name, "near"))
        mentions = SagaMentions(self._stream, said, near)
        engine = Engine(model, self.settings.novelty, self._known.get(s.name), mentions,
                        self._aside.setdefault(s.name, {}), self.analyzer.embed,
                        self._embedded.setdefault(s.name, Headlines()))
        self._known[s.name] = engine.known
        results = engine.run(
            analyses, skimmed=skimmed, seeding=quiet, clock=_batch_clock(clock, now, live=not quiet)
        )
        alerts: list[Alert] = []
        local_outcomes = [Outcome(sk.doc, s.name, frozenset({Verdict.IRRELEVANT}))
                          for sk in skimmed]
        for r in results:
            alerts += r.alerts
            verdicts = {_VERDICTS[r.placement]} | {Verdict(a.kind.value) for a in r.alerts}
            local_outcomes.append(
                Outcome(r.doc, s.name, frozenset(verdicts), r.alerts, r.known_events)
            )
            if self.metrics:
                for v in verdicts:
                    self.metrics.decisions.labels(v.value).inc()
        # Alerts go out (to the durable outbox, idempotent by id) before the documents are
        # recorded as done: a crash in between reprocesses them, and the same ids are
        # dropped by the outbox. The other order would lose the alerts.
        seen = self.sagas.alerted(s.name, [a.id for a in alerts])
        fresh = list({a.id: a for a, was in zip(alerts, seen, strict=True) if not was}.values())
        if fresh and not quiet:
            self.emit(fresh)
        self.sagas.mark_alerted(s.name, [a.id for a in fresh])
        if model.pending or engine.changed:
            if not model.pending:  # reports and counts only: a new version, no history
                model.version += 1
            self.sagas.save(model, expected_version=version)
            self._models[s.name] = (model.version, model)
        elif stored is not None:
            self._models[s.name] = (version, model)
        mentions.flush()  # once saved: a batch decided again after a conflict counts once
        self.sagas.mark_seen_many(
            s.name,
            {
                d.id: d.published.timestamp() if d.published else time.time()
                for d in [*(an.doc for an in analyses), *(sk.doc for sk in skimmed)]
            },
        )
        if outcomes is not None:
            outcomes.extend(local_outcomes)
        if self.metrics:
            self.metrics.model_version.labels(s.name).set(model.version)
            for a in fresh:
                self.metrics.alerts.labels(a.kind.value).inc()
        return fresh


_TICK = timedelta(microseconds=1)


def _batch_clock(
    clock: Callable[[Document], datetime | None] | None, now: datetime | None, *, live: bool
) -> Callable[[Document], datetime]:
    """When each document of a batch happened, for the engine (which decides them in that
    order, ties by document id): the simulated ``clock`` of a replay, else ``now``, else
    -- ``live`` -- the document's publication time, never later than the batch's start
    (seeding: the time it is read, in the order given). Live, the order is then the same
    whatever order the items came in: a restart that processes checkpointed items again
    (a crash after an alert was queued, before the model was saved) opens the same
    stories and gives the same alert ids."""
    started = now or utcnow()
    read = started - _TICK

    def when(doc: Document) -> datetime:
        nonlocal read
        simulated = clock(doc) if clock else None
        if simulated is not None:
            return simulated
        if now is not None:
            return now
        if not live:  # seeding: read in the order given; two reads in one microsecond
            read = max(utcnow(), read + _TICK)  # would be ordered by their ids instead
            return read
        return min(doc.published, started) if doc.published else started

    return when
