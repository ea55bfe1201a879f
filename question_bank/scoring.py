"""Scoring of objective questions, plus hints for human graders.

All arithmetic is ``Decimal`` and marks are multiples of 0.5, the grain
organizers use on paper: full marks are the question's points (themselves
validated to 0.5 steps), and partial credit is rounded *down* to the grain
so it never exceeds the share a policy promises.

Responses are sets of *original* option indices (the bank's order).  A
trainee's displayed choices are converted with
:meth:`question_bank.assembly.PaperItem.to_original` (or use
:func:`score_item`, which does it), so shuffled options can never be scored
against the wrong key.  Indices outside the question's options count as
wrong choices; duplicates are ignored.

Multiple-choice policies (:data:`MULTIPLE_POLICIES`, choose per exam):

``all_or_nothing`` (default, 全对才得分)
    full marks for exactly the key, otherwise 0.
``half_if_subset`` (少选得一半分，错选不得分)
    any wrong choice -> 0; a non-empty strict subset of the key -> half the
    points (rounded down to 0.5); exactly the key -> full marks.
``proportional`` (按比例得分)
    ``points × max(0, right − wrong) / len(key)``, rounded down to 0.5:
    each correct choice earns an equal share, each wrong choice cancels one
    share, never below 0 and never above the points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from .assembly import PaperItem
from .grading_hints import Hint, KeywordMatch, extract_keywords, highlight_spans, keyword_hints
from .model import Question
from .numbers import HALF, ZERO, floor_to_half, fmt_decimal, is_half_step, tidy, to_decimal
from .question_types import QUESTION_TYPES

__all__ = [
    "DEFAULT_POLICY",
    "MULTIPLE_POLICIES",
    "Hint",
    "KeywordMatch",
    "MultiplePolicy",
    "check_manual_mark",
    "extract_keywords",
    "highlight_spans",
    "keyword_hints",
    "score_item",
    "score_multiple",
    "score_objective",
    "score_single",
]

DEFAULT_POLICY = "all_or_nothing"


def _choices(response: Iterable[int]) -> frozenset[int]:
    return frozenset(response)


def score_single(key: Sequence[int], response: Iterable[int], points: Decimal) -> Decimal:
    """Full points when exactly the key's option is chosen, else 0."""
    return tidy(points) if _choices(response) == frozenset(key) and key else ZERO


class MultiplePolicy(Protocol):
    key: str
    label: str
    description: str

    def score(self, key: Sequence[int], response: Iterable[int], points: Decimal) -> Decimal: ...


@dataclass(frozen=True)
class _AllOrNothing:
    key: str = "all_or_nothing"
    label: str = "全对才得分"
    description: str = "选项与答案完全一致得满分，否则不得分"

    def score(self, key: Sequence[int], response: Iterable[int], points: Decimal) -> Decimal:
        return tidy(points) if _choices(response) == frozenset(key) and key else ZERO


@dataclass(frozen=True)
class _HalfIfSubset:
    key: str = "half_if_subset"
    label: str = "少选得一半分，错选不得分"
    description: str = "选错任何一项不得分；只选了部分正确项得一半分；全部选对得满分"

    def score(self, key: Sequence[int], response: Iterable[int], points: Decimal) -> Decimal:
        chosen, correct = _choices(response), frozenset(key)
        if not chosen or not correct or not chosen <= correct:
            return ZERO
        if chosen == correct:
            return tidy(points)
        return floor_to_half(points / 2)


@dataclass(frozen=True)
class _Proportional:
    key: str = "proportional"
    label: str = "按比例得分"
    description: str = "每选对一项得“分值÷正确项数”，每选错一项扣同样的分，最低0分"

    def score(self, key: Sequence[int], response: Iterable[int], points: Decimal) -> Decimal:
        chosen, correct = _choices(response), frozenset(key)
        if not correct:
            return ZERO
        net = len(chosen & correct) - len(chosen - correct)
        if net <= 0:
            return ZERO
        if net == len(correct):
            return tidy(points)
        return floor_to_half(points * net / len(correct))


MULTIPLE_POLICIES: dict[str, MultiplePolicy] = {
    policy.key: policy for policy in (_AllOrNothing(), _HalfIfSubset(), _Proportional())
}


def score_multiple(
    key: Sequence[int],
    response: Iterable[int],
    points: Decimal,
    policy: str | MultiplePolicy = DEFAULT_POLICY,
) -> Decimal:
    """Score a multiple-choice response under ``policy`` (a key or policy object)."""
    return _policy(policy).score(key, response, points)


def _policy(policy: str | MultiplePolicy) -> MultiplePolicy:
    if isinstance(policy, str):
        try:
            return MULTIPLE_POLICIES[policy]
        except KeyError:
            known = "、".join(MULTIPLE_POLICIES)
            raise ValueError(f"未知的多选题评分规则“{policy}”（可用：{known}）") from None
    return policy


def score_objective(
    question: Question,
    response: Iterable[int],
    policy: str | MultiplePolicy = DEFAULT_POLICY,
    points: Decimal | None = None,
) -> Decimal:
    """Machine score for a single or multiple choice question.

    ``points`` overrides the question's own points (a paper may weight a
    question differently).  Short answers raise ``ValueError``: they need a
    human grader (see :func:`keyword_hints`).
    """
    worth = question.points if points is None else to_decimal(points)
    qtype = QUESTION_TYPES.get(question.type)
    if qtype is None or not qtype.objective:
        raise ValueError(f"题目“{question.code}”不是客观题，需要人工评分")
    if question.type == "single":
        return score_single(question.answer, response, worth)
    return score_multiple(question.answer, response, worth, policy)


def score_item(
    item: PaperItem,
    displayed_response: Iterable[int],
    policy: str | MultiplePolicy = DEFAULT_POLICY,
) -> Decimal:
    """Score what a trainee ticked on their (possibly shuffled) paper."""
    return score_objective(item.question, item.to_original(displayed_response), policy, item.points)


def check_manual_mark(mark: Decimal | float | str, points: Decimal) -> list[str]:
    """Problems with a grader's mark for a short answer (Chinese; empty if fine)."""
    try:
        value = to_decimal(mark)
    except ValueError as exc:
        return [str(exc)]
    problems = []
    if value < 0:
        problems.append("得分不能为负数")
    if value > points:
        problems.append(f"得分不能超过本题分值{fmt_decimal(points)}分")
    if not is_half_step(value):
        problems.append(f"得分须为{fmt_decimal(HALF)}分的整数倍")
    return problems
