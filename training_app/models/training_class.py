"""A training class (培训班): the unit of work from plan to graduation."""
from __future__ import annotations

import enum
from datetime import date, datetime

from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
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


class TrainingMode(enum.StrEnum):
    CLOSED = "closed"  # 封闭式
    DISTANCE = "distance"  # 远程教育式
    MEETING = "meeting"  # 以会代训式
    STUDY_TOUR = "study_tour"  # 组团考察式


class TrainingFormat(enum.StrEnum):
    LECTURE = "lecture"  # 讲授法
    REMOTE_AV = "remote_av"  # 远程视听
    DISCUSSION = "discussion"  # 讨论法
    CASE_STUDY = "case_study"  # 案例研讨法
    ROLE_PLAY = "role_play"  # 角色扮演法
    SELF_STUDY = "self_study"  # 自学法
    INTERACTIVE_GROUP = "interactive_group"  # 互动小组法
    ONLINE = "online"  # 网络培训法


class Qualification(enum.IntEnum):
    """Professional qualification levels, ordered so a higher level satisfies a lower one."""

    NONE = 0  # 无
    ASSISTANT = 1  # 助理社会工作师
    INTERMEDIATE = 2  # 社会工作师
    SENIOR = 3  # 高级社会工作师


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
    mode: Mapped[str] = mapped_column(String(20), default=TrainingMode.CLOSED.value)
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)  # TrainingFormat values
    sub_venues: Mapped[list[str]] = mapped_column(JSON, default=list)  # 分会场
    # Eligibility (学员条件): any one alternative suffices, e.g. 社工师满2年或助理社工师满5年 is
    # [{"qualification": 2, "min_years": 2}, {"qualification": 1, "min_years": 5}];
    # an empty list admits everyone.
    eligibility_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    eligibility_text: Mapped[str] = mapped_column(Text, default="")
    required_materials: Mapped[str] = mapped_column(Text, default="")
    rules_text: Mapped[str] = mapped_column(Text, default="")  # e.g. 封闭式培训，原则上不准请假
    contacts: Mapped[str] = mapped_column(Text, default="")
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sponsor_unit: Mapped["Unit"] = relationship(foreign_keys=[sponsor_unit_id])  # noqa: F821
    organizer_unit: Mapped["Unit"] = relationship(foreign_keys=[organizer_unit_id])  # noqa: F821
    # Co-sponsors (联合主办): sponsor_unit is the lead sponsor; these are the others.
    co_sponsor_links: Mapped[list["ClassSponsor"]] = relationship(
        cascade="all, delete-orphan", order_by="ClassSponsor.unit_id", lazy="selectin")

    @property
    def sponsor_units(self) -> list["Unit"]:  # noqa: F821
        """The lead sponsor first, then the co-sponsors."""
        return [self.sponsor_unit, *(link.unit for link in self.co_sponsor_links)]

    @property
    def sponsor_unit_ids(self) -> set[int]:
        return {self.sponsor_unit_id, *(link.unit_id for link in self.co_sponsor_links)}

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class ClassSponsor(Base):
    """An additional sponsor unit of a class (主办方可以不止一个); the lead stays on the class."""

    __tablename__ = "class_sponsor"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)

    unit: Mapped["Unit"] = relationship(lazy="joined")  # noqa: F821
