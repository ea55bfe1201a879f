"""Exam statistics: pure arithmetic on marks, no database and no Flask.

Definitions follow Moodle's quiz statistics report, so organizers who know Moodle read the
numbers the same way:

- standard deviation is the sample standard deviation (divides by n - 1);
- facility of a question = mean mark / maximum mark (0 = nobody scored, 1 = everyone full);
- discrimination of a question = the Pearson correlation, across attempts, of the question's
  mark with the mark of the *rest of the test* (total minus this question), i.e.
  cov(x, T - x) / sqrt(var(x) var(T - x)). Moodle prints it multiplied by 100. It is undefined
  (None) when either variance is 0, e.g. everyone scored the same on the question.

A question is flagged when its facility is above 0.95 (too easy) or below 0.2 (too hard) or its
discrimination is negative (good candidates did worse on it than weak ones).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

Number = int | float | Decimal

FACILITY_HIGH = 0.95
FACILITY_LOW = 0.2


def _floats(values: Sequence[Number]) -> list[float]:
    return [float(v) for v in values]


def mean(values: Sequence[Number]) -> float | None:
    xs = _floats(values)
    return math.fsum(xs) / len(xs) if xs else None


def median(values: Sequence[Number]) -> float | None:
    xs = sorted(_floats(values))
    n = len(xs)
    if not n:
        return None
    middle = n // 2
    return xs[middle] if n % 2 else (xs[middle - 1] + xs[middle]) / 2


def sample_variance(values: Sequence[Number]) -> float | None:
    xs = _floats(values)
    if len(xs) < 2:
        return None
    m = math.fsum(xs) / len(xs)
    return math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def standard_deviation(values: Sequence[Number]) -> float | None:
    variance = sample_variance(values)
    return math.sqrt(variance) if variance is not None else None


def correlation(xs: Sequence[Number], ys: Sequence[Number]) -> float | None:
    """Pearson's r of two equally long sequences; None when undefined."""
    a, b = _floats(xs), _floats(ys)
    if len(a) != len(b):
        raise ValueError("sequences differ in length")
    if len(a) < 2:
        return None
    ma, mb = math.fsum(a) / len(a), math.fsum(b) / len(b)
    covariance = math.fsum((x - ma) * (y - mb) for x, y in zip(a, b))
    va = math.fsum((x - ma) ** 2 for x in a)
    vb = math.fsum((y - mb) ** 2 for y in b)
    if va <= 0 or vb <= 0:
        return None
    return covariance / math.sqrt(va * vb)


def facility(marks: Sequence[Number], max_mark: Number) -> float | None:
    m = mean(marks)
    if m is None or not max_mark:
        return None
    return m / float(max_mark)


def discrimination(marks: Sequence[Number], totals: Sequence[Number]) -> float | None:
    """Moodle's discrimination index as a correlation (-1..1): item vs rest of the test."""
    rest = [float(t) - float(m) for m, t in zip(marks, totals, strict=True)]
    return correlation(marks, rest)


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None
    median: float | None
    standard_deviation: float | None
    minimum: float | None
    maximum: float | None


def summarize(values: Sequence[Number]) -> Summary:
    xs = _floats(values)
    return Summary(count=len(xs), mean=mean(xs), median=median(xs),
                   standard_deviation=standard_deviation(xs),
                   minimum=min(xs) if xs else None, maximum=max(xs) if xs else None)


@dataclass(frozen=True)
class Bin:
    lower: float
    upper: float
    count: int
    last: bool  # the last bin includes its upper bound

    @property
    def label(self) -> str:
        def fmt(value: float) -> str:
            return f"{value:g}"
        return f"{fmt(self.lower)}–{fmt(self.upper)}"


def histogram(values: Sequence[Number], *, maximum: Number, bins: int = 10) -> list[Bin]:
    """``bins`` equal bins over [0, maximum]: [lower, upper) each, the last one closed."""
    top = float(maximum)
    if bins < 1 or top <= 0:
        raise ValueError("need at least one bin and a positive maximum")
    width = top / bins
    counts = [0] * bins
    for value in _floats(values):
        index = min(bins - 1, max(0, int(value // width)))
        counts[index] += 1
    return [Bin(lower=round(i * width, 6), upper=round((i + 1) * width, 6), count=counts[i],
                last=i == bins - 1) for i in range(bins)]


@dataclass(frozen=True)
class ItemStats:
    key: object  # the caller's identifier of the question (e.g. its number)
    max_mark: float
    count: int
    mean: float | None
    facility: float | None
    discrimination: float | None

    @property
    def too_easy(self) -> bool:
        return self.facility is not None and self.facility > FACILITY_HIGH

    @property
    def too_hard(self) -> bool:
        return self.facility is not None and self.facility < FACILITY_LOW

    @property
    def negative_discrimination(self) -> bool:
        return self.discrimination is not None and self.discrimination < 0

    @property
    def flagged(self) -> bool:
        return self.too_easy or self.too_hard or self.negative_discrimination


def item_analysis(matrix: Sequence[Sequence[Number]], max_marks: Sequence[Number],
                  keys: Sequence[object] | None = None) -> list[ItemStats]:
    """Per-question statistics of a mark matrix: one row per attempt, one column per question.

    The total of an attempt is the sum of its row.
    """
    keys = list(keys) if keys is not None else list(range(1, len(max_marks) + 1))
    rows = [_floats(row) for row in matrix]
    for row in rows:
        if len(row) != len(max_marks):
            raise ValueError("every row needs one mark per question")
    totals = [math.fsum(row) for row in rows]
    result = []
    for j, max_mark in enumerate(max_marks):
        column = [row[j] for row in rows]
        result.append(ItemStats(
            key=keys[j], max_mark=float(max_mark), count=len(column), mean=mean(column),
            facility=facility(column, max_mark), discrimination=discrimination(column, totals)))
    return result
