"""Attendance (考勤): one record per trainee per schedule item that takes attendance.

A trainee without a record for an item counts as absent.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"  # 出勤
    LATE = "late"  # 迟到
    EXCUSED = "excused"  # 请假（已批准）
    ABSENT = "absent"  # 缺勤


ATTENDANCE_STATUS_VALUES = tuple(s.value for s in AttendanceStatus)


class AttendanceMethod(enum.StrEnum):
    QR = "qr"  # 扫码签到
    ROSTER = "roster"  # 点名登记
    LEAVE = "leave"  # 请假批准


ATTENDANCE_METHOD_VALUES = tuple(m.value for m in AttendanceMethod)


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id"),
        CheckConstraint(f"status IN {ATTENDANCE_STATUS_VALUES!r}", name="status_known"),
        CheckConstraint(f"method IN {ATTENDANCE_METHOD_VALUES!r}", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # QR scans only
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    leave_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("leave_request.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped["User"] = relationship(foreign_keys=[user_id], lazy="joined")  # noqa: F821
