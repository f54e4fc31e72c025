"""The saga over time as a small SVG chart: reports per day as bars, alert days marked.

Geometry only (pure); ``templates/chart.svg`` draws it. A saga's dates may scatter (a
historical reference read as an event, an undated seed dated on the day it was read): the
chart shows the ``max_days`` window holding the most reports, and says how many it left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH = 600
HEIGHT = 120
TOP = 22  # room for the alert marks
BOTTOM = 2  # the day labels are the page's (readable at any width)
MAX_DAYS = 60
MIN_DAYS = 7  # a saga of two days still reads as days, not two wide blocks


@dataclass(frozen=True, slots=True)
class Bar:
    day: str
    count: int
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class Mark:
    day: str
    alerts: int
    x: float  # centre of the day's column


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    marks: tuple[Mark, ...]
    first_day: str
    last_day: str
    peak: int
    left_out: int  # reports dated outside the window shown

    @property
    def empty(self) -> bool:
        return not self.bars and not self.marks

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM


def _window(days: Mapping[date, int], max_days: int) -> tuple[date, date]:
    """The span of at most ``max_days`` days holding the most reports (earliest wins)."""
    ordered = sorted(days)
    best = (ordered[0], -1)
    for start in ordered:
        end = start + timedelta(days=max_days - 1)
        total = sum(n for d, n in days.items() if start <= d <= end)
        if total > best[1]:
            best = (start, total)
    start = best[0]
    last = max(d for d in ordered if d <= start + timedelta(days=max_days - 1))
    return start, last


def build_chart(
    reports: Mapping[str, int], alerts: Mapping[str, int], *, max_days: int = MAX_DAYS
) -> Chart:
    """``reports`` and ``alerts``: ISO day -> count."""
    weight: dict[date, int] = {}
    for counts in (reports, alerts):
        for d, n in _by_day(counts).items():
            weight[d] = weight.get(d, 0) + n
    if not weight:
        return Chart(WIDTH, HEIGHT, (), (), "", "", 0, 0)
    start, end = _window(weight, max_days)
    n_days = max(MIN_DAYS, (end - start).days + 1)
    end = start + timedelta(days=n_days - 1)
    col = (WIDTH - 2) / n_days
    plot_h = HEIGHT - TOP - BOTTOM
    inside = {d.isoformat(): n for d, n in _by_day(reports).items() if start <= d <= end}
    peak = max(inside.values(), default=0)
    bars = []
    for iso, n in sorted(inside.items()):
        if n <= 0:
            continue
        i = (date.fromisoformat(iso) - start).days
        h = max(2.0, plot_h * n / peak)
        gap = min(2.0, col * 0.2)
        bars.append(Bar(iso, n, round(1 + i * col + gap / 2, 2), round(TOP + plot_h - h, 2),
                        round(col - gap, 2), round(h, 2)))
    marks = []
    for iso, n in sorted(alerts.items()):
        d = date.fromisoformat(iso)
        if start <= d <= end and n > 0:
            marks.append(Mark(iso, n, round(1 + ((d - start).days + 0.5) * col, 2)))
    left_out = sum(reports.values()) - sum(inside.values())
    return Chart(WIDTH, HEIGHT, tuple(bars), tuple(marks), start.isoformat(), end.isoformat(),
                 peak, left_out)


def _by_day(counts: Mapping[str, int]) -> dict[date, int]:
    return {date.fromisoformat(k): v for k, v in counts.items()}
