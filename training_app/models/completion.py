"""Completion (结业) and outstanding trainees (优秀学员) of a class.

``CompletionRule`` holds the class's thresholds and the weights of the outstanding-trainee
composite; ``OutstandingNomination`` records the organizer's and the groups' nominations;
``OutstandingTrainee`` is the list the organizer confirmed, a snapshot of the values ranked.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow

DEFAULT_MIN_ATTENDANCE = Decimal("0.80")
DEFAULT_MIN_EXAM_SCORE = Decimal(60)
DEFAULT_OUTSTANDING_SHARE = Decimal("0.10")
DEFAULT_WEIGHTS = {"exam": 60, "attendance": 20, "organizer": 10, "group": 10}


class CompletionRule(Base):
    __tablename__ = "completion_rule"
    __table_args__ = (
        CheckConstraint("min_attendance_rate >= 0 AND min_attendance_rate <= 1",
                        name="attendance_range"),
        CheckConstraint("min_exam_score >= 0", name="exam_score_nonnegative"),
        CheckConstraint("outstanding_share > 0 AND outstanding_share <= 1", name="share_range"),
        CheckConstraint("weight_exam >= 0 AND weight_attendance >= 0 AND weight_organizer >= 0 "
                        "AND weight_group >= 0", name="weights_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), unique=True)
    min_attendance_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4),
                                                         default=DEFAULT_MIN_ATTENDANCE)
    min_exam_score: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=DEFAULT_MIN_EXAM_SCORE)
    # The exam that counts; None: the class's most recent published exam.
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exam.id", ondelete="SET NULL"))
    weight_exam: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["exam"])
    weight_attendance: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["attendance"])
    weight_organizer: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["organizer"])
    weight_group: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["group"])
    outstanding_share: Mapped[Decimal] = mapped_column(Numeric(4, 3),
                                                       default=DEFAULT_OUTSTANDING_SHARE)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NominationSource(enum.StrEnum):
    ORGANIZER = "organizer"  # 承办方推荐
    GROUP = "group"  # 小组推荐


NOMINATION_SOURCE_VALUES = tuple(s.value for s in NominationSource)


class OutstandingNomination(Base):
    __tablename__ = "outstanding_nomination"
    __table_args__ = (
        UniqueConstraint("class_id", "user_id", "source"),
        CheckConstraint(f"source IN {NOMINATION_SOURCE_VALUES!r}", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(10))
    # Group nominations: the group that nominated (one nomination per group).
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_group.id", ondelete="CASCADE"), unique=True)
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821


class OutstandingTrainee(Base):
    """One trainee on the confirmed outstanding list, with the values that ranked them."""

    __tablename__ = "outstanding_trainee"
    __table_args__ = (
        UniqueConstraint("class_id", "user_id"),
        UniqueConstraint("class_id", "rank", name="uq_outstanding_trainee_class_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column()
    composite: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    exam_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    attendance_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped["User"] = relationship(foreign_keys=[user_id], lazy="joined")  # noqa: F821
