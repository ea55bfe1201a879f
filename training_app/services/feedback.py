"""Feedback (评估反馈): the form, a trainee's one response, the class report and comparisons.

Averages are Decimals rounded half up to two places, the way the seeds report
9.80 / 9.87 / 9.78. The lectures to rate are the schedule items that have a lecturer
(schedule issue's ``ScheduleItem.lecturer_id``), in schedule order. Reports are anonymous: they
show counts, averages and comments, never who wrote them; lecturers see the report of a class
they lecture in, sponsors the report of a class they sponsor.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from training_app.models import (
    FeedbackAnswer,
    FeedbackForm,
    FeedbackLectureRating,
    FeedbackQuestion,
    FeedbackQuestionKind,
    FeedbackResponse,
    Role,
    ScheduleItem,
    TrainingClass,
    User,
)
from training_app.models.feedback import DIMENSIONS
from training_app.services import audit, charts, exams
from training_app.services.classes import can_manage, is_class_sponsor
from training_app.services.errors import N_, DomainError

DIMENSION_LABELS = {
    "course_design": N_("课程设置"),
    "faculty": N_("师资配备"),
    "content": N_("教学内容"),
    "organization": N_("组织管理"),
}
KIND_LABELS = {
    FeedbackQuestionKind.RATING.value: N_("评分（1-10分）"),
    FeedbackQuestionKind.CHOICE.value: N_("单选"),
    FeedbackQuestionKind.TEXT.value: N_("文字"),
}
SCORES = range(1, 11)
MAX_COMMENT_CHARS = 2000
MAX_OPTIONS = 10
TWO_PLACES = Decimal("0.01")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def average(values: Sequence[int | Decimal]) -> Decimal | None:
    """The mean to two decimals, rounded half up (9.865 -> 9.87)."""
    if not values:
        return None
    total = sum((Decimal(v) for v in values), Decimal(0))
    return (total / Decimal(len(values))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# --- the form --------------------------------------------------------------------------------------

def form_for(session: Session, training_class: TrainingClass) -> FeedbackForm | None:
    return session.scalar(select(FeedbackForm).where(FeedbackForm.class_id == training_class.id))


def ensure_form(session: Session, *, training_class: TrainingClass, actor: User,
                now: datetime) -> FeedbackForm:
    form = form_for(session, training_class)
    if form is not None:
        return form
    form = FeedbackForm(class_id=training_class.id, created_at=now, is_open=False)
    session.add(form)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # created by a concurrent request
        return form_for(session, training_class)
    audit.record(session, actor=actor, action="feedback.form_create", target=form, now=now,
                 summary=f"建立评估反馈表：{training_class.title}")
    return form


def response_count(session: Session, form: FeedbackForm) -> int:
    return session.scalar(select(func.count()).select_from(FeedbackResponse).where(
        FeedbackResponse.form_id == form.id)) or 0


def set_open(session: Session, *, form: FeedbackForm, is_open: bool, actor: User,
             now: datetime) -> None:
    if form.is_open == is_open:
        return
    form.is_open = is_open
    if is_open and form.opened_at is None:
        form.opened_at = now
    audit.record(session, actor=actor, action="feedback.open" if is_open else "feedback.close",
                 target=form, now=now, changes={"is_open": [not is_open, is_open]},
                 summary=("开放" if is_open else "关闭") + "评估反馈")


def _require_unanswered(session: Session, form: FeedbackForm) -> None:
    if response_count(session, form):
        raise DomainError(N_("已有学员提交反馈，不能再修改问卷。"))


def add_question(session: Session, *, form: FeedbackForm, kind: str, text: str,
                 options: Sequence[str] = (), required: bool = False, actor: User,
                 now: datetime) -> FeedbackQuestion:
    _require_unanswered(session, form)
    text = text.strip()
    if kind not in KIND_LABELS:
        raise DomainError(N_("未知的题型。"))
    if not text:
        raise DomainError(N_("请填写问题。"))
    cleaned = [o.strip() for o in options if o.strip()] if kind == "choice" else []
    if kind == "choice" and not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise DomainError(N_("单选题需要2至%(n)s个选项（每行一个）。"), n=MAX_OPTIONS)
    if len(set(cleaned)) != len(cleaned):
        raise DomainError(N_("选项不能重复。"))
    position = max((q.position for q in form.questions), default=0) + 1
    question = FeedbackQuestion(kind=kind, text=text, options=cleaned, required=required,
                                position=position)
    form.questions.append(question)
    session.flush()
    audit.record(session, actor=actor, action="feedback.question_add", target=form, now=now,
                 summary=f"增加反馈问题：{text}", changes={"kind": kind, "options": cleaned})
    return question


def delete_question(session: Session, *, question: FeedbackQuestion, actor: User,
                    now: datetime) -> None:
    form = question.form
    _require_unanswered(session, form)
    text = question.text
    form.questions.remove(question)
    session.flush()
    audit.record(session, actor=actor, action="feedback.question_delete", target=form, now=now,
                 summary=f"删除反馈问题：{text}")


def lectures(session: Session, training_class: TrainingClass) -> list[ScheduleItem]:
    """The schedule items a trainee rates: those with a lecturer, in schedule order."""
    return list(session.scalars(
        select(ScheduleItem).where(ScheduleItem.class_id == training_class.id,
                                   ScheduleItem.lecturer_id.is_not(None))
        .order_by(ScheduleItem.starts_at, ScheduleItem.id)))


# --- responding ------------------------------------------------------------------------------------

def response_of(session: Session, form: FeedbackForm, user: User) -> FeedbackResponse | None:
    return session.scalar(select(FeedbackResponse).where(
        FeedbackResponse.form_id == form.id, FeedbackResponse.trainee_id == user.id))


def _score(value: object, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
        raise DomainError(N_("“%(label)s”须评1至10分。"), label=label)
    return value


def submit_response(session: Session, *, training_class: TrainingClass, trainee: User,
                    dimensions: Mapping[str, int], lecture_scores: Mapping[int, int],
                    answers: Mapping[int, object], comments: str,
                    now: datetime) -> FeedbackResponse:
    """Store one trainee's feedback. Every dimension and lecture must be scored 1-10."""
    form = form_for(session, training_class)
    if form is None or not form.is_open:
        raise DomainError(N_("评估反馈尚未开放。"))
    if not exams.is_enrolled(session, training_class, trainee):
        raise DomainError(N_("您不是本班已录取的学员。"))
    if response_of(session, form, trainee) is not None:
        raise DomainError(N_("您已提交过评估反馈，每人只能提交一次。"))
    values = {d: _score(dimensions.get(d), DIMENSION_LABELS[d]) for d in DIMENSIONS}
    comments = (comments or "").strip()
    if len(comments) > MAX_COMMENT_CHARS:
        raise DomainError(N_("意见建议过长（最多%(n)s字）。"), n=MAX_COMMENT_CHARS)
    response = FeedbackResponse(form_id=form.id, trainee_id=trainee.id, submitted_at=now,
                                comments=comments, **values)
    for item in lectures(session, training_class):
        response.lecture_ratings.append(FeedbackLectureRating(
            schedule_item_id=item.id, lecturer_id=item.lecturer_id,
            lecturer_name=item.lecturer.display_name if item.lecturer else "",
            lecture_title=item.title, score=_score(lecture_scores.get(item.id), item.title)))
    for question in form.questions:
        response.answers.extend(_answer(question, answers.get(question.id)))
    session.add(response)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:  # a double submit raced this one
        raise DomainError(N_("您已提交过评估反馈，每人只能提交一次。")) from error
    # The audit names the form, not the response: the log does not tie scores to a person.
    audit.record(session, actor=trainee, action="feedback.submit", target=form, now=now,
                 summary="提交评估反馈")
    return response


def _answer(question: FeedbackQuestion, value: object) -> list[FeedbackAnswer]:
    empty = value is None or value == ""
    if empty:
        if question.required:
            raise DomainError(N_("请回答：%(q)s"), q=question.text)
        return []
    if question.kind == "rating":
        return [FeedbackAnswer(question_id=question.id, rating=_score(value, question.text))]
    if question.kind == "choice":
        if isinstance(value, bool) or not isinstance(value, int) or not \
                0 <= value < len(question.options):
            raise DomainError(N_("请回答：%(q)s"), q=question.text)
        return [FeedbackAnswer(question_id=question.id, choice=value)]
    text = str(value).strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise DomainError(N_("意见建议过长（最多%(n)s字）。"), n=MAX_COMMENT_CHARS)
    if not text:
        if question.required:
            raise DomainError(N_("请回答：%(q)s"), q=question.text)
        return []
    return [FeedbackAnswer(question_id=question.id, text=text)]


def open_forms_for_trainee(session: Session, user: User) -> list[tuple[TrainingClass, bool]]:
    """The classes of ``user`` whose feedback is open, each with whether they responded."""
    from training_app.models import Enrollment, EnrollmentStatus, TraineeProfile

    forms = session.scalars(
        select(FeedbackForm).join(Enrollment, Enrollment.class_id == FeedbackForm.class_id)
        .join(TraineeProfile, Enrollment.trainee_id == TraineeProfile.id)
        .where(TraineeProfile.user_id == user.id, FeedbackForm.is_open.is_(True),
               Enrollment.status == EnrollmentStatus.APPROVED.value)).all()
    return [(f.training_class, response_of(session, f, user) is not None) for f in forms]


# --- who reads reports -----------------------------------------------------------------------------

def lectures_in(session: Session, user: User, training_class: TrainingClass) -> bool:
    return session.scalar(select(ScheduleItem.id).where(
        ScheduleItem.class_id == training_class.id, ScheduleItem.lecturer_id == user.id)
        .limit(1)) is not None


def can_view_report(session: Session, user: User, training_class: TrainingClass) -> bool:
    return (can_manage(user) or is_class_sponsor(user, training_class)
            or (user.has_role(Role.LECTURER) and lectures_in(session, user, training_class)))


def comparable_classes(session: Session, user: User) -> list[TrainingClass]:
    """Classes with a feedback form that ``user`` may compare: all for organizers and admins,
    the classes they sponsor for sponsors."""
    classes = session.scalars(select(TrainingClass).join(
        FeedbackForm, FeedbackForm.class_id == TrainingClass.id)
        .order_by(TrainingClass.start_date.desc(), TrainingClass.id.desc())).all()
    return [c for c in classes if can_manage(user) or is_class_sponsor(user, c)]


# --- the report ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DimensionRow:
    key: str
    label: str
    average: Decimal | None
    distribution: list[int]  # counts of scores 1..10
    chart: charts.BarChart


@dataclass(frozen=True)
class LectureRow:
    title: str
    lecturer: str
    count: int
    average: Decimal | None


@dataclass(frozen=True)
class LecturerRow:
    lecturer: str
    lectures: int
    count: int
    average: Decimal | None


@dataclass(frozen=True)
class QuestionRow:
    question: FeedbackQuestion
    count: int
    average: Decimal | None = None  # rating
    choices: list[tuple[str, int]] = field(default_factory=list)  # choice
    texts: list[str] = field(default_factory=list)  # text


@dataclass(frozen=True)
class FeedbackReport:
    training_class: TrainingClass
    responses: int
    trainees: int
    dimensions: list[DimensionRow]
    overall: Decimal | None
    lectures: list[LectureRow]
    lecturers: list[LecturerRow]
    questions: list[QuestionRow]
    comments: list[str]

    @property
    def response_rate(self) -> Decimal | None:
        """Responses per approved trainee, in percent to one decimal."""
        if not self.trainees:
            return None
        return (Decimal(100 * self.responses) / Decimal(self.trainees)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)


def report(session: Session, training_class: TrainingClass) -> FeedbackReport:
    form = form_for(session, training_class)
    responses = list(session.scalars(select(FeedbackResponse).where(
        FeedbackResponse.form_id == form.id).order_by(FeedbackResponse.id))) if form else []
    trainees = len(exams.approved_trainee_users(session, training_class))
    dimensions = []
    for key in DIMENSIONS:
        values = [getattr(r, key) for r in responses]
        counts = Counter(values)
        distribution = [counts.get(s, 0) for s in SCORES]
        dimensions.append(DimensionRow(key, DIMENSION_LABELS[key], average(values), distribution,
                                       charts.bar_chart([str(s) for s in SCORES], distribution,
                                                        width=320, height=160)))
    all_values = [getattr(r, key) for r in responses for key in DIMENSIONS]
    ratings = [rating for r in responses for rating in r.lecture_ratings]
    by_lecture: dict[tuple, list[int]] = defaultdict(list)
    by_lecturer: dict[tuple, list[int]] = defaultdict(list)
    lectures_of: dict[tuple, set] = defaultdict(set)
    for rating in ratings:
        lecture_key = (rating.schedule_item_id, rating.lecture_title, rating.lecturer_name)
        lecturer_key = (rating.lecturer_id, rating.lecturer_name)
        by_lecture[lecture_key].append(rating.score)
        by_lecturer[lecturer_key].append(rating.score)
        lectures_of[lecturer_key].add(lecture_key)
    lecture_rows = [LectureRow(title, name, len(v), average(v))
                    for (_, title, name), v in by_lecture.items()]
    lecturer_rows = sorted(
        (LecturerRow(key[1], len(lectures_of[key]), len(v), average(v))
         for key, v in by_lecturer.items()), key=lambda r: r.lecturer)
    question_rows = []
    answers = [a for r in responses for a in r.answers]
    for question in (form.questions if form else []):
        mine = [a for a in answers if a.question_id == question.id]
        if question.kind == "rating":
            question_rows.append(QuestionRow(question, len(mine),
                                             average=average([a.rating for a in mine])))
        elif question.kind == "choice":
            counts = Counter(a.choice for a in mine)
            question_rows.append(QuestionRow(question, len(mine), choices=[
                (option, counts.get(i, 0)) for i, option in enumerate(question.options)]))
        else:
            question_rows.append(QuestionRow(question, len(mine), texts=[a.text for a in mine]))
    return FeedbackReport(
        training_class=training_class, responses=len(responses), trainees=trainees,
        dimensions=dimensions, overall=average(all_values), lectures=lecture_rows,
        lecturers=lecturer_rows, questions=question_rows,
        comments=[r.comments for r in responses if r.comments])


@dataclass(frozen=True)
class ComparisonRow:
    training_class: TrainingClass
    responses: int
    response_rate: Decimal | None
    averages: list[Decimal | None]
    overall: Decimal | None


def compare(session: Session, classes: Sequence[TrainingClass]) -> list[ComparisonRow]:
    rows = []
    for training_class in classes:
        r = report(session, training_class)
        rows.append(ComparisonRow(training_class, r.responses, r.response_rate,
                                  [d.average for d in r.dimensions], r.overall))
    return rows


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def report_workbook(report_: FeedbackReport, *, labels: Mapping[str, str]) -> bytes:
    """The report as Excel; ``labels`` translates the dimension names."""
    book = Workbook()
    sheet = book.active
    sheet.title = "概况"
    sheet.append(["培训班", report_.training_class.title])
    sheet.append(["应参评人数", report_.trainees])
    sheet.append(["实际参评人数", report_.responses])
    sheet.append(["参评率(%)", _fmt(report_.response_rate)])
    sheet.append([])
    sheet.append(["评估维度", "平均分"] + [f"{s}分人数" for s in SCORES])
    for row in report_.dimensions:
        sheet.append([labels.get(row.key, row.key), _fmt(row.average), *row.distribution])
    sheet.append(["总平均", _fmt(report_.overall)])
    for cell in sheet[6]:
        cell.font = Font(bold=True)
    lectures_sheet = book.create_sheet("授课评价")
    lectures_sheet.append(["授课内容", "授课教师", "评价人数", "平均分"])
    for row in report_.lectures:
        lectures_sheet.append([row.title, row.lecturer, row.count, _fmt(row.average)])
    lectures_sheet.append([])
    lectures_sheet.append(["授课教师", "授课场次", "评价人次", "平均分"])
    for row in report_.lecturers:
        lectures_sheet.append([row.lecturer, row.lectures, row.count, _fmt(row.average)])
    questions_sheet = book.create_sheet("其他问题")
    questions_sheet.append(["问题", "回答人数", "结果"])
    for row in report_.questions:
        if row.question.kind == "rating":
            result = _fmt(row.average)
        elif row.question.kind == "choice":
            result = "；".join(f"{option}：{n}" for option, n in row.choices)
        else:
            result = "\n".join(row.texts)
        questions_sheet.append([row.question.text, row.count, result])
    comments_sheet = book.create_sheet("意见建议")
    comments_sheet.append(["意见建议"])
    for comment in report_.comments:
        comments_sheet.append([comment])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
