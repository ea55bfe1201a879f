"""Results (成绩): release, what a trainee sees afterwards, statistics and the score export.

Nothing of a result - score, key or reference answer - is shown to a trainee before the
organizer releases the exam's results; afterwards each trainee sees only their own paper,
with the key and where in the manual each answer is (教材第X章第Y页): the exam is open-book so
that it teaches.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

import question_bank as qb
from question_bank.numbers import fmt_decimal
from training_app.models import (
    Answer,
    Attempt,
    Exam,
    ExamQuestion,
    ExamStatus,
    TraineeProfile,
    User,
)
from training_app.services import audit, charts, exams, grading, statistics
from training_app.services.errors import N_, DomainError

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTOGRAM_BINS = 10


def max_points(exam: Exam) -> Decimal:
    return sum((Decimal(q.points) for q in exam.questions), Decimal(0))


def is_released(exam: Exam) -> bool:
    return exam.results_released_at is not None


# --- release ---------------------------------------------------------------------------------------

def release_results(session: Session, *, exam: Exam, actor: User, now: datetime) -> Exam:
    """Publish the results to the trainees. Only once every paper is in and fully graded."""
    if exam.status != ExamStatus.PUBLISHED:
        raise DomainError(N_("考试尚未发布。"))
    if is_released(exam):
        raise DomainError(N_("成绩已经发布。"))
    if exam.is_open and now < exam.window_end:
        raise DomainError(N_("考试仍在进行中，请先关闭考试或等考试结束后再发布成绩。"))
    exams.finalize_expired(session, exam=exam, now=now)
    in_progress = session.scalar(select(Attempt.id).where(
        Attempt.exam_id == exam.id, Attempt.submitted_at.is_(None)).limit(1))
    if in_progress is not None:
        raise DomainError(N_("还有学员未交卷，不能发布成绩。"))
    remaining = grading.ungraded_count(session, exam)
    if remaining:
        raise DomainError(N_("还有%(n)s份简答题未评分，不能发布成绩。"), n=remaining)
    exam.results_released_at = now
    session.flush()
    audit.record(session, actor=actor, action="exam.release_results", target=exam, now=now,
                 summary=f"发布成绩 {exam.title}",
                 changes={"results_released_at": [None, now.isoformat()]})
    return exam


# --- a trainee's own result ------------------------------------------------------------------------

def _letters(indices) -> str:
    return "".join(chr(ord("A") + i) for i in sorted(indices) if 0 <= i < 26)


@dataclass(frozen=True)
class OptionResult:
    letter: str
    text: str
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class QuestionResult:
    number: int
    type: str
    stem: str
    points: Decimal
    score: Decimal
    options: list[OptionResult]
    chosen_letters: str
    correct_letters: str
    answer_text: str  # short answers
    reference_answer: str
    scoring_points: list[qb.ScoringPoint]
    comment: str
    manual_label: str  # 教材第X章第Y页

    @property
    def status(self) -> str:
        if self.score >= self.points:
            return "correct"
        return "partial" if self.score > 0 else "wrong"


@dataclass(frozen=True)
class TraineeResult:
    exam: Exam
    attempt: Attempt
    total: Decimal
    max_points: Decimal
    questions: list[QuestionResult]


def question_result(question: ExamQuestion, answer: Answer | None) -> QuestionResult:
    q = qb.Question.from_dict(question.data)
    response = answer.response if answer is not None else {}
    chosen = set(response.get("choices") or [])
    ref = q.manual_ref
    return QuestionResult(
        number=question.number, type=question.type, stem=q.stem, points=Decimal(question.points),
        score=Decimal(answer.score) if answer is not None and answer.score is not None
        else Decimal(0),
        options=[OptionResult(chr(ord("A") + i), text, i in chosen, i in q.answer)
                 for i, text in enumerate(q.options)],
        chosen_letters=_letters(chosen), correct_letters=_letters(q.answer),
        answer_text=str(response.get("text") or ""), reference_answer=q.reference_answer,
        scoring_points=list(q.scoring_points),
        comment=answer.grader_comment if answer is not None else "",
        manual_label=("教材" + ref.label()) if ref is not None and not ref.is_empty else "")


def trainee_result(session: Session, *, exam: Exam, trainee: User) -> TraineeResult | None:
    """``trainee``'s own result, or None before release or without a submitted paper."""
    if not is_released(exam):
        return None
    attempt = exams.find_attempt(session, exam=exam, trainee=trainee)
    if attempt is None or attempt.submitted_at is None:
        return None
    answers = exams.saved_answers(session, attempt)
    questions = [question_result(q, answers.get(q.id)) for q in exam.questions]
    return TraineeResult(exam=exam, attempt=attempt,
                         total=sum((q.score for q in questions), Decimal(0)),
                         max_points=max_points(exam), questions=questions)


# --- statistics ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreMatrix:
    attempts: list[Attempt]
    questions: list[ExamQuestion]
    marks: list[list[Decimal]]  # one row per attempt, one column per question (0 if none)

    @property
    def totals(self) -> list[Decimal]:
        return [sum(row, Decimal(0)) for row in self.marks]


def score_matrix(session: Session, exam: Exam) -> ScoreMatrix:
    attempts = grading.submitted_attempts(session, exam)
    questions = list(exam.questions)
    scores = {(a.attempt_id, a.question_id): a.score for a in session.scalars(
        select(Answer).join(Attempt).where(Attempt.exam_id == exam.id))}
    marks = [[Decimal(scores.get((a.id, q.id)) or 0) for q in questions] for a in attempts]
    return ScoreMatrix(attempts, questions, marks)


@dataclass(frozen=True)
class ItemRow:
    question: ExamQuestion
    stats: statistics.ItemStats


@dataclass(frozen=True)
class ExamStatistics:
    summary: statistics.Summary
    max_points: Decimal
    bins: list[statistics.Bin]
    histogram: charts.BarChart
    items: list[ItemRow]
    ungraded: int

    @property
    def flagged(self) -> list[ItemRow]:
        return [row for row in self.items if row.stats.flagged]


def exam_statistics(session: Session, exam: Exam) -> ExamStatistics:
    """Count, mean, median, SD, histogram and item analysis over the submitted papers.

    Ungraded short answers count 0 until graded (``ungraded`` says how many there are)."""
    matrix = score_matrix(session, exam)
    top = max_points(exam)
    totals = matrix.totals
    bins = statistics.histogram(totals, maximum=top or 1, bins=HISTOGRAM_BINS)
    items = statistics.item_analysis(matrix.marks, [q.points for q in matrix.questions],
                                     keys=[q.number for q in matrix.questions])
    return ExamStatistics(
        summary=statistics.summarize(totals), max_points=top, bins=bins,
        histogram=charts.bar_chart([b.label for b in bins], [b.count for b in bins]),
        items=[ItemRow(q, s) for q, s in zip(matrix.questions, items)],
        ungraded=grading.ungraded_count(session, exam))


# --- Excel export ----------------------------------------------------------------------------------

def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def scores_workbook(session: Session, exam: Exam, *, tz: str) -> bytes:
    """All scores of the exam (one row per approved trainee) and its item analysis."""
    matrix = score_matrix(session, exam)
    numbers = grading.paper_numbers(exam, matrix.attempts)
    by_user = {a.trainee_id: (a, row) for a, row in zip(matrix.attempts, matrix.marks)}
    started = {a.trainee_id: a for a in session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id))}
    trainees = exams.approved_trainee_users(session, exam.training_class)
    profiles = {p.user_id: p for p in session.scalars(select(TraineeProfile).where(
        TraineeProfile.user_id.in_([u.id for u in trainees])))}
    book = Workbook()
    sheet = book.active
    sheet.title = "成绩"
    headers = ["答卷号", "姓名", "手机号", "单位", "状态", "交卷时间", "客观题得分", "简答题得分",
               "总分"] + [f"第{q.number}题({fmt_decimal(Decimal(q.points))}分)"
                          for q in matrix.questions]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    short_ids = [i for i, q in enumerate(matrix.questions) if q.type == "short"]
    for user in trainees:
        profile = profiles.get(user.id)
        name = profile.name if profile else user.display_name
        unit = profile.unit.name if profile and profile.unit else ""
        if user.id in by_user:
            attempt, row = by_user[user.id]
            short = sum((row[i] for i in short_ids), Decimal(0))
            sheet.append([numbers[attempt.id], name, user.mobile or "", unit, "已交卷",
                          attempt.submitted_at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M"),
                          float(sum(row, Decimal(0)) - short), float(short),
                          float(sum(row, Decimal(0)))] + [float(m) for m in row])
        else:
            state = "答题中" if user.id in started else "未参加"
            sheet.append(["", name, user.mobile or "", unit, state, "", None, None, None])
    stats = exam_statistics(session, exam)
    sheet2 = book.create_sheet("试题分析")
    summary = stats.summary
    for label, value in (("交卷人数", summary.count), ("平均分", _round(summary.mean)),
                         ("中位数", _round(summary.median)),
                         ("标准差", _round(summary.standard_deviation)),
                         ("最高分", summary.maximum), ("最低分", summary.minimum),
                         ("满分", float(stats.max_points))):
        sheet2.append([label, value])
    sheet2.append([])
    sheet2.append(["题号", "题型", "分值", "平均得分", "难度系数（得分率）", "区分度", "提示"])
    for row in stats.items:
        s = row.stats
        flags = "、".join(text for flag, text in ((s.too_easy, "过易"), (s.too_hard, "过难"),
                                                  (s.negative_discrimination, "区分度为负"))
                         if flag)
        sheet2.append([row.question.number, exams.TYPE_LABELS.get(row.question.type, ""),
                       s.max_mark, _round(s.mean), _round(s.facility, 4),
                       _round(s.discrimination, 4), flags])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
