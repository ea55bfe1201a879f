"""A trainee's profile (学员信息): who they are, where they work, what they are qualified for.

One profile per person (身份证号 is unique) and per account: the account is created on the
trainee's first enrollment and the profile is reused for later classes.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column, relationship

from training_app.models.base import Base, UTCDateTime, utcnow
from training_app.models.user import User


class Gender(enum.StrEnum):
    MALE = "male"  # 男
    FEMALE = "female"  # 女


GENDER_VALUES = tuple(g.value for g in Gender)


class TraineeProfile(Base):
    __tablename__ = "trainee_profile"
    __table_args__ = (
        CheckConstraint(f"gender IN {GENDER_VALUES!r}", name="gender_known"),
        CheckConstraint("qualification BETWEEN 0 AND 3", name="qualification_known"),
        CheckConstraint("years_experience >= 0", name="years_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str] = mapped_column(String(10))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)  # 身份证号, GB 11643 checked
    mobile: Mapped[str] = mapped_column(String(20))  # the account's login name
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    qualification: Mapped[int] = mapped_column(default=0)  # models.Qualification
    certificate_number: Mapped[str] = mapped_column(String(64), default="")
    years_experience: Mapped[int] = mapped_column(default=0)  # 社会工作年限
    # The initial password of an account created for this trainee, kept in clear so the organizer
    # can print login slips (登录凭条); cleared as soon as the account's password changes.
    initial_password: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    unit: Mapped["Unit"] = relationship(lazy="joined")  # noqa: F821


@event.listens_for(Session, "before_flush")
def _forget_initial_password(session: Session, _flush_context, _instances) -> None:
    """Whenever an account's password changes (first-login change, admin reset), the stored
    initial password is no longer valid: drop the clear text."""
    changed = [
        obj.id for obj in session.dirty
        if isinstance(obj, User) and obj.id is not None
        and attributes.get_history(obj, "password_hash").has_changes()
    ]
    if not changed:
        return
    with session.no_autoflush:
        profiles = session.scalars(select(TraineeProfile).where(
            TraineeProfile.user_id.in_(changed), TraineeProfile.initial_password.is_not(None)))
        for profile in profiles:
            profile.initial_password = None
