"""Each saga's alerts kept for the pages (real embedded Redis)."""

from __future__ import annotations

from monitor.store import Store
from monitor.store.alertlog import AlertLog


def test_the_newest_alerts_of_a_saga_oldest_first_other_sagas_apart(store: Store) -> None:
    log = AlertLog(store)
    for n in range(5):
        log.append("a", f"a{n}", f'{{"id": "a{n}"}}')
    log.append("b", "b0", '{"id": "b0"}')
    assert log.recent("a", count=3) == ['{"id": "a2"}', '{"id": "a3"}', '{"id": "a4"}']
    assert log.recent("b") == ['{"id": "b0"}']
    assert log.recent("none") == []
