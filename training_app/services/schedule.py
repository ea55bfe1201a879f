"""The schedule (日程): items, the one-click standard agenda for 1-4 day classes, the checks
shown on the schedule page, and sub-venue coordinators.

Times are aware UTC datetimes here; the class's local zone (``tz``) is passed in where local
clock times matter (the standard agenda starts sign-in at 8:30 local time).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from training_app.models import (
    Exam,
    LectureMode,
    Role,
    ScheduleItem,
    ScheduleKind,
    TrainingClass,
    User,
    VenueCoordinator,
)
from training_app.services import audit
from training_app.services.activities import ACTIVITY_MAX_MINUTES, ACTIVITY_MIN_MINUTES
from training_app.services.classes import can_manage
from training_app.services.errors import N_, DomainError, PermissionDenied

K = ScheduleKind
OPENING_MAX_MINUTES = 60  # 开班仪式不超过1小时
DEFAULT_EXAM_MINUTES = 60
CLASS_HOUR_MINUTES = 45  # 1学时 = 45分钟, the usual measure of training hours in China
# Kinds that are not teaching time: they do not count toward the class's 学时.
NOT_COUNTED = {K.SIGN_IN.value, K.MEAL.value, K.FREE.value}
# Kinds taught by a lecturer: the page lists those still without one as a to-do.
TAUGHT = {K.BRIEFING.value, K.KEYNOTE.value, K.LECTURE.value, K.CASE_STUDY.value}
STANDARD_STEPS = [K.OPENING, K.ICE_BREAKING, K.BRIEFING, K.EXAM, K.KEYNOTE, K.EXCHANGE,
                  K.CULTURE, K.GRADUATION]
# Chinese names for generated documents (the UI labels are in forms/schedule.py).
KIND_NAMES = {
    K.SIGN_IN: "报到签到", K.OPENING: "开班仪式", K.ICE_BREAKING: "破冰活动",
    K.BRIEFING: "形势介绍", K.EXAM: "开卷考试", K.KEYNOTE: "主题授课", K.EXCHANGE: "学员交流",
    K.CULTURE: "文体活动", K.GRADUATION: "结业仪式", K.LECTURE: "讲座", K.DISCUSSION: "讨论",
    K.CASE_STUDY: "案例研讨", K.ROLE_PLAY: "角色扮演", K.VISIT: "参观考察", K.MEAL: "用餐",
    K.FREE: "自由活动",
}
MAIN_VENUE_NAME = "主会场"
# Default check-in window around the start of a session that takes attendance.
CHECKIN_BEFORE = timedelta(minutes=30)
CHECKIN_AFTER = timedelta(minutes=30)
MAX_STANDARD_DAYS = 4


def local_time_label(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def venue_name(training_class: TrainingClass, venue: str) -> str:
    if venue:
        return venue
    return f"{MAIN_VENUE_NAME}（{training_class.venue}）" if training_class.venue else \
        MAIN_VENUE_NAME


# --- reading ---------------------------------------------------------------------------------

def list_items(session: Session, training_class: TrainingClass) -> list[ScheduleItem]:
    return list(session.scalars(
        select(ScheduleItem).where(ScheduleItem.class_id == training_class.id)
        .order_by(ScheduleItem.starts_at, ScheduleItem.venue, ScheduleItem.id)))


def exam_minutes(session: Session, training_class: TrainingClass) -> int:
    """The class's exam duration (the longest if it has several), else 60 minutes."""
    durations = list(session.scalars(select(Exam.duration_minutes).where(
        Exam.class_id == training_class.id)))
    return max(durations) if durations else DEFAULT_EXAM_MINUTES


def lecturers(session: Session) -> list[User]:
    from training_app.models import UserRole

    return list(session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.LECTURER.value,
                                          User.active.is_(True)).order_by(User.display_name)))


def staff_members(session: Session) -> list[User]:
    """Who can be responsible for an item: organizers and admins (the organizer's staff)."""
    from training_app.models import UserRole

    return list(session.scalars(
        select(User).join(UserRole).where(
            UserRole.role.in_([Role.ORGANIZER.value, Role.ADMIN.value]),
            User.active.is_(True)).distinct().order_by(User.display_name)))


# --- editing ---------------------------------------------------------------------------------

@dataclass
class ItemValues:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str = ""
    lecturer: User | None = None
    responsible: User | None = None
    lecture_mode: str = LectureMode.NONE.value
    audience_zones: str = ""
    seating_plan: str = ""
    notes: str = ""
    takes_attendance: bool = False
    checkin_opens_at: datetime | None = None
    checkin_closes_at: datetime | None = None


def _clean(training_class: TrainingClass, values: ItemValues, tz: ZoneInfo) -> dict[str, Any]:
    title = values.title.strip()
    if not title:
        raise DomainError(N_("请填写日程标题。"))
    if values.kind not in {k.value for k in ScheduleKind}:
        raise DomainError(N_("未知的日程类型。"))
    if values.ends_at <= values.starts_at:
        raise DomainError(N_("结束时间必须晚于开始时间。"))
    first = values.starts_at.astimezone(tz).date()
    last = (values.ends_at - timedelta(seconds=1)).astimezone(tz).date()
    if first < training_class.start_date or last > training_class.end_date:
        raise DomainError(N_("日程时间须在培训班日期（%(start)s至%(end)s）之内。"),
                          start=training_class.start_date.isoformat(),
                          end=training_class.end_date.isoformat())
    venue = values.venue.strip()
    if venue and venue not in (training_class.sub_venues or []):
        raise DomainError(N_("未知的分会场：%(venue)s"), venue=venue)
    if values.lecturer is not None and not values.lecturer.has_role(Role.LECTURER):
        raise DomainError(N_("%(name)s不是授课教师。"), name=values.lecturer.display_name)
    if values.responsible is None:
        raise DomainError(N_("请指定负责人（事事有人管）。"))
    if values.lecture_mode not in {m.value for m in LectureMode}:
        raise DomainError(N_("未知的授课方式。"))
    opens, closes = values.checkin_opens_at, values.checkin_closes_at
    if values.takes_attendance:
        opens = opens or values.starts_at - CHECKIN_BEFORE
        closes = closes or min(values.starts_at + CHECKIN_AFTER, values.ends_at)
        if closes <= opens:
            raise DomainError(N_("签到截止时间必须晚于签到开始时间。"))
    else:
        opens = closes = None
    return {
        "kind": values.kind, "title": title[:200], "starts_at": values.starts_at,
        "ends_at": values.ends_at, "venue": venue,
        "lecturer_id": values.lecturer.id if values.lecturer else None,
        "responsible_id": values.responsible.id, "lecture_mode": values.lecture_mode,
        "audience_zones": values.audience_zones.strip()
        if values.lecture_mode == LectureMode.PUBLIC.value else "",
        "seating_plan": values.seating_plan.strip()
        if values.lecture_mode == LectureMode.TRAINEES_ONLY.value else "",
        "notes": values.notes.strip(), "takes_attendance": values.takes_attendance,
        "checkin_opens_at": opens, "checkin_closes_at": closes,
    }


def create_item(session: Session, *, training_class: TrainingClass, values: ItemValues,
                actor: User, now: datetime, tz: ZoneInfo) -> ScheduleItem:
    _require_manager(actor)
    clean = _clean(training_class, values, tz)
    item = ScheduleItem(class_id=training_class.id, created_at=now, **clean)
    session.add(item)
    session.flush()
    audit.record(session, actor=actor, action="schedule.create", target=item, now=now,
                 summary=f"新增日程：{item.title}",
                 changes={k: v for k, v in clean.items() if k in ("kind", "title", "starts_at",
                                                                  "ends_at", "venue")})
    return item


def update_item(session: Session, *, item: ScheduleItem, values: ItemValues, actor: User,
                now: datetime, tz: ZoneInfo) -> ScheduleItem:
    _require_manager(actor)
    clean = _clean(item.training_class, values, tz)
    changes = audit.diff(item, clean)
    for key, value in clean.items():
        setattr(item, key, value)
    session.flush()
    if changes:
        audit.record(session, actor=actor, action="schedule.update", target=item, now=now,
                     changes=changes, summary=f"修改日程：{item.title}")
    return item


def delete_item(session: Session, *, item: ScheduleItem, actor: User, now: datetime) -> None:
    _require_manager(actor)
    audit.record(session, actor=actor, action="schedule.delete", target=item, now=now,
                 summary=f"删除日程：{item.title}",
                 changes={"title": item.title, "starts_at": item.starts_at})
    session.delete(item)
    session.flush()


# --- the standard agenda ---------------------------------------------------------------------

EXAM = "EXAM"  # stands for the exam's duration in the templates below

# (kind, title, minutes, takes attendance). Each day starts at 08:30; items follow each other.
FIRST_DAY = [
    (K.SIGN_IN, "报到签到", 30, True),
    (K.OPENING, "开班仪式：承办方负责人致辞、领导讲话、合影", 60, False),
    (K.ICE_BREAKING, "破冰活动：分组，选举班长和组长，确定组名、组歌和口号", 90, False),
    (K.MEAL, "午餐、午休", 120, False),
    (K.BRIEFING, "形势介绍", 90, True),
    (K.EXAM, "开卷考试", EXAM, False),
    (K.KEYNOTE, "主题授课", 90, False),
]
MIDDLE_DAY = [
    (K.KEYNOTE, "主题授课", 90, True),
    (K.LECTURE, "专题讲座", 90, False),
    (K.MEAL, "午餐、午休", 120, False),
    (K.CASE_STUDY, "案例研讨", 90, True),
    (K.DISCUSSION, "分组讨论", 90, False),
    (K.ROLE_PLAY, "角色扮演", 60, False),
]
LAST_DAY = [
    (K.KEYNOTE, "主题授课", 90, True),
    (K.EXCHANGE, "学员交流：各组代表汇报，专家点评", 90, False),
    (K.MEAL, "午餐、午休", 120, False),
    (K.LECTURE, "专题讲座", 90, True),
    (K.CULTURE, "文体活动", 70, False),
    (K.GRADUATION, "结业仪式：颁发结业证书和优秀学员证书，文体活动颁奖，合影", 50, True),
]
ONE_DAY = [
    (K.SIGN_IN, "报到签到", 30, True),
    (K.OPENING, "开班仪式", 30, False),
    (K.ICE_BREAKING, "破冰活动：分组，选举班长和组长", 60, False),
    (K.BRIEFING, "形势介绍", 60, False),
    (K.MEAL, "午餐", 90, False),
    (K.EXAM, "开卷考试", EXAM, True),
    (K.KEYNOTE, "主题授课", 60, False),
    (K.EXCHANGE, "学员交流", 60, False),
    (K.CULTURE, "文体活动", 60, False),
    (K.GRADUATION, "结业仪式", 30, False),
]
DAY_START = time(8, 30)  # 签到 8:30


def standard_days(days: int) -> list[list[tuple]]:
    if days == 1:
        return [ONE_DAY]
    return [FIRST_DAY, *([MIDDLE_DAY] * (days - 2)), LAST_DAY]


def build_standard_agenda(session: Session, *, training_class: TrainingClass, actor: User,
                          now: datetime, tz: ZoneInfo, replace: bool = False
                          ) -> list[ScheduleItem]:
    """The standard order for a 1-4 day class, with the exam slot sized to the class's exam.
    The actor becomes responsible for every item until the organizer assigns others."""
    _require_manager(actor)
    days = training_class.days
    if not 1 <= days <= MAX_STANDARD_DAYS:
        raise DomainError(N_("标准日程适用于1-4天的培训班，本班为%(days)s天。"), days=days)
    existing = list_items(session, training_class)
    if existing and not replace:
        raise DomainError(N_("日程中已有%(n)s项安排；如需重新生成，请勾选“替换现有日程”。"),
                          n=len(existing))
    if existing:
        session.execute(delete(ScheduleItem).where(ScheduleItem.class_id == training_class.id))
        session.expire_all()
    exam = exam_minutes(session, training_class)
    items = []
    for offset, template in enumerate(standard_days(days)):
        day: date = training_class.start_date + timedelta(days=offset)
        cursor = datetime.combine(day, DAY_START, tzinfo=tz)
        for kind, title, minutes, attendance in template:
            length = exam if minutes == EXAM else minutes
            start, end = cursor, cursor + timedelta(minutes=length)
            cursor = end
            taught = kind.value in TAUGHT
            item = ScheduleItem(
                class_id=training_class.id, kind=kind.value,
                title=title if days == 1 or kind not in (K.KEYNOTE, K.LECTURE)
                else f"{title}（第{offset + 1}天）",
                starts_at=start.astimezone(ZoneInfo("UTC")),
                ends_at=end.astimezone(ZoneInfo("UTC")), venue="", responsible_id=actor.id,
                lecture_mode=LectureMode.TRAINEES_ONLY.value if taught else "",
                takes_attendance=attendance, created_at=now,
                checkin_opens_at=(start - CHECKIN_BEFORE).astimezone(ZoneInfo("UTC"))
                if attendance else None,
                checkin_closes_at=min(start + CHECKIN_AFTER, end).astimezone(ZoneInfo("UTC"))
                if attendance else None)
            session.add(item)
            items.append(item)
    session.flush()
    audit.record(session, actor=actor, action="schedule.standard", target=training_class,
                 now=now, summary=f"生成{days}天标准日程（{len(items)}项）",
                 changes={"days": days, "items": len(items), "exam_minutes": exam,
                          "replaced": len(existing)})
    return items


# --- checks ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    level: str  # "error", "warning" or "todo"
    message: str  # N_() template, filled with params where shown
    params: dict[str, Any] = field(default_factory=dict)
    item_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ScheduleCheck:
    findings: list[Finding]
    scheduled_hours: Decimal  # 学时 in the main venue's schedule
    required_hours: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def todos(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "todo"]

    @property
    def passed(self) -> bool:
        return not self.errors and not self.warnings


def check_items(items: Sequence[ScheduleItem], *, training_class: TrainingClass,
                exam_duration: int, tz: ZoneInfo) -> ScheduleCheck:
    findings: list[Finding] = []
    by_venue: dict[str, list[ScheduleItem]] = {}
    for item in items:
        by_venue.setdefault(item.venue, []).append(item)
    for venue, venue_items in by_venue.items():
        ordered = sorted(venue_items, key=lambda i: (i.starts_at, i.id))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if b.starts_at >= a.ends_at:
                    break
                findings.append(Finding(
                    "error", N_("“%(a)s”与“%(b)s”在同一会场（%(venue)s）时间重叠（%(time)s）。"),
                    {"a": a.title, "b": b.title, "venue": venue_name(training_class, venue),
                     "time": local_time_label(b.starts_at, tz)}, (a.id, b.id)))
    for item in items:
        minutes = item.minutes
        first = item.starts_at.astimezone(tz).date()
        last = (item.ends_at - timedelta(seconds=1)).astimezone(tz).date()
        if first < training_class.start_date or last > training_class.end_date:
            findings.append(Finding(
                "error", N_("“%(title)s”不在培训班日期（%(start)s至%(end)s）之内。"),
                {"title": item.title,
                 "start": training_class.start_date.isoformat(),
                 "end": training_class.end_date.isoformat()}, (item.id,)))
        if item.kind == K.OPENING and minutes > OPENING_MAX_MINUTES:
            findings.append(Finding(
                "warning", N_("开班仪式“%(title)s”为%(minutes)s分钟，标准为不超过%(max)s分钟。"),
                {"title": item.title, "minutes": minutes, "max": OPENING_MAX_MINUTES},
                (item.id,)))
        if item.kind == K.CULTURE and not (
                ACTIVITY_MIN_MINUTES <= minutes <= ACTIVITY_MAX_MINUTES):
            findings.append(Finding(
                "warning", N_("文体活动“%(title)s”为%(minutes)s分钟，标准为%(min)s-%(max)s分钟。"),
                {"title": item.title, "minutes": minutes, "min": ACTIVITY_MIN_MINUTES,
                 "max": ACTIVITY_MAX_MINUTES}, (item.id,)))
        if item.kind == K.EXAM and minutes < exam_duration:
            findings.append(Finding(
                "error", N_("考试时段“%(title)s”为%(minutes)s分钟，短于考试时长%(exam)s分钟。"),
                {"title": item.title, "minutes": minutes, "exam": exam_duration}, (item.id,)))
        if item.responsible_id is None:
            findings.append(Finding("warning", N_("“%(title)s”未指定负责人（事事有人管）。"),
                                    {"title": item.title}, (item.id,)))
        if item.kind in TAUGHT and item.lecturer_id is None:
            findings.append(Finding("todo", N_("“%(title)s”尚未指定授课教师。"),
                                    {"title": item.title}, (item.id,)))
    present = {item.kind for item in items}
    missing = [KIND_NAMES[k] for k in STANDARD_STEPS if k.value not in present]
    if items and missing:
        findings.append(Finding("warning", N_("日程中缺少标准环节：%(steps)s。"),
                                {"steps": "、".join(missing)}))
    counted = sum(i.minutes for i in items if not i.venue and i.kind not in NOT_COUNTED)
    hours = (Decimal(counted) / CLASS_HOUR_MINUTES).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if hours < training_class.credit_hours:
        findings.append(Finding(
            "warning", N_("日程合计%(scheduled)s学时，少于培训班的%(required)s学时"
                          "（1学时按%(minutes)s分钟计，不含签到、用餐和自由活动）。"),
            {"scheduled": str(hours), "required": training_class.credit_hours,
             "minutes": CLASS_HOUR_MINUTES}))
    order = {"error": 0, "warning": 1, "todo": 2}
    findings.sort(key=lambda f: order[f.level])
    return ScheduleCheck(findings=findings, scheduled_hours=hours,
                         required_hours=training_class.credit_hours)


def check_schedule(session: Session, training_class: TrainingClass, tz: ZoneInfo
                   ) -> ScheduleCheck:
    return check_items(list_items(session, training_class), training_class=training_class,
                       exam_duration=exam_minutes(session, training_class), tz=tz)


# --- sub-venue coordinators ------------------------------------------------------------------

def coordinators(session: Session, training_class: TrainingClass) -> list[VenueCoordinator]:
    return list(session.scalars(
        select(VenueCoordinator).where(VenueCoordinator.class_id == training_class.id)
        .order_by(VenueCoordinator.venue, VenueCoordinator.id)))


def is_venue_coordinator(session: Session, user: User, item: ScheduleItem) -> bool:
    return bool(item.venue) and session.scalar(select(VenueCoordinator.id).where(
        VenueCoordinator.class_id == item.class_id, VenueCoordinator.venue == item.venue,
        VenueCoordinator.user_id == user.id)) is not None


def can_run_item(session: Session, user: User, item: ScheduleItem) -> bool:
    """Show the check-in code and mark attendance: organizers, admins, and the coordinator of
    the item's sub-venue."""
    return can_manage(user) or is_venue_coordinator(session, user, item)


def assign_coordinator(session: Session, *, training_class: TrainingClass, venue: str,
                       user: User, actor: User, now: datetime) -> VenueCoordinator:
    _require_manager(actor)
    if venue not in (training_class.sub_venues or []):
        raise DomainError(N_("未知的分会场：%(venue)s"), venue=venue)
    existing = session.scalar(select(VenueCoordinator).where(
        VenueCoordinator.class_id == training_class.id, VenueCoordinator.venue == venue,
        VenueCoordinator.user_id == user.id))
    if existing is not None:
        return existing
    coordinator = VenueCoordinator(class_id=training_class.id, venue=venue, user_id=user.id)
    session.add(coordinator)
    session.flush()
    audit.record(session, actor=actor, action="schedule.coordinator_add", target=coordinator,
                 now=now, summary=f"指定{venue}负责人：{user.display_name}",
                 changes={"venue": venue, "user_id": user.id})
    return coordinator


def remove_coordinator(session: Session, *, coordinator: VenueCoordinator, actor: User,
                       now: datetime) -> None:
    _require_manager(actor)
    audit.record(session, actor=actor, action="schedule.coordinator_remove",
                 target=coordinator, now=now, summary=f"取消{coordinator.venue}负责人",
                 changes={"venue": coordinator.venue, "user_id": coordinator.user_id})
    session.delete(coordinator)
    session.flush()


def _require_manager(actor: User) -> None:
    if not can_manage(actor):
        raise PermissionDenied(N_("只有承办方可以编排日程。"))
