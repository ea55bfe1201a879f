"""Quotas (名额分配): seats of a class allocated to a unit; the rest is the unallocated pool."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class Quota(Base):
    __tablename__ = "quota"
    __table_args__ = (
        UniqueConstraint("class_id", "unit_id"),
        CheckConstraint("seats >= 0", name="seats_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    seats: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821
    unit: Mapped["Unit"] = relationship(lazy="joined")  # noqa: F821
