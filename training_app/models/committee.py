"""The class committee (班委): the class monitor (班长) and the committee posts."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class CommitteeRole(enum.StrEnum):
    MONITOR = "monitor"  # 班长
    VICE_MONITOR = "vice_monitor"  # 副班长
    STUDY = "study"  # 学习委员
    CULTURE = "culture"  # 文体委员
    PUBLICITY = "publicity"  # 宣传委员
    LIFE = "life"  # 生活委员


COMMITTEE_ROLE_VALUES = tuple(r.value for r in CommitteeRole)


class CommitteeMember(Base):
    __tablename__ = "committee_member"
    __table_args__ = (
        UniqueConstraint("class_id", "role"),
        CheckConstraint(f"role IN {COMMITTEE_ROLE_VALUES!r}", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821
