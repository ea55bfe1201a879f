"""Exam statistics against numbers worked out by hand (no database)."""
import math
from decimal import Decimal

import pytest

from training_app.services import charts, statistics

# Four papers, three questions worth 1, 1 and 2 points.
#
#          Q1  Q2  Q3   total
#   A       1   1   2     4
#   B       1   0   1     2
#   C       0   1   0     1
#   D       1   0   2     3
MATRIX = [[1, 1, 2], [1, 0, 1], [0, 1, 0], [1, 0, 2]]
MAX_MARKS = [1, 1, 2]


def test_summary_of_the_totals_by_hand():
    # totals 4, 2, 1, 3: mean 2.5; median (2 + 3) / 2 = 2.5;
    # squared deviations 2.25 + 0.25 + 2.25 + 0.25 = 5, sample variance 5 / 3, SD sqrt(5/3).
    summary = statistics.summarize([4, 2, 1, 3])
    assert summary.count == 4
    assert summary.mean == 2.5
    assert summary.median == 2.5
    assert summary.standard_deviation == pytest.approx(math.sqrt(5 / 3))
    assert (summary.minimum, summary.maximum) == (1, 4)
    assert statistics.median([5, 1, 3]) == 3
    assert statistics.standard_deviation([7]) is None
    assert statistics.summarize([]).mean is None


def test_item_analysis_matches_the_hand_computed_fixture():
    items = statistics.item_analysis(MATRIX, MAX_MARKS)
    # Facility = mean mark / max mark: Q1 3/4 / 1; Q2 2/4 / 1; Q3 (5/4) / 2.
    assert [i.facility for i in items] == [0.75, 0.5, 0.625]
    # Q1: marks 1,1,0,1 against rest-of-test 3,1,1,2.  Deviations from the means (0.75, 1.75):
    #   x: .25 .25 -.75 .25      rest: 1.25 -.75 -.75 .25
    #   sum x*rest = .3125 - .1875 + .5625 + .0625 = .75
    #   sum x^2 = .75, sum rest^2 = 2.75  ->  r = .75 / sqrt(.75 * 2.75) = sqrt(3/11)
    assert items[0].discrimination == pytest.approx(math.sqrt(3 / 11))
    assert items[0].discrimination == pytest.approx(0.522233, abs=1e-6)
    # Q2: marks 1,0,1,0 against rest 3,2,0,3 (means 0.5 and 2):
    #   x: .5 -.5 .5 -.5   rest: 1 0 -2 1   sum x*rest = .5 + 0 - 1 - .5 = -1
    #   sum x^2 = 1, sum rest^2 = 6  ->  r = -1 / sqrt(6)
    assert items[1].discrimination == pytest.approx(-1 / math.sqrt(6))
    assert items[1].discrimination == pytest.approx(-0.408248, abs=1e-6)
    # Q3: marks 2,1,0,2 against rest 2,1,1,1 (means 1.25 and 1.25):
    #   x: .75 -.25 -1.25 .75   rest: .75 -.25 -.25 -.25   sum x*rest = .75
    #   sum x^2 = 2.75, sum rest^2 = .75  ->  r = sqrt(3/11) again
    assert items[2].discrimination == pytest.approx(math.sqrt(3 / 11))
    assert [i.flagged for i in items] == [False, True, False]
    assert items[1].negative_discrimination and not items[1].too_easy


def test_flags_for_too_easy_too_hard_and_undefined_discrimination():
    # Q1 everyone full (facility 1 > 0.95, no variance: discrimination undefined);
    # Q2 one half-mark of 2 points in 4 papers (facility 0.0625 < 0.2).
    matrix = [[1, 0, 3], [1, 0, 1], [1, 0.5, 2], [1, 0, 0]]
    easy, hard, plain = statistics.item_analysis(matrix, [1, 2, 4])
    assert easy.facility == 1 and easy.too_easy and easy.discrimination is None and easy.flagged
    assert hard.facility == pytest.approx(0.0625) and hard.too_hard and hard.flagged
    assert plain.facility == pytest.approx(0.375) and not plain.too_easy and not plain.too_hard


def test_decimals_are_accepted_and_matrix_shape_checked():
    items = statistics.item_analysis([[Decimal("1.5"), Decimal(2)], [Decimal(0), Decimal(1)]],
                                     [Decimal(2), Decimal(2)], keys=[41, 42])
    assert [i.key for i in items] == [41, 42]
    assert items[0].facility == pytest.approx(0.375)
    with pytest.raises(ValueError):
        statistics.item_analysis([[1, 2], [1]], [2, 2])


def test_histogram_bins_cover_zero_to_the_full_marks():
    bins = statistics.histogram([0, 9.5, 10, 55, 99.5, 100, 100], maximum=100, bins=10)
    assert [b.count for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert bins[0].label == "0–10" and bins[-1].label == "90–100" and bins[-1].last
    assert sum(b.count for b in bins) == 7


def test_bar_chart_geometry_scales_to_the_highest_bar():
    chart = charts.bar_chart(["a", "b", "c"], [0, 5, 10], width=300, height=200)
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0 and heights[2] == pytest.approx(2 * heights[1])
    assert chart.bars[2].y == chart.top  # the tallest bar reaches the top of the plot
    assert [t.value for t in chart.ticks][-1] >= 10
    assert chart.total == 15
