"""Units (单位): the employers that send trainees, and the sponsor and organizer bodies."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from training_app.models.base import Base, UTCDateTime, utcnow


class UnitKind(enum.StrEnum):
    CIVIL_AFFAIRS = "civil_affairs"  # 民政部门
    STREET_OFFICE = "street_office"  # 街道办事处
    COMMUNITY = "community"  # 社区居委会
    SOCIAL_WORK_AGENCY = "social_work_agency"  # 社工机构
    WELFARE_HOME = "welfare_home"  # 社会福利院
    SOCIAL_ORGANIZATION = "social_organization"  # 社会组织
    VOLUNTEER_ORGANIZATION = "volunteer_organization"  # 志愿者组织
    ASSOCIATION = "association"  # 行业协会 / 培训机构
    OTHER = "other"  # 其他


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default=UnitKind.OTHER.value)
    contact_person: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
