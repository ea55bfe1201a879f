"""Attendance (考勤): QR check-in with a rotating code, the roster, leave requests (请假) and each
trainee's attendance rate (出勤率), which the completion rule of the grading work uses.

The check-in code is an HMAC of the schedule item and the current two-minute time slot, keyed
with the application's secret (passed in as a value: no Flask here). The current and the
previous slot are accepted, so a code read just before it rotates still works, and a photo of
the screen sent to a friend stops working within four minutes.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from training_app.models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    Enrollment,
    LeaveRequest,
    LeaveStatus,
    ScheduleItem,
    TrainingClass,
    User,
)
from training_app.services import audit, groups, schedule
from training_app.services.classes import can_manage
from training_app.services.errors import N_, DomainError, PermissionDenied

CODE_SLOT_SECONDS = 120
CODE_LENGTH = 10
ATTENDED = (AttendanceStatus.PRESENT.value, AttendanceStatus.LATE.value)
RATE_QUANTUM = Decimal("0.0001")


# --- the rotating code -----------------------------------------------------------------------

def _slot(now: datetime) -> int:
    return int(now.timestamp()) // CODE_SLOT_SECONDS


def checkin_code(*, secret: str, item_id: int, now: datetime, slots_back: int = 0) -> str:
    message = f"checkin:{item_id}:{_slot(now) - slots_back}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return digest[:CODE_LENGTH]


def code_is_valid(*, secret: str, item_id: int, code: str, now: datetime) -> bool:
    """The code of the current or the previous time slot."""
    return any(hmac.compare_digest(code.encode(), checkin_code(
        secret=secret, item_id=item_id, now=now, slots_back=back).encode()) for back in (0, 1))


def code_expires_at(now: datetime) -> datetime:
    """When the code shown now stops being accepted (end of the next slot)."""
    return datetime.fromtimestamp((_slot(now) + 2) * CODE_SLOT_SECONDS, tz=now.tzinfo)


# --- check-in --------------------------------------------------------------------------------

def _window(item: ScheduleItem) -> tuple[datetime, datetime]:
    opens = item.checkin_opens_at or item.starts_at - schedule.CHECKIN_BEFORE
    closes = item.checkin_closes_at or min(item.starts_at + schedule.CHECKIN_AFTER, item.ends_at)
    return opens, closes


def checkin_window(item: ScheduleItem) -> tuple[datetime, datetime]:
    return _window(item)


def record_for(session: Session, item: ScheduleItem, user: User) -> Attendance | None:
    return session.scalar(select(Attendance).where(Attendance.item_id == item.id,
                                                   Attendance.user_id == user.id))


def check_in(session: Session, *, item: ScheduleItem, user: User, code: str, secret: str,
             now: datetime, tz: ZoneInfo) -> Attendance:
    """Check ``user`` in to ``item`` by the code of the room's QR code.

    Refused (with a message saying why) when the item takes no attendance, the code is stale,
    the user is not an approved trainee of the class, the window is not open, or the user has
    already checked in. Checking in after the start counts as late (迟到).
    """
    if not item.takes_attendance:
        raise DomainError(N_("本环节不需要签到。"))
    if not code_is_valid(secret=secret, item_id=item.id, code=code, now=now):
        raise DomainError(N_("签到二维码已过期，请扫描屏幕上当前显示的二维码。"))
    training_class = item.training_class
    if not groups.is_approved_trainee(session, training_class, user):
        raise DomainError(N_("您不是“%(title)s”的已录取学员，不能签到。"),
                          title=training_class.title)
    opens, closes = _window(item)
    window = {"opens": schedule.local_time_label(opens, tz),
              "closes": schedule.local_time_label(closes, tz)}
    if now < opens:
        raise DomainError(N_("签到尚未开始。签到时间为%(opens)s至%(closes)s。"), **window)
    if now > closes:
        raise DomainError(N_("签到已结束（签到时间为%(opens)s至%(closes)s），"
                             "请联系工作人员登记。"), **window)
    record = record_for(session, item, user)
    if record is not None and (record.checked_in_at is not None or record.status in ATTENDED):
        at = record.checked_in_at or record.marked_at
        raise DomainError(N_("您已于%(time)s签到，无需重复签到。"),
                          time=schedule.local_time_label(at, tz))
    status = AttendanceStatus.LATE.value if now > item.starts_at else \
        AttendanceStatus.PRESENT.value
    if record is None:
        record = Attendance(item_id=item.id, user_id=user.id)
        try:
            with session.begin_nested():
                _fill(record, status=status, method=AttendanceMethod.QR, now=now, actor=user)
                record.checked_in_at = now
                session.add(record)
        except IntegrityError:  # a second scan raced the first one
            raise DomainError(N_("您已签到，无需重复签到。")) from None
    else:
        before = record.status
        _fill(record, status=status, method=AttendanceMethod.QR, now=now, actor=user)
        record.checked_in_at = now
        session.flush()
        audit.record(session, actor=user, action="attendance.checkin", target=record, now=now,
                     changes={"status": [before, status]}, summary=f"扫码签到：{item.title}")
        return record
    audit.record(session, actor=user, action="attendance.checkin", target=record, now=now,
                 changes={"status": status}, summary=f"扫码签到：{item.title}")
    return record


def _fill(record: Attendance, *, status: str, method: AttendanceMethod, now: datetime,
          actor: User | None, leave: LeaveRequest | None = None, note: str = "") -> None:
    record.status = status
    record.method = method.value
    record.marked_at = now
    record.marked_by_id = actor.id if actor is not None else None
    record.leave_request_id = leave.id if leave is not None else None
    record.note = note


# --- the roster ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterRow:
    enrollment: Enrollment
    group_number: int | None
    record: Attendance | None

    @property
    def status(self) -> str:
        return self.record.status if self.record is not None else ""


def roster(session: Session, item: ScheduleItem) -> list[RosterRow]:
    """Every approved trainee of the class with their record for ``item``, by group and name."""
    training_class = item.training_class
    records = {r.user_id: r for r in session.scalars(
        select(Attendance).where(Attendance.item_id == item.id))}
    numbers = group_numbers(session, training_class)
    rows = [RosterRow(e, numbers.get(e.trainee.user_id), records.get(e.trainee.user_id))
            for e in groups.approved_enrollments(session, training_class)]
    return sorted(rows, key=lambda r: (r.group_number is None, r.group_number or 0,
                                       r.enrollment.trainee.name))


def group_numbers(session: Session, training_class: TrainingClass) -> dict[int, int]:
    return {m.user_id: g.number for g in groups.list_groups(session, training_class)
            for m in g.members}


def approved_leave_covering(session: Session, item: ScheduleItem, user_id: int
                            ) -> LeaveRequest | None:
    return session.scalar(select(LeaveRequest).where(
        LeaveRequest.class_id == item.class_id, LeaveRequest.user_id == user_id,
        LeaveRequest.status == LeaveStatus.APPROVED.value,
        LeaveRequest.starts_at < item.ends_at, LeaveRequest.ends_at > item.starts_at))


def mark_roster(session: Session, *, item: ScheduleItem, marks: dict[int, str], actor: User,
                now: datetime) -> int:
    """Set the status of trainees (user id -> status) for ``item``; returns how many changed.

    Organizers mark anything; a sub-venue coordinator may mark a trainee excused (请假) only
    when the organizer has approved a leave request covering the item."""
    if not schedule.can_run_item(session, actor, item):
        raise PermissionDenied(N_("只有承办方或本分会场负责人可以登记考勤。"))
    if not item.takes_attendance:
        raise DomainError(N_("本环节不需要签到。"))
    enrolled = {e.trainee.user_id: e for e in groups.approved_enrollments(
        session, item.training_class)}
    valid = {s.value for s in AttendanceStatus}
    changed = {}
    for user_id, status in marks.items():
        if not status:
            continue
        if status not in valid:
            raise DomainError(N_("未知的考勤状态。"))
        if user_id not in enrolled:
            raise DomainError(N_("只能为本班已录取的学员登记考勤。"))
        record = record_for_id(session, item, user_id)
        if record is not None and record.status == status:
            continue
        leave = None
        note = ""
        if status == AttendanceStatus.EXCUSED.value:
            leave = approved_leave_covering(session, item, user_id)
            if leave is None and not can_manage(actor):
                raise DomainError(N_("%(name)s没有经承办方批准的请假，不能登记为请假。"),
                                  name=enrolled[user_id].trainee.name)
            if leave is None:
                note = "承办方登记时批准"
        before = record.status if record is not None else None
        if record is None:
            record = Attendance(item_id=item.id, user_id=user_id)
            session.add(record)
        _fill(record, status=status, method=AttendanceMethod.ROSTER, now=now, actor=actor,
              leave=leave, note=note)
        if status not in ATTENDED:
            record.checked_in_at = None
        changed[str(user_id)] = [before, status]
    session.flush()
    if changed:
        audit.record(session, actor=actor, action="attendance.roster", target=item, now=now,
                     changes=changed, summary=f"登记考勤：{item.title}（{len(changed)}人）")
    return len(changed)


def record_for_id(session: Session, item: ScheduleItem, user_id: int) -> Attendance | None:
    return session.scalar(select(Attendance).where(Attendance.item_id == item.id,
                                                   Attendance.user_id == user_id))


# --- leave requests (请假) --------------------------------------------------------------------

def request_leave(session: Session, *, training_class: TrainingClass, user: User,
                  starts_at: datetime, ends_at: datetime, reason: str, now: datetime
                  ) -> LeaveRequest:
    if not groups.is_approved_trainee(session, training_class, user):
        raise DomainError(N_("您不是本班已录取的学员，不能请假。"))
    reason = reason.strip()
    if not reason:
        raise DomainError(N_("请填写请假事由。"))
    if ends_at <= starts_at:
        raise DomainError(N_("请假结束时间必须晚于开始时间。"))
    leave = LeaveRequest(class_id=training_class.id, user_id=user.id, starts_at=starts_at,
                         ends_at=ends_at, reason=reason[:2000], created_at=now,
                         status=LeaveStatus.PENDING.value)
    session.add(leave)
    session.flush()
    audit.record(session, actor=user, action="leave.request", target=leave, now=now,
                 summary=f"申请请假：{training_class.title}",
                 changes={"starts_at": starts_at, "ends_at": ends_at})
    return leave


def cancel_leave(session: Session, *, leave: LeaveRequest, actor: User, now: datetime) -> None:
    if leave.user_id != actor.id:
        raise PermissionDenied(N_("只能撤回本人的请假申请。"))
    if leave.status != LeaveStatus.PENDING.value:
        raise DomainError(N_("只能撤回待审批的请假申请。"))
    leave.status = LeaveStatus.CANCELLED.value
    session.flush()
    audit.record(session, actor=actor, action="leave.cancel", target=leave, now=now,
                 summary="撤回请假申请")


def decide_leave(session: Session, *, leave: LeaveRequest, approve: bool, note: str,
                 actor: User, now: datetime) -> LeaveRequest:
    """Approve or refuse. Approval marks the covered attendance-taking items excused, except
    where the trainee is already recorded present or late."""
    if not can_manage(actor):
        raise PermissionDenied(N_("只有承办方可以审批请假。"))
    if leave.status != LeaveStatus.PENDING.value:
        raise DomainError(N_("该请假申请已处理。"))
    leave.status = (LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED).value
    leave.decided_at, leave.decided_by_id = now, actor.id
    leave.decision_note = note.strip()
    marked = []
    if approve:
        covered = session.scalars(select(ScheduleItem).where(
            ScheduleItem.class_id == leave.class_id, ScheduleItem.takes_attendance.is_(True),
            ScheduleItem.starts_at < leave.ends_at, ScheduleItem.ends_at > leave.starts_at))
        for item in covered:
            record = record_for_id(session, item, leave.user_id)
            if record is not None and record.status in ATTENDED:
                continue
            if record is None:
                record = Attendance(item_id=item.id, user_id=leave.user_id)
                session.add(record)
            _fill(record, status=AttendanceStatus.EXCUSED.value, method=AttendanceMethod.LEAVE,
                  now=now, actor=actor, leave=leave)
            marked.append(item.id)
    session.flush()
    audit.record(session, actor=actor, action="leave.approve" if approve else "leave.refuse",
                 target=leave, now=now, changes={"status": leave.status, "items": marked},
                 summary=f"{'批准' if approve else '不批准'}请假：{leave.user.display_name}")
    return leave


def list_leave(session: Session, training_class: TrainingClass, user: User | None = None
               ) -> list[LeaveRequest]:
    query = select(LeaveRequest).where(LeaveRequest.class_id == training_class.id)
    if user is not None:
        query = query.where(LeaveRequest.user_id == user.id)
    return list(session.scalars(query.order_by(LeaveRequest.created_at.desc(),
                                               LeaveRequest.id.desc())))


# --- rates -----------------------------------------------------------------------------------

def attendance_items(session: Session, training_class: TrainingClass) -> list[ScheduleItem]:
    return [i for i in schedule.list_items(session, training_class) if i.takes_attendance]


def attendance_rate(session: Session, *, training_class: TrainingClass, trainee_user: User
                    ) -> Decimal:
    """The share of the class's attendance-taking sessions the trainee attended (present or
    late), between 0 and 1, rounded down to 4 places. Excused leave and no record count as not
    attended. A class whose schedule takes no attendance gives 1."""
    total = session.scalar(select(func.count()).select_from(ScheduleItem).where(
        ScheduleItem.class_id == training_class.id, ScheduleItem.takes_attendance.is_(True)))
    if not total:
        return Decimal(1)
    attended = session.scalar(
        select(func.count()).select_from(Attendance).join(ScheduleItem).where(
            ScheduleItem.class_id == training_class.id, ScheduleItem.takes_attendance.is_(True),
            Attendance.user_id == trainee_user.id, Attendance.status.in_(ATTENDED)))
    return (Decimal(attended) / Decimal(total)).quantize(RATE_QUANTUM, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class SummaryRow:
    enrollment: Enrollment
    group_number: int | None
    statuses: list[str]  # one per attendance item, "" = no record
    rate: Decimal


def class_summary(session: Session, training_class: TrainingClass
                  ) -> tuple[list[ScheduleItem], list[SummaryRow]]:
    """The attendance grid of the class: items as columns, trainees as rows, with rates."""
    items = attendance_items(session, training_class)
    records = {(r.item_id, r.user_id): r.status for r in session.scalars(
        select(Attendance).join(ScheduleItem).where(ScheduleItem.class_id == training_class.id,
                                                    ScheduleItem.takes_attendance.is_(True)))}
    numbers = group_numbers(session, training_class)
    rows = []
    for e in groups.approved_enrollments(session, training_class):
        uid = e.trainee.user_id
        statuses = [records.get((i.id, uid), "") for i in items]
        attended = sum(1 for s in statuses if s in ATTENDED)
        rate = (Decimal(attended) / Decimal(len(items))).quantize(RATE_QUANTUM, ROUND_DOWN) \
            if items else Decimal(1)
        rows.append(SummaryRow(e, numbers.get(uid), statuses, rate))
    rows.sort(key=lambda r: (r.group_number is None, r.group_number or 0,
                             r.enrollment.trainee.name))
    return items, rows


def checkin_deadline_passed(item: ScheduleItem, now: datetime) -> bool:
    return now > _window(item)[1]


def window_is_open(item: ScheduleItem, now: datetime) -> bool:
    opens, closes = _window(item)
    return opens <= now <= closes


def code_refresh_seconds(now: datetime) -> int:
    """Seconds until the next slot starts (when the room screen should show the new code)."""
    return CODE_SLOT_SECONDS - int(now.timestamp()) % CODE_SLOT_SECONDS

