"""Stable ids (issue 14): the reports of one development, processed in another order or
cut into other batches -- as a restart after a crash does with checkpointed items --, give
the same development id and one alert. Through the daemon's own path
(``Pipeline.process_items``: no simulated clock), on the session's seeded model and spaCy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import NEW_CHAIR, SAME_CHAIR

from monitor.pipeline import Pipeline
from monitor.store import Store
from monitor.types import Alert, AlertKind, FeedItem

AT = datetime(2023, 11, 22, 6, 10, tzinfo=UTC)
LATER = datetime(2023, 11, 22, 6, 11, tzinfo=UTC)


def report(feed: str, told: tuple[str, str], published: datetime) -> FeedItem:
    title, text = told
    return FeedItem(f"https://{feed}.example/rss", title, text,
                    f"https://{feed}.example/taylor", published, guid=f"{feed}-taylor")


Batches = Sequence[Sequence[FeedItem]]


@pytest.fixture
def process(
    redis_server: Store, seeded_model_json: dict[Any, bytes], settings_factory: Any,
    analyzer: Any, tmp_path: Path,
) -> Iterator[Callable[[Batches], list[Alert]]]:
    """``process(batches)``: the batches, one after the other, through a pipeline on a
    fresh copy of the seeded model; the alerts it emitted."""
    stores: list[Store] = []

    def run(batches: Batches) -> list[Alert]:
        store = redis_server.scoped(f"ids-{len(stores)}-{tmp_path.name}")
        stores.append(store)
        for key, blob in seeded_model_json.items():
            name = key.decode() if isinstance(key, bytes) else key
            store.redis.restore(store.keys.prefix + name[len("seeded-once"):], 0, blob,
                                replace=True)
        emitted: list[Alert] = []
        settings = settings_factory(tmp_path / f"p{len(stores)}")
        pipeline = Pipeline(settings, store, analyzer=analyzer, emit=emitted.extend)
        for batch in batches:
            pipeline.process_items(list(batch))
        return emitted

    yield run
    for store in stores:
        store.drop_namespace()


def development_ids(alerts: list[Alert]) -> list[str]:
    return [a.id for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]


@pytest.mark.slow
@pytest.mark.parametrize("ars_at", [LATER, AT], ids=["a-minute-apart", "equal-times"])
def test_one_batch_in_any_order_gives_one_development_under_one_id(
    process: Callable[[Batches], list[Alert]], ars_at: datetime
) -> None:
    """A batch is what a restart processes again when the crash came after its alert was
    queued and before the model was saved: whatever order the checkpoint hands its items
    back in, the alert is the one already queued (the outbox drops it by id)."""
    verge, ars = report("verge", NEW_CHAIR, AT), report("ars", SAME_CHAIR, ars_at)
    ids = {order: development_ids(process([items]))
           for order, items in (("verge first", [verge, ars]), ("ars first", [ars, verge]))}
    assert all(len(found) == 1 for found in ids.values()), ids
    assert ids["verge first"] == ids["ars first"], ids


@pytest.mark.slow
def test_batches_cut_otherwise_give_the_same_development_id(
    process: Callable[[Batches], list[Alert]],
) -> None:
    """One batch, or one report a batch in publication order: the development is named
    after its first report either way."""
    verge, ars = report("verge", NEW_CHAIR, AT), report("ars", SAME_CHAIR, LATER)
    together = development_ids(process([[ars, verge]]))
    apart = development_ids(process([[verge], [ars]]))
    assert len(together) == 1 and together == apart, (together, apart)


@pytest.mark.slow
def test_reports_arriving_in_reverse_batches_give_the_same_development_id(
    process: Callable[[Batches], list[Alert]],
) -> None:
    verge, ars = report("verge", NEW_CHAIR, AT), report("ars", SAME_CHAIR, LATER)
    in_order = development_ids(process([[verge], [ars]]))
    reversed_ = development_ids(process([[ars], [verge]]))
    assert len(in_order) == 1 and in_order == reversed_, (in_order, reversed_)
