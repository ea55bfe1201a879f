"""Check-in with the rotating code, the roster, leave requests, rates and sign-in sheets."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories import make_approved_trainee, make_class, make_user
from training_app.models import LeaveStatus, Role
from training_app.services import attendance, groups, schedule, signin_sheets
from training_app.services.errors import DomainError, PermissionDenied
from training_app.services.schedule import ItemValues

TZ = ZoneInfo("Asia/Shanghai")
SECRET = "test-secret"
DAY1 = date(2026, 5, 17)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).astimezone(timezone.utc)


START = local(DAY1, 9)  # the session starts 09:00; check-in 08:30-09:30


@pytest.fixture
def setting(db_session):
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    training_class = make_class(db_session, start=DAY1, end=DAY1 + timedelta(days=2))
    training_class.sub_venues = ["寿光分会场"]
    item = schedule.create_item(db_session, training_class=training_class, values=ItemValues(
        kind="keynote", title="主题授课", starts_at=START, ends_at=START + timedelta(hours=2),
        responsible=organizer, takes_attendance=True), actor=organizer, now=START, tz=TZ)
    trainees = [make_approved_trainee(db_session, training_class, name=f"学员{i}")
                for i in range(3)]
    return organizer, training_class, item, trainees


def code(item, now):
    return attendance.checkin_code(secret=SECRET, item_id=item.id, now=now)


def check_in(db_session, item, user, now, code_value=None):
    return attendance.check_in(db_session, item=item, user=user, now=now, tz=TZ, secret=SECRET,
                               code=code_value if code_value is not None else code(item, now))


def test_code_rotates_and_the_previous_one_still_works():
    now = datetime(2026, 5, 17, 1, 0, 30, tzinfo=timezone.utc)
    current = attendance.checkin_code(secret=SECRET, item_id=7, now=now)
    assert len(current) == 10
    assert attendance.checkin_code(secret=SECRET, item_id=8, now=now) != current
    assert attendance.checkin_code(secret="other", item_id=7, now=now) != current
    assert attendance.code_is_valid(secret=SECRET, item_id=7, code=current, now=now)
    later = now + timedelta(minutes=2)
    assert attendance.checkin_code(secret=SECRET, item_id=7, now=later) != current
    assert attendance.code_is_valid(secret=SECRET, item_id=7, code=current, now=later)
    assert not attendance.code_is_valid(secret=SECRET, item_id=7, code=current,
                                        now=now + timedelta(minutes=4))
    assert not attendance.code_is_valid(secret=SECRET, item_id=7, code="", now=now)


def test_check_in_on_time_then_late(db_session, setting):
    organizer, training_class, item, (a, b, c) = setting
    record = check_in(db_session, item, a, START - timedelta(minutes=10))
    assert record.status == "present" and record.method == "qr"
    assert record.checked_in_at == START - timedelta(minutes=10)
    late = check_in(db_session, item, b, START + timedelta(minutes=5))
    assert late.status == "late"


def test_check_in_refusals_say_why(db_session, setting):
    organizer, training_class, item, (a, b, c) = setting
    with pytest.raises(DomainError, match="签到尚未开始") as info:
        check_in(db_session, item, a, START - timedelta(minutes=31))
    assert "5月17日 08:30至5月17日 09:30" in str(info.value)
    with pytest.raises(DomainError, match="签到已结束"):
        check_in(db_session, item, a, START + timedelta(minutes=31))
    stale_at = START - timedelta(minutes=20)
    with pytest.raises(DomainError, match="二维码已过期"):
        check_in(db_session, item, a, stale_at + timedelta(minutes=5), code(item, stale_at))
    with pytest.raises(DomainError, match="二维码已过期"):
        check_in(db_session, item, a, START, "0000000000")
    stranger = make_user(db_session, roles=[Role.TRAINEE])
    with pytest.raises(DomainError, match="不是“测试培训班”的已录取学员"):
        check_in(db_session, item, stranger, START)
    check_in(db_session, item, a, START - timedelta(minutes=1))
    with pytest.raises(DomainError, match="您已于5月17日 08:59签到，无需重复签到"):
        check_in(db_session, item, a, START + timedelta(minutes=1))
    item.takes_attendance = False
    with pytest.raises(DomainError, match="不需要签到"):
        check_in(db_session, item, b, START)


def test_pending_or_withdrawn_trainee_cannot_check_in(db_session, setting):
    organizer, training_class, item, (a, b, c) = setting
    groups.approved_enrollment_of(db_session, training_class, b).status = "withdrawn"
    db_session.flush()
    with pytest.raises(DomainError, match="已录取学员"):
        check_in(db_session, item, b, START)


def test_roster_marks_and_coordinator_limits(db_session, setting):
    organizer, training_class, item, (a, b, c) = setting
    check_in(db_session, item, a, START)
    changed = attendance.mark_roster(db_session, item=item, marks={
        a.id: "present", b.id: "late", c.id: "excused"}, actor=organizer, now=START)
    assert changed == 2  # a was already present
    rows = {r.enrollment.trainee.user_id: r for r in attendance.roster(db_session, item)}
    assert rows[b.id].status == "late" and rows[c.id].record.note == "承办方登记时批准"
    coordinator = make_user(db_session, roles=[Role.UNIT_CONTACT])
    with pytest.raises(PermissionDenied):
        attendance.mark_roster(db_session, item=item, marks={b.id: "absent"},
                               actor=coordinator, now=START)
    sub_item = schedule.create_item(db_session, training_class=training_class, values=ItemValues(
        kind="lecture", title="分会场讲座", starts_at=START, ends_at=START + timedelta(hours=1),
        venue="寿光分会场", responsible=organizer, takes_attendance=True),
        actor=organizer, now=START, tz=TZ)
    schedule.assign_coordinator(db_session, training_class=training_class, venue="寿光分会场",
                                user=coordinator, actor=organizer, now=START)
    attendance.mark_roster(db_session, item=sub_item, marks={b.id: "present", a.id: "absent"},
                           actor=coordinator, now=START)
    with pytest.raises(DomainError, match="没有经承办方批准的请假"):
        attendance.mark_roster(db_session, item=sub_item, marks={c.id: "excused"},
                               actor=coordinator, now=START)
    with pytest.raises(DomainError, match="只能为本班已录取的学员"):
        attendance.mark_roster(db_session, item=sub_item, marks={organizer.id: "present"},
                               actor=organizer, now=START)
    with pytest.raises(DomainError, match="未知的考勤状态"):
        attendance.mark_roster(db_session, item=sub_item, marks={a.id: "asleep"},
                               actor=organizer, now=START)


def test_leave_request_approval_excuses_covered_sessions(db_session, setting):
    organizer, training_class, item, (a, b, c) = setting
    afternoon = schedule.create_item(db_session, training_class=training_class, values=ItemValues(
        kind="lecture", title="下午讲座", starts_at=local(DAY1, 14), ends_at=local(DAY1, 16),
        responsible=organizer, takes_attendance=True), actor=organizer, now=START, tz=TZ)
    with pytest.raises(DomainError, match="请填写请假事由"):
        attendance.request_leave(db_session, training_class=training_class, user=a,
                                 starts_at=local(DAY1, 13), ends_at=local(DAY1, 17), reason=" ",
                                 now=START)
    leave = attendance.request_leave(db_session, training_class=training_class, user=a,
                                     starts_at=local(DAY1, 13), ends_at=local(DAY1, 17),
                                     reason="家中有急事", now=START)
    with pytest.raises(PermissionDenied):
        attendance.decide_leave(db_session, leave=leave, approve=True, note="", actor=b, now=START)
    attendance.decide_leave(db_session, leave=leave, approve=True, note="同意", actor=organizer,
                            now=START)
    assert leave.status == LeaveStatus.APPROVED
    record = attendance.record_for(db_session, afternoon, a)
    assert record.status == "excused" and record.leave_request_id == leave.id
    assert attendance.record_for(db_session, item, a) is None  # the morning is not covered
    with pytest.raises(DomainError, match="已处理"):
        attendance.decide_leave(db_session, leave=leave, approve=False, note="", actor=organizer,
                                now=START)
    second = attendance.request_leave(db_session, training_class=training_class, user=b,
                                      starts_at=local(DAY1, 13), ends_at=local(DAY1, 17),
                                      reason="生病", now=START)
    attendance.cancel_leave(db_session, leave=second, actor=b, now=START)
    assert second.status == LeaveStatus.CANCELLED
    stranger = make_user(db_session, roles=[Role.TRAINEE])
    with pytest.raises(DomainError, match="不是本班已录取的学员"):
        attendance.request_leave(db_session, training_class=training_class, user=stranger,
                                 starts_at=local(DAY1, 13), ends_at=local(DAY1, 17),
                                 reason="x", now=START)


def test_attendance_rate(db_session, setting):
    organizer, training_class, item, (a, b, c) = setting
    assert attendance.attendance_rate(db_session, training_class=training_class,
                                      trainee_user=a) == Decimal("0")
    extra = [schedule.create_item(db_session, training_class=training_class, values=ItemValues(
        kind="lecture", title=f"讲座{d}", starts_at=local(DAY1 + timedelta(days=d), 9),
        ends_at=local(DAY1 + timedelta(days=d), 10), responsible=organizer,
        takes_attendance=True), actor=organizer, now=START, tz=TZ) for d in (1, 2)]
    check_in(db_session, item, a, START)
    attendance.mark_roster(db_session, item=extra[0], marks={a.id: "late", b.id: "excused"},
                           actor=organizer, now=START)
    rate = attendance.attendance_rate(db_session, training_class=training_class, trainee_user=a)
    assert rate == Decimal("0.6666") and isinstance(rate, Decimal)
    assert attendance.attendance_rate(db_session, training_class=training_class,
                                      trainee_user=b) == Decimal("0")
    attendance.mark_roster(db_session, item=extra[1], marks={a.id: "present"}, actor=organizer,
                           now=START)
    assert attendance.attendance_rate(db_session, training_class=training_class,
                                      trainee_user=a) == Decimal("1")
    items, rows = attendance.class_summary(db_session, training_class)
    assert len(items) == 3
    by_user = {r.enrollment.trainee.user_id: r for r in rows}
    assert by_user[a.id].statuses == ["present", "late", "present"]
    assert by_user[b.id].statuses == ["", "excused", ""] and by_user[b.id].rate == 0
    no_attendance = make_class(db_session)
    assert attendance.attendance_rate(db_session, training_class=no_attendance,
                                      trainee_user=a) == Decimal(1)


def test_signin_sheets_pdf_and_excel(db_session, setting):
    organizer, training_class, item, (a, b, c) = setting
    groups.auto_group(db_session, training_class=training_class, seed=1, actor=organizer,
                      now=START)
    check_in(db_session, item, a, START - timedelta(minutes=5))
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(
        signin_sheets.signin_sheet_pdf(db_session, item, TZ))).pages)
    assert "测试培训班 签到表" in text and "学员0" in text and "08:55" in text
    assert "应到3人" in text
    wb = load_workbook(BytesIO(signin_sheets.signin_sheet_xlsx(db_session, item, TZ)))
    ws = wb.active
    assert [c.value for c in ws[3]] == signin_sheets.SHEET_HEADERS
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"学员0", "学员1", "学员2"}
    assert rows["学员0"][5] == "08:55" and rows["学员0"][6] == "出勤"
    assert rows["学员1"][4] == "第1组" and rows["学员1"][6] is None
    summary = load_workbook(BytesIO(signin_sheets.summary_xlsx(db_session, training_class, TZ)))
    grid = list(summary.active.iter_rows(values_only=True))
    assert grid[0][-1] == "出勤率" and len(grid) == 4
    assert {r[0]: r[-1] for r in grid[1:]}["学员0"] == 1.0
