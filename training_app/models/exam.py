"""Question banks, exams and attempts (开卷考试).

A bank stores questions as ``question_bank.Question.to_dict()`` documents, so the pure package
stays the one definition of a question. Publishing an exam copies the drawn questions into
``ExamQuestion`` rows: later edits to the bank never change a published paper.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class QuestionBank(Base):
    __tablename__ = "question_bank"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # None: a shared bank any class may draw from; otherwise the class it belongs to.
    class_id: Mapped[int | None] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training_class: Mapped["TrainingClass | None"] = relationship()  # noqa: F821
    questions: Mapped[list[BankQuestion]] = relationship(
        back_populates="bank", cascade="all, delete-orphan", order_by="BankQuestion.id")


class BankQuestion(Base):
    __tablename__ = "bank_question"
    __table_args__ = (UniqueConstraint("bank_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")


class ExamStatus(enum.StrEnum):
    DRAFT = "draft"  # 草稿
    PUBLISHED = "published"  # 已发布（试卷已固定）


class Exam(Base):
    __tablename__ = "exam"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("window_end > window_start", name="window_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("question_bank.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    blueprint: Mapped[dict[str, Any]] = mapped_column(JSON)  # question_bank.Blueprint.to_dict()
    duration_minutes: Mapped[int] = mapped_column(default=60)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    multiple_policy: Mapped[str] = mapped_column(String(32), default="all_or_nothing")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=ExamStatus.DRAFT.value)
    # The organizer opens the exam; trainees can start only while it is open and in its window.
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The approved manual version the paper was published against (open book: 开卷).
    manual_version_id: Mapped[int | None] = mapped_column(Integer)
    results_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821
    questions: Mapped[list[ExamQuestion]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="ExamQuestion.number")


class ExamQuestion(Base):
    """A published question: a snapshot of the bank question at publication."""

    __tablename__ = "exam_question"
    __table_args__ = (UniqueConstraint("exam_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    section_index: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(20))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # question_bank.Question.to_dict()

    exam: Mapped[Exam] = relationship(back_populates="questions")


class Attempt(Base):
    """One trainee's sitting of one exam. The server's clock decides the deadline."""

    __tablename__ = "attempt"
    __table_args__ = (UniqueConstraint("exam_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    personal_seed: Mapped[int] = mapped_column(Integer)
    objective_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    # Objective + graded short answers; set on submission, recomputed on grading and regrading.
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))

    exam: Mapped[Exam] = relationship()
    trainee: Mapped["User"] = relationship()  # noqa: F821
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", cascade="all, delete-orphan")


class Answer(Base):
    """The latest saved response to one question; ``seq`` orders saves from the browser."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("exam_question.id", ondelete="CASCADE"))
    # Original option indices for choice questions ({"choices": [..]}), {"text": ".."} for short.
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # Short answers: who marked it (阅卷人), when, and the grader's comment (services/grading.py).
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grader_comment: Mapped[str] = mapped_column(Text, default="")

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    question: Mapped[ExamQuestion] = relationship()
