"""Enrollment (报名): nomination by a unit, self-registration, review, withdrawal, waitlist.

Seats follow ``services/quotas.py`` (quota first, then the unallocated pool, then the waitlist),
and every function that changes who holds a seat runs under ``quotas.lock_class``.

Trainee accounts: a trainee's first enrollment creates a ``User`` (role trainee, username =
mobile number) with a random initial password that must be changed at first login, and a
``TraineeProfile``. The initial password is kept in clear on the profile only so the organizer
can print login slips (登录凭条); it is erased as soon as the account's password changes (see
``models/trainee_profile.py``). Someone who registers themselves sets their own password instead.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from training_app.models import (
    ClassStatus,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    Role,
    TraineeProfile,
    TrainingClass,
    Unit,
    User,
)
from training_app.models.enrollment import SEAT_HOLDING
from training_app.services import accounts, audit, eligibility, quotas, roster_excel, trainee_data
from training_app.services.errors import N_, DomainError, PermissionDenied
from training_app.services.quotas import CLASS_TIMEZONE, lock_class
from training_app.services.trainee_data import TraineeData

FROZEN_STATUSES = {ClassStatus.GRADUATED.value, ClassStatus.ARCHIVED.value}
STATUS_NAMES = {  # for audit summaries (Chinese, stored)
    EnrollmentStatus.PENDING: "待审核",
    EnrollmentStatus.APPROVED: "已通过",
    EnrollmentStatus.REJECTED: "未通过",
    EnrollmentStatus.WAITLISTED: "候补",
    EnrollmentStatus.WITHDRAWN: "已退出",
}
_PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz"  # no i, l, o: slips are read by people
_PASSWORD_DIGITS = "23456789"


# --- who may do what --------------------------------------------------------------------------

def is_organizer(user: User) -> bool:
    """Organizers (承办方) and admins review entries, set quotas and see full 身份证号."""
    return user.has_role(Role.ORGANIZER, Role.ADMIN)


def is_unit_contact_for(user: User, unit_id: int | None) -> bool:
    return (unit_id is not None and user.has_role(Role.UNIT_CONTACT)
            and user.unit_id == unit_id)


def is_owner(user: User, entry: Enrollment) -> bool:
    return entry.trainee.user_id == user.id


def can_view_entry(user: User, entry: Enrollment) -> bool:
    """The organizer, the contact of the entry's unit, and the trainee themselves."""
    return is_organizer(user) or is_unit_contact_for(user, entry.unit_id) or is_owner(user, entry)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(N_("没有权限进行此操作。"))


# --- the registration window -------------------------------------------------------------------

def local_today(now: datetime, tz: ZoneInfo = CLASS_TIMEZONE) -> date:
    return now.astimezone(tz).date()


def registration_open(training_class: TrainingClass, now: datetime,
                      tz: ZoneInfo = CLASS_TIMEZONE) -> bool:
    deadline = training_class.registration_deadline
    return (training_class.status == ClassStatus.REGISTRATION_OPEN.value
            and (deadline is None or local_today(now, tz) <= deadline))


def _require_open(training_class: TrainingClass, now: datetime, tz: ZoneInfo) -> None:
    if training_class.status != ClassStatus.REGISTRATION_OPEN.value:
        raise DomainError(N_("本培训班当前不在报名期间。"))
    if not registration_open(training_class, now, tz):
        raise DomainError(N_("报名已于%(date)s截止。"),
                          date=training_class.registration_deadline.isoformat())


def _require_not_frozen(training_class: TrainingClass) -> None:
    if training_class.status in FROZEN_STATUSES:
        raise DomainError(N_("已结业或已归档的培训班不能再修改报名。"))


# --- trainee accounts and profiles -------------------------------------------------------------

def generate_initial_password(length: int = 10) -> str:
    """Random, easy to read off a slip, and always passes the password rules."""
    while True:
        chars = [secrets.choice(_PASSWORD_LETTERS + _PASSWORD_DIGITS) for _ in range(length)]
        if any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars):
            return "".join(chars)


def profile_of(session: Session, user: User) -> TraineeProfile | None:
    return session.scalar(select(TraineeProfile).where(TraineeProfile.user_id == user.id))


def find_profile(session: Session, id_number: str) -> TraineeProfile | None:
    return session.scalar(select(TraineeProfile).where(TraineeProfile.id_number == id_number))


PROFILE_FIELDS = ("name", "gender", "qualification", "certificate_number", "years_experience")


def _update_profile(session: Session, profile: TraineeProfile, data: TraineeData, unit: Unit,
                    actor: User | None, now: datetime) -> None:
    values = {f: getattr(data, f) for f in PROFILE_FIELDS} | {"unit_id": unit.id}
    changes = audit.diff(profile, values)
    if not changes:
        return
    for name, value in values.items():
        setattr(profile, name, value)
    profile.unit = unit
    profile.user.unit = unit
    profile.updated_at = now
    audit.record(session, actor=actor, action="trainee_profile.update", target=profile, now=now,
                 changes=changes, summary=f"更新学员信息 {profile.name}")


def _new_profile(session: Session, *, user: User, data: TraineeData, unit: Unit,
                 initial_password: str | None, actor: User | None,
                 now: datetime) -> TraineeProfile:
    profile = TraineeProfile(
        user=user, name=data.name, gender=data.gender, id_number=data.id_number,
        mobile=data.mobile, unit=unit, qualification=data.qualification,
        certificate_number=data.certificate_number, years_experience=data.years_experience,
        initial_password=initial_password, created_at=now, updated_at=now)
    session.add(profile)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent entry registered the same person first
        raise DomainError(N_("该身份证号或手机号刚刚已被登记，请刷新后重试。")) from exc
    audit.record(session, actor=actor, action="trainee_profile.create", target=profile, now=now,
                 summary=f"登记学员 {data.name}",
                 changes={"name": data.name, "unit_id": unit.id, "user_id": user.id})
    return profile


def ensure_profile(session: Session, *, data: TraineeData, unit: Unit, actor: User | None,
                   now: datetime, allow_existing: bool = True,
                   password: str | None = None) -> TraineeProfile:
    """The trainee's profile, created with an account on first enrollment.

    An existing profile (same 身份证号) is reused and updated when ``allow_existing``; its mobile
    number must match. A trainee account without a profile (same mobile) gets one. A new account
    gets ``password`` if given (self-registration), else a random initial password kept for the
    login slips and to be changed at first login.
    """
    profile = find_profile(session, data.id_number)
    if profile is not None:
        if not allow_existing:
            raise DomainError(N_("该身份证号已注册账户，请登录后报名。"))
        if profile.mobile != data.mobile:
            raise DomainError(N_("该身份证号已登记，但手机号与登记的不一致，请联系承办方。"))
        _update_profile(session, profile, data, unit, actor, now)
        return profile
    user = accounts.find_by_identifier(session, data.mobile)
    if user is not None:
        if not allow_existing:
            raise DomainError(N_("该手机号已注册账户，请登录后报名。"))
        if profile_of(session, user) is not None:
            raise DomainError(N_("手机号%(mobile)s已登记为其他学员。"), mobile=data.mobile)
        if not user.has_role(Role.TRAINEE):
            raise DomainError(N_("手机号%(mobile)s已被其他账户使用。"), mobile=data.mobile)
        return _new_profile(session, user=user, data=data, unit=unit, initial_password=None,
                            actor=actor, now=now)
    initial = None if password is not None else generate_initial_password()
    user = accounts.create_user(
        session, username=data.mobile, display_name=data.name, password=password or initial,
        roles=[Role.TRAINEE], mobile=data.mobile, unit=unit,
        must_change_password=password is None, actor=actor, now=now)
    return _new_profile(session, user=user, data=data, unit=unit, initial_password=initial,
                        actor=actor, now=now)


# --- taking a seat ----------------------------------------------------------------------------

def _existing_entry(session: Session, training_class: TrainingClass,
                    profile: TraineeProfile) -> Enrollment | None:
    return session.scalar(select(Enrollment).where(
        Enrollment.class_id == training_class.id, Enrollment.trainee_id == profile.id))


def _enter(session: Session, *, training_class: TrainingClass, profile: TraineeProfile,
           unit: Unit, source: EnrollmentSource, unit_confirmed: bool, actor: User | None,
           now: datetime, state: quotas.SeatState | None = None) -> Enrollment:
    """Insert the entry (pending if a seat is free, else waitlisted). Call under the lock."""
    eligibility.check(training_class.eligibility_rules, qualification=profile.qualification,
                      years=profile.years_experience)
    existing = _existing_entry(session, training_class, profile)
    if existing is not None:
        raise DomainError(N_("%(name)s已报名本培训班（%(status)s）。"), name=profile.name,
                          status=STATUS_NAMES[EnrollmentStatus(existing.status)])
    state = state or quotas.seat_state(session, training_class)
    seated = state.can_seat(unit.id)
    entry = Enrollment(
        class_id=training_class.id, trainee=profile, unit=unit,
        status=(EnrollmentStatus.PENDING if seated else EnrollmentStatus.WAITLISTED).value,
        source=source.value, unit_confirmed=unit_confirmed, created_at=now,
        created_by_id=actor.id if actor is not None else None)
    session.add(entry)
    try:
        session.flush()
    except IntegrityError as exc:
        raise DomainError(N_("%(name)s已报名本培训班。"), name=profile.name) from exc
    if seated:
        state.active[unit.id] += 1
    audit.record(session, actor=actor, action="enrollment.create", target=entry, now=now,
                 changes={"class_id": training_class.id, "trainee_id": profile.id,
                          "unit_id": unit.id, "status": entry.status, "source": source.value},
                 summary=f"{training_class.title}：{unit.name} {profile.name} 报名"
                         f"（{STATUS_NAMES[EnrollmentStatus(entry.status)]}）")
    return entry


def _as_data(profile_data: TraineeData | dict) -> TraineeData:
    return profile_data if isinstance(profile_data, TraineeData) else TraineeData(**profile_data)


def nominate(session: Session, *, training_class: TrainingClass, unit: Unit,
             profile_data: TraineeData | dict, actor: User, now: datetime,
             enforce_window: bool = True, tz: ZoneInfo = CLASS_TIMEZONE) -> Enrollment:
    """A unit contact nominates a trainee of their own unit (单位推荐); the organizer may too.

    Pending when the unit's quota (or else the pool) has a free seat, otherwise waitlisted.
    ``enforce_window=False`` is for loading history (the demo), never for requests.
    """
    data = trainee_data.clean(_as_data(profile_data), today=local_today(now, tz))
    lock_class(session, training_class, before_reads=True)
    _require(is_organizer(actor) or is_unit_contact_for(actor, unit.id))
    eligibility.check(training_class.eligibility_rules, qualification=data.qualification,
                      years=data.years_experience)
    if enforce_window:
        _require_open(training_class, now, tz)
    profile = ensure_profile(session, data=data, unit=unit, actor=actor, now=now)
    lock_class(session, training_class)
    if enforce_window:
        _require_open(training_class, now, tz)
    return _enter(session, training_class=training_class, profile=profile, unit=unit,
                  source=EnrollmentSource.NOMINATED, unit_confirmed=True, actor=actor, now=now)


def self_register(session: Session, *, training_class: TrainingClass, unit: Unit, now: datetime,
                  user: User | None = None, profile_data: TraineeData | dict | None = None,
                  password: str | None = None, tz: ZoneInfo = CLASS_TIMEZONE) -> Enrollment:
    """A trainee registers from the class's page, choosing their unit (个人报名).

    The entry counts against that unit's quota like a nomination and waits for the unit
    contact's confirmation before the organizer can approve it. ``user``: a logged-in trainee
    (their profile is used, or created from ``profile_data``); anonymous visitors give
    ``profile_data`` and the ``password`` of the account created for them.
    """
    lock_class(session, training_class, before_reads=True)
    profile = profile_of(session, user) if user is not None else None
    if user is not None and not user.has_role(Role.TRAINEE):
        raise PermissionDenied(N_("只有学员账户可以个人报名。"))
    if profile is None:
        if profile_data is None:
            raise DomainError(N_("请填写个人信息。"))
        data = trainee_data.clean(_as_data(profile_data), today=local_today(now, tz))
        if user is not None and data.mobile != user.mobile:
            raise DomainError(N_("手机号须与本账户的手机号一致。"))
        eligibility.check(training_class.eligibility_rules, qualification=data.qualification,
                          years=data.years_experience)
        _require_open(training_class, now, tz)
        if user is None and password is None:
            raise DomainError(N_("请设置登录密码。"))
        profile = ensure_profile(session, data=data, unit=unit, actor=user, now=now,
                                 allow_existing=user is not None, password=password)
        user = user or profile.user
    lock_class(session, training_class)
    _require_open(training_class, now, tz)
    return _enter(session, training_class=training_class, profile=profile, unit=unit,
                  source=EnrollmentSource.SELF_REGISTERED, unit_confirmed=False, actor=user,
                  now=now)


def import_roster(session: Session, *, training_class: TrainingClass, unit: Unit, data: bytes,
                  actor: User, now: datetime, tz: ZoneInfo = CLASS_TIMEZONE) -> list[Enrollment]:
    """Nominate every row of an Excel roster, or nobody: all problems are collected first and
    raised together as ``roster_excel.RosterError`` (row number and reason each)."""
    lock_class(session, training_class, before_reads=True)
    _require(is_organizer(actor) or is_unit_contact_for(actor, unit.id))
    _require_open(training_class, now, tz)
    rows, problems = roster_excel.read_roster(data, today=local_today(now, tz))
    for row in rows:
        problem = _row_problem(session, training_class, row.data)
        if problem is not None:
            problems.append(roster_excel.RowProblem(row.row, problem.message, problem.params))
    if problems:
        raise roster_excel.RosterError(problems)
    profiles = []
    for row in rows:
        try:
            profiles.append((row, ensure_profile(session, data=row.data, unit=unit, actor=actor,
                                                 now=now)))
        except DomainError as error:
            raise roster_excel.RosterError(
                [roster_excel.RowProblem(row.row, error.message, error.params)]) from error
    lock_class(session, training_class)
    _require_open(training_class, now, tz)
    state = quotas.seat_state(session, training_class)
    entries = []
    for row, profile in profiles:
        try:
            entries.append(_enter(session, training_class=training_class, profile=profile,
                                  unit=unit, source=EnrollmentSource.NOMINATED,
                                  unit_confirmed=True, actor=actor, now=now, state=state))
        except DomainError as error:
            raise roster_excel.RosterError(
                [roster_excel.RowProblem(row.row, error.message, error.params)]) from error
    return entries


def _row_problem(session: Session, training_class: TrainingClass,
                 data: TraineeData) -> DomainError | None:
    """What refuses this row besides its own format: eligibility, an existing entry, a clash
    with a registered person or account."""
    try:
        eligibility.check(training_class.eligibility_rules, qualification=data.qualification,
                          years=data.years_experience)
    except DomainError as error:
        return error
    profile = find_profile(session, data.id_number)
    if profile is not None:
        if _existing_entry(session, training_class, profile) is not None:
            return DomainError(N_("已报名本培训班。"))
        if profile.mobile != data.mobile:
            return DomainError(N_("该身份证号已登记，但手机号与登记的不一致，请联系承办方。"))
        return None
    user = accounts.find_by_identifier(session, data.mobile)
    if user is not None and (profile_of(session, user) is not None
                             or not user.has_role(Role.TRAINEE)):
        return DomainError(N_("手机号%(mobile)s已被其他账户使用。"), mobile=data.mobile)
    return None


# --- decisions --------------------------------------------------------------------------------

def _lock_entry(session: Session, entry: Enrollment) -> TrainingClass:
    """Lock the entry's class and re-read the entry (its status may have changed meanwhile)."""
    training_class = session.get(TrainingClass, entry.class_id)
    lock_class(session, training_class, before_reads=True)
    lock_class(session, training_class)
    session.refresh(entry)
    return training_class


def _decide(session: Session, entry: Enrollment, status: EnrollmentStatus, *, actor: User | None,
            now: datetime, action: str, reason: str = "") -> None:
    old = entry.status
    entry.status = status.value
    if status in (EnrollmentStatus.APPROVED, EnrollmentStatus.REJECTED):
        entry.decided_at = now
        entry.decided_by_id = actor.id if actor is not None else None
    if reason:
        entry.rejection_reason = reason
    changes = {"status": [old, status.value]}
    if reason:
        changes["reason"] = reason
    audit.record(session, actor=actor, action=action, target=entry, now=now, changes=changes,
                 summary=f"{entry.training_class.title}：{entry.trainee.name} "
                         f"{STATUS_NAMES[EnrollmentStatus(old)]} → {STATUS_NAMES[status]}")


def _free_seat(session: Session, training_class: TrainingClass, entry: Enrollment,
               was_seated: bool, actor: User | None, now: datetime) -> Enrollment | None:
    if not was_seated:
        return None
    state = quotas.seat_state(session, training_class)
    return quotas.promote_after_freed_seat(session, training_class=training_class, state=state,
                                           unit_id=entry.unit_id, actor=actor, now=now)


def confirm_by_unit(session: Session, *, enrollment: Enrollment, actor: User,
                    now: datetime) -> Enrollment:
    """The unit contact confirms a self-registration (单位确认); the organizer may do it for a
    unit without a contact."""
    _require(is_organizer(actor) or is_unit_contact_for(actor, enrollment.unit_id))
    training_class = _lock_entry(session, enrollment)
    _require_not_frozen(training_class)
    if enrollment.unit_confirmed:
        raise DomainError(N_("该报名已经确认。"))
    if enrollment.status not in (*SEAT_HOLDING, EnrollmentStatus.WAITLISTED.value):
        raise DomainError(N_("该报名已结束，不能确认。"))
    enrollment.unit_confirmed = True
    audit.record(session, actor=actor, action="enrollment.confirm", target=enrollment, now=now,
                 changes={"unit_confirmed": [False, True]},
                 summary=f"{training_class.title}：单位确认 {enrollment.trainee.name} 的报名")
    return enrollment


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("请填写理由。"))
    return reason[:500]


def decline_by_unit(session: Session, *, enrollment: Enrollment, reason: str, actor: User,
                    now: datetime) -> Enrollment | None:
    """The unit contact does not confirm a self-registration: it is rejected with the reason;
    a freed seat promotes a waiting entry (returned)."""
    _require(is_organizer(actor) or is_unit_contact_for(actor, enrollment.unit_id))
    reason = _clean_reason(reason)
    training_class = _lock_entry(session, enrollment)
    _require_not_frozen(training_class)
    if enrollment.unit_confirmed or enrollment.status not in (
            *SEAT_HOLDING, EnrollmentStatus.WAITLISTED.value):
        raise DomainError(N_("只有等待单位确认的报名才能由单位退回。"))
    seated = enrollment.holds_seat
    _decide(session, enrollment, EnrollmentStatus.REJECTED, actor=actor, now=now,
            action="enrollment.decline", reason=reason)
    return _free_seat(session, training_class, enrollment, seated, actor, now)


def approve(session: Session, *, enrollment: Enrollment, actor: User, now: datetime,
            over_quota_reason: str = "") -> Enrollment:
    """The organizer approves a pending entry (a self-registration needs its unit's
    confirmation first). Beyond the unit's quota only with ``over_quota_reason``."""
    _require(is_organizer(actor))
    training_class = _lock_entry(session, enrollment)
    _approve_locked(session, training_class, enrollment, actor, now, over_quota_reason)
    return enrollment


MAX_OVER_QUOTA_REASON = 500


def _approve_locked(session: Session, training_class: TrainingClass, entry: Enrollment,
                    actor: User, now: datetime, over_quota_reason: str = "") -> None:
    """Approve under the class lock. A unit is admitted beyond its quota (名额) only as the
    organizer's explicit, audited override with a reason: a pending entry on a pool seat is
    not yet an admission, so the rule is checked here, where admission happens."""
    _require_not_frozen(training_class)
    if entry.status != EnrollmentStatus.PENDING.value:
        raise DomainError(N_("%(name)s的报名不是待审核状态，不能通过。"), name=entry.trainee.name)
    if not entry.unit_confirmed:
        raise DomainError(N_("%(name)s是个人报名，须先经单位联系人确认。"), name=entry.trainee.name)
    over = quotas.over_quota_admission(session, training_class, entry.unit_id)
    reason = (over_quota_reason or "").strip()
    if over is not None:
        quota, approved = over
        if not reason:
            raise DomainError(N_("%(unit)s的名额为%(quota)s人，已录取%(n)s人；超出名额录取"
                                 "%(name)s须填写超名额录取理由。"), unit=entry.unit.name,
                              quota=quota, n=approved, name=entry.trainee.name)
        if len(reason) > MAX_OVER_QUOTA_REASON:
            raise DomainError(N_("理由过长（最多%(n)s字）。"), n=MAX_OVER_QUOTA_REASON)
        entry.over_quota_reason = reason
    _decide(session, entry, EnrollmentStatus.APPROVED, actor=actor, now=now,
            action="enrollment.approve")
    if over is not None:
        audit.record(session, actor=actor, action="enrollment.over_quota", target=entry, now=now,
                     changes={"unit": entry.unit.name, "quota": quota, "approved": approved + 1,
                              "reason": reason},
                     summary=f"{training_class.title}：超出名额录取 {entry.trainee.name}"
                             f"（{entry.unit.name} 名额{quota}人，录取第{approved + 1}人）：{reason}")


def reject(session: Session, *, enrollment: Enrollment, reason: str, actor: User,
           now: datetime) -> Enrollment | None:
    """The organizer rejects a pending or waitlisted entry with a reason; a freed seat
    promotes a waiting entry (returned)."""
    _require(is_organizer(actor))
    reason = _clean_reason(reason)
    training_class = _lock_entry(session, enrollment)
    return _reject_locked(session, training_class, enrollment, reason, actor, now)


def _reject_locked(session: Session, training_class: TrainingClass, entry: Enrollment,
                   reason: str, actor: User, now: datetime) -> Enrollment | None:
    _require_not_frozen(training_class)
    if entry.status not in (EnrollmentStatus.PENDING.value, EnrollmentStatus.WAITLISTED.value):
        raise DomainError(N_("%(name)s的报名不是待审核或候补状态，不能退回。"),
                          name=entry.trainee.name)
    seated = entry.holds_seat
    _decide(session, entry, EnrollmentStatus.REJECTED, actor=actor, now=now,
            action="enrollment.reject", reason=reason)
    return _free_seat(session, training_class, entry, seated, actor, now)


def _same_class(entries: Sequence[Enrollment]) -> TrainingClass:
    if not entries:
        raise DomainError(N_("请至少选择一条报名。"))
    if len({e.class_id for e in entries}) != 1:
        raise DomainError(N_("只能批量处理同一培训班的报名。"))
    return entries[0].training_class


def approve_many(session: Session, *, entries: Sequence[Enrollment], actor: User,
                 now: datetime, over_quota_reason: str = "") -> int:
    """Approve all of ``entries`` or none (the first refusal names the trainee); entries
    beyond their unit's quota need ``over_quota_reason``, recorded on each of them."""
    _require(is_organizer(actor))
    training_class = _same_class(entries)
    lock_class(session, training_class, before_reads=True)
    lock_class(session, training_class)
    for entry in entries:
        session.refresh(entry)
        _approve_locked(session, training_class, entry, actor, now, over_quota_reason)
    return len(entries)


def reject_many(session: Session, *, entries: Sequence[Enrollment], reason: str, actor: User,
                now: datetime) -> list[Enrollment]:
    """Reject all of ``entries`` with one reason, or none; returns the entries promoted from
    the waitlist into the freed seats."""
    _require(is_organizer(actor))
    reason = _clean_reason(reason)
    training_class = _same_class(entries)
    lock_class(session, training_class, before_reads=True)
    lock_class(session, training_class)
    for entry in entries:
        session.refresh(entry)
    promoted: list[Enrollment] = []
    for entry in entries:
        new = _reject_locked(session, training_class, entry, reason, actor, now)
        if new is not None:
            promoted.append(new)
    # An entry promoted by an earlier rejection of the batch may be rejected later in it.
    return [e for e in promoted if e.status == EnrollmentStatus.PENDING.value]


def withdraw(session: Session, *, enrollment: Enrollment, actor: User, now: datetime,
             reason: str = "") -> Enrollment | None:
    """The trainee, their unit contact or the organizer withdraws an entry (退出). The freed
    seat promotes the earliest waiting entry of the same unit, or else of the pool; that entry
    is returned so the organizer can be told."""
    _require(can_view_entry(actor, enrollment))
    training_class = _lock_entry(session, enrollment)
    _require_not_frozen(training_class)
    if enrollment.status not in (*SEAT_HOLDING, EnrollmentStatus.WAITLISTED.value):
        raise DomainError(N_("该报名已结束，不能退出。"))
    seated = enrollment.holds_seat
    _decide(session, enrollment, EnrollmentStatus.WITHDRAWN, actor=actor, now=now,
            action="enrollment.withdraw", reason=(reason or "").strip()[:500])
    return _free_seat(session, training_class, enrollment, seated, actor, now)


# --- reading ----------------------------------------------------------------------------------

def list_entries(session: Session, training_class: TrainingClass, *,
                 statuses: Iterable[str] | None = None,
                 unit_id: int | None = None) -> list[Enrollment]:
    """Entries of the class in first-come order, optionally filtered."""
    query = (select(Enrollment).where(Enrollment.class_id == training_class.id)
             .order_by(Enrollment.created_at, Enrollment.id))
    statuses = list(statuses or [])
    if statuses:
        query = query.where(Enrollment.status.in_(statuses))
    if unit_id is not None:
        query = query.where(Enrollment.unit_id == unit_id)
    return list(session.scalars(query))


def entries_of_user(session: Session, user: User) -> list[Enrollment]:
    return list(session.scalars(
        select(Enrollment).join(TraineeProfile, TraineeProfile.id == Enrollment.trainee_id)
        .where(TraineeProfile.user_id == user.id)
        .order_by(Enrollment.created_at.desc())))


def entry_of_user(session: Session, training_class: TrainingClass,
                  user: User) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).join(TraineeProfile, TraineeProfile.id == Enrollment.trainee_id)
        .where(TraineeProfile.user_id == user.id, Enrollment.class_id == training_class.id))


def is_approved_trainee(session: Session, *, training_class: TrainingClass, user: User) -> bool:
    """Whether ``user`` is an approved trainee of the class (may check in, take the exam)."""
    entry = entry_of_user(session, training_class, user)
    return entry is not None and entry.status == EnrollmentStatus.APPROVED.value


def approved_trainee_users(session: Session, training_class: TrainingClass) -> list[User]:
    """The accounts of the class's approved trainees, in enrollment order."""
    return list(session.scalars(
        select(User).join(TraineeProfile, TraineeProfile.user_id == User.id)
        .join(Enrollment, Enrollment.trainee_id == TraineeProfile.id)
        .where(Enrollment.class_id == training_class.id,
               Enrollment.status == EnrollmentStatus.APPROVED.value)
        .order_by(Enrollment.created_at, Enrollment.id)))


@dataclass(frozen=True)
class LoginSlip:
    name: str
    unit: str
    login: str
    initial_password: str | None  # None: the trainee has set their own password


def login_slips(session: Session, *, training_class: TrainingClass, actor: User,
                now: datetime) -> list[LoginSlip]:
    """Login slips (登录凭条) for the class's seat-holding trainees; printing them is audited
    because they carry initial passwords."""
    _require(is_organizer(actor))
    entries = list_entries(session, training_class, statuses=SEAT_HOLDING)
    slips = []
    for entry in entries:
        profile = entry.trainee
        pending_change = profile.user.must_change_password and profile.initial_password
        slips.append(LoginSlip(name=profile.name, unit=entry.unit.name, login=profile.mobile,
                               initial_password=profile.initial_password if pending_change
                               else None))
    audit.record(session, actor=actor, action="enrollment.print_login_slips",
                 target=training_class, now=now,
                 changes={"slips": len(slips),
                          "with_password": sum(1 for s in slips if s.initial_password)},
                 summary=f"{training_class.title}：打印登录凭条 {len(slips)} 张")
    return slips
