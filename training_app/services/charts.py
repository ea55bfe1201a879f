"""Geometry of simple bar charts, drawn as inline SVG by templates/_macros/charts.html.

The server computes every coordinate, so pages need no JavaScript and no inline style (the CSP
allows neither); the same markup goes into PDFs, which WeasyPrint renders natively.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]

    @property
    def label_y(self) -> float:
        return self.bottom + 14

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def _nice_step(maximum: int, max_ticks: int = 5) -> int:
    step = 1
    while maximum / step > max_ticks:
        for factor in (2, 5, 10):
            if maximum / (step * factor) <= max_ticks:
                return step * factor
        step *= 10
    return step


def bar_chart(labels: Sequence[str], counts: Sequence[int], *, width: int = 400,
              height: int = 200) -> BarChart:
    """A vertical bar chart of ``counts`` with ``labels`` under the bars."""
    if len(labels) != len(counts):
        raise ValueError("one label per count")
    left, right, top, bottom = 32.0, width - 8.0, 12.0, height - 24.0
    peak = max([*counts, 1])
    step = _nice_step(peak)
    axis_max = -(-peak // step) * step
    plot_height = bottom - top
    slot = (right - left) / max(len(counts), 1)
    bars = []
    for i, (label, count) in enumerate(zip(labels, counts)):
        bar_height = plot_height * count / axis_max
        bars.append(Bar(x=round(left + i * slot + slot * 0.15, 2),
                        y=round(bottom - bar_height, 2), width=round(slot * 0.7, 2),
                        height=round(bar_height, 2), label=label, count=count))
    ticks = tuple(Tick(y=round(bottom - plot_height * v / axis_max, 2), value=v)
                  for v in range(0, axis_max + 1, step))
    return BarChart(width=width, height=height, left=left, right=right, top=top, bottom=bottom,
                    bars=tuple(bars), ticks=ticks)
