"""The schedule: standard agenda, checks, iCalendar and agenda PDF."""
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from zoneinfo import ZoneInfo

import icalendar
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import make_approved_trainee, make_class, make_user
from training_app.models import Exam, Role, ScheduleKind
from training_app.services import schedule, schedule_exports
from training_app.services.errors import DomainError, PermissionDenied
from training_app.services.schedule import ItemValues

NOW = datetime(2026, 5, 1, 1, 0, tzinfo=timezone.utc)
TZ = ZoneInfo("Asia/Shanghai")


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).astimezone(timezone.utc)


@pytest.fixture
def organizer(db_session):
    return make_user(db_session, roles=[Role.ORGANIZER], display_name="李协会")


def three_day_class(db_session, **fields):
    return make_class(db_session, start=date(2026, 5, 17), end=date(2026, 5, 19), **fields)


@pytest.mark.parametrize("days", [1, 2, 3, 4])
def test_standard_agenda_passes_its_own_checks(db_session, organizer, days):
    training_class = make_class(db_session, start=date(2026, 5, 17),
                                end=date(2026, 5, 17) + timedelta(days=days - 1))
    items = schedule.build_standard_agenda(db_session, training_class=training_class,
                                           actor=organizer, now=NOW, tz=TZ)
    result = schedule.check_schedule(db_session, training_class, TZ)
    assert result.passed, [(f.message, f.params) for f in result.findings]
    assert result.scheduled_hours >= training_class.credit_hours == days * 8
    first = items[0]
    assert first.kind == ScheduleKind.SIGN_IN and first.starts_at == local(date(2026, 5, 17), 8, 30)
    kinds = {i.kind for i in items}
    assert {k.value for k in schedule.STANDARD_STEPS} <= kinds
    opening = next(i for i in items if i.kind == ScheduleKind.OPENING)
    assert opening.minutes <= 60
    culture = next(i for i in items if i.kind == ScheduleKind.CULTURE)
    assert 60 <= culture.minutes <= 80
    assert all(i.responsible_id == organizer.id for i in items)
    # lecturers are the organizer's to assign: listed as to-dos, not as warnings
    assert result.todos and all(f.level == "todo" for f in result.todos)


def test_standard_agenda_for_3_days_order_and_exam_sized_to_the_exam(db_session, organizer):
    training_class = three_day_class(db_session)
    db_session.add(Exam(class_id=training_class.id, title="结业考试", blueprint={},
                        duration_minutes=90, window_start=NOW, window_end=NOW + timedelta(days=30)))
    db_session.flush()
    items = schedule.build_standard_agenda(db_session, training_class=training_class,
                                           actor=organizer, now=NOW, tz=TZ)
    exam = next(i for i in items if i.kind == ScheduleKind.EXAM)
    assert exam.minutes == 90
    order = [i.kind for i in items if i.kind in {k.value for k in schedule.STANDARD_STEPS}]
    firsts = [k.value for k in schedule.STANDARD_STEPS]
    assert sorted(set(order), key=order.index) == firsts  # the standard order
    assert {i.starts_at.astimezone(TZ).date() for i in items} == {
        date(2026, 5, 17), date(2026, 5, 18), date(2026, 5, 19)}
    assert schedule.check_schedule(db_session, training_class, TZ).passed
    with pytest.raises(DomainError, match="日程中已有"):
        schedule.build_standard_agenda(db_session, training_class=training_class,
                                       actor=organizer, now=NOW, tz=TZ)
    again = schedule.build_standard_agenda(db_session, training_class=training_class,
                                           actor=organizer, now=NOW, tz=TZ, replace=True)
    assert len(schedule.list_items(db_session, training_class)) == len(again) == len(items)


def test_longer_classes_are_refused(db_session, organizer):
    training_class = make_class(db_session, start=date(2026, 5, 17), end=date(2026, 5, 21))
    with pytest.raises(DomainError, match="1-4天"):
        schedule.build_standard_agenda(db_session, training_class=training_class,
                                       actor=organizer, now=NOW, tz=TZ)


def test_overlap_short_exam_long_opening_and_culture_are_flagged(db_session, organizer):
    training_class = three_day_class(db_session)
    training_class.sub_venues = ["寿光分会场"]
    items = schedule.build_standard_agenda(db_session, training_class=training_class,
                                           actor=organizer, now=NOW, tz=TZ)
    day1 = date(2026, 5, 17)
    clash = schedule.create_item(db_session, training_class=training_class, values=ItemValues(
        kind="lecture", title="加开讲座", starts_at=local(day1, 9, 30),
        ends_at=local(day1, 10, 30), responsible=organizer), actor=organizer, now=NOW, tz=TZ)
    # the same hour in a sub-venue is no clash
    schedule.create_item(db_session, training_class=training_class, values=ItemValues(
        kind="lecture", title="分会场讲座", starts_at=local(day1, 9, 30),
        ends_at=local(day1, 10, 30), venue="寿光分会场", responsible=organizer),
        actor=organizer, now=NOW, tz=TZ)
    result = schedule.check_schedule(db_session, training_class, TZ)
    overlaps = [f for f in result.errors if "时间重叠" in f.message]
    assert len(overlaps) == 2  # with the opening and with the ice-breaking
    assert all(clash.id in f.item_ids for f in overlaps)
    assert not result.passed

    schedule.delete_item(db_session, item=clash, actor=organizer, now=NOW)
    exam = next(i for i in items if i.kind == ScheduleKind.EXAM)
    opening = next(i for i in items if i.kind == ScheduleKind.OPENING)
    culture = next(i for i in items if i.kind == ScheduleKind.CULTURE)
    exam.ends_at = exam.starts_at + timedelta(minutes=45)
    opening.starts_at = opening.starts_at - timedelta(minutes=30)
    opening.ends_at = opening.ends_at  # now 90 minutes (sign-in overlaps: also an error)
    culture.ends_at = culture.starts_at + timedelta(minutes=40)
    db_session.flush()
    result = schedule.check_schedule(db_session, training_class, TZ)
    messages = [f.message % f.params for f in result.findings]
    assert any("短于考试时长60分钟" in m for m in messages)
    assert any("开班仪式" in m and "90分钟" in m for m in messages)
    assert any("文体活动" in m and "40分钟" in m and "60-80" in m for m in messages)


def test_missing_steps_and_hours_are_warned(db_session, organizer):
    training_class = three_day_class(db_session)
    day1 = date(2026, 5, 17)
    schedule.create_item(db_session, training_class=training_class, values=ItemValues(
        kind="opening", title="开班仪式", starts_at=local(day1, 9), ends_at=local(day1, 10),
        responsible=organizer), actor=organizer, now=NOW, tz=TZ)
    result = schedule.check_schedule(db_session, training_class, TZ)
    messages = [f.message % f.params for f in result.warnings]
    assert any("缺少标准环节" in m and "开卷考试" in m for m in messages)
    assert any("少于培训班的24学时" in m for m in messages)


def test_item_validation(db_session, organizer):
    training_class = three_day_class(db_session)
    day1 = date(2026, 5, 17)
    trainee = make_user(db_session, roles=[Role.TRAINEE])

    def create(**kw):
        values = {"kind": "lecture", "title": "讲座", "starts_at": local(day1, 9),
                  "ends_at": local(day1, 10), "responsible": organizer}
        values.update(kw)
        return schedule.create_item(db_session, training_class=training_class,
                                    values=ItemValues(**values), actor=organizer, now=NOW, tz=TZ)

    with pytest.raises(DomainError, match="结束时间必须晚于开始时间"):
        create(ends_at=local(day1, 9))
    with pytest.raises(DomainError, match="培训班日期"):
        create(starts_at=local(date(2026, 5, 20), 9), ends_at=local(date(2026, 5, 20), 10))
    with pytest.raises(DomainError, match="未知的分会场"):
        create(venue="不存在")
    with pytest.raises(DomainError, match="不是授课教师"):
        create(lecturer=trainee)
    with pytest.raises(DomainError, match="事事有人管"):
        create(responsible=None)
    with pytest.raises(PermissionDenied):
        schedule.create_item(db_session, training_class=training_class, values=ItemValues(
            kind="lecture", title="x", starts_at=local(day1, 9), ends_at=local(day1, 10),
            responsible=organizer), actor=trainee, now=NOW, tz=TZ)
    item = create(takes_attendance=True, lecture_mode="public", audience_zones="A区学员",
                  seating_plan="ignored")
    assert item.checkin_opens_at == local(day1, 8, 30)
    assert item.checkin_closes_at == local(day1, 9, 30)
    assert item.audience_zones == "A区学员" and item.seating_plan == ""


def test_ics_has_one_event_per_item_with_times_in_asia_shanghai(db_session, organizer):
    training_class = three_day_class(db_session)
    training_class.venue = "中共潍坊市委党校"
    items = schedule.build_standard_agenda(db_session, training_class=training_class,
                                           actor=organizer, now=NOW, tz=TZ)
    data = schedule_exports.calendar_bytes(items, training_class=training_class,
                                           calendar_name=training_class.title, tz=TZ, now=NOW)
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(items)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    by_uid = {str(e["UID"]): e for e in events}
    for item in items:
        event = by_uid[f"schedule-item-{item.id}@training-app"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert start == item.starts_at and end == item.ends_at  # same instants
        assert str(event["SUMMARY"]) == item.title
    sign_in = by_uid[f"schedule-item-{items[0].id}@training-app"]
    assert sign_in.decoded("DTSTART").astimezone(TZ).strftime("%H:%M") == "08:30"
    assert "中共潍坊市委党校" in str(sign_in["LOCATION"])


def test_personal_calendar_items(db_session, organizer):
    training_class = three_day_class(db_session)
    items = schedule.build_standard_agenda(db_session, training_class=training_class,
                                           actor=organizer, now=NOW, tz=TZ)
    lecturer = make_user(db_session, roles=[Role.LECTURER])
    items[4].lecturer_id = lecturer.id
    trainee = make_approved_trainee(db_session, training_class)
    db_session.flush()
    assert schedule_exports.items_for(db_session, training_class, trainee) == items
    assert schedule_exports.items_for(db_session, training_class, lecturer) == [items[4]]
    assert schedule_exports.items_for(db_session, training_class, organizer) == items
    assert schedule_exports.items_for(db_session, training_class, make_user(db_session)) == []


def test_agenda_pdf_lists_the_days_and_items(db_session, organizer):
    training_class = three_day_class(db_session)
    items = schedule.build_standard_agenda(db_session, training_class=training_class,
                                           actor=organizer, now=NOW, tz=TZ)
    pdf = schedule_exports.agenda_pdf(items, training_class=training_class, tz=TZ)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    for needle in ("5月17日", "5月19日", "08:30-09:00", "报到签到", "开卷考试", "结业仪式",
                   "李协会"):
        assert needle in text, needle


def test_coordinators_run_only_their_venue(db_session, organizer):
    training_class = three_day_class(db_session)
    training_class.sub_venues = ["寿光分会场", "青州分会场"]
    coordinator = make_user(db_session, roles=[Role.UNIT_CONTACT])
    day1 = date(2026, 5, 17)
    items = [schedule.create_item(db_session, training_class=training_class, values=ItemValues(
        kind="lecture", title=f"讲座{v}", starts_at=local(day1, 9), ends_at=local(day1, 10),
        venue=v, responsible=organizer), actor=organizer, now=NOW, tz=TZ)
        for v in ("", "寿光分会场", "青州分会场")]
    with pytest.raises(DomainError, match="未知的分会场"):
        schedule.assign_coordinator(db_session, training_class=training_class, venue="主会场",
                                    user=coordinator, actor=organizer, now=NOW)
    link = schedule.assign_coordinator(db_session, training_class=training_class,
                                       venue="寿光分会场", user=coordinator, actor=organizer,
                                       now=NOW)
    assert [schedule.can_run_item(db_session, coordinator, i) for i in items] == [
        False, True, False]
    assert all(schedule.can_run_item(db_session, organizer, i) for i in items)
    schedule.remove_coordinator(db_session, coordinator=link, actor=organizer, now=NOW)
    assert not schedule.can_run_item(db_session, coordinator, items[1])


def test_demo_room_gets_groups_and_the_standard_agenda_once(db_session):
    from datetime import time, timedelta

    from training_app.demo import room as demo_room
    from training_app.demo.calendar import DemoCalendar
    from training_app.models import Attendance
    from training_app.services import groups

    make_user(db_session, roles=[Role.ORGANIZER], username="organizer")
    make_user(db_session, roles=[Role.LECTURER], username="lecturer")
    training_class = three_day_class(db_session)
    training_class.credit_hours = 24
    for _ in range(23):
        make_approved_trainee(db_session, training_class)
    # seeded at noon of the class's second day: day 1 was yesterday
    calendar = DemoCalendar(datetime.combine(training_class.start_date + timedelta(days=1),
                                             time(12), tzinfo=TZ).astimezone(timezone.utc), TZ)
    demo_room.prepare_room(db_session, training_class=training_class, calendar=calendar)
    demo_room.prepare_room(db_session, training_class=training_class, calendar=calendar)
    items = schedule.list_items(db_session, training_class)
    assert len(items) == 19
    assert sorted(len(g.members) for g in groups.list_groups(db_session, training_class)) == [
        7, 8, 8]
    result = schedule.check_schedule(db_session, training_class, TZ)
    assert result.passed and not result.todos  # the demo lecturer teaches the lectures
    # yesterday's two attendance sessions were taken, once each (23 trainees each)
    day_one = [i for i in items if i.takes_attendance
               and i.starts_at.astimezone(TZ).date() == training_class.start_date]
    records = db_session.scalars(select(Attendance).where(
        Attendance.item_id.in_([i.id for i in day_one]))).all()
    assert len(day_one) == 2 and len(records) == 2 * 23
    # today's first session takes check-in all day
    today = [i for i in items if i.takes_attendance
             and i.starts_at.astimezone(TZ).date() == calendar.today][0]
    assert today.checkin_opens_at.astimezone(TZ).time() == time(0, 0)
    assert today.checkin_closes_at.astimezone(TZ).time() == time(23, 59)
