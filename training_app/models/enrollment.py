"""Enrollment (报名): one trainee's entry in one class, and the materials uploaded for it."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class EnrollmentStatus(enum.StrEnum):
    PENDING = "pending"  # 待审核 (holds a seat)
    APPROVED = "approved"  # 已通过 (holds a seat)
    REJECTED = "rejected"  # 未通过
    WAITLISTED = "waitlisted"  # 候补
    WITHDRAWN = "withdrawn"  # 已退出


# The states that hold a seat of the class.
SEAT_HOLDING = (EnrollmentStatus.PENDING.value, EnrollmentStatus.APPROVED.value)


class EnrollmentSource(enum.StrEnum):
    NOMINATED = "nominated"  # 单位推荐
    SELF_REGISTERED = "self_registered"  # 个人报名


STATUS_VALUES = tuple(s.value for s in EnrollmentStatus)
SOURCE_VALUES = tuple(s.value for s in EnrollmentSource)


class Enrollment(Base):
    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("class_id", "trainee_id"),
        CheckConstraint(f"status IN {STATUS_VALUES!r}", name="status_known"),
        CheckConstraint(f"source IN {SOURCE_VALUES!r}", name="source_known"),
        Index("ix_enrollment_class_status_unit", "class_id", "status", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee_profile.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # at the time of entry
    status: Mapped[str] = mapped_column(String(16), default=EnrollmentStatus.PENDING.value)
    source: Mapped[str] = mapped_column(String(20), default=EnrollmentSource.NOMINATED.value)
    # Self-registrations wait for the unit contact's confirmation (单位确认) before approval.
    unit_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the organizer approved this entry beyond its unit's quota (名额调剂): why.
    over_quota_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # First come, first served: the waitlist is ordered by (created_at, id).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821
    trainee: Mapped["TraineeProfile"] = relationship(lazy="joined")  # noqa: F821
    unit: Mapped["Unit"] = relationship(lazy="joined")  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
    materials: Mapped[list["EnrollmentMaterial"]] = relationship(
        back_populates="enrollment", cascade="all, delete-orphan",
        order_by="EnrollmentMaterial.id")

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING


class EnrollmentMaterial(Base):
    """A registration material (报名材料): PDF, JPG or PNG, checked by content, stored under the
    instance folder with a random name."""

    __tablename__ = "enrollment_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))  # e.g. 资格证书复印件
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    enrollment: Mapped[Enrollment] = relationship(back_populates="materials")
