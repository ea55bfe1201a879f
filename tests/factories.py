"""Test data builders: each makes a valid object with sensible defaults, overridable."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from training_app.models import Role, TrainingClass, Unit, UnitKind, User
from training_app.services import accounts, classes, units

PASSWORD = "secret1234"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
_seq = itertools.count(1)


def make_unit(session: Session, *, name: str | None = None,
              kind: UnitKind = UnitKind.SOCIAL_WORK_AGENCY) -> Unit:
    return units.create_unit(session, name=name or f"测试单位{next(_seq)}", kind=kind.value,
                             contact_person="联系人", phone="0536-0000000", actor=None, now=NOW)


def make_user(session: Session, *, roles=(Role.TRAINEE,), username: str | None = None,
              mobile: str | None = None, unit: Unit | None = None, password: str = PASSWORD,
              must_change_password: bool = False, display_name: str = "测试用户") -> User:
    n = next(_seq)
    return accounts.create_user(
        session, username=username or f"user{n}", display_name=display_name,
        password=password, roles=[Role(r) for r in roles] or [Role.TRAINEE], mobile=mobile,
        unit=unit, must_change_password=must_change_password, actor=None, now=NOW,
    )


def make_class(session: Session, *, title: str = "测试培训班", capacity: int = 80,
               start: date = date(2026, 5, 17), end: date = date(2026, 5, 19)) -> TrainingClass:
    return classes.create_class(
        session, title=title, sponsor=make_unit(session, kind=UnitKind.CIVIL_AFFAIRS),
        organizer=make_unit(session, kind=UnitKind.ASSOCIATION), start_date=start, end_date=end,
        capacity=capacity, actor=None, now=NOW,
    )
