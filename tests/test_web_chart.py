"""The SVG chart's geometry: reports per day as bars, alert days marked."""

from __future__ import annotations

from monitor.web.chart import HEIGHT, MIN_DAYS, build_chart


def test_bars_scale_to_the_busiest_day_and_alerts_mark_their_day() -> None:
    c = build_chart({"2023-11-17": 4, "2023-11-18": 1, "2023-11-21": 2}, {"2023-11-18": 1})
    assert [(b.day, b.count) for b in c.bars] == [
        ("2023-11-17", 4), ("2023-11-18", 1), ("2023-11-21", 2)]
    tallest = max(c.bars, key=lambda b: b.h)
    assert tallest.day == "2023-11-17" and c.peak == 4
    assert all(b.y + b.h == c.bars[0].y + c.bars[0].h for b in c.bars)  # one baseline
    assert c.bars[0].x < c.bars[1].x < c.bars[2].x
    [mark] = c.marks
    day18 = c.bars[1]
    assert mark.day == "2023-11-18" and day18.x <= mark.x <= day18.x + day18.w
    assert (c.first_day, c.last_day) == ("2023-11-17", "2023-11-23")  # at least a week
    assert c.left_out == 0 and 0 < c.baseline < HEIGHT


def test_a_stray_date_far_away_is_left_out_and_counted() -> None:
    c = build_chart({"2023-11-17": 2, "2023-11-19": 3, "2026-12-02": 1}, {}, max_days=30)
    assert [b.day for b in c.bars] == ["2023-11-17", "2023-11-19"]
    assert c.left_out == 1 and c.first_day == "2023-11-17"


def test_a_long_saga_shows_one_column_a_day() -> None:
    reports = {f"2023-03-{d:02d}": 1 for d in range(1, 29)}
    c = build_chart(reports, {})
    assert len(c.bars) == 28 and (c.first_day, c.last_day) == ("2023-03-01", "2023-03-28")
    assert MIN_DAYS < 28


def test_nothing_dated_is_an_empty_chart() -> None:
    assert build_chart({}, {}).empty
