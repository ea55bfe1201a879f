"""Schedule exports: an iCalendar file (the class's, or one person's) that a calendar application
imports, and the printable agenda (日程表) as a PDF."""
from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy.orm import Session

from training_app.models import ScheduleItem, TrainingClass, User
from training_app.services import groups, schedule
from training_app.services.pdf import CJK_A4_CSS, render_pdf
from training_app.services.schedule import KIND_NAMES

UID_DOMAIN = "training-app"


def _description(item: ScheduleItem) -> str:
    lines = [f"类型：{KIND_NAMES.get(item.kind, item.kind)}"]
    if item.lecturer is not None:
        lines.append(f"授课教师：{item.lecturer.display_name}")
    if item.responsible is not None:
        lines.append(f"负责人：{item.responsible.display_name}")
    if item.takes_attendance:
        lines.append("本环节需要签到")
    if item.notes:
        lines.append(item.notes)
    return "\n".join(lines)


def calendar_bytes(items: Sequence[ScheduleItem], *, training_class: TrainingClass,
                   calendar_name: str, tz: ZoneInfo, now: datetime) -> bytes:
    """One VEVENT per item, times in the class's zone (TZID) with its VTIMEZONE included."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//training-app//社会工作短期培训管理与考试平台//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-timezone", tz.key)
    for item in items:
        event = icalendar.Event()
        event.add("uid", f"schedule-item-{item.id}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("dtstart", item.starts_at.astimezone(tz))
        event.add("dtend", item.ends_at.astimezone(tz))
        event.add("summary", item.title)
        event.add("location", schedule.venue_name(training_class, item.venue))
        event.add("description", _description(item))
        event.add("categories", [KIND_NAMES.get(item.kind, item.kind)])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def items_for(session: Session, training_class: TrainingClass, user: User) -> list[ScheduleItem]:
    """One person's calendar: a trainee gets the whole class schedule; a lecturer the items they
    teach; staff the items they are responsible for or coordinate."""
    items = schedule.list_items(session, training_class)
    if groups.is_approved_trainee(session, training_class, user):
        return items
    return [i for i in items if i.lecturer_id == user.id or i.responsible_id == user.id
            or schedule.is_venue_coordinator(session, user, i)]


def agenda_html(items: Sequence[ScheduleItem], *, training_class: TrainingClass,
                tz: ZoneInfo) -> str:
    e = html.escape
    parts = [f"<h1>{e(training_class.title)}</h1>",
             f'<p class="meta">日程安排 · {training_class.start_date:%Y年%m月%d日}至'
             f"{training_class.end_date:%Y年%m月%d日} · {e(training_class.venue or '')} · "
             f"{training_class.credit_hours}学时</p>"]
    current_day = None
    rows: list[str] = []

    def flush_table() -> None:
        if rows:
            parts.append('<table><thead><tr><th class="t">时间</th><th>内容</th><th>地点</th>'
                         "<th>授课教师</th><th>负责人</th></tr></thead><tbody>"
                         + "".join(rows) + "</tbody></table>")
            rows.clear()

    weekdays = "一二三四五六日"
    for item in items:
        start, end = item.starts_at.astimezone(tz), item.ends_at.astimezone(tz)
        if start.date() != current_day:
            flush_table()
            current_day = start.date()
            parts.append(f"<h2>{start.month}月{start.day}日（星期{weekdays[start.weekday()]}）</h2>")
        title = e(item.title) + ("<br><small>需签到</small>" if item.takes_attendance else "")
        rows.append(
            f'<tr><td class="t">{start:%H:%M}-{end:%H:%M}</td><td>{title}</td>'
            f"<td>{e(schedule.venue_name(training_class, item.venue))}</td>"
            f"<td>{e(item.lecturer.display_name) if item.lecturer else ''}</td>"
            f"<td>{e(item.responsible.display_name) if item.responsible else ''}</td></tr>")
    flush_table()
    if not items:
        parts.append("<p>尚未安排日程。</p>")
    style = (CJK_A4_CSS + "h1 { text-align: center; font-size: 18pt; margin-bottom: 2mm; } "
             ".meta { text-align: center; font-size: 10.5pt; } h2 { font-size: 13pt; "
             "margin: 5mm 0 2mm; } table { width: 100%; font-size: 10.5pt; } "
             "th, td { border: 0.5pt solid #000; padding: 1.5mm 2mm; vertical-align: top; } "
             "td.t, th.t { white-space: nowrap; width: 24mm; }")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>'
            f"{e(training_class.title)} 日程安排</title><style>{style}</style></head><body>"
            + "".join(parts) + "</body></html>")


def agenda_pdf(items: Sequence[ScheduleItem], *, training_class: TrainingClass,
               tz: ZoneInfo) -> bytes:
    return render_pdf(agenda_html(items, training_class=training_class, tz=tz))
