"""Question banks and the open-book exam (开卷考试): publishing, taking, saving, submitting.

The server owns exam time: an attempt's deadline is fixed when it starts (the earlier of start +
duration + any extension and the window's end); saves after the deadline plus a short grace for
requests in flight are refused, and expired attempts are submitted automatically.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import question_bank as qb
from training_app.models import (
    Answer,
    Attempt,
    Enrollment,
    BankQuestion,
    Exam,
    ExamQuestion,
    ExamStatus,
    QuestionBank,
    TraineeProfile,
    TrainingClass,
    User,
)
from training_app.models.enrollment import EnrollmentStatus
from training_app.services import audit
from training_app.services.errors import N_, DomainError

# Saves and submissions sent just before the deadline may arrive a little after it.
GRACE = timedelta(seconds=15)
# A page's countdown may reach zero this much before the server's deadline (latency, rounding).
CLOCK_SKEW = timedelta(seconds=5)
MAX_SHORT_ANSWER_CHARS = 5000
TYPE_LABELS = {"single": N_("单选题"), "multiple": N_("多选题"), "short": N_("简答题")}


class ExamClosed(DomainError):
    """The attempt is submitted or past its deadline: nothing more is accepted."""


class InvalidAnswer(DomainError):
    pass


# --- banks -------------------------------------------------------------------------------------

def create_bank(session: Session, *, name: str, training_class: TrainingClass | None,
                actor: User | None, now: datetime) -> QuestionBank:
    name = name.strip()
    if not name:
        raise DomainError(N_("请填写题库名称。"))
    if session.scalar(select(QuestionBank).where(QuestionBank.name == name)) is not None:
        raise DomainError(N_("题库名称已存在：%(name)s"), name=name)
    bank = QuestionBank(name=name, class_id=training_class.id if training_class else None,
                        created_at=now)
    session.add(bank)
    session.flush()
    audit.record(session, actor=actor, action="bank.create", target=bank, now=now,
                 summary=f"新建题库 {name}")
    return bank


def find_bank(session: Session, name: str) -> QuestionBank | None:
    return session.scalar(select(QuestionBank).where(QuestionBank.name == name))


def bank_questions(bank: QuestionBank) -> list[qb.Question]:
    return [qb.Question.from_dict(row.data) for row in bank.questions]


def import_questions(session: Session, *, bank: QuestionBank, questions: list[qb.Question],
                     actor: User | None, now: datetime) -> dict[str, int]:
    """Add ``questions`` to ``bank``, all or nothing; returns the count per type."""
    existing = {row.code for row in bank.questions}
    clashes = sorted({q.code for q in questions} & existing)
    if clashes:
        raise DomainError(N_("题库中已有这些题号：%(codes)s"), codes="、".join(clashes))
    for question in questions:
        bank.questions.append(BankQuestion(code=question.code, type=question.type,
                                           data=question.to_dict(), updated_at=now))
    session.flush()
    counts = dict(Counter(q.type for q in questions))
    audit.record(session, actor=actor, action="bank.import", target=bank, now=now,
                 summary=f"向题库 {bank.name} 导入 {len(questions)} 题", changes=counts)
    return counts


def replace_question(session: Session, *, row: BankQuestion, question: qb.Question,
                     actor: User | None, now: datetime) -> None:
    problems = qb.validate_question(question)
    if problems:
        raise DomainError(N_("题目有误：%(problems)s"), problems="；".join(problems))
    before = row.data
    row.data, row.type, row.code, row.updated_at = question.to_dict(), question.type, question.code, now
    audit.record(session, actor=actor, action="bank.question_update", target=row.bank, now=now,
                 summary=f"修改题目 {row.code}", changes={"question": [before, row.data]})


# --- exams -------------------------------------------------------------------------------------

def create_exam(session: Session, *, training_class: TrainingClass, bank: QuestionBank,
                title: str, window_start: datetime, window_end: datetime,
                duration_minutes: int = 60, multiple_policy: str = "all_or_nothing",
                blueprint: qb.Blueprint | None = None, seed: int | None = None,
                actor: User | None, now: datetime) -> Exam:
    if window_end <= window_start:
        raise DomainError(N_("考试结束时间必须晚于开始时间。"))
    if duration_minutes <= 0:
        raise DomainError(N_("考试时长必须大于0分钟。"))
    if multiple_policy not in qb.MULTIPLE_POLICIES:
        raise DomainError(N_("未知的多选题计分规则：%(policy)s"), policy=multiple_policy)
    blueprint = blueprint or qb.standard_blueprint()
    exam = Exam(
        class_id=training_class.id, bank_id=bank.id, title=title.strip() or training_class.title,
        blueprint=blueprint.to_dict(), duration_minutes=duration_minutes,
        window_start=window_start, window_end=window_end, multiple_policy=multiple_policy,
        seed=seed if seed is not None else random.SystemRandom().randrange(1, 2**31),
        created_at=now,
    )
    session.add(exam)
    session.flush()
    audit.record(session, actor=actor, action="exam.create", target=exam, now=now,
                 summary=f"新建考试 {exam.title}",
                 changes={"duration_minutes": duration_minutes, "policy": multiple_policy})
    return exam


def exam_blueprint(exam: Exam) -> qb.Blueprint:
    return qb.Blueprint.from_dict(exam.blueprint)


def preview_paper(session: Session, exam: Exam) -> qb.Paper:
    """The paper the bank and blueprint would give; refuses with every blueprint problem."""
    bank = session.get(QuestionBank, exam.bank_id) if exam.bank_id else None
    if bank is None:
        raise DomainError(N_("请先为考试选择题库。"))
    try:
        return qb.assemble(exam_blueprint(exam), bank_questions(bank), exam.seed)
    except qb.BlueprintError as error:
        raise DomainError(N_("组卷规则不满足：%(problems)s"),
                          problems="；".join(error.messages)) from error


def publish_exam(session: Session, *, exam: Exam, actor: User | None, now: datetime) -> Exam:
    """Fix the paper: copy the drawn questions into the exam. Needs an approved manual."""
    from training_app.services.manuals import approved_manual_version

    if exam.status == ExamStatus.PUBLISHED:
        raise DomainError(N_("考试已发布。"))
    manual = approved_manual_version(session, exam.training_class)
    if manual is None:
        raise DomainError(N_("培训教材尚未经主办方审核通过，不能发布考试：开卷考试的答案须能在教材中找到。"))
    paper = preview_paper(session, exam)
    for item in paper.items:
        exam.questions.append(ExamQuestion(
            number=item.number, section_index=item.section_index, type=item.question.type,
            points=item.points, data=item.question.to_dict()))
    exam.status = ExamStatus.PUBLISHED.value
    exam.published_at = now
    exam.manual_version_id = manual.id
    session.flush()
    audit.record(session, actor=actor, action="exam.publish", target=exam, now=now,
                 summary=f"发布考试 {exam.title}（{len(paper.items)} 题，{paper.total_points} 分）",
                 changes={"status": [ExamStatus.DRAFT.value, ExamStatus.PUBLISHED.value],
                          "manual_version_id": manual.id})
    return exam


def set_open(session: Session, *, exam: Exam, is_open: bool, actor: User | None,
             now: datetime) -> None:
    if exam.status != ExamStatus.PUBLISHED:
        raise DomainError(N_("考试尚未发布，不能开放。"))
    if is_open and exam.results_released_at is not None:
        raise DomainError(N_("成绩已发布，不能重新开放考试。"))
    if exam.is_open == is_open:
        return
    exam.is_open = is_open
    audit.record(session, actor=actor, action="exam.open" if is_open else "exam.close",
                 target=exam, now=now, changes={"is_open": [not is_open, is_open]},
                 summary=("开放" if is_open else "关闭") + f"考试 {exam.title}")


def published_paper(exam: Exam) -> qb.Paper:
    """The published paper rebuilt from its snapshot rows (never from the bank)."""
    items = tuple(
        qb.PaperItem(number=q.number, section_index=q.section_index,
                     question=qb.Question.from_dict(q.data), points=Decimal(q.points),
                     option_order=tuple(range(len(q.data.get("options") or ()))))
        for q in exam.questions)
    return qb.Paper(blueprint=exam_blueprint(exam), items=items, seed=exam.seed)


# --- taking the exam ---------------------------------------------------------------------------

def is_enrolled(session: Session, training_class: TrainingClass, user: User) -> bool:
    """Only trainees whose enrollment in the class is approved (已录取) sit its exam."""
    return session.scalar(
        select(Enrollment.id).join(TraineeProfile, Enrollment.trainee_id == TraineeProfile.id)
        .where(Enrollment.class_id == training_class.id, TraineeProfile.user_id == user.id,
               Enrollment.status == EnrollmentStatus.APPROVED.value)) is not None


def approved_trainee_users(session: Session, training_class: TrainingClass) -> list[User]:
    return list(session.scalars(
        select(User).join(TraineeProfile, TraineeProfile.user_id == User.id)
        .join(Enrollment, Enrollment.trainee_id == TraineeProfile.id)
        .where(Enrollment.class_id == training_class.id,
               Enrollment.status == EnrollmentStatus.APPROVED.value)
        .order_by(TraineeProfile.name, User.id)))


@dataclass(frozen=True)
class StartCheck:
    allowed: bool
    reason: str = ""
    params: dict[str, Any] | None = None


def start_check(session: Session, *, exam: Exam, trainee: User, now: datetime) -> StartCheck:
    if exam.status != ExamStatus.PUBLISHED or not exam.is_open:
        return StartCheck(False, N_("考试尚未开放。"))
    if now < exam.window_start:
        return StartCheck(False, N_("考试尚未开始。"))
    if now >= exam.window_end:
        return StartCheck(False, N_("考试已结束。"))
    if not is_enrolled(session, exam.training_class, trainee):
        return StartCheck(False, N_("您不是本班已录取的学员，不能参加本次考试。"))
    return StartCheck(True)


def find_attempt(session: Session, *, exam: Exam, trainee: User) -> Attempt | None:
    return session.scalar(select(Attempt).where(Attempt.exam_id == exam.id,
                                                Attempt.trainee_id == trainee.id))


def start_attempt(session: Session, *, exam: Exam, trainee: User, now: datetime) -> Attempt:
    """Start (or return the already started) attempt; the deadline is fixed now."""
    existing = find_attempt(session, exam=exam, trainee=trainee)
    if existing is not None:
        return existing
    check = start_check(session, exam=exam, trainee=trainee, now=now)
    if not check.allowed:
        raise DomainError(check.reason, **(check.params or {}))
    deadline = min(now + timedelta(minutes=exam.duration_minutes), exam.window_end)
    attempt = Attempt(exam_id=exam.id, trainee_id=trainee.id, started_at=now, deadline=deadline,
                      personal_seed=random.SystemRandom().randrange(1, 2**31))
    session.add(attempt)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same trainee started on two devices at once: one attempt wins
        attempt = find_attempt(session, exam=exam, trainee=trainee)
        assert attempt is not None
        return attempt
    audit.record(session, actor=trainee, action="attempt.start", target=attempt, now=now,
                 summary=f"开始考试 {exam.title}", changes={"deadline": deadline.isoformat()})
    return attempt


def trainee_paper(attempt: Attempt) -> qb.Paper:
    """The attempt's personal order of questions and options, reproducible from its seed."""
    return qb.personalize(published_paper(attempt.exam), attempt.personal_seed)


def is_closed(attempt: Attempt, now: datetime) -> bool:
    return attempt.submitted_at is not None or now > attempt.deadline + GRACE


def remaining_seconds(attempt: Attempt, now: datetime) -> int:
    if attempt.submitted_at is not None:
        return 0
    return max(0, int((attempt.deadline - now).total_seconds()))


def normalize_response(question: ExamQuestion, response: Any) -> dict[str, Any]:
    """Check a response's shape against its question; returns the stored form."""
    options = question.data.get("options") or []
    if question.type == "short":
        text = response.get("text") if isinstance(response, dict) else None
        if not isinstance(text, str):
            raise InvalidAnswer(N_("简答题的答案必须是文字。"))
        if len(text) > MAX_SHORT_ANSWER_CHARS:
            raise InvalidAnswer(N_("答案过长（最多%(n)s字）。"), n=MAX_SHORT_ANSWER_CHARS)
        return {"text": text}
    choices = response.get("choices") if isinstance(response, dict) else None
    if not isinstance(choices, list) or not all(isinstance(c, int) and not isinstance(c, bool)
                                                for c in choices):
        raise InvalidAnswer(N_("选择题的答案必须是选项编号列表。"))
    chosen = sorted(set(choices))
    if any(c < 0 or c >= len(options) for c in chosen):
        raise InvalidAnswer(N_("选项不存在。"))
    if question.type == "single" and len(chosen) > 1:
        raise InvalidAnswer(N_("单选题只能选择一个选项。"))
    return {"choices": chosen}


def _build_upsert(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Answer)
    return statement.on_conflict_do_update(
        index_elements=[Answer.attempt_id, Answer.question_id],
        set_={"response": statement.excluded.response, "seq": statement.excluded.seq,
              "saved_at": statement.excluded.saved_at},
        where=Answer.seq < statement.excluded.seq,
    ).returning(Answer.id)


# Built once per dialect and executed with parameters: constructing the ON CONFLICT statement
# (its EXCLUDED columns, its cache key) cost more CPU than the rest of a save's own code.
_UPSERTS = {dialect: _build_upsert(dialect) for dialect in ("postgresql", "sqlite")}


def _upsert(session: Session, values: dict[str, Any]) -> bool:
    """Insert or update one answer unless a save with a higher seq is already stored.

    One statement, so two racing saves cannot interleave a read and a write: the database
    keeps whichever carries the higher seq. Returns whether this save was stored.
    """
    connection = session.connection()
    # Core execution (not the ORM's bulk-insert path) so RETURNING tells whether a row was written.
    return connection.execute(_UPSERTS[connection.dialect.name], values).first() is not None


def _is_row_id(value: Any) -> bool:
    """An int an id column can hold: anything else (a bool, a string, 10**30) names no row."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


# Prebuilt with bind parameters: the hot path then skips building the statement and its cache key.
_LOAD_FOR_SAVE = (
    select(Attempt, ExamQuestion)
    .outerjoin(ExamQuestion, (ExamQuestion.exam_id == Attempt.exam_id)
               & (ExamQuestion.id == bindparam("question_id")))
    .where(Attempt.id == bindparam("attempt_id"))
)


def load_for_save(session: Session, *, attempt_id: int, question_id: Any
                  ) -> tuple[Attempt | None, ExamQuestion | None]:
    """The attempt and, if it belongs to the attempt's exam, the question: one round trip.

    Saves are the hot path of an exam (thousands of trainees, every few seconds each).
    """
    if not _is_row_id(question_id):
        return session.get(Attempt, attempt_id), None
    row = session.execute(_LOAD_FOR_SAVE, {"attempt_id": attempt_id,
                                           "question_id": question_id}).first()
    return (row[0], row[1]) if row else (None, None)


def save_answer(session: Session, *, attempt: Attempt, question_id: int, response: Any,
                seq: int, now: datetime, question: ExamQuestion | None = None) -> bool:
    """Store a response if the attempt is still open and ``seq`` is newer than what is stored.

    Returns False (and changes nothing) for a stale save; raises ExamClosed after the deadline.
    ``question``, when the caller has already loaded it, saves a query.
    """
    if is_closed(attempt, now):
        raise ExamClosed(N_("考试已结束或已交卷，答案未被接受。"))
    if question is None and _is_row_id(question_id):
        question = session.get(ExamQuestion, question_id)
    if question is None or question.exam_id != attempt.exam_id:
        raise InvalidAnswer(N_("题目不存在。"))
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1 or seq > 2**31:
        raise InvalidAnswer(N_("保存序号无效。"))
    stored = normalize_response(question, response)
    return _upsert(session, {"attempt_id": attempt.id, "question_id": question.id,
                             "response": stored, "seq": seq, "saved_at": now})


def saved_answers(session: Session, attempt: Attempt) -> dict[int, Answer]:
    rows = session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))
    return {row.question_id: row for row in rows}


def submit_attempt(session: Session, *, attempt: Attempt, now: datetime,
                   auto: bool = False) -> Attempt:
    """Submit and score the objective questions. Submitting twice changes nothing.

    The submission is claimed with one conditional UPDATE, so of two racing submits (a double
    click, two devices, the timer and the button) exactly one scores the paper.
    """
    if attempt.submitted_at is not None:
        return attempt
    if not auto and now > attempt.deadline + GRACE:
        auto = True  # too late to be the trainee's own submission: the clock submitted it
    submitted_at = min(now, attempt.deadline) if auto else now
    claimed = session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=submitted_at, auto_submitted=auto)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(attempt)
    if claimed != 1:
        return attempt
    exam = attempt.exam
    answers = saved_answers(session, attempt)
    total = Decimal(0)
    for question in exam.questions:
        answer = answers.get(question.id)
        if question.type == "short" or answer is None:
            continue
        answer.score = qb.score_objective(qb.Question.from_dict(question.data),
                                          answer.response.get("choices", []),
                                          exam.multiple_policy, Decimal(question.points))
        total += answer.score
    attempt.objective_score = total
    attempt.total_score = total  # short answers are added as they are graded (services/grading.py)
    session.flush()
    audit.record(session, actor=None if auto else attempt.trainee, action="attempt.submit",
                 target=attempt, now=now, changes={"auto": auto, "objective_score": str(total)},
                 summary=("自动交卷" if auto else "交卷") + f" {exam.title}")
    return attempt


def finalize_expired(session: Session, *, exam: Exam, now: datetime) -> int:
    """Submit every attempt whose deadline and grace have passed; returns how many."""
    expired = session.scalars(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.submitted_at.is_(None),
        Attempt.deadline < now - GRACE)).all()
    for attempt in expired:
        submit_attempt(session, attempt=attempt, now=now, auto=True)
    return len(expired)


def extend_time(session: Session, *, attempt: Attempt, minutes: int, actor: User,
                now: datetime) -> Attempt:
    """Give one trainee extra minutes (e.g. a device failure); may pass the window's end."""
    if attempt.submitted_at is not None:
        raise DomainError(N_("该学员已交卷，不能延时。"))
    if not 1 <= minutes <= 120:
        raise DomainError(N_("延长时间须在1至120分钟之间。"))
    before = attempt.deadline
    attempt.extra_minutes += minutes
    attempt.deadline = max(attempt.deadline, now) + timedelta(minutes=minutes)
    audit.record(session, actor=actor, action="attempt.extend", target=attempt, now=now,
                 summary=f"为学员延长考试时间 {minutes} 分钟",
                 changes={"deadline": [before.isoformat(), attempt.deadline.isoformat()]})
    return attempt


@dataclass(frozen=True)
class MonitorRow:
    trainee: User
    attempt: Attempt | None
    answered: int
    state: str  # not_started | in_progress | submitted


def monitor(session: Session, *, exam: Exam, trainees: list[User], now: datetime) -> list[MonitorRow]:
    attempts = {a.trainee_id: a for a in session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id))}
    answered = dict(session.execute(
        select(Answer.attempt_id, func.count()).join(Attempt).where(Attempt.exam_id == exam.id)
        .group_by(Answer.attempt_id)).all())
    rows = []
    for trainee in trainees:
        attempt = attempts.get(trainee.id)
        if attempt is None:
            state = "not_started"
        elif attempt.submitted_at is not None:
            state = "submitted"
        else:
            state = "in_progress"
        rows.append(MonitorRow(trainee, attempt, answered.get(attempt.id, 0) if attempt else 0, state))
    return rows


def save_form_answers(session: Session, *, attempt: Attempt, form: Any, now: datetime) -> int:
    """Save what a plain HTML form carries (``q-<id>`` fields), e.g. with JavaScript off.

    The form shows the page's current state, so each answer it changes is stored as the newest
    save (seq one above what is stored). Only questions the form lists in ``shown`` are
    touched: an unticked checkbox group sends nothing, so without that list a submission that
    carries no answers (a script's, a stale tab's) would erase every saved one.
    Returns how many answers changed.
    """
    stored = saved_answers(session, attempt)
    shown = set(form.getlist("shown"))
    changed = 0
    for question in attempt.exam.questions:
        if str(question.id) not in shown:
            continue
        values = form.getlist(f"q-{question.id}")
        if question.type == "short":
            raw: dict[str, Any] = {"text": values[0] if values else ""}
        else:
            try:
                raw = {"choices": [int(v) for v in values]}
            except ValueError as error:
                raise InvalidAnswer(N_("选项不存在。")) from error
        response = normalize_response(question, raw)
        previous = stored.get(question.id)
        empty = response in ({"text": ""}, {"choices": []})
        if (previous is None and empty) or (previous is not None and previous.response == response):
            continue
        seq = (previous.seq if previous else 0) + 1
        if save_answer(session, attempt=attempt, question_id=question.id, response=response,
                       seq=seq, now=now):
            changed += 1
    return changed


@dataclass(frozen=True)
class TraineeExam:
    exam: Exam
    attempt: Attempt | None


def exams_for_trainee(session: Session, user: User) -> list[TraineeExam]:
    """Published exams of the classes where ``user`` is an approved trainee, newest first."""
    rows = session.scalars(
        select(Exam).join(Enrollment, Enrollment.class_id == Exam.class_id)
        .join(TraineeProfile, Enrollment.trainee_id == TraineeProfile.id)
        .where(TraineeProfile.user_id == user.id,
               Enrollment.status == EnrollmentStatus.APPROVED.value,
               Exam.status == ExamStatus.PUBLISHED.value)
        .order_by(Exam.window_start.desc())).all()
    attempts = {a.exam_id: a for a in session.scalars(
        select(Attempt).where(Attempt.trainee_id == user.id))}
    return [TraineeExam(exam, attempts.get(exam.id)) for exam in rows]
