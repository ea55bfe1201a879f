"""Training classes (培训班). The full lifecycle arrives with the enrollment work."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from training_app.models import TrainingClass, Unit, User
from training_app.services import audit
from training_app.services.errors import N_, DomainError

HOURS_PER_DAY = 8  # 学时: 2 days = 16, 3 days = 24, 4 days = 32


def default_credit_hours(start: date, end: date) -> int:
    return ((end - start).days + 1) * HOURS_PER_DAY


def create_class(
    session: Session,
    *,
    title: str,
    sponsor: Unit,
    organizer: Unit,
    start_date: date,
    end_date: date,
    venue: str = "",
    capacity: int = 80,
    credit_hours: int | None = None,
    description: str = "",
    actor: User | None,
    now: datetime | None = None,
) -> TrainingClass:
    title = title.strip()
    if not title:
        raise DomainError(N_("请填写培训班名称。"))
    if end_date < start_date:
        raise DomainError(N_("结束日期不能早于开始日期。"))
    if capacity <= 0:
        raise DomainError(N_("计划人数必须大于0。"))
    training_class = TrainingClass(
        title=title, sponsor_unit=sponsor, organizer_unit=organizer,
        start_date=start_date, end_date=end_date, venue=venue, capacity=capacity,
        credit_hours=credit_hours if credit_hours is not None
        else default_credit_hours(start_date, end_date),
        description=description,
    )
    session.add(training_class)
    session.flush()
    audit.record(session, actor=actor, action="class.create", target=training_class, now=now,
                 summary=f"创建培训班 {title}",
                 changes={"title": title, "capacity": capacity,
                          "credit_hours": training_class.credit_hours})
    return training_class


def list_classes(session: Session) -> list[TrainingClass]:
    return list(session.scalars(select(TrainingClass).order_by(TrainingClass.start_date.desc())))
