"""Excel workbook format (``.xlsx``), the organizers' everyday tool.

One question per row on the sheet “题库” (or the first sheet), with Chinese
headers in row 1.  Columns are found by header text, so their order does
not matter and extra columns (notes) are ignored; headers may carry hints
in brackets, e.g. “答案（如ACD）”.  Row numbers in messages are the ones
Excel shows (the header is row 1).

==========  ===============================================================
题号         required; unique code such as S01
题型         required; 单选 / 多选 / 简答 (or single / multiple / short)
题干         required
选项A…选项F   options (more columns 选项G… are allowed); blank for 简答
答案         letters of the correct options: A, ACD, A,C,D, A、C
分值         blank = the type's standard points (单选1.5, 多选2, 简答10)
参考答案      required for 简答
评分要点      简答 only; one per line, “要点|分值”
教材章/节/页   integers (“第3章” also accepted)
教材出处标题   title of the manual section
标签         separated by 、 , ， ; or newlines
难度         1 / 2 / 3 (or 易 / 中 / 难); blank = 2
紧扣本班      是 / 否 (blank = 否): the short answer closely tied to this class
==========  ===============================================================
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..model import ManualRef, Question, ScoringPoint
from ..numbers import fmt_decimal, to_decimal
from ..question_types import QUESTION_TYPES, TAG_SEPARATORS, type_key_for
from .base import ImportFailed, ImportIssue, IssueCollector

__all__ = ["HEADERS", "SHEET_NAME", "ExcelFormat", "dump", "parse", "template_workbook"]

SHEET_NAME = "题库"
HELP_SHEET_NAME = "填写说明"
MIN_OPTION_COLUMNS = 6
_BEFORE_OPTIONS = ["题号", "题型", "题干"]
_AFTER_OPTIONS = [
    "答案",
    "分值",
    "参考答案",
    "评分要点",
    "教材章",
    "教材节",
    "教材页",
    "教材出处标题",
    "标签",
    "难度",
    "紧扣本班",
]
#: Headers of the standard template, in order.
HEADERS = (
    _BEFORE_OPTIONS + [f"选项{chr(65 + i)}" for i in range(MIN_OPTION_COLUMNS)] + _AFTER_OPTIONS
)
_REQUIRED = ("题号", "题型", "题干")
# Other spellings organizers use for the same column.
_ALIASES = {
    "编号": "题号",
    "试题编号": "题号",
    "类型": "题型",
    "题目类型": "题型",
    "题目": "题干",
    "题目内容": "题干",
    "正确答案": "答案",
    "分数": "分值",
    "标准答案": "参考答案",
    "教材标题": "教材出处标题",
    "出处标题": "教材出处标题",
    "章": "教材章",
    "节": "教材节",
    "页": "教材页",
    "页码": "教材页",
    "难易度": "难度",
    "难易程度": "难度",
    "紧扣本班主题": "紧扣本班",
    "本班主题": "紧扣本班",
}
_OPTION_HEADER = re.compile(r"^选项([A-Z])$")
_WIDTHS = {
    "题号": 8,
    "题型": 7,
    "题干": 48,
    "答案": 8,
    "分值": 7,
    "参考答案": 48,
    "评分要点": 40,
    "教材章": 7,
    "教材节": 7,
    "教材页": 7,
    "教材出处标题": 22,
    "标签": 18,
    "难度": 6,
    "紧扣本班": 9,
}
_WRAP = {"题干", "参考答案", "评分要点", "教材出处标题", "标签"}
_DIFFICULTY_WORDS = {
    "易": 1,
    "简单": 1,
    "容易": 1,
    "中": 2,
    "中等": 2,
    "一般": 2,
    "难": 3,
    "困难": 3,
    "较难": 3,
}
_YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "对"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "不是"}


def _normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", _cell_text(value))
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)  # hints such as 答案（如ACD）; NFKC made them ASCII
    text = re.sub(r"\s+", "", text).upper()
    return _ALIASES.get(text, text)


def _cell_text(value: Any) -> str:
    """Text of a cell as the organizer sees it (1.0 -> "1", None -> "")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


class _RowReader:
    """Reads one data row, reporting problems against its Excel row number."""

    def __init__(self, row: int, cells: dict[str, Any], issues: IssueCollector) -> None:
        self.row = row
        self.cells = cells
        self.issues = issues

    def text(self, header: str) -> str:
        return _cell_text(self.cells.get(header))

    def problem(self, message: str) -> None:
        self.issues.add(self.row, message)

    def optional_int(self, header: str) -> int | None:
        raw = self.cells.get(header)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
            return int(raw)
        text = unicodedata.normalize("NFKC", self.text(header))
        if not text:
            return None
        match = re.fullmatch(r"第?\s*(\d+)\s*[章节页]?", text)
        if not match:
            self.problem(f"{header}“{text}”不是整数")
            return None
        return int(match.group(1))


def _read_row(reader: _RowReader, option_headers: list[str]) -> Question:
    type_text = reader.text("题型")
    qtype = type_key_for(type_text) if type_text else ""
    if qtype is None:
        qtype = type_text  # validation reports the unknown type with the allowed list
    options = [reader.text(h) for h in option_headers]
    while options and not options[-1]:
        options.pop()

    answer: list[int] = []
    raw_answer = unicodedata.normalize("NFKC", reader.text("答案")).upper()
    compact = re.sub(rf"[\s{TAG_SEPARATORS}/]", "", raw_answer)
    if compact and not re.fullmatch(r"[A-Z]+", compact):
        reader.problem(f"答案“{reader.text('答案')}”格式错误，应为选项字母，如A或ACD")
    else:
        answer = sorted(ord(ch) - 65 for ch in compact)

    points: Decimal = (
        QUESTION_TYPES[qtype].default_points if qtype in QUESTION_TYPES else Decimal(0)
    )
    raw_points = reader.cells.get("分值")
    if reader.text("分值"):
        try:
            is_number = isinstance(raw_points, (int, float, Decimal)) and not isinstance(
                raw_points, bool
            )
            points = to_decimal(
                raw_points if is_number else unicodedata.normalize("NFKC", reader.text("分值"))
            )
        except ValueError as exc:
            reader.problem(f"分值：{exc}")

    scoring: list[ScoringPoint] = []
    for n, line in enumerate(
        (ln.strip() for ln in reader.text("评分要点").split("\n") if ln.strip()), 1
    ):
        cut = max(line.rfind("|"), line.rfind("｜"))  # the last bar, half- or full-width
        if cut < 0:
            reader.problem(f"评分要点第{n}条“{line}”缺少分值，格式应为“要点|分值”")
            continue
        point, score = line[:cut], line[cut + 1 :]
        try:
            scoring.append(ScoringPoint(point=point.strip(), score=to_decimal(score)))
        except ValueError as exc:
            reader.problem(f"评分要点第{n}条：{exc}")

    ref = ManualRef(
        chapter=reader.optional_int("教材章"),
        section=reader.optional_int("教材节"),
        page=reader.optional_int("教材页"),
        title=reader.text("教材出处标题"),
    )
    tags = [t.strip() for t in re.split(rf"[{TAG_SEPARATORS}\n]", reader.text("标签")) if t.strip()]

    difficulty = 2
    diff_text = unicodedata.normalize("NFKC", reader.text("难度"))
    if diff_text:
        if diff_text in _DIFFICULTY_WORDS:
            difficulty = _DIFFICULTY_WORDS[diff_text]
        elif diff_text.isdigit():
            difficulty = int(diff_text)
        else:
            reader.problem(f"难度“{diff_text}”应为1、2、3或易、中、难")

    tied = False
    tied_text = reader.text("紧扣本班").lower()
    if tied_text in _YES:
        tied = True
    elif tied_text and tied_text not in _NO:
        reader.problem(f"紧扣本班“{reader.text('紧扣本班')}”应为“是”或“否”")

    return Question(
        code=reader.text("题号"),
        type=qtype,
        stem=reader.text("题干"),
        options=tuple(options),
        answer=tuple(answer),
        points=points,
        reference_answer=reader.text("参考答案"),
        scoring_points=tuple(scoring),
        manual_ref=None if ref.is_empty else ref,
        tags=tuple(tags),
        difficulty=difficulty,
        tied_to_class=tied,
    )


def parse(data: bytes) -> list[Question]:
    """Parse an .xlsx file; raises ``ImportFailed`` listing every problem."""
    issues = IssueCollector()
    try:
        with warnings.catch_warnings():
            # Files saved by WPS or old Excel trigger harmless openpyxl warnings.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types (zip, KeyError, XML errors)
        raise ImportFailed(
            [ImportIssue(0, "无法读取 Excel 文件，请确认是 .xlsx 格式（不支持旧版 .xls）")]
        ) from None
    sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]

    columns: dict[str, int] = {}
    option_columns: dict[str, int] = {}
    for col in range(1, sheet.max_column + 1):
        header = _normalise_header(sheet.cell(row=1, column=col).value)
        if not header:
            continue
        target = option_columns if _OPTION_HEADER.match(header) else columns
        if header in target:
            issues.add(1, f"表头“{header}”出现了不止一次")
        target[header] = col
    for header in _REQUIRED:
        if header not in columns:
            issues.add(1, f"缺少表头“{header}”（请使用导入模板）")
    option_headers = sorted(option_columns)
    for expected, header in zip((f"选项{chr(65 + i)}" for i in range(26)), option_headers):
        if header != expected:
            issues.add(1, f"缺少表头“{expected}”（选项列应从选项A开始连续排列）")
            break
    issues.fail_now()

    located: list[tuple[int, Question]] = []
    wanted = {**columns, **option_columns}
    for row in range(2, sheet.max_row + 1):
        cells = {h: sheet.cell(row=row, column=c).value for h, c in wanted.items()}
        if all(_cell_text(v) == "" for v in cells.values()):
            continue
        located.append((row, _read_row(_RowReader(row, cells, issues), option_headers)))
    return issues.finish(located)


# -- writer -----------------------------------------------------------------------
def _headers_for(questions: Sequence[Question]) -> list[str]:
    count = max([MIN_OPTION_COLUMNS, *(len(q.options) for q in questions)])
    return _BEFORE_OPTIONS + [f"选项{chr(65 + i)}" for i in range(count)] + _AFTER_OPTIONS


def _row_values(q: Question, option_count: int) -> list[Any]:
    qtype = QUESTION_TYPES.get(q.type)
    ref = q.manual_ref or ManualRef()
    options = list(q.options) + [""] * (option_count - len(q.options))
    return [
        q.code,
        qtype.label if qtype else q.type,
        q.stem,
        *options,
        q.answer_letters,
        q.points,
        q.reference_answer,
        "\n".join(f"{sp.point}|{fmt_decimal(sp.score)}" for sp in q.scoring_points),
        ref.chapter,
        ref.section,
        ref.page,
        ref.title,
        "、".join(q.tags),
        q.difficulty,
        "是" if q.tied_to_class else "否",
    ]


def _set(cell: Cell, value: Any) -> None:
    if value == "":
        value = None
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, not a formula


def _write_sheet(sheet: Worksheet, headers: list[str], rows: Sequence[list[Any]]) -> None:
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="2F5597")
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        width = _WIDTHS.get(header, 18 if header.startswith("选项") else 10)
        sheet.column_dimensions[get_column_letter(col)].width = width
    for r, values in enumerate(rows, start=2):
        for col, (header, value) in enumerate(zip(headers, values), start=1):
            cell = sheet.cell(row=r, column=col)
            _set(cell, value)
            if header in _WRAP or header.startswith("选项"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    last = max(len(rows) + 200, 500)
    choices = [
        ("题型", '"单选,多选,简答"'),
        ("难度", '"1,2,3"'),
        ("紧扣本班", '"是,否"'),
    ]
    for header, formula in choices:
        letter = get_column_letter(headers.index(header) + 1)
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dump(questions: Sequence[Question]) -> bytes:
    """Workbook with the “题库” sheet filled in plus the “填写说明” sheet."""
    headers = _headers_for(questions)
    option_count = len(headers) - len(_BEFORE_OPTIONS) - len(_AFTER_OPTIONS)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_NAME
    _write_sheet(sheet, headers, [_row_values(q, option_count) for q in questions])
    _write_help(workbook.create_sheet(HELP_SHEET_NAME))
    return _workbook_bytes(workbook)


def template_workbook() -> bytes:
    """Empty import template: headers on “题库”, rules and examples on “填写说明”."""
    return dump([])


_HELP_ROWS = [
    ("列名", "是否必填", "填写方法"),
    ("题号", "必填", "每道题唯一的编号，如 S01、M01、Q01"),
    ("题型", "必填", "单选、多选或简答（也可写 single / multiple / short）"),
    ("题干", "必填", "题目文字，填空处可用“（　）”"),
    (
        "选项A…选项F",
        "选择题必填",
        "每格一个选项，不要写字母；单选至少2项，多选至少3项；选项多于6个时可增加“选项G”等列",
    ),
    ("答案", "选择题必填", "正确选项的字母，如 A 或 ACD；单选只能1个，多选至少2个；简答题不填"),
    ("分值", "可不填", "不填时按标准分值：单选1.5分、多选2分、简答10分；须为0.5的整数倍"),
    ("参考答案", "简答必填", "简答题的参考答案；选择题可填解析"),
    ("评分要点", "可不填", "仅简答题；每行一条，格式“要点|分值”，各条分值之和须等于题目分值"),
    ("教材章、教材节、教材页", "可不填", "答案在教材中的位置，填整数"),
    ("教材出处标题", "可不填", "教材中该节的标题"),
    ("标签", "可不填", "多个标签用顿号“、”或逗号分隔，组卷时可按标签抽题"),
    ("难度", "可不填", "1（易）、2（中）、3（难），不填为2"),
    ("紧扣本班", "可不填", "“是”表示与本次培训密切相关的简答题；每张试卷至少需要一道"),
    ("", "", ""),
    (
        "说明",
        "",
        "第1行是表头，请勿修改；从第2行起每行一道题，空行会被跳过。导入时会一次列出所有错误（含行号），全部正确才会导入。",
    ),
]
_EXAMPLES = [
    Question(
        code="S01",
        type="single",
        stem="“四社联动”中，社区社会组织的定位是（　）。",
        options=("平台", "载体", "支撑", "依托"),
        answer=(1,),
        points=Decimal("1.5"),
        manual_ref=ManualRef(chapter=4, section=1, page=None, title="“四社联动”的由来与政策依据"),
        tags=("四社联动",),
        difficulty=1,
    ),
    Question(
        code="M01",
        type="multiple",
        stem="“四社联动”的四个主体包括（　）。",
        options=("社区", "社区社会组织", "社会工作专业人才", "社区志愿者", "物业公司"),
        answer=(0, 1, 2, 3),
        points=Decimal(2),
        tags=("四社联动",),
        difficulty=1,
    ),
    Question(
        code="Q01",
        type="short",
        stem="什么是“四社联动”？请说明四个主体的定位。",
        points=Decimal(10),
        reference_answer="以社区为平台、社区社会组织为载体、社会工作专业人才为支撑、社区志愿者为依托的联动机制。",
        scoring_points=(
            ScoringPoint("答出四个主体", Decimal(4)),
            ScoringPoint("答出四个主体的定位", Decimal(6)),
        ),
        tags=("四社联动", "本班主题"),
        difficulty=2,
        tied_to_class=True,
    ),
]


def _write_help(sheet: Worksheet) -> None:
    for r, row in enumerate(_HELP_ROWS, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value or None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r == 1:
                cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 80
    start = len(_HELP_ROWS) + 2
    sheet.cell(row=start, column=1, value="示例（复制到“题库”表使用）：").font = Font(bold=True)
    headers = _headers_for(_EXAMPLES)
    option_count = len(headers) - len(_BEFORE_OPTIONS) - len(_AFTER_OPTIONS)
    for c, header in enumerate(headers, start=1):
        sheet.cell(row=start + 1, column=c, value=header).font = Font(bold=True)
    for r, q in enumerate(_EXAMPLES, start=start + 2):
        for c, value in enumerate(_row_values(q, option_count), start=1):
            _set(sheet.cell(row=r, column=c), value)


class ExcelFormat:
    label = "Excel 表格"
    extensions = (".xlsx",)
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def parse(self, data: bytes) -> list[Question]:
        return parse(data)

    def dump(self, questions: Sequence[Question]) -> bytes:
        return dump(questions)
