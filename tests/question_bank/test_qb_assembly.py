"""Paper assembly: standard paper, reproducibility, validation, personalisation."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from question_bank import (
    MULTIPLE_POLICIES,
    Question,
    assemble,
    load_demo_json,
    personalize,
    standard_blueprint,
    validate_blueprint,
)
from question_bank.assembly import Blueprint, BlueprintError, Paper, Section
from question_bank.scoring import score_item

DEMO = Path(__file__).resolve().parents[2].parent / "shared" / "demo" / "questions.json"


@cache
def demo() -> tuple[Question, ...]:
    return tuple(load_demo_json(DEMO))


def test_standard_blueprint() -> None:
    bp = standard_blueprint()
    assert [(s.type, s.count, s.points_each) for s in bp.sections] == [
        ("single", 20, Decimal("1.5")),
        ("multiple", 20, Decimal(2)),
        ("short", 3, Decimal(10)),
    ]
    assert [s.total_points for s in bp.sections] == [30, 40, 30]
    assert bp.total_points == 100 and bp.duration_minutes == 60 and bp.question_count == 43
    assert validate_blueprint(bp, demo()) == []


def test_standard_paper_from_demo_bank() -> None:
    paper = assemble(standard_blueprint(), demo(), seed=2024)
    assert len(paper.items) == 43 and paper.total_points == Decimal(100)
    assert [item.number for item in paper.items] == list(range(1, 44))
    assert Counter(item.question.type for item in paper.items) == {
        "single": 20,
        "multiple": 20,
        "short": 3,
    }
    assert len(set(paper.codes)) == 43
    assert any(item.question.tied_to_class for item in paper.items if item.question.type == "short")
    types = [item.question.type for item in paper.items]
    assert types == ["single"] * 20 + ["multiple"] * 20 + ["short"] * 3
    assert all(
        item.option_order == tuple(range(len(item.question.options))) for item in paper.items
    )
    assert paper.duration_minutes == 60


def test_master_paper_follows_manual_order() -> None:
    paper = assemble(standard_blueprint(), demo(), seed=7)
    for index in range(3):
        refs = [
            (i.question.manual_ref.chapter, i.question.manual_ref.section, i.question.code)  # type: ignore[union-attr]
            for i in paper.section_items(index)
        ]
        assert refs == sorted(refs)


def test_same_seed_same_paper_regardless_of_bank_order() -> None:
    first = assemble(standard_blueprint(), demo(), seed="班级-3")
    again = assemble(standard_blueprint(), list(reversed(demo())), seed="班级-3")
    assert first == again


def test_different_seeds_usually_differ() -> None:
    papers = {assemble(standard_blueprint(), demo(), seed=s).codes for s in range(20)}
    assert len(papers) >= 19


def test_every_seed_has_a_tied_short_answer() -> None:
    # Only Q01-Q03 are tied: without the rule about 1 paper in 20 would miss them all.
    for seed in range(60):
        paper = assemble(standard_blueprint(), demo(), seed=seed)
        assert any(i.question.tied_to_class for i in paper.section_items(2))


def test_fixed_codes_and_tag_draws() -> None:
    bp = Blueprint(
        sections=(
            Section(type="single", count=2, points_each=Decimal(5), codes=("S05", "S01")),
            Section(type="multiple", count=5, points_each=Decimal(10), tags=("四社联动",)),
            Section(type="short", count=1, points_each=Decimal(40), codes=("Q02",)),
        )
    )
    assert validate_blueprint(bp, demo()) == []
    paper = assemble(bp, demo(), seed=1)
    assert paper.codes[:2] == ("S05", "S01") and paper.codes[-1] == "Q02"
    assert all("四社联动" in i.question.tags for i in paper.section_items(1))
    assert [i.points for i in paper.items] == [5, 5] + [10] * 5 + [40]


def test_validation_messages() -> None:
    bp = Blueprint(
        sections=(
            Section(type="single", count=40, points_each=Decimal("1.5")),
            Section(
                type="multiple", count=2, points_each=Decimal("1.25"), codes=("M01", "S02", "X99")
            ),
            Section(type="short", count=1, points_each=Decimal(10), codes=("Q04",)),
            Section(type="essay", count=0, points_each=Decimal(1)),
        ),
        duration_minutes=0,
    )
    messages = validate_blueprint(bp, demo())
    for expected in [
        "考试时长必须大于0分钟",
        "第1部分（单选题）：需要40道题，题库中符合条件的只有29道",
        "第2部分（多选题）：每题分值1.25不是0.5的整数倍",
        "第2部分（多选题）：指定了3道题，但题量为2道",
        "第2部分（多选题）：题号“S02”是单选题，不能放在本部分",
        "第2部分（多选题）：题号“X99”在题库中不存在",
        "第4部分（essay）：未知题型“essay”",
        "第4部分（essay）：题量必须大于0",
        "试卷总分为72.5分（单选题60分 + 多选题2.5分 + 简答题10分 + essay0分），应为100分",
        "指定的简答题中没有紧扣本班的题目；至少需要一道与本次培训密切相关（紧扣本班）的简答题",
    ]:
        assert expected in messages
    assert messages.index(
        "第1部分（单选题）：需要40道题，题库中符合条件的只有29道"
    ) < messages.index("第2部分（多选题）：每题分值1.25不是0.5的整数倍")
    with pytest.raises(BlueprintError) as info:
        assemble(bp, demo(), seed=1)
    assert info.value.messages == messages


def test_tag_pool_too_small_and_expected_total_configurable() -> None:
    bp = Blueprint(
        sections=(
            Section(type="single", count=5, points_each=Decimal(2), tags=("荣誉", "试点工程")),
        ),
        expected_total=Decimal(10),
        require_tied_short=False,
    )
    assert validate_blueprint(bp, demo()) == [
        "第1部分（单选题）：需要5道题，题库中符合条件（标签：荣誉、试点工程）的只有1道"
    ]
    practice = Blueprint(
        sections=(Section(type="single", count=3, points_each=Decimal(1)),),
        expected_total=None,
        require_tied_short=False,
    )
    assert len(assemble(practice, demo(), seed=0).items) == 3


def test_tied_short_answer_rules() -> None:
    untied = [replace(q, tied_to_class=False) for q in demo()]
    assert validate_blueprint(standard_blueprint(), untied) == [
        "题库中没有可抽取的紧扣本班的简答题；至少需要一道与本次培训密切相关（紧扣本班）的简答题"
    ]
    no_short = Blueprint(sections=(Section(type="single", count=20, points_each=Decimal(5)),))
    assert validate_blueprint(no_short, demo()) == [
        "试卷没有简答题，至少需要一道与本次培训密切相关（紧扣本班）的简答题"
    ]


def test_overlapping_draws_share_the_pool_without_repeats() -> None:
    # Both sections draw singles; 30 exist: 20 + 10 fits, 20 + 11 does not.
    fits = Blueprint(
        sections=(
            Section(type="single", count=10, points_each=Decimal(5), tags=("四社联动", "标准化")),
            Section(type="single", count=20, points_each=Decimal("2.5")),
        ),
        require_tied_short=False,
    )
    assert validate_blueprint(fits, demo()) == []
    paper = assemble(fits, demo(), seed=3)
    assert len(set(paper.codes)) == 30
    too_many = replace(
        fits, sections=(fits.sections[0], replace(fits.sections[1], count=21)), expected_total=None
    )
    assert validate_blueprint(too_many, demo()) == [
        "几个抽题部分共用同一批题目，题库不够分配：共需要31道，只能凑出30道"
    ]


def test_duplicate_codes_in_bank_are_reported() -> None:
    bank = [*demo(), demo()[0]]
    assert "题库中题号“S01”重复出现2次" in validate_blueprint(standard_blueprint(), bank)


def test_paper_serialises_to_json_and_back() -> None:
    paper = personalize(assemble(standard_blueprint(), demo(), seed=5), seed="学员-17")
    data = json.loads(json.dumps(paper.to_dict(), ensure_ascii=False))
    assert Paper.from_dict(data) == paper
    assert Blueprint.from_dict(standard_blueprint().to_dict()) == standard_blueprint()


# -- personalize -------------------------------------------------------------------
def test_personalize_is_reproducible_and_keeps_sections() -> None:
    master = assemble(standard_blueprint(), demo(), seed=11)
    one = personalize(master, "学员-1")
    assert one == personalize(master, "学员-1")
    assert one != personalize(master, "学员-2")
    assert one.personal_seed == "学员-1" and one.seed == 11
    assert [i.number for i in one.items] == list(range(1, 44))
    for index in range(3):
        assert sorted(i.question.code for i in one.section_items(index)) == sorted(
            i.question.code for i in master.section_items(index)
        )
    assert one.codes != master.codes
    assert any(i.option_order != tuple(range(len(i.option_order))) for i in one.items)
    assert all(i.option_order == () for i in one.section_items(2))


def test_personalize_respects_blueprint_switches() -> None:
    bp = replace(standard_blueprint(), shuffle_questions=False, shuffle_options=False)
    master = assemble(bp, demo(), seed=1)
    assert personalize(master, 99).items == master.items


def test_displayed_options_map_back_to_original() -> None:
    item = personalize(assemble(standard_blueprint(), demo(), seed=4), seed=4).section_items(1)[0]
    q = item.question
    assert sorted(item.displayed_options) == sorted(q.options)
    for displayed, original in enumerate(item.option_order):
        assert item.displayed_options[displayed] == q.options[original]
    assert item.to_original(item.displayed_answer) == q.answer
    assert item.to_original([99, -1]) == ()


@settings(max_examples=60, deadline=None)
@given(master_seed=st.integers(0, 10**6), trainee=st.text(max_size=8), again=st.integers(0, 10**6))
def test_answering_displayed_key_scores_full_marks(
    master_seed: int, trainee: str, again: int
) -> None:
    paper = personalize(
        personalize(assemble(standard_blueprint(), demo(), master_seed), trainee), again
    )
    for item in paper.items:
        if item.question.type == "short":
            continue
        displayed_key = item.displayed_answer
        assert [item.displayed_options[d] for d in displayed_key] == [
            item.question.options[i]
            for i in sorted(item.to_original(displayed_key), key=item.option_order.index)
        ]
        for policy in MULTIPLE_POLICIES:
            assert score_item(item, displayed_key, policy) == item.points
        wrong = [d for d in range(len(item.option_order)) if d not in displayed_key]
        assert score_item(item, [*displayed_key, wrong[0]], "all_or_nothing") == 0


def test_fixed_code_conflicts() -> None:
    bp = Blueprint(
        sections=(
            Section(type="single", count=2, points_each=Decimal(25), codes=("S01", "S01")),
            Section(
                type="single", count=1, points_each=Decimal(20), codes=("S01",), tags=("政策",)
            ),
            Section(type="short", count=1, points_each=Decimal(30), codes=("Q01",)),
        )
    )
    assert validate_blueprint(bp, demo()) == [
        "第1部分（单选题）：题号“S01”重复（本部分已使用）",
        "第2部分（单选题）：不能同时指定题号和抽题标签",
        "第2部分（单选题）：题号“S01”重复（第1部分已使用）",
    ]


def test_fixed_questions_are_not_drawn_again() -> None:
    bp = Blueprint(
        sections=(
            Section(type="single", count=1, points_each=Decimal(40), codes=("S07",)),
            Section(type="single", count=29, points_each=Decimal(1)),
            Section(type="short", count=1, points_each=Decimal(31), tags=("本班主题",)),
        )
    )
    paper = assemble(bp, demo(), seed=8)
    assert len(set(paper.codes)) == 31 and paper.codes.count("S07") == 1
    assert paper.section_items(2)[0].question.tied_to_class
