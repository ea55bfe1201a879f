"""Question model, type registry, validation and the demo loader."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from question_bank import QUESTION_TYPES, ManualRef, Question, ScoringPoint, load_demo_json
from question_bank.numbers import floor_to_half, fmt_decimal, is_half_step, to_decimal
from question_bank.question_types import QuestionType, register, type_key_for, validate_question

DEMO = Path(__file__).resolve().parents[2].parent / "shared" / "demo" / "questions.json"


@cache
def demo() -> tuple[Question, ...]:
    return tuple(load_demo_json(DEMO))


def single(**changes: object) -> Question:
    base: dict[str, object] = {
        "code": "S99",
        "type": "single",
        "stem": "题干（　）。",
        "options": ("甲", "乙", "丙", "丁"),
        "answer": (1,),
        "points": Decimal("1.5"),
    }
    base.update(changes)
    return Question(**base)  # type: ignore[arg-type]


def short(**changes: object) -> Question:
    base: dict[str, object] = {
        "code": "Q99",
        "type": "short",
        "stem": "简述……",
        "points": Decimal(10),
        "reference_answer": "参考答案",
        "scoring_points": (ScoringPoint("要点一", Decimal(6)), ScoringPoint("要点二", Decimal(4))),
    }
    base.update(changes)
    return Question(**base)  # type: ignore[arg-type]


# -- demo loader ------------------------------------------------------------------
def test_demo_loads_66_valid_questions() -> None:
    questions = demo()
    assert len(questions) == 66
    assert Counter(q.type for q in questions) == {"single": 30, "multiple": 30, "short": 6}
    assert all(validate_question(q) == [] for q in questions)
    assert sum((q.points for q in questions), Decimal(0)) == Decimal(165)


def test_demo_field_mapping() -> None:
    by_code = {q.code: q for q in demo()}
    s01 = by_code["S01"]
    assert s01.points == Decimal("1.5") and isinstance(s01.points, Decimal)
    assert s01.answer == (2,) and s01.answer_letters == "C"
    assert s01.manual_ref == ManualRef(chapter=1, section=1, page=None, title="两个纲领性文件")
    assert s01.tags == ("国家政策", "社工意见")
    assert s01.difficulty == 1
    q03 = by_code["Q03"]
    assert q03.scoring_points[1] == ScoringPoint(
        "答出夯实社区平台（综合体、社区减负回归自治、标准化数字化手段）", Decimal("1.5")
    )
    assert sum((sp.score for sp in q03.scoring_points), Decimal(0)) == q03.points == 10
    assert Counter(len(q.answer) for q in demo() if q.type == "multiple") == {2: 7, 3: 17, 4: 6}


def test_demo_tied_to_class_comes_from_class_tag() -> None:
    assert [q.code for q in demo() if q.tied_to_class] == ["Q01", "Q02", "Q03"]
    other = load_demo_json(DEMO, class_tag="四社联动")
    assert {q.code for q in other if q.tied_to_class} >= {"Q02", "Q03"}
    assert not next(q for q in other if q.code == "Q01").tied_to_class


# -- model --------------------------------------------------------------------------
def test_to_dict_is_json_and_round_trips() -> None:
    for question in demo():
        data = json.loads(json.dumps(question.to_dict(), ensure_ascii=False))
        assert Question.from_dict(data) == question
    data = demo()[60].to_dict()
    assert data["points"] == "10" and data["scoring_points"][0]["score"] == "2"


def test_construction_coerces_lists_floats_and_tidies_decimals() -> None:
    q = Question(
        code="S1",
        type="single",
        stem="x",
        options=["a", "b"],
        answer=[0],
        points=1.5,  # type: ignore[arg-type]
        tags=["t"],
    )  # type: ignore[arg-type]
    assert q.options == ("a", "b") and q.answer == (0,) and q.tags == ("t",)
    assert q.points == Decimal("1.5") and str(q.points) == "1.5"
    assert (
        str(Question(code="x", type="short", stem="x", points=Decimal("10.0000000")).points) == "10"
    )
    assert hash(q) == hash(Question.from_dict(q.to_dict()))


def test_manual_ref_label() -> None:
    assert (
        ManualRef(3, 2, 15, "“七项二十五条”创建标准").label()
        == "第3章第2节 第15页《“七项二十五条”创建标准》"
    )
    assert ManualRef(title="两个纲领性文件").label() == "《两个纲领性文件》"
    assert ManualRef().is_empty


def test_decimal_helpers() -> None:
    assert to_decimal(1.1) == Decimal("1.1")
    assert to_decimal(" 2.5 ") == Decimal("2.5")
    for bad in ("abc", "NaN", "Infinity"):
        with pytest.raises(ValueError, match="不是有效的数字"):
            to_decimal(bad)
    with pytest.raises(ValueError, match="数值过大"):
        to_decimal("1e30")
    with pytest.raises(TypeError):
        to_decimal(True)
    assert fmt_decimal(Decimal("10.00")) == "10" and fmt_decimal(Decimal("0.750")) == "0.75"
    assert fmt_decimal(Decimal("1E+1")) == "10"
    assert is_half_step(Decimal("1.5")) and not is_half_step(Decimal("1.25"))
    assert floor_to_half(Decimal("0.75")) == Decimal("0.5") and floor_to_half(Decimal(3)) == 3


# -- registry and validation ---------------------------------------------------------
def test_registry_keys_and_labels() -> None:
    assert {k: t.label for k, t in QUESTION_TYPES.items()} == {
        "single": "单选",
        "multiple": "多选",
        "short": "简答",
    }
    assert QUESTION_TYPES["short"].objective is False
    assert [QUESTION_TYPES[k].default_points for k in ("single", "multiple", "short")] == [
        Decimal("1.5"),
        Decimal(2),
        Decimal(10),
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("单选", "single"),
        ("单选题", "single"),
        ("SINGLE", "single"),
        (" 多选 ", "multiple"),
        ("多项选择题", "multiple"),
        ("简答", "short"),
        ("essay", "short"),
        ("判断", None),
        ("", None),
    ],
)
def test_type_key_for(text: str, key: str | None) -> None:
    assert type_key_for(text) == key


def test_valid_questions_have_no_problems() -> None:
    assert validate_question(single()) == []
    assert validate_question(short()) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (single(answer=(0, 1)), "单选题只能有1个正确答案，现有2个"),
        (single(answer=()), "缺少答案"),
        (single(options=("甲",), answer=(0,)), "单选题至少需要2个选项，现有1个"),
        (single(answer=(4,)), "答案E不在选项范围内（共4个选项）"),
        (single(options=("甲", "甲", "丙")), "选项B与选项A内容重复"),
        (single(options=("甲", "", "丙")), "选项B为空"),
        (single(answer=(1, 1)), "答案中有重复的选项"),
        (single(type="multiple", points=Decimal(2)), "多选题至少需要2个正确答案，现有1个"),
        (
            single(type="multiple", options=("甲", "乙"), answer=(0, 1), points=Decimal(2)),
            "多选题至少需要3个选项，现有2个",
        ),
        (single(scoring_points=(ScoringPoint("x", Decimal("1.5")),)), "选择题不设评分要点"),
        (single(code=""), "缺少题号"),
        (single(stem="  "), "缺少题干"),
        (single(type=""), "缺少题型"),
        (single(type="judge"), "未知题型“judge”（可用：单选、多选、简答）"),
        (single(points=Decimal(0)), "分值必须大于0"),
        (single(points=Decimal("1.25")), "分值1.25不是0.5的整数倍"),
        (single(difficulty=5), "难度应为1、2或3，现为5"),
        (single(tags=("国家政策，社工",)), "标签“国家政策，社工”不能含逗号、顿号、分号或换行"),
        (single(tags=("a", "a")), "标签“a”重复"),
        (single(stem="含\x07响铃"), "文字中含有不可见的控制字符（U+0007）"),
        (single(manual_ref=ManualRef(chapter=0)), "教材章号应为正整数，现为0"),
        (short(reference_answer=""), "简答题缺少参考答案"),
        (short(options=("a",)), "简答题不应有选项"),
        (short(points=Decimal(8)), "评分要点分值合计10分，与题目分值8分不符"),
        (
            short(scoring_points=(ScoringPoint("多行\n要点", Decimal(10)),)),
            "第1条评分要点不能换行或含首尾空格",
        ),
    ],
)
def test_validation_messages(question: Question, expected: str) -> None:
    assert expected in validate_question(question)


def test_validation_reports_every_problem_at_once() -> None:
    problems = validate_question(single(code="", stem="", answer=(0, 7), difficulty=0))
    assert {
        "缺少题号",
        "缺少题干",
        "难度应为1、2或3，现为0",
        "答案H不在选项范围内（共4个选项）",
    } <= set(problems)


def test_registering_a_type_is_one_call() -> None:
    class TrueFalse(QuestionType):
        key = "truefalse"
        label = "判断"
        default_points = Decimal(1)

        def validate(self, question: Question) -> list[str]:
            return (
                []
                if question.options == ("对", "错") and len(question.answer) == 1
                else ["判断题选项应为“对”“错”"]
            )

    register(TrueFalse())
    try:
        assert type_key_for("判断题") == "truefalse"
        ok = Question(
            code="T1",
            type="truefalse",
            stem="x",
            options=("对", "错"),
            answer=(0,),
            points=Decimal(1),
        )
        assert validate_question(ok) == []
    finally:
        del QUESTION_TYPES["truefalse"]
