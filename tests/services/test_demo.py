"""The demo lives in the present: seeded on any day, its class is in session with day 1
yesterday, day 2 today and day 3 tomorrow, and every step of the standard process can be tried
at once. Seeding is idempotent; a refresh moves an old demo to the present."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from training_app import demo
from training_app.demo import enrollment as demo_enrollment
from training_app.demo import history
from training_app.models import (
    Attempt,
    AuditEntry,
    Certificate,
    Enrollment,
    Notice,
    TrainingClass,
    User,
)
from training_app.services import (
    attendance,
    compliance,
    exams,
    feedback,
    groups,
    manuals,
    quotas,
    schedule,
)

TZ = ZoneInfo("Asia/Shanghai")
DEMO_DIR = Path(__file__).resolve().parents[3] / "shared" / "demo"
# 15:20 in Weifang: afternoon, like most first tries.
SEEDED_AT = datetime(2026, 12, 3, 7, 20, tzinfo=timezone.utc)


def _seed(db_session, tmp_path, now=SEEDED_AT, *, manual_pdf=True):
    # Without an upload directory no manual PDF is rendered (faster): no approved manual, so
    # the exam stays a draft.
    training_class = demo.seed_demo(db_session, now=now, demo_dir=DEMO_DIR,
                                    upload_dir=tmp_path / "uploads" if manual_pdf else None, tz=TZ)
    db_session.commit()
    return training_class


def _count(db_session, model, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_demo_class_is_in_session_today_with_every_step_ready(db_session, tmp_path):
    c = _seed(db_session, tmp_path)
    today = SEEDED_AT.astimezone(TZ).date()
    assert (c.start_date, c.end_date) == (today - timedelta(days=1), today + timedelta(days=1))
    assert c.status == "in_session"
    # before the class: the manual approved, the notice published weeks before, enrollment closed
    assert manuals.approved_manual_version(db_session, c) is not None
    notice = db_session.scalar(select(Notice).where(Notice.class_id == c.id))
    assert notice.published_at.astimezone(TZ).date() <= c.start_date - timedelta(days=28)
    assert c.registration_deadline < c.start_date
    # groups of at most 10 hold every approved trainee
    approved = groups.approved_enrollments(db_session, c)
    class_groups = groups.list_groups(db_session, c)
    assert len(approved) == 80
    assert sum(len(g.members) for g in class_groups) == 80
    assert max(len(g.members) for g in class_groups) <= 10
    # yesterday's sessions have their attendance; today's first session takes check-in now
    items = attendance.attendance_items(db_session, c)
    yesterday = [i for i in items if i.starts_at.astimezone(TZ).date() == c.start_date]
    assert yesterday and all(len(attendance.roster(db_session, i)) == 80 for i in yesterday)
    assert all(attendance.record_for_id(db_session, i, approved[0].trainee.user_id)
               for i in yesterday)
    todays = [i for i in items if i.starts_at.astimezone(TZ).date() == today]
    assert attendance.window_is_open(todays[0], SEEDED_AT)
    # the exam was sat yesterday by 20 and is open now for the demo trainee
    exam = db_session.scalar(select(exams.Exam).where(exams.Exam.class_id == c.id))
    trainee = demo.demo_user(db_session, "trainee")
    assert exams.start_check(db_session, exam=exam, trainee=trainee, now=SEEDED_AT).allowed
    submitted = db_session.scalars(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.submitted_at.is_not(None))).all()
    assert len(submitted) == 20 and trainee.id not in {a.trainee_id for a in submitted}
    assert all(a.submitted_at.astimezone(TZ).date() == c.start_date for a in submitted)
    # feedback is open
    assert feedback.form_for(db_session, c).is_open
    # every story step happened before the seeding moment
    latest = db_session.scalar(select(func.max(AuditEntry.at)))
    assert latest <= SEEDED_AT
    # the schedule is the standard one and passes its checks
    assert schedule.check_schedule(db_session, c, TZ).passed


def test_over_quota_units_are_an_explicit_decision_and_flagged(db_session, tmp_path):
    c = _seed(db_session, tmp_path)
    summary = quotas.quota_summary(db_session, c)
    over = {r.unit.name: r for r in summary.over_quota_rows}
    assert set(over) == {"寿光市民政局", "潍坊市阳光社会工作服务中心"}
    shouguang, yangguang = over["寿光市民政局"], over["潍坊市阳光社会工作服务中心"]
    assert (shouguang.quota, shouguang.approved, shouguang.overridden) == (10, 11, 1)
    assert shouguang.unexplained == 0
    assert (yangguang.quota, yangguang.approved, yangguang.pending) == (10, 10, 1)
    (reason,) = db_session.scalars(select(Enrollment.over_quota_reason).where(
        Enrollment.class_id == c.id, Enrollment.over_quota_reason != "")).all()
    assert reason == demo_enrollment.OVER_QUOTA_REASON
    assert _count(db_session, AuditEntry, AuditEntry.action == "enrollment.over_quota") == 1
    result = {r.clause.id: r for r in compliance.evaluate(db_session, c, SEEDED_AT).results}
    assert result["3.2"].met and "寿光市民政局 11/10" in result["3.2"].args["units"]


def test_seeding_again_changes_nothing(db_session, tmp_path):
    first = _seed(db_session, tmp_path, manual_pdf=False)
    counts = (_count(db_session, User), _count(db_session, Enrollment),
              _count(db_session, AuditEntry))
    again = _seed(db_session, tmp_path, now=SEEDED_AT + timedelta(hours=3), manual_pdf=False)
    assert again.id == first.id
    assert counts == (_count(db_session, User), _count(db_session, Enrollment),
                      _count(db_session, AuditEntry))
    assert demo.demo_is_current(db_session, now=SEEDED_AT + timedelta(hours=3), tz=TZ)


def test_a_refresh_moves_an_old_demo_to_the_present(db_session, tmp_path):
    old = _seed(db_session, tmp_path, now=SEEDED_AT - timedelta(days=40))
    old_id, users = old.id, _count(db_session, User)
    assert not demo.demo_is_current(db_session, now=SEEDED_AT, tz=TZ)
    fresh = demo.refresh_demo(db_session, now=SEEDED_AT, demo_dir=DEMO_DIR,
                              upload_dir=tmp_path / "uploads", tz=TZ)
    db_session.commit()
    assert fresh.id != old_id and db_session.get(TrainingClass, old_id) is None
    assert fresh.start_date == SEEDED_AT.astimezone(TZ).date() - timedelta(days=1)
    assert demo.demo_is_current(db_session, now=SEEDED_AT, tz=TZ)
    assert _count(db_session, User) == users  # the same accounts, found again
    assert _count(db_session, Enrollment, Enrollment.class_id == old_id) == 0
    assert _count(db_session, TrainingClass, TrainingClass.title == demo.DEMO_CLASS_TITLE) == 1
    # the 2015 class and its certificates stay as they were
    (earlier,) = db_session.scalars(select(TrainingClass).where(
        TrainingClass.title == history.HISTORY_CLASS_TITLE)).all()
    assert _count(db_session, Certificate, Certificate.class_id == earlier.id) == 6
    assert _count(db_session, AuditEntry, AuditEntry.action == "demo.refresh") == 1


@pytest.mark.parametrize("hour", [0, 23])
def test_todays_check_in_is_open_whatever_the_hour(db_session, tmp_path, hour):
    now = datetime.combine(SEEDED_AT.astimezone(TZ).date(), time(hour, 30),
                           tzinfo=TZ).astimezone(timezone.utc)
    c = _seed(db_session, tmp_path, now=now, manual_pdf=False)
    today = now.astimezone(TZ).date()
    item = next(i for i in attendance.attendance_items(db_session, c)
                if i.starts_at.astimezone(TZ).date() == today)
    assert attendance.window_is_open(item, now)
    latest = db_session.scalar(select(func.max(AuditEntry.at)))
    assert latest <= now
