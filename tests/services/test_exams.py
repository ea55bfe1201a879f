"""The exam's rules, without HTTP: publishing, starting, saving, submitting, the server's clock."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

import question_bank as qb
from training_app.models import Answer, AuditEntry, ExamQuestion
from training_app.services import exams
from training_app.services.errors import DomainError
from tests.factories import (
    NOW,
    demo_questions,
    make_approved_trainee,
    make_class,
    make_published_exam,
    make_user,
)


def _question(exam, type_):
    return next(q for q in exam.questions if q.type == type_)


def test_publishing_snapshots_the_standard_paper(db_session):
    exam, _ = make_published_exam(db_session)
    assert len(exam.questions) == 43
    assert sum(Decimal(q.points) for q in exam.questions) == 100
    assert [q.type for q in exam.questions].count("short") == 3
    assert any(q.data["tied_to_class"] for q in exam.questions if q.type == "short")
    # Later edits to the bank do not change the published paper.
    bank = db_session.get(exams.QuestionBank, exam.bank_id)
    first = exam.questions[0]
    bank_row = next(r for r in bank.questions if r.code == first.data["code"])
    edited = qb.Question.from_dict({**bank_row.data, "stem": "改过的题干"})
    exams.replace_question(db_session, row=bank_row, question=edited, actor=None, now=NOW)
    db_session.flush()
    db_session.expire_all()
    assert db_session.get(ExamQuestion, first.id).data["stem"] != "改过的题干"


def test_publish_requires_an_approved_manual(db_session):
    training_class = make_class(db_session)
    bank = exams.create_bank(db_session, name="b", training_class=None, actor=None, now=NOW)
    exams.import_questions(db_session, bank=bank, questions=demo_questions(), actor=None, now=NOW)
    exam = exams.create_exam(db_session, training_class=training_class, bank=bank, title="t",
                             window_start=NOW, window_end=NOW + timedelta(hours=2), actor=None,
                             now=NOW)
    with pytest.raises(DomainError, match="培训教材尚未经主办方审核通过"):
        exams.publish_exam(db_session, exam=exam, actor=None, now=NOW)


def test_blueprint_problems_are_reported(db_session):
    training_class = make_class(db_session)
    bank = exams.create_bank(db_session, name="small", training_class=None, actor=None, now=NOW)
    exams.import_questions(db_session, bank=bank, questions=demo_questions()[:10], actor=None, now=NOW)
    exam = exams.create_exam(db_session, training_class=training_class, bank=bank, title="t",
                             window_start=NOW, window_end=NOW + timedelta(hours=2), actor=None, now=NOW)
    with pytest.raises(DomainError, match="组卷规则不满足"):
        exams.preview_paper(db_session, exam)


def test_only_approved_trainees_start_and_the_deadline_is_fixed(db_session):
    exam, (trainee,) = make_published_exam(db_session, duration_minutes=60)
    outsider = make_user(db_session)
    assert not exams.start_check(db_session, exam=exam, trainee=outsider, now=NOW).allowed
    with pytest.raises(DomainError, match="不是本班已录取的学员"):
        exams.start_attempt(db_session, exam=exam, trainee=outsider, now=NOW)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    assert attempt.deadline == NOW + timedelta(minutes=60)
    again = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW + timedelta(minutes=5))
    assert again.id == attempt.id and again.deadline == attempt.deadline


def test_deadline_is_capped_by_the_window_end(db_session):
    exam, (trainee,) = make_published_exam(db_session, window_end=NOW + timedelta(minutes=20))
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    assert attempt.deadline == NOW + timedelta(minutes=20)


def test_closed_exam_cannot_be_started(db_session):
    exam, (trainee,) = make_published_exam(db_session)
    exams.set_open(db_session, exam=exam, is_open=False, actor=None, now=NOW)
    with pytest.raises(DomainError, match="考试尚未开放"):
        exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)


def test_stale_save_cannot_overwrite_a_newer_one(db_session):
    exam, (trainee,) = make_published_exam(db_session)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    question = _question(exam, "multiple")
    assert exams.save_answer(db_session, attempt=attempt, question_id=question.id,
                             response={"choices": [0, 1]}, seq=2, now=NOW)
    assert not exams.save_answer(db_session, attempt=attempt, question_id=question.id,
                                 response={"choices": [3]}, seq=1, now=NOW)
    assert not exams.save_answer(db_session, attempt=attempt, question_id=question.id,
                                 response={"choices": [3]}, seq=2, now=NOW)  # duplicate
    answer = db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id))
    db_session.refresh(answer)
    assert answer.response == {"choices": [0, 1]} and answer.seq == 2
    assert exams.save_answer(db_session, attempt=attempt, question_id=question.id,
                             response={"choices": [2]}, seq=3, now=NOW)
    db_session.refresh(answer)
    assert answer.response == {"choices": [2]}


def test_save_after_deadline_and_grace_is_refused(db_session):
    exam, (trainee,) = make_published_exam(db_session, duration_minutes=30)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    question = _question(exam, "single")
    in_grace = attempt.deadline + exams.GRACE - timedelta(seconds=1)
    assert exams.save_answer(db_session, attempt=attempt, question_id=question.id,
                             response={"choices": [1]}, seq=1, now=in_grace)
    with pytest.raises(exams.ExamClosed, match="考试已结束"):
        exams.save_answer(db_session, attempt=attempt, question_id=question.id,
                          response={"choices": [2]}, seq=2,
                          now=attempt.deadline + exams.GRACE + timedelta(seconds=1))
    stored = db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id))
    assert stored.response == {"choices": [1]}


@pytest.mark.parametrize("type_, response, message", [
    ("single", {"choices": [0, 1]}, "只能选择一个"),
    ("single", {"choices": [9]}, "选项不存在"),
    ("multiple", {"choices": "AB"}, "选项编号列表"),
    ("multiple", {"choices": [True]}, "选项编号列表"),
    ("short", {"text": "长" * 5001}, "答案过长"),
    ("short", {"choices": [1]}, "必须是文字"),
])
def test_bad_responses_are_refused(db_session, type_, response, message):
    exam, (trainee,) = make_published_exam(db_session)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    with pytest.raises(exams.InvalidAnswer, match=message):
        exams.save_answer(db_session, attempt=attempt, question_id=_question(exam, type_).id,
                          response=response, seq=1, now=NOW)
    assert db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id)) is None


def test_question_of_another_exam_is_refused(db_session):
    exam, (trainee,) = make_published_exam(db_session)
    other, _ = make_published_exam(db_session, trainees=0)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    with pytest.raises(exams.InvalidAnswer, match="题目不存在"):
        exams.save_answer(db_session, attempt=attempt, question_id=other.questions[0].id,
                          response={"choices": [0]}, seq=1, now=NOW)


def test_submit_scores_objective_questions_once(db_session):
    exam, (trainee,) = make_published_exam(db_session)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    single = _question(exam, "single")
    key = list(single.data["answer"])
    exams.save_answer(db_session, attempt=attempt, question_id=single.id,
                      response={"choices": key}, seq=1, now=NOW)
    exams.submit_attempt(db_session, attempt=attempt, now=NOW + timedelta(minutes=10))
    assert attempt.objective_score == Decimal(single.points)
    exams.submit_attempt(db_session, attempt=attempt, now=NOW + timedelta(minutes=11))
    assert attempt.submitted_at == NOW + timedelta(minutes=10)
    submits = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "attempt.submit")).all()
    assert len(submits) == 1
    with pytest.raises(exams.ExamClosed):
        exams.save_answer(db_session, attempt=attempt, question_id=single.id,
                          response={"choices": [0]}, seq=5, now=NOW + timedelta(minutes=12))


def test_expired_attempts_are_auto_submitted(db_session):
    exam, trainees = make_published_exam(db_session, trainees=2, duration_minutes=5)
    late = exams.start_attempt(db_session, exam=exam, trainee=trainees[0], now=NOW)
    fresh = exams.start_attempt(db_session, exam=exam, trainee=trainees[1], now=NOW + timedelta(minutes=4))
    count = exams.finalize_expired(db_session, exam=exam, now=NOW + timedelta(minutes=6))
    assert count == 1
    assert late.submitted_at == late.deadline and late.auto_submitted
    assert fresh.submitted_at is None


def test_extend_time_for_one_trainee(db_session):
    exam, (trainee,) = make_published_exam(db_session, duration_minutes=30)
    organizer = make_user(db_session, roles=["organizer"])
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    exams.extend_time(db_session, attempt=attempt, minutes=10, actor=organizer,
                      now=NOW + timedelta(minutes=5))
    assert attempt.deadline == NOW + timedelta(minutes=40)
    with pytest.raises(DomainError, match="1至120分钟"):
        exams.extend_time(db_session, attempt=attempt, minutes=0, actor=organizer, now=NOW)


def test_personal_paper_is_reproducible_and_maps_back_to_the_key(db_session):
    exam, (trainee,) = make_published_exam(db_session)
    attempt = exams.start_attempt(db_session, exam=exam, trainee=trainee, now=NOW)
    first = exams.trainee_paper(attempt)
    assert first == exams.trainee_paper(attempt)
    assert sorted(i.question.code for i in first.items) == sorted(q.data["code"] for q in exam.questions)


def test_monitor_counts_states(db_session):
    exam, trainees = make_published_exam(db_session, trainees=3)
    exams.start_attempt(db_session, exam=exam, trainee=trainees[0], now=NOW)
    done = exams.start_attempt(db_session, exam=exam, trainee=trainees[1], now=NOW)
    exams.submit_attempt(db_session, attempt=done, now=NOW)
    rows = exams.monitor(db_session, exam=exam, now=NOW,
                         trainees=exams.approved_trainee_users(db_session, exam.training_class))
    assert sorted(r.state for r in rows) == ["in_progress", "not_started", "submitted"]


def test_import_is_all_or_nothing_on_duplicate_codes(db_session):
    bank = exams.create_bank(db_session, name="dup", training_class=None, actor=None, now=NOW)
    questions = demo_questions()
    exams.import_questions(db_session, bank=bank, questions=questions[:5], actor=None, now=NOW)
    with pytest.raises(DomainError, match="题库中已有这些题号"):
        exams.import_questions(db_session, bank=bank, questions=questions[3:8], actor=None, now=NOW)
    assert len(bank.questions) == 5


def test_enrollment_must_be_approved(db_session):
    from training_app.models import Enrollment

    exam, (trainee,) = make_published_exam(db_session)
    other = make_approved_trainee(db_session, exam.training_class)
    assert exams.is_enrolled(db_session, exam.training_class, other)
    enrollment = db_session.scalars(select(Enrollment)).all()[-1]
    enrollment.status = "pending"
    db_session.flush()
    assert not exams.is_enrolled(db_session, exam.training_class, other)
