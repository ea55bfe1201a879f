"""Moodle answer weights (fractions) for choice questions.

GIFT (``~%50%``) and Moodle XML (``fraction="50"``) both describe a choice
question through per-option percentages, while this project only stores
*which* options are correct and leaves partial credit to a scoring policy
(:mod:`question_bank.scoring`).  This module translates in both directions
and says what cannot be represented.

Export convention: single choice = 100 for the key, 0 otherwise; multiple
choice = the correct options share 100 evenly, using Moodle's own list of
allowed fractions (33.33333 for three), and every wrong option gets -100 so
that Moodle, too, gives nothing to a trainee who ticks everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from ..numbers import fmt_decimal

__all__ = ["WRONG_MULTIPLE", "classify_multiple", "classify_single", "share_percent"]

HUNDRED = Decimal(100)
#: Fraction for a wrong option of a multiple-choice question.
WRONG_MULTIPLE = Decimal(-100)
# Positive values accepted by Moodle's question editor (question_bank::fraction_options).
_MOODLE_PERCENTS = [
    Decimal(v)
    for v in (
        "100",
        "90",
        "83.33333",
        "80",
        "75",
        "70",
        "66.66667",
        "60",
        "50",
        "40",
        "33.33333",
        "30",
        "25",
        "20",
        "16.66667",
        "14.28571",
        "12.5",
        "11.11111",
        "10",
        "5",
    )
]
# Sums and equal shares are compared with this slack, so hand-typed files
# with 33/33/34 or Moodle's 3 x 33.33333 = 99.99999 are accepted.
_TOLERANCE = Decimal(1)


def share_percent(correct_count: int) -> Decimal:
    """Percentage each of ``correct_count`` correct options gets (sums to ~100)."""
    exact = HUNDRED / Decimal(correct_count)
    for allowed in _MOODLE_PERCENTS:
        if abs(allowed - exact) < Decimal("0.0001"):
            return allowed
    return exact.quantize(Decimal("0.00001"), rounding=ROUND_HALF_EVEN)


def classify_single(weights: Sequence[Decimal]) -> tuple[tuple[int, ...], list[str]]:
    """Correct indices of a single-choice question and what cannot be kept.

    Only 100% marks the key; partial or negative weights are a Moodle scoring
    scheme this platform does not reproduce, so they are reported.
    """
    problems = []
    correct = tuple(i for i, w in enumerate(weights) if w >= HUNDRED)
    for w in weights:
        if w > HUNDRED or w < -HUNDRED:
            problems.append(f"选项权重{fmt_decimal(w)}%超出-100%到100%的范围")
        elif 0 < w < HUNDRED:
            problems.append(f"单选题不支持部分得分的选项（权重{fmt_decimal(w)}%）")
        elif w < 0:
            problems.append(f"单选题不支持倒扣分的选项（权重{fmt_decimal(w)}%）")
    return correct, problems


def classify_multiple(weights: Sequence[Decimal]) -> tuple[tuple[int, ...], list[str]]:
    """Correct indices (positive weight) of a multiple-choice question.

    Positive weights must share 100% (evenly, within rounding): unequal
    shares would mean option-specific credit, which scoring policies here
    do not model.  Zero or negative weights mark wrong options.
    """
    problems = []
    for w in weights:
        if w > HUNDRED or w < -HUNDRED:
            problems.append(f"选项权重{fmt_decimal(w)}%超出-100%到100%的范围")
    correct = tuple(i for i, w in enumerate(weights) if w > 0)
    positives = [weights[i] for i in correct]
    if positives:
        total = sum(positives, Decimal(0))
        if abs(total - HUNDRED) > _TOLERANCE:
            problems.append(f"多选题正确选项的权重之和应为100%，现为{fmt_decimal(total)}%")
        elif max(positives) - min(positives) > _TOLERANCE:
            shares = "、".join(f"{fmt_decimal(w)}%" for w in positives)
            problems.append(f"多选题各正确选项的权重应相同，现为{shares}")
    return correct, problems
