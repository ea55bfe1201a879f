"""Feedback (评估反馈): one form per class, one response per trainee.

Every response scores the four standard dimensions from 1 to 10 (课程设置, 师资配备, 教学内容,
组织管理), rates each lecture of the schedule, and may carry free comments; the organizer may
add questions of their own (rating, single choice, text). The trainee is stored only to keep
one response per trainee: reports never show who wrote what.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class FeedbackQuestionKind(enum.StrEnum):
    RATING = "rating"  # 评分（1-10）
    CHOICE = "choice"  # 单选
    TEXT = "text"  # 文字


FEEDBACK_KIND_VALUES = tuple(k.value for k in FeedbackQuestionKind)
# The four standard dimensions, in the order the reports print them.
DIMENSIONS = ("course_design", "faculty", "content", "organization")


def _score_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN 1 AND 10", name=f"{column}_range")


class FeedbackForm(Base):
    __tablename__ = "feedback_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), unique=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821
    questions: Mapped[list[FeedbackQuestion]] = relationship(
        back_populates="form", cascade="all, delete-orphan",
        order_by="(FeedbackQuestion.position, FeedbackQuestion.id)")


class FeedbackQuestion(Base):
    """A question the organizer added to the standard form."""

    __tablename__ = "feedback_question"
    __table_args__ = (
        CheckConstraint(f"kind IN {FEEDBACK_KIND_VALUES!r}", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_form.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)  # single choice only
    required: Mapped[bool] = mapped_column(Boolean, default=False)

    form: Mapped[FeedbackForm] = relationship(back_populates="questions")


class FeedbackResponse(Base):
    __tablename__ = "feedback_response"
    __table_args__ = (
        UniqueConstraint("form_id", "trainee_id"),
        *(_score_check(d) for d in DIMENSIONS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_form.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    course_design: Mapped[int] = mapped_column()  # 课程设置
    faculty: Mapped[int] = mapped_column()  # 师资配备
    content: Mapped[int] = mapped_column()  # 教学内容
    organization: Mapped[int] = mapped_column()  # 组织管理
    comments: Mapped[str] = mapped_column(Text, default="")

    lecture_ratings: Mapped[list[FeedbackLectureRating]] = relationship(
        back_populates="response", cascade="all, delete-orphan",
        order_by="FeedbackLectureRating.id")
    answers: Mapped[list[FeedbackAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="FeedbackAnswer.id")


class FeedbackLectureRating(Base):
    """A 1-10 rating of one lecture of the schedule; the lecture's title and lecturer are
    copied so the report keeps its meaning if the schedule changes later."""

    __tablename__ = "feedback_lecture_rating"
    __table_args__ = (
        UniqueConstraint("response_id", "schedule_item_id"),
        _score_check("score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_response.id", ondelete="CASCADE"), index=True)
    schedule_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_item.id", ondelete="SET NULL"))
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lecturer_name: Mapped[str] = mapped_column(String(64))
    lecture_title: Mapped[str] = mapped_column(String(200))
    score: Mapped[int] = mapped_column()

    response: Mapped[FeedbackResponse] = relationship(back_populates="lecture_ratings")


class FeedbackAnswer(Base):
    """The answer to one organizer-added question: a rating, a choice index or text."""

    __tablename__ = "feedback_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 10", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_question.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int | None] = mapped_column()
    choice: Mapped[int | None] = mapped_column()
    text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[FeedbackResponse] = relationship(back_populates="answers")
    question: Mapped[FeedbackQuestion] = relationship()
