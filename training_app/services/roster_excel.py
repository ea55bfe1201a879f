"""The Excel roster (报名名单): the template units fill in, its parser, and the exports.

Pure functions: bytes in, rows out (or bytes out). The parser checks each row on its own (name,
身份证号 checksum, mobile, qualification, years, duplicates within the file); the enrollment
service adds what needs the database (already enrolled, ineligible, clashes with accounts) and
imports nothing unless every row passes.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from training_app.models import Gender, Qualification
from training_app.services import trainee_data
from training_app.services.errors import N_, DomainError
from training_app.services.trainee_data import GENDER_CELL, QUALIFICATION_CELL, TraineeData

HEADERS = ("姓名", "性别", "身份证号", "手机号", "资格等级", "资格证书编号", "社会工作年限")
FIELDS = ("name", "gender", "id_number", "mobile", "qualification", "certificate_number",
          "years_experience")
MAX_ROWS = 1000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


class RowProblem(NamedTuple):
    """One refused row: its row number in the sheet and the reason (a message template and its
    parameters, translated where shown)."""

    row: int
    message: str
    params: dict[str, Any]

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class RosterError(DomainError):
    """The roster is refused; ``problems`` lists every bad row, in row order."""

    def __init__(self, problems: Iterable[RowProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.row)
        super().__init__(N_("名单中有%(n)s处错误，未导入任何学员。"), n=len(self.problems))

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(p.row, str(p)) for p in self.problems]


@dataclass(frozen=True)
class RosterRow:
    row: int
    data: TraineeData


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def read_roster(data: bytes, *, today: date | None = None
                ) -> tuple[list[RosterRow], list[RowProblem]]:
    """The rows that pass and the problems of those that do not. A file that is not a roster
    at all (unreadable, headers missing, empty, too long) raises ``DomainError``."""
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise DomainError(N_("无法读取Excel文件，请使用下载的模板（.xlsx）填写。")) from None
    try:
        sheet = workbook.worksheets[0]
        lines = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2))
    finally:
        workbook.close()
    if not lines:
        raise DomainError(N_("文件中没有学员数据。"))
    header = [_text(v) for v in lines[0]]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise DomainError(N_("第1行缺少表头：%(headers)s"), headers="、".join(missing))
    columns = {field: header.index(h) for field, h in zip(FIELDS, HEADERS, strict=True)}
    body = [(number, line) for number, line in enumerate(lines[1:], start=2)
            if any(_text(v) for v in line)]
    if not body:
        raise DomainError(N_("文件中没有学员数据。"))
    if len(body) > MAX_ROWS:
        raise DomainError(N_("一次最多导入%(n)s名学员。"), n=MAX_ROWS)
    rows: list[RosterRow] = []
    problems: list[RowProblem] = []
    seen_ids: dict[str, int] = {}
    seen_mobiles: dict[str, int] = {}
    for number, line in body:
        cells = {f: (line[i] if i < len(line) else None) for f, i in columns.items()}
        values = {f: _text(v) for f, v in cells.items()}
        if isinstance(cells["id_number"], int | float):
            message = N_("身份证号请以文本格式填写（数字格式会丢失末尾几位）。")
            problems.append(RowProblem(number, message, {}))
            continue
        try:
            clean = trainee_data.clean(TraineeData(**values), today=today)
        except DomainError as error:
            problems.append(RowProblem(number, error.message, error.params))
            continue
        if clean.id_number in seen_ids:
            problems.append(RowProblem(number, N_("身份证号与第%(other)s行重复。"),
                                       {"other": seen_ids[clean.id_number]}))
            continue
        if clean.mobile in seen_mobiles:
            problems.append(RowProblem(number, N_("手机号与第%(other)s行重复。"),
                                       {"other": seen_mobiles[clean.mobile]}))
            continue
        seen_ids[clean.id_number] = number
        seen_mobiles[clean.mobile] = number
        rows.append(RosterRow(number, clean))
    return rows, problems


def parse_roster(data: bytes, *, today: date | None = None) -> list[RosterRow]:
    """Every row of the roster, or ``RosterError`` listing every bad row."""
    rows, problems = read_roster(data, today=today)
    if problems:
        raise RosterError(problems)
    return rows


# --- writing ----------------------------------------------------------------------------------

def _save(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_row(sheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(headers))
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def build_template() -> bytes:
    """The roster template: Chinese headers, text columns for the numbers, drop-down lists."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "报名名单"
    _header_row(sheet, HEADERS, (12, 8, 22, 15, 18, 20, 14))
    for column in ("C", "D", "F"):  # 身份证号, 手机号, 证书编号 as text: Excel keeps every digit
        for row in range(2, MAX_ROWS + 2):
            sheet[f"{column}{row}"].number_format = "@"
    genders = DataValidation(type="list", formula1='"男,女"', allow_blank=True)
    levels = DataValidation(type="list", allow_blank=False,
                            formula1='"' + ",".join(QUALIFICATION_CELL.values()) + '"')
    years = DataValidation(type="whole", operator="between", formula1="0",
                           formula2=str(trainee_data.MAX_YEARS), allow_blank=True)
    for validation, column in ((genders, "B"), (levels, "E"), (years, "G")):
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}{MAX_ROWS + 1}")
    notes = workbook.create_sheet("填写说明")
    for line in (
        "每行一名学员，从第2行开始填写，不要修改第1行表头。",
        "姓名：必填。",
        "性别：男或女；可不填，按身份证号确定。",
        "身份证号：18位居民身份证号，最后一位可以是X；请保持文本格式。",
        "手机号：11位手机号，学员用它登录平台。",
        "资格等级：无、助理社会工作师、社会工作师或高级社会工作师。",
        "资格证书编号：持证人员必填。",
        "社会工作年限：从事社会工作的整年数（0-60）。",
        "名单中任何一行有错误时不会导入任何学员，请按提示的行号改正后重新上传。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 80
    return _save(workbook)


ROSTER_HEADERS = ("序号", "姓名", "性别", "身份证号", "手机号", "单位", "资格等级", "资格证书编号",
                  "社会工作年限", "报名方式", "单位确认", "状态", "报名时间", "备注")
STATUS_CELL = {"pending": "待审核", "approved": "已通过", "rejected": "未通过",
               "waitlisted": "候补", "withdrawn": "已退出"}
SOURCE_CELL = {"nominated": "单位推荐", "self_registered": "个人报名"}


def roster_workbook(entries: Sequence, *, title: str, tz: ZoneInfo) -> bytes:
    """The class roster (one row per entry, first come first): ``entries`` are Enrollments."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "学员名单"
    _header_row(sheet, ROSTER_HEADERS, (6, 10, 6, 22, 14, 28, 16, 18, 12, 10, 8, 8, 18, 24))
    for number, entry in enumerate(entries, start=1):
        p = entry.trainee
        sheet.append([
            number, p.name, GENDER_CELL[Gender(p.gender)], p.id_number, p.mobile, entry.unit.name,
            QUALIFICATION_CELL[Qualification(p.qualification)], p.certificate_number,
            p.years_experience, SOURCE_CELL[entry.source], "是" if entry.unit_confirmed else "否",
            STATUS_CELL[entry.status],
            entry.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), entry.rejection_reason,
        ])
        sheet.cell(row=number + 1, column=4).number_format = "@"
    workbook.properties.title = title
    return _save(workbook)


SUMMARY_HEADERS = ("单位", "分配名额", "已通过", "待审核", "候补", "占用公共名额", "未使用名额")


def summary_workbook(summary, *, title: str) -> bytes:
    """The enrollment summary by unit against quota (``quotas.QuotaSummary``)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名额与报名汇总"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(list(SUMMARY_HEADERS))
    for index, width in enumerate((34, 10, 10, 10, 10, 14, 12), start=1):
        cell = sheet.cell(row=3, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    for row in summary.rows:
        sheet.append([row.unit.name, row.quota, row.approved, row.pending, row.waitlisted,
                      row.on_pool, row.unused])
    sheet.append(["公共名额（未分配）", summary.pool, "", "", "", summary.pool_used,
                  summary.pool_free])
    sheet.append(["合计（计划人数）", summary.capacity, summary.approved, summary.pending,
                  summary.waitlisted, summary.pool_used, summary.seats_left])
    for cell in sheet[sheet.max_row]:
        cell.font = _HEADER_FONT
    workbook.properties.title = title
    return _save(workbook)
