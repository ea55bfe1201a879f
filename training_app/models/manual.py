"""The training manual (培训教材) of a class, its versions and their chapters.

The organizer compiles the manual; the sponsor reviews and approves it before printing. Every
upload is a new version; versions are never changed after submission, so the history of what
was submitted, returned and approved is kept. The exam may only be published against an
approved version.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 待审批
    APPROVED = "approved"  # 已批准
    RETURNED = "returned"  # 已退回


REVIEW_STATUS_VALUES = tuple(s.value for s in ReviewStatus)


class Manual(Base):
    __tablename__ = "manual"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821
    versions: Mapped[list["ManualVersion"]] = relationship(
        back_populates="manual", cascade="all, delete-orphan", order_by="ManualVersion.number")


class ManualVersion(Base):
    __tablename__ = "manual_version"
    __table_args__ = (
        UniqueConstraint("manual_id", "number", name="uq_manual_version_number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(f"status IN {REVIEW_STATUS_VALUES!r}", name="status_known"),
        CheckConstraint("pdf_size IS NULL OR pdf_size > 0", name="pdf_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manual_id: Mapped[int] = mapped_column(ForeignKey("manual.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.DRAFT.value)
    note: Mapped[str] = mapped_column(Text, default="")  # 版本说明
    # The PDF, stored as instance/uploads/manuals/<pdf_name> (a random name); several versions
    # may share one file when a new version changes only the chapters.
    pdf_name: Mapped[str | None] = mapped_column(String(64))
    pdf_original_name: Mapped[str] = mapped_column(String(255), default="")
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    pdf_pages: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    review_comment: Mapped[str] = mapped_column(Text, default="")

    manual: Mapped[Manual] = relationship(back_populates="versions")
    chapters: Mapped[list["ManualChapter"]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ManualChapter.number",
        lazy="selectin")
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821


class ManualChapter(Base):
    __tablename__ = "manual_chapter"
    __table_args__ = (
        UniqueConstraint("version_id", "number", name="uq_manual_chapter_number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("page_from IS NULL OR page_from >= 1", name="page_from_positive"),
        CheckConstraint("page_to IS NULL OR page_from IS NULL OR page_to >= page_from",
                        name="pages_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("manual_version.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    page_from: Mapped[int | None] = mapped_column(Integer)
    page_to: Mapped[int | None] = mapped_column(Integer)
    # [{"number": 1, "title": "两个纲领性文件"}, ...] — the 第N节 under this chapter.
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    version: Mapped[ManualVersion] = relationship(back_populates="chapters")
