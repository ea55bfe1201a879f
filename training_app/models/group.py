"""Groups (分组) of a class: at most 10 trainees each, with a leader, name, song and slogan.

A group also carries the trainee exchange (学员交流) it prepares: its 1-2 representatives
(``GroupMember.is_representative``) and its report outline (汇报提纲).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class Group(Base):
    __tablename__ = "class_group"
    __table_args__ = (
        UniqueConstraint("class_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()  # 第1组, 第2组 ...
    name: Mapped[str] = mapped_column(String(60), default="")  # 组名
    song: Mapped[str] = mapped_column(String(120), default="")  # 组歌
    slogan: Mapped[str] = mapped_column(String(200), default="")  # 口号
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Trainee exchange: the group's report outline (汇报提纲).
    outline: Mapped[str] = mapped_column(Text, default="")
    outline_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821
    leader: Mapped["User | None"] = relationship()  # noqa: F821
    members: Mapped[list["GroupMember"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupMember.id")

    @property
    def label(self) -> str:
        return f"第{self.number}组" + (f"（{self.name}）" if self.name else "")

    @property
    def representatives(self) -> list["GroupMember"]:
        return [m for m in self.members if m.is_representative]


class GroupMember(Base):
    """A trainee's place in a group; one group per trainee per class."""

    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"),
                                          index=True)
    # The class again, so the database itself keeps a trainee in one group of a class.
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)  # 交流代表

    group: Mapped[Group] = relationship(back_populates="members")
    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821
