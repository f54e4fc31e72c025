"""monitor/cycle.py: the poll cycle's summary line, as pure functions (a fake clock)."""

from __future__ import annotations

from monitor.cycle import CycleCounter, CycleSummary


def test_summary_line_reads_as_a_sentence() -> None:
    s = CycleSummary(
        feeds=312, not_modified=280, failed=3, new_items=41, candidates=6, alerts=1, duration_s=4.21
    )
    assert s.line() == (
        "cycle: 312 feeds (280 not modified, 3 failed), 41 new items, 6 candidates, "
        "1 alert in 4.2 s"
    )
    one = CycleSummary(1, 0, 0, 1, 1, 0, 0.0)
    assert one.line() == (
        "cycle: 1 feed (0 not modified, 0 failed), 1 new item, 1 candidate, 0 alerts in 0.0 s"
    )


def test_counter_sums_polls_and_batches_then_starts_over() -> None:
    now = [100.0]
    c = CycleCounter(clock=lambda: now[0])
    assert c.take() is None  # nothing polled: no line
    a = c.poll_started()
    now[0] = 101.0
    b = c.poll_started()
    now[0] = 103.5
    c.polled(started=b, failed=False, not_modified=False, new=5)
    c.batch(candidates=2, alerts=1)
    now[0] = 104.0
    c.polled(started=a, failed=True, not_modified=False, new=0)
    c.polled(started=c.poll_started(), failed=False, not_modified=True, new=0)
    assert c.take() == CycleSummary(3, 1, 1, 5, 2, 1, 4.0)
    assert c.take() is None
