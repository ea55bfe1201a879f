"""The schedule (日程) of a class: one item per session, each with someone responsible for it
(事事有人管), and the sub-venue coordinators (分会场负责人) who take attendance there."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class ScheduleKind(enum.StrEnum):
    SIGN_IN = "sign_in"  # 报到签到
    # The eight standard steps (DOMAIN.md, 课程设置).
    OPENING = "opening"  # 开班仪式
    ICE_BREAKING = "ice_breaking"  # 破冰活动
    BRIEFING = "briefing"  # 形势介绍
    EXAM = "exam"  # 开卷考试
    KEYNOTE = "keynote"  # 主题授课
    EXCHANGE = "exchange"  # 学员交流
    CULTURE = "culture"  # 文体活动
    GRADUATION = "graduation"  # 结业仪式
    # Other formats.
    LECTURE = "lecture"  # 讲座
    DISCUSSION = "discussion"  # 讨论
    CASE_STUDY = "case_study"  # 案例研讨
    ROLE_PLAY = "role_play"  # 角色扮演
    VISIT = "visit"  # 参观考察
    MEAL = "meal"  # 用餐
    FREE = "free"  # 自由活动


SCHEDULE_KIND_VALUES = tuple(k.value for k in ScheduleKind)


class LectureMode(enum.StrEnum):
    NONE = ""  # not a lecture
    PUBLIC = "public"  # 公开授课：其他听众在各自区域，学员在指定区域
    TRAINEES_ONLY = "trainees_only"  # 仅限学员：按标准座次就座


LECTURE_MODE_VALUES = tuple(m.value for m in LectureMode)


class ScheduleItem(Base):
    __tablename__ = "schedule_item"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_ordered"),
        CheckConstraint(f"kind IN {SCHEDULE_KIND_VALUES!r}", name="kind_known"),
        CheckConstraint(f"lecture_mode IN {LECTURE_MODE_VALUES!r}", name="lecture_mode_known"),
        CheckConstraint("checkin_closes_at IS NULL OR checkin_opens_at IS NULL "
                        "OR checkin_closes_at > checkin_opens_at", name="checkin_window_ordered"),
        Index("ix_schedule_item_class_starts", "class_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(200), default="")  # "" = the main venue (主会场)
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lecture_mode: Mapped[str] = mapped_column(String(20), default=LectureMode.NONE.value)
    audience_zones: Mapped[str] = mapped_column(Text, default="")  # public: who sits where
    seating_plan: Mapped[str] = mapped_column(Text, default="")  # trainees only: 标准座次
    notes: Mapped[str] = mapped_column(Text, default="")
    # Attendance (考勤): whether trainees check in, and the window in which they can.
    takes_attendance: Mapped[bool] = mapped_column(Boolean, default=False)
    checkin_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training_class: Mapped["TrainingClass"] = relationship()  # noqa: F821
    lecturer: Mapped["User | None"] = relationship(foreign_keys=[lecturer_id])  # noqa: F821
    responsible: Mapped["User | None"] = relationship(foreign_keys=[responsible_id])  # noqa: F821

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class VenueCoordinator(Base):
    """A user who runs a sub-venue (分会场) of a class: shows its check-in code, marks its
    attendance. Assigned per class and venue by the organizer."""

    __tablename__ = "venue_coordinator"
    __table_args__ = (UniqueConstraint("class_id", "venue", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    venue: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821
