"""Excel import/export: template, round trip, row-numbered error reports."""

from __future__ import annotations

import io
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from question_bank import ImportFailed, ImportIssue, Question, load_demo_json, template_workbook
from question_bank.formats import excel

DEMO = Path(__file__).resolve().parents[2].parent / "shared" / "demo" / "questions.json"


@cache
def demo() -> tuple[Question, ...]:
    return tuple(load_demo_json(DEMO))


def workbook_bytes(rows: list[list[Any]], title: str = "题库") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def failure(data: bytes) -> list[ImportIssue]:
    with pytest.raises(ImportFailed) as info:
        excel.parse(data)
    return info.value.issues


HEAD = [
    "题号",
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "分值",
    "参考答案",
    "评分要点",
]


def test_round_trip_all_demo_questions() -> None:
    data = excel.dump(demo())
    assert excel.parse(data) == list(demo())


def test_export_layout_is_readable() -> None:
    wb = load_workbook(io.BytesIO(excel.dump(demo())))
    assert wb.sheetnames == ["题库", "填写说明"]
    ws = wb["题库"]
    assert [c.value for c in ws[1]] == excel.HEADERS
    row = {h: c.value for h, c in zip(excel.HEADERS, ws[2])}
    assert row["题号"] == "S01" and row["题型"] == "单选" and row["答案"] == "C"
    assert row["分值"] == 1.5 and row["教材章"] == 1 and row["标签"] == "国家政策、社工意见"
    q01 = {h: c.value for h, c in zip(excel.HEADERS, ws[62])}
    assert q01["题号"] == "Q01" and q01["紧扣本班"] == "是"
    assert q01["评分要点"].split("\n")[0] == "答出共7项25条、每条4分、满分100分的赋分办法|2"


def test_template_has_headers_help_and_no_questions() -> None:
    data = template_workbook()
    wb = load_workbook(io.BytesIO(data))
    assert [c.value for c in wb["题库"][1]] == excel.HEADERS
    assert wb["题库"].max_row == 1
    help_text = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "要点|分值" in help_text and "紧扣本班" in help_text
    assert failure(data) == [ImportIssue(0, "文件中没有找到任何题目")]


def test_template_examples_are_importable() -> None:
    wb = load_workbook(io.BytesIO(template_workbook()))
    helper = wb["填写说明"]
    rows = [[c.value for c in row] for row in helper.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[:2] == ["题号", "题型"])
    parsed = excel.parse(workbook_bytes(rows[start:]))
    assert [q.type for q in parsed] == ["single", "multiple", "short"]
    assert parsed[2].tied_to_class


def test_friendly_input_variants() -> None:
    rows = [
        [
            "分值（分）",
            "题型",
            "题干",
            "题号",
            "选项A",
            "选项B",
            "选项C",
            "答案（如ACD）",
            "备注",
            "标签",
            "难度",
            "紧扣本班",
            "教材章",
            "参考答案",
            "评分要点",
        ],
        [
            None,
            "多选题",
            "多选题干",
            "M1",
            "甲",
            "乙",
            "丙",
            "a、c",
            "随便写",
            "四社联动，标准化;政策",
            "难",
            "否",
            "第4章",
            None,
            None,
        ],
        [
            3,
            "single",
            "单选题干",
            "S1",
            "甲",
            "乙",
            None,
            " B ",
            None,
            None,
            "易",
            None,
            2,
            None,
            None,
        ],
        [None, None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        [
            None,
            "简答",
            "简答题干",
            "Q1",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "是",
            None,
            "参考\r\n答案",
            "要点一｜6\n\n要点二|4",
        ],
    ]
    m1, s1, q1 = excel.parse(workbook_bytes(rows))
    assert m1.answer == (0, 2) and m1.points == 2 and m1.tags == ("四社联动", "标准化", "政策")
    assert m1.difficulty == 3 and m1.manual_ref is not None and m1.manual_ref.chapter == 4
    assert (
        s1.points == 3 and s1.answer == (1,) and s1.options == ("甲", "乙") and s1.difficulty == 1
    )
    assert q1.tied_to_class and q1.points == 10 and q1.reference_answer == "参考\n答案"
    assert [(sp.point, sp.score) for sp in q1.scoring_points] == [("要点一", 6), ("要点二", 4)]


def test_every_problem_reported_with_excel_row_numbers() -> None:
    rows = [
        HEAD,
        ["S1", "单选", "正常的题", "甲", "乙", "丙", "丁", "A", 1.5, None, None],
        ["S2", "单选", None, "甲", "乙", "丙", "丁", "AB", 1.5, None, None],  # row 3
        [None, None, None, None, None, None, None, None, None, None, None],  # row 4 blank
        ["S3", "判断", "题干", "对", "错", None, None, "A", None, None, None],  # row 5
        ["S1", "单选", "重复题号", "甲", "乙", None, None, "1", "x", None, None],  # row 6
        [
            "Q1",
            "简答",
            "简答题",
            None,
            None,
            None,
            None,
            None,
            10,
            None,
            "要点一|6\n要点二",
        ],  # row 7
        ["M1", "多选", "多选题", "甲", "乙", "丙", None, "AE", 2, None, None],  # row 8
    ]
    issues = failure(workbook_bytes(rows))
    text = [str(i) for i in issues]
    for expected in [
        "第3行：缺少题干",
        "第3行：单选题只能有1个正确答案，现有2个",
        "第5行：未知题型“判断”（可用：单选、多选、简答）",
        "第6行：答案“1”格式错误，应为选项字母，如A或ACD",
        "第6行：分值：“x”不是有效的数字",
        "第6行：题号“S1”重复（第2行已使用）",
        "第7行：评分要点第2条“要点二”缺少分值，格式应为“要点|分值”",
        "第7行：简答题缺少参考答案",
        "第8行：答案E不在选项范围内（共3个选项）",
    ]:
        assert expected in text
    assert all(i.line in (3, 5, 6, 7, 8) for i in issues)
    assert [i.line for i in issues] == sorted(i.line for i in issues)


def test_missing_headers_stop_early() -> None:
    issues = failure(workbook_bytes([["编号", "题目"], ["S1", "x"]]))
    assert issues == [ImportIssue(1, "缺少表头“题型”（请使用导入模板）")]
    issues = failure(workbook_bytes([["题号", "题型", "题干", "选项A", "选项C", "题号"]]))
    assert ImportIssue(1, "表头“题号”出现了不止一次") in issues
    assert ImportIssue(1, "缺少表头“选项B”（选项列应从选项A开始连续排列）") in issues


def test_other_sheet_names_use_first_sheet() -> None:
    rows = [HEAD, ["S1", "单选", "题", "甲", "乙", None, None, "A", None, None, None]]
    assert excel.parse(workbook_bytes(rows, title="Sheet1"))[0].code == "S1"


def test_formula_like_text_stays_text() -> None:
    q = Question(
        code="=S1",
        type="single",
        stem="=SUM(A1:A2) 不是公式",
        options=("=1", "=2"),
        answer=(0,),
        points=Decimal("1.5"),
    )
    data = excel.dump([q])
    assert load_workbook(io.BytesIO(data))["题库"]["C2"].value == "=SUM(A1:A2) 不是公式"
    assert excel.parse(data) == [q]


def test_more_than_six_options_add_columns() -> None:
    q = Question(
        code="M1",
        type="multiple",
        stem="x",
        options=tuple("一二三四五六七八"),
        answer=(0, 7),
        points=Decimal(2),
    )
    data = excel.dump([q])
    assert load_workbook(io.BytesIO(data))["题库"].cell(row=1, column=11).value == "选项H"
    assert excel.parse(data) == [q]


def test_not_an_xlsx_file() -> None:
    assert failure(b"PK\x03\x04 broken") == [
        ImportIssue(0, "无法读取 Excel 文件，请确认是 .xlsx 格式（不支持旧版 .xls）")
    ]
    assert failure(b"plain text")[0].line == 0
