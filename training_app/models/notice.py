"""Notices (培训通知 / 预备通知) of a class.

A notice is generated from the class (time and place, participants and eligibility, the quota
table per unit, deadline, materials, rules, contacts); the organizer drafts it and edits the
purpose text, a sponsor approves it, and publishing it is a lifecycle transition of the class.
``content`` is the full text as submitted: the sponsor approves exactly that text, and the
published notice keeps it (with the quota table) as a snapshot that later edits never change.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class NoticeKind(enum.StrEnum):
    PRELIMINARY = "preliminary"  # 预备通知
    FORMAL = "formal"  # 培训通知


class NoticeIssuers(enum.StrEnum):
    SPONSOR = "sponsor"  # 主办方单独发文
    JOINT = "joint"  # 主办方与承办方联合发文


class NoticeStatus(enum.StrEnum):
    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 待审批
    APPROVED = "approved"  # 已批准
    RETURNED = "returned"  # 已退回
    PUBLISHED = "published"  # 已发布


class Notice(Base):
    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("class_id", "kind", name="uq_notice_class_kind"),
        CheckConstraint(f"kind IN {tuple(k.value for k in NoticeKind)!r}", name="kind_known"),
        CheckConstraint(f"issuers IN {tuple(i.value for i in NoticeIssuers)!r}",
                        name="issuers_known"),
        CheckConstraint(f"status IN {tuple(s.value for s in NoticeStatus)!r}",
                        name="status_known"),
        CheckConstraint("status = 'draft' OR status = 'returned' OR content IS NOT NULL",
                        name="content_frozen_once_submitted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    issuers: Mapped[str] = mapped_column(String(16), default=NoticeIssuers.SPONSOR.value)
    document_number: Mapped[str] = mapped_column(String(64), default="")  # 文号, e.g. 潍民字〔2016〕12号
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=NoticeStatus.DRAFT.value)
    # The text as submitted (see the module docstring); None while a draft.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821
    published_by: Mapped["User | None"] = relationship(foreign_keys=[published_by_id])  # noqa: F821
