"""The lifecycle of a class, one guarded transition per function, each audited:

    草稿 draft → 预备通知 preliminary (optional) → 报名中 registration_open → 报名截止
    registration_closed → 培训中 in_session → 已结业 graduated → 已归档 archived

A transition that breaks the standard raises ``DomainError`` naming the reason. Each takes a
row lock on the class first, so two organizers pressing the same button change it once.
``TRANSITIONS`` lists them for the class page (buttons) and the view (by name).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from training_app.models import ClassStatus, NoticeKind, TrainingClass, User
from training_app.services import audit, notices
from training_app.services.errors import N_, DomainError

CLASS_TIMEZONE = ZoneInfo("Asia/Shanghai")

STATUS_NAMES = {
    ClassStatus.DRAFT: "草稿",
    ClassStatus.PRELIMINARY: "预备通知",
    ClassStatus.REGISTRATION_OPEN: "报名中",
    ClassStatus.REGISTRATION_CLOSED: "报名截止",
    ClassStatus.IN_SESSION: "培训中",
    ClassStatus.GRADUATED: "已结业",
    ClassStatus.ARCHIVED: "已归档",
}


def _lock(session: Session, training_class: TrainingClass) -> None:
    """Re-read the class under the lock that also serializes its seat decisions (quotas)."""
    from training_app.services import quotas  # the enrollment area's module

    session.flush()
    quotas.lock_class(session, training_class)


def _require(training_class: TrainingClass, allowed: set[ClassStatus], message: str) -> None:
    if ClassStatus(training_class.status) not in allowed:
        raise DomainError(message)


def _move(session: Session, training_class: TrainingClass, target: ClassStatus,
          actor: User | None, now: datetime) -> TrainingClass:
    old = ClassStatus(training_class.status)
    training_class.status = target.value
    audit.record(session, actor=actor, action="class.transition", target=training_class, now=now,
                 changes={"status": [old.value, target.value]},
                 summary=f"{training_class.title}：{STATUS_NAMES[old]} → {STATUS_NAMES[target]}")
    return training_class


def _local_today(now: datetime, tz: ZoneInfo):
    return now.astimezone(tz).date()


def publish_preliminary_notice(session: Session, *, training_class: TrainingClass,
                               actor: User | None, now: datetime,
                               tz: ZoneInfo = CLASS_TIMEZONE) -> TrainingClass:
    """草稿 → 预备通知: publish the preliminary notice, approved by a sponsor."""
    _lock(session, training_class)
    _require(training_class, {ClassStatus.DRAFT},
             N_("只有草稿状态的培训班才能发布预备通知。"))
    notice = notices.check_publishable(
        session, notices.get_notice(session, training_class, NoticeKind.PRELIMINARY),
        NoticeKind.PRELIMINARY)
    notices.mark_published(session, notice=notice, actor=actor, now=now)
    return _move(session, training_class, ClassStatus.PRELIMINARY, actor, now)


def open_registration(session: Session, *, training_class: TrainingClass, actor: User | None,
                      now: datetime, tz: ZoneInfo = CLASS_TIMEZONE) -> TrainingClass:
    """草稿/预备通知 → 报名中: publish the formal notice. Needs a registration deadline still
    ahead, quotas within the capacity, and the notice approved by a sponsor (unchanged since)."""
    from training_app.services import quotas  # the enrollment area's module

    _lock(session, training_class)
    _require(training_class, {ClassStatus.DRAFT, ClassStatus.PRELIMINARY},
             N_("只有草稿或预备通知阶段的培训班才能开始报名。"))
    deadline = training_class.registration_deadline
    if deadline is None:
        raise DomainError(N_("尚未设置报名截止日期，不能开始报名。"))
    if deadline < _local_today(now, tz):
        raise DomainError(N_("报名截止日期（%(date)s）已过，请先修改报名截止日期。"),
                          date=deadline.isoformat())
    allocated = quotas.total_allocated(session, training_class)
    if allocated > training_class.capacity:
        raise DomainError(N_("各单位名额合计%(allocated)s人，超过了计划人数%(capacity)s人。"),
                          allocated=allocated, capacity=training_class.capacity)
    notice = notices.check_publishable(
        session, notices.get_notice(session, training_class, NoticeKind.FORMAL), NoticeKind.FORMAL)
    notices.mark_published(session, notice=notice, actor=actor, now=now)
    return _move(session, training_class, ClassStatus.REGISTRATION_OPEN, actor, now)


def close_registration(session: Session, *, training_class: TrainingClass, actor: User | None,
                       now: datetime, tz: ZoneInfo = CLASS_TIMEZONE) -> TrainingClass:
    """报名中 → 报名截止 (the organizer may close before the deadline)."""
    _lock(session, training_class)
    _require(training_class, {ClassStatus.REGISTRATION_OPEN},
             N_("只有报名中的培训班才能截止报名。"))
    return _move(session, training_class, ClassStatus.REGISTRATION_CLOSED, actor, now)


def start_session(session: Session, *, training_class: TrainingClass, actor: User | None,
                  now: datetime, tz: ZoneInfo = CLASS_TIMEZONE) -> TrainingClass:
    """报名截止 → 培训中, on or after the start date (in the class's time zone)."""
    _lock(session, training_class)
    _require(training_class, {ClassStatus.REGISTRATION_CLOSED},
             N_("报名截止后才能开班。"))
    if _local_today(now, tz) < training_class.start_date:
        raise DomainError(N_("开班日期（%(date)s）还没到，不能开班。"),
                          date=training_class.start_date.isoformat())
    return _move(session, training_class, ClassStatus.IN_SESSION, actor, now)


def graduate(session: Session, *, training_class: TrainingClass, actor: User | None,
             now: datetime, tz: ZoneInfo = CLASS_TIMEZONE) -> TrainingClass:
    """培训中 → 已结业."""
    _lock(session, training_class)
    _require(training_class, {ClassStatus.IN_SESSION}, N_("只有培训中的培训班才能结业。"))
    return _move(session, training_class, ClassStatus.GRADUATED, actor, now)


def archive(session: Session, *, training_class: TrainingClass, actor: User | None,
            now: datetime, tz: ZoneInfo = CLASS_TIMEZONE) -> TrainingClass:
    """已结业 → 已归档."""
    _lock(session, training_class)
    _require(training_class, {ClassStatus.GRADUATED}, N_("只有已结业的培训班才能归档。"))
    return _move(session, training_class, ClassStatus.ARCHIVED, actor, now)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # button text (N_: translated where shown)
    sources: frozenset[ClassStatus]
    target: ClassStatus
    run: Callable[..., TrainingClass]


TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("publish_preliminary", N_("发布预备通知"), frozenset({ClassStatus.DRAFT}),
               ClassStatus.PRELIMINARY, publish_preliminary_notice),
    Transition("open_registration", N_("发布培训通知并开始报名"),
               frozenset({ClassStatus.DRAFT, ClassStatus.PRELIMINARY}),
               ClassStatus.REGISTRATION_OPEN, open_registration),
    Transition("close_registration", N_("截止报名"), frozenset({ClassStatus.REGISTRATION_OPEN}),
               ClassStatus.REGISTRATION_CLOSED, close_registration),
    Transition("start_session", N_("开班"), frozenset({ClassStatus.REGISTRATION_CLOSED}),
               ClassStatus.IN_SESSION, start_session),
    Transition("graduate", N_("结业"), frozenset({ClassStatus.IN_SESSION}),
               ClassStatus.GRADUATED, graduate),
    Transition("archive", N_("归档"), frozenset({ClassStatus.GRADUATED}),
               ClassStatus.ARCHIVED, archive),
]}


def available_transitions(training_class: TrainingClass) -> list[Transition]:
    """The transitions the class's status allows next (their guards are checked when run)."""
    status = ClassStatus(training_class.status)
    return [t for t in TRANSITIONS.values() if status in t.sources]


def run_transition(session: Session, *, name: str, training_class: TrainingClass,
                   actor: User | None, now: datetime, tz: ZoneInfo = CLASS_TIMEZONE
                   ) -> TrainingClass:
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise DomainError(N_("未知的操作。"))
    return transition.run(session, training_class=training_class, actor=actor, now=now, tz=tz)
