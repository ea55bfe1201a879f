"""Grading short answers, totals, regrading after a key correction, release and results."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import NOW, default_response, make_published_exam, make_user, submit_papers
from training_app.models import Answer, AuditEntry, Role
from training_app.services import exams, grading, results
from training_app.services.errors import DomainError


def _exam_with_papers(db_session, trainees=3, **kwargs):
    exam, users = make_published_exam(db_session, trainees=trainees)
    attempts = submit_papers(db_session, exam, users, **kwargs)
    return exam, users, attempts


def _answer(db_session, attempt, question):
    return db_session.scalar(select(Answer).where(Answer.attempt_id == attempt.id,
                                                  Answer.question_id == question.id))


def test_the_standard_paper_has_three_short_answers(db_session):
    exam, _ = make_published_exam(db_session)
    assert [q.number for q in grading.short_questions(exam)] == [41, 42, 43]


def test_grading_adds_short_answers_to_the_total(db_session):
    exam, _users, (attempt, *_) = _exam_with_papers(db_session)
    grader = make_user(db_session, roles=[Role.LECTURER])
    objective = attempt.objective_score
    assert attempt.total_score == objective  # set on submission
    short = grading.short_questions(exam)
    for question, mark in zip(short, ("7.5", "10", "0")):
        grading.grade_answer(db_session, answer=_answer(db_session, attempt, question), mark=mark,
                             comment="要点基本答到", grader=grader, now=NOW)
    assert attempt.total_score == objective + Decimal("17.5")
    assert attempt.objective_score == objective
    answer = _answer(db_session, attempt, short[0])
    assert (answer.score, answer.graded_by_id, answer.graded_at, answer.grader_comment) == (
        Decimal("7.5"), grader.id, NOW, "要点基本答到")
    # Regrading the same answer replaces the mark; the total follows.
    grading.grade_answer(db_session, answer=answer, mark="5", comment="", grader=grader, now=NOW)
    assert attempt.total_score == objective + Decimal(15)
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "answer.grade")).all()
    assert len(entries) == 4 and entries[-1].changes["score"] == ["7.50", "5"]


@pytest.mark.parametrize("mark", ["-1", "10.5", "3.3", "abc", "", "NaN"])
def test_marks_must_be_half_steps_within_the_points(db_session, mark):
    exam, _, (attempt, *_) = _exam_with_papers(db_session, trainees=1)
    question = grading.short_questions(exam)[0]
    with pytest.raises(DomainError):
        grading.grade_answer(db_session, answer=_answer(db_session, attempt, question),
                             mark=mark, comment="", grader=attempt.trainee, now=NOW)
    assert _answer(db_session, attempt, question).score is None


def test_blank_answers_need_no_grader_and_the_queue_runs_by_paper_number(db_session):
    # Trainee 4 leaves the short answers blank (no answer saved: factories.default_response);
    # trainee 5 saves only spaces for the first one.
    def respond(question, index):
        if index == 5 and question.number == 41:
            return {"text": "   "}
        return default_response(question, index)

    exam, users, attempts = _exam_with_papers(db_session, trainees=7, respond=respond)
    question = grading.short_questions(exam)[0]
    papers = grading.papers_for_question(db_session, exam, question)
    assert sorted(p.number for p in papers) == [1, 2, 3, 4, 5, 6, 7]
    assert {p.attempt.id for p in papers if p.blank} == {attempts[4].id, attempts[5].id}
    progress = grading.progress(db_session, exam)
    assert [(r.papers, r.blank, r.graded, r.remaining) for r in progress] == [
        (7, 2, 0, 5), (7, 1, 0, 6), (7, 1, 0, 6)]
    assert grading.ungraded_count(db_session, exam) == 17
    first = grading.next_ungraded(papers)
    assert first is not None and not first.blank
    grading.grade_answer(db_session, answer=first.answer, mark="6", comment="",
                         grader=users[0], now=NOW)
    papers = grading.papers_for_question(db_session, exam, question)
    following = grading.next_ungraded(papers, after=first.number)
    assert following.number > first.number and not following.graded
    with pytest.raises(DomainError, match="未作答"):  # spaces are no answer: 0, no grading
        grading.grade_answer(db_session, answer=_answer(db_session, attempts[5], question),
                             mark="1", comment="", grader=users[0], now=NOW)
    assert _answer(db_session, attempts[4], question) is None


def test_paper_numbers_are_a_shuffle_not_the_submission_order(db_session):
    exam, _, attempts = _exam_with_papers(db_session, trainees=8)
    numbers = grading.paper_numbers(exam, attempts)
    assert sorted(numbers.values()) == list(range(1, 9))
    assert numbers == grading.paper_numbers(exam, list(reversed(attempts)))  # stable
    assert [numbers[a.id] for a in attempts] != list(range(1, 9))


def test_only_assigned_lecturers_grade(db_session):
    exam, _ = make_published_exam(db_session)
    lecturer = make_user(db_session, roles=[Role.LECTURER])
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    other = make_user(db_session, roles=[Role.LECTURER])
    assert grading.can_grade(db_session, organizer, exam)
    assert not grading.can_grade(db_session, lecturer, exam)
    grading.assign_grader(db_session, exam=exam, user=lecturer, actor=organizer, now=NOW)
    assert grading.can_grade(db_session, lecturer, exam)
    assert not grading.can_grade(db_session, other, exam)
    assert grading.exams_for_grader(db_session, lecturer) == [exam]
    assert grading.exams_for_grader(db_session, other) == []
    with pytest.raises(DomainError):
        grading.assign_grader(db_session, exam=exam, user=lecturer, actor=organizer, now=NOW)
    with pytest.raises(DomainError):  # a trainee is no grader
        grading.assign_grader(db_session, exam=exam, user=make_user(db_session),
                              actor=organizer, now=NOW)
    grading.remove_grader(db_session, grader=grading.graders(db_session, exam)[0],
                          actor=organizer, now=NOW)
    assert not grading.can_grade(db_session, lecturer, exam)


def test_highlighting_cuts_the_answer_into_marked_segments(db_session):
    exam, _ = make_published_exam(db_session)
    question = grading.short_questions(exam)[0]
    text = "<b>共7项25条</b>，做到事事有人干、事事有人管。"
    hints, segments = grading.highlighted(text, question)
    assert "".join(s for s, _ in segments) == text
    marked = [s for s, is_mark in segments if is_mark]
    assert "事事有人干" in marked and "事事有人管" in marked
    assert any(k.found for h in hints for k in h.keywords)
    assert grading.highlighted("", question)[1] == []


# --- regrading ---------------------------------------------------------------------------------

def _single_question(exam):
    return next(q for q in exam.questions if q.type == "single")


def test_key_correction_dry_run_then_apply_rescores_and_audits(db_session):
    exam, users, attempts = _exam_with_papers(db_session, trainees=4)
    question = _single_question(exam)
    old_key = list(question.data["answer"])
    new_key = [next(i for i in range(len(question.data["options"])) if i not in old_key)]
    points = Decimal(question.points)
    totals_before = {a.id: a.total_score for a in attempts}
    plan = grading.plan_key_change(db_session, question=question, new_key=new_key)
    assert plan.papers == 4
    changed = {c.attempt.id: c for c in plan.changes}
    for attempt in attempts:
        chosen = _answer(db_session, attempt, question).response["choices"]
        if chosen == old_key:
            assert (changed[attempt.id].old_score, changed[attempt.id].new_score) == (points, 0)
            assert changed[attempt.id].new_total == totals_before[attempt.id] - points
        elif chosen == new_key:
            assert (changed[attempt.id].old_score, changed[attempt.id].new_score) == (0, points)
        else:
            assert attempt.id not in changed
    # The dry run changed nothing.
    assert question.data["answer"] == old_key
    assert {a.id: a.total_score for a in attempts} == totals_before
    applied = grading.apply_key_change(db_session, question=question, new_key=new_key,
                                       actor=users[0], now=NOW)
    assert len(applied.changes) == len(plan.changes) > 0
    db_session.expire_all()
    assert question.data["answer"] == new_key
    for attempt in attempts:
        if attempt.id in changed:
            assert attempt.total_score == changed[attempt.id].new_total
            assert _answer(db_session, attempt, question).score == changed[attempt.id].new_score
        else:
            assert attempt.total_score == totals_before[attempt.id]
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "exam.key_correct"))
    assert entry.changes["answer"] == [old_key, new_key]
    assert set(entry.changes["attempts"]) == {str(i) for i in changed}


def test_key_correction_refuses_bad_keys(db_session):
    exam, _ = make_published_exam(db_session)
    single = _single_question(exam)
    with pytest.raises(DomainError):  # unchanged
        grading.plan_key_change(db_session, question=single, new_key=single.data["answer"])
    with pytest.raises(DomainError):  # a single choice needs exactly one
        grading.plan_key_change(db_session, question=single, new_key=[0, 1])
    with pytest.raises(DomainError):  # short answers are marked by people
        grading.plan_key_change(db_session, question=grading.short_questions(exam)[0],
                                new_key=[0])


# --- release and results -----------------------------------------------------------------------

def _grade_all(db_session, exam, grader, mark="8"):
    for question in grading.short_questions(exam):
        for paper in grading.papers_for_question(db_session, exam, question):
            if not paper.blank:
                grading.grade_answer(db_session, answer=paper.answer, mark=mark, comment="",
                                     grader=grader, now=NOW)


def test_release_needs_a_closed_exam_and_every_answer_graded(db_session):
    exam, users, _attempts = _exam_with_papers(db_session, trainees=2)
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    with pytest.raises(DomainError, match="进行中"):
        results.release_results(db_session, exam=exam, actor=organizer, now=NOW)
    exams.set_open(db_session, exam=exam, is_open=False, actor=organizer, now=NOW)
    with pytest.raises(DomainError, match="未评分"):
        results.release_results(db_session, exam=exam, actor=organizer, now=NOW)
    _grade_all(db_session, exam, organizer)
    assert results.trainee_result(db_session, exam=exam, trainee=users[0]) is None
    results.release_results(db_session, exam=exam, actor=organizer, now=NOW)
    assert exam.results_released_at == NOW
    assert db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "exam.release_results")).actor_id == organizer.id
    with pytest.raises(DomainError):
        results.release_results(db_session, exam=exam, actor=organizer, now=NOW)


def test_release_refuses_while_a_paper_is_still_being_written(db_session):
    exam, (early, late) = make_published_exam(db_session, trainees=2)
    submit_papers(db_session, exam, [early])
    exams.start_attempt(db_session, exam=exam, trainee=late, now=NOW)
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    exams.set_open(db_session, exam=exam, is_open=False, actor=organizer, now=NOW)
    with pytest.raises(DomainError, match="未交卷"):
        results.release_results(db_session, exam=exam, actor=organizer, now=NOW)
    # After its deadline the clock submits it, and then the results can go out.
    later = NOW + timedelta(hours=2)
    _grade_all(db_session, exam, organizer)
    results.release_results(db_session, exam=exam, actor=organizer, now=later)
    assert exams.find_attempt(db_session, exam=exam, trainee=late).auto_submitted


def test_a_released_result_shows_key_score_and_manual_page(db_session):
    exam, users, (attempt, *_) = _exam_with_papers(db_session, trainees=2)
    organizer = make_user(db_session, roles=[Role.ORGANIZER])
    exams.set_open(db_session, exam=exam, is_open=False, actor=organizer, now=NOW)
    _grade_all(db_session, exam, organizer, mark="6.5")
    results.release_results(db_session, exam=exam, actor=organizer, now=NOW)
    result = results.trainee_result(db_session, exam=exam, trainee=users[0])
    assert result.attempt.id == attempt.id and result.total == attempt.total_score
    assert result.max_points == 100 and len(result.questions) == 43
    assert sum(q.score for q in result.questions) == result.total
    short = next(q for q in result.questions if q.type == "short")
    assert short.score == Decimal("6.5") and short.reference_answer
    assert short.manual_label.startswith("教材第")
    single = next(q for q in result.questions if q.type == "single")
    assert single.correct_letters and single.status in ("correct", "wrong")



def test_the_manual_reference_reads_chapter_and_page():
    from training_app.models import ExamQuestion

    data = {"code": "S1", "type": "single", "stem": "题干", "options": ["甲", "乙"],
            "answer": [1], "points": "1.5",
            "manual_ref": {"chapter": 3, "section": None, "page": 15, "title": ""}}
    question = ExamQuestion(number=7, type="single", points=Decimal("1.5"), data=data)
    answer = Answer(response={"choices": [0]}, score=Decimal(0))
    result = results.question_result(question, answer)
    assert result.manual_label == "教材第3章 第15页"
    assert (result.chosen_letters, result.correct_letters, result.status) == ("A", "B", "wrong")
    assert [o.correct for o in result.options] == [False, True]
    unanswered = results.question_result(question, None)
    assert unanswered.score == 0 and unanswered.chosen_letters == ""


def test_papers_without_a_stored_total_fall_back_to_the_objective_score():
    from training_app.models import Attempt

    assert grading.attempt_total(Attempt(objective_score=Decimal(40), total_score=None)) == 40
    assert grading.attempt_total(Attempt(objective_score=Decimal(40),
                                         total_score=Decimal("57.5"))) == Decimal("57.5")
    assert grading.attempt_total(Attempt()) == 0
