"""Pipeline.candidates: one combined prefilter for every saga, rebuilt only when a saga's
terms change (pure: the sagas' prefilters are given, no NLP, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.pipeline import Pipeline
from monitor.prefilter import Prefilter
from monitor.types import FeedItem


def item(title: str) -> FeedItem:
    return FeedItem("f", title, "", f"https://x.example/{abs(hash(title))}", None)


def test_candidates_name_their_sagas_and_the_union_is_rebuilt_only_on_change(
    store,
    settings_factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    sagas = [
        {"name": "a", "seed_dir": str(tmp_path)},
        {"name": "b", "seed_dir": str(tmp_path)},
        {"name": "empty", "seed_dir": str(tmp_path)},
    ]
    p = Pipeline(
        settings_factory(tmp_path, sagas=sagas),
        store,
        analyzer=object(),  # type: ignore[arg-type]
        emit=lambda _: None,
    )
    filters: dict[str, Prefilter | None] = {
        "a": Prefilter.build(["Sam Altman", "~Greg"]),
        "b": Prefilter.build(["Greg Becker", "SVB"]),
        "empty": None,  # a saga whose model names nobody lets nothing through
    }
    monkeypatch.setattr(p, "prefilter", lambda saga=None: filters[saga])
    items = [item("Sam Altman and Greg Becker"), item("SVB fails"), item("Greg"), item("Rain")]
    chosen = p.candidates(items)
    assert [(it.title, sagas) for it, sagas in chosen] == [
        ("Sam Altman and Greg Becker", ("a", "b")),
        ("SVB fails", ("b",)),
    ]
    assert p.select(items) == [it for it, _ in chosen]
    combined = p.saga_prefilters()
    assert p.saga_prefilters() is combined  # the same terms: not rebuilt
    filters["b"] = Prefilter.build(["Greg Becker", "SVB", "Yellen"])
    assert p.saga_prefilters() is not combined
    assert [s for _, s in p.candidates([item("Yellen speaks")])] == [("b",)]


def test_seeds_are_read_in_the_order_given_however_fast() -> None:
    """Seeding dates each document by when it is read, and the engine decides them in
    that order (ties by document id). Two reads within one microsecond must not tie: the
    seed naming "X Medical Complex" before the one naming "X" alone would be read second
    one time in ten, and "X" become an actor of its own."""
    from itertools import pairwise

    from monitor.pipeline import _batch_clock
    from monitor.types import Document

    when = _batch_clock(None, None, live=False)
    doc = Document(id="d", title="t", text="x", url=None, source="s", published=None)
    times = [when(doc) for _ in range(2000)]
    assert all(a < b for a, b in pairwise(times))


def test_a_saga_seeded_on_a_country_finds_its_reports_in_every_language(
    store, settings_factory, analyzer, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """A volcano has no cast: before, the prefilter of such a saga knew only the names
    of its seeds' bodies and let most of its reports by."""
    from monitor.documents import load_documents

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for i, (title, body) in enumerate([
        ("Iceland declares state of emergency over volcanic eruption threat",
         "Powerful earthquakes rock the southwestern peninsula."),
        ("Quakes rock southwestern Iceland as volcanic eruption looms",
         "A state of emergency was declared on Friday after the earthquakes."),
        ("Iceland declares emergency over volcano eruption concerns",
         "Thousands are asked to leave a fishing town."),
    ]):
        (seeds / f"{i}.txt").write_text(f"date 2023-11-10\n{title}\n\n{body}\n")
    p = Pipeline(settings_factory(tmp_path, sagas=[{"name": "volcano", "seed_dir": str(seeds)}]),
                 store, analyzer=analyzer, emit=lambda _: None)
    p.seed(load_documents([seeds]), saga="volcano")
    pf = p.prefilter("volcano")
    assert pf is not None
    assert pf.match("Town in Iceland evacuated amid fears of eruption")
    assert pf.match("Islandia: erupcja wulkanu coraz bliżej, ewakuacja w Islandii")
    assert not pf.match("Quakes rock southwestern Peru")
