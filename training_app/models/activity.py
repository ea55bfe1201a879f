"""The cultural and sports activity (文体活动): each group's acts (节目), their order and prizes."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow


class ActKind(enum.StrEnum):
    SONG = "song"  # 歌曲
    DANCE = "dance"  # 舞蹈
    RECITAL = "recital"  # 朗诵
    SKIT = "skit"  # 小品
    INSTRUMENT = "instrument"  # 器乐
    GAME = "game"  # 游戏
    SPORT = "sport"  # 体育比赛（乒乓球、拔河等）
    OTHER = "other"  # 其他


ACT_KIND_VALUES = tuple(k.value for k in ActKind)


class ActivityAct(Base):
    __tablename__ = "activity_act"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACT_KIND_VALUES!r}", name="kind_known"),
        CheckConstraint("minutes > 0 AND minutes <= 60", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default=ActKind.SONG.value)
    performers: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[int] = mapped_column(default=5)
    position: Mapped[int] = mapped_column(default=0)  # running order; 0 = not yet placed
    prize: Mapped[str] = mapped_column(String(60), default="")  # e.g. 一等奖 / 最佳创意奖
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped["Group"] = relationship(lazy="joined")  # noqa: F821
