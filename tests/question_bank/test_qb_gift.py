"""GIFT import/export: Moodle syntax, extension comments, line-numbered errors."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from question_bank import (
    ImportFailed,
    ImportIssue,
    ManualRef,
    Question,
    ScoringPoint,
    load_demo_json,
)
from question_bank.formats import gift

DEMO = Path(__file__).resolve().parents[2].parent / "shared" / "demo" / "questions.json"


@cache
def demo() -> tuple[Question, ...]:
    return tuple(load_demo_json(DEMO))


def parse(text: str) -> list[Question]:
    return gift.parse(text.encode("utf-8"))


def issues_of(text: str) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        parse(text)
    return [str(issue) for issue in info.value.issues]


def test_round_trip_all_demo_questions() -> None:
    data = gift.dump(demo())
    assert gift.parse(data) == list(demo())


def test_export_uses_moodle_syntax_and_extension_comments() -> None:
    text = gift.dump(demo()).decode("utf-8")
    assert (
        "::S01::《关于加强社会工作专业人才队伍建设的意见》的文号是（　）。{\n\t~中组发〔2012〕5号"
        in text
    )
    assert "\t=中组发〔2011〕25号\n" in text
    assert "~%33.33333%" in text and "~%50%" in text and "~%25%" in text and "~%-100%" in text
    assert "// @tied-to-class: yes\n// @scoring-point: 2 | 答出共7项25条" in text
    assert "\t####（1）创建标准共7项25条" in text


def test_moodle_style_file_with_comments_category_and_escapes() -> None:
    text = """// 从 Moodle 导出
// question: 12  name: S1
$CATEGORY: $course$/top/默认

// question: 13
::S1::[html]<p>文号是 \\{ 几 \\} 号\\: 选 <b>一</b></p>{
  =中组发\\#5号
  ~国办发
  ~%0%%50%以上 // not a comment: only whole lines are
}

::M1::下列正确的有（　）。{~%50%甲 ~%50%乙 ~%-50%丙 ~丁}

// @points: 12.5
// @scoring-point: 12.5 | 要点和反斜杠\\\\
::Q1:: 简述……
{
####参考答案第一行\\n第二行
}
"""
    s1, m1, q1 = parse(text)
    assert s1 == Question(
        code="S1",
        type="single",
        stem="文号是 { 几 } 号: 选 一",
        points=Decimal("1.5"),
        options=("中组发#5号", "国办发", "%50%以上 // not a comment: only whole lines are"),
        answer=(0,),
    )
    assert m1.type == "multiple" and m1.answer == (0, 1) and m1.options == ("甲", "乙", "丙", "丁")
    assert m1.points == 2
    assert q1.type == "short" and q1.points == Decimal("12.5") and q1.stem == "简述……"
    assert q1.reference_answer == "参考答案第一行\n第二行"
    assert q1.scoring_points == (ScoringPoint("要点和反斜杠\\", Decimal("12.5")),)


def test_extension_comments_fill_extra_fields() -> None:
    text = """// @points: 3
// @difficulty: 3
// @tag: 四社联动
// @tags: 标准化、政策
// @ref-chapter: 4
// @ref-section: 1
// @ref-page: 15
// @ref-title: 由来
// @tied-to-class: 是
::S1::题{=甲 ~乙 ####因为教材第15页}
"""
    (q,) = parse(text)
    assert q.points == 3 and q.difficulty == 3 and q.tags == ("四社联动", "标准化", "政策")
    assert q.manual_ref == ManualRef(4, 1, 15, "由来") and q.tied_to_class
    assert q.reference_answer == "因为教材第15页"


def test_unsupported_constructs_reported_with_lines() -> None:
    text = """::N1::数值题 {#3:0.5}

::P1::匹配题 {
=潍坊 -> 山东
=曲靖 -> 云南
}

::T1::判断题 {T}

::T2::判断题 {FALSE#反馈}

::F1::填空题 {=四社联动 =四社}

::W1::“四社联动” {~是 =不是} 的简称。

::D1::只有说明文字

::C1::两个答案 {=甲 ~乙} 和 {=丙 ~丁}

::B1::只有左括号 {=甲 ~乙
"""
    assert issues_of(text) == [
        "第1行：不支持数值题（{#…}）",
        "第3行：不支持匹配题（{=… -> …}）",
        "第8行：不支持判断题（{T}/{F}）",
        "第10行：不支持判断题（{T}/{F}）",
        "第12行：不支持填空题（只有“=”答案、没有“~”干扰项）；选择题的错误选项请用“~”标注",
        "第14行：不支持填空式（missing word）题目：答案部分“{…}”后面还有文字",
        "第16行：没有答案部分“{…}”：不支持只有文字的说明题；如果文字中有花括号，请写成“\\{”“\\}”",
        "第18行：一道题只能有一个答案部分“{…}”（不支持完形填空）",
        "第20行：花括号“{”“}”不配对；如果文字中有花括号，请写成“\\{”“\\}”",
    ]


def test_many_problems_reported_at_once_with_lines() -> None:
    text = """// @points: abc
// @color: red
::S1::单选有部分分 {
=甲
~%50%乙
~丙
}

::S2::选项反馈 {=甲#对了 ~乙}

::M1::权重不够 {~%40%甲 ~%40%乙 ~%-100%丙}

::M2::权重不等 {~%70%甲 ~%30%乙 ~丙}

::M3::只有一个正确项 {~%100%甲 ~乙 ~丙}

::S3::{=甲 ~乙}

::S1::重复题号 {=甲 ~乙}

// @difficulty: 2

::Q1::简答没有参考答案 {}

::S4::错误权重 {=甲 ~%abc%乙}
"""
    assert issues_of(text) == [
        "第1行：扩展字段“@points”：“abc”不是有效的数字",
        (
            "第2行：未知的扩展字段“@color”（可用：@difficulty、@points、@ref-chapter、@ref-page、@ref-section、"
            "@ref-title、@scoring-point、@tag、@tags、@tied-to-class）"
        ),
        "第3行：单选题不支持部分得分的选项（权重50%）",
        "第9行：不支持选项反馈（“#”后面的内容）；如果文字中有“#”，请写成“\\#”",
        "第11行：多选题正确选项的权重之和应为100%，现为80%",
        "第13行：多选题各正确选项的权重应相同，现为70%、30%",
        "第15行：多选题至少需要2个正确答案，现有1个",
        "第17行：缺少题干",
        "第19行：题号“S1”重复（第3行已使用）",
        "第21行：扩展字段“// @…”后面没有题目（注释与题目之间不能有空行）",
        "第23行：简答题缺少参考答案",
        "第25行：选项权重“abc”格式错误，应为如“%50%”的百分数",
    ]


def test_missing_title_and_category_without_blank_line() -> None:
    assert issues_of("没有题号的题 {=甲 ~乙}\n") == ["第1行：缺少题号"]
    assert issues_of("$CATEGORY: a\n::S1::x{=甲 ~乙}\n") == [
        "第1行：“$CATEGORY:”行与后面的题目之间需要空一行"
    ]
    assert issues_of("::S1 没有结尾 {=甲 ~乙}\n") == ["第1行：题目名称缺少结尾的“::”"]


def test_gbk_encoded_txt_and_crlf_are_accepted() -> None:
    data = "::S1::国家政策（　）{\r\n=甲\r\n~乙\r\n}\r\n".encode("gbk")
    (q,) = gift.parse(data)
    assert q.stem == "国家政策（　）" and q.options == ("甲", "乙")


def test_empty_file() -> None:
    with pytest.raises(ImportFailed) as info:
        gift.parse(b"// only comments\n\n")
    assert info.value.issues == [ImportIssue(0, "文件中没有找到任何题目")]


def test_html_images_are_reported() -> None:
    assert issues_of('::S1::[html]看图 <img src="a.png">{=甲 ~乙}') == [
        "第1行：含有图片，暂不支持导入"
    ]


def test_special_characters_round_trip() -> None:
    q = Question(
        code="S:1",
        type="single",
        stem="[html] 不是格式 {a} ~b =c #d \\ 换\n行",
        options=("%50%以上", "~tilde", "=等号"),
        answer=(2,),
        points=Decimal("1.5"),
        reference_answer="####不是反馈",
        tags=("带\\反斜杠",),
        manual_ref=ManualRef(title="a|b"),
    )
    assert gift.parse(gift.dump([q])) == [q]
