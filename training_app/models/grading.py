"""Graders (阅卷人) of an exam: lecturers the organizer assigns to mark its short answers.

The marks themselves live on ``Answer`` (score, graded_by_id, graded_at, grader_comment).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class ExamGrader(Base):
    __tablename__ = "exam_grader"
    __table_args__ = (UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exam: Mapped["Exam"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821
