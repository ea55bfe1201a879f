"""Marking short answers (阅卷) by question across all papers, and regrading on a key change.

A grader takes one short-answer question and marks it on every submitted paper, then the next
question: the reference answer and scoring points sit beside each trainee's answer, with the
scoring points' keywords highlighted. Papers are anonymous (答卷#N): their numbers come from a
keyed shuffle of the attempts, so they reveal neither names nor the order of submission.

An answer left blank needs no grader: it scores 0 and never enters the queue.
An attempt's total is the sum of its answers' scores, recomputed whenever one changes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import question_bank as qb
from question_bank.numbers import fmt_decimal
from training_app.models import (
    Answer,
    Attempt,
    Exam,
    ExamGrader,
    ExamQuestion,
    ExamStatus,
    Role,
    User,
)
from training_app.services import audit
from training_app.services.errors import N_, DomainError

MAX_COMMENT_CHARS = 1000


# --- who grades ----------------------------------------------------------------------------------

def is_assigned(session: Session, user: User, exam: Exam) -> bool:
    return session.scalar(select(ExamGrader.id).where(
        ExamGrader.exam_id == exam.id, ExamGrader.user_id == user.id)) is not None


def can_grade(session: Session, user: User, exam: Exam) -> bool:
    """Organizers and admins grade any exam; a lecturer only the exams they are assigned to."""
    if exam.status != ExamStatus.PUBLISHED:
        return False
    if user.has_role(Role.ADMIN, Role.ORGANIZER):
        return True
    return user.has_role(Role.LECTURER) and is_assigned(session, user, exam)


def graders(session: Session, exam: Exam) -> list[ExamGrader]:
    return list(session.scalars(select(ExamGrader).where(ExamGrader.exam_id == exam.id)
                                .order_by(ExamGrader.id)))


def assignable_lecturers(session: Session, exam: Exam) -> list[User]:
    from training_app.models import UserRole

    taken = {g.user_id for g in graders(session, exam)}
    users = session.scalars(select(User).join(UserRole).where(
        UserRole.role == Role.LECTURER.value, User.active.is_(True)).order_by(User.display_name))
    return [u for u in users if u.id not in taken]


def assign_grader(session: Session, *, exam: Exam, user: User, actor: User,
                  now: datetime) -> ExamGrader:
    if not user.has_role(Role.LECTURER):
        raise DomainError(N_("只能指定授课教师/阅卷人担任阅卷人。"))
    if is_assigned(session, user, exam):
        raise DomainError(N_("%(name)s已是本次考试的阅卷人。"), name=user.display_name)
    grader = ExamGrader(exam_id=exam.id, user_id=user.id, assigned_at=now)
    session.add(grader)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise DomainError(N_("%(name)s已是本次考试的阅卷人。"), name=user.display_name) from error
    audit.record(session, actor=actor, action="exam.grader_assign", target=exam, now=now,
                 summary=f"指定阅卷人 {user.display_name}", changes={"user_id": user.id})
    return grader


def remove_grader(session: Session, *, grader: ExamGrader, actor: User, now: datetime) -> None:
    exam, name, user_id = grader.exam, grader.user.display_name, grader.user_id
    session.delete(grader)
    session.flush()
    audit.record(session, actor=actor, action="exam.grader_remove", target=exam, now=now,
                 summary=f"取消阅卷人 {name}", changes={"user_id": user_id})


def exams_for_grader(session: Session, user: User) -> list[Exam]:
    """The published exams ``user`` may grade, newest first."""
    query = select(Exam).where(Exam.status == ExamStatus.PUBLISHED.value)
    if not user.has_role(Role.ADMIN, Role.ORGANIZER):
        query = query.join(ExamGrader, ExamGrader.exam_id == Exam.id).where(
            ExamGrader.user_id == user.id)
    return list(session.scalars(query.order_by(Exam.window_start.desc(), Exam.id.desc())))


# --- papers and the queue --------------------------------------------------------------------------

def short_questions(exam: Exam) -> list[ExamQuestion]:
    return [q for q in exam.questions if q.type == "short"]


def short_question(exam: Exam, number: int) -> ExamQuestion | None:
    return next((q for q in short_questions(exam) if q.number == number), None)


def submitted_attempts(session: Session, exam: Exam) -> list[Attempt]:
    return list(session.scalars(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.submitted_at.is_not(None)).order_by(Attempt.id)))


def paper_numbers(exam: Exam, attempts: list[Attempt]) -> dict[int, int]:
    """答卷#N for each attempt id: a keyed shuffle, stable once the exam has closed."""
    def key(attempt: Attempt) -> str:
        return hashlib.sha256(f"{exam.id}:{exam.seed}:{attempt.id}".encode()).hexdigest()
    return {a.id: n for n, a in enumerate(sorted(attempts, key=key), start=1)}


def is_blank(answer: Answer | None) -> bool:
    return answer is None or not str((answer.response or {}).get("text", "")).strip()


@dataclass(frozen=True)
class Paper:
    attempt: Attempt
    number: int
    answer: Answer | None

    @property
    def blank(self) -> bool:
        return is_blank(self.answer)

    @property
    def graded(self) -> bool:
        return self.blank or (self.answer is not None and self.answer.graded_at is not None)


def papers_for_question(session: Session, exam: Exam, question: ExamQuestion) -> list[Paper]:
    """Every submitted paper's answer to ``question``, in paper-number order."""
    attempts = submitted_attempts(session, exam)
    numbers = paper_numbers(exam, attempts)
    answers = {a.attempt_id: a for a in session.scalars(select(Answer).where(
        Answer.question_id == question.id))}
    papers = [Paper(a, numbers[a.id], answers.get(a.id)) for a in attempts]
    return sorted(papers, key=lambda p: p.number)


def next_ungraded(papers: list[Paper], after: int | None = None) -> Paper | None:
    """The first ungraded paper after number ``after`` (wrapping round), else None."""
    pending = [p for p in papers if not p.graded]
    if not pending:
        return None
    if after is not None:
        later = [p for p in pending if p.number > after]
        if later:
            return later[0]
    return pending[0]


@dataclass(frozen=True)
class QuestionProgress:
    question: ExamQuestion
    papers: int
    blank: int
    graded: int  # answered and marked

    @property
    def to_grade(self) -> int:
        return self.papers - self.blank

    @property
    def remaining(self) -> int:
        return self.to_grade - self.graded

    @property
    def done(self) -> bool:
        return self.remaining == 0


def progress(session: Session, exam: Exam) -> list[QuestionProgress]:
    rows = []
    for question in short_questions(exam):
        papers = papers_for_question(session, exam, question)
        blank = sum(1 for p in papers if p.blank)
        graded = sum(1 for p in papers if not p.blank and p.graded)
        rows.append(QuestionProgress(question, len(papers), blank, graded))
    return rows


def ungraded_count(session: Session, exam: Exam) -> int:
    return sum(row.remaining for row in progress(session, exam))


# --- the grader's page ---------------------------------------------------------------------------

def question_of(question: ExamQuestion) -> qb.Question:
    return qb.Question.from_dict(question.data)


def highlighted(text: str, question: ExamQuestion) -> tuple[list[qb.Hint], list[tuple[str, bool]]]:
    """Keyword hints of the scoring points, and ``text`` cut into (segment, is_keyword) pieces
    for the template to wrap keywords in <mark> (it escapes every segment)."""
    hints = qb.keyword_hints(text, question_of(question).scoring_points)
    segments: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in qb.highlight_spans(hints):
        if start > cursor:
            segments.append((text[cursor:start], False))
        segments.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        segments.append((text[cursor:], False))
    return hints, segments


def parse_mark(value: object, points: Decimal) -> Decimal:
    """A grader's mark: 0 to the question's points in 0.5 steps (qb.check_manual_mark)."""
    try:
        mark = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise DomainError(N_("请填写得分。")) from error
    if not mark.is_finite() or qb.check_manual_mark(mark, points):
        raise DomainError(N_("得分须在0至%(max)s分之间，且为0.5分的整数倍。"),
                          max=fmt_decimal(points))
    return mark


def attempt_total(attempt: Attempt) -> Decimal:
    """The paper's total; papers submitted before totals were stored fall back to objective."""
    value = attempt.total_score if attempt.total_score is not None else attempt.objective_score
    return Decimal(value or 0)


def recompute_total(session: Session, attempt: Attempt) -> Decimal:
    """Objective score and total from the attempt's answers (blank or ungraded count 0)."""
    session.flush()
    rows = session.execute(select(Answer.score, ExamQuestion.type).join(ExamQuestion).where(
        Answer.attempt_id == attempt.id, Answer.score.is_not(None))).all()
    objective = sum((score for score, qtype in rows if qtype != "short"), Decimal(0))
    total = sum((score for score, _ in rows), Decimal(0))
    attempt.objective_score = objective
    attempt.total_score = total
    session.flush()
    return total


def grade_answer(session: Session, *, answer: Answer, mark: object, comment: str, grader: User,
                 now: datetime) -> Answer:
    """Record a grader's mark for one short answer and update the paper's total."""
    question = answer.question
    attempt = answer.attempt
    if question.type != "short":
        raise DomainError(N_("只有简答题需要人工评分。"))
    if attempt.submitted_at is None:
        raise DomainError(N_("该答卷尚未交卷，不能评分。"))
    if is_blank(answer):
        raise DomainError(N_("该题未作答，按0分计，无需评分。"))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise DomainError(N_("评语过长（最多%(n)s字）。"), n=MAX_COMMENT_CHARS)
    score = parse_mark(mark, Decimal(question.points))
    before = answer.score if answer.graded_at is not None else None
    answer.score = score
    answer.grader_comment = comment
    answer.graded_by_id = grader.id
    answer.graded_at = now
    total = recompute_total(session, attempt)
    audit.record(session, actor=grader, action="answer.grade", target=answer, now=now,
                 summary=f"评阅第{question.number}题",
                 changes={"score": [before, score], "attempt_id": attempt.id,
                          "total": str(total)})
    return answer


# --- regrading after an answer-key correction ------------------------------------------------------

@dataclass(frozen=True)
class RegradeChange:
    attempt: Attempt
    number: int  # 答卷#N
    old_score: Decimal
    new_score: Decimal
    old_total: Decimal
    new_total: Decimal


@dataclass(frozen=True)
class RegradePlan:
    question: ExamQuestion
    old_key: tuple[int, ...]
    new_key: tuple[int, ...]
    changes: list[RegradeChange]
    papers: int

    @property
    def old_letters(self) -> str:
        return "".join(chr(ord("A") + i) for i in self.old_key)

    @property
    def new_letters(self) -> str:
        return "".join(chr(ord("A") + i) for i in self.new_key)


def _corrected(question: ExamQuestion, new_key: list[int]) -> qb.Question:
    if question.type not in ("single", "multiple"):
        raise DomainError(N_("只能更正客观题的答案；简答题请直接改分。"))
    current = question_of(question)
    key = tuple(sorted(set(new_key)))
    corrected = qb.Question.from_dict({**current.to_dict(), "answer": list(key)})
    problems = qb.validate_question(corrected)
    if problems:
        raise DomainError(N_("答案有误：%(problems)s"), problems="；".join(problems))
    if key == tuple(sorted(current.answer)):
        raise DomainError(N_("答案没有变化。"))
    return corrected


def plan_key_change(session: Session, *, question: ExamQuestion, new_key: list[int]) -> RegradePlan:
    """Dry run: what every submitted paper would score under the corrected key."""
    corrected = _corrected(question, new_key)
    exam = question.exam
    attempts = submitted_attempts(session, exam)
    numbers = paper_numbers(exam, attempts)
    answers = {a.attempt_id: a for a in session.scalars(select(Answer).where(
        Answer.question_id == question.id))}
    changes = []
    for attempt in attempts:
        answer = answers.get(attempt.id)
        if answer is None:
            continue  # unanswered: 0 under any key
        old = Decimal(answer.score or 0)
        new = qb.score_objective(corrected, answer.response.get("choices", []),
                                 exam.multiple_policy, Decimal(question.points))
        if new != old:
            old_total = attempt_total(attempt)
            changes.append(RegradeChange(attempt, numbers[attempt.id], old, new, old_total,
                                         old_total - old + new))
    changes.sort(key=lambda c: c.number)
    return RegradePlan(question, tuple(sorted(question_of(question).answer)), corrected.answer,
                       changes, len(attempts))


def apply_key_change(session: Session, *, question: ExamQuestion, new_key: list[int],
                     actor: User, now: datetime) -> RegradePlan:
    """Correct the published question's key, rescore every affected paper, audit it all."""
    plan = plan_key_change(session, question=question, new_key=new_key)
    before = dict(question.data)
    question.data = {**question.data, "answer": list(plan.new_key)}  # a new dict: JSON change
    for change in plan.changes:
        answer = session.scalar(select(Answer).where(Answer.attempt_id == change.attempt.id,
                                                     Answer.question_id == question.id))
        answer.score = change.new_score
        recompute_total(session, change.attempt)
    session.flush()
    audit.record(
        session, actor=actor, action="exam.key_correct", target=question, now=now,
        summary=f"更正第{question.number}题答案并重新计分（{len(plan.changes)}份答卷分数变化）",
        changes={"answer": [before.get("answer"), list(plan.new_key)],
                 "attempts": {str(c.attempt.id): [str(c.old_score), str(c.new_score)]
                              for c in plan.changes}})
    return plan
