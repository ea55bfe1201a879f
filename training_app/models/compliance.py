"""Standard-compliance score history (标准化量化赋分记录): one row per recorded evaluation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from training_app.models.base import Base, UTCDateTime, utcnow


class ComplianceSnapshot(Base):
    """The score a class had at one moment under one checklist version, and what was missing."""

    __tablename__ = "compliance_snapshot"
    __table_args__ = (
        CheckConstraint("total >= 0 AND total <= maximum", name="total_in_range"),
        Index("ix_compliance_snapshot_class_at", "class_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checklist_version: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column()
    maximum: Mapped[int] = mapped_column()
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)  # clause ids not met
