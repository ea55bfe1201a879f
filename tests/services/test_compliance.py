"""Standard-compliance score: a class built to meet every clause scores 100; breaking one
record makes exactly that clause missing (each rule met and missing)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from training_app.models import (
    Attendance,
    AuditEntry,
    CommitteeMember,
    ComplianceSnapshot,
    Enrollment,
    ManualChapter,
    Notice,
    ScheduleItem,
)
from training_app.models.manual import Manual, ManualVersion
from training_app.services import (
    audit,
    certificates,
    compliance,
    exams,
    feedback,
    grading,
    groups,
    results,
    schedule,
)
from tests.factories import (
    NOW,
    demo_questions,
    make_approved_trainee,
    make_class_team,
    submit_papers,
)

TZ = ZoneInfo("Asia/Shanghai")
AFTER = datetime(2026, 5, 20, 12, 0, tzinfo=timezone.utc)  # after the class's last day


def right_answer(question, index):
    if question.type == "short":
        return {"text": "紧扣本期培训的回答：" + question.data.get("reference_answer", "")[:40]}
    return {"choices": list(question.data["answer"])}


def build_compliant_class(session, trainees: int = 3):
    """A class whose records meet every clause of the default checklist."""
    c, organizer, sponsor = make_class_team(session, start=date(2026, 5, 17),
                                            end=date(2026, 5, 19))
    c.credit_hours = 16
    c.registration_deadline = date(2026, 3, 20)
    c.status = "graduated"
    audit.record(session, actor=organizer, action="class.transition", target=c, now=NOW,
                 changes={"status": ["in_session", "graduated"]})
    manual = Manual(class_id=c.id)
    version = ManualVersion(manual=manual, number=1, status="approved", pdf_name="m.pdf",
                            reviewed_at=NOW - timedelta(days=1), reviewed_by_id=sponsor.id)
    version.chapters = [ManualChapter(number=1, title="第一章 培训须知")]
    session.add_all([manual, version])
    session.flush()
    audit.record(session, actor=sponsor, action="manual.approve", target=version, now=NOW)
    notice = Notice(class_id=c.id, kind="formal", status="published", reviewed_by_id=sponsor.id,
                    published_at=NOW, content={"quota_table": {"rows": [{"unit": "甲", "seats": 3}]}})
    session.add(notice)
    session.flush()
    audit.record(session, actor=sponsor, action="notice.approve", target=notice, now=NOW)
    audit.record(session, actor=organizer, action="notice.publish", target=notice, now=NOW)
    users = [make_approved_trainee(session, c, name=f"学员{i}") for i in range(trainees)]
    class_groups = groups.auto_group(session, training_class=c, seed=1, actor=organizer, now=NOW)
    for g in class_groups:
        g.name = f"第{g.number}组·同心"
        g.leader_id = g.members[0].user_id
    session.add(CommitteeMember(class_id=c.id, role="monitor", user_id=users[0].id))
    items = schedule.build_standard_agenda(session, training_class=c, actor=organizer, now=NOW,
                                           tz=TZ)
    for item in items:
        if item.takes_attendance:
            for u in users:
                session.add(Attendance(item_id=item.id, user_id=u.id, status="present",
                                       method="roster"))
    bank = exams.create_bank(session, name=f"题库{c.id}", training_class=c, actor=None, now=NOW)
    exams.import_questions(session, bank=bank, questions=demo_questions(), actor=None, now=NOW)
    exam = exams.create_exam(session, training_class=c, bank=bank, title="结业考试",
                             window_start=NOW - timedelta(hours=1),
                             window_end=NOW + timedelta(hours=3), duration_minutes=60,
                             multiple_policy="all_or_nothing", seed=2016, actor=None, now=NOW)
    exams.publish_exam(session, exam=exam, actor=organizer, now=NOW)
    exams.set_open(session, exam=exam, is_open=True, actor=organizer, now=NOW)
    attempts = submit_papers(session, exam, users, respond=right_answer)
    for attempt in attempts:
        for answer in attempt.answers:
            if answer.question.type == "short":
                grading.grade_answer(session, answer=answer, mark=answer.question.points,
                                     comment="", grader=organizer, now=NOW)
    results.release_results(session, exam=exam, actor=organizer, now=NOW + timedelta(hours=4))
    form = feedback.ensure_form(session, training_class=c, actor=organizer, now=NOW)
    feedback.set_open(session, form=form, is_open=True, actor=organizer, now=NOW)
    for u in users:
        feedback.submit_response(
            session, training_class=c, trainee=u,
            dimensions={d: 10 for d in feedback.DIMENSIONS}, answers={}, comments="",
            lecture_scores={i.id: 10 for i in feedback.lectures(session, c)}, now=NOW)
    certificates.issue(session, training_class=c, kind="completion", actor=organizer, now=NOW,
                       verify_base_url="http://localhost")
    session.flush()
    return c, {"organizer": organizer, "sponsor": sponsor, "users": users, "exam": exam,
               "notice": notice, "version": version}


def _items(session, c):
    return session.scalars(select(ScheduleItem).where(ScheduleItem.class_id == c.id)).all()


def _approved_entries(session, c):
    return session.scalars(select(Enrollment).where(Enrollment.class_id == c.id)).all()


def _break_exam_answer(session, c, ctx):
    attempt = ctx["exam"].questions[0].exam_id
    short = next(q for q in ctx["exam"].questions if q.type == "short")
    for a in session.scalars(select(grading.Answer).where(grading.Answer.question_id == short.id)):
        a.score = None
        a.graded_at = None
        a.graded_by_id = None
    return attempt


BREAKS = {
    "1.1": lambda s, c, x: setattr(x["version"], "status", "submitted"),
    "1.2": lambda s, c, x: setattr(x["exam"], "published_at", NOW - timedelta(days=3)),
    "1.3": lambda s, c, x: x["version"].chapters.clear(),
    "2.1": lambda s, c, x: setattr(x["notice"], "status", "submitted"),
    "2.2": lambda s, c, x: setattr(x["notice"], "status", "approved"),
    "2.3": lambda s, c, x: setattr(x["notice"], "content", {"quota_table": {"rows": []}}),
    "2.4": lambda s, c, x: setattr(c, "registration_deadline", date(2026, 3, 5)),
    "3.1": lambda s, c, x: setattr(c, "eligibility_rules", [{"qualification": 3, "min_years": 1}]),
    "3.2": lambda s, c, x: setattr(c, "capacity", 2),
    "3.3": lambda s, c, x: setattr(_approved_entries(s, c)[-1], "status", "pending"),
    "4.1": lambda s, c, x: s.execute(delete(groups.GroupMember).where(
        groups.GroupMember.user_id == x["users"][-1].id)),
    "4.2": lambda s, c, x: setattr(groups.list_groups(s, c)[0], "name", ""),
    "4.3": lambda s, c, x: s.execute(delete(CommitteeMember).where(CommitteeMember.class_id == c.id)),
    "5.1": lambda s, c, x: s.execute(delete(ScheduleItem).where(
        ScheduleItem.class_id == c.id, ScheduleItem.kind == "culture")),
    "5.2": lambda s, c, x: [setattr(i, "ends_at", i.starts_at + timedelta(minutes=90))
                            for i in _items(s, c) if i.kind == "opening"],
    "5.3": lambda s, c, x: setattr(_items(s, c)[0], "responsible_id", None),
    "5.4": lambda s, c, x: setattr(c, "credit_hours", 200),
    "5.5": lambda s, c, x: s.execute(delete(Attendance)),
    "6.1": lambda s, c, x: s.delete(next(q for q in x["exam"].questions if q.type == "single")),
    "6.2": lambda s, c, x: [q.data.__class__ and setattr(q, "data", {**q.data, "tied_to_class": False})
                            for q in x["exam"].questions if q.type == "short"],
    "6.3": _break_exam_answer,
    "6.4": lambda s, c, x: setattr(x["exam"], "results_released_at", None),
    "7.1": lambda s, c, x: s.execute(delete(feedback.FeedbackResponse)),
    "7.2": lambda s, c, x: s.execute(delete(certificates.Certificate)),
    "7.3": lambda s, c, x: s.execute(delete(AuditEntry).where(AuditEntry.action == "notice.publish")),
}


def test_checklist_is_data_with_25_clauses_in_7_items_worth_100():
    checklist = compliance.load_checklist()
    assert (len(checklist.items), len(checklist.clauses), checklist.maximum) == (7, 25, 100)
    assert set(BREAKS) == {c.id for c in checklist.clauses}


def test_unknown_rule_in_a_checklist_is_refused():
    with pytest.raises(ValueError):
        compliance.parse_checklist({"version": "x", "items": [{"id": "1", "title": "a"}],
                                    "clauses": [{"id": "1.1", "item": "1", "title": "t",
                                                 "points": 4, "rule": "no_such_rule"}]})


@pytest.fixture
def compliant(db_session):
    return build_compliant_class(db_session)


def test_compliant_class_scores_100(db_session, compliant):
    c, _ = compliant
    score = compliance.evaluate(db_session, c, AFTER)
    assert [(r.clause.id, r.detail % r.args if r.args else r.detail)
            for r in score.results if not r.met] == []
    assert score.total == 100


@pytest.mark.parametrize("clause_id", sorted(BREAKS))
def test_each_rule_met_and_missing(db_session, compliant, clause_id):
    c, ctx = compliant
    before = {r.clause.id: r.met for r in compliance.evaluate(db_session, c, AFTER).results}
    assert before[clause_id] is True
    BREAKS[clause_id](db_session, c, ctx)
    db_session.flush()
    db_session.expire_all()
    score = compliance.evaluate(db_session, c, AFTER)
    assert clause_id in score.missing
    assert score.total == 100 - 4 * len(score.missing)


def test_snapshots_kept_only_when_the_score_changes(db_session, compliant):
    c, ctx = compliant
    score = compliance.evaluate(db_session, c, AFTER)
    assert compliance.record_snapshot(db_session, training_class=c, score=score, now=AFTER)
    assert compliance.record_snapshot(db_session, training_class=c, score=score, now=AFTER) is None
    ctx["exam"].results_released_at = None
    later = compliance.evaluate(db_session, c, AFTER + timedelta(hours=1))
    compliance.record_snapshot(db_session, training_class=c, score=later,
                               now=AFTER + timedelta(hours=1))
    assert [(s.total, s.missing) for s in compliance.history(db_session, c)] == [
        (96, ["6.4"]), (100, [])]
    assert db_session.scalar(select(ComplianceSnapshot.checklist_version)) == "v1"


def test_new_class_meets_only_the_clauses_nothing_can_break_yet(db_session):
    c, _o, _s = make_class_team(db_session)
    score = compliance.evaluate(db_session, c, NOW)
    # No trainee over capacity, no pending entry, no unaudited state change.
    assert sorted(r.clause.id for r in score.results if r.met) == ["3.2", "3.3", "7.3"]
    assert score.total == 12
