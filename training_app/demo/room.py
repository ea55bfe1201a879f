"""The demo class's room: the week before, registration closed and the standard agenda;
yesterday (day 1), the opening, the groups at ice-breaking and the attendance of yesterday's
sessions; today, the check-in of today's first session; the feedback form open.

Idempotent: each step runs only when the class is not yet past it.
"""
from __future__ import annotations


from sqlalchemy.orm import Session

from training_app.demo.calendar import DemoCalendar
from training_app.models import AttendanceStatus, ClassStatus, ScheduleItem, TrainingClass
from training_app.services import accounts, attendance, feedback, groups, lifecycle, schedule

GROUPING_SEED = 2016
# Yesterday's exceptions to "everyone present", by position in the approved list.
ABSENT, LATE = (7, 40), (15, 61, 73)


def prepare_room(session: Session, *, training_class: TrainingClass,
                 calendar: DemoCalendar) -> None:
    organizer = accounts.find_by_identifier(session, "organizer")
    lecturer = accounts.find_by_identifier(session, "lecturer")
    if organizer is None:
        return
    tz = calendar.tz
    if training_class.status == ClassStatus.REGISTRATION_OPEN.value:
        lifecycle.close_registration(session, training_class=training_class, actor=organizer,
                                     now=calendar.before_start(7, 9), tz=tz)
    if not schedule.list_items(session, training_class):
        items = schedule.build_standard_agenda(
            session, training_class=training_class, actor=organizer,
            now=calendar.before_start(7, 10), tz=tz)
        if lecturer is not None:
            for item in items:
                if item.kind in schedule.TAUGHT:
                    item.lecturer_id = lecturer.id
            session.flush()
    if training_class.status == ClassStatus.REGISTRATION_CLOSED.value:
        lifecycle.start_session(session, training_class=training_class, actor=organizer,
                                now=calendar.local(calendar.first_day, 8, 0), tz=tz)
    if groups.approved_enrollments(session, training_class) and not groups.list_groups(
            session, training_class):
        groups.auto_group(session, training_class=training_class, seed=GROUPING_SEED,
                          actor=organizer, now=calendar.local(calendar.first_day, 10, 0))
    _yesterdays_attendance(session, training_class=training_class, calendar=calendar,
                           actor=organizer)
    _open_todays_checkin(session, training_class=training_class, calendar=calendar)


def _items_on(session: Session, training_class: TrainingClass, calendar: DemoCalendar,
              day) -> list[ScheduleItem]:
    return [item for item in attendance.attendance_items(session, training_class)
            if item.starts_at.astimezone(calendar.tz).date() == day]


def _yesterdays_attendance(session: Session, *, training_class: TrainingClass,
                           calendar: DemoCalendar, actor) -> None:
    """Day 1's sessions, marked from the roster after each: all present but a few late or
    absent (the demo trainee was there)."""
    people = [e.trainee.user_id for e in groups.approved_enrollments(session, training_class)]
    if not people:
        return
    demo_trainee = accounts.find_by_identifier(session, "trainee")
    demo_trainee_id = demo_trainee.id if demo_trainee is not None else None
    for item in _items_on(session, training_class, calendar, calendar.first_day):
        if attendance.record_for_id(session, item, people[0]) is not None:
            continue  # already taken
        marks = {user_id: AttendanceStatus.PRESENT.value for user_id in people}
        others = [user_id for user_id in people if user_id != demo_trainee_id]
        for indexes, status in ((ABSENT, AttendanceStatus.ABSENT), (LATE, AttendanceStatus.LATE)):
            for index in indexes:
                if index < len(others):
                    marks[others[index]] = status.value
        attendance.mark_roster(session, item=item, marks=marks, actor=actor,
                               now=calendar.past(item.ends_at))


def _open_todays_checkin(session: Session, *, training_class: TrainingClass,
                         calendar: DemoCalendar) -> None:
    """Today's first session takes check-in all day, so the QR check-in can be tried at
    whatever hour the demo is seeded (a real session's window is 30 minutes either side of
    its start)."""
    today = _items_on(session, training_class, calendar, calendar.today)
    if not today:
        return
    item = today[0]
    item.checkin_opens_at = calendar.local(calendar.today, 0, 0)
    item.checkin_closes_at = calendar.local(calendar.today, 23, 59)
    session.flush()


def open_feedback(session: Session, *, training_class: TrainingClass,
                  calendar: DemoCalendar) -> None:
    """The feedback form, open since this morning."""
    organizer = accounts.find_by_identifier(session, "organizer")
    if organizer is None:
        return
    at = calendar.past(calendar.local(calendar.today, 8, 0))
    form = feedback.ensure_form(session, training_class=training_class, actor=organizer, now=at)
    feedback.set_open(session, form=form, is_open=True, actor=organizer, now=at)


