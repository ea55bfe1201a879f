"""Sign-in sheets (签到表) of a session, as a printable PDF and an Excel workbook, and the
class's attendance grid (考勤汇总) as Excel."""
from __future__ import annotations

import html
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from training_app.models import ScheduleItem, TrainingClass
from training_app.services import attendance, schedule
from training_app.services.pdf import CJK_A4_CSS, render_pdf

STATUS_NAMES = {"present": "出勤", "late": "迟到", "excused": "请假", "absent": "缺勤", "": ""}
GENDER_NAMES = {"male": "男", "female": "女"}
SHEET_HEADERS = ["序号", "姓名", "性别", "单位", "组别", "签到时间", "考勤", "本人签名"]


def _sheet_rows(session: Session, item: ScheduleItem, tz: ZoneInfo) -> list[list[str]]:
    rows = []
    for n, row in enumerate(attendance.roster(session, item), start=1):
        profile = row.enrollment.trainee
        record = row.record
        checked = record.checked_in_at.astimezone(tz).strftime("%H:%M") \
            if record is not None and record.checked_in_at is not None else ""
        rows.append([str(n), profile.name, GENDER_NAMES.get(profile.gender, profile.gender),
                     row.enrollment.unit.name,
                     f"第{row.group_number}组" if row.group_number else "", checked,
                     STATUS_NAMES.get(row.status, row.status), ""])
    return rows


def _heading(item: ScheduleItem, tz: ZoneInfo) -> str:
    start, end = item.starts_at.astimezone(tz), item.ends_at.astimezone(tz)
    return (f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}-{end:%H:%M} · "
            f"{schedule.venue_name(item.training_class, item.venue)}")


def signin_sheet_html(session: Session, item: ScheduleItem, tz: ZoneInfo) -> str:
    e = html.escape
    rows = _sheet_rows(session, item, tz)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows)
    head = "".join(f"<th>{h}</th>" for h in SHEET_HEADERS)
    style = (CJK_A4_CSS + "h1 { text-align: center; font-size: 16pt; margin: 0; } "
             "h2 { text-align: center; font-size: 12pt; font-weight: normal; } "
             "table { width: 100%; font-size: 10pt; } th, td { border: 0.5pt solid #000; "
             "padding: 1.2mm 1.5mm; } td:last-child { width: 28mm; } "
             "tr { page-break-inside: avoid; } .sum { margin-top: 3mm; }")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>签到表</title>'
            f"<style>{style}</style></head><body>"
            f"<h1>{e(item.training_class.title)} 签到表</h1>"
            f"<h2>{e(item.title)}<br>{e(_heading(item, tz))}</h2>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f'<p class="sum">应到{len(rows)}人　实到____人　请假____人　缺勤____人　'
            f"负责人签字：__________</p></body></html>")


def signin_sheet_pdf(session: Session, item: ScheduleItem, tz: ZoneInfo) -> bytes:
    return render_pdf(signin_sheet_html(session, item, tz))


def _autosize(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def signin_sheet_xlsx(session: Session, item: ScheduleItem, tz: ZoneInfo) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "签到表"
    ws.append([f"{item.training_class.title} 签到表"])
    ws.append([f"{item.title}　{_heading(item, tz)}"])
    ws.append(SHEET_HEADERS)
    for row in _sheet_rows(session, item, tz):
        ws.append([int(row[0]), *row[1:]])
    ws["A1"].font = Font(bold=True, size=14)
    thin = Side(style="thin")
    for cells in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in cells:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center")
    for cell in ws[3]:
        cell.font = Font(bold=True)
    _autosize(ws, [6, 10, 6, 30, 8, 10, 8, 14])
    ws.freeze_panes = "A4"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def summary_xlsx(session: Session, training_class: TrainingClass, tz: ZoneInfo) -> bytes:
    items, rows = attendance.class_summary(session, training_class)
    wb = Workbook()
    ws = wb.active
    ws.title = "考勤汇总"
    columns = [f"{i.starts_at.astimezone(tz):%m-%d %H:%M} {i.title}" for i in items]
    ws.append(["姓名", "单位", "组别", *columns, "出勤率"])
    for row in rows:
        ws.append([row.enrollment.trainee.name, row.enrollment.unit.name,
                   f"第{row.group_number}组" if row.group_number else "",
                   *(STATUS_NAMES.get(s, s) or "未签到" for s in row.statuses), float(row.rate)])
        ws.cell(row=ws.max_row, column=len(columns) + 4).number_format = "0.0%"
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    _autosize(ws, [10, 30, 8, *([14] * len(columns)), 10])
    ws.freeze_panes = "D2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
