"""Pipeline.prefilter: a saga's prefilter is built again only when its terms change, not at
every new version of the model (most versions add events, stories or words, not names).
A real model stored in the real embedded Redis; no NLP."""

from __future__ import annotations

from pathlib import Path

from monitor.pipeline import Pipeline
from monitor.saga import Actor, SagaModel
from monitor.store.sagas import SagaStore
from monitor.types import FeedItem

AT = "2023-11-17T20:00:00+00:00"


def _save(sagas: SagaStore, model: SagaModel, kind: str) -> None:
    model.record(kind, "test", "test", AT)
    sagas.save(model, expected_version=sagas.version(model.name))
    model.pending.clear()


def test_prefilter_is_rebuilt_only_when_the_terms_change(
    store,  # type: ignore[no-untyped-def]
    settings_factory,
    tmp_path: Path,
) -> None:
    settings = settings_factory(tmp_path)
    saga = settings.sagas[0].name
    p = Pipeline(settings, store, analyzer=object(), emit=lambda _: None)  # type: ignore[arg-type]
    assert p.prefilter(saga) is None  # no model yet: nothing is a candidate

    sagas = SagaStore(store)
    model = SagaModel(name=saga)
    model.actors["sam-altman"] = Actor("sam-altman", "Sam Altman", "person", seeded=True)
    _save(sagas, model, "actor_added")
    first = p.prefilter(saga)
    assert first is not None and "Sam Altman" in {t.text for t in first.terms}
    assert p.prefilter(saga) is first  # same version

    model.docs_seen += 5  # a new version whose terms are the same
    _save(sagas, model, "docs_seen")
    assert p.prefilter(saga) is first
    combined = p.saga_prefilters()

    model.add_alias(model.actors["sam-altman"], "@sama", "test", AT)
    _save(sagas, model, "alias_added")
    second = p.prefilter(saga)
    assert second is not None and second is not first
    assert "@sama" in {t.text for t in second.terms}
    assert p.saga_prefilters() is not combined
    item = FeedItem("f", "a post by x.com/sama", "", "https://x.example/1", None)
    assert p.candidates([item]) == [(item, (saga,))]
