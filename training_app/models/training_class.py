"""A training class (培训班): the unit of work from plan to graduation."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class ClassStatus(enum.StrEnum):
    DRAFT = "draft"  # 草稿
    PRELIMINARY = "preliminary"  # 预备通知
    REGISTRATION_OPEN = "registration_open"  # 报名中
    REGISTRATION_CLOSED = "registration_closed"  # 报名截止
    IN_SESSION = "in_session"  # 培训中
    GRADUATED = "graduated"  # 已结业
    ARCHIVED = "archived"  # 已归档


class TrainingClass(Base):
    __tablename__ = "training_class"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("credit_hours >= 0", name="credit_hours_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    sponsor_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    organizer_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(default=80)
    credit_hours: Mapped[int] = mapped_column(default=8)
    status: Mapped[str] = mapped_column(String(32), default=ClassStatus.DRAFT.value)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sponsor_unit: Mapped["Unit"] = relationship(foreign_keys=[sponsor_unit_id])  # noqa: F821
    organizer_unit: Mapped["Unit"] = relationship(foreign_keys=[organizer_unit_id])  # noqa: F821

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1
