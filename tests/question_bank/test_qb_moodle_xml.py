"""Moodle XML import/export: field mapping, tags convention, line-numbered errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from question_bank import ImportFailed, ManualRef, Question, ScoringPoint, load_demo_json
from question_bank.formats import moodle_xml

DEMO = Path(__file__).resolve().parents[2].parent / "shared" / "demo" / "questions.json"


@cache
def demo() -> tuple[Question, ...]:
    return tuple(load_demo_json(DEMO))


def parse(text: str) -> list[Question]:
    return moodle_xml.parse(text.encode("utf-8"))


def issues_of(text: str) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        parse(text)
    return [str(issue) for issue in info.value.issues]


def test_round_trip_all_demo_questions() -> None:
    data = moodle_xml.dump(demo())
    assert moodle_xml.parse(data) == list(demo())


def test_export_structure() -> None:
    root = ET.fromstring(moodle_xml.dump(demo()))
    questions = root.findall("question")
    assert root.tag == "quiz" and len(questions) == 66
    s01 = questions[0]
    assert s01.get("type") == "multichoice" and s01.findtext("single") == "true"
    assert s01.findtext("name/text") == "S01" and s01.findtext("defaultgrade") == "1.5"
    assert s01.find("questiontext").get("format") == "html"  # type: ignore[union-attr]
    assert [a.get("fraction") for a in s01.findall("answer")] == ["0", "0", "100", "0"]
    three = next(q for q in questions if q.findtext("name/text") == "M02")
    assert three.findtext("single") == "false"
    fractions = sorted({a.get("fraction") for a in three.findall("answer")})
    assert fractions == ["-100", "33.33333"]
    q01 = next(q for q in questions if q.findtext("name/text") == "Q01")
    assert q01.get("type") == "essay"
    grader = q01.findtext("graderinfo/text") or ""
    assert (
        grader.startswith("<p>参考答案：</p><p>（1）创建标准共7项25条")
        and "<li>（4分）答出七个方面" in grader
    )
    tags = [t.text for t in q01.iterfind("tags/tag/text")]
    assert tags == [
        "标准化",
        "七项二十五条",
        "本班主题",
        "ref:3-2",
        "ref-title:“七项二十五条”创建标准",
        "difficulty:2",
        "tied_to_class",
    ]


MOODLE_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/默认</text></category>
  </question>
  <question type="multichoice">
    <name><text>M7</text></name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr">下列属于<strong>“四社联动”</strong>主体的有（　）。</p>
<p>请选择&nbsp;全部 &amp; 正确项</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>见第4章</p>]]></text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <single>false</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <correctfeedback format="html"><text>你的答案正确。</text></correctfeedback>
    <answer fraction="33.33333" format="html"><text><![CDATA[<p>社区</p>]]></text>
      <feedback format="html"><text></text></feedback></answer>
    <answer fraction="33.33333" format="html"><text>社区社会组织</text><feedback format="html"><text></text></feedback></answer>
    <answer fraction="33.33334" format="html"><text>社区志愿者</text><feedback format="html"><text></text></feedback></answer>
    <answer fraction="0" format="html"><text>物业公司</text><feedback format="html"><text></text></feedback></answer>
    <tags><tag><text>四社联动</text></tag><tag><text>ref:4--20</text></tag><tag><text>difficulty:1</text></tag></tags>
  </question>
  <question type="essay">
    <name><text>Q7</text></name>
    <questiontext format="moodle_auto_format"><text>简述“四社联动”。</text></questiontext>
    <defaultgrade>10</defaultgrade>
    <graderinfo format="html"><text>&lt;p&gt;以社区为平台……&lt;/p&gt;</text></graderinfo>
  </question>
</quiz>
"""


def test_import_moodle_export() -> None:
    m7, q7 = parse(MOODLE_EXPORT)
    assert m7 == Question(
        code="M7",
        type="multiple",
        stem="下列属于“四社联动”主体的有（　）。\n请选择\xa0全部 & 正确项",
        options=("社区", "社区社会组织", "社区志愿者", "物业公司"),
        answer=(0, 1, 2),
        points=Decimal(2),
        reference_answer="见第4章",
        tags=("四社联动",),
        manual_ref=ManualRef(chapter=4, page=20),
        difficulty=1,
    )
    assert (
        q7.type == "short"
        and q7.stem == "简述“四社联动”。"
        and q7.reference_answer == "以社区为平台……"
    )
    assert q7.scoring_points == () and q7.difficulty == 2 and not q7.tied_to_class


def test_grader_info_with_scoring_points() -> None:
    text = """<quiz><question type="essay"><name><text>Q1</text></name>
<questiontext format="html"><text>简述</text></questiontext><defaultgrade>10</defaultgrade>
<graderinfo format="html"><text><![CDATA[<p>参考答案：</p><p>第一行<br>第二行</p>
<p>评分要点：</p><ol><li>(6分) 要点一</li><li>（4分）要点二</li></ol>]]></text></graderinfo>
</question></quiz>"""
    (q,) = parse(text)
    assert q.reference_answer == "第一行\n第二行"
    assert q.scoring_points == (
        ScoringPoint("要点一", Decimal(6)),
        ScoringPoint("要点二", Decimal(4)),
    )


UNSUPPORTED = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="matching">
    <name><text>P1</text></name>
  </question>
  <question type="numerical">
    <name><text>N1</text></name>
  </question>
  <question type="truefalse">
    <name><text>T1</text></name>
  </question>
  <question type="shortanswer">
    <name><text>F1</text></name>
  </question>
  <question type="ordering">
    <name><text>O1</text></name>
  </question>
  <question type="multichoice">
    <name><text>S1</text></name>
    <questiontext format="html"><text>题</text></questiontext>
    <answer fraction="100"><text>甲</text><feedback><text>答对了</text></feedback></answer>
    <answer fraction="50"><text>乙</text></answer>
  </question>
  <question type="multichoice">
    <name><text>M1</text></name>
    <questiontext format="html"><text>&lt;img src="@@PLUGINFILE@@/a.png"&gt;</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>甲</text></answer>
    <answer fraction="30"><text>乙</text></answer>
    <answer fraction="x"><text>丙</text></answer>
    <tags><tag><text>ref:a-b</text></tag><tag><text>difficulty:hard</text></tag></tags>
  </question>
  <question type="essay">
    <name><text>S1</text></name>
    <questiontext format="html"><text></text></questiontext>
    <defaultgrade>ten</defaultgrade>
  </question>
  <other/>
</quiz>
"""


def test_unsupported_types_and_many_problems_reported_with_lines() -> None:
    only = "只能导入单选、多选（multichoice）和简答（essay）"
    assert issues_of(UNSUPPORTED) == [
        f"第3行：不支持的题型“matching”（匹配题），{only}",
        f"第6行：不支持的题型“numerical”（数值题），{only}",
        f"第9行：不支持的题型“truefalse”（判断题），{only}",
        f"第12行：不支持的题型“shortanswer”（填空题），{only}",
        f"第15行：不支持的题型“ordering”（排序题），{only}",
        "第18行：单选题不支持部分得分的选项（权重50%）",
        "第21行：不支持选项反馈（<answer>中的<feedback>），请删除后再导入",
        "第24行：多选题正确选项的权重之和应为100%，现为80%",
        "第26行：含有图片，暂不支持导入",
        "第30行：选项权重“x”不是数字",
        "第31行：标签“ref:a-b”格式错误，应为“ref:章-节-页”，如 ref:3-2-15",
        "第31行：标签“difficulty:hard”格式错误，应为 difficulty:1、2 或 3",
        "第33行：题号“S1”重复（第18行已使用）",
        "第36行：分值：“ten”不是有效的数字",
        "第38行：<quiz>中只能包含<question>，发现<other>",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<quiz>\n<question type='essay'>\n<name><text>x</text></name>\n</quiz>",
            "第4行：XML 格式错误：mismatched tag",
        ),
        ("", "第1行：XML 格式错误：no element found"),
        (
            "<?xml version='1.0'?>\n<!DOCTYPE quiz [<!ENTITY a 'b'>]>\n<quiz/>",
            "第2行：不接受含 DOCTYPE 声明的 XML 文件",
        ),
        ("<questions/>", "第1行：根元素应为<quiz>，现为<questions>"),
        ("<quiz>\n</quiz>", "文件中没有找到任何题目"),
    ],
)
def test_malformed_or_refused_documents(text: str, expected: str) -> None:
    assert issues_of(text) == [expected]


def test_html_whitespace_and_markup_characters_round_trip() -> None:
    q = Question(
        code="S<1>",
        type="single",
        stem="  a  b\t<c> & d\n\n 第三行 ".strip(),
        options=("x  y", "<p>"),
        answer=(1,),
        points=Decimal("1.5"),
        reference_answer="解析 &nbsp; 不是实体",
    )
    assert moodle_xml.parse(moodle_xml.dump([q])) == [q]
