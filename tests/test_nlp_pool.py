"""NLP in worker processes: same analyses as in-process, in order, survives a dead worker.

One pool is shared by the module (each worker spends seconds loading spaCy); the test that
closes it runs last.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from monitor.config import NLPSettings
from monitor.documents import load_documents
from monitor.errors import NLPError
from monitor.extract import extract_html
from monitor.nlp import Analysis, Analyzer
from monitor.nlp_pool import PooledAnalyzer, TextAnalyzer, chunks, make_analyzer
from monitor.types import Document
from tests.conftest import REGEX_CACHE_DIR, subprocess_env

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "articles"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pool() -> Iterator[PooledAnalyzer]:
    # batch_size 2: a dozen documents make several chunks per worker
    p = PooledAnalyzer(workers=2, batch_size=2, regex_cache=REGEX_CACHE_DIR)
    yield p
    p.close()


def _page_doc(name: str) -> Document:
    page = extract_html((PAGES / name).read_text(encoding="utf-8"), "https://example.org/")
    assert page is not None and page.text
    return Document(
        id=name,
        title=page.title or "",
        text=page.text,
        source=str(PAGES / name),
        language=page.language,
    )


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    seeds = load_documents([ROOT / "seeds"])[:3]  # French
    pages = [_page_doc("en_openai_board.html"), _page_doc("fr_retour_altman.html")]
    headlines = [
        Document(id=f"h{i}", title=t, text="", source="test")
        for i, t in enumerate(
            [
                "Sam Altman returns as OpenAI CEO with a new board",
                "Emmett Shear named interim chief executive of OpenAI",
                "Microsoft hires Sam Altman and Greg Brockman",
                "Ilya Sutskever regrets his part in the board's decision",
                "Le conseil d'administration d'OpenAI limoge Sam Altman",
                "Satya Nadella says Microsoft remains committed to OpenAI",
                "Mira Murati, directrice technique, assure l'intérim",
            ]
        )
    ]
    return [*seeds, pages[0], *headlines, pages[1]]


def _same(a: Analysis, b: Analysis) -> None:
    assert a.sentences == b.sentences
    assert a.folded == b.folded
    assert a.extra == b.extra
    assert a.vectors.dtype == b.vectors.dtype == np.float32
    np.testing.assert_allclose(a.vectors, b.vectors, atol=1e-5)  # BLAS batch sizes
    np.testing.assert_allclose(a.lead, b.lead, atol=1e-5)


def test_chunks_share_the_text_evenly_and_keep_order() -> None:
    assert chunks([], 2, 64) == []
    assert chunks([5], 2, 64) == [range(0, 1)]
    # one long document then short ones: the long one alone, the rest together
    assert chunks([900, 100, 100, 100, 100, 100], 2, 64) == [range(0, 1), range(1, 6)]
    # 185 equal docs, at most 64 per chunk on average: 4 chunks of 46-47, not 64+64+57
    parts = chunks([1] * 185, 2, 64)
    assert len(parts) == 4 and {len(r) for r in parts} <= {46, 47}
    for weights in ([3, 1, 4, 1, 5, 9, 2, 6], [1] * 13, [10, 1]):
        for workers in (1, 2, 3):
            parts = chunks(weights, workers, 2)
            assert [i for r in parts for i in r] == list(range(len(weights)))
            assert all(len(r) > 0 for r in parts)


def test_pool_gives_the_in_process_analyses_in_order(
    pool: PooledAnalyzer, analyzer: Analyzer, docs: list[Document]
) -> None:
    pooled = pool.analyze(docs)
    expected = analyzer.analyze(docs)
    assert [a.doc.id for a in pooled] == [d.id for d in docs]
    assert all(a.doc is d for a, d in zip(pooled, docs, strict=True))  # the caller's objects
    for a, b in zip(pooled, expected, strict=True):
        _same(a, b)
    # both languages went through, with names found
    names = {m.text for a in pooled for s in a.sentences for m in s.mentions}
    assert {"Emmett Shear", "Greg Brockman", "Mira Murati"} <= names
    assert len(pool.worker_pids()) == 2
    assert pool.analyze([]) == []


def test_pool_gives_the_in_process_leads_in_order(
    pool: PooledAnalyzer, analyzer: Analyzer, docs: list[Document]
) -> None:
    leads = pool.leads(docs)
    assert leads.shape == (len(docs), 2, 512)
    np.testing.assert_allclose(leads, analyzer.leads(docs), atol=1e-5)
    assert pool.leads([]).shape == (0, 2, 512)


def test_vector_matches_in_process(pool: PooledAnalyzer, analyzer: Analyzer) -> None:
    text = "le conseil d'administration limoge le directeur général"
    np.testing.assert_array_equal(pool.vector(text), analyzer.vector(text))


def test_embeddings_match_in_process(pool: PooledAnalyzer, analyzer: Analyzer) -> None:
    """The novelty engine's headlines (``Engine._tells_other``) are embedded in a worker,
    as the analysis embeds a document's sentences."""
    texts = ["Jury finds not responsible for injuries", "le conseil limoge le directeur"]
    vecs = pool.embed(texts)
    assert vecs.shape == (2, 512)
    np.testing.assert_allclose(vecs, analyzer.embed(texts), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)


def test_killed_worker_is_replaced_and_the_batch_done(
    pool: PooledAnalyzer, analyzer: Analyzer, docs: list[Document], caplog: pytest.LogCaptureFixture
) -> None:
    before = pool.worker_pids()
    assert before
    os.kill(before[0], signal.SIGKILL)
    time.sleep(0.2)  # let the executor notice; a death mid-batch takes the same path
    batch = docs[3:8]
    pooled = pool.analyze(batch)
    for a, b in zip(pooled, analyzer.analyze(batch), strict=True):
        _same(a, b)
    assert "died" in caplog.text
    after = pool.worker_pids()
    assert after and not set(after) & set(before)


def test_a_worker_dying_twice_is_an_nlp_error() -> None:
    victim = PooledAnalyzer(workers=1, regex_cache=REGEX_CACHE_DIR)
    stop = threading.Event()
    killed: set[int] = set()

    def kill_every_worker() -> None:  # an OOM killer that never relents
        while not stop.is_set():
            for pid in victim.worker_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    killer = threading.Thread(target=kill_every_worker)
    killer.start()
    try:
        with pytest.raises(NLPError, match="died twice"):
            victim.analyze([Document(id="x", title="Sam Altman", text="", source="t")])
    finally:
        stop.set()
        killer.join()
        victim.close()
    assert len(killed) >= 2  # the first pool's worker, then the retry's
    assert not [p for p in multiprocessing.active_children() if p.pid in killed]


def test_make_analyzer_follows_workers_setting() -> None:
    in_process: TextAnalyzer = make_analyzer(NLPSettings(workers=0))
    assert isinstance(in_process, Analyzer)
    with make_analyzer(NLPSettings(workers=2, batch_size=8)) as pooled:  # type: ignore[union-attr]
        assert isinstance(pooled, PooledAnalyzer)
        assert (pooled.workers, pooled.batch_size) == (2, 8)
        assert pooled.worker_pids() == []  # nothing started before the first batch


def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    script = (
        "import os, signal, threading, time\n"
        "from monitor.nlp_pool import PooledAnalyzer\n"
        "if __name__ == '__main__':\n"
        "    p = PooledAnalyzer(workers=1)\n"
        "    threading.Thread(target=p.start, daemon=True).start()\n"
        "    while not p.worker_pids():\n"
        "        time.sleep(0.01)\n"
        "    time.sleep(0.5)\n"  # the worker is importing or loading the model
        "    print(*p.worker_pids(), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    (tmp_path / "parent.py").write_text(script, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(tmp_path / "parent.py")],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL
    pids = [int(x) for x in proc.stdout.split()]
    assert pids
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:  # an orphan is reparented to init (or a subreaper), which reaps it
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_close_leaves_no_child_processes(pool: PooledAnalyzer, docs: list[Document]) -> None:
    pool.analyze(docs[:2])
    pids = pool.worker_pids()
    assert pids
    pool.close()
    pool.close()  # idempotent
    assert pool.worker_pids() == []
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not [p for p in multiprocessing.active_children() if p.pid in pids]
    with pytest.raises(NLPError, match="closed"):
        pool.analyze(docs[:1])
