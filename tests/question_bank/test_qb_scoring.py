"""Objective scoring policies (property-based) and grader mark checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from question_bank import MULTIPLE_POLICIES, Question, score_objective
from question_bank.numbers import is_half_step
from question_bank.scoring import check_manual_mark, score_multiple, score_single

POLICIES = sorted(MULTIPLE_POLICIES)
_points = st.integers(min_value=1, max_value=40).map(lambda n: Decimal(n) / 2)


@st.composite
def keyed(draw: st.DrawFn) -> tuple[int, tuple[int, ...], frozenset[int]]:
    """(option count, key, response) with any response over the options (plus strays)."""
    n = draw(st.integers(3, 8))
    key = tuple(sorted(draw(st.sets(st.integers(0, n - 1), min_size=2, max_size=n))))
    response = draw(st.sets(st.integers(-1, n + 1), max_size=n + 2))
    return n, key, frozenset(response)


def question(key: tuple[int, ...], n: int, points: Decimal) -> Question:
    return Question(
        code="M1",
        type="multiple",
        stem="x",
        options=tuple(f"选项{i}" for i in range(n)),
        answer=key,
        points=points,
    )


def test_policy_registry() -> None:
    assert POLICIES == ["all_or_nothing", "half_if_subset", "proportional"]
    assert MULTIPLE_POLICIES["half_if_subset"].label == "少选得一半分，错选不得分"
    for policy in MULTIPLE_POLICIES.values():
        assert policy.key and policy.label and policy.description


@given(keyed(), _points, st.sampled_from(POLICIES))
def test_score_within_bounds_and_half_steps(
    case: tuple[int, tuple[int, ...], frozenset[int]], points: Decimal, policy: str
) -> None:
    _n, key, response = case
    score = score_multiple(key, response, points, policy)
    assert isinstance(score, Decimal)
    assert Decimal(0) <= score <= points
    assert is_half_step(score)


@given(keyed(), _points, st.sampled_from(POLICIES))
def test_exact_answer_gets_full_marks(
    case: tuple[int, tuple[int, ...], frozenset[int]], points: Decimal, policy: str
) -> None:
    n, key, _ = case
    assert (
        score_objective(question(key, n, points), list(reversed(key)) + [key[0]], policy) == points
    )


@given(keyed(), _points, st.sampled_from(["all_or_nothing", "half_if_subset"]))
def test_any_wrong_choice_gets_zero(
    case: tuple[int, tuple[int, ...], frozenset[int]], points: Decimal, policy: str
) -> None:
    _n, key, response = case
    if response - set(key):
        assert score_multiple(key, response, points, policy) == 0


@given(keyed(), _points)
def test_all_or_nothing_needs_exact_key(
    case: tuple[int, tuple[int, ...], frozenset[int]], points: Decimal
) -> None:
    _n, key, response = case
    expected = points if response == frozenset(key) else Decimal(0)
    assert score_multiple(key, response, points, "all_or_nothing") == expected


@given(keyed(), st.integers(1, 20).map(Decimal), st.data())
def test_half_if_subset_gives_exactly_half(
    case: tuple[int, tuple[int, ...], frozenset[int]], points: Decimal, data: st.DataObject
) -> None:
    _n, key, _ = case
    subset = data.draw(st.sets(st.sampled_from(key), min_size=1, max_size=len(key) - 1))
    assert score_multiple(key, subset, points, "half_if_subset") == points / 2
    assert score_multiple(key, set(), points, "half_if_subset") == 0


def test_half_if_subset_rounds_down_to_half_steps() -> None:
    assert score_multiple((0, 1, 2), {0}, Decimal("1.5"), "half_if_subset") == Decimal("0.5")
    assert score_multiple((0, 1, 2), {0}, Decimal(2), "half_if_subset") == Decimal(1)
    assert score_multiple((0, 1, 2), {0, 3}, Decimal(2), "half_if_subset") == 0


@given(keyed(), _points, st.data())
def test_proportional_is_monotone(
    case: tuple[int, tuple[int, ...], frozenset[int]], points: Decimal, data: st.DataObject
) -> None:
    n, key, response = case
    base = score_multiple(key, response, points, "proportional")
    missing_right = [i for i in key if i not in response]
    if missing_right:
        more = response | {data.draw(st.sampled_from(missing_right))}
        assert score_multiple(key, more, points, "proportional") >= base
    wrong_options = [i for i in range(n) if i not in key and i not in response]
    if wrong_options:
        worse = response | {data.draw(st.sampled_from(wrong_options))}
        assert score_multiple(key, worse, points, "proportional") <= base


def test_proportional_definition() -> None:
    key = (0, 1, 2, 3)
    assert score_multiple(key, {0, 1}, Decimal(2), "proportional") == 1  # 2 × 2/4
    assert score_multiple(key, {0, 1, 2}, Decimal(2), "proportional") == Decimal("1.5")
    assert score_multiple(key, {0, 1, 4}, Decimal(2), "proportional") == Decimal(
        "0.5"
    )  # 2 × (2−1)/4
    assert score_multiple(key, {0, 4}, Decimal(2), "proportional") == 0
    assert score_multiple((0, 1, 2), {0}, Decimal(2), "proportional") == Decimal(
        "0.5"
    )  # 0.666… rounded down


@given(st.integers(2, 6), st.data(), _points)
def test_single_choice(n: int, data: st.DataObject, points: Decimal) -> None:
    key = data.draw(st.integers(0, n - 1))
    q = Question(
        code="S1",
        type="single",
        stem="x",
        options=tuple(str(i) for i in range(n)),
        answer=(key,),
        points=points,
    )
    assert score_objective(q, [key]) == points
    other = data.draw(st.sets(st.integers(0, n - 1)).filter(lambda s: s != {key}))
    assert score_objective(q, other) == 0
    assert score_single((key,), [key], points) == points


def test_points_override_and_errors() -> None:
    q = question((0, 1), 4, Decimal(2))
    assert score_objective(q, [0, 1], points=Decimal(4)) == 4
    essay = Question(code="Q1", type="short", stem="x", points=Decimal(10), reference_answer="y")
    with pytest.raises(ValueError, match="不是客观题"):
        score_objective(essay, [])
    with pytest.raises(ValueError, match="未知的多选题评分规则"):
        score_objective(q, [0], policy="generous")


@pytest.mark.parametrize(
    ("mark", "problems"),
    [
        ("7.5", []),
        (0, []),
        (Decimal(10), []),
        ("-1", ["得分不能为负数"]),
        (10.5, ["得分不能超过本题分值10分"]),
        ("7.25", ["得分须为0.5分的整数倍"]),
        ("七分", ["“七分”不是有效的数字"]),
    ],
)
def test_check_manual_mark(mark: object, problems: list[str]) -> None:
    assert check_manual_mark(mark, Decimal(10)) == problems  # type: ignore[arg-type]
